//! One training run, as a state machine the session advances a step at a time: waiting for
//! features → training → done (or cancelled, or failed). The images are fixed when Train is
//! clicked: images added later wait for the next run, images deleted meanwhile are only
//! forgotten once the run ends.

use ajuste_protocol::{
    Event, KeptViews, MemoryPlan, Notice, SampleId, TrainingProgress, TrainingReport,
};

use crate::model::EfficientNetLite0;
use crate::train::TrainError;
use crate::train::cache::Activations;
use crate::train::config::TrainingConfig;
use crate::train::export::Classifier;
use crate::train::trainer::{TrainEvent, Trainer};

/// Progress events at most this often: the page only needs to look alive.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

pub enum RunState {
    /// Some images of the run still need their plain-view features.
    WaitingForFeatures,
    Training(Box<Trainer>),
}

/// How a step left the run.
pub enum Outcome {
    Continue,
    /// The classifier and the report the page was sent about it.
    Done(Box<Classifier>, Box<TrainingReport>),
}

pub struct TrainingRun {
    classes: Vec<String>,
    /// (sample, label) fixed at the Train click.
    items: Vec<(SampleId, usize)>,
    config: TrainingConfig,
    state: RunState,
    started_ms: f64,
    last_progress_ms: f64,
    notices: Vec<Notice>,
}

impl TrainingRun {
    pub fn new(
        classes: Vec<String>,
        items: Vec<(SampleId, usize)>,
        config: TrainingConfig,
        now_ms: f64,
    ) -> Self {
        Self {
            classes,
            items,
            config,
            state: RunState::WaitingForFeatures,
            started_ms: now_ms,
            last_progress_ms: f64::NEG_INFINITY,
            notices: Vec::new(),
        }
    }

    pub fn sample_ids(&self) -> Vec<SampleId> {
        self.items.iter().map(|&(id, _)| id).collect()
    }

    pub fn freeze_depth(&self) -> usize {
        self.config.freeze_depth
    }

    pub fn is_training(&self) -> bool {
        matches!(self.state, RunState::Training(_))
    }

    /// Starts training once every image of the run has its plain features; `augmented` is
    /// (augmented views ready, wanted): Train does not wait for the slow part. `plan` says
    /// what memory allowed to keep.
    pub fn start(
        &mut self,
        backbone: &EfficientNetLite0,
        activations: &Activations<'_>,
        plan: &MemoryPlan,
        augmented: (usize, usize),
        now_ms: f64,
    ) -> Result<(), TrainError> {
        let trainer = Trainer::new(
            backbone,
            &self.classes,
            &self.items,
            activations,
            self.config.clone(),
            &activations.device(),
        )?;
        let (ready, wanted) = augmented;
        if self.config.augment && ready < wanted {
            self.notices
                .push(Notice::PartialAugmentation { ready, wanted });
        }
        match plan.kept {
            KeptViews::All => {}
            KeptViews::First(kept) => self.notices.push(Notice::FewerViews {
                kept,
                wanted: plan.views,
            }),
            KeptViews::Recomputed => self.notices.push(Notice::ActivationsRecomputed {
                needed_bytes: plan.needed_bytes(),
                budget_bytes: plan.budget_bytes,
            }),
        }
        self.started_ms = now_ms;
        self.state = RunState::Training(Box::new(trainer));
        Ok(())
    }

    /// One mini-batch; the events it produced go to `events`.
    pub async fn step(
        &mut self,
        activations: &Activations<'_>,
        now_ms: f64,
        events: &mut Vec<Event>,
    ) -> Result<Outcome, TrainError> {
        let RunState::Training(trainer) = &mut self.state else {
            return Ok(Outcome::Continue);
        };
        let steps_per_epoch = trainer.steps_per_epoch();
        match trainer.step(activations).await? {
            TrainEvent::Step { epoch, step, .. } => {
                self.progress(epoch, step, steps_per_epoch, now_ms, false, events);
                Ok(Outcome::Continue)
            }
            TrainEvent::Epoch(metrics) => {
                let epoch = metrics.epoch;
                events.push(Event::Epoch(metrics));
                // Epochs of a single step produce no `Step` event.
                self.progress(
                    epoch,
                    steps_per_epoch,
                    steps_per_epoch,
                    now_ms,
                    true,
                    events,
                );
                Ok(Outcome::Continue)
            }
            TrainEvent::Finished => self.finish(activations, false, now_ms, events).await,
        }
    }

    fn progress(
        &mut self,
        epoch: usize,
        step: usize,
        steps_per_epoch: usize,
        now_ms: f64,
        always: bool,
        events: &mut Vec<Event>,
    ) {
        if !always && now_ms - self.last_progress_ms < PROGRESS_INTERVAL_MS {
            return;
        }
        self.last_progress_ms = now_ms;
        let total_steps = steps_per_epoch * self.config.epochs;
        let steps_done = (epoch - 1) * steps_per_epoch + step;
        let elapsed = (now_ms - self.started_ms).max(0.0) / 1000.0;
        let eta = elapsed / steps_done.max(1) as f64 * (total_steps - steps_done) as f64;
        events.push(Event::TrainingProgress(TrainingProgress {
            epoch,
            epochs: self.config.epochs,
            step,
            steps_per_epoch,
            steps_done,
            total_steps,
            eta_seconds: Some(eta),
        }));
    }

    /// Cancel: before the first epoch ended there is nothing worth keeping (the previous
    /// classifier stays); after, the best epoch so far becomes the classifier.
    pub async fn cancel(
        mut self,
        activations: &Activations<'_>,
        now_ms: f64,
        events: &mut Vec<Event>,
    ) -> Result<Outcome, TrainError> {
        let epochs_done = match &self.state {
            RunState::Training(trainer) => trainer.epochs_done(),
            RunState::WaitingForFeatures => 0,
        };
        if epochs_done == 0 {
            events.push(Event::TrainingCancelled);
            return Ok(Outcome::Continue);
        }
        self.finish(activations, true, now_ms, events).await
    }

    async fn finish(
        &mut self,
        activations: &Activations<'_>,
        cancelled: bool,
        now_ms: f64,
        events: &mut Vec<Event>,
    ) -> Result<Outcome, TrainError> {
        let state = std::mem::replace(&mut self.state, RunState::WaitingForFeatures);
        let RunState::Training(trainer) = state else {
            return Err(TrainError::EmptyEpoch);
        };
        let fit = trainer.finish(activations).await?;
        self.notices.extend(fit.notices);
        let report = TrainingReport {
            classes: self.classes.clone(),
            per_class_accuracy: fit.evaluation.confusion.per_class_accuracy(),
            confusion: fit.evaluation.confusion,
            evaluated_on: fit.evaluated_on,
            best_epoch: fit.best_epoch,
            epochs_run: fit.history.len(),
            cancelled,
            seconds: (now_ms - self.started_ms).max(0.0) / 1000.0,
            notices: self.notices.clone(),
        };
        events.push(Event::Evaluated(fit.evaluation.predictions));
        events.push(Event::TrainingDone(report.clone()));
        let classifier = Classifier::new(self.classes.clone(), &self.config, fit.model);
        Ok(Outcome::Done(Box::new(classifier), Box::new(report)))
    }
}
