//! The page's engine (`session::Session`) natively on Flex at scale: N generated JPEG photos
//! of varied sizes (640×480 up to 4000×3000) in 10 classes, added as the page adds files, then
//! features, then training at d = 0 and d = 2. Prints a markdown table: what the browser
//! benchmark's numbers compare with.
//!
//! cargo bench --bench scale [-- 100 1000] [-- --plain]
//!
//! `--plain`: no augmentation (one view per image), as `tools/bench-scale.mjs` runs the page.

use std::io::Cursor;
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;

use ajuste::protocol::{Command, Event, ImageEncoding, TrainClass, TrainSettings};
use ajuste::rng::Rng;
use common::engine::Page;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};

const CLASSES: usize = 10;
const EPOCHS: usize = 3;
const SIZES: [(u32, u32); 4] = [(640, 480), (1280, 960), (2048, 1536), (4000, 3000)];

/// Photo `i`: a smooth colour field per class with noise, one in ten at 4000×3000.
fn photo(i: usize) -> Vec<u8> {
    let (width, height) = if i % 10 == 9 { SIZES[3] } else { SIZES[i % 3] };
    let class = (i % CLASSES) as f32;
    let mut rng = Rng::new(i as u64);
    let image = RgbImage::from_fn(width, height, |x, y| {
        let u = x as f32 / width as f32;
        let v = y as f32 / height as f32;
        let noise = rng.below(24) as f32;
        image::Rgb([
            (class * 25.0 + u * 60.0 + noise) as u8,
            (255.0 - class * 20.0 - v * 80.0 + noise) as u8,
            ((u + v) * 60.0 + class * 10.0 + noise) as u8,
        ])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut bytes), 85)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    bytes
}

/// Seconds per epoch of a training run at `freeze_depth`.
fn epoch_seconds(page: &mut Page, freeze_depth: usize, augment: bool) -> f64 {
    let classes = (0..CLASSES)
        .map(|c| TrainClass {
            id: c as u64 + 1,
            name: format!("class {c}"),
        })
        .collect();
    let settings = TrainSettings {
        freeze_depth,
        epochs: EPOCHS,
        augment,
        ..TrainSettings::default()
    };
    let started = Instant::now();
    page.send(Command::Train { classes, settings }, None);
    match page.work_until(usize::MAX, |e| {
        matches!(e, Event::TrainingDone(_) | Event::TrainingFailed(_))
    }) {
        Event::TrainingDone(_) => started.elapsed().as_secs_f64() / EPOCHS as f64,
        other => panic!("{other:?}"),
    }
}

/// The most memory this process has held so far, from /proc (Linux): with the counts in
/// rising order, each row's is its own run's.
fn peak_resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn run(images: usize, augment: bool) -> String {
    // The engine the page runs, on the CPU, as the integration tests drive it.
    let mut page = Page::open(false);
    let prepare = |freeze_depth| Command::PrepareFeatures {
        freeze_depth,
        augment,
    };
    page.send(prepare(0), None);

    let photos: Vec<Vec<u8>> = (0..images).map(photo).collect();
    let megabytes = photos.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let added = Instant::now();
    for (i, bytes) in photos.into_iter().enumerate() {
        let command = Command::AddSample {
            class: (i % CLASSES) as u64 + 1,
            sample: 1000 + i as u64,
            encoding: ImageEncoding::File,
        };
        page.send(command, Some(bytes));
    }
    let import = added.elapsed().as_secs_f64();

    let features = Instant::now();
    page.settle();
    let views = images * if augment { 5 } else { 1 };
    let views_per_second = views as f64 / features.elapsed().as_secs_f64();
    let d0 = epoch_seconds(&mut page, 0, augment);

    page.send(prepare(2), None);
    let deep = Instant::now();
    page.settle();
    let d2_views_per_second = views as f64 / deep.elapsed().as_secs_f64();
    let d2 = epoch_seconds(&mut page, 2, augment);
    format!(
        "| {images} | {megabytes:.0} MB | {:.1} | {views_per_second:.1} | {d0:.3} | {d2_views_per_second:.1} | {d2:.2} | {:.0} |",
        images as f64 / import,
        peak_resident_mb()
    )
}

fn main() {
    ajuste::allocator::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let augment = !args.iter().any(|a| a == "--plain");
    let counts: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let counts = if counts.is_empty() { vec![100] } else { counts };
    println!(
        "| images | JPEG bytes | added /s (decode + resize) | d = 0 views /s | d = 0 s/epoch | d = 2 views /s | d = 2 s/epoch | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for images in counts {
        println!("{}", run(images, augment));
    }
}
