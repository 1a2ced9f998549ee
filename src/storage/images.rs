//! Stored images: 8-bit RGB PNG (lossless, so that features after a reload are bit-identical),
//! at the size the engine keeps them.

use std::fmt;
use std::io::Cursor;
use std::sync::Arc;

use image::codecs::png::{CompressionType, FilterType, PngDecoder, PngEncoder};
use image::{ColorType, ImageDecoder, ImageEncoder, Limits, RgbImage};

use super::ProjectError;
use super::limits::{IMAGE_SHORT_SIDE, MAX_IMAGE_LONG_SIDE};

/// The PNG signature and the IHDR chunk that must follow it: all a size check needs.
pub const HEADER_BYTES: u64 = 33;
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const RGB8: (u8, u8) = (8, 2);

/// An image as the engine keeps it and a project file stores it: a PNG at the engine's size
/// (short side 256), about half the decoded size on photos, decoded where its pixels are
/// needed. Clones share the bytes; a project file is written from them as they are.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredImage {
    png: Arc<[u8]>,
    width: u32,
    height: u32,
}

impl StoredImage {
    /// Encodes an image already at the engine's size.
    pub fn encode(image: &RgbImage) -> Result<Self, ProjectError> {
        Ok(Self {
            png: encode(image)?.into(),
            width: image.width(),
            height: image.height(),
        })
    }

    /// Takes the PNG of a project entry named `name` once it decodes to an image of the
    /// engine's size: what is kept then always decodes.
    pub fn read(name: &str, png: Vec<u8>) -> Result<Self, ProjectError> {
        let (width, height) = decode(name, &png)?.dimensions();
        Ok(Self {
            png: png.into(),
            width,
            height,
        })
    }

    /// The pixels. Only bytes that were encoded here or checked by [`Self::read`] get in,
    /// so this cannot fail but for a bug.
    pub fn decode(&self) -> RgbImage {
        decode("a stored image", &self.png).expect("a stored image was checked when kept")
    }

    pub fn png(&self) -> &[u8] {
        &self.png
    }

    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The bytes its pixels take once decoded.
    pub fn pixel_bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height) * 3
    }
}

/// Size and bytes, not the bytes themselves: a failed comparison stays readable.
impl fmt::Debug for StoredImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "StoredImage({}×{}, {} PNG bytes)",
            self.width,
            self.height,
            self.png.len()
        )
    }
}

fn encode(image: &RgbImage) -> Result<Vec<u8>, ProjectError> {
    let mut bytes = Vec::new();
    // On photos, fast compression is 7% larger than the default and ten times quicker.
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Adaptive)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ColorType::Rgb8.into(),
        )
        .map_err(|e| ProjectError::Write(e.to_string()))?;
    Ok(bytes)
}

/// What a stored image's header promises: its size, checked, and its decoded size in bytes.
pub fn check_header(name: &str, header: &[u8]) -> Result<u64, ProjectError> {
    let bad = |reason: &str| ProjectError::BadImage {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if header.len() < HEADER_BYTES as usize || !header.starts_with(SIGNATURE) {
        return Err(bad("not a PNG file"));
    }
    if &header[12..16] != b"IHDR" {
        return Err(bad("a PNG file without its header"));
    }
    let number = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let (width, height) = (number(16), number(20));
    check_size(name, width, height)?;
    if (header[24], header[25]) != RGB8 {
        return Err(bad("not 8-bit RGB"));
    }
    Ok(u64::from(width) * u64::from(height) * 3)
}

/// The size the engine keeps images at: short side 256, long side within its aspect limit.
pub fn check_size(name: &str, width: u32, height: u32) -> Result<(), ProjectError> {
    if width.min(height) != IMAGE_SHORT_SIDE || width.max(height) > MAX_IMAGE_LONG_SIDE {
        return Err(ProjectError::ImageSize {
            name: name.to_string(),
            width,
            height,
        });
    }
    Ok(())
}

/// Decodes a stored image whose header [`check_header`] accepted.
pub fn decode(name: &str, bytes: &[u8]) -> Result<RgbImage, ProjectError> {
    let bad = |reason: String| ProjectError::BadImage {
        name: name.to_string(),
        reason,
    };
    // Sides are left to `check_size`, which names them; the decoder's own buffers stay
    // within what the largest stored image needs.
    let mut limits = Limits::default();
    let largest = u64::from(MAX_IMAGE_LONG_SIDE) * u64::from(IMAGE_SHORT_SIDE) * 3;
    limits.max_alloc = Some(2 * largest);
    let decoder =
        PngDecoder::with_limits(Cursor::new(bytes), limits).map_err(|e| bad(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    check_size(name, width, height)?;
    if decoder.color_type() != ColorType::Rgb8 {
        return Err(bad("not 8-bit RGB".into()));
    }
    let mut pixels = vec![0; decoder.total_bytes() as usize];
    decoder
        .read_image(&mut pixels)
        .map_err(|e| bad(e.to_string()))?;
    Ok(RgbImage::from_raw(width, height, pixels).expect("3 bytes per pixel"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(width: u32, height: u32) -> RgbImage {
        let mut state = 1u32;
        RgbImage::from_fn(width, height, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(state >> 24) as u8, (state >> 16) as u8, (state >> 8) as u8])
        })
    }

    #[test]
    fn images_survive_png_exactly() {
        for (width, height) in [(256, 256), (341, 256), (256, 1024)] {
            let image = noise(width, height);
            let png = encode(&image).unwrap();
            let header = &png[..HEADER_BYTES as usize];
            assert_eq!(
                check_header("x", header).unwrap(),
                u64::from(width * height * 3)
            );
            assert_eq!(decode("x", &png).unwrap(), image);
        }
    }

    #[test]
    fn a_stored_image_keeps_its_png_and_gives_the_same_pixels() {
        let image = noise(341, 256);
        let stored = StoredImage::encode(&image).unwrap();
        assert_eq!(stored.dimensions(), (341, 256));
        assert_eq!(stored.pixel_bytes(), 341 * 256 * 3);
        assert_eq!(stored.decode(), image);
        let read = StoredImage::read("x", stored.png().to_vec()).unwrap();
        assert_eq!(read, stored);
        let mut broken = stored.png().to_vec();
        broken.truncate(broken.len() / 2);
        assert!(matches!(
            StoredImage::read("x", broken),
            Err(ProjectError::BadImage { .. })
        ));
    }

    #[test]
    fn sizes_other_than_the_engines_are_refused() {
        for (width, height) in [(255, 256), (300, 300), (1025, 256), (256, 2000), (256, 100)] {
            let png = encode(&RgbImage::new(width, height)).unwrap();
            let size = ProjectError::ImageSize {
                name: "x".into(),
                width,
                height,
            };
            assert_eq!(check_header("x", &png), Err(size.clone()));
            assert_eq!(decode("x", &png), Err(size));
        }
    }

    #[test]
    fn only_rgb_pngs_are_stored_images() {
        let mut grey = Vec::new();
        PngEncoder::new(&mut grey)
            .write_image(&[0; 256 * 256], 256, 256, ColorType::L8.into())
            .unwrap();
        for bytes in [&grey[..], b"GIF89a and more bytes than a header has"] {
            assert!(matches!(
                check_header("x", bytes),
                Err(ProjectError::BadImage { .. })
            ));
            assert!(matches!(
                decode("x", bytes),
                Err(ProjectError::BadImage { .. })
            ));
        }
        let mut png = encode(&noise(256, 256)).unwrap();
        png.truncate(png.len() / 2);
        assert!(matches!(
            decode("x", &png),
            Err(ProjectError::BadImage { .. })
        ));
    }
}
