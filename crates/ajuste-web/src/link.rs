//! The page's end of the engine worker: commands out, events in. Whatever arrives is handed
//! on, including what could not be read and the worker's own death, so that the page can
//! show it instead of waiting.

use std::cell::RefCell;
use std::rc::Rc;

use ajuste_protocol::{Command, Event, wire};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::messages;

/// The loader Trunk writes for the `ajuste-worker` binary (index.html, `data-loader-shim`).
const WORKER_SCRIPT: &str = "ajuste-worker_loader.js";

/// What comes out of the worker.
pub enum Incoming {
    /// An event, and the bytes that came beside it (a file to save, a thumbnail's pixels).
    Event(Event, Option<Uint8Array>),
    /// A message that did not decode: why, and its JSON when it had some.
    Unreadable { error: String, json: Option<String> },
    /// The worker's `onerror`: a panic or a failed load. Nothing more will come.
    Crashed(String),
}

/// Messages for a worker that does not listen yet, in order.
type Held = Rc<RefCell<Option<Vec<wire::Envelope>>>>;

pub struct EngineLink {
    worker: Worker,
    /// A worker drops what arrives before its `onmessage` is set, and the engine sets it
    /// only once its wasm has loaded (a second or so): until its first message says it
    /// listens, messages wait here (`None` once it does).
    held: Held,
    // Kept so that the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl EngineLink {
    pub fn start(deliver: impl Fn(Incoming) + Clone + 'static) -> Result<Self, String> {
        let worker =
            Worker::new(WORKER_SCRIPT).map_err(|e| messages::worker_start_failed(&describe(&e)))?;
        let held: Held = Rc::new(RefCell::new(Some(Vec::new())));
        let on_event = deliver.clone();
        let (listening, early) = (worker.clone(), held.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let waiting = early.borrow_mut().take();
            for envelope in waiting.into_iter().flatten() {
                if let Err(error) = post(&listening, &envelope) {
                    web_sys::console::error_1(&format!("a held message was lost: {error}").into());
                }
            }
            let (body, bytes) = split(&message.data());
            match wire::open::<Event>(&body) {
                Ok((event, _)) => on_event(Incoming::Event(event, bytes)),
                Err(wire::Unopened { error, json }) => {
                    web_sys::console::error_2(
                        &format!("unreadable message from the engine: {error}").into(),
                        &json.clone().unwrap_or_default().into(),
                    );
                    on_event(Incoming::Unreadable { error, json });
                }
            }
        });
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |error: ErrorEvent| {
            deliver(Incoming::Crashed(error.message()))
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            held,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// `bytes` (a typed array) moves to the worker: don't use it afterwards. Fails when the
    /// command holds a value JSON cannot carry, or when the browser refuses the message.
    pub fn send(&self, command: &Command, bytes: Option<&JsValue>) -> Result<(), String> {
        let envelope = wire::seal(command, bytes)?;
        match self.held.borrow_mut().as_mut() {
            Some(waiting) => {
                waiting.push(envelope);
                Ok(())
            }
            None => post(&self.worker, &envelope),
        }
    }
}

fn post(worker: &Worker, envelope: &wire::Envelope) -> Result<(), String> {
    worker
        .post_message_with_transfer(&envelope.message, &envelope.transfer)
        .map_err(|e| describe(&e))
}

/// The envelope without its bytes, and the bytes as a view (no copy). `wire::open` would copy
/// them into the page's wasm memory, which never shrinks again: a project file can be a
/// gigabyte, and it only passes through the page on its way to a download.
fn split(data: &JsValue) -> (JsValue, Option<Uint8Array>) {
    let Some(parts) = data.dyn_ref::<Array>().filter(|parts| parts.length() > 1) else {
        return (data.clone(), None);
    };
    let bytes = parts.get(1);
    let bytes = if bytes.is_undefined() {
        None
    } else if let Some(view) = bytes.dyn_ref::<Uint8Array>() {
        Some(view.clone())
    } else if let Some(buffer) = bytes.dyn_ref::<ArrayBuffer>() {
        Some(Uint8Array::new(buffer))
    } else {
        // Another typed array: `new Uint8Array(typedArray)` copies, but stays in JS memory.
        Some(Uint8Array::new(&bytes))
    };
    (Array::of1(&parts.get(0)).into(), bytes)
}

/// The worker stops with its link: a restart drops the old link before starting the next.
impl Drop for EngineLink {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
