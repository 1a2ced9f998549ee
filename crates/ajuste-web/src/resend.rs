//! Images sent again to an engine (a new one after a restart, or those held while the stored
//! project was restored), a few at a time as an import sends them: a picture is read only while
//! fewer than [`MAX_IN_FLIGHT`] of those sent before wait for the engine's answer, so that
//! sending thousands of photos again never holds them all in memory at once.

use std::collections::HashMap;

use ajuste_protocol::SampleId;
use js_sys::{Function, Promise, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::import::MAX_IN_FLIGHT;
use super::messages;
use super::samples::SampleSource;
use super::state::AppState;

/// Stored images are small (a PNG at short side 256, about 200 kB: these are about 50 MB),
/// and the engine runs a slice of background work (features, hundreds of milliseconds on a
/// CPU) whenever no message waits: the more wait, the fewer slices a restore waits for.
const MAX_STORED_IN_FLIGHT: usize = 256;

/// What waits for the engine's next answer about an image (to send the next one).
#[derive(Default)]
pub struct AnswerWaiters(Vec<Function>);

impl AppState {
    /// Sends the samples the page shows (and those of a class that can still be restored)
    /// that `which` picks to the engine again, in order; each is pending until the engine
    /// accepts it.
    pub(super) fn resend_samples(&self, which: impl Fn(SampleId) -> bool) {
        let generation = self.generation.get_value();
        let mut work = Vec::new();
        for class in self.all_classes() {
            class.samples.with_untracked(|samples| {
                for sample in samples.iter().filter(|sample| which(sample.id)) {
                    sample.accepted.set(false);
                    work.push((class.id, sample.id, sample.accepted));
                }
            });
        }
        let state = *self;
        spawn_local(async move {
            let current = || state.generation.get_value() == generation;
            let kept = |sample| state.sources.with_value(|s| s.get(&sample).cloned());
            let mut sent = Vec::new();
            let mut reading: HashMap<SampleId, JsFuture> = HashMap::new();
            for (at, &(class, sample, accepted)) in work.iter().enumerate() {
                // The stored images about to be sent are read meanwhile.
                for &(_, ahead, _) in work.iter().skip(at).take(MAX_IN_FLIGHT) {
                    if !reading.contains_key(&ahead)
                        && let Some(read) = kept(ahead).and_then(|s| s.start_read())
                    {
                        reading.insert(ahead, read);
                    }
                }
                let stored = kept(sample).is_some_and(|s| matches!(s, SampleSource::Stored(_)));
                let limit = if stored {
                    MAX_STORED_IN_FLIGHT
                } else {
                    MAX_IN_FLIGHT
                };
                while current() && state.unanswered(&mut sent) >= limit {
                    state.next_answer().await;
                }
                let started = reading.remove(&sample);
                // Stop if the engine restarted again; skip what was removed meanwhile.
                let Some(source) = kept(sample).filter(|_| current()) else {
                    continue;
                };
                let bytes = match started {
                    Some(read) => (read.await)
                        .map(|buffer| Uint8Array::new(&buffer).into())
                        .map_err(|_| messages::stored_image_unreadable()),
                    None => source.bytes().await,
                };
                if !current() || kept(sample).is_none() {
                    continue;
                }
                match bytes {
                    Ok(bytes) => {
                        state.send_sample(class, sample, source.encoding(), &bytes);
                        sent.push((sample, accepted));
                    }
                    Err(message) => state.drop_sample(class, sample, |_| message),
                }
            }
        });
    }

    /// Forgets the samples of `sent` that were answered (or removed: their source is gone);
    /// how many still wait. (By id, not by looking through the classes: thousands are sent.)
    fn unanswered(&self, sent: &mut Vec<(SampleId, RwSignal<bool>)>) -> usize {
        self.sources.with_value(|sources| {
            sent.retain(|(sample, accepted)| {
                sources.contains_key(sample) && accepted.try_get_untracked() == Some(false)
            })
        });
        sent.len()
    }

    async fn next_answer(&self) {
        let waiters = self.answer_waiters;
        let answered = Promise::new(&mut |resolve, _| {
            waiters.update_value(|waiters| waiters.0.push(resolve));
        });
        // The promise never rejects.
        let _ = JsFuture::from(answered).await;
    }

    /// The engine answered about an image, or a new engine started: what waited looks again.
    pub(super) fn wake_answer_waiters(&self) {
        let waiting = self
            .answer_waiters
            .try_update_value(|waiters| std::mem::take(&mut waiters.0))
            .unwrap_or_default();
        for resolve in waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }
}
