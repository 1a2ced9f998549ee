//! `ajuste train` and the page's engine run one fit: for the same images, seed and settings
//! on the CPU they give the same per-epoch losses and the same test accuracy.

mod common;

use std::path::Path;
use std::process::Command as Process;

use ajuste::data::folder::list_classes;
use ajuste::protocol::{Command, Event, ImageEncoding, TrainSettings};
use common::engine::{Page, classes};

fn write_folders(root: &Path, per_class: usize, seed: u64) {
    let mut rng = ajuste::rng::Rng::new(seed);
    for i in 0..per_class * 2 {
        let class = i % 2;
        let image = common::synthetic::image(class, &mut rng);
        let dir = root.join(common::synthetic::CLASSES[class]);
        std::fs::create_dir_all(&dir).unwrap();
        image.save(dir.join(format!("{i:03}.png"))).unwrap();
    }
}

#[test]
fn the_cli_and_the_page_report_the_same_numbers() {
    let root = std::env::temp_dir().join(format!("ajuste-parity-{}", std::process::id()));
    let (data, test) = (root.join("data"), root.join("test"));
    write_folders(&data, 9, 11);
    write_folders(&test, 5, 12);
    let epochs = 6;

    let output = Process::new(env!("CARGO_BIN_EXE_ajuste"))
        .args(["train", "--data", data.to_str().unwrap()])
        .args(["--test", test.to_str().unwrap()])
        .args([
            "--epochs",
            &epochs.to_string(),
            "--no-augment",
            "--validation-share",
            "0.15",
            "--seed",
            "42",
        ])
        .args(["--backend", "cpu", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let cli: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    // The page: the same files in the CLI's order (sorted classes, sorted files), numbered
    // as the CLI numbers them, with the settings recommended for 9 images per class (what
    // the CLI starts from) but for the epochs, augmentation and validation.
    let mut page = Page::open(false);
    let listing = list_classes(&data).unwrap();
    let mut sample = 0;
    for (class, files) in listing.files.iter().enumerate() {
        for file in files {
            let command = Command::AddSample {
                class: class as u64,
                sample,
                encoding: ImageEncoding::File,
            };
            let events = page.send(command, Some(std::fs::read(file).unwrap()));
            assert!(
                matches!(events[0], Event::SampleAccepted { .. }),
                "{events:?}"
            );
            sample += 1;
        }
    }
    let settings = TrainSettings {
        epochs,
        augment: false,
        validation_share: 0.15,
        ..TrainSettings::recommended(9, 0)
    };
    page.train(classes(&[(0, "disc"), (1, "stripes")]), settings);
    let done = page.work_until(10_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    let Event::TrainingDone(report) = done else {
        panic!("{done:?}")
    };

    let page_losses: Vec<f64> = page
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Epoch(m) => Some(f64::from(m.train_loss)),
            _ => None,
        })
        .collect();
    let cli_losses: Vec<f64> = cli["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["train_loss"].as_f64().unwrap())
        .collect();
    println!("train losses: CLI {cli_losses:?}, page {page_losses:?}");
    assert_eq!(cli_losses.len(), epochs);
    assert_eq!(page_losses.len(), epochs);
    for (c, p) in cli_losses.iter().zip(&page_losses) {
        assert!((c - p).abs() < 1e-6, "CLI {c} vs page {p}");
    }
    assert_eq!(
        cli["best_epoch"].as_u64().map(|e| e as usize),
        report.best_epoch
    );
    let cli_val = cli["val_accuracy"].as_f64().unwrap();
    assert!((cli_val - f64::from(report.confusion.accuracy())).abs() < 1e-6);

    let test_listing = list_classes(&test).unwrap();
    let (mut correct, mut total) = (0, 0);
    for (class, files) in test_listing.classes.iter().zip(&test_listing.files) {
        for file in files {
            let request = 10_000 + total;
            let command = Command::Predict {
                request,
                encoding: ImageEncoding::File,
            };
            let events = page.send(command, Some(std::fs::read(file).unwrap()));
            let Some(Event::Prediction {
                result: Ok(prediction),
                ..
            }) = events
                .into_iter()
                .find(|e| matches!(e, Event::Prediction { .. }))
            else {
                panic!("no prediction")
            };
            correct += usize::from(&prediction.scores[0].label == class);
            total += 1;
        }
    }
    let page_accuracy = correct as f64 / total as f64;
    let cli_accuracy = cli["test_accuracy"].as_f64().unwrap();
    println!("test accuracy: CLI {cli_accuracy}, page {page_accuracy}");
    assert!((page_accuracy - cli_accuracy).abs() < 1e-6);
    std::fs::remove_dir_all(&root).unwrap();
}
