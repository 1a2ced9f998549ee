//! A small file that claims a huge image is refused before the decoder allocates for it:
//! this binary counts every allocation and checks the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ajuste::data::image::{ImageError, decode};
use image::{DynamicImage, ImageFormat, RgbImage};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(live, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A valid 1×1 PNG whose header then claims `width` × `height` (checksum fixed).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::new(1, 1))
        .write_to(&mut bytes, ImageFormat::Png)
        .unwrap();
    let mut png = bytes.into_inner();
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn images_claiming_too_many_pixels_are_refused_without_allocating_them() {
    // 18000 × 18000: each side is allowed, the 324 megapixels (1.3 GB as RGBA) are not.
    let cases = [(18_000, 18_000), (20_000, 5_001), (12_000, 9_000)];
    for (width, height) in cases {
        let png = png_claiming(width, height);
        PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
        let before = LIVE.load(Ordering::SeqCst);
        let result = decode(&png);
        let peak = PEAK.load(Ordering::SeqCst) - before;
        println!(
            "{width}×{height} ({} bytes): {result:?}, peak allocation {peak} bytes",
            png.len()
        );
        assert_eq!(result, Err(ImageError::TooManyPixels { width, height }));
        assert!(peak < 1 << 20, "{peak} bytes allocated for a refused image");
    }
}
