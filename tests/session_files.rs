//! Saving and opening through the engine the page runs: a project file round trip (same
//! classes, images and predictions without retraining), the model download read by the CLI,
//! and bad files that change nothing.
//!
//! Bad files tried: bytes that are no zip, a truncated project, an empty file, a project
//! without a classifier given as a model, a model export without a classifier, a project opened
//! during training.

mod common;

use std::process::Command as Process;

use ajuste::protocol::{
    Command, EngineError, Event, FileKind, ImageEncoding, Invalid, ProjectClass,
};
use ajuste::storage::Project;
use common::engine::{Page, classes, png, settings};
use common::synthetic;
use image::RgbImage;

fn trained_page() -> Page {
    trained_page_at(0)
}

fn trained_page_at(freeze_depth: usize) -> Page {
    let mut page = Page::open(false);
    page.send(
        Command::PrepareFeatures {
            freeze_depth,
            augment: false,
        },
        None,
    );
    for sample in &synthetic::dataset(5, 21).samples {
        page.add_image(sample.label as u64 + 1, 100 + sample.id, &sample.image);
    }
    page.train(
        classes(&[(1, "disc"), (2, "stripes")]),
        settings(freeze_depth, 4),
    );
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    assert!(matches!(done, Event::TrainingDone(_)), "{done:?}");
    page
}

fn project_classes() -> Vec<ProjectClass> {
    vec![
        ProjectClass {
            id: 1,
            name: "disc".into(),
            enabled: true,
        },
        ProjectClass {
            id: 2,
            name: "stripes".into(),
            enabled: false,
        },
    ]
}

/// (label, probabilities by label) of a prediction.
fn answer(event: &Event) -> (String, Vec<(String, f32)>) {
    let Event::Prediction {
        result: Ok(prediction),
        ..
    } = event
    else {
        panic!("{event:?}")
    };
    let mut scores: Vec<(String, f32)> = prediction
        .scores
        .iter()
        .map(|s| (s.label.clone(), s.probability))
        .collect();
    let label = scores[0].0.clone();
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    (label, scores)
}

fn save(page: &mut Page, kind: FileKind, command: Command) -> Vec<u8> {
    let events = page.send(command, None);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::File { kind: k, .. } if *k == kind)),
        "{events:?}"
    );
    page.files.last().unwrap().clone()
}

#[test]
fn a_project_reopens_with_its_classes_images_and_classifier() {
    let mut page = trained_page();
    let probe = synthetic::dataset(1, 60).samples[1].image.clone();
    let before = answer(&page.predict(&probe));
    let save_project = Command::SaveProject {
        classes: project_classes(),
        settings: settings(0, 4),
    };
    let file = save(&mut page, FileKind::Project, save_project);

    let mut fresh = Page::open(false);
    let opened = fresh.send(Command::OpenProject { first_id: 1000 }, Some(file.clone()));
    let Event::ProjectOpened(project) = &opened[0] else {
        panic!("{opened:?}")
    };
    let names: Vec<(&str, bool, usize)> = project
        .classes
        .iter()
        .map(|c| (c.name.as_str(), c.enabled, c.samples.len()))
        .collect();
    assert_eq!(names, [("disc", true, 5), ("stripes", false, 5)]);
    assert_eq!(project.classes[0].id, 1000);
    assert_eq!(project.classes[0].samples[0], 1001);
    assert_eq!(project.settings, settings(0, 4));
    assert_eq!(
        project.classifier_classes.as_deref(),
        Some(&["disc".to_string(), "stripes".to_string()][..])
    );
    assert!(project.report.is_some());
    assert_eq!(fresh.thumbnails.len(), 10);
    let (sample, pixels) = &fresh.thumbnails[0];
    assert_eq!(*sample, 1001);
    assert_eq!(
        pixels.len(),
        128 * 128 * 4,
        "a 256×256 image → a 128×128 thumbnail"
    );

    // The same classifier, without training again.
    assert_eq!(answer(&fresh.predict(&probe)), before);
    // The features came with the file: nothing to compute before training.
    assert_eq!(fresh.features(), (10, 10));
    // And the images train again. (Not the same run as the first: the page numbered the
    // images class by class this time, so mini-batches are drawn in another order.)
    let reopened_classes = classes(&[(1000, "disc"), (1006, "stripes")]);
    fresh.train(reopened_classes, settings(0, 4));
    fresh.work_until(5_000, |e| matches!(e, Event::TrainingDone(_)));
    assert_eq!(answer(&fresh.predict(&probe)).0, before.0);
}

#[test]
fn stored_features_are_the_ones_computed_and_only_taken_from_the_same_network() {
    let mut page = trained_page();
    let save_project = Command::SaveProject {
        classes: project_classes(),
        settings: settings(0, 4),
    };
    let file = save(&mut page, FileKind::Project, save_project);
    let stored = Project::from_bytes(&file).unwrap();
    assert_eq!(stored.features.as_ref().unwrap().rows.len(), 10);
    // The same file, its features said to come from other weights.
    let mut other_network = stored.clone();
    other_network.features.as_mut().unwrap().weights = "00ff".into();
    let other_network = other_network.to_bytes().unwrap();

    let probe = synthetic::dataset(1, 62).samples[0].image.clone();
    let mut answers = Vec::new();
    for file in [file, other_network] {
        let mut fresh = Page::open(false);
        fresh.send(Command::OpenProject { first_id: 1000 }, Some(file));
        let ready_at_once = fresh.features().0;
        fresh.settle();
        assert_eq!(fresh.features(), (10, 10));
        fresh.train(
            classes(&[(1000, "disc"), (1006, "stripes")]),
            settings(0, 4),
        );
        fresh.work_until(5_000, |e| matches!(e, Event::TrainingDone(_)));
        answers.push((ready_at_once, answer(&fresh.predict(&probe))));
    }
    assert_eq!(answers[0].0, 10, "stored features are taken");
    assert_eq!(answers[1].0, 0, "another network's are not");
    // Training on the stored features is training on computed ones, to the bit.
    assert_eq!(answers[0].1, answers[1].1);
}

#[test]
fn the_model_download_answers_like_the_page_in_the_cli_and_in_another_page() {
    let mut page = trained_page();
    let probe = synthetic::dataset(1, 61).samples[0].image.clone();
    let (label, scores) = answer(&page.predict(&probe));
    let model = save(&mut page, FileKind::Model, Command::ExportModel);

    let dir = std::env::temp_dir().join(format!("ajuste-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (zip, image) = (dir.join("model.zip"), dir.join("probe.png"));
    std::fs::write(&zip, &model).unwrap();
    std::fs::write(&image, png(&probe)).unwrap();
    let output = Process::new(env!("CARGO_BIN_EXE_ajuste"))
        .args([
            "predict",
            "--model",
            zip.to_str().unwrap(),
            image.to_str().unwrap(),
        ])
        .args(["--json", "--backend", "cpu"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cli[0]["label"], label.as_str());
    for (name, probability) in &scores {
        let theirs = cli[0]["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|pair| pair[0] == name.as_str())
            .unwrap()[1]
            .as_f64()
            .unwrap();
        assert!(
            (theirs - f64::from(*probability)).abs() < 1e-4,
            "{name}: {theirs} vs {probability}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let mut other = Page::open(false);
    let events = other.send(Command::OpenModel, Some(model));
    assert_eq!(
        events,
        [Event::ModelOpened {
            classes: vec!["disc".into(), "stripes".into()]
        }]
    );
    assert_eq!(answer(&other.predict(&probe)), (label, scores));
}

#[test]
fn bad_files_are_refused_and_change_nothing() {
    let mut page = trained_page();
    let probe = synthetic::dataset(1, 62).samples[0].image.clone();
    let before = answer(&page.predict(&probe));
    let file = save(
        &mut page,
        FileKind::Project,
        Command::SaveProject {
            classes: project_classes(),
            settings: settings(0, 4),
        },
    );
    let refused = |events: Vec<Event>| match &events[..] {
        [Event::CommandRejected(error)] => error.clone(),
        other => panic!("{other:?}"),
    };
    let open = || Command::OpenProject { first_id: 5000 };
    for bad in [
        b"not a zip".to_vec(),
        file[..file.len() / 2].to_vec(),
        Vec::new(),
    ] {
        let error = refused(page.send(open(), Some(bad)));
        assert!(matches!(error, EngineError::ProjectFile(_)), "{error:?}");
    }
    assert_eq!(
        refused(page.send(open(), None)),
        Invalid::MissingFile.into()
    );
    let error = refused(page.send(Command::OpenModel, Some(b"PK\x03\x04".to_vec())));
    assert!(matches!(error, EngineError::ModelFile(_)), "{error:?}");
    // Nothing changed: the same ten images, the same classifier.
    page.settle();
    assert_eq!(page.features(), (10, 10));
    assert_eq!(answer(&page.predict(&probe)), before);

    // A project without a classifier is no model; a fresh engine has no model to export.
    let mut fresh = Page::open(false);
    let image = RgbImage::new(64, 64);
    let add = Command::AddSample {
        class: 1,
        sample: 1,
        encoding: ImageEncoding::File,
    };
    fresh.send(add, Some(png(&image)));
    assert_eq!(
        refused(fresh.send(Command::ExportModel, None)),
        EngineError::NoClassifier
    );
    let untrained = save(
        &mut fresh,
        FileKind::Project,
        Command::SaveProject {
            classes: project_classes(),
            settings: settings(0, 4),
        },
    );
    let error = refused(fresh.send(Command::OpenModel, Some(untrained)));
    assert!(matches!(error, EngineError::ModelFile(_)), "{error:?}");

    // A class renamed after training: the project is saved without the classifier.
    let renamed = vec![
        ProjectClass {
            id: 1,
            name: "round".into(),
            enabled: true,
        },
        ProjectClass {
            id: 2,
            name: "stripes".into(),
            enabled: true,
        },
    ];
    let file = save(
        &mut page,
        FileKind::Project,
        Command::SaveProject {
            classes: renamed,
            settings: settings(0, 4),
        },
    );
    let mut other = Page::open(false);
    let opened = other.send(Command::OpenProject { first_id: 1 }, Some(file));
    let Event::ProjectOpened(project) = &opened[0] else {
        panic!("{opened:?}")
    };
    assert_eq!(project.classifier_classes, None);
    assert_eq!(project.report, None);

    // Opening a project while training is refused.
    page.train(classes(&[(1, "disc"), (2, "stripes")]), settings(0, 50));
    page.work();
    assert_eq!(
        refused(page.send(Command::OpenProject { first_id: 9 }, Some(b"x".to_vec()))),
        EngineError::TrainingRunning
    );
}

#[test]
fn a_fine_tuned_model_is_copied_off_the_device_and_answers_the_same_elsewhere() {
    let mut page = trained_page_at(2);
    let probe = synthetic::dataset(1, 63).samples[0].image.clone();
    let before = answer(&page.predict(&probe));
    let model = save(&mut page, FileKind::Model, Command::ExportModel);
    let mut other = Page::open(false);
    other.send(Command::OpenModel, Some(model));
    assert_eq!(answer(&other.predict(&probe)), before);
    // The page's own classifier still answers after the copy.
    assert_eq!(answer(&page.predict(&probe)), before);
}
