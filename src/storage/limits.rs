//! How much of a project file is read, at most. Each limit is above what a person builds (a
//! project of 10,000 photos fits with room to spare) and below what a crafted file could make
//! reading spend: a zip bomb (an entry small on disk that inflates without end), a directory of
//! millions of entries, PNGs that are small on disk and huge decoded. Writing applies the same
//! limits, so that every file written opens again.
//!
//! Where the file is read matters: the CLI reads it from disk, entry after entry, and keeps
//! the images as PNGs; the page's engine runs in wasm32, where everything shares a 4 GiB
//! address space, and holds the file it opens in memory while it keeps those PNGs. So the
//! file must stay under 4 GiB (which also keeps every offset in it clear of zip64), and on
//! the page a file of a few GiB may still not fit beside the PNGs it unpacks: these limits
//! guard against hostile files, not a browser tab's memory.

use crate::data::image::{MAX_ASPECT_RATIO, RESIZE_SHORT_SIDE};

/// The images, plus the manifest, the classifier's two files and the stored features:
/// 10,000 photos with room to spare. The zip reader allocates for every entry of the
/// directory before anything is read, so this count is checked on the raw end record first.
/// Under 65,535, so a file this app writes never needs zip64 records for its entry count
/// (reading takes them all the same).
pub const MAX_ENTRIES: u64 = 25_000;
/// The project file itself: everything unpacked, plus room for the zip's own records (about
/// 150 bytes an entry: local header, data descriptor and directory entry, 4 MB at
/// [`MAX_ENTRIES`]; stored PNGs do not grow). 3 GiB + 64 MiB: under 4 GiB, the most a wasm32
/// engine could hold (the page's `ajuste_protocol::limits::MAX_PROJECT_BYTES` is this).
pub const MAX_FILE_BYTES: u64 = MAX_TOTAL_BYTES + (64 << 20);
/// All entries read, unpacked, together. 10,000 photos as stored (PNG at 256 × 341, about
/// 100–200 KB each) are 1–2 GB, their stored features 51 MB, a fine-tuned classifier 14 MB.
pub const MAX_TOTAL_BYTES: u64 = 3 << 30;
/// `manifest.json`, and the classifier's manifest. Even 25,000 image names and a 100-class
/// confusion matrix take well under a megabyte.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// One stored image: the largest (256 × 1024 RGB) is 768 KiB even as a PNG that does not
/// compress at all.
pub const MAX_IMAGE_BYTES: u64 = 4 << 20;
/// The classifier's weights: every backbone block fine-tuned, in f32, is about 14 MB.
pub const MAX_CLASSIFIER_BYTES: u64 = crate::train::export::MAX_WEIGHTS_BYTES as u64;
/// The decoded images together (RGB, 3 bytes a pixel), checked on their PNG headers before
/// any is decoded. Reading decodes each image once, to check it, and keeps only its PNG, so
/// this bounds the time a file can make reading spend decoding (PNGs of a few KB that decode
/// to 768 KiB each), not memory. 10,000 photos at 256 × 341 are 2.4 GiB; 10,000 of the
/// widest images the engine keeps (256 × 1024) are 7.3 GiB, and fit too.
pub const MAX_PIXEL_BYTES: u64 = 8 << 30;

/// Stored images are as the engine keeps them: short side 256, and the long side at most the
/// engine's aspect-ratio limit times that.
pub const IMAGE_SHORT_SIDE: u32 = RESIZE_SHORT_SIDE as u32;
pub const MAX_IMAGE_LONG_SIDE: u32 = IMAGE_SHORT_SIDE * MAX_ASPECT_RATIO;

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    /// A project of 10,000 photos: PNGs of up to 200 KB, their stored features, a fine-tuned
    /// classifier, a manifest.
    #[test]
    fn ten_thousand_photos_fit_with_room() {
        let photos = 10_000;
        let features = photos * crate::model::FEATURE_CHANNELS as u64 * 4;
        let unpacked = photos * 200_000 + features + MAX_CLASSIFIER_BYTES + 2 * MAX_MANIFEST_BYTES;
        assert!(unpacked > GIB, "beyond the old limit");
        assert!(unpacked < MAX_TOTAL_BYTES * 3 / 4, "{unpacked}");
        assert!(photos + 5 < MAX_ENTRIES * 3 / 4);
        let photo_pixels = u64::from(IMAGE_SHORT_SIDE) * 341 * 3;
        let widest_pixels = u64::from(IMAGE_SHORT_SIDE * MAX_IMAGE_LONG_SIDE) * 3;
        assert!(photos * photo_pixels < MAX_PIXEL_BYTES / 3);
        assert!(photos * widest_pixels < MAX_PIXEL_BYTES);
    }

    /// The file stays under 4 GiB: a wasm32 engine can hold it (its length is a `usize`
    /// there), and no offset or size in it needs zip64; no entry count needs it either.
    #[test]
    fn no_project_file_needs_zip64_or_more_than_wasm32_holds() {
        assert!(MAX_FILE_BYTES < u64::from(u32::MAX));
        assert!(MAX_ENTRIES < u64::from(u16::MAX));
        // Local header (30) and directory entry (46) with a name of at most 40 bytes each, and
        // a data descriptor (16), for every entry; the end records.
        let records = MAX_ENTRIES * (30 + 46 + 2 * 40 + 16) + 22 + 56 + 20;
        assert!(MAX_TOTAL_BYTES + records < MAX_FILE_BYTES);
    }

    /// The page refuses a project file by its size with the same number.
    #[test]
    fn the_page_agrees_on_the_largest_file() {
        assert_eq!(
            ajuste_protocol::limits::MAX_PROJECT_BYTES as u64,
            MAX_FILE_BYTES
        );
    }
}
