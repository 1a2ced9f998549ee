//! Training views of an image: random resized crop, horizontal flip, and small brightness,
//! contrast and saturation changes. With the activation cache, a fixed number of such views
//! per image is computed once, and each epoch draws one of them.

use burn::prelude::*;
use image::RgbImage;

use crate::data::image::{center_crop, to_input};
use crate::data::resample::resize_rgb;
use crate::model::INPUT_SIZE;
use crate::rng::Rng;

#[derive(Config, Debug)]
pub struct AugmentConfig {
    /// Smallest crop, as a share of the image area.
    #[config(default = 0.4)]
    pub min_area: f64,
    #[config(default = true)]
    pub flip: bool,
    /// Brightness, contrast and saturation each vary by up to ± this factor.
    #[config(default = 0.2)]
    pub jitter: f64,
}

/// The plain evaluation crop mirrored left to right: a training view like any other, and
/// the second half of a prediction that averages an image with its mirror image.
pub const MIRROR_VIEW: usize = 1;

/// View 0 is always the plain evaluation crop, view [`MIRROR_VIEW`] its mirror image; the
/// views after it are augmented.
pub fn view(image: &RgbImage, view: usize, config: &AugmentConfig, seed: u64) -> Vec<f32> {
    if view == 0 {
        return to_input(&center_crop(image));
    }
    if view == MIRROR_VIEW {
        return to_input(&image::imageops::flip_horizontal(&center_crop(image)));
    }
    let mut rng = Rng::new(seed ^ (view as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let crop = random_resized_crop(image, config.min_area, &mut rng);
    let crop = if config.flip && rng.unit() < 0.5 {
        image::imageops::flip_horizontal(&crop)
    } else {
        crop
    };
    let mut input = to_input(&crop);
    jitter_colours(&mut input, config.jitter, &mut rng);
    input
}

fn random_resized_crop(image: &RgbImage, min_area: f64, rng: &mut Rng) -> RgbImage {
    let (width, height) = (f64::from(image.width()), f64::from(image.height()));
    let area = width * height * rng.range(min_area, 1.0);
    let aspect = rng.range((3.0f64 / 4.0).ln(), (4.0f64 / 3.0).ln()).exp();
    let crop_w = (area * aspect).sqrt().clamp(1.0, width) as u32;
    let crop_h = (area / aspect).sqrt().clamp(1.0, height) as u32;
    let left = rng.below((image.width() - crop_w + 1) as usize) as u32;
    let top = rng.below((image.height() - crop_h + 1) as usize) as u32;
    let crop = image::imageops::crop_imm(image, left, top, crop_w, crop_h).to_image();
    let resized = resize_rgb(
        crop.as_raw(),
        crop_w as usize,
        crop_h as usize,
        INPUT_SIZE,
        INPUT_SIZE,
    );
    RgbImage::from_raw(INPUT_SIZE as u32, INPUT_SIZE as u32, resized).expect("224x224x3 bytes")
}

/// On `[3, h, w]` values in [-1, 1]: the same order and meaning as torchvision's ColorJitter.
fn jitter_colours(input: &mut [f32], amount: f64, rng: &mut Rng) {
    let plane = input.len() / 3;
    let brightness = rng.range(1.0 - amount, 1.0 + amount) as f32;
    let contrast = rng.range(1.0 - amount, 1.0 + amount) as f32;
    let saturation = rng.range(1.0 - amount, 1.0 + amount) as f32;
    // Work in [0, 1], where these operations are defined.
    for v in input.iter_mut() {
        *v = ((*v + 1.0) / 2.0 * brightness).clamp(0.0, 1.0);
    }
    let grey = |input: &[f32], i: usize| {
        0.299 * input[i] + 0.587 * input[plane + i] + 0.114 * input[2 * plane + i]
    };
    let mean_grey = (0..plane).map(|i| grey(input, i)).sum::<f32>() / plane as f32;
    for v in input.iter_mut() {
        *v = (mean_grey + (*v - mean_grey) * contrast).clamp(0.0, 1.0);
    }
    for i in 0..plane {
        let g = grey(input, i);
        for channel in 0..3 {
            let v = &mut input[channel * plane + i];
            *v = (g + (*v - g) * saturation).clamp(0.0, 1.0);
        }
    }
    for v in input.iter_mut() {
        *v = *v * 2.0 - 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient() -> RgbImage {
        RgbImage::from_fn(300, 256, |x, y| image::Rgb([(x % 256) as u8, y as u8, 128]))
    }

    #[test]
    fn view_zero_is_the_evaluation_crop() {
        let image = gradient();
        assert_eq!(
            view(&image, 0, &AugmentConfig::new(), 1),
            to_input(&center_crop(&image))
        );
    }

    #[test]
    fn view_one_is_the_plain_crop_mirrored() {
        let image = gradient();
        let plain = view(&image, 0, &AugmentConfig::new(), 1);
        let mirror = view(&image, MIRROR_VIEW, &AugmentConfig::new(), 1);
        let size = INPUT_SIZE;
        for channel in 0..3 {
            for row in 0..size {
                let at = (channel * size + row) * size;
                let mut line = plain[at..at + size].to_vec();
                line.reverse();
                assert_eq!(line, mirror[at..at + size]);
            }
        }
    }

    #[test]
    fn augmented_views_differ_replay_and_stay_in_range() {
        let image = gradient();
        let config = AugmentConfig::new();
        let a = view(&image, 2, &config, 9);
        assert_eq!(a.len(), 3 * INPUT_SIZE * INPUT_SIZE);
        assert!(a.iter().all(|v| (-1.0..=1.0).contains(v)));
        assert_eq!(a, view(&image, 2, &config, 9));
        assert_ne!(a, view(&image, 3, &config, 9));
        assert_ne!(a, view(&image, 0, &config, 9));
        assert_ne!(a, view(&image, MIRROR_VIEW, &config, 9));
    }
}
