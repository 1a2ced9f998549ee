//! From file bytes or a canvas RGBA buffer to the network's input: RGB, short side 256
//! (Pillow-exact bicubic), centre crop 224, scaled to [-1, 1], channels first.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use super::resample::resize_rgb;
use crate::model::INPUT_SIZE;

/// Short side before the centre crop, as in the checkpoint's evaluation pipeline.
pub const RESIZE_SHORT_SIDE: usize = 256;
/// Larger images are refused: nobody's photo is 20k pixels wide, and decoding one would
/// need gigabytes.
pub const MAX_SIDE: u32 = ajuste_protocol::limits::MAX_IMAGE_SIDE;
/// See [`ajuste_protocol::limits::MAX_IMAGE_PIXELS`].
pub const MAX_PIXELS: u64 = ajuste_protocol::limits::MAX_IMAGE_PIXELS;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,
    #[error("not an image this app can read (JPEG, PNG, WebP, GIF or BMP)")]
    UnknownFormat,
    #[error("the image is damaged or incomplete: {0}")]
    Corrupt(String),
    #[error("the image is too large ({width}×{height}); the limit is {MAX_SIDE} pixels a side")]
    TooLarge { width: u32, height: u32 },
    #[error(
        "the image has too many pixels ({width}×{height}); the limit is {} megapixels",
        MAX_PIXELS / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image has no pixels")]
    NoPixels,
    #[error("a {width}×{height} RGBA frame needs {expected} bytes, got {actual}")]
    BadBuffer {
        width: u32,
        height: u32,
        expected: usize,
        actual: usize,
    },
}

/// Decodes JPEG/PNG/WebP/GIF/BMP, applies the EXIF orientation, and flattens grey, alpha
/// (over white) and CMYK to RGB. Size limits are checked on the header, before any
/// pixel buffer is allocated.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let Some(format) = reader.format() else {
        return Err(ImageError::UnknownFormat);
    };
    // The header alone gives the size: refuse an oversized image here, because the decoder's
    // own limits (below) report the refusal without the size.
    let header_size = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions();
    if let Ok((width, height)) = header_size {
        check_size(width, height)?;
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    // `DynamicImage::from_decoder` allocates the whole buffer without asking the limits
    // above: this is what stands between a small file and gigabytes.
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ImageError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(ImageError::NoPixels);
    }
    let orientation = decoder.orientation().map_err(classify)?;
    let mut image = match exact_jpeg(format, bytes)? {
        Some(rgb) => DynamicImage::ImageRgb8(rgb),
        None => DynamicImage::from_decoder(decoder).map_err(classify)?,
    };
    image.apply_orientation(orientation);
    Ok(flatten_to_rgb(image))
}

/// Refuses sizes whose decoding would take too much memory, from the header alone.
fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge { width, height });
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { width, height });
    }
    Ok(())
}

/// Natively, JPEGs go through libjpeg-turbo's decoder, as in the PyTorch reference pipeline.
#[cfg(not(target_arch = "wasm32"))]
fn exact_jpeg(format: ImageFormat, bytes: &[u8]) -> Result<Option<RgbImage>, ImageError> {
    if format == ImageFormat::Jpeg {
        super::jpeg::decode(bytes)
    } else {
        Ok(None)
    }
}

#[cfg(target_arch = "wasm32")]
fn exact_jpeg(_format: ImageFormat, _bytes: &[u8]) -> Result<Option<RgbImage>, ImageError> {
    Ok(None)
}

fn classify(error: image::ImageError) -> ImageError {
    match error {
        image::ImageError::Limits(_) => ImageError::TooLarge {
            width: 0,
            height: 0,
        },
        image::ImageError::Unsupported(_) => ImageError::UnknownFormat,
        other => ImageError::Corrupt(other.to_string()),
    }
}

fn flatten_to_rgb(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    let pixels = rgba
        .pixels()
        .flat_map(|p| {
            let alpha = u16::from(p[3]);
            let over_white =
                move |c: u8| ((u16::from(c) * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
            [over_white(p[0]), over_white(p[1]), over_white(p[2])]
        })
        .collect();
    RgbImage::from_raw(width, height, pixels).expect("3 bytes per pixel")
}

/// An RGBA buffer as a canvas or a video frame gives it (alpha ignored: frames are opaque).
pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<RgbImage, ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::NoPixels);
    }
    check_size(width, height)?;
    let expected = width as usize * height as usize * 4;
    if rgba.len() != expected {
        return Err(ImageError::BadBuffer {
            width,
            height,
            expected,
            actual: rgba.len(),
        });
    }
    let pixels = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok(RgbImage::from_raw(width, height, pixels).expect("3 bytes per pixel"))
}

/// Short side to 256 (long side truncated, as torchvision does).
/// Panoramas are first cut to this aspect ratio around their centre, so that a 1×20000
/// strip cannot become a gigapixel intermediate; the centre crop does not change.
pub const MAX_ASPECT_RATIO: u32 = 4;

pub fn resize_short_side(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let (max_w, max_h) = (
        h.saturating_mul(MAX_ASPECT_RATIO),
        w.saturating_mul(MAX_ASPECT_RATIO),
    );
    let trimmed;
    let image = if w > max_w || h > max_h {
        let (tw, th) = (w.min(max_w), h.min(max_h));
        trimmed = image::imageops::crop_imm(image, (w - tw) / 2, (h - th) / 2, tw, th).to_image();
        &trimmed
    } else {
        image
    };
    let (width, height) = (image.width() as usize, image.height() as usize);
    let (out_w, out_h) = if width <= height {
        (RESIZE_SHORT_SIDE, RESIZE_SHORT_SIDE * height / width)
    } else {
        (RESIZE_SHORT_SIDE * width / height, RESIZE_SHORT_SIDE)
    };
    let resized = resize_rgb(image.as_raw(), width, height, out_w, out_h);
    RgbImage::from_raw(out_w as u32, out_h as u32, resized).expect("3 bytes per pixel")
}

/// Centre crop 224 with torchvision's rounding of the offsets.
pub fn center_crop(image: &RgbImage) -> RgbImage {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let top = ((height - INPUT_SIZE) as f64 / 2.0).round() as u32;
    let left = ((width - INPUT_SIZE) as f64 / 2.0).round() as u32;
    let size = INPUT_SIZE as u32;
    image::imageops::crop_imm(image, left, top, size, size).to_image()
}

/// The evaluation view: short side 256, centre crop 224.
pub fn resize_and_crop(image: &RgbImage) -> RgbImage {
    center_crop(&resize_short_side(image))
}

/// A 224x224 RGB image → `[3, 224, 224]` values in [-1, 1] (x / 127.5 − 1).
pub fn to_input(crop: &RgbImage) -> Vec<f32> {
    let plane = INPUT_SIZE * INPUT_SIZE;
    let mut input = vec![0.0f32; 3 * plane];
    for (i, pixel) in crop.pixels().enumerate() {
        for channel in 0..3 {
            input[channel * plane + i] = f32::from(pixel[channel]) / 127.5 - 1.0;
        }
    }
    input
}

/// File bytes → network input, the whole evaluation pipeline.
pub fn preprocess(bytes: &[u8]) -> Result<Vec<f32>, ImageError> {
    Ok(to_input(&resize_and_crop(&decode(bytes)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn decodes_every_supported_format_to_rgb() {
        let image =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, image::Rgb([200, 10, 30])));
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Bmp,
            ImageFormat::Gif,
            ImageFormat::WebP,
        ] {
            let decoded =
                decode(&encode(&image, format)).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(decoded.dimensions(), (40, 30), "{format:?}");
        }
    }

    #[test]
    fn grey_and_transparent_images_become_rgb() {
        let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(8, 8, image::Luma([90])));
        assert_eq!(
            decode(&encode(&grey, ImageFormat::Png))
                .unwrap()
                .get_pixel(0, 0)
                .0,
            [90, 90, 90]
        );
        let clear = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            8,
            8,
            image::Rgba([0, 0, 0, 0]),
        ));
        assert_eq!(
            decode(&encode(&clear, ImageFormat::Png))
                .unwrap()
                .get_pixel(0, 0)
                .0,
            [255, 255, 255]
        );
    }

    #[test]
    fn bad_bytes_are_typed_errors() {
        assert_eq!(decode(&[]), Err(ImageError::Empty));
        assert_eq!(
            decode(b"hello, this is text"),
            Err(ImageError::UnknownFormat)
        );
        let png = encode(
            &DynamicImage::ImageRgb8(RgbImage::new(64, 64)),
            ImageFormat::Png,
        );
        assert!(matches!(
            decode(&png[..png.len() / 2]),
            Err(ImageError::Corrupt(_))
        ));
    }

    #[test]
    fn truncated_jpeg_is_corrupt() {
        let noise = RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 13) as u8, (x ^ y) as u8])
        });
        let jpeg = encode(&DynamicImage::ImageRgb8(noise), ImageFormat::Jpeg);
        assert!(decode(&jpeg).is_ok());
        assert!(matches!(
            decode(&jpeg[..jpeg.len() * 2 / 3]),
            Err(ImageError::Corrupt(_))
        ));
        assert!(matches!(decode(&jpeg[..40]), Err(ImageError::Corrupt(_))));
    }

    #[test]
    fn absurd_header_is_refused_without_allocating() {
        // A valid PNG header claiming 100000x100000 pixels and no data.
        let mut png = encode(
            &DynamicImage::ImageRgb8(RgbImage::new(1, 1)),
            ImageFormat::Png,
        );
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // The IHDR chunk's CRC (over its type and data), so that the header reads as valid.
        let crc = crc32fast::hash(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            decode(&png),
            Err(ImageError::TooLarge {
                width: 100_000,
                height: 100_000
            })
        );
    }

    #[test]
    fn oversized_images_are_refused_with_their_size() {
        let strip = encode(
            &DynamicImage::ImageRgb8(RgbImage::new(25_000, 2)),
            ImageFormat::Png,
        );
        assert_eq!(
            decode(&strip),
            Err(ImageError::TooLarge {
                width: 25_000,
                height: 2
            })
        );
    }

    #[test]
    fn panoramas_are_trimmed_before_resizing() {
        let strip = RgbImage::new(20_000, 2);
        let resized = resize_short_side(&strip);
        assert_eq!(resized.dimensions(), (1024, 256));
        assert_eq!(
            resize_and_crop(&RgbImage::new(3, 5000)).dimensions(),
            (224, 224)
        );
    }

    #[test]
    fn rgba_buffer_must_match_its_size() {
        assert!(from_rgba(2, 2, &[0; 16]).is_ok());
        assert!(matches!(
            from_rgba(2, 2, &[0; 15]),
            Err(ImageError::BadBuffer { .. })
        ));
        assert_eq!(from_rgba(0, 2, &[]), Err(ImageError::NoPixels));
    }

    #[test]
    fn pipeline_gives_224_square_in_unit_range() {
        let image = RgbImage::from_fn(500, 300, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 0])
        });
        let crop = resize_and_crop(&image);
        assert_eq!(crop.dimensions(), (224, 224));
        let input = to_input(&crop);
        assert_eq!(input.len(), 3 * 224 * 224);
        assert!(input.iter().all(|v| (-1.0..=1.0).contains(v)));
    }

    #[test]
    fn exif_orientation_is_applied() {
        // A 4x2 JPEG tagged "rotate 90° clockwise" must come out 2x4.
        let jpeg = encode(
            &DynamicImage::ImageRgb8(RgbImage::new(4, 2)),
            ImageFormat::Jpeg,
        );
        let tagged = with_exif_orientation(&jpeg, 6);
        assert_eq!(decode(&tagged).unwrap().dimensions(), (2, 4));
    }

    /// Inserts an APP1 Exif segment holding only the orientation tag after the SOI marker.
    fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes());
        tiff.extend_from_slice(&0x0112u16.to_be_bytes());
        tiff.extend_from_slice(&3u16.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }
}
