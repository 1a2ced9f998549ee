//! `ajuste train` and `ajuste predict` with project files: a folder trained into a project,
//! a project trained again (its enabled classes, its settings), a project predicting.

mod common;

use std::path::Path;
use std::process::Command;

use ajuste::storage::Project;
use image::{Rgb, RgbImage};

fn ajuste(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ajuste"))
        .args(args)
        .args(["--backend", "cpu"])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Discs and stripes (`common::synthetic`), and a third class of plain grey images.
fn write_folders(root: &Path, per_class: usize) {
    let mut rng = ajuste::rng::Rng::new(7);
    for i in 0..per_class {
        for (class, name) in common::synthetic::CLASSES.iter().enumerate() {
            let dir = root.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            let image = common::synthetic::image(class, &mut rng);
            image.save(dir.join(format!("{i:02}.png"))).unwrap();
        }
        let dir = root.join("plain");
        std::fs::create_dir_all(&dir).unwrap();
        let grey = 60 + 20 * i as u8;
        let image = RgbImage::from_pixel(300, 260, Rgb([grey, grey, grey]));
        image.save(dir.join(format!("{i:02}.png"))).unwrap();
    }
}

fn read(path: &Path) -> Project {
    Project::from_bytes(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn projects_go_through_train_and_predict() {
    let root = std::env::temp_dir().join(format!("ajuste-project-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    write_folders(&data, 5);
    let first = root.join("first.ajuste");

    // A folder in, a project out: the images used, the settings, the report, the classifier.
    let (ok, stdout, stderr) = ajuste(&[
        "train",
        "--data",
        path(&data),
        "--shots",
        "4",
        "--epochs",
        "30",
        "--learning-rate",
        "0.01",
        "--no-augment",
        "--out",
        path(&first),
        "--json",
    ]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["train_images"], 12);
    let project = read(&first);
    let names: Vec<&str> = project.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["disc", "plain", "stripes"]);
    assert!(
        project
            .classes
            .iter()
            .all(|c| c.enabled && c.samples.len() == 4)
    );
    assert!(
        project.classes[1]
            .samples
            .iter()
            .all(|s| s.dimensions() == (295, 256))
    );
    assert_eq!(
        (project.settings.epochs, project.settings.augment),
        (30, false)
    );
    assert_eq!(project.settings.learning_rate, 0.01);
    let trained = project.report.as_ref().unwrap();
    assert_eq!(trained.classes, names);
    assert_eq!(trained.epochs_run, 30);
    let classifier = project.classifier.as_ref().unwrap();
    assert_eq!(classifier.manifest.classes, names);

    // The project predicts.
    let disc = data.join("disc").join("04.png");
    let (ok, stdout, stderr) = ajuste(&["predict", "--model", path(&first), path(&disc), "--json"]);
    assert!(ok, "{stderr}");
    let predictions: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(predictions[0]["label"], "disc", "{stdout}");

    // With "plain" disabled, training again uses the other two classes, the project's own
    // settings (no --epochs here), and keeps every class and image in the project it writes.
    let mut edited = project.clone();
    edited.classes[1].enabled = false;
    let second = root.join("second.ajuste");
    std::fs::write(&second, edited.to_bytes().unwrap()).unwrap();
    let (ok, stdout, stderr) = ajuste(&[
        "train",
        "--data",
        path(&second),
        "--shots",
        "3",
        "--out",
        path(&second),
        "--json",
    ]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["classes"], serde_json::json!(["disc", "stripes"]));
    assert_eq!(report["train_images"], 6);
    let retrained = read(&second);
    assert_eq!(retrained.classes, edited.classes);
    assert_eq!(retrained.settings, project.settings);
    assert_eq!(retrained.report.unwrap().epochs_run, 30);
    let classes = &retrained.classifier.as_ref().unwrap().manifest.classes;
    assert_eq!(classes, &["disc", "stripes"]);
    let (ok, stdout, stderr) = ajuste(&["predict", "--model", path(&second), path(&disc)]);
    assert!(ok && stdout.contains("disc"), "{stdout}{stderr}");

    // A project without a classifier cannot predict; a file that is no project cannot train.
    let untrained = root.join("untrained.ajuste");
    edited.classifier = None;
    edited.report = None;
    std::fs::write(&untrained, edited.to_bytes().unwrap()).unwrap();
    let (ok, _, stderr) = ajuste(&["predict", "--model", path(&untrained), path(&disc)]);
    assert!(!ok && stderr.contains("no trained classifier"), "{stderr}");
    let bogus = root.join("bogus.ajuste");
    std::fs::write(&bogus, "hello").unwrap();
    let (ok, _, stderr) = ajuste(&["train", "--data", path(&bogus)]);
    assert!(!ok && stderr.contains("not a zip archive"), "{stderr}");
    let (ok, _, stderr) = ajuste(&["train", "--data", path(&root.join("missing.ajuste"))]);
    assert!(!ok && stderr.contains("missing.ajuste"), "{stderr}");
    assert!(!root.join("second.ajuste.partial").exists());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_project_that_could_not_be_written_is_refused_before_training() {
    let root = std::env::temp_dir().join(format!("ajuste-project-refused-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let long = "x".repeat(61);
    for class in ["disc", long.as_str()] {
        std::fs::create_dir_all(root.join("data").join(class)).unwrap();
        let image = RgbImage::from_pixel(256, 256, Rgb([9, 9, 9]));
        image
            .save(root.join("data").join(class).join("0.png"))
            .unwrap();
    }
    let out = root.join("p.ajuste");
    let data = root.join("data");
    let (ok, _, stderr) = ajuste(&["train", "--data", path(&data), "--out", path(&out)]);
    assert!(!ok && stderr.contains("at most 60 characters"), "{stderr}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&root).unwrap();
}
