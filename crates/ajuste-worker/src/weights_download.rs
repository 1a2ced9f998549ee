//! Fetches a file from the app's own origin, reporting progress chunk by chunk.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response, WorkerGlobalScope};

fn js_error(context: &str, error: wasm_bindgen::JsValue) -> String {
    format!(
        "{context}: {}",
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    )
}

pub async fn fetch_with_progress(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| js_error("cannot download the model weights", e))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "cannot download the model weights: HTTP {}",
            response.status()
        ));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|length| length.parse::<u64>().ok());
    let body = response.body().ok_or("the weights response has no body")?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_error("the weights download broke off", e))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(|e| js_error("read", e))?;
        if done.as_bool() == Some(true) {
            break;
        }
        let value =
            js_sys::Reflect::get(&chunk, &"value".into()).map_err(|e| js_error("read", e))?;
        bytes.extend_from_slice(&Uint8Array::new(&value).to_vec());
        on_progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}
