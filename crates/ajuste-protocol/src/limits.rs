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
/// A project or model file bigger than this is refused before it is read (the project reader
/// has its own, finer limits).
pub const MAX_PROJECT_BYTES: usize = (1 << 30) + (64 << 20);
/// Thumbnails of opened projects fit in this many pixels a side.
pub const THUMBNAIL_SIDE: u32 = 128;
