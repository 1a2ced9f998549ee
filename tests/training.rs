//! The training engine on the real pretrained backbone (shipped f16 weights, CPU).
//!
//! Bad inputs tried here: zero classes, one class, an empty class, a class with a single
//! image, activations of the wrong shape, a cache computed at another freeze depth,
//! NaN / infinite / huge learning rates, a freeze depth beyond the network.

mod common;

use ajuste::data::batch::images_to_tensor;
use ajuste::data::dataset::{Dataset, DatasetError};
use ajuste::data::image::{center_crop, to_input};
use ajuste::model::EfficientNetLite0;
use ajuste::model::weights::load_file;
use ajuste::protocol::{EvaluatedOn, Invalid, Notice};
use ajuste::train::TrainError;
use ajuste::train::cache::{ActivationCache, Activations};
use ajuste::train::config::TrainingConfig;
use ajuste::train::devices::Devices;
use ajuste::train::export::Classifier;
use ajuste::train::metrics::argmax_rows;
use ajuste::train::trainer::{FitOutcome, TrainEvent, Trainer};
use burn::module::Module;
use burn::prelude::*;
use common::synthetic;

fn backbone(device: &Device) -> EfficientNetLite0 {
    load_file(&common::shipped_weights(), device).unwrap()
}

fn config(freeze_depth: usize) -> TrainingConfig {
    // These tests are about the mechanics (the split, the kept epoch, the cache), so they
    // hold images out whatever the recipe's default for few images is.
    TrainingConfig::default()
        .with_freeze_depth(freeze_depth)
        .with_epochs(12)
        .with_batch_size(8)
        .with_learning_rate(1e-3)
        .with_validation_share(0.15)
        .with_augmented_views(1)
}

fn ids(dataset: &Dataset) -> Vec<u64> {
    dataset.samples.iter().map(|s| s.id).collect()
}

fn fill_cache(
    backbone: &EfficientNetLite0,
    dataset: &Dataset,
    config: &TrainingConfig,
    device: &Device,
) -> ActivationCache {
    let mut cache = ActivationCache::new(device, usize::MAX);
    cache.set_freeze_depth(config.freeze_depth).unwrap();
    for keys in cache.missing(&ids(dataset), config.views()).chunks(16) {
        pollster::block_on(cache.compute(
            backbone,
            dataset,
            keys,
            &config.augmentation,
            config.seed,
        ))
        .unwrap();
    }
    cache
}

/// Runs to the end (or `max_steps`), returning the outcome and every epoch's train loss.
fn train(
    backbone: &EfficientNetLite0,
    dataset: &Dataset,
    activations: &Activations<'_>,
    config: TrainingConfig,
    device: &Device,
    max_steps: Option<usize>,
) -> FitOutcome {
    let mut trainer = Trainer::new(
        backbone,
        &dataset.classes,
        &dataset.items(),
        activations,
        config,
        device,
    )
    .unwrap();
    let mut steps = 0;
    loop {
        if max_steps.is_some_and(|max| steps >= max) {
            break;
        }
        if pollster::block_on(trainer.step(activations)).unwrap() == TrainEvent::Finished {
            break;
        }
        steps += 1;
    }
    pollster::block_on(trainer.finish(activations)).unwrap()
}

fn accuracy_on(
    classifier: &Classifier,
    backbone: &EfficientNetLite0,
    test: &Dataset,
    device: &Device,
) -> f32 {
    let inputs: Vec<Vec<f32>> = test
        .samples
        .iter()
        .map(|s| to_input(&center_crop(&s.image)))
        .collect();
    let images = images_to_tensor(&inputs, device);
    let probabilities =
        pollster::block_on(classifier.probabilities(backbone, images, &Devices::single(device)))
            .unwrap();
    let predicted = argmax_rows(&probabilities.concat(), test.classes.len());
    let correct = predicted
        .iter()
        .zip(&test.samples)
        .filter(|(p, s)| **p == s.label)
        .count();
    correct as f32 / test.samples.len() as f32
}

fn classifier(outcome: FitOutcome) -> Classifier {
    let classes = synthetic::CLASSES.iter().map(|c| c.to_string()).collect();
    Classifier::new(classes, &TrainingConfig::default(), outcome.model)
}

fn parameters(module: &impl Module) -> Vec<Vec<f32>> {
    struct Collect(Vec<Vec<f32>>);
    impl burn::module::ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            self.0
                .push(param.val().into_data().try_into_vec::<f32>().unwrap());
        }
    }
    let mut collect = Collect(Vec::new());
    module.visit(&mut collect);
    collect.0
}

#[test]
fn learns_a_visual_task_with_transfer_learning_and_fine_tuning() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let train_set = synthetic::dataset(16, 1);
    let test_set = synthetic::dataset(10, 2);
    for freeze_depth in [0, 2] {
        let config = config(freeze_depth);
        let cache = fill_cache(&backbone, &train_set, &config, &device);
        let outcome = train(
            &backbone,
            &train_set,
            &Activations::Cached(&cache),
            config,
            &device,
            None,
        );
        let accuracy = accuracy_on(&classifier(outcome), &backbone, &test_set, &device);
        println!(
            "freeze depth {freeze_depth}: held-out accuracy {:.1}%",
            accuracy * 100.0
        );
        assert!(accuracy >= 0.95, "freeze depth {freeze_depth}: {accuracy}");
    }
}

#[test]
fn frozen_parameters_stay_bit_identical_and_trainable_ones_change() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let before = parameters(&backbone);
    let dataset = synthetic::dataset(6, 3);
    let config = config(2).with_epochs(2);
    let cache = fill_cache(&backbone, &dataset, &config, &device);
    let outcome = train(
        &backbone,
        &dataset,
        &Activations::Cached(&cache),
        config,
        &device,
        None,
    );
    assert!(
        parameters(&backbone) == before,
        "the pretrained backbone changed"
    );

    let suffix = outcome.model.suffix.as_ref().unwrap();
    let original = &backbone.blocks[14];
    let trained = &suffix.blocks[0];
    assert!(
        parameters(&trained.project.conv) != parameters(&original.project.conv),
        "unfrozen block did not train"
    );
    assert!(
        parameters(&suffix.head_conv.conv) != parameters(&backbone.head.conv),
        "head conv did not train"
    );
    // Batch norm statistics are frozen even in trained blocks.
    let stats = |bn: &burn::nn::BatchNorm| {
        (
            bn.running_mean.value().into_data(),
            bn.running_var.value().into_data(),
        )
    };
    assert_eq!(stats(&trained.project.bn), stats(&original.project.bn));
}

#[test]
fn cache_reproduces_the_uncached_loss_trajectory() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let dataset = synthetic::dataset(5, 4);
    let config = config(1).with_epochs(3);
    let cache = fill_cache(&backbone, &dataset, &config, &device);
    let cached = train(
        &backbone,
        &dataset,
        &Activations::Cached(&cache),
        config.clone(),
        &device,
        None,
    );
    let recomputed = Activations::Recomputed {
        backbone: &backbone,
        images: &dataset,
        augmentation: &config.augmentation,
        seed: config.seed,
        freeze_depth: config.freeze_depth,
        device: device.clone(),
    };
    let uncached = train(
        &backbone,
        &dataset,
        &recomputed,
        config.clone(),
        &device,
        None,
    );
    for (a, b) in cached.history.iter().zip(&uncached.history) {
        println!(
            "epoch {}: cached {:.6} uncached {:.6}",
            a.epoch, a.train_loss, b.train_loss
        );
        assert!((a.train_loss - b.train_loss).abs() < 1e-4, "{a:?} vs {b:?}");
    }
    assert_eq!(cached.history.len(), 3);
    assert_eq!(uncached.history.len(), 3);
}

#[test]
fn fine_tuning_trains_the_head_alone_first() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let dataset = synthetic::dataset(6, 3);
    // 12 images, batch 8, nothing held out: 2 steps an epoch; with 6 images per class, half
    // of the epochs (`head_only_share_for`), so epochs 1–2 train the head only.
    let config = config(1).with_epochs(4).with_validation_share(0.0);
    let cache = fill_cache(&backbone, &dataset, &config, &device);
    let activations = Activations::Cached(&cache);
    let run = |steps| {
        let outcome = train(
            &backbone,
            &dataset,
            &activations,
            config.clone(),
            &device,
            steps,
        );
        parameters(&outcome.model.suffix.unwrap().blocks[0].project.conv)
    };
    let pretrained = parameters(&backbone.blocks[15].project.conv);
    assert!(
        run(Some(4)) == pretrained,
        "a block changed in a head-only epoch"
    );
    assert!(run(None) != pretrained, "the block never trained");
}

#[test]
fn a_seed_replays_and_cancelling_leaves_a_usable_classifier() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let dataset = synthetic::dataset(6, 5);
    let config = config(0).with_epochs(3);
    let cache = fill_cache(&backbone, &dataset, &config, &device);
    let activations = Activations::Cached(&cache);
    let first = train(
        &backbone,
        &dataset,
        &activations,
        config.clone(),
        &device,
        None,
    );
    let second = train(
        &backbone,
        &dataset,
        &activations,
        config.clone(),
        &device,
        None,
    );
    assert_eq!(first.history, second.history);

    // Stopped after one step: no epoch to keep, so the last model is handed over, and it
    // is measured on the held-out images (one per class at 6 images and a 15% share).
    let cancelled = train(&backbone, &dataset, &activations, config, &device, Some(1));
    assert!(cancelled.history.is_empty());
    assert_eq!(cancelled.best_epoch, None);
    assert_eq!(cancelled.evaluated_on, EvaluatedOn::Validation);
    assert_eq!(cancelled.evaluation.confusion.total(), 2);
    assert!(cancelled.evaluation.loss.is_finite());
    let classifier = classifier(cancelled);
    let inputs = vec![to_input(&center_crop(&dataset.samples[0].image))];
    let images = images_to_tensor(&inputs, &device);
    let rows =
        pollster::block_on(classifier.probabilities(&backbone, images, &Devices::single(&device)))
            .unwrap();
    let sum: f32 = rows[0].iter().sum();
    assert!(
        (sum - 1.0).abs() < 1e-5 && rows[0].iter().all(|p| *p > 0.0),
        "{rows:?}"
    );
}

#[test]
fn export_round_trips_through_bytes() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let dataset = synthetic::dataset(4, 6);
    let config = config(1).with_epochs(1);
    let cache = fill_cache(&backbone, &dataset, &config, &device);
    let trained = classifier(train(
        &backbone,
        &dataset,
        &Activations::Cached(&cache),
        config,
        &device,
        None,
    ));
    let (weights, manifest) = trained.to_bytes().unwrap();
    let loaded = Classifier::from_bytes(weights, &manifest, &backbone, &device).unwrap();
    let inputs = vec![to_input(&center_crop(&dataset.samples[0].image))];
    let devices = Devices::single(&device);
    let run = |c: &Classifier| {
        let images = images_to_tensor(&inputs, &device);
        pollster::block_on(c.probabilities(&backbone, images, &devices)).unwrap()
    };
    assert_eq!(run(&trained), run(&loaded));
    assert!(Classifier::from_bytes(vec![1, 2, 3], &manifest, &backbone, &device).is_err());
    assert!(
        Classifier::from_bytes(Vec::new(), "{\"format\": \"other\"}", &backbone, &device).is_err()
    );
}

#[test]
fn bad_datasets_and_settings_are_refused_with_typed_errors() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let cache = ActivationCache::new(&device, usize::MAX);
    let activations = Activations::Cached(&cache);
    let attempt = |dataset: &Dataset, config: TrainingConfig| {
        let items = dataset.items();
        Trainer::new(
            &backbone,
            &dataset.classes,
            &items,
            &activations,
            config,
            &device,
        )
        .err()
        .expect("must be refused")
    };

    let no_classes = Dataset::new(Vec::new());
    assert!(matches!(
        attempt(&no_classes, config(0)),
        TrainError::Dataset(DatasetError::TooFewClasses)
    ));
    let one_class = Dataset::new(vec!["only".into()]);
    assert!(matches!(
        attempt(&one_class, config(0)),
        TrainError::Dataset(DatasetError::TooFewClasses)
    ));
    let mut empty_class = synthetic::dataset(2, 7);
    empty_class.classes.push("nothing yet".into());
    assert!(
        matches!(attempt(&empty_class, config(0)), TrainError::Dataset(DatasetError::EmptyClass(name)) if name == "nothing yet")
    );

    let dataset = synthetic::dataset(2, 8);
    for rate in [f64::NAN, f64::INFINITY, 1e6, -1.0, 0.0] {
        assert!(
            matches!(
                attempt(&dataset, config(0).with_learning_rate(rate)),
                TrainError::Invalid(Invalid::LearningRate)
            ),
            "{rate}"
        );
    }
    assert!(matches!(
        attempt(&dataset, config(17)),
        TrainError::Invalid(Invalid::FreezeDepth(17))
    ));
    assert!(matches!(
        attempt(&dataset, config(0).with_dropout(1.5)),
        TrainError::Config(_)
    ));
    assert!(matches!(
        attempt(&dataset, config(2)),
        TrainError::CacheDepth {
            cache: 0,
            wanted: 2
        }
    ));
    assert!(matches!(
        attempt(&dataset, config(0)),
        TrainError::NotCached(_)
    ));
}

#[test]
fn single_image_classes_train_with_a_notice_and_wrong_shapes_are_refused() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let mut dataset = synthetic::dataset(4, 9);
    dataset.samples.retain(|s| s.label == 0 || s.id == 1);
    let config = config(0).with_epochs(1);
    let mut cache = fill_cache(&backbone, &dataset, &config, &device);
    let activations = Activations::Cached(&cache);
    let items = dataset.items();
    let trainer = Trainer::new(
        &backbone,
        &dataset.classes,
        &items,
        &activations,
        config,
        &device,
    )
    .unwrap();
    assert_eq!(
        trainer.notices(),
        &[Notice::NoValidationImages("stripes".into())]
    );

    let wrong = Tensor::<2>::zeros([1, 7], &device);
    let error = pollster::block_on(cache.insert_rows(&[(99, 0)], wrong))
        .err()
        .unwrap();
    assert!(matches!(error, TrainError::ShapeMismatch { .. }));
    assert!(matches!(
        cache.set_freeze_depth(40),
        Err(TrainError::Invalid(Invalid::FreezeDepth(40)))
    ));
}

#[test]
fn cache_spills_to_host_memory_beyond_its_budget_and_forgets_deleted_images() {
    let device = Device::flex();
    let backbone = backbone(&device);
    let dataset = synthetic::dataset(2, 10);
    let config = config(0).with_augment(false);
    let entry_bytes = 1280 * 4;
    let mut cache = ActivationCache::new(&device, 2 * entry_bytes);
    for keys in cache.missing(&ids(&dataset), 1).chunks(2) {
        pollster::block_on(cache.compute(&backbone, &dataset, keys, &config.augmentation, 0))
            .unwrap();
    }
    let memory = cache.memory();
    assert_eq!(memory.entries, 4);
    assert_eq!(
        (memory.device_bytes, memory.host_bytes),
        (2 * entry_bytes, 2 * entry_bytes)
    );
    cache.remove_sample(dataset.samples[0].id);
    assert_eq!(cache.memory().entries, 3);
    assert_eq!(
        cache.missing(&ids(&dataset), 1),
        vec![(dataset.samples[0].id, 0)]
    );
    cache.set_freeze_depth(3).unwrap();
    assert_eq!(cache.memory().entries, 0);
}
