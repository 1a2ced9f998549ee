//! The camera, shared by every panel that films (one stream, several `<video>`s), and frame
//! grabs as RGBA for the engine.

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, DomException, HtmlCanvasElement, HtmlVideoElement, MediaDeviceInfo,
    MediaDeviceKind, MediaStream, MediaStreamConstraints, MediaStreamTrack,
};

/// Frames go to the engine at most this size on their short side: the engine brings them
/// to 256 anyway, and smaller frames cross to the worker faster.
const FRAME_SHORT_SIDE: u32 = 320;
const THUMBNAIL_SIDE: u32 = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct CameraChoice {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Copy)]
pub struct Camera {
    stream: StoredValue<Option<MediaStream>, LocalStorage>,
    pub choices: RwSignal<Vec<CameraChoice>>,
    /// A device id; empty for the browser's default camera.
    pub selected: RwSignal<String>,
}

fn describe(error: JsValue) -> String {
    let name = error
        .dyn_ref::<DomException>()
        .map(DomException::name)
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => "Camera permission denied: allow the camera for \
            this page in the browser's site settings, then try again."
            .into(),
        "NotFoundError" | "OverconstrainedError" => "No camera found.".into(),
        "NotReadableError" | "AbortError" => {
            "The camera is busy (another app may be using it).".into()
        }
        _ => format!("The camera could not start: {error:?}"),
    }
}

impl Camera {
    pub fn new() -> Self {
        Self {
            stream: StoredValue::new_local(None),
            choices: RwSignal::new(Vec::new()),
            selected: RwSignal::new(String::new()),
        }
    }

    /// The running stream, asking for permission the first time.
    pub async fn open(&self) -> Result<MediaStream, String> {
        if let Some(stream) = self.stream.get_value().filter(MediaStream::active) {
            return Ok(stream);
        }
        let devices = window()
            .navigator()
            .media_devices()
            .map_err(|_| "This browser gives no access to cameras.".to_string())?;
        let constraints = MediaStreamConstraints::new();
        let selected = self.selected.get_untracked();
        let video: JsValue = if selected.is_empty() {
            JsValue::TRUE
        } else {
            let exact = Object::new();
            let _ = Reflect::set(&exact, &"exact".into(), &selected.into());
            let video = Object::new();
            let _ = Reflect::set(&video, &"deviceId".into(), &exact);
            video.into()
        };
        constraints.set_video(&video);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(describe)?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(describe)?
            .unchecked_into();
        self.stream.set_value(Some(stream.clone()));
        // Labels are only readable once permission is granted.
        if let Ok(listing) = devices.enumerate_devices()
            && let Ok(list) = JsFuture::from(listing).await
        {
            let choices = js_sys::Array::from(&list)
                .iter()
                .map(MediaDeviceInfo::unchecked_from_js)
                .filter(|d| d.kind() == MediaDeviceKind::Videoinput)
                .enumerate()
                .map(|(i, d)| CameraChoice {
                    label: if d.label().is_empty() {
                        format!("Camera {}", i + 1)
                    } else {
                        d.label()
                    },
                    id: d.device_id(),
                })
                .collect();
            self.choices.set(choices);
        }
        Ok(stream)
    }

    pub fn close(&self) {
        if let Some(stream) = self.stream.get_value() {
            for track in stream.get_tracks().iter() {
                track.unchecked_into::<MediaStreamTrack>().stop();
            }
        }
        self.stream.set_value(None);
    }

    /// Shows the camera in `video`, opening it if needed.
    pub async fn attach(&self, video: &HtmlVideoElement) -> Result<(), String> {
        let stream = self.open().await?;
        video.set_muted(true);
        video.set_src_object(Some(&stream));
        let _ = video.play();
        Ok(())
    }
}

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
