//! Backbone forward throughput on the CPU (Flex), next to PyTorch CPU with the same thread
//! count in the same run.
//!
//! cargo bench --bench backbone   (needs python3 with torch and efficientnet-lite-pytorch
//! for the reference column)

use std::process::Command;
use std::time::{Duration, Instant};

use ajuste::model::{EfficientNetLite0, INPUT_SIZE};
use burn::prelude::*;
use burn::tensor::Distribution;

const BATCHES: [usize; 2] = [1, 32];
const MEASURE_FOR: Duration = Duration::from_secs(5);

fn burn_images_per_second(model: &EfficientNetLite0, batch: usize, device: &Device) -> f64 {
    let images = Tensor::<4>::random(
        [batch, 3, INPUT_SIZE, INPUT_SIZE],
        Distribution::Uniform(-1.0, 1.0),
        device,
    );
    let run = || model.features(images.clone()).into_data();
    run();
    let start = Instant::now();
    let mut runs = 0;
    while runs == 0 || start.elapsed() < MEASURE_FOR {
        run();
        runs += 1;
    }
    (runs * batch) as f64 / start.elapsed().as_secs_f64()
}

/// `None` when python3/torch is not installed: the table says so instead of failing.
fn pytorch_images_per_second(threads: usize) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/bench_pytorch.py");
    let batches: Vec<String> = BATCHES.iter().map(usize::to_string).collect();
    let output = Command::new("python3")
        // The allocator settings of this side (`allocator::keep_freed_memory`), so that both
        // run with the same malloc.
        .env("GLIBC_TUNABLES", ajuste::allocator::glibc_tunables())
        .arg(script)
        .args([
            "--threads",
            &threads.to_string(),
            "--seconds",
            &MEASURE_FOR.as_secs().to_string(),
            "--batches",
        ])
        .args(&batches)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "PyTorch reference failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    Some(report["images_per_second"].clone())
}

fn main() {
    ajuste::allocator::keep_freed_memory();
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let device = Device::flex();
    let model = EfficientNetLite0::new(&device);
    let pytorch = pytorch_images_per_second(threads);
    println!("EfficientNet-Lite0 forward (224x224, f32, eval), CPU, {threads} threads");
    println!("| batch | burn Flex (img/s) | PyTorch CPU (img/s) | burn / PyTorch |");
    println!("|---|---|---|---|");
    for batch in BATCHES {
        let ours = burn_images_per_second(&model, batch, &device);
        let theirs = pytorch.as_ref().and_then(|p| p[batch.to_string()].as_f64());
        match theirs {
            Some(theirs) => println!(
                "| {batch} | {ours:.1} | {theirs:.1} | {:.2} |",
                ours / theirs
            ),
            None => println!("| {batch} | {ours:.1} | n/a | n/a |"),
        }
    }
}
