//! The envelope of a message between the page and the worker: a two-element JS array,
//! `[json, bytes]`, where `bytes` is a typed array (or undefined) whose buffer is transferred,
//! not copied.

use js_sys::{Array, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// A message ready for `postMessage(message, transfer)`.
pub struct Envelope {
    pub message: JsValue,
    pub transfer: Array,
}

/// `bytes` is any typed array over 8-bit data (a `Uint8Array` from a file, the
/// `Uint8ClampedArray` of an `ImageData`); its whole buffer moves to the receiver. Fails
/// when the body holds a value JSON cannot carry (see `finite`).
pub fn seal(body: &impl Serialize, bytes: Option<&JsValue>) -> Result<Envelope, String> {
    let json = serde_json::to_string(body).map_err(|e| e.to_string())?;
    let message = Array::new();
    message.push(&JsValue::from_str(&json));
    let transfer = Array::new();
    if let Some(bytes) = bytes {
        message.push(bytes);
        if let Ok(buffer) = js_sys::Reflect::get(bytes, &"buffer".into()) {
            transfer.push(&buffer);
        }
    }
    Ok(Envelope {
        message: message.into(),
        transfer,
    })
}

/// Why a message could not be opened, with its JSON when it had some.
pub struct Unopened {
    pub error: String,
    pub json: Option<String>,
}

/// The body of a message and the bytes beside it, if any.
pub fn open<T: DeserializeOwned>(data: &JsValue) -> Result<(T, Option<Vec<u8>>), Unopened> {
    let unopened = |error: &str, json: Option<String>| Unopened {
        error: error.to_string(),
        json,
    };
    let parts: &Array = data
        .dyn_ref()
        .ok_or_else(|| unopened("a message that is not an envelope", None))?;
    let json = parts
        .get(0)
        .as_string()
        .ok_or_else(|| unopened("an envelope without a body", None))?;
    let body = match serde_json::from_str(&json) {
        Ok(body) => body,
        Err(error) => return Err(unopened(&error.to_string(), Some(json))),
    };
    let bytes = parts.get(1);
    let bytes = (!bytes.is_undefined()).then(|| Uint8Array::new(&bytes).to_vec());
    Ok((body, bytes))
}
