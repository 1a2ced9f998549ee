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
/// `Uint8ClampedArray` of an `ImageData`); its whole buffer moves to the receiver.
pub fn seal(body: &impl Serialize, bytes: Option<&JsValue>) -> Envelope {
    let json = serde_json::to_string(body).expect("protocol types serialise");
    let message = Array::new();
    message.push(&JsValue::from_str(&json));
    let transfer = Array::new();
    if let Some(bytes) = bytes {
        message.push(bytes);
        if let Ok(buffer) = js_sys::Reflect::get(bytes, &"buffer".into()) {
            transfer.push(&buffer);
        }
    }
    Envelope {
        message: message.into(),
        transfer,
    }
}

/// The body of a message and the bytes beside it, if any.
pub fn open<T: DeserializeOwned>(data: &JsValue) -> Result<(T, Option<Vec<u8>>), String> {
    let parts: &Array = data
        .dyn_ref()
        .ok_or_else(|| "a message that is not an envelope".to_string())?;
    let json = parts
        .get(0)
        .as_string()
        .ok_or_else(|| "an envelope without a body".to_string())?;
    let body = serde_json::from_str(&json).map_err(|e| format!("unreadable message: {e}"))?;
    let bytes = parts.get(1);
    let bytes = (!bytes.is_undefined()).then(|| Uint8Array::new(&bytes).to_vec());
    Ok((body, bytes))
}
