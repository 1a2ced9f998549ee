//! The limits of every value the page can send, in one place: the page checks its inputs
//! against them before sending, and the engine checks every command again when it arrives
//! ([`crate::Command::validate`]), so that no message can reach the core out of range.

use crate::BACKBONE_BLOCKS;

/// Fine-tuning unfreezes at most every MBConv block.
pub const MAX_FREEZE_DEPTH: usize = BACKBONE_BLOCKS;
pub const MAX_EPOCHS: usize = 1000;
pub const MAX_BATCH_SIZE: usize = 1024;
/// The learning rate is in `(0, MAX_LEARNING_RATE]`.
pub const MAX_LEARNING_RATE: f64 = 1.0;
/// Held out per class, at most; training needs the rest.
pub const MAX_VALIDATION_SHARE: f64 = 0.5;
pub const MIN_CLASSES: usize = 2;
pub const MAX_CLASSES: usize = 100;
/// In characters, after trimming.
pub const MAX_CLASS_NAME_CHARS: usize = 60;
/// A file bigger than this is refused before decoding.
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// A side longer than this is refused before decoding (as the decoder does with headers).
pub const MAX_IMAGE_SIDE: u32 = 20_000;
/// More pixels than this are refused before decoding: a small file can claim a huge image,
/// and decoding it would allocate gigabytes (100 MP as RGBA is 400 MB).
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;
/// A project or model file bigger than this is refused before it is read: the project
/// reader's own limit on the file (`ajuste::storage::limits::MAX_FILE_BYTES`, which a test
/// there keeps equal), 3 GiB of entries and 64 MiB of zip records, for projects of 10,000
/// photos and more; the reader has finer limits inside. Under 4 GiB, so that it is a `usize`
/// on wasm32, where the engine holds the file in memory (a file that large may still not fit
/// there beside the images it unpacks).
pub const MAX_PROJECT_BYTES: usize = (3 << 30) + (64 << 20);
/// Numbers in a row of transfer-learning features (EfficientNet-Lite0's pooled channels).
pub const FEATURE_LEN: usize = 1280;
/// Samples named in one features command: the page asks a few hundred at a time.
pub const MAX_FEATURE_SAMPLES: usize = 1000;
/// A weights fingerprint is a hash's hex digits: far shorter than this.
pub const MAX_FINGERPRINT_CHARS: usize = 128;
/// Thumbnails of opened projects fit in this many pixels a side.
pub const THUMBNAIL_SIDE: u32 = 128;
