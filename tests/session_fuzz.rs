//! Random sequences of commands — valid and not, with background work between them — never
//! panic the engine, and every request gets exactly one answer.

mod common;

use ajuste::protocol::EngineError;
use ajuste::protocol::{Command, Event, ImageEncoding, TrainClass, TrainSettings};
use common::engine::Page;
use image::{Rgb, RgbImage};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    AddFile {
        class: u64,
        shade: u8,
    },
    AddGarbage {
        class: u64,
        bytes: Vec<u8>,
    },
    AddFrame {
        class: u64,
        width: u32,
        height: u32,
        length: usize,
    },
    RemoveSample(u64),
    RemoveClass(u64),
    Prepare {
        freeze_depth: usize,
        augment: bool,
    },
    Train {
        classes: Vec<u64>,
        freeze_depth: usize,
        epochs: usize,
        batch_size: usize,
        learning_rate: f64,
    },
    Cancel,
    Predict {
        shade: u8,
    },
    Work(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1..4u64, any::<u8>()).prop_map(|(class, shade)| Step::AddFile { class, shade }),
        1 => (1..4u64, proptest::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(class, bytes)| Step::AddGarbage { class, bytes }),
        1 => (1..4u64, 0..40u32, 0..40u32, 0..4000usize).prop_map(|(class, width, height, length)| {
            Step::AddFrame { class, width, height, length }
        }),
        1 => (0..12u64).prop_map(Step::RemoveSample),
        1 => (1..4u64).prop_map(Step::RemoveClass),
        1 => (0..20usize, any::<bool>())
            .prop_map(|(freeze_depth, augment)| Step::Prepare { freeze_depth, augment }),
        2 => (
            proptest::collection::vec(1..5u64, 0..4),
            prop_oneof![0..3usize, Just(17)],
            prop_oneof![1..3usize, Just(0)],
            prop_oneof![1..9usize, Just(0)],
            prop_oneof![Just(1e-3), Just(f64::NAN), Just(-1.0)],
        )
            .prop_map(|(classes, freeze_depth, epochs, batch_size, learning_rate)| Step::Train {
                classes,
                freeze_depth,
                epochs,
                batch_size,
                learning_rate,
            }),
        1 => Just(Step::Cancel),
        1 => any::<u8>().prop_map(|shade| Step::Predict { shade }),
        2 => (1..6usize).prop_map(Step::Work),
    ]
}

fn answers(page: &Page, matches: impl Fn(&Event) -> bool) -> usize {
    page.events.iter().filter(|e| matches(e)).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_commands_is_answered_and_never_panics(
        steps in proptest::collection::vec(step(), 1..14)
    ) {
        let mut page = Page::open(false);
        let mut next = 0u64;
        for step in steps {
            next += 1;
            match step {
                Step::AddFile { class, shade } => {
                    let image = RgbImage::from_pixel(48, 40, Rgb([shade, 255 - shade, shade / 2]));
                    page.add_image(class, next, &image);
                }
                Step::AddGarbage { class, bytes } => {
                    let add = Command::AddSample { class, sample: next, encoding: ImageEncoding::File };
                    page.send(add, Some(bytes));
                }
                Step::AddFrame { class, width, height, length } => {
                    let encoding = ImageEncoding::Rgba { width, height };
                    let add = Command::AddSample { class, sample: next, encoding };
                    page.send(add, Some(vec![128; length]));
                }
                Step::RemoveSample(sample) => {
                    page.send(Command::RemoveSample { sample }, None);
                }
                Step::RemoveClass(class) => {
                    page.send(Command::RemoveClass { class }, None);
                }
                Step::Prepare { freeze_depth, augment } => {
                    page.send(Command::PrepareFeatures { freeze_depth, augment }, None);
                }
                Step::Train { classes, freeze_depth, epochs, batch_size, learning_rate } => {
                    let classes = classes
                        .into_iter()
                        .map(|id| TrainClass { id, name: format!("class {id}") })
                        .collect();
                    let settings = TrainSettings {
                        freeze_depth,
                        epochs,
                        batch_size,
                        learning_rate,
                        augment: false,
                        validation_share: 0.15,
                        seed: 42,
                    };
                    page.send(Command::Train { classes, settings }, None);
                }
                Step::Cancel => {
                    page.send(Command::CancelTraining, None);
                }
                Step::Predict { shade } => {
                    let image = RgbImage::from_pixel(30, 30, Rgb([shade, shade, shade]));
                    page.predict(&image);
                }
                Step::Work(pieces) => {
                    for _ in 0..pieces {
                        page.work();
                    }
                }
            }
        }
        // Every image got one verdict.
        let verdicts = |sample: u64| {
            answers(&page, |e| {
                matches!(e, Event::SampleAccepted { sample: s } if *s == sample)
                    || matches!(e, Event::SampleRejected { sample: s, .. } if *s == sample)
            })
        };
        for event in page.events.clone() {
            if let Event::SampleAccepted { sample } = event {
                prop_assert_eq!(verdicts(sample), 1);
            }
        }
        // Every run that started ends exactly once (done, cancelled or failed); a refused
        // Train starts nothing.
        page.settle();
        let mut running = false;
        for event in &page.events {
            match event {
                Event::TrainingStarted { .. } => {
                    prop_assert!(!running, "a run started during another");
                    running = true;
                }
                Event::TrainingDone(_) | Event::TrainingCancelled => {
                    prop_assert!(running, "{:?} without a run", event);
                    running = false;
                }
                Event::TrainingFailed(
                    EngineError::Invalid(_) | EngineError::TrainingRunning | EngineError::EmptyClass(_),
                ) => {}
                Event::TrainingFailed(error) => {
                    prop_assert!(running, "{:?} without a run", error);
                    running = false;
                }
                _ => {}
            }
        }
        prop_assert!(!running, "a run never ended");
        prop_assert!(!page.session.is_training());
    }
}
