//! The `ajuste` binary end to end, as a user runs it.

mod common;

use std::process::Command;

use common::fixtures;

fn ajuste(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ajuste"))
        .args(args)
        .current_dir(fixtures().join("images"))
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn imagenet_names_espresso_and_a_cat() {
    let (ok, stdout, stderr) = ajuste(&["imagenet", "coffee.jpg", "chelsea.jpg", "--json"]);
    assert!(ok, "{stderr}");
    let results: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["top5"][0]["label"], "espresso");
    assert!(
        results[1]["top5"][0]["label"]
            .as_str()
            .unwrap()
            .contains("cat"),
        "{stdout}"
    );
    assert_eq!(results[0]["top5"].as_array().unwrap().len(), 5);
}

#[test]
fn embed_prints_1280_features_per_image() {
    let (ok, stdout, stderr) = ajuste(&["embed", "rocket.jpg", "--json"]);
    assert!(ok, "{stderr}");
    let results: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["features"].as_array().unwrap().len(), 1280);
}

#[test]
fn a_bad_file_is_reported_and_the_others_still_run() {
    let text = fixtures().join("images").join("LICENSES.txt");
    let text = text.to_str().unwrap();
    let (ok, stdout, stderr) = ajuste(&["imagenet", text, "coffee.jpg", "missing.jpg"]);
    assert!(!ok);
    assert!(stderr.contains("LICENSES.txt: not an image"), "{stderr}");
    assert!(stderr.contains("missing.jpg"), "{stderr}");
    assert!(stdout.contains("espresso"), "{stdout}");
}

#[test]
fn weights_that_do_not_exist_fail_cleanly() {
    let (ok, _, stderr) = ajuste(&["embed", "coffee.jpg", "--weights", "nowhere.pth"]);
    assert!(!ok);
    assert!(stderr.contains("nowhere.pth"), "{stderr}");
}

/// Writes `per_class` synthetic images per class under `root/<class>/`.
fn write_image_folders(root: &std::path::Path, per_class: usize, seed: u64) {
    let dataset_images = {
        let mut rng = ajuste::rng::Rng::new(seed);
        (0..per_class * 2)
            .map(|i| (i % 2, common::synthetic::image(i % 2, &mut rng)))
            .collect::<Vec<_>>()
    };
    for (i, (class, image)) in dataset_images.iter().enumerate() {
        let dir = root.join(common::synthetic::CLASSES[*class]);
        std::fs::create_dir_all(&dir).unwrap();
        image.save(dir.join(format!("{i:03}.png"))).unwrap();
    }
}

#[test]
fn train_then_predict_on_image_folders() {
    let root = std::env::temp_dir().join(format!("ajuste-cli-{}", std::process::id()));
    let (data, test, model) = (root.join("data"), root.join("test"), root.join("model"));
    write_image_folders(&data, 12, 1);
    write_image_folders(&test, 4, 2);
    std::fs::write(data.join("disc").join("broken.jpg"), b"not really a jpeg").unwrap();
    let (ok, stdout, stderr) = ajuste(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--test",
        test.to_str().unwrap(),
        "--shots",
        "10",
        "--epochs",
        "8",
        "--freeze-depth",
        "1",
        // 10 per class train without validation by default: hold some out to see it reported.
        "--validation-share",
        "0.15",
        "--out",
        model.to_str().unwrap(),
        "--json",
        "--backend",
        "cpu",
    ]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("broken.jpg"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        report["test_accuracy"].as_f64().unwrap() >= 0.95,
        "{stdout}"
    );
    assert_eq!(report["train_images"], 20);
    for key in [
        "val_accuracy",
        "per_class_accuracy",
        "confusion_matrix",
        "train_seconds",
        "feature_seconds",
    ] {
        assert!(!report[key].is_null(), "{key} missing: {stdout}");
    }

    let disc = test.join("disc").join(
        std::fs::read_dir(test.join("disc"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name(),
    );
    let (ok, stdout, stderr) = ajuste(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        disc.to_str().unwrap(),
        "--json",
        "--backend",
        "cpu",
    ]);
    assert!(ok, "{stderr}");
    let predictions: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(predictions[0]["label"], "disc");

    let (ok, _, stderr) = ajuste(&["train", "--data", root.join("nowhere").to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("nowhere"), "{stderr}");
    std::fs::remove_dir_all(&root).unwrap();
}
