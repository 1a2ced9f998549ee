//! Files from pickers, drops and the clipboard, on their way to the engine, and files from
//! the engine, on their way to the user's downloads.

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, FileList, HtmlAnchorElement, Url};

/// How long a downloaded file's object URL outlives the click: the browser reads the blob
/// after the click returns, and some browsers only start a while later.
const DOWNLOAD_URL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);

use super::i18n::td_string;
use super::language::locale;
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
        .map_err(|_| td_string!(locale(), files.cannot_read, name = file.name()))?;
    Ok(Uint8Array::new(&buffer).into())
}

/// Object URLs hold the file in memory until revoked.
pub fn release_thumbnail(url: &str) {
    if url.starts_with("blob:") {
        let _ = Url::revoke_object_url(url);
    }
}

/// Adds picked, dropped or pasted files to a class, in order, a few at a time (`import.rs`),
/// each checked by the engine.
pub fn add_files(state: AppState, class: ClassModel, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    class.error.set(None);
    let files = files.into_iter().map(|file| (class, file)).collect();
    state.import_files(files, Vec::new(), Vec::new());
}

/// Hands `bytes` to the browser as a download named `name`: a blob, an object URL and a
/// temporary `<a download>` clicked once. Fails with a sentence for the user.
pub fn download(bytes: &Uint8Array, name: &str, mime: &str) -> Result<(), String> {
    let failed = |_| td_string!(locale(), files.download_refused, name);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&Array::of1(bytes), &options)
        .map_err(failed)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let link: HtmlAnchorElement = document()
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    // Some browsers only follow a link that is in the document.
    let body = document().body();
    if let Some(body) = &body {
        let _ = body.append_child(&link);
    }
    link.click();
    link.remove();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        DOWNLOAD_URL_LIFETIME,
    );
    Ok(())
}
