//! A small visual task generated on the fly: warm discs vs cool stripes on noisy
//! backgrounds, at random positions, sizes and shades.

use ajuste::data::dataset::Dataset;
use ajuste::rng::Rng;
use image::{Rgb, RgbImage};

pub const CLASSES: [&str; 2] = ["disc", "stripes"];

pub fn image(class: usize, rng: &mut Rng) -> RgbImage {
    let size = 256;
    let noise = 40.0;
    let background = rng.range(70.0, 160.0);
    let mut image = RgbImage::from_fn(size, size, |_, _| {
        let v = (background + rng.range(-noise, noise)).clamp(0.0, 255.0) as u8;
        Rgb([v, v, v])
    });
    let (cx, cy) = (rng.range(70.0, 186.0), rng.range(70.0, 186.0));
    let radius = rng.range(40.0, 70.0);
    let warm = [
        rng.range(190.0, 255.0),
        rng.range(40.0, 140.0),
        rng.range(0.0, 60.0),
    ];
    let cool = [
        rng.range(0.0, 60.0),
        rng.range(60.0, 160.0),
        rng.range(190.0, 255.0),
    ];
    let period = rng.range(14.0, 26.0);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let paint = match class {
            0 => ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt() < radius,
            _ => ((fx + fy) / period).floor() as i64 % 2 == 0,
        };
        if paint {
            let colour = if class == 0 { warm } else { cool };
            for c in 0..3 {
                pixel[c] =
                    (colour[c] + rng.range(-noise / 2.0, noise / 2.0)).clamp(0.0, 255.0) as u8;
            }
        }
    }
    image
}

/// `per_class` images of each class, reproducible from `seed`.
pub fn dataset(per_class: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let mut dataset = Dataset::new(CLASSES.iter().map(|c| c.to_string()).collect());
    for i in 0..per_class * CLASSES.len() {
        let class = i % CLASSES.len();
        dataset.add(class, &image(class, &mut rng)).unwrap();
    }
    dataset
}
