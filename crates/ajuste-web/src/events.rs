//! How each event from the engine changes the page.

use ajuste_protocol::widget::WidgetEvent;
use ajuste_protocol::{Backend, Command, Event};
use js_sys::Uint8Array;
use leptos::prelude::*;

use super::language;
use super::messages;
use super::state::{AppState, Phase};
use super::widget_api::emit;

impl AppState {
    /// `bytes` came beside the event (a file to save, a thumbnail's pixels).
    pub fn apply(self, event: Event, bytes: Option<Uint8Array>) {
        match event {
            Event::Backend(backend) => self.backend.set(Some(backend)),
            Event::HeadDevice(device) => self.head_device.set(Some(device)),
            Event::Evaluated(predictions) => self.evaluated.set(predictions),
            Event::WeightsProgress { loaded, total } => self.weights.set((loaded, total)),
            // Also sent again after a lost GPU: only the first one ends the loading.
            Event::Ready => {
                if self.phase.get_untracked() == Phase::Loading {
                    self.settle();
                    emit(WidgetEvent::Ready {
                        lang: language::lang().tag().into(),
                        classes: self.class_names_untracked(),
                    });
                }
            }
            Event::Fatal(error) => self.engine_down(messages::engine_error(&error)),
            Event::SampleAccepted { sample } => {
                self.import_settled(sample, true);
                match self.find_sample(sample) {
                    Some(model) => model.accepted.set(true),
                    // Deleted while the engine was decoding it.
                    None => self.send(&Command::RemoveSample { sample }, None),
                }
                self.wake_answer_waiters();
            }
            Event::SampleRejected {
                class,
                sample,
                error,
            } => {
                self.drop_sample(class, sample, |name| {
                    messages::sample_rejected(name, &error)
                });
                self.wake_answer_waiters();
            }
            Event::Features { ready, wanted } => {
                self.features_error.set(None);
                self.features.set((ready, wanted));
                self.feature_throughput
                    .update(|rate| rate.observe(js_sys::Date::now(), ready, wanted));
                self.store_features();
            }
            Event::Memory(plan) => self.memory.set(Some(plan)),
            Event::EngineMemory { bytes } => self.engine_memory.set(Some(bytes)),
            Event::FeaturesFailed(error) => {
                self.features_error
                    .set(Some(messages::engine_error(&error)));
            }
            Event::TrainingStarted { preparing } => self.preparing.set(preparing),
            Event::TrainingProgress(progress) => self.progress.set(Some(progress)),
            Event::Epoch(metrics) => {
                emit(WidgetEvent::Progress {
                    epoch: metrics.epoch,
                    epochs: self
                        .progress
                        .with_untracked(|p| p.as_ref().map(|p| p.epochs))
                        .unwrap_or_else(|| self.settings.with_untracked(|s| s.epochs)),
                    loss: metrics.train_loss,
                    accuracy: metrics.train_accuracy,
                    validation_loss: metrics.validation_loss,
                    validation_accuracy: metrics.validation_accuracy,
                });
                self.history.update(|history| history.push(metrics));
            }
            Event::TrainingDone(report) => {
                self.kept_history.set_value(self.history.get_untracked());
                self.record_run(&report);
                self.report.set(Some(report));
                self.has_classifier.set(true);
                self.phase.set(Phase::Done);
                self.copy_classifier();
            }
            Event::TrainingFailed(error) => {
                self.training_error
                    .set(Some(messages::engine_error(&error)));
                self.restore_history();
                self.settle();
            }
            // The previous classifier (if any) stays.
            Event::TrainingCancelled => {
                self.restore_history();
                self.settle();
            }
            Event::Prediction { request, result } => {
                let result = result.map_err(|error| messages::engine_error(&error));
                self.answer(request, result);
            }
            // A refused save or open is shown in the project bar.
            Event::CommandRejected(error) => {
                if !self.file_rejected(&error) {
                    self.rejected.set(Some(messages::engine_error(&error)));
                }
            }
            // A `Backend(Cpu)` event follows; the engine computes the features again.
            Event::DeviceLost {
                error,
                kept_classifier,
            } => {
                self.device_notice.set(Some(messages::engine_error(&error)));
                self.backend.set(Some(Backend::Cpu));
                if !kept_classifier {
                    self.forget_classifier();
                }
            }
            Event::File { kind, name } => self.file_arrived(kind, &name, bytes),
            Event::ProjectOpened(project) => self.project_opened(project),
            Event::Thumbnail {
                sample,
                width,
                height,
            } => self.thumbnail_arrived(sample, width, height, bytes),
            Event::ModelOpened { classes } => self.model_opened(&classes),
            Event::StoredImage { sample } => self.image_to_store(sample, bytes),
            Event::Depth0Features { samples, weights } => {
                self.features_arrived(samples, weights, bytes)
            }
        }
    }
}
