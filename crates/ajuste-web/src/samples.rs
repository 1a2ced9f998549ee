//! The images of the classes: shown at once, sent to the engine, which decodes and checks
//! them; each one's source is kept so that a restarted engine gets it again.

use ajuste_protocol::{ClassId, Command, EngineError, ImageEncoding, SampleId};
use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File};

use super::files::{read, release_thumbnail};
use super::frames::Frame;
use super::messages;
use super::saving::Stage;
use super::state::{AppState, ClassModel, SampleModel};

/// What a sample was made from.
#[derive(Clone)]
pub enum SampleSource {
    File(File),
    /// A copy of a webcam frame's RGBA pixels (in JS memory, not the page's wasm memory).
    Frame {
        rgba: Uint8Array,
        width: u32,
        height: u32,
    },
    /// The PNG the engine kept, from this device's storage (`records.rs`).
    Stored(Blob),
}

impl SampleSource {
    pub(super) fn encoding(&self) -> ImageEncoding {
        match self {
            Self::File(_) => ImageEncoding::File,
            Self::Frame { width, height, .. } => ImageEncoding::Rgba {
                width: *width,
                height: *height,
            },
            Self::Stored(_) => ImageEncoding::Stored,
        }
    }

    /// For a stored image, its read started now, to await later: reads from IndexedDB's blobs
    /// take a round trip each, so a restore overlaps them (`resend.rs`).
    pub(super) fn start_read(&self) -> Option<JsFuture> {
        match self {
            Self::Stored(png) => Some(JsFuture::from(png.array_buffer())),
            _ => None,
        }
    }

    /// Fresh bytes to move to the worker (the kept copy stays).
    pub(super) async fn bytes(&self) -> Result<JsValue, String> {
        match self {
            Self::File(file) => read(file).await,
            Self::Frame { rgba, .. } => Ok(rgba.slice(0, rgba.length()).into()),
            Self::Stored(png) => (JsFuture::from(png.array_buffer()).await)
                .map(|buffer| Uint8Array::new(&buffer).into())
                .map_err(|_| messages::stored_image_unreadable()),
        }
    }
}

/// The length of a typed array, for the same size checks the engine makes.
pub fn byte_length(bytes: &JsValue) -> Option<usize> {
    js_sys::Reflect::get(bytes, &"byteLength".into())
        .ok()?
        .as_f64()
        .map(|n| n as usize)
}

impl AppState {
    /// Adds a file already read into `bytes` (which move to the engine); its new id.
    pub fn add_file(
        &self,
        class: ClassModel,
        file: File,
        thumbnail: String,
        bytes: &JsValue,
    ) -> SampleId {
        let name = file.name();
        self.add_sample(class, name, thumbnail, SampleSource::File(file), bytes)
    }

    /// Adds a webcam frame (its pixels move to the engine; a copy stays).
    pub fn add_frame(&self, class: ClassModel, name: String, thumbnail: String, frame: Frame) {
        let source = SampleSource::Frame {
            // `new Uint8Array(typedArray)` copies: the frame's own buffer moves to the engine.
            rgba: Uint8Array::new(&frame.rgba),
            width: frame.width,
            height: frame.height,
        };
        self.add_sample(class, name, thumbnail, source, &frame.rgba);
    }

    /// Shows the image at once (pending) and sends it; its new id.
    fn add_sample(
        &self,
        class: ClassModel,
        name: String,
        thumbnail: String,
        source: SampleSource,
        bytes: &JsValue,
    ) -> SampleId {
        let sample = self.fresh_id();
        let encoding = source.encoding();
        self.sources.update_value(|sources| {
            sources.insert(sample, source);
        });
        class.samples.update(|samples| {
            samples.push(SampleModel {
                id: sample,
                name,
                thumbnail: RwSignal::new(thumbnail),
                accepted: RwSignal::new(false),
            })
        });
        // Opening the project kept on this device replaces every image the engine has: an
        // image added before it opens waits for it (`restore.rs`).
        if self.autosave_stage.get_untracked() == Stage::Restoring {
            self.autosave
                .update_value(|memory| memory.held.push(sample));
        } else {
            self.send_sample(class.id, sample, encoding, bytes);
        }
        sample
    }

    /// Checks the image as the engine will, then sends it.
    pub(super) fn send_sample(
        &self,
        class: ClassId,
        sample: SampleId,
        encoding: ImageEncoding,
        bytes: &JsValue,
    ) {
        let command = Command::AddSample {
            class,
            sample,
            encoding,
        };
        match command.validate(byte_length(bytes)) {
            Ok(()) => self.send(&command, Some(bytes)),
            Err(invalid) => {
                let error = EngineError::from(invalid);
                self.drop_sample(class, sample, |name| {
                    messages::sample_rejected(name, &error)
                });
            }
        }
    }

    pub fn remove_sample(&self, class: ClassModel, sample: SampleId) {
        self.take_sample(class, sample);
        self.send(&Command::RemoveSample { sample }, None);
    }

    /// Takes a sample the engine (or the page) refused off its class, saying why (`why` gets
    /// the sample's name). Nothing to say if the user removed it meanwhile.
    pub(super) fn drop_sample(
        &self,
        class: ClassId,
        sample: SampleId,
        why: impl FnOnce(&str) -> String,
    ) {
        self.import_settled(sample, false);
        let Some(class) = self.find_class(class) else {
            return;
        };
        if let Some(removed) = self.take_sample(class, sample) {
            class.error.set(Some(why(&removed.name)));
        }
    }

    /// Takes a sample off its class and forgets its source.
    fn take_sample(&self, class: ClassModel, sample: SampleId) -> Option<SampleModel> {
        let mut removed = None;
        class.samples.update(|samples| {
            if let Some(index) = samples.iter().position(|s| s.id == sample) {
                removed = Some(samples.remove(index));
            }
        });
        if let Some(removed) = &removed {
            self.forget_source(removed);
        }
        removed
    }

    pub(super) fn forget_source(&self, sample: &SampleModel) {
        sample
            .thumbnail
            .try_with_untracked(|url| release_thumbnail(url));
        self.sources.update_value(|sources| {
            sources.remove(&sample.id);
        });
    }
}
