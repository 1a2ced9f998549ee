//! The camera, shared by every panel that films: one stream, shown in any number of
//! `<video>`s ("viewers"). The stream opens with the first viewer and its tracks stop with
//! the last, so the camera light is on exactly while some preview shows it (`live`).

use std::collections::HashMap;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, HtmlVideoElement, MediaDeviceInfo, MediaDeviceKind, MediaDevices, MediaStream,
    MediaStreamConstraints, MediaStreamTrack,
};

use super::i18n::td_string;
use super::language::locale;

#[derive(Clone, Debug, PartialEq)]
pub struct CameraChoice {
    pub id: String,
    pub label: String,
}

/// A panel's claim on the camera; see [`Camera::viewer`].
pub type Viewer = u64;

#[derive(Clone, Copy)]
pub struct Camera {
    stream: StoredValue<Option<MediaStream>, LocalStorage>,
    viewers: StoredValue<HashMap<Viewer, HtmlVideoElement>, LocalStorage>,
    next_viewer: StoredValue<Viewer>,
    /// The stream runs (the page's `data-camera`).
    pub live: RwSignal<bool>,
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
        "NotAllowedError" | "SecurityError" => td_string!(locale(), camera.denied).into(),
        "NotFoundError" | "OverconstrainedError" => td_string!(locale(), camera.missing).into(),
        "NotReadableError" | "AbortError" => td_string!(locale(), camera.busy).into(),
        _ => td_string!(locale(), camera.failed, detail = &format!("{error:?}")),
    }
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

fn show(video: &HtmlVideoElement, stream: &MediaStream) {
    // Setting the same stream again would restart the video (and lose its current frame).
    let shown = video
        .src_object()
        .is_some_and(|current| Object::is(&current, stream));
    if !shown {
        video.set_muted(true);
        video.set_src_object(Some(stream));
        let _ = video.play();
    }
}

impl Camera {
    pub fn new() -> Self {
        Self {
            stream: StoredValue::new_local(None),
            viewers: StoredValue::new_local(HashMap::new()),
            next_viewer: StoredValue::new(1),
            live: RwSignal::new(false),
            choices: RwSignal::new(Vec::new()),
            selected: RwSignal::new(String::new()),
        }
    }

    /// A new viewer id, for a panel that may show the camera.
    pub fn viewer(&self) -> Viewer {
        let id = self.next_viewer.get_value();
        self.next_viewer.set_value(id + 1);
        id
    }

    /// Shows the camera in `video`, opening it if needed (asking for permission the first
    /// time). `Ok(false)` when the viewer was released while the camera opened.
    pub async fn attach(&self, viewer: Viewer, video: &HtmlVideoElement) -> Result<bool, String> {
        self.viewers.update_value(|viewers| {
            viewers.insert(viewer, video.clone());
        });
        let stream = match self.open().await {
            Ok(stream) => stream,
            Err(message) => {
                self.release(viewer);
                return Err(message);
            }
        };
        if !self.viewers.with_value(|v| v.contains_key(&viewer)) {
            self.close_if_unwatched();
            return Ok(false);
        }
        show(video, &stream);
        Ok(true)
    }

    /// The panel no longer shows the camera; the last one out stops it.
    pub fn release(&self, viewer: Viewer) {
        let video = self
            .viewers
            .try_update_value(|viewers| viewers.remove(&viewer))
            .flatten();
        if let Some(video) = video {
            video.set_src_object(None);
        }
        self.close_if_unwatched();
    }

    /// Switches to another camera, showing it wherever the old one showed.
    pub async fn switch(&self, device: String) -> Result<(), String> {
        self.selected.set(device);
        self.close();
        if self.viewers.with_value(HashMap::is_empty) {
            return Ok(());
        }
        let stream = self.open().await?;
        let videos: Vec<_> = self.viewers.with_value(|v| v.values().cloned().collect());
        for video in &videos {
            show(video, &stream);
        }
        self.close_if_unwatched();
        Ok(())
    }

    fn close_if_unwatched(&self) {
        if self.viewers.with_value(HashMap::is_empty) {
            self.close();
        }
    }

    fn close(&self) {
        if let Some(stream) = self.stream.get_value() {
            stop_tracks(&stream);
        }
        self.stream.set_value(None);
        self.live.set(false);
    }

    /// The running stream, asking for permission the first time.
    async fn open(&self) -> Result<MediaStream, String> {
        if let Some(stream) = self.stream.get_value().filter(MediaStream::active) {
            return Ok(stream);
        }
        let devices = window()
            .navigator()
            .media_devices()
            .map_err(|_| td_string!(locale(), camera.no_access).to_string())?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_video(&self.video_constraint());
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(describe)?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(describe)?
            .unchecked_into();
        // Two panels may have asked at once: keep one stream, stop the other.
        if let Some(running) = self.stream.get_value().filter(MediaStream::active) {
            stop_tracks(&stream);
            return Ok(running);
        }
        self.stream.set_value(Some(stream.clone()));
        self.live.set(true);
        self.list_cameras(&devices).await;
        Ok(stream)
    }

    fn video_constraint(&self) -> JsValue {
        let selected = self.selected.get_untracked();
        if selected.is_empty() {
            return JsValue::TRUE;
        }
        let exact = Object::new();
        let _ = Reflect::set(&exact, &"exact".into(), &selected.into());
        let video = Object::new();
        let _ = Reflect::set(&video, &"deviceId".into(), &exact);
        video.into()
    }

    /// Labels are only readable once permission is granted.
    async fn list_cameras(&self, devices: &MediaDevices) {
        let Ok(listing) = devices.enumerate_devices() else {
            return;
        };
        let Ok(list) = JsFuture::from(listing).await else {
            return;
        };
        let choices = js_sys::Array::from(&list)
            .iter()
            .map(MediaDeviceInfo::unchecked_from_js)
            .filter(|d| d.kind() == MediaDeviceKind::Videoinput)
            .enumerate()
            .map(|(i, d)| CameraChoice {
                label: if d.label().is_empty() {
                    td_string!(locale(), camera.camera_n, n = i + 1)
                } else {
                    d.label()
                },
                id: d.device_id(),
            })
            .collect();
        self.choices.set(choices);
    }
}
