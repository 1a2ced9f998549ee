//! Messages in (queued by the worker's `onmessage`, read by the engine loop when it is ready
//! for them) and events out.

use ajuste::protocol::{Command, EngineError, Event, wire};
use futures_channel::mpsc::{UnboundedReceiver, unbounded};
use futures_util::StreamExt;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

/// A command and the bytes sent beside it, or why the message could not be read.
pub type Message = Result<(Command, Option<Vec<u8>>), wire::Unopened>;

pub struct Inbox {
    receiver: UnboundedReceiver<Message>,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

impl Inbox {
    pub fn listen() -> Self {
        let (sender, receiver) = unbounded();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // The receiver lives as long as the worker.
            let _ = sender.unbounded_send(wire::open::<Command>(&event.data()));
        });
        scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        on_message.forget();
        Self { receiver }
    }

    /// A message that has already arrived, if any.
    pub fn try_next(&mut self) -> Option<Message> {
        self.receiver.try_recv().ok()
    }

    /// Waits for the next message.
    pub async fn next(&mut self) -> Option<Message> {
        self.receiver.next().await
    }
}

/// Posts `event` to the page.
pub fn send(event: &Event) {
    send_with_bytes(event, None);
}

/// Posts `event` with `bytes` beside it (moved to the page, not copied again). An event that
/// cannot be encoded (a value JSON cannot carry) is replaced by an error the page shows — for a
/// prediction, its failed answer.
pub fn send_with_bytes(event: &Event, bytes: Option<Vec<u8>>) {
    let bytes = bytes.map(|bytes| JsValue::from(Uint8Array::from(bytes.as_slice())));
    let envelope = match wire::seal(event, bytes.as_ref()) {
        Ok(envelope) => envelope,
        Err(reason) => {
            let error = EngineError::Internal(format!("an answer could not be encoded: {reason}"));
            let replacement = match event {
                Event::Prediction { request, .. } => Event::Prediction {
                    request: *request,
                    result: Err(error),
                },
                _ => Event::CommandRejected(error),
            };
            match wire::seal(&replacement, None) {
                Ok(envelope) => envelope,
                Err(_) => return,
            }
        }
    };
    if let Err(error) = scope().post_message_with_transfer(&envelope.message, &envelope.transfer) {
        web_sys::console::error_2(&"cannot post an event".into(), &error);
    }
}

/// Lets the worker's event loop run (and deliver queued messages) without the 4 ms clamp of
/// nested `setTimeout`s: a message to ourselves is a zero-delay task.
pub async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Ok(channel) = MessageChannel::new() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        channel.port1().set_onmessage(Some(&resolve));
        let _ = channel.port2().post_message(&wasm_bindgen::JsValue::NULL);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Milliseconds, for timings and rate limits.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
