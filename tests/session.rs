//! The engine the page's worker runs, driven natively through its commands (CPU backend,
//! shipped f16 weights): what happens when the user cancels, deletes or adds images during a
//! run, changes the freeze depth, loses the GPU, or sends commands out of range.
//!
//! Bad commands tried here: a freeze depth of 17 and 40, 0 and 1001 epochs, batch sizes 0
//! and 5000, NaN / infinite / zero / negative / 2.0 learning rates, validation shares of
//! -0.1, 0.9 and NaN, an empty and a 61-character class name, two classes with one name, one
//! class, 101 classes, a class with no images, an image without bytes, a 0×480 frame, a
//! frame whose bytes don't match its size, bytes that are no image, an empty file, a
//! duplicate image number, Train while training, a garbled prediction request.

mod common;

use ajuste::protocol::{
    Backend, Command, EngineError, Event, ImageEncoding, ImageProblem, Invalid, Notice,
    PredictionSource, TrainSettings,
};
use common::engine::{Page, classes, png, settings};
use common::synthetic;
use image::RgbImage;

/// Classes 1 ("disc") and 2 ("stripes") with `per_class` images each (ids from 100), and
/// background features without augmented views.
fn page_with_images(per_class: usize, seed: u64, on_gpu: bool) -> Page {
    let mut page = Page::open(on_gpu);
    let plain_only = Command::PrepareFeatures {
        freeze_depth: 0,
        augment: false,
    };
    page.send(plain_only, None);
    let dataset = synthetic::dataset(per_class, seed);
    for sample in &dataset.samples {
        let events = page.add_image(sample.label as u64 + 1, 100 + sample.id, &sample.image);
        assert!(
            matches!(events[0], Event::SampleAccepted { .. }),
            "{events:?}"
        );
    }
    page
}

fn two_classes() -> Vec<ajuste::protocol::TrainClass> {
    classes(&[(1, "disc"), (2, "stripes")])
}

fn train_to_done(page: &mut Page, classes: Vec<ajuste::protocol::TrainClass>, s: TrainSettings) {
    let started = page.train(classes, s);
    assert!(
        matches!(started[..], [Event::TrainingStarted { .. }]),
        "{started:?}"
    );
    match page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    }) {
        Event::TrainingDone(report) => assert!(!report.cancelled),
        other => panic!("{other:?}"),
    }
}

fn trained_labels(event: &Event) -> Vec<String> {
    match event {
        Event::Prediction {
            result: Ok(prediction),
            ..
        } => {
            assert_eq!(
                prediction.source,
                PredictionSource::Trained,
                "{prediction:?}"
            );
            let mut labels: Vec<String> =
                prediction.scores.iter().map(|s| s.label.clone()).collect();
            labels.sort();
            labels
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancel_before_the_first_epoch_ends_keeps_the_previous_classifier() {
    let mut page = page_with_images(6, 1, false);
    train_to_done(&mut page, two_classes(), settings(0, 3));
    let probe = synthetic::dataset(1, 50).samples[0].image.clone();
    let before = page.predict(&probe);
    assert_eq!(trained_labels(&before), ["disc", "stripes"]);

    // A second run with a third class, cancelled after its first step.
    let extra = synthetic::dataset(3, 2);
    for (i, sample) in extra.samples.iter().enumerate() {
        page.add_image(3, 500 + i as u64, &sample.image);
    }
    page.settle();
    let three = classes(&[(1, "disc"), (2, "stripes"), (3, "more")]);
    page.train(three, settings(0, 5));
    let (_, events) = page.work(); // the run starts (features are ready)
    assert!(
        events.iter().all(|e| !matches!(e, Event::Epoch(_))),
        "{events:?}"
    );
    page.work(); // one step of several in the epoch
    let cancelled = page.send(Command::CancelTraining, None);
    assert!(
        cancelled
            .iter()
            .any(|e| matches!(e, Event::TrainingCancelled)),
        "{cancelled:?}"
    );
    assert!(!page.session.is_training());
    let after = page.predict(&probe);
    assert_eq!(trained_labels(&after), ["disc", "stripes"]);
    let probabilities = |e: &Event| match e {
        Event::Prediction { result: Ok(p), .. } => {
            p.scores.iter().map(|s| s.probability).collect::<Vec<_>>()
        }
        _ => unreachable!(),
    };
    assert_eq!(probabilities(&before), probabilities(&after));
}

#[test]
fn cancel_after_an_epoch_keeps_the_best_epoch_so_far() {
    let mut page = page_with_images(6, 3, false);
    page.train(two_classes(), settings(0, 30));
    page.work_until(1_000, |e| matches!(e, Event::Epoch(_)));
    let events = page.send(Command::CancelTraining, None);
    let report = events
        .iter()
        .find_map(|e| match e {
            Event::TrainingDone(report) => Some(report.clone()),
            _ => None,
        })
        .expect("a report");
    assert!(report.cancelled);
    assert!(
        report.epochs_run >= 1 && report.epochs_run < 30,
        "{report:?}"
    );
    assert_eq!(
        report.best_epoch.map(|b| b <= report.epochs_run),
        Some(true)
    );
    assert!(page.session.has_classifier());
}

#[test]
fn images_added_while_a_run_waits_for_features_wait_for_the_next_run() {
    let mut page = page_with_images(5, 4, false);
    // Train before any feature is computed: the run waits for them.
    let started = page.train(two_classes(), settings(0, 2));
    assert_eq!(started, [Event::TrainingStarted { preparing: 10 }]);
    page.work();
    let late = synthetic::dataset(2, 5);
    for (i, sample) in late.samples.iter().enumerate() {
        let class = sample.label as u64 + 1;
        let events = page.add_image(class, 900 + i as u64, &sample.image);
        assert!(matches!(events[0], Event::SampleAccepted { .. }));
    }
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    let Event::TrainingDone(report) = done else {
        panic!("{done:?}")
    };
    // 5 per class, 15% held out → 1 per class for validation: the late images are not in.
    assert_eq!(report.confusion.total(), 2, "{report:?}");
    // Just before the report: which images each cell of its confusion matrix holds.
    let position = (page.events.iter())
        .rposition(|e| matches!(e, Event::TrainingDone(_)))
        .unwrap();
    let Event::Evaluated(evaluated) = &page.events[position - 1] else {
        panic!("{:?}", page.events[position - 1])
    };
    assert_eq!(evaluated.len(), 2);
    for &(sample, actual, predicted) in evaluated {
        assert!(
            (100..900).contains(&sample),
            "an image of the run: {sample}"
        );
        let in_cell = (evaluated.iter())
            .filter(|&&(_, a, p)| (a, p) == (actual, predicted))
            .count();
        assert_eq!(report.confusion.matrix[actual][predicted], in_cell);
    }
    page.settle();
    assert_eq!(page.features(), (14, 14));
}

#[test]
fn images_deleted_during_a_run_are_forgotten_when_it_ends() {
    let mut page = page_with_images(5, 6, false);
    page.settle();
    assert_eq!(page.features(), (10, 10));
    page.train(two_classes(), settings(0, 3));
    page.work();
    page.send(Command::RemoveSample { sample: 100 }, None);
    page.send(Command::RemoveClass { class: 2 }, None);
    assert!(page.session.is_training());
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    assert!(matches!(done, Event::TrainingDone(_)), "{done:?}");
    // Class 2's five images and sample 100 are gone now.
    assert_eq!(page.features(), (4, 4));
    let events = page.train(two_classes(), settings(0, 1));
    assert_eq!(
        events,
        [Event::TrainingFailed(EngineError::EmptyClass(
            "stripes".into()
        ))]
    );
}

#[test]
fn the_freeze_depth_changes_between_runs_and_waits_during_one() {
    let mut page = page_with_images(4, 7, false);
    page.send(
        Command::PrepareFeatures {
            freeze_depth: 2,
            augment: false,
        },
        None,
    );
    page.settle();
    assert_eq!(page.features(), (8, 8));
    train_to_done(&mut page, two_classes(), settings(2, 2));

    page.train(two_classes(), settings(1, 2));
    page.send(
        Command::PrepareFeatures {
            freeze_depth: 3,
            augment: true,
        },
        None,
    );
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    assert!(matches!(done, Event::TrainingDone(_)), "{done:?}");
    // Now the deferred request holds: depth 3, plain + 4 augmented views per image.
    assert_eq!(page.features(), (0, 40));
    let probe = synthetic::dataset(1, 51).samples[1].image.clone();
    assert_eq!(trained_labels(&page.predict(&probe)), ["disc", "stripes"]);
}

#[test]
fn a_lost_gpu_moves_the_engine_to_the_cpu() {
    let mut page = page_with_images(4, 8, true);
    assert_eq!(page.session.backend(), Backend::WebGpu);
    train_to_done(&mut page, two_classes(), settings(0, 2));
    page.session.device_lost("simulated".into());
    let events = page.collect();
    let lost: Vec<&Event> = page
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::DeviceLost { .. } | Event::Backend(_) | Event::HeadDevice(_)
            )
        })
        .collect();
    assert_eq!(
        lost,
        [
            &Event::DeviceLost {
                error: EngineError::DeviceLost("simulated".into()),
                kept_classifier: true,
            },
            &Event::Backend(Backend::Cpu),
            &Event::HeadDevice(Backend::Cpu),
        ],
        "{events:?}"
    );
    assert_eq!(page.session.backend(), Backend::Cpu);
    assert_eq!(page.session.head_backend(), Backend::Cpu);
    // The transfer-learning classifier lived on the CPU: it still answers.
    let probe = synthetic::dataset(1, 52).samples[0].image.clone();
    assert_eq!(trained_labels(&page.predict(&probe)), ["disc", "stripes"]);

    // A fine-tuning run on the lost GPU fails, its classifier is dropped, and the engine
    // trains again on the CPU.
    let mut page = page_with_images(4, 9, true);
    train_to_done(&mut page, two_classes(), settings(1, 1));
    page.train(two_classes(), settings(1, 3));
    page.work();
    page.session.device_lost("simulated".into());
    page.collect();
    let failed = page.events.iter().any(|e| {
        matches!(e, Event::TrainingFailed(EngineError::DeviceLost(reason)) if reason == "simulated")
    });
    assert!(failed, "{:?}", page.events);
    assert!(page.events.contains(&Event::DeviceLost {
        error: EngineError::DeviceLost("simulated".into()),
        kept_classifier: false,
    }));
    match page.predict(&probe) {
        Event::Prediction { result: Ok(p), .. } => assert_eq!(p.source, PredictionSource::ImageNet),
        other => panic!("{other:?}"),
    }
    train_to_done(&mut page, two_classes(), settings(1, 1));
    assert_eq!(trained_labels(&page.predict(&probe)), ["disc", "stripes"]);
}

#[test]
fn every_bad_command_gets_a_typed_answer_and_loses_nothing() {
    let mut page = page_with_images(2, 10, false);
    let ok = settings(0, 2);
    let bad_settings = [
        (
            TrainSettings {
                freeze_depth: 17,
                ..ok.clone()
            },
            Invalid::FreezeDepth(17),
        ),
        (
            TrainSettings {
                epochs: 0,
                ..ok.clone()
            },
            Invalid::Epochs(0),
        ),
        (
            TrainSettings {
                epochs: 1001,
                ..ok.clone()
            },
            Invalid::Epochs(1001),
        ),
        (
            TrainSettings {
                batch_size: 0,
                ..ok.clone()
            },
            Invalid::BatchSize(0),
        ),
        (
            TrainSettings {
                batch_size: 5000,
                ..ok.clone()
            },
            Invalid::BatchSize(5000),
        ),
        (
            TrainSettings {
                validation_share: -0.1,
                ..ok.clone()
            },
            Invalid::ValidationShare,
        ),
        (
            TrainSettings {
                validation_share: 0.9,
                ..ok.clone()
            },
            Invalid::ValidationShare,
        ),
        (
            TrainSettings {
                validation_share: f64::NAN,
                ..ok.clone()
            },
            Invalid::ValidationShare,
        ),
    ];
    let mut cases: Vec<(TrainSettings, Invalid)> = bad_settings.to_vec();
    for rate in [f64::NAN, f64::INFINITY, 0.0, -1e-3, 2.0] {
        cases.push((
            TrainSettings {
                learning_rate: rate,
                ..ok.clone()
            },
            Invalid::LearningRate,
        ));
    }
    for (settings, invalid) in cases {
        let events = page.train(two_classes(), settings);
        assert_eq!(events, [Event::TrainingFailed(invalid.into())]);
    }
    let long = "x".repeat(61);
    let many: Vec<(u64, String)> = (0..101).map(|i| (i, format!("c{i}"))).collect();
    let many: Vec<(u64, &str)> = many.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let bad_classes = [
        (classes(&[(1, "disc")]), Invalid::TooFewClasses),
        (classes(&[(1, "disc"), (2, " ")]), Invalid::EmptyClassName),
        (
            classes(&[(1, "disc"), (2, &long)]),
            Invalid::LongClassName(long.clone()),
        ),
        (
            classes(&[(1, "disc"), (2, "disc")]),
            Invalid::DuplicateClassName("disc".into()),
        ),
        (classes(&many), Invalid::TooManyClasses(101)),
    ];
    for (classes, invalid) in bad_classes {
        let events = page.train(classes, ok.clone());
        assert_eq!(events, [Event::TrainingFailed(invalid.into())]);
    }
    let events = page.train(classes(&[(1, "disc"), (7, "nothing yet")]), ok.clone());
    assert_eq!(
        events,
        [Event::TrainingFailed(EngineError::EmptyClass(
            "nothing yet".into()
        ))]
    );

    let add = |encoding| Command::AddSample {
        class: 1,
        sample: 77,
        encoding,
    };
    let rejected = |events: Vec<Event>| match &events[..] {
        [
            Event::SampleRejected {
                sample: 77, error, ..
            },
        ] => error.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        rejected(page.send(add(ImageEncoding::File), None)),
        Invalid::MissingImage.into()
    );
    assert_eq!(
        rejected(page.send(add(ImageEncoding::File), Some(b"not an image".to_vec()))),
        ImageProblem::UnknownFormat.into()
    );
    assert_eq!(
        rejected(page.send(add(ImageEncoding::File), Some(Vec::new()))),
        ImageProblem::Empty.into()
    );
    let frame = |width, height| ImageEncoding::Rgba { width, height };
    assert_eq!(
        rejected(page.send(add(frame(0, 480)), Some(Vec::new()))),
        Invalid::FrameSize {
            width: 0,
            height: 480
        }
        .into()
    );
    assert!(matches!(
        rejected(page.send(add(frame(4, 4)), Some(vec![0; 10]))),
        EngineError::Image(ImageProblem::BadBuffer {
            expected: 64,
            actual: 10,
            ..
        })
    ));
    let image = RgbImage::new(32, 32);
    let accepted = page.send(add(ImageEncoding::File), Some(png(&image)));
    assert!(matches!(accepted[0], Event::SampleAccepted { sample: 77 }));
    assert_eq!(
        rejected(page.send(add(ImageEncoding::File), Some(png(&image)))),
        Invalid::DuplicateSample(77).into()
    );

    let prepare = Command::PrepareFeatures {
        freeze_depth: 40,
        augment: false,
    };
    assert_eq!(
        page.send(prepare, None),
        [Event::CommandRejected(Invalid::FreezeDepth(40).into())]
    );
    let predict = Command::Predict {
        request: 5,
        encoding: ImageEncoding::File,
    };
    assert_eq!(
        page.send(predict, None),
        [Event::Prediction {
            request: 5,
            result: Err(Invalid::MissingImage.into())
        }]
    );
    page.session.unreadable(
        "unknown variant".into(),
        Some(r#"{"Predict":{"request":6,"encoding":7}}"#),
    );
    page.session.unreadable("not JSON".into(), Some("{"));
    assert_eq!(
        page.collect(),
        [
            Event::Prediction {
                request: 6,
                result: Err(EngineError::Unreadable("unknown variant".into()))
            },
            Event::CommandRejected(EngineError::Unreadable("not JSON".into())),
        ]
    );

    // Nothing was lost: the four images and the new one train.
    page.settle();
    assert_eq!(page.features(), (5, 5));
    page.train(two_classes(), ok.clone());
    assert_eq!(
        page.train(two_classes(), ok.clone()),
        [Event::TrainingFailed(EngineError::TrainingRunning)]
    );
    let done = page.work_until(5_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    });
    let Event::TrainingDone(report) = done else {
        panic!("{done:?}")
    };
    // Two images per class are too few to hold one out.
    assert!(
        report
            .notices
            .contains(&Notice::NoValidationImages("disc".into()))
    );
}
