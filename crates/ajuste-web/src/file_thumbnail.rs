//! A file's picture for the page: at most [`THUMBNAIL_SIDE`] pixels a side, as a small JPEG
//! data URL. An object URL of the file itself would keep every full-size photo alive (and
//! decoded, once shown) for as long as the page shows it.

use ajuste_protocol::limits::THUMBNAIL_SIDE;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, ImageBitmap};

use super::frames::new_canvas;

/// `width`×`height` brought down (never up) so that its long side fits in `side`.
fn fitted(width: u32, height: u32, side: u32) -> (u32, u32) {
    let scale = (side as f64 / width.max(height) as f64).min(1.0);
    (
        ((width as f64 * scale).round() as u32).max(1),
        ((height as f64 * scale).round() as u32).max(1),
    )
}

/// None when the browser cannot decode the file (the engine says why it refuses it).
pub async fn small_thumbnail(file: &Blob) -> Option<String> {
    let decoding = web_sys::window()?
        .create_image_bitmap_with_blob(file)
        .ok()?;
    let bitmap: ImageBitmap = JsFuture::from(decoding).await.ok()?.unchecked_into();
    let picture = draw(&bitmap);
    // The decoded pixels go now, not when the collector gets to them.
    bitmap.close();
    picture
}

fn draw(bitmap: &ImageBitmap) -> Option<String> {
    let (width, height) = fitted(bitmap.width(), bitmap.height(), THUMBNAIL_SIDE);
    let canvas = new_canvas()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, width as f64, height as f64)
        .ok()?;
    canvas.to_data_url_with_type("image/jpeg").ok()
}
