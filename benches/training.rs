//! Training cost with and without the frozen-prefix activation cache, next to PyTorch CPU
//! (tools/bench_pytorch_train.py) with the same thread count, in the same run.
//!
//! cargo bench --bench training

use std::process::Command;
use std::time::Instant;

use ajuste::data::dataset::Dataset;
use ajuste::model::EfficientNetLite0;
use ajuste::rng::Rng;
use ajuste::train::cache::{ActivationCache, Activations};
use ajuste::train::config::TrainingConfig;
use ajuste::train::trainer::{TrainEvent, Trainer};
use burn::prelude::*;
use image::RgbImage;

const IMAGES: usize = 64;
const BATCH: usize = 16;
const DEPTHS: [usize; 4] = [0, 1, 2, 4];

fn noise_dataset() -> Dataset {
    let mut rng = Rng::new(1);
    let mut dataset = Dataset::new(vec!["a".into(), "b".into()]);
    for i in 0..IMAGES {
        let image = RgbImage::from_fn(256, 256, |_, _| {
            image::Rgb([
                rng.below(256) as u8,
                rng.below(256) as u8,
                rng.below(256) as u8,
            ])
        });
        dataset.add(i % 2, &image).unwrap();
    }
    dataset
}

fn config(freeze_depth: usize) -> TrainingConfig {
    TrainingConfig::default()
        .with_freeze_depth(freeze_depth)
        .with_epochs(1)
        .with_batch_size(BATCH)
        .with_augment(false)
        .with_validation_share(0.0)
}

fn fill(
    cache: &mut ActivationCache,
    backbone: &EfficientNetLite0,
    dataset: &Dataset,
    config: &TrainingConfig,
) {
    cache.set_freeze_depth(config.freeze_depth).unwrap();
    let ids: Vec<u64> = dataset.samples.iter().map(|s| s.id).collect();
    for keys in cache.missing(&ids, 1).chunks(BATCH) {
        pollster::block_on(cache.compute(backbone, dataset, keys, &config.augmentation, 0))
            .unwrap();
    }
}

fn epoch_seconds(
    backbone: &EfficientNetLite0,
    dataset: &Dataset,
    activations: &Activations<'_>,
    config: TrainingConfig,
    device: &Device,
) -> f64 {
    let items = dataset.items();
    let mut trainer = Trainer::new(
        backbone,
        &dataset.classes,
        &items,
        activations,
        config,
        device,
    )
    .unwrap();
    let start = Instant::now();
    while !matches!(
        pollster::block_on(trainer.step(activations)).unwrap(),
        TrainEvent::Epoch(_)
    ) {}
    start.elapsed().as_secs_f64()
}

fn pytorch(threads: usize) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/bench_pytorch_train.py");
    let output = Command::new("python3")
        // The allocator settings of this side (`allocator::keep_freed_memory`), so that both
        // run with the same malloc.
        .env("GLIBC_TUNABLES", ajuste::allocator::glibc_tunables())
        .args([
            script,
            "--threads",
            &threads.to_string(),
            "--images",
            &IMAGES.to_string(),
            "--batch",
            &BATCH.to_string(),
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "PyTorch reference failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

fn ratio(ours: f64, theirs: Option<f64>) -> String {
    theirs.map_or("n/a".into(), |t| format!("{:.2}", ours / t))
}

fn main() {
    ajuste::allocator::keep_freed_memory();
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let device = Device::flex();
    let backbone = EfficientNetLite0::new(&device);
    let dataset = noise_dataset();
    let reference = pytorch(threads);

    let mut cache = ActivationCache::new(&device, usize::MAX);
    let start = Instant::now();
    fill(&mut cache, &backbone, &dataset, &config(0));
    let features_per_second = IMAGES as f64 / start.elapsed().as_secs_f64();
    let theirs = reference
        .as_ref()
        .and_then(|r| r["features_per_second"].as_f64());
    println!(
        "CPU, {threads} threads, {IMAGES} images, batch {BATCH}, burn Flex vs PyTorch {}",
        reference
            .as_ref()
            .map_or("(not available)".to_string(), |r| r["torch"].to_string())
    );
    println!();
    println!("| frozen prefix (full backbone) | burn | PyTorch | burn / PyTorch |");
    println!("|---|---|---|---|");
    println!(
        "| features/s | {features_per_second:.1} | {} | {} |",
        theirs.map_or("n/a".into(), |t| format!("{t:.1}")),
        theirs.map_or("n/a".into(), |t| format!("{:.2}", features_per_second / t))
    );
    println!();
    println!(
        "| freeze depth | burn cached (s/epoch) | burn uncached (s/epoch) | cache speed-up | PyTorch cached | PyTorch uncached | burn/PyTorch cached | burn/PyTorch uncached |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for depth in DEPTHS {
        let config = config(depth);
        fill(&mut cache, &backbone, &dataset, &config);
        let cached = epoch_seconds(
            &backbone,
            &dataset,
            &Activations::Cached(&cache),
            config.clone(),
            &device,
        );
        let recomputed = Activations::Recomputed {
            backbone: &backbone,
            images: &dataset,
            augmentation: &config.augmentation,
            seed: 0,
            freeze_depth: depth,
            device: device.clone(),
        };
        let uncached = epoch_seconds(&backbone, &dataset, &recomputed, config.clone(), &device);
        let theirs = |kind: &str| {
            reference
                .as_ref()
                .and_then(|r| r["epoch_seconds"][depth.to_string()][kind].as_f64())
        };
        println!(
            "| {depth} | {cached:.3} | {uncached:.3} | {:.1}x | {} | {} | {} | {} |",
            uncached / cached,
            theirs("cached").map_or("n/a".into(), |t| format!("{t:.3}")),
            theirs("uncached").map_or("n/a".into(), |t| format!("{t:.3}")),
            ratio(cached, theirs("cached")),
            ratio(uncached, theirs("uncached")),
        );
    }
}
