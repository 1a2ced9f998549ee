//! The records the page keeps on the device: every image the engine accepts comes back as the
//! PNG it keeps (`StoredImage`), its features on request (`Depth0Features`), and a fresh
//! engine given both (`ImageEncoding::Stored`, `RestoreFeatures`) trains and predicts exactly
//! as the first one, without computing a single feature again.
//!
//! Bad input tried: stored bytes that are no PNG, a PNG not at the engine's size, feature
//! bytes of the wrong length, rows that are not numbers, features of another network.

mod common;

use ajuste::protocol::limits::FEATURE_LEN;
use ajuste::protocol::{Command, EngineError, Event, ImageEncoding, ImageProblem, Invalid};
use common::engine::{Page, classes, png, settings};
use common::synthetic;
use image::RgbImage;

const IMAGES: usize = 12;

/// A page that wants the features of transfer learning (plain views only), as at d = 0.
fn page_at_depth_0() -> Page {
    let mut page = Page::open(false);
    let prepare = Command::PrepareFeatures {
        freeze_depth: 0,
        augment: false,
    };
    page.send(prepare, None);
    page
}

/// A page with two classes of synthetic images, every feature computed.
fn page_with_images() -> Page {
    let mut page = page_at_depth_0();
    for sample in &synthetic::dataset(IMAGES / 2, 21).samples {
        page.add_image(sample.label as u64 + 1, 100 + sample.id, &sample.image);
    }
    page.settle();
    page
}

fn sample_ids(page: &Page) -> Vec<u64> {
    page.stored.iter().map(|(sample, _)| *sample).collect()
}

fn weights_of(events: &[Event]) -> String {
    events
        .iter()
        .find_map(|e| match e {
            Event::Depth0Features { weights, .. } => Some(weights.clone()),
            _ => None,
        })
        .expect("a Depth0Features answer")
}

fn add_stored(page: &mut Page, class: u64, sample: u64, png: Vec<u8>) -> Vec<Event> {
    let command = Command::AddSample {
        class,
        sample,
        encoding: ImageEncoding::Stored,
    };
    page.send(command, Some(png))
}

/// The page's records, given to a fresh engine: features first (as the page restores them),
/// then the images.
fn restored(from: &Page, weights: &str, rows: Vec<u8>) -> Page {
    let mut fresh = page_at_depth_0();
    let samples = sample_ids(from);
    let events = fresh.send(
        Command::RestoreFeatures {
            samples: samples.clone(),
            weights: weights.into(),
        },
        Some(rows),
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::CommandRejected(_))),
        "{events:?}"
    );
    for (sample, stored) in &from.stored {
        let events = add_stored(&mut fresh, class_of(*sample), *sample, stored.clone());
        assert!(
            matches!(events[0], Event::SampleAccepted { sample: s } if s == *sample),
            "{events:?}"
        );
    }
    assert!(fresh.stored.is_empty(), "stored images are not handed back");
    fresh
}

/// The class [`page_with_images`] added an image to.
fn class_of(sample: u64) -> u64 {
    let dataset = synthetic::dataset(IMAGES / 2, 21);
    let image = dataset.samples.iter().find(|s| 100 + s.id == sample);
    image.expect("an image of the page").label as u64 + 1
}

fn trained_answer(page: &mut Page) -> (ajuste::protocol::TrainingReport, Event) {
    page.train(classes(&[(1, "disc"), (2, "stripes")]), settings(0, 4));
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    let Event::TrainingDone(report) = done else {
        panic!("{done:?}")
    };
    let probe = synthetic::dataset(1, 60).samples[1].image.clone();
    (report, page.predict(&probe))
}

#[test]
fn records_bring_a_project_back_without_computing_features_again() {
    let mut page = page_with_images();
    assert_eq!(
        page.stored.len(),
        IMAGES,
        "one stored image per accepted image"
    );
    for (_, stored) in &page.stored {
        let image = image::load_from_memory(stored).unwrap();
        assert_eq!(
            image.width().min(image.height()),
            256,
            "kept at short side 256"
        );
    }
    let samples = sample_ids(&page);
    let events = page.send(
        Command::Depth0Features {
            samples: samples.clone(),
        },
        None,
    );
    let rows = page.feature_rows.last().unwrap().clone();
    assert_eq!(rows.len(), IMAGES * FEATURE_LEN * 4);
    let weights = weights_of(&events);
    assert_eq!(weights.len(), 64, "a SHA-256 in hex");

    let mut fresh = restored(&page, &weights, rows);
    assert_eq!(
        fresh.features(),
        (IMAGES, IMAGES),
        "nothing left to compute"
    );
    let (report, answer) = trained_answer(&mut fresh);
    let (report_before, answer_before) = trained_answer(&mut page);
    assert_eq!(report.confusion, report_before.confusion);
    let probabilities = |event: &Event| match event {
        Event::Prediction {
            result: Ok(prediction),
            ..
        } => prediction.scores.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(probabilities(&answer), probabilities(&answer_before));
}

#[test]
fn features_of_another_network_or_not_numbers_are_computed_again() {
    let mut page = page_with_images();
    let samples = sample_ids(&page);
    page.send(Command::Depth0Features { samples }, None);
    let mut rows = page.feature_rows.last().unwrap().clone();
    let other = restored(&page, &"0".repeat(64), rows.clone());
    assert_eq!(other.features(), (0, IMAGES));

    rows[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    let weights = weights_of(&page.events);
    let mut nan = restored(&page, &weights, rows);
    assert_eq!(nan.features(), (IMAGES - 1, IMAGES));
    nan.settle();
    assert_eq!(nan.features(), (IMAGES, IMAGES));
}

#[test]
fn bad_stored_images_and_feature_bytes_are_refused_and_change_nothing() {
    let mut page = page_at_depth_0();
    let refused = |events: &[Event]| match &events[0] {
        Event::SampleRejected {
            error: EngineError::Image(ImageProblem::Corrupt(_)),
            ..
        } => {}
        other => panic!("{other:?}"),
    };
    refused(&add_stored(&mut page, 1, 1, b"not a png".to_vec()));
    let jpeg_sized_wrong = png(&RgbImage::new(100, 100));
    refused(&add_stored(&mut page, 1, 2, jpeg_sized_wrong));
    let events = page.send(
        Command::RestoreFeatures {
            samples: vec![1, 2],
            weights: "x".into(),
        },
        Some(vec![0; FEATURE_LEN * 4]),
    );
    assert_eq!(
        events,
        [Event::CommandRejected(EngineError::Invalid(
            Invalid::FeatureBytes {
                expected: 2 * FEATURE_LEN * 4,
                got: FEATURE_LEN * 4
            }
        ))]
    );
    let good = png(&RgbImage::new(256, 300));
    let events = add_stored(&mut page, 1, 3, good);
    assert!(
        matches!(events[0], Event::SampleAccepted { sample: 3 }),
        "{events:?}"
    );
    assert_eq!(page.features(), (0, 1));
}

#[test]
fn an_opened_project_hands_over_every_image_to_store() {
    let mut page = page_with_images();
    let file = {
        page.send(
            Command::SaveProject {
                classes: vec![
                    ajuste::protocol::ProjectClass {
                        id: 1,
                        name: "disc".into(),
                        enabled: true,
                    },
                    ajuste::protocol::ProjectClass {
                        id: 2,
                        name: "stripes".into(),
                        enabled: true,
                    },
                ],
                settings: settings(0, 4),
            },
            None,
        );
        page.files.last().unwrap().clone()
    };
    let mut fresh = Page::open(false);
    fresh.send(Command::OpenProject { first_id: 500 }, Some(file));
    assert!(fresh.stored.is_empty(), "announced with background work");
    fresh.settle();
    let mut announced = sample_ids(&fresh);
    announced.sort_unstable();
    assert_eq!(
        announced,
        (501..501 + IMAGES as u64 + 1)
            .filter(|id| *id != 507)
            .collect::<Vec<_>>()
    );
    let originals: Vec<&Vec<u8>> = page.stored.iter().map(|(_, png)| png).collect();
    for (_, png) in &fresh.stored {
        assert!(originals.contains(&png), "the same PNG as kept before");
    }
}
