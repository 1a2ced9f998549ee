//! `ajuste train` and `ajuste predict`: transfer learning and fine-tuning on folders of
//! images or on a project file, with the same engine the page uses.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use ajuste::data::batch::images_to_tensor;
use ajuste::data::folder::list_classes;
use ajuste::data::image::preprocess;
use ajuste::model::EfficientNetLite0;
use ajuste::protocol::{EvaluatedOn, TrainingReport};
use ajuste::train::cache::{ActivationCache, Activations};
use ajuste::train::config::TrainingConfig;
use ajuste::train::devices::Devices;
use ajuste::train::export::Classifier;
use ajuste::train::fit::fit;
use ajuste::train::metrics::{ConfusionMatrix, argmax_rows};
use ajuste::train::trainer::TrainEvent;
use burn::prelude::Device;
use serde::Serialize;

use crate::cli::{PredictArgs, TrainArgs, exit_code, load_backbone};
use crate::projects::{self, Source};

const FEATURE_BATCH: usize = 16;
/// Cached activations beyond this stay in host memory.
const DEVICE_CACHE_BUDGET: usize = 1 << 30;

#[derive(Serialize)]
struct TrainReport {
    classes: Vec<String>,
    freeze_depth: usize,
    train_images: usize,
    test_images: usize,
    test_accuracy: Option<f32>,
    val_accuracy: Option<f32>,
    /// Which images `per_class_accuracy` and `confusion_matrix` are measured on: "test",
    /// "validation", or "training" (when no image could be held out).
    metrics_on: &'static str,
    per_class_accuracy: Vec<Option<f32>>,
    confusion_matrix: Vec<Vec<usize>>,
    best_epoch: Option<usize>,
    feature_seconds: f64,
    train_seconds: f64,
    cache_bytes: usize,
    history: Vec<ajuste::train::trainer::EpochMetrics>,
    notices: Vec<String>,
}

struct Progress {
    enabled: bool,
}

impl Progress {
    fn show(&self, line: &str) {
        if self.enabled {
            eprint!("\r\x1b[2K{line}");
        }
    }

    fn done(&self) {
        if self.enabled {
            eprintln!();
        }
    }
}

pub fn train(args: &TrainArgs, device: &Device) -> Result<ExitCode, String> {
    let backbone = load_backbone(args.weights.as_deref(), device)?;
    let source = Source::read(&args.data)?;
    let dataset = source.dataset(args.shots, args.seed);
    dataset.check_trainable().map_err(|e| e.to_string())?;
    let progress = Progress {
        enabled: std::io::stderr().is_terminal() && !args.json,
    };

    let smallest_class = dataset.class_counts().into_iter().min().unwrap_or(0);
    let settings = source.settings(smallest_class, args.freeze_depth);
    let mut config = TrainingConfig::from_settings(&settings).with_seed(args.seed);
    if let Some(depth) = args.freeze_depth {
        config.freeze_depth = depth;
    }
    if args.no_augment {
        config.augment = false;
    }
    if args.no_test_time_flip {
        config.test_time_flip = false;
    }
    if let Some(epochs) = args.epochs {
        config.epochs = epochs;
    }
    if let Some(rate) = args.learning_rate {
        config.learning_rate = rate;
    }
    if let Some(batch_size) = args.batch_size {
        config.batch_size = batch_size;
    }
    if let Some(share) = args.validation_share {
        config.validation_share = share;
    }
    if let Some(views) = args.views {
        config.augmented_views = views;
    }
    let output =
        projects::output_project(args.out.as_deref(), source, &dataset, config.settings())?;

    let feature_start = Instant::now();
    let mut cache = ActivationCache::new(device, DEVICE_CACHE_BUDGET);
    cache
        .set_freeze_depth(config.freeze_depth)
        .map_err(|e| e.to_string())?;
    let ids: Vec<u64> = dataset.samples.iter().map(|s| s.id).collect();
    let missing = cache.missing(&ids, config.views());
    for (done, keys) in missing.chunks(FEATURE_BATCH).enumerate() {
        pollster::block_on(cache.compute(
            &backbone,
            &dataset,
            keys,
            &config.augmentation,
            config.seed,
        ))
        .map_err(|e| e.to_string())?;
        progress.show(&format!(
            "features {}/{}",
            (done * FEATURE_BATCH + keys.len()),
            missing.len()
        ));
    }
    progress.done();
    let feature_seconds = feature_start.elapsed().as_secs_f64();

    let train_start = Instant::now();
    let activations = Activations::Cached(&cache);
    let fitted = pollster::block_on(fit(
        &backbone,
        &dataset.classes,
        &dataset.items(),
        &activations,
        config.clone(),
        device,
        |event| match event {
            TrainEvent::Step {
                epoch,
                steps_done,
                total_steps,
                ..
            } => progress.show(&format!(
                "epoch {epoch}/{}  step {steps_done}/{total_steps}",
                config.epochs
            )),
            TrainEvent::Epoch(m) => progress.show(&format!(
                "epoch {}/{}  loss {:.3}  acc {:.1}%  val loss {}  val acc {}",
                m.epoch,
                config.epochs,
                m.train_loss,
                m.train_accuracy * 100.0,
                m.validation_loss.map_or("-".into(), |l| format!("{l:.3}")),
                m.validation_accuracy
                    .map_or("-".into(), |a| format!("{:.1}%", a * 100.0)),
            )),
            TrainEvent::Finished => {}
        },
    ))
    .map_err(|e| e.to_string())?;
    progress.done();
    let train_seconds = train_start.elapsed().as_secs_f64();
    let notices: Vec<String> = fitted.notices.iter().map(ToString::to_string).collect();
    for notice in &notices {
        eprintln!("ajuste: note: {notice}");
    }
    let training_report = TrainingReport {
        classes: dataset.classes.clone(),
        per_class_accuracy: fitted.evaluation.confusion.per_class_accuracy(),
        confusion: fitted.evaluation.confusion.clone(),
        evaluated_on: fitted.evaluated_on,
        best_epoch: fitted.best_epoch,
        epochs_run: fitted.history.len(),
        cancelled: false,
        seconds: feature_seconds + train_seconds,
        notices: fitted.notices.clone(),
    };
    let evaluation = fitted.evaluation;
    let evaluated_on = match fitted.evaluated_on {
        EvaluatedOn::Validation => "validation",
        EvaluatedOn::Training => "training",
    };
    let classifier = Classifier::new(dataset.classes.clone(), &config, fitted.model);
    let devices = Devices::single(device);

    let (test_confusion, test_images) = match &args.test {
        Some(test_dir) => {
            let confusion = evaluate_folder(&classifier, &backbone, test_dir, &devices)?;
            let total = confusion.total();
            (Some(confusion), total)
        }
        None => (None, 0),
    };
    let (shown, shown_on) = match &test_confusion {
        Some(confusion) => (confusion.clone(), "test"),
        None => (evaluation.confusion.clone(), evaluated_on),
    };
    let report = TrainReport {
        classes: dataset.classes.clone(),
        freeze_depth: config.freeze_depth,
        train_images: dataset.samples.len(),
        test_images,
        test_accuracy: test_confusion.as_ref().map(ConfusionMatrix::accuracy),
        val_accuracy: (evaluated_on == "validation").then(|| evaluation.confusion.accuracy()),
        metrics_on: shown_on,
        per_class_accuracy: shown.per_class_accuracy(),
        confusion_matrix: shown.matrix.clone(),
        best_epoch: fitted.best_epoch,
        feature_seconds,
        train_seconds,
        cache_bytes: cache.memory().device_bytes + cache.memory().host_bytes,
        history: fitted.history,
        notices,
    };
    if let Some(out) = &args.out {
        projects::save(out, output, training_report, &classifier)?;
    }
    print_report(&report, args.json)?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &TrainReport, json: bool) -> Result<(), String> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let percent = |a: Option<f32>| a.map_or("-".into(), |a| format!("{:.1}%", a * 100.0));
    println!("classes: {}", report.classes.join(", "));
    println!(
        "features: {:.1} s, training: {:.1} s",
        report.feature_seconds, report.train_seconds
    );
    println!("validation accuracy: {}", percent(report.val_accuracy));
    println!("test accuracy: {}", percent(report.test_accuracy));
    println!("per-class accuracy ({} images):", report.metrics_on);
    for (class, accuracy) in report.classes.iter().zip(&report.per_class_accuracy) {
        println!("  {class}: {}", percent(*accuracy));
    }
    Ok(())
}

/// Confusion matrix of the classifier on a folder laid out like the training data.
fn evaluate_folder(
    classifier: &Classifier,
    backbone: &EfficientNetLite0,
    directory: &Path,
    devices: &Devices,
) -> Result<ConfusionMatrix, String> {
    let listing = list_classes(directory)?;
    let classes = &classifier.manifest.classes;
    let mut actual = Vec::new();
    let mut inputs = Vec::new();
    for (name, files) in listing.classes.iter().zip(&listing.files) {
        let label = classes
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| format!("test class \"{name}\" is not one of the trained classes"))?;
        for path in files {
            match std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|b| preprocess(&b).map_err(|e| e.to_string()))
            {
                Ok(input) => {
                    inputs.push(input);
                    actual.push(label);
                }
                Err(message) => eprintln!("ajuste: skipping {}: {message}", path.display()),
            }
        }
    }
    let mut predicted = Vec::with_capacity(actual.len());
    for chunk in inputs.chunks(FEATURE_BATCH) {
        let images = images_to_tensor(chunk, &devices.main);
        let probabilities = pollster::block_on(classifier.probabilities(backbone, images, devices))
            .map_err(|e| e.to_string())?;
        predicted.extend(argmax_rows(&probabilities.concat(), classes.len()));
    }
    Ok(ConfusionMatrix::from_predictions(
        classes.len(),
        &actual,
        &predicted,
    ))
}

#[derive(Serialize)]
struct PredictResult {
    image: String,
    label: String,
    confidence: f32,
    probabilities: Vec<(String, f32)>,
}

pub fn predict(args: &PredictArgs, device: &Device) -> Result<ExitCode, String> {
    let backbone = load_backbone(args.weights.as_deref(), device)?;
    let classifier = projects::load_classifier(&args.model, &backbone, device)?;
    let devices = Devices::single(device);
    let classes = &classifier.manifest.classes;
    let (inputs, failures) = crate::cli::read_images(&args.images);
    let mut results = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(FEATURE_BATCH) {
        let batch: Vec<Vec<f32>> = chunk.iter().map(|(_, input)| input.clone()).collect();
        let images = images_to_tensor(&batch, device);
        let probabilities =
            pollster::block_on(classifier.probabilities(&backbone, images, &devices))
                .map_err(|e| e.to_string())?;
        for ((path, _), row) in chunk.iter().zip(probabilities) {
            let best = argmax_rows(&row, classes.len())[0];
            results.push(PredictResult {
                image: path.display().to_string(),
                label: classes[best].clone(),
                confidence: row[best],
                probabilities: classes.iter().cloned().zip(row).collect(),
            });
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?
        );
    } else {
        for result in &results {
            println!(
                "{}  {} ({:.1}%)",
                result.image,
                result.label,
                result.confidence * 100.0
            );
        }
    }
    Ok(exit_code(failures))
}
