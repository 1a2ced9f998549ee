//! The training recipe on a folder of real photos (`DIR/train/<class>`, `DIR/test/<class>`,
//! as `tools/photo_sets.py` writes them): every shots × freeze depth × seed run, one JSON
//! line each, for `tools/recipe_sweep.py` (which adds the logistic-regression baseline and
//! prints the table).
//!
//! cargo run --release --example recipe_sweep -- --data DIR [--weights PTH] [--shots 5,10,30]
//!     [--depths 0,1,2,4] [--seeds 0,1,2] [--epochs E] [--learning-rate LR] ...
//!
//! The frozen prefix runs once per image and view at the deepest depth asked for; shallower
//! depths run the remaining frozen blocks on those activations (the same numbers the cache of
//! `ajuste train` holds, for a fraction of the time). Shots are drawn as `ajuste train
//! --shots K --seed S` draws them (a seeded shuffle of each class's sorted files). Settings
//! not given come from the library's recipe for that many images per class.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ajuste::data::dataset::Dataset;
use ajuste::data::folder::list_classes;
use ajuste::data::image::decode;
use ajuste::model::split::entry_shape;
use ajuste::model::weights::{load_file, load_safetensors};
use ajuste::model::{EfficientNetLite0, NUM_BLOCKS};
use ajuste::rng::Rng;
use ajuste::train::augment::{AugmentConfig, MIRROR_VIEW};
use ajuste::train::cache::{ActivationCache, Activations, Key, read_floats};
use ajuste::train::config::TrainingConfig;
use ajuste::train::evaluate::evaluate;
use ajuste::train::fit::fit;
use burn::prelude::*;
use burn::tensor::TensorData;
use serde::Serialize;

const BATCH: usize = 16;

#[derive(Default)]
struct Args {
    data: PathBuf,
    weights: Option<PathBuf>,
    shots: Vec<usize>,
    depths: Vec<usize>,
    seeds: Vec<u64>,
    /// Where the deepest activations are kept between runs on the same set.
    features: Option<PathBuf>,
    overrides: HashMap<String, f64>,
}

fn list<T: std::str::FromStr>(text: &str) -> Vec<T> {
    text.split(',')
        .map(|v| v.parse().ok().expect("a comma-separated list of numbers"))
        .collect()
}

fn parse_args() -> Args {
    let mut args = Args {
        shots: vec![5, 10, 30],
        depths: vec![0, 1, 2, 4],
        seeds: vec![0, 1, 2],
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => args.data = value.into(),
            "--weights" => args.weights = Some(value.into()),
            "--shots" => args.shots = list(&value),
            "--depths" => args.depths = list(&value),
            "--seeds" => args.seeds = list(&value),
            "--features" => args.features = Some(value.into()),
            other => {
                let name = other.trim_start_matches("--").to_string();
                args.overrides
                    .insert(name, value.parse().expect("a number after a setting"));
            }
        }
    }
    assert!(!args.data.as_os_str().is_empty(), "--data DIR is required");
    args
}

/// The library's recipe for `images_per_class`, then the settings given on the command line.
fn config(args: &Args, images_per_class: usize, depth: usize, seed: u64) -> TrainingConfig {
    let mut config = TrainingConfig::recommended(images_per_class, depth).with_seed(seed);
    for (name, &value) in &args.overrides {
        match name.as_str() {
            "epochs" => config.epochs = value as usize,
            "learning-rate" => config.learning_rate = value,
            "backbone-scale" => config.backbone_learning_rate_scale = value,
            "head-only-share" => config.head_only_share = Some(value),
            "weight-decay" => config.weight_decay = value,
            "label-smoothing" => config.label_smoothing = value as f32,
            "dropout" => config.dropout = value,
            "validation-share" => config.validation_share = value,
            "batch-size" => config.batch_size = value as usize,
            "test-time-flip" => config.test_time_flip = value != 0.0,
            "views" => config.augmented_views = value as usize,
            "feature-length" => config.feature_length = (value > 0.0).then_some(value as f32),
            "min-area" => config.augmentation.min_area = value,
            "jitter" => config.augmentation.jitter = value,
            other => panic!("unknown setting --{other}"),
        }
    }
    config
}

struct Photos {
    dataset: Dataset,
    /// Training ids per class, in the order of the sorted files.
    train: Vec<Vec<u64>>,
    train_files: HashMap<u64, PathBuf>,
    test: Vec<(u64, usize)>,
}

fn read_photos(directory: &Path) -> Photos {
    let train_listing = list_classes(&directory.join("train")).expect("DIR/train");
    let test_listing = list_classes(&directory.join("test")).expect("DIR/test");
    assert_eq!(train_listing.classes, test_listing.classes, "same classes");
    let mut photos = Photos {
        dataset: Dataset::new(train_listing.classes.clone()),
        train: Vec::new(),
        train_files: HashMap::new(),
        test: Vec::new(),
    };
    let add = |dataset: &mut Dataset, label: usize, path: &PathBuf| {
        let bytes = std::fs::read(path).expect("readable photo");
        let image = decode(&bytes).expect("decodable photo");
        dataset.add(label, &image).expect("label of the listing")
    };
    for (label, files) in train_listing.files.iter().enumerate() {
        let ids = files
            .iter()
            .map(|path| {
                let id = add(&mut photos.dataset, label, path);
                photos.train_files.insert(id, path.clone());
                id
            })
            .collect();
        photos.train.push(ids);
    }
    for (label, files) in test_listing.files.iter().enumerate() {
        for path in files {
            let id = add(&mut photos.dataset, label, path);
            photos.test.push((id, label));
        }
    }
    photos
}

/// The cache at `depth`, from the one at `deepest` (≥ `depth`): runs the frozen blocks in
/// between, and the head conv and pooling for depth 0.
fn shallower(
    backbone: &EfficientNetLite0,
    deepest: &ActivationCache,
    depth: usize,
    device: &Device,
) -> ActivationCache {
    let mut cache = ActivationCache::new(device, usize::MAX);
    cache.set_freeze_depth(depth).expect("a valid depth");
    let from = NUM_BLOCKS - deepest.freeze_depth();
    let to = NUM_BLOCKS - depth;
    let [c, h, w] = entry_shape(deepest.freeze_depth());
    let keys: Vec<Key> = deepest.keys();
    for chunk in keys.chunks(BATCH) {
        let rows = deepest.gather(chunk).expect("cached rows");
        let x = backbone.blocks(rows.reshape([chunk.len(), c, h, w]), from, to);
        let rows = if depth == 0 {
            backbone.pooled_head(x)
        } else {
            x.reshape([chunk.len() as i32, -1])
        };
        pollster::block_on(cache.insert_rows(chunk, rows)).expect("rows of the right shape");
    }
    cache
}

/// What makes the views of a key: the augmentation settings, and which view is the mirror.
fn views_tag(augmentation: &AugmentConfig) -> String {
    format!("{augmentation:?}, mirror view {MIRROR_VIEW}")
}

/// The stored activations when they are the ones of `keys` at `depth`, made by `tag`'s
/// views: a JSON header line, then the rows as little-endian f32.
fn load(path: &Path, keys: &[Key], depth: usize, tag: &str, device: &Device) -> Option<Tensor<2>> {
    let bytes = std::fs::read(path).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (stored_depth, stored_tag, stored_keys): (usize, String, Vec<Key>) =
        serde_json::from_slice(&bytes[..newline]).ok()?;
    if stored_depth != depth || stored_tag != tag || stored_keys != keys {
        return None;
    }
    let values: Vec<f32> = bytes[newline + 1..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let length = entry_shape(depth).iter().product::<usize>();
    (values.len() == keys.len() * length)
        .then(|| Tensor::from_data(TensorData::new(values, [keys.len(), length]), device))
}

fn save(path: &Path, cache: &ActivationCache, depth: usize, tag: &str) {
    let keys = cache.keys();
    let mut bytes = serde_json::to_vec(&(depth, tag, &keys)).expect("JSON");
    bytes.push(b'\n');
    for chunk in keys.chunks(256) {
        let rows = cache.gather(chunk).expect("cached rows");
        for value in pollster::block_on(read_floats(rows)).expect("rows") {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    std::fs::write(path, bytes).expect("writable features file");
}

#[derive(Serialize)]
struct Run {
    depth: usize,
    shots: usize,
    seed: u64,
    /// Scored as the trained classifier predicts (with or without the test-time flip).
    test_accuracy: f32,
    /// Scored on the plain view alone.
    plain_test_accuracy: f32,
    train_seconds: f64,
    epochs: usize,
    best_epoch: Option<usize>,
    validation_share: f64,
    train_files: Vec<PathBuf>,
}

fn main() {
    let args = parse_args();
    let device = Device::flex();
    let backbone = match &args.weights {
        Some(path) => load_file(path, &device),
        None => load_safetensors(
            std::fs::read("www/efficientnet-lite0.safetensors").expect("the shipped weights"),
            &device,
        ),
    }
    .expect("weights");
    let photos = read_photos(&args.data);
    let classes = photos.dataset.classes.clone();
    let deepest = *args.depths.iter().max().expect("at least one depth");
    let reference = config(&args, 1, deepest, 0);
    let tag = views_tag(&reference.augmentation);

    let start = Instant::now();
    let mut cache = ActivationCache::new(&device, usize::MAX);
    cache.set_freeze_depth(deepest).expect("a valid depth");
    let train_ids: Vec<u64> = photos.train.iter().flatten().copied().collect();
    let test_ids: Vec<u64> = photos.test.iter().map(|&(id, _)| id).collect();
    let mut keys = cache.missing(&train_ids, reference.views());
    // The test images' plain view and its mirror image, for scoring with and without the
    // test-time flip.
    keys.extend(cache.missing(&test_ids, MIRROR_VIEW + 1));
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    let stored = args
        .features
        .as_deref()
        .and_then(|path| load(path, &sorted, deepest, &tag, &device));
    if let Some(rows) = stored {
        pollster::block_on(cache.insert_rows(&sorted, rows)).expect("stored rows");
        eprintln!(
            "features: {} views at depth {deepest} read back",
            keys.len()
        );
        keys.clear();
    }
    for chunk in keys.chunks(BATCH) {
        // One augmentation seed for every run, as a session computes its views once.
        pollster::block_on(cache.compute(
            &backbone,
            &photos.dataset,
            chunk,
            &reference.augmentation,
            0,
        ))
        .expect("features");
    }
    if !keys.is_empty() {
        eprintln!(
            "features: {} views at depth {deepest} in {:.0} s",
            keys.len(),
            start.elapsed().as_secs_f64()
        );
        if let Some(path) = &args.features {
            save(path, &cache, deepest, &tag);
        }
    }

    for &depth in &args.depths {
        let derived;
        let at_depth = if depth == deepest {
            &cache
        } else {
            derived = shallower(&backbone, &cache, depth, &device);
            &derived
        };
        let activations = Activations::Cached(at_depth);
        for &shots in &args.shots {
            for &seed in &args.seeds {
                let mut rng = Rng::new(seed);
                let mut items = Vec::new();
                for (label, ids) in photos.train.iter().enumerate() {
                    let mut order = ids.clone();
                    rng.shuffle(&mut order);
                    items.extend(order.into_iter().take(shots).map(|id| (id, label)));
                }
                let config = config(&args, shots, depth, seed);
                let started = Instant::now();
                let fitted = pollster::block_on(fit(
                    &backbone,
                    &classes,
                    &items,
                    &activations,
                    config.clone(),
                    &device,
                    |_| {},
                ))
                .expect("training");
                let train_seconds = started.elapsed().as_secs_f64();
                let score = |mirror| {
                    pollster::block_on(evaluate(
                        &fitted.model,
                        &activations,
                        &photos.test,
                        classes.len(),
                        mirror,
                    ))
                    .expect("evaluation")
                    .confusion
                    .accuracy()
                };
                let plain_test_accuracy = score(false);
                let run = Run {
                    depth,
                    shots,
                    seed,
                    test_accuracy: if config.mirror_average() {
                        score(true)
                    } else {
                        plain_test_accuracy
                    },
                    plain_test_accuracy,
                    train_seconds,
                    epochs: config.epochs,
                    best_epoch: fitted.best_epoch,
                    validation_share: config.validation_share,
                    train_files: items
                        .iter()
                        .map(|(id, _)| photos.train_files[id].clone())
                        .collect(),
                };
                println!("{}", serde_json::to_string(&run).expect("JSON"));
            }
        }
    }
}
