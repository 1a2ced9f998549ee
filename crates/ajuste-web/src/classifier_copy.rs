//! A copy of the engine's newest classifier, in the page: a crashed engine loses it, and
//! "Restart engine" would otherwise bring back only the classifier of the project opened at
//! start (or none), which the next autosave would then store over the newer one. After each
//! training run (and each model opened) the page asks the engine for the model file
//! (`ExportModel`, answered in order like every file) and keeps it with the run's report and
//! curves; a restarted engine opens it (`OpenModel`) right after the opened project.

use ajuste_protocol::{Command, EpochMetrics, SampleId, TrainingReport};
use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::state::{AppState, Phase};

#[derive(Default)]
pub struct ClassifierCopy {
    /// The model file, with the report and curves that go with it. Replaced only when the
    /// next copy arrives: an engine that stops before it answers still has a consistent pair
    /// (an older classifier with its own report) to come back to.
    kept: Option<Kept>,
    /// Asked of the engine, not answered yet.
    waiting: Option<Kept>,
    /// A restarted engine is opening `kept`.
    reopening: bool,
    /// The generation of the last copy asked for (the autosave's classifier record).
    generation: u64,
}

#[derive(Clone)]
struct Kept {
    generation: u64,
    bytes: Option<Uint8Array>,
    report: Option<TrainingReport>,
    history: Vec<EpochMetrics>,
    evaluated: Vec<(SampleId, usize, usize)>,
}

impl AppState {
    /// The engine has a new classifier: asks for its copy.
    pub(super) fn copy_classifier(&self) {
        let generation = self.classifier_copy.with_value(|copy| copy.generation) + 1;
        let kept = Kept {
            generation,
            bytes: None,
            report: self.report.get_untracked(),
            history: self.history.get_untracked(),
            evaluated: self.evaluated.get_untracked(),
        };
        let sent = self.try_send(&Command::ExportModel, None).is_ok();
        self.classifier_copy.update_value(|copy| {
            copy.waiting = sent.then_some(kept);
            copy.generation = generation;
        });
    }

    /// The generation of the newest classifier copy (asked for, or kept).
    pub(super) fn copy_generation(&self) -> Option<u64> {
        self.classifier_copy.with_value(|copy| {
            (copy.waiting.as_ref().or(copy.kept.as_ref())).map(|kept| kept.generation)
        })
    }

    /// The model file of the newest copy, once it is here.
    pub(super) fn copy_bytes(&self) -> Option<Uint8Array> {
        self.classifier_copy.with_value(|copy| {
            if copy.waiting.is_some() {
                return None;
            }
            copy.kept.as_ref()?.bytes.clone()
        })
    }

    /// A classifier kept on this device (`restore.rs`) becomes the copy, and the engine
    /// opens it; its report and curves come back with its `ModelOpened`.
    pub(super) fn restore_classifier_copy(
        &self,
        generation: u64,
        bytes: Uint8Array,
        report: Option<TrainingReport>,
        history: Vec<EpochMetrics>,
        evaluated: Vec<(SampleId, usize, usize)>,
    ) {
        self.classifier_copy.update_value(|copy| {
            copy.generation = copy.generation.max(generation);
            copy.kept = Some(Kept {
                generation,
                bytes: Some(bytes),
                report,
                history,
                evaluated,
            });
        });
        self.reopen_classifier_copy();
    }

    /// A restart opens no copy: the classifier comes from a project file now (which a restart
    /// opens again), or the page starts over.
    pub(super) fn drop_classifier_copy(&self) {
        self.classifier_copy.update_value(|copy| copy.kept = None);
    }

    /// The next model file is the copy's (true), when one was asked for.
    pub(super) fn copy_arrived(&self, bytes: Option<&Uint8Array>) -> bool {
        let waiting = self
            .classifier_copy
            .try_update_value(|copy| copy.waiting.take())
            .flatten();
        let Some(mut kept) = waiting else {
            return false;
        };
        kept.bytes = bytes.cloned();
        self.classifier_copy
            .update_value(|copy| copy.kept = Some(kept));
        self.save_soon();
        true
    }

    /// The engine refused or lost the answer the copy waited for (true, when one did).
    pub(super) fn copy_lost(&self, message: &str) -> bool {
        let (waiting, reopening) = self
            .classifier_copy
            .try_update_value(|copy| {
                let reopening = std::mem::take(&mut copy.reopening);
                (copy.waiting.take().is_some(), reopening)
            })
            .unwrap_or_default();
        if waiting || reopening {
            leptos::logging::warn!("the copy of the classifier: {message}");
        }
        waiting || reopening
    }

    /// The engine stopped: the copy it was asked for, or was opening, will not come.
    pub(super) fn abandon_classifier_copy(&self) {
        self.classifier_copy.update_value(|copy| {
            copy.waiting = None;
            copy.reopening = false;
        });
    }

    /// Sends the copy to a restarted engine (after the opened project, which it replaces as
    /// the classifier); the engine's `ModelOpened` answers it (`copy_reopened`).
    pub(super) fn reopen_classifier_copy(&self) {
        let bytes = self.classifier_copy.with_value(|copy| {
            copy.kept
                .as_ref()
                .and_then(|kept| kept.bytes.as_ref())
                .map(|bytes| bytes.slice(0, bytes.length()))
        });
        let Some(bytes) = bytes else {
            return;
        };
        let bytes: JsValue = bytes.into();
        if self.try_send(&Command::OpenModel, Some(&bytes)).is_ok() {
            self.classifier_copy
                .update_value(|copy| copy.reopening = true);
        }
    }

    /// A `ModelOpened` that answers the copy sent to a restarted engine (true): the page
    /// shows that classifier's report and curves again.
    pub(super) fn copy_reopened(&self) -> bool {
        let kept = self
            .classifier_copy
            .try_update_value(|copy| {
                std::mem::take(&mut copy.reopening)
                    .then(|| copy.kept.clone())
                    .flatten()
            })
            .flatten();
        let Some(kept) = kept else {
            return false;
        };
        self.report.set(kept.report);
        self.evaluated.set(kept.evaluated);
        self.kept_history.set_value(kept.history.clone());
        self.history.set(kept.history);
        self.has_classifier.set(true);
        if self.phase.get_untracked() == Phase::Ready {
            self.phase.set(Phase::Done);
        }
        true
    }
}
