//! Deep fine-tuning within a memory budget: the engine says what the activations of a freeze
//! depth need for the images there are, keeps only what fits (fewer views, or none, running the
//! frozen part again at each step), says so in the report, and trains the same classifier.
//! The budgets here are tiny so that six images overflow them; the real one is 512 MB.

mod common;

use ajuste::protocol::{Command, Event, KeptViews, MemoryPlan, Notice, TrainingReport};
use common::engine::{Page, classes, settings};
use common::synthetic;

const DEPTH: usize = 3;
const VIEWS: usize = 5;

/// A page at d = `DEPTH` with augmentation, and six images of two classes.
fn page_with_images() -> Page {
    let mut page = Page::open(false);
    let prepare = Command::PrepareFeatures {
        freeze_depth: DEPTH,
        augment: true,
    };
    page.send(prepare, None);
    for sample in &synthetic::dataset(3, 31).samples {
        page.add_image(sample.label as u64 + 1, 100 + sample.id, &sample.image);
    }
    page
}

fn last_plan(page: &Page) -> MemoryPlan {
    page.events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Memory(plan) => Some(plan.clone()),
            _ => None,
        })
        .expect("the engine says what memory it plans")
}

fn train(page: &mut Page) -> TrainingReport {
    let mut training = settings(DEPTH, 2);
    training.augment = true;
    page.train(classes(&[(1, "disc"), (2, "stripes")]), training);
    match page.work_until(20_000, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    }) {
        Event::TrainingDone(report) => report,
        other => panic!("{other:?}"),
    }
}

#[test]
fn activations_that_do_not_fit_are_kept_in_part_or_recomputed_and_train_the_same() {
    let probe = synthetic::dataset(1, 77).samples[0].image.clone();

    // Everything fits in the default budget.
    let mut roomy = page_with_images();
    let plan = last_plan(&roomy);
    assert_eq!(
        (plan.freeze_depth, plan.images, plan.views),
        (DEPTH, 6, VIEWS)
    );
    assert_eq!(plan.kept, KeptViews::All);
    let per_view = plan.bytes_per_view;
    println!(
        "d = {DEPTH}: {per_view} bytes a view; 6 images × {VIEWS} views need {}",
        plan.needed_bytes()
    );
    roomy.settle();
    assert_eq!(roomy.features(), (6 * VIEWS, 6 * VIEWS));
    let report = train(&mut roomy);
    assert!(!report.notices.iter().any(|n| matches!(
        n,
        Notice::FewerViews { .. } | Notice::ActivationsRecomputed { .. }
    )));
    let cached_answer = roomy.predict(&probe);

    // Room for two views of each image: the rest is dropped, never computed, and said.
    let mut tight = page_with_images();
    tight.settle();
    tight.session.set_activation_budget(6 * 2 * per_view + 1);
    tight.collect();
    assert_eq!(last_plan(&tight).kept, KeptViews::First(2));
    assert!(last_plan(&tight).kept_bytes() <= 6 * 2 * per_view + 1);
    assert_eq!(
        tight.features(),
        (12, 12),
        "views beyond the second are forgotten"
    );
    let report = train(&mut tight);
    assert!(
        report.notices.contains(&Notice::FewerViews {
            kept: 2,
            wanted: VIEWS
        }),
        "{:?}",
        report.notices
    );

    // Not even one view of each: nothing is kept, every step runs the frozen part again,
    // and the classifier is the one the cache would have made.
    let mut none = page_with_images();
    none.session.set_activation_budget(per_view);
    none.collect();
    let plan = last_plan(&none);
    assert_eq!(plan.kept, KeptViews::Recomputed);
    assert_eq!(plan.kept_bytes(), 0);
    assert_eq!(none.features(), (0, 0), "nothing to compute ahead");
    let report = train(&mut none);
    assert!(
        report.notices.contains(&Notice::ActivationsRecomputed {
            needed_bytes: 6 * VIEWS as u64 * per_view,
            budget_bytes: per_view,
        }),
        "{:?}",
        report.notices
    );
    let (
        Event::Prediction {
            result: Ok(cached), ..
        },
        Event::Prediction {
            result: Ok(recomputed),
            ..
        },
    ) = (&cached_answer, &none.predict(&probe))
    else {
        panic!("predictions failed");
    };
    for (a, b) in cached.scores.iter().zip(&recomputed.scores) {
        assert_eq!(a.label, b.label);
        assert!(
            (a.probability - b.probability).abs() < 1e-4,
            "{a:?} vs {b:?}"
        );
    }
}
