//! The page's end of the engine worker: commands out, events in.

use ajuste_protocol::{Command, Event, wire};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The loader Trunk writes for the `ajuste-worker` binary (index.html, `data-loader-shim`).
const WORKER_SCRIPT: &str = "ajuste-worker_loader.js";

pub struct EngineLink {
    worker: Worker,
    // Kept so that the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl EngineLink {
    pub fn start(on_event: impl Fn(Event) + Clone + 'static) -> Result<Self, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
        let deliver = on_event.clone();
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(
                move |message: MessageEvent| match wire::open::<Event>(&message.data()) {
                    Ok((event, _)) => deliver(event),
                    Err(error) => web_sys::console::warn_1(&error.into()),
                },
            );
        // A panic or a failed load in the worker: nothing more will come from it.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |error: ErrorEvent| {
            on_event(Event::Fatal(format!(
                "the engine stopped: {}",
                error.message()
            )))
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// `bytes` (a typed array) moves to the worker: don't use it afterwards.
    pub fn send(&self, command: &Command, bytes: Option<&JsValue>) {
        let envelope = wire::seal(command, bytes);
        if let Err(error) = self
            .worker
            .post_message_with_transfer(&envelope.message, &envelope.transfer)
        {
            web_sys::console::error_2(&"cannot reach the engine".into(), &error);
        }
    }
}
