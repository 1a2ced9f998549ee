//! Project files from someone who means harm, or from a damaged disk: thousands of mutated
//! files never make reading panic, and zip bombs are refused without the memory they ask for.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::LazyLock;

use ajuste::protocol::{ConfusionMatrix, EvaluatedOn, TrainSettings, TrainingReport};
use ajuste::storage::limits::{
    MAX_CLASSIFIER_BYTES, MAX_ENTRIES, MAX_IMAGE_LONG_SIDE, MAX_MANIFEST_BYTES, MAX_PIXEL_BYTES,
};
use ajuste::storage::{
    FEATURE_LEN, Project, ProjectClass, ProjectError, SavedClassifier, StoredFeatures, StoredImage,
};
use ajuste::train::config::TrainingConfig;
use ajuste::train::export;
use common::zips::{self, Entry};
use image::RgbImage;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Notes the largest single allocation and the bytes allocated, per thread, so that a test
/// sees what its own reading cost while other tests run beside it.
struct Measured;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
    let _ = TOTAL.try_with(|total| total.set(total.get() + size));
}

unsafe impl GlobalAlloc for Measured {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Measured = Measured;

/// What reading `bytes` returned, with the largest allocation and the bytes allocated.
fn read_measured(bytes: &[u8]) -> (Result<Project, ProjectError>, usize, usize) {
    LARGEST.set(0);
    TOTAL.set(0);
    let result = Project::from_bytes(bytes);
    (result, LARGEST.get(), TOTAL.get())
}

const MIB: usize = 1 << 20;

/// 2 classes × 2 small images (smooth, so that thousands of reads stay fast), with a report
/// and a classifier: every part of the format is there to be damaged.
static GOOD: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let image = |seed: u32| {
        StoredImage::encode(&RgbImage::from_fn(256, 256 + seed, |x, y| {
            image::Rgb([x as u8, y as u8, (x + y + seed) as u8])
        }))
        .unwrap()
    };
    let class = |name: &str, seed| ProjectClass {
        name: name.into(),
        enabled: seed != 2,
        samples: vec![image(seed), image(seed + 1)],
    };
    let classes = vec!["cat".to_string(), "dog".to_string()];
    let project = Project {
        classes: vec![class("cat", 0), class("dog", 2)],
        settings: TrainSettings::default(),
        report: Some(TrainingReport {
            classes: classes.clone(),
            confusion: ConfusionMatrix {
                matrix: vec![vec![1, 0], vec![0, 1]],
            },
            per_class_accuracy: vec![Some(1.0), None],
            evaluated_on: EvaluatedOn::Training,
            best_epoch: None,
            epochs_run: 2,
            cancelled: true,
            seconds: 0.5,
            notices: Vec::new(),
        }),
        classifier: Some(SavedClassifier {
            manifest: export::Manifest::new(
                classes,
                &TrainingConfig::default()
                    .with_freeze_depth(2)
                    .with_hidden_units(Some(8)),
            ),
            weights: (0..=255).collect(),
        }),
        features: Some(StoredFeatures {
            weights: "5eed".into(),
            rows: [((1, 0), vec![0.25; FEATURE_LEN])].into(),
        }),
    };
    project.to_bytes().unwrap()
});

static GOOD_ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(|| zips::entries(&GOOD));

/// Reading never panics; what opens saves, and opens again the same.
fn never_panics(bytes: &[u8]) {
    let read = Project::from_bytes(bytes);
    let classifier = Project::classifier_from_bytes(bytes);
    if let Ok(project) = read {
        assert_eq!(classifier.unwrap(), project.classifier);
        let again = project.to_bytes().expect("what opens can be saved");
        assert_eq!(Project::from_bytes(&again).unwrap(), project);
    }
}

fn name() -> impl Strategy<Value = String> {
    let tricky = [
        "",
        "/",
        "../x",
        "/abs.png",
        "a\\b",
        "C:/x",
        "./a",
        "a//b",
        "manifest.json",
        "images/0/0.png",
        "images/1/1.png",
        "classifier/classifier.json",
        "__MACOSX/._x",
        "images/",
        "é.png",
    ];
    let pieces = ['a', '/', '.', '\\', ':', '0', 'p', 'n', 'g', '\u{1}'];
    prop_oneof![
        prop::sample::select(tricky.to_vec()).prop_map(String::from),
        prop::collection::vec(prop::sample::select(pieces.to_vec()), 0..12)
            .prop_map(String::from_iter),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let words = [
        "",
        " ",
        "cat",
        "dog",
        "images/0/0.png",
        "../x",
        "ajuste-project",
        "ajuste-classifier",
        "Validation",
        "Training",
        "NaN",
        "manifest.json",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..20).prop_map(Value::from),
        (-2.0f64..2.0).prop_map(Value::from),
        prop::sample::select(words.to_vec()).prop_map(Value::from),
    ];
    let keys = [
        "format",
        "schema_version",
        "classes",
        "name",
        "enabled",
        "images",
        "settings",
        "report",
        "includes_classifier",
        "depth0_features",
        "weights",
        "matrix",
        "confusion",
        "hidden_units",
        "feature_length",
        "x",
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys.to_vec()), inner), 0..4).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
            ),
        ]
    })
}

/// Every node of `value`, as JSON pointers.
fn pointers(value: &Value, at: String, into: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), into);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                pointers(field, format!("{at}/{key}"), into);
            }
        }
        _ => {}
    }
    into.push(at);
}

/// The good file with node `node` of the JSON entry `entry` replaced by `value`, or removed.
fn edit_json(entry: &str, node: Index, value: Option<Value>) -> Vec<u8> {
    let mut entries = GOOD_ENTRIES.clone();
    let target = entries.iter_mut().find(|e| e.name == entry).unwrap();
    let mut json: Value = serde_json::from_slice(&target.data).unwrap();
    let mut all = Vec::new();
    pointers(&json, String::new(), &mut all);
    let pointer = node.get(&all).clone();
    match (value, pointer.rsplit_once('/')) {
        (Some(value), _) => *json.pointer_mut(&pointer).unwrap() = value,
        (None, Some((parent, key))) => match json.pointer_mut(parent).unwrap() {
            Value::Object(fields) => {
                fields.remove(key);
            }
            Value::Array(items) => {
                items.remove(key.parse::<usize>().unwrap());
            }
            _ => unreachable!("a parent holds its children"),
        },
        (None, None) => json = Value::Null,
    }
    *target = Entry::stored(entry, serde_json::to_vec(&json).unwrap());
    zips::zip(&entries)
}

proptest! {
    // A failure prints its shrunk input, which then becomes a test of its own: a test binary
    // has no source root for proptest to keep regression files beside.
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn flipped_bytes(flips in prop::collection::vec((any::<Index>(), 1..=255u8), 1..8)) {
        let mut bytes = GOOD.clone();
        for (at, mask) in flips {
            bytes[at.index(GOOD.len())] ^= mask;
        }
        never_panics(&bytes);
    }

    /// Inside one entry, with its checksum made right again: reaches the PNG decoder and the
    /// JSON parser, which the checksum shields from plain flips.
    #[test]
    fn entry_contents_flipped(entry in any::<Index>(),
                              flips in prop::collection::vec((any::<Index>(), 1..=255u8), 1..8)) {
        let mut entries = GOOD_ENTRIES.clone();
        let entry = entry.get_mut(&mut entries);
        let mut data = entry.data.clone();
        for (at, mask) in flips {
            let at = at.index(data.len());
            data[at] ^= mask;
        }
        *entry = Entry::stored(&entry.name, data);
        never_panics(&zips::zip(&entries));
    }

    #[test]
    fn cut_and_spliced(at in any::<Index>(), remove in 0..64usize,
                       insert in prop::collection::vec(any::<u8>(), 0..64)) {
        let at = at.index(GOOD.len());
        never_panics(&GOOD[..at]);
        let mut bytes = GOOD[..at].to_vec();
        bytes.extend_from_slice(&insert);
        bytes.extend_from_slice(&GOOD[(at + remove).min(GOOD.len())..]);
        never_panics(&bytes);
    }

    #[test]
    fn entries_renamed_dropped_or_doubled(entry in any::<Index>(), name in name(), how in 0..3u8) {
        let mut entries = GOOD_ENTRIES.clone();
        let at = entry.index(entries.len());
        match how {
            0 => entries[at].name = name,
            1 => {
                entries.remove(at);
            }
            _ => entries.insert(at, Entry::stored(&name, entries[at].data.clone())),
        }
        never_panics(&zips::zip(&entries));
    }

    #[test]
    fn manifests_edited(classifier in any::<bool>(), node in any::<Index>(),
                        value in prop::option::weighted(0.85, json_value())) {
        let entry = if classifier { "classifier/classifier.json" } else { "manifest.json" };
        never_panics(&edit_json(entry, node, value));
    }
}

/// Whether an entry declares a small size (the zip reader catches the lie) or owns up to
/// its gigabyte (the entry's limit stops it), reading stops near the limit.
#[test]
fn an_entry_that_inflates_past_its_limit_is_cut_off_there() {
    let inflated = 1u32 << 30;
    let bomb = zips::deflated_zeros(inflated as usize);
    for (name, limit) in [
        ("manifest.json", MAX_MANIFEST_BYTES),
        ("classifier/classifier.safetensors", MAX_CLASSIFIER_BYTES),
    ] {
        for declared_size in [200, inflated] {
            let mut entries = GOOD_ENTRIES.clone();
            let entry = entries.iter_mut().find(|e| e.name == name).unwrap();
            *entry = Entry {
                method: 8,
                declared_size,
                data: bomb.clone(),
                ..Entry::stored(name, Vec::new())
            };
            let (result, largest, _) = read_measured(&zips::zip(&entries));
            let error = result.unwrap_err();
            if declared_size == inflated {
                let name = name.into();
                assert_eq!(error, ProjectError::EntryTooLarge { name, limit });
            } else {
                assert!(matches!(error, ProjectError::Corrupt(_)), "{error:?}");
            }
            assert!(
                largest <= 2 * limit as usize + MIB,
                "{name}: {largest} bytes"
            );
        }
    }
}

#[test]
fn too_many_entries_are_refused_before_the_directory_is_read() {
    let count = MAX_ENTRIES as usize + 1;
    let entries: Vec<Entry> = (0..count)
        .map(|i| Entry::stored(&format!("x/{i}"), Vec::new()))
        .collect();
    let bytes = zips::zip(&entries);
    let (result, largest, total) = read_measured(&bytes);
    assert_eq!(
        result.unwrap_err(),
        ProjectError::TooManyEntries(count as u64)
    );
    assert!(largest < MIB && total < MIB, "{largest} {total}");
}

#[test]
fn images_that_would_decode_too_large_together_are_refused_before_decoding() {
    // Each a few kilobytes as a black PNG; 256 × 1024 × 3 bytes decoded: one more than the
    // budget allows.
    let black = RgbImage::new(MAX_IMAGE_LONG_SIDE, 256);
    let png = common::engine::png(&black);
    let decoded = u64::from(MAX_IMAGE_LONG_SIDE) * 256 * 3;
    let count = (MAX_PIXEL_BYTES / decoded + 1) as usize;
    assert!(count < MAX_ENTRIES as usize);
    let names: Vec<String> = (0..count).map(|i| format!("images/0/{i}.png")).collect();
    let manifest = serde_json::json!({
        "format": "ajuste-project",
        "schema_version": 1,
        "written_by": "a bomb",
        "classes": [{"name": "black", "enabled": true, "images": names}],
        "settings": TrainSettings::default(),
        "report": null,
        "includes_classifier": false,
    });
    let mut entries = vec![Entry::stored("manifest.json", manifest.to_string().into())];
    entries.extend(names.iter().map(|name| Entry::stored(name, png.clone())));
    let (result, largest, total) = read_measured(&zips::zip(&entries));
    assert_eq!(result.unwrap_err(), ProjectError::TooManyPixels);
    assert!(largest < 4 * MIB && total < 64 * MIB, "{largest} {total}");
}
