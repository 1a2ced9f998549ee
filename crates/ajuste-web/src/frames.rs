//! Frame grabs from a `<video>`: RGBA pixels for the engine, and a small picture for the page.

use js_sys::{Object, Reflect, Uint8Array, Uint8ClampedArray};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageData};

/// Frames go to the engine at most this size on their short side: the engine brings them
/// to 256 anyway, and smaller frames cross to the worker faster.
const FRAME_SHORT_SIDE: u32 = 320;
const THUMBNAIL_SIDE: u32 = 64;

/// A video frame as the engine wants it, and a small picture of it for the page.
pub struct Frame {
    /// A `Uint8ClampedArray` of RGBA pixels.
    pub rgba: JsValue,
    pub width: u32,
    pub height: u32,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    let options = Object::new();
    let _ = Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE);
    canvas
        .get_context_with_context_options("2d", &options)
        .ok()
        .flatten()
        .map(JsCast::unchecked_into)
}

fn scaled(width: u32, height: u32, short_side: u32) -> (u32, u32) {
    let scale = (short_side as f64 / width.min(height) as f64).min(1.0);
    (
        ((width as f64 * scale).round() as u32).max(1),
        ((height as f64 * scale).round() as u32).max(1),
    )
}

pub fn new_canvas() -> Option<HtmlCanvasElement> {
    document()
        .create_element("canvas")
        .ok()
        .map(JsCast::unchecked_into)
}

/// The current frame of `video` (None until the video has one).
pub fn grab(video: &HtmlVideoElement, canvas: &HtmlCanvasElement) -> Option<Frame> {
    let (width, height) = (video.video_width(), video.video_height());
    // Until HAVE_CURRENT_DATA a freshly opened camera draws black.
    if width == 0 || height == 0 || video.ready_state() < 2 {
        return None;
    }
    let (width, height) = scaled(width, height, FRAME_SHORT_SIDE);
    canvas.set_width(width);
    canvas.set_height(height);
    let context = context(canvas)?;
    context
        .draw_image_with_html_video_element_and_dw_and_dh(
            video,
            0.0,
            0.0,
            width as f64,
            height as f64,
        )
        .ok()?;
    let pixels = context
        .get_image_data(0.0, 0.0, width as f64, height as f64)
        .ok()?;
    let rgba = Reflect::get(&pixels, &"data".into()).ok()?;
    Some(Frame {
        rgba,
        width,
        height,
    })
}

/// A small JPEG of what `canvas` holds (after [`grab`]).
pub fn thumbnail(canvas: &HtmlCanvasElement, scratch: &HtmlCanvasElement) -> String {
    let (width, height) = scaled(canvas.width(), canvas.height(), THUMBNAIL_SIDE);
    scratch.set_width(width);
    scratch.set_height(height);
    if let Some(context) = context(scratch) {
        let _ = context.draw_image_with_html_canvas_element_and_dw_and_dh(
            canvas,
            0.0,
            0.0,
            width as f64,
            height as f64,
        );
    }
    scratch
        .to_data_url_with_type("image/jpeg")
        .unwrap_or_default()
}

/// A JPEG data URL of `width`×`height` RGBA pixels (an opened project's thumbnail), or None
/// when the pixels do not fill that size. JPEG: a project can hold thousands of images, and
/// their pictures stay in the page as text.
pub fn rgba_picture(rgba: &Uint8Array, width: u32, height: u32) -> Option<String> {
    let expected = u64::from(width) * u64::from(height) * 4;
    if width == 0 || height == 0 || u64::from(rgba.length()) != expected {
        return None;
    }
    // A view of the same memory, as `ImageData` wants it.
    let clamped = Uint8ClampedArray::new_with_byte_offset_and_length(
        &rgba.buffer(),
        rgba.byte_offset(),
        rgba.length(),
    );
    let pixels = ImageData::new_with_js_u8_clamped_array_and_sh(&clamped, width, height).ok()?;
    let canvas = new_canvas()?;
    canvas.set_width(width);
    canvas.set_height(height);
    context(&canvas)?.put_image_data(&pixels, 0.0, 0.0).ok()?;
    canvas.to_data_url_with_type("image/jpeg").ok()
}
