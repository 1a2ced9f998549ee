//! One training run, advanced a mini-batch at a time by the engine loop so that commands
//! (Cancel, predictions, new images) are heard between steps.

use ajuste::data::dataset::{Dataset, DatasetError};
use ajuste::model::EfficientNetLite0;
use ajuste::protocol::{
    ClassId, EvaluatedOn, Event, TrainClass, TrainSettings, TrainingProgress, TrainingReport,
};
use ajuste::train::TrainError;
use ajuste::train::cache::Activations;
use ajuste::train::config::TrainingConfig;
use ajuste::train::evaluate::evaluate;
use ajuste::train::trainer::{TrainEvent, Trainer, check_config};

use super::features::{Devices, Features};
use super::inbox::{now_ms, send};
use super::predict::TrainedClassifier;

/// Progress events at most this often: the page only needs to look alive.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// A run waiting for features (`trainer` is `None`), then training.
pub struct TrainingRun {
    class_ids: Vec<ClassId>,
    classes: Vec<String>,
    settings: TrainSettings,
    trainer: Option<Trainer>,
    /// Every (sample, label) of the run, to evaluate on when nothing was held out.
    items: Vec<(u64, usize)>,
    started_ms: f64,
    last_progress_ms: f64,
    epochs_run: usize,
    notices: Vec<String>,
}

pub enum Outcome {
    Continue,
    Done(Box<TrainedClassifier>),
    Failed(String),
}

impl TrainingRun {
    /// Checks the classes right away, so that mistakes show before any waiting.
    pub fn new(
        classes: Vec<TrainClass>,
        settings: TrainSettings,
        features: &Features,
    ) -> Result<Self, String> {
        let class_ids: Vec<ClassId> = classes.iter().map(|c| c.id).collect();
        let names: Vec<String> = classes.into_iter().map(|c| c.name).collect();
        let items = features.labelled(&class_ids);
        if names.len() < 2 {
            return Err(DatasetError::TooFewClasses.to_string());
        }
        if let Some(empty) = (0..names.len()).find(|&c| items.iter().all(|&(_, l)| l != c)) {
            return Err(DatasetError::EmptyClass(names[empty].clone()).to_string());
        }
        check_config(&TrainingConfig::from_settings(&settings)).map_err(|e| e.to_string())?;
        Ok(Self {
            items,
            class_ids,
            classes: names,
            settings,
            trainer: None,
            started_ms: now_ms(),
            last_progress_ms: 0.0,
            epochs_run: 0,
            notices: Vec::new(),
        })
    }

    pub fn sample_ids(&self) -> Vec<u64> {
        self.items.iter().map(|&(id, _)| id).collect()
    }

    /// Starts the trainer once every image of the run has its features.
    pub fn start(
        &mut self,
        backbone: &EfficientNetLite0,
        features: &Features,
        devices: &Devices,
    ) -> Result<(), TrainError> {
        let mut dataset = Dataset::new(self.classes.clone());
        for sample in features.samples_of(&self.class_ids) {
            dataset.insert(sample)?;
        }
        let trainer = Trainer::new(
            backbone,
            &dataset,
            &Activations::Cached(features.cache()),
            TrainingConfig::from_settings(&self.settings),
            devices.training(self.settings.freeze_depth),
        )?;
        if self.settings.augment {
            let (ready, wanted) = features.augmented_progress(&self.sample_ids());
            if ready < wanted {
                // Train does not wait for the slow part: views not ready use the plain image.
                self.notices.push(format!(
                    "augmentation used the {ready} of {wanted} augmented views computed so far"
                ));
            }
        }
        self.notices.extend(trainer.notices().iter().cloned());
        self.started_ms = now_ms();
        self.trainer = Some(trainer);
        Ok(())
    }

    pub fn is_started(&self) -> bool {
        self.trainer.is_some()
    }

    /// One mini-batch.
    pub async fn step(&mut self, features: &Features) -> Outcome {
        let Some(trainer) = self.trainer.as_mut() else {
            return Outcome::Failed("training has not started".into());
        };
        let activations = Activations::Cached(features.cache());
        match trainer.step(&activations).await {
            Ok(TrainEvent::Step {
                epoch,
                step,
                steps_per_epoch,
                steps_done,
                total_steps,
            }) => {
                let now = now_ms();
                if now - self.last_progress_ms >= PROGRESS_INTERVAL_MS {
                    self.last_progress_ms = now;
                    let elapsed = (now - self.started_ms) / 1000.0;
                    let eta = elapsed / steps_done as f64 * (total_steps - steps_done) as f64;
                    send(&Event::TrainingProgress(TrainingProgress {
                        epoch,
                        epochs: self.settings.epochs,
                        step,
                        steps_per_epoch,
                        steps_done,
                        total_steps,
                        eta_seconds: Some(eta),
                    }));
                }
                Outcome::Continue
            }
            Ok(TrainEvent::Epoch(metrics)) => {
                self.epochs_run = metrics.epoch;
                send(&Event::Epoch(metrics));
                Outcome::Continue
            }
            Ok(TrainEvent::Finished) => self.finish(features, false).await,
            Err(error) => Outcome::Failed(error.to_string()),
        }
    }

    /// Ends the run (all epochs done, or cancelled) with the best model so far, measured on
    /// the held-out images (or on the training images when none could be held out).
    pub async fn finish(&mut self, features: &Features, cancelled: bool) -> Outcome {
        let Some(trainer) = self.trainer.take() else {
            return Outcome::Failed("training has not started".into());
        };
        let (items, evaluated_on) = if trainer.has_validation() {
            (trainer.validation_items().to_vec(), EvaluatedOn::Validation)
        } else {
            (self.items.clone(), EvaluatedOn::Training)
        };
        let outcome = trainer.finish();
        let activations = Activations::Cached(features.cache());
        let evaluation =
            match evaluate(&outcome.model, &activations, &items, self.classes.len()).await {
                Ok(evaluation) => evaluation,
                Err(error) => return Outcome::Failed(error.to_string()),
            };
        send(&Event::TrainingDone(TrainingReport {
            classes: self.classes.clone(),
            per_class_accuracy: evaluation.confusion.per_class_accuracy(),
            confusion: evaluation.confusion,
            evaluated_on,
            best_epoch: outcome.best_epoch,
            epochs_run: self.epochs_run,
            cancelled,
            seconds: (now_ms() - self.started_ms) / 1000.0,
            notices: self.notices.clone(),
        }));
        Outcome::Done(Box::new(TrainedClassifier {
            classes: self.classes.clone(),
            freeze_depth: self.settings.freeze_depth,
            model: outcome.model,
        }))
    }
}
