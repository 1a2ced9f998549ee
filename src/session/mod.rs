//! The engine as plain Rust over burn devices: everything the page's worker does — the
//! sample store, background features, training runs, predictions, command validation and
//! the fall-back to the CPU when a GPU is lost — so that `cargo test` reaches all of it.
//! The worker only carries messages in and out, gives it time slices, downloads the weights
//! and picks the device.
//!
//! Commands go in through [`Session::handle`]; background work runs a piece at a time through
//! [`Session::work`]; what the page must hear collects in an outbox ([`Session::take_outgoing`]).

mod background;
mod features;
mod files;
mod gpu_loss;
pub mod predict;
mod records;
mod run;
mod samples;

use std::collections::VecDeque;

use ajuste_protocol::{
    Backend, ClassId, Command, EngineError, Event, ImageEncoding, MemoryPlan, Prediction, SampleId,
    TrainClass, TrainSettings, TrainingReport, check_classes,
};
use image::RgbImage;

use crate::data::dataset::check_labels;
use crate::model::EfficientNetLite0;
use crate::model::weights::load_safetensors;
use crate::train::TrainError;
use crate::train::config::TrainingConfig;
use crate::train::devices::Devices;
use crate::train::export::Classifier;
use crate::train::trainer::check_config;

use features::{ACTIVATION_BUDGET_BYTES, FeatureScheduler};
use predict::{image_from, predict};
use run::{Outcome, TrainingRun};
use samples::SampleStore;

/// Milliseconds from some fixed start: the worker's `Date.now`, or a native clock.
pub type Clock = Box<dyn Fn() -> f64>;

/// Deletions that wait for the running training run to end (it still reads their features).
enum Removal {
    Sample(SampleId),
    Class(ClassId),
}

pub struct Session {
    /// Kept to load the network again on the CPU if the GPU is lost.
    weights: Vec<u8>,
    /// Which network computed a stored project's features ([`weights_fingerprint`]).
    weights_fingerprint: String,
    devices: Devices,
    /// Whether `devices.main` is a GPU (that can be lost), as opposed to the CPU.
    on_gpu: bool,
    backbone: EfficientNetLite0,
    samples: SampleStore,
    features: FeatureScheduler,
    run: Option<TrainingRun>,
    classifier: Option<Classifier>,
    deferred_removals: Vec<Removal>,
    /// What a `PrepareFeatures` asked for during a run, applied when it ends.
    deferred_features: Option<(usize, bool)>,
    /// Background feature extraction failed: it waits for the next command rather than
    /// failing again in a loop.
    features_stalled: bool,
    events: Vec<Event>,
    /// Bytes that go beside some of `events` (a file to save, a thumbnail), by position.
    attachments: Vec<(usize, Vec<u8>)>,
    /// The report of the training that made `classifier`, for a saved project.
    report: Option<TrainingReport>,
    /// The memory plan the page was last told about.
    memory_plan: Option<MemoryPlan>,
    /// Images of an opened project whose `StoredImage` is still to be sent (a few per slice
    /// of background work, so that thousands of copies never wait in memory at once).
    unannounced: VecDeque<SampleId>,
    clock: Clock,
}

/// SHA-256 of the weights file, in hex: features stored with a project are only taken by an
/// engine whose network is the same, bit for bit.
fn weights_fingerprint(weights: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(weights)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// An event for the page, with the bytes that travel beside it.
pub struct Outgoing {
    pub event: Event,
    pub bytes: Option<Vec<u8>>,
}

impl Session {
    /// Loads the network from safetensors `weights` onto `devices.main`.
    pub fn new(
        weights: Vec<u8>,
        devices: Devices,
        on_gpu: bool,
        clock: Clock,
    ) -> Result<Self, EngineError> {
        let backbone = load_safetensors(weights.clone(), &devices.main)
            .map_err(|e| EngineError::Weights(e.to_string()))?;
        Ok(Self {
            weights_fingerprint: weights_fingerprint(&weights),
            weights,
            features: FeatureScheduler::new(&devices, ACTIVATION_BUDGET_BYTES),
            devices,
            on_gpu,
            backbone,
            samples: SampleStore::default(),
            run: None,
            classifier: None,
            deferred_removals: Vec::new(),
            deferred_features: None,
            features_stalled: false,
            events: Vec::new(),
            attachments: Vec::new(),
            report: None,
            memory_plan: None,
            unannounced: VecDeque::new(),
            clock,
        })
    }

    /// Runs the network once, so that a GPU compiles its shaders before the user waits.
    pub async fn warm_up(&mut self) -> Result<(), EngineError> {
        let blank = RgbImage::new(256, 256);
        match predict(&blank, &self.backbone, None, &self.devices).await {
            Ok(_) => Ok(()),
            Err(error) => Err(self.device_error(error)),
        }
    }

    /// Where transfer learning trains its head.
    pub fn head_backend(&self) -> Backend {
        if self.on_gpu && self.devices.main_is_host() {
            Backend::WebGpu
        } else {
            Backend::Cpu
        }
    }

    pub fn backend(&self) -> Backend {
        if self.on_gpu {
            Backend::WebGpu
        } else {
            Backend::Cpu
        }
    }

    /// The events produced since the last call, in order, with their bytes.
    pub fn take_outgoing(&mut self) -> Vec<Outgoing> {
        let mut attachments = std::mem::take(&mut self.attachments).into_iter().peekable();
        std::mem::take(&mut self.events)
            .into_iter()
            .enumerate()
            .map(|(position, event)| {
                let bytes = attachments
                    .next_if(|(at, _)| *at == position)
                    .map(|(_, bytes)| bytes);
                Outgoing { event, bytes }
            })
            .collect()
    }

    pub fn has_classifier(&self) -> bool {
        self.classifier.is_some()
    }

    pub fn is_training(&self) -> bool {
        self.run.is_some()
    }

    fn now(&self) -> f64 {
        (self.clock)()
    }

    fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    fn emit_with_bytes(&mut self, event: Event, bytes: Vec<u8>) {
        self.attachments.push((self.events.len(), bytes));
        self.events.push(event);
    }

    /// A message that did not decode still gets an answer: a prediction request its failed
    /// prediction (when its number can be read), anything else a rejection.
    pub fn unreadable(&mut self, error: String, json: Option<&str>) {
        let error = EngineError::Unreadable(error);
        match json.and_then(Command::predict_request_in) {
            Some(request) => self.emit(Event::Prediction {
                request,
                result: Err(error),
            }),
            None => self.emit(Event::CommandRejected(error)),
        }
    }

    /// Validates `command` (with the `bytes` that came beside it), then acts on it.
    pub async fn handle(&mut self, command: Command, bytes: Option<Vec<u8>>) {
        self.features_stalled = false;
        if let Err(invalid) = command.validate(bytes.as_ref().map(Vec::len)) {
            return self.reject(command, invalid.into());
        }
        let bytes = bytes.unwrap_or_default();
        match command {
            Command::AddSample {
                class,
                sample,
                encoding,
            } => self.add_sample(class, sample, &bytes, encoding),
            Command::RemoveSample { sample } => self.remove(Removal::Sample(sample)),
            Command::RemoveClass { class } => self.remove(Removal::Class(class)),
            Command::PrepareFeatures {
                freeze_depth,
                augment,
            } => self.prepare_features(freeze_depth, augment),
            Command::Train { classes, settings } => self.train(classes, settings),
            Command::CancelTraining => self.cancel().await,
            Command::Predict { request, encoding } => {
                let result = self.predict(&bytes, encoding).await;
                self.emit(Event::Prediction { request, result });
            }
            Command::SaveProject { classes, settings } => {
                self.save_project(&classes, settings).await
            }
            Command::OpenProject { first_id } => self.open_project(&bytes, first_id).await,
            Command::ExportModel => self.export_model().await,
            Command::OpenModel => self.open_model(&bytes),
            Command::Depth0Features { samples } => self.depth0_features(&samples).await,
            Command::RestoreFeatures { samples, weights } => {
                self.restore_features(&samples, &weights, &bytes).await
            }
        }
    }

    fn reject(&mut self, command: Command, error: EngineError) {
        let event = match command {
            Command::AddSample { class, sample, .. } => Event::SampleRejected {
                class,
                sample,
                error,
            },
            Command::Predict { request, .. } => Event::Prediction {
                request,
                result: Err(error),
            },
            Command::Train { .. } => Event::TrainingFailed(error),
            _ => Event::CommandRejected(error),
        };
        self.emit(event);
    }

    fn add_sample(
        &mut self,
        class: ClassId,
        sample: SampleId,
        bytes: &[u8],
        encoding: ImageEncoding,
    ) {
        let added = match encoding {
            ImageEncoding::Stored => records::stored_image(bytes)
                .and_then(|image| Ok(self.samples.add_stored(sample, class, image)?)),
            _ => image_from(bytes, encoding)
                .map_err(EngineError::from)
                .and_then(|image| Ok(self.samples.add(sample, class, &image)?)),
        };
        match added {
            Ok(()) => {
                self.emit(Event::SampleAccepted { sample });
                if encoding != ImageEncoding::Stored {
                    self.announce_stored(sample);
                }
                self.report_features();
            }
            Err(error) => self.emit(Event::SampleRejected {
                class,
                sample,
                error,
            }),
        }
    }

    fn remove(&mut self, removal: Removal) {
        if self.run.is_some() {
            self.deferred_removals.push(removal);
            return;
        }
        let ids = match removal {
            Removal::Sample(id) => {
                self.samples.remove(id);
                vec![id]
            }
            Removal::Class(class) => self.samples.remove_class(class),
        };
        for id in ids {
            self.features.remove_sample(id);
        }
        self.report_features();
    }

    fn prepare_features(&mut self, freeze_depth: usize, augment: bool) {
        if self.run.is_some() {
            self.deferred_features = Some((freeze_depth, augment));
            return;
        }
        if let Err(error) = self.features.want(freeze_depth, augment, &self.devices) {
            return self.emit(Event::CommandRejected(error.into()));
        }
        self.report_features();
    }

    fn train(&mut self, classes: Vec<TrainClass>, settings: TrainSettings) {
        if self.run.is_some() {
            return self.emit(Event::TrainingFailed(EngineError::TrainingRunning));
        }
        let class_ids: Vec<ClassId> = classes.iter().map(|c| c.id).collect();
        let names: Vec<String> = classes.iter().map(|c| c.name.trim().to_string()).collect();
        let items = self.samples.labelled(&class_ids);
        let config = TrainingConfig::from_settings(&settings);
        let checked = check_classes(&classes)
            .map_err(TrainError::from)
            .and_then(|()| {
                let labels: Vec<usize> = items.iter().map(|&(_, label)| label).collect();
                Ok(check_labels(&names, &labels)?)
            })
            .and_then(|()| check_config(&config))
            .and_then(|()| {
                self.features
                    .want(settings.freeze_depth, settings.augment, &self.devices)
            });
        if let Err(error) = checked {
            return self.emit(Event::TrainingFailed(error.into()));
        }
        let run = TrainingRun::new(names, items, config, self.now());
        let preparing = self.features.missing(&run.sample_ids(), true).len();
        self.emit(Event::TrainingStarted { preparing });
        self.run = Some(run);
    }

    async fn cancel(&mut self) {
        let Some(run) = self.run.take() else {
            return;
        };
        let now = self.now();
        let activations = self.features.activations(&self.backbone, &self.samples);
        let outcome = run.cancel(&activations, now, &mut self.events).await;
        match outcome {
            Ok(Outcome::Done(classifier, report)) => self.keep(*classifier, Some(*report)),
            Ok(Outcome::Continue) => {}
            Err(error) => {
                let error = self.device_error(error);
                self.emit(Event::TrainingFailed(error));
            }
        }
        self.end_run();
    }

    async fn predict(
        &mut self,
        bytes: &[u8],
        encoding: ImageEncoding,
    ) -> Result<Prediction, EngineError> {
        let started = self.now();
        let image = image_from(bytes, encoding)?;
        let predicted = predict(
            &image,
            &self.backbone,
            self.classifier.as_ref(),
            &self.devices,
        )
        .await;
        match predicted {
            Ok((source, scores)) => Ok(Prediction {
                source,
                scores,
                milliseconds: self.now() - started,
            }),
            Err(error) => Err(self.device_error(error)),
        }
    }

    /// Applies the end (or the failure) of a training step.
    fn conclude(&mut self, outcome: Result<Outcome, TrainError>) {
        match outcome {
            Ok(Outcome::Continue) if self.run.is_some() => return,
            Ok(Outcome::Continue) => {}
            Ok(Outcome::Done(classifier, report)) => self.keep(*classifier, Some(*report)),
            Err(error) => {
                let error = self.device_error(error);
                if self.run.is_none() {
                    // A lost GPU took the run with it, and said so.
                    return;
                }
                self.emit(Event::TrainingFailed(error));
            }
        }
        self.end_run();
    }

    fn keep(&mut self, classifier: Classifier, report: Option<TrainingReport>) {
        self.classifier = Some(classifier);
        self.report = report;
    }

    /// Drops the run and applies what waited for it to end.
    fn end_run(&mut self) {
        self.run = None;
        for removal in std::mem::take(&mut self.deferred_removals) {
            self.remove(removal);
        }
        if let Some((depth, augment)) = self.deferred_features.take() {
            self.prepare_features(depth, augment);
        }
        self.report_features();
    }

    fn report_features(&mut self) {
        self.features.set_images(self.samples.len());
        let plan = self.features.plan();
        if self.memory_plan.as_ref() != Some(&plan) {
            self.memory_plan = Some(plan.clone());
            self.emit(Event::Memory(plan));
        }
        let (ready, wanted) = self.features.progress(&self.samples.ids());
        self.emit(Event::Features { ready, wanted });
    }

    /// What the activations of one freeze depth may take (see
    /// [`features::ACTIVATION_BUDGET_BYTES`], the default).
    pub fn set_activation_budget(&mut self, bytes: u64) {
        self.features.set_budget(bytes);
        self.report_features();
    }
}
