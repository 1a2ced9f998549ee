//! How much of a project file is read, at most. Each limit is far above what a person builds
//! in the page and far below what would exhaust a browser tab's memory, which a crafted file
//! (a zip bomb, or a PNG that is small on disk and huge decoded) would otherwise do.

use crate::data::image::{MAX_ASPECT_RATIO, RESIZE_SHORT_SIDE};

/// The images, plus the manifest and the classifier's two files.
pub const MAX_ENTRIES: u64 = 20_000;
/// The project file itself: everything unpacked, plus room for the zip's own headers.
pub const MAX_FILE_BYTES: u64 = MAX_TOTAL_BYTES + (64 << 20);
/// All entries read, unpacked, together.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// `manifest.json`, and the classifier's manifest. Even 20 000 image names and a 100-class
/// confusion matrix take well under a megabyte.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// One stored image: the largest (256 × 1024 RGB) is 768 KiB even as a PNG that does not
/// compress at all.
pub const MAX_IMAGE_BYTES: u64 = 4 << 20;
/// The classifier's weights: every backbone block fine-tuned, in f32, is about 14 MB.
pub const MAX_CLASSIFIER_BYTES: u64 = crate::train::export::MAX_WEIGHTS_BYTES as u64;
/// The decoded images together (RGB, 3 bytes a pixel): about 4000 photos at 256 × 341.
pub const MAX_PIXEL_BYTES: u64 = 1 << 30;

/// Stored images are as the engine keeps them: short side 256, and the long side at most the
/// engine's aspect-ratio limit times that.
pub const IMAGE_SHORT_SIDE: u32 = RESIZE_SHORT_SIDE as u32;
pub const MAX_IMAGE_LONG_SIDE: u32 = IMAGE_SHORT_SIDE * MAX_ASPECT_RATIO;
