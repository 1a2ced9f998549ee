//! Files from pickers, drops and the clipboard, on their way to the engine.

use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileList, Url};

use super::state::{AppState, ClassModel};

pub fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The file's bytes, as a typed array that can move to the worker without a copy.
pub async fn read(file: &File) -> Result<JsValue, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("{}: cannot read the file", file.name()))?;
    Ok(Uint8Array::new(&buffer).into())
}

/// Object URLs hold the file in memory until revoked.
pub fn release_thumbnail(url: &str) {
    if url.starts_with("blob:") {
        let _ = Url::revoke_object_url(url);
    }
}

/// Adds picked, dropped or pasted files to a class, in order, each checked by the engine.
pub fn add_files(state: AppState, class: ClassModel, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    class.error.set(None);
    leptos::task::spawn_local(async move {
        for file in files {
            match read(&file).await {
                Ok(bytes) => {
                    let thumbnail = Url::create_object_url_with_blob(&file).unwrap_or_default();
                    state.add_file(class, file, thumbnail, &bytes);
                }
                Err(message) => class.error.set(Some(message)),
            }
        }
    });
}
