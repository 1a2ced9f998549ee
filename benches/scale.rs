//! The page's engine (`session::Session`) natively on Flex at scale: N generated JPEG photos
//! of varied sizes (640×480 up to 4000×3000) in 10 classes, added as the page adds files, then
//! features, then training at d = 0 and d = 2. Prints a markdown table: what the browser
//! benchmark's numbers compare with.
//!
//! cargo bench --bench scale [-- 100 1000]

use std::io::Cursor;
use std::time::Instant;

use ajuste::protocol::{Command, Event, ImageEncoding, TrainClass, TrainSettings};
use ajuste::rng::Rng;
use ajuste::session::Session;
use ajuste::train::devices::Devices;
use burn::prelude::*;
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

/// Works until `done` matches an event; returns it.
fn work_until(session: &mut Session, done: impl Fn(&Event) -> bool) -> Event {
    loop {
        let worked = pollster::block_on(session.work());
        if let Some(outgoing) = session.take_outgoing().into_iter().find(|o| done(&o.event)) {
            return outgoing.event;
        }
        assert!(worked, "the engine went idle first");
    }
}

fn settle(session: &mut Session) {
    while pollster::block_on(session.work()) {
        session.take_outgoing();
    }
}

fn send(session: &mut Session, command: Command, bytes: Option<Vec<u8>>) {
    pollster::block_on(session.handle(command, bytes));
    session.take_outgoing();
}

/// Seconds per epoch of a training run at `freeze_depth`.
fn epoch_seconds(session: &mut Session, freeze_depth: usize) -> f64 {
    let classes = (0..CLASSES)
        .map(|c| TrainClass {
            id: c as u64 + 1,
            name: format!("class {c}"),
        })
        .collect();
    let settings = TrainSettings {
        freeze_depth,
        epochs: EPOCHS,
        ..TrainSettings::default()
    };
    let started = Instant::now();
    send(session, Command::Train { classes, settings }, None);
    match work_until(session, |e| {
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

fn run(images: usize) -> String {
    let weights_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/efficientnet-lite0.safetensors"
    );
    let weights = std::fs::read(weights_path).expect("run tools/web-weights.sh first");
    let started = Instant::now();
    let clock = Box::new(move || started.elapsed().as_secs_f64() * 1000.0);
    let mut session =
        Session::new(weights, Devices::single(&Device::flex()), false, clock).unwrap();

    let photos: Vec<Vec<u8>> = (0..images).map(photo).collect();
    let megabytes = photos.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let added = Instant::now();
    for (i, bytes) in photos.into_iter().enumerate() {
        let command = Command::AddSample {
            class: (i % CLASSES) as u64 + 1,
            sample: 1000 + i as u64,
            encoding: ImageEncoding::File,
        };
        send(&mut session, command, Some(bytes));
    }
    let import = added.elapsed().as_secs_f64();

    let features = Instant::now();
    settle(&mut session);
    let views = images * 5;
    let views_per_second = views as f64 / features.elapsed().as_secs_f64();
    let d0 = epoch_seconds(&mut session, 0);

    let prepare = Command::PrepareFeatures {
        freeze_depth: 2,
        augment: true,
    };
    send(&mut session, prepare, None);
    let deep = Instant::now();
    settle(&mut session);
    let d2_views_per_second = views as f64 / deep.elapsed().as_secs_f64();
    let d2 = epoch_seconds(&mut session, 2);
    format!(
        "| {images} | {megabytes:.0} MB | {:.1} | {views_per_second:.1} | {d0:.3} | {d2_views_per_second:.1} | {d2:.2} | {:.0} |",
        images as f64 / import,
        peak_resident_mb()
    )
}

fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counts = if counts.is_empty() { vec![100] } else { counts };
    println!(
        "| images | JPEG bytes | added /s (decode + resize) | d = 0 views /s | d = 0 s/epoch | d = 2 views /s | d = 2 s/epoch | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for images in counts {
        println!("{}", run(images));
    }
}
