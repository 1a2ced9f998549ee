//! The engine worker's life as the page sees it: starting it, sending to it, answering
//! predictions, and what happens when it stops (every waiting prediction gets an error, and
//! a restart sends every image on the page to a new worker).

use ajuste_protocol::{Command, ImageEncoding, Prediction};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::link::{EngineLink, Incoming};
use super::messages;
use super::samples::byte_length;
use super::state::{AppState, Phase};

impl AppState {
    /// Starts a worker; its events count only while it is the latest one.
    pub fn connect(self) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        // What sent images to the old worker stops.
        self.wake_answer_waiters();
        match EngineLink::start(move |incoming| self.receive(generation, incoming)) {
            Ok(link) => self.link.set_value(Some(link)),
            Err(message) => self.engine_down(message),
        }
    }

    /// Ends the worker (whatever state it is in) and starts a new one, which gets the
    /// opened (or restored, or restoring) project, the current feature settings and every
    /// other image on the page again.
    pub fn restart(self) {
        // Dropping the link terminates its worker.
        self.link.set_value(None);
        self.fail_predictions(&messages::engine_not_running());
        self.abandon_file_task();
        self.fatal.set(None);
        self.engine_message.set(None);
        self.rejected.set(None);
        self.device_notice.set(None);
        self.backend.set(None);
        self.head_device.set(None);
        self.weights.set((0, None));
        self.features.set((0, 0));
        self.features_error.set(None);
        self.preparing.set(0);
        self.progress.set(None);
        self.training_error.set(None);
        self.forget_classifier();
        self.phase.set(Phase::Loading);
        self.connect();
        // First: opening a project replaces every image, and sets its own feature settings.
        self.reopen_project();
        self.restart_restore();
        self.reopen_classifier_copy();
        let settings = self.settings.get_untracked();
        self.send(
            &Command::PrepareFeatures {
                freeze_depth: settings.freeze_depth,
                augment: settings.augment,
            },
            None,
        );
        self.resend_samples(|_| true);
    }

    pub fn engine_running(&self) -> bool {
        self.fatal.with_untracked(Option::is_none) && self.link.with_value(Option::is_some)
    }

    /// Sends a command, showing (engine-message-error) why when it cannot go. Nothing is sent
    /// to an engine that stopped: a restart sends what still matters.
    pub fn send(&self, command: &Command, bytes: Option<&JsValue>) {
        if !self.engine_running() {
            return;
        }
        if let Err(error) = self.try_send(command, bytes) {
            self.engine_message.set(Some(error));
        }
    }

    /// Sends a command; the error is the sentence to show.
    pub(super) fn try_send(
        &self,
        command: &Command,
        bytes: Option<&JsValue>,
    ) -> Result<(), String> {
        self.link.with_value(|link| match link {
            Some(link) if self.fatal.with_untracked(Option::is_none) => link
                .send(command, bytes)
                .map_err(|e| messages::unsendable_command(&e)),
            _ => Err(messages::engine_not_running()),
        })
    }

    /// Classifies an image; `callback` gets exactly one answer, an error included when the
    /// image is refused here, cannot be sent, or the engine stops first.
    pub fn predict(
        &self,
        bytes: &JsValue,
        encoding: ImageEncoding,
        callback: impl FnOnce(Result<Prediction, String>) + 'static,
    ) {
        let request = self.fresh_id();
        let command = Command::Predict { request, encoding };
        if let Err(invalid) = command.validate(byte_length(bytes)) {
            return callback(Err(messages::invalid(&invalid)));
        }
        if !self.engine_running() {
            return callback(Err(messages::engine_not_running()));
        }
        self.predictions.update_value(|pending| {
            pending.insert(request, Box::new(callback));
        });
        if let Err(error) = self.try_send(&command, Some(bytes)) {
            self.engine_message.set(Some(error.clone()));
            self.answer(request, Err(error));
        }
    }

    /// Hands a prediction's answer to whoever asked (no one, if it was failed already).
    pub(super) fn answer(&self, request: u64, result: Result<Prediction, String>) {
        let callback = self
            .predictions
            .try_update_value(|pending| pending.remove(&request))
            .flatten();
        if let Some(callback) = callback {
            callback(result);
        }
    }

    fn fail_predictions(&self, message: &str) {
        let pending = self
            .predictions
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for callback in pending.into_values() {
            callback(Err(message.to_string()));
        }
    }

    /// The engine stopped, or never started: nothing more will come from it.
    pub(super) fn engine_down(&self, message: String) {
        if self.fatal.with_untracked(Option::is_some) {
            return; // A panic reports itself, then the worker's onerror fires too.
        }
        // A ready engine works through the stored project it was sent first.
        let ready = matches!(self.phase.get_untracked(), Phase::Ready | Phase::Done);
        if ready && self.restore_waiting() {
            self.autosave
                .update_value(|memory| memory.crashed_restoring = true);
        }
        self.fatal.set(Some(message.clone()));
        self.phase.set(Phase::Error);
        self.fail_predictions(&message);
        self.abandon_file_task();
    }

    fn receive(self, generation: u64, incoming: Incoming) {
        if generation != self.generation.get_value() {
            return; // From a worker that a restart replaced.
        }
        match incoming {
            Incoming::Event(event, bytes) => self.apply(event, bytes),
            Incoming::Unreadable { error, json } => self.unreadable(&error, json.as_deref()),
            Incoming::Crashed(detail) => self.engine_down(messages::engine_crashed(&detail)),
        }
    }

    /// Shows a message that did not decode, and answers what was waiting for it, as far as
    /// its JSON still says what it was.
    fn unreadable(&self, error: &str, json: Option<&str>) {
        let text = messages::unreadable_event(error);
        self.engine_message.set(Some(text.clone()));
        let Some((variant, body)) = json.and_then(variant_of) else {
            return;
        };
        match variant.as_str() {
            "Prediction" => {
                let request = js_sys::Reflect::get(&body, &"request".into())
                    .ok()
                    .and_then(|r| r.as_f64());
                if let Some(request) = request {
                    self.answer(request as u64, Err(text));
                }
            }
            "TrainingDone" | "TrainingFailed" | "TrainingCancelled"
                if self.phase.get_untracked() == Phase::Training =>
            {
                self.training_error.set(Some(text));
                self.restore_history();
                self.settle();
            }
            "Ready" if self.phase.get_untracked() == Phase::Loading => self.settle(),
            // The answer to a save or an open.
            "File" | "ProjectOpened" | "ModelOpened" | "CommandRejected" => {
                self.file_answer_lost(text);
            }
            "Fatal" => self.engine_down(text),
            _ => {}
        }
    }
}

/// The variant name of an externally tagged enum in JSON, and its body.
fn variant_of(json: &str) -> Option<(String, JsValue)> {
    let value = js_sys::JSON::parse(json).ok()?;
    if let Some(name) = value.as_string() {
        return Some((name, JsValue::UNDEFINED));
    }
    let keys = js_sys::Object::keys(value.dyn_ref::<js_sys::Object>()?);
    let name = keys.get(0).as_string()?;
    let body = js_sys::Reflect::get(&value, &name.clone().into()).ok()?;
    Some((name, body))
}
