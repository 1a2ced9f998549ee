//! The training loop, advanced one mini-batch at a time so that a browser can render
//! between steps. Reads back from the device only at epoch ends, asynchronously.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};

use super::TrainError;
use super::cache::{Activations, Key, read_floats};
use super::config::{TrainingConfig, head_only_share_for};
use super::evaluate::{Evaluation, evaluate};
use super::trainable::TrainableModel;
use crate::data::dataset::{check_labels, class_counts, stratified_split};
use crate::model::EfficientNetLite0;
use crate::model::head::check_feature_length;
use crate::model::split::UnfrozenSuffix;
use crate::rng::Rng;

pub use ajuste_protocol::{EpochMetrics, EvaluatedOn, Notice};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TrainEvent {
    /// One mini-batch done (`step` counts from 1 within the epoch, which counts from 1).
    Step {
        epoch: usize,
        step: usize,
        steps_per_epoch: usize,
        steps_done: usize,
        total_steps: usize,
    },
    /// An epoch ended; its metrics.
    Epoch(EpochMetrics),
    /// All epochs done: call [`Trainer::finish`].
    Finished,
}

/// What training leaves behind.
pub struct FitOutcome {
    /// The best epoch's model by validation loss (the last one without validation).
    pub model: TrainableModel,
    pub best_epoch: Option<usize>,
    pub history: Vec<EpochMetrics>,
    /// The kept model on the held-out images, or on the training images when every class
    /// was too small to hold any out (`evaluated_on` says which).
    pub evaluation: Evaluation,
    pub evaluated_on: EvaluatedOn,
    pub notices: Vec<Notice>,
}

pub struct Trainer {
    config: TrainingConfig,
    device: Device,
    model: TrainableModel,
    head_optimizer: ModuleOptimizer,
    suffix_optimizer: ModuleOptimizer,
    num_classes: usize,
    train: Vec<(u64, usize)>,
    validation: Vec<(u64, usize)>,
    notices: Vec<Notice>,
    rng: Rng,
    order: Vec<usize>,
    epoch: usize,
    position: usize,
    steps_done: usize,
    loss_sum: Option<Tensor<1>>,
    correct_sum: Option<Tensor<1>>,
    history: Vec<EpochMetrics>,
    best: Option<(f32, usize, TrainableModel)>,
    /// Epochs at the start that train the head alone (fine-tuning only).
    head_only_epochs: usize,
}

/// Refuses settings that cannot train (before any data is looked at). The settings the page
/// edits are checked against the page's own limits (`protocol::limits`).
pub fn check_config(config: &TrainingConfig) -> Result<(), TrainError> {
    config.settings().validate()?;
    let bad = |what: &str| Err(TrainError::Config(what.to_string()));
    if !(config.backbone_learning_rate_scale.is_finite()
        && config.backbone_learning_rate_scale >= 0.0)
    {
        return bad("the backbone learning-rate scale must be 0 or more");
    }
    if !(0.0..1.0).contains(&config.label_smoothing) || !(0.0..1.0).contains(&config.dropout) {
        return bad("label smoothing and dropout must be between 0 and 1");
    }
    if config
        .head_only_share
        .is_some_and(|share| !(0.0..1.0).contains(&share))
    {
        return bad("the head-only share must be between 0 and 1");
    }
    if !(0.0..1.0).contains(&config.warmup_share) || !config.weight_decay.is_finite() {
        return bad("the warm-up share must be between 0 and 1 and weight decay a number");
    }
    check_feature_length(config.feature_length).map_err(TrainError::Config)
}

impl Trainer {
    /// Checks the data and the settings, splits the data and builds the trainable part.
    /// `items` are (sample id, label) with labels indexing `classes`; the activations must
    /// hold every item's plain view at the configured freeze depth.
    pub fn new(
        backbone: &EfficientNetLite0,
        classes: &[String],
        items: &[(u64, usize)],
        activations: &Activations<'_>,
        config: TrainingConfig,
        device: &Device,
    ) -> Result<Self, TrainError> {
        check_config(&config)?;
        let labels: Vec<usize> = items.iter().map(|&(_, label)| label).collect();
        check_labels(classes, &labels)?;
        if activations.freeze_depth() != config.freeze_depth {
            return Err(TrainError::CacheDepth {
                cache: activations.freeze_depth(),
                wanted: config.freeze_depth,
            });
        }
        let num_classes = classes.len();
        let smallest_class = class_counts(labels.iter().copied(), num_classes)
            .into_iter()
            .min()
            .unwrap_or(0);
        let head_only_share = config
            .head_only_share
            .unwrap_or_else(|| head_only_share_for(smallest_class));
        let head_only_epochs =
            ((config.epochs as f64 * head_only_share) as usize).min(config.epochs - 1);
        let split = stratified_split(&labels, num_classes, config.validation_share, config.seed);
        let pick = |indices: &[usize]| -> Vec<(u64, usize)> {
            indices.iter().map(|&i| items[i]).collect()
        };
        let (train, validation) = (pick(&split.train), pick(&split.validation));
        for &(id, _) in train.iter().chain(&validation) {
            // Missing augmented views fall back to the plain one; the plain one is required.
            if !activations.contains(&(id, 0)) {
                return Err(TrainError::NotCached(id));
            }
        }
        let notices = split
            .classes_without_validation
            .iter()
            .map(|&c| Notice::NoValidationImages(classes[c].clone()))
            .collect();

        let device = device.clone().autodiff();
        let mut rng = Rng::new(config.seed);
        let head = config.head(num_classes).init(&mut rng, &device);
        let suffix = (config.freeze_depth > 0).then(|| {
            UnfrozenSuffix::from_backbone(backbone, config.freeze_depth)
                .fork(&device)
                .train()
        });
        let optimizer = || {
            AdamWConfig::new()
                .with_weight_decay(config.weight_decay as f32)
                .init()
        };
        let mut trainer = Self {
            head_optimizer: optimizer(),
            suffix_optimizer: optimizer(),
            model: TrainableModel { suffix, head },
            rng,
            config,
            device,
            num_classes,
            train,
            validation,
            notices,
            order: Vec::new(),
            epoch: 0,
            position: 0,
            steps_done: 0,
            loss_sum: None,
            correct_sum: None,
            history: Vec::new(),
            best: None,
            head_only_epochs,
        };
        trainer.start_epoch();
        Ok(trainer)
    }

    /// Warnings worth showing the user (e.g. classes without validation images).
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Epochs completed so far.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    pub fn epochs(&self) -> usize {
        self.config.epochs
    }

    pub fn has_validation(&self) -> bool {
        !self.validation.is_empty()
    }

    fn batch_size(&self) -> usize {
        self.config.batch_size.min(self.train.len())
    }

    pub fn steps_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.batch_size())
    }

    pub fn total_steps(&self) -> usize {
        self.steps_per_epoch() * self.config.epochs
    }

    /// Whether the unfrozen blocks learn in this epoch (they never do at freeze depth 0).
    /// The last epoch always fine-tunes, so that asking for fine-tuning gets some.
    fn blocks_learn(&self) -> bool {
        self.model.suffix.is_some() && self.epoch >= self.head_only_epochs
    }

    fn start_epoch(&mut self) {
        self.order = (0..self.train.len()).collect();
        self.rng.shuffle(&mut self.order);
        self.position = 0;
    }

    /// Linear warm-up, then cosine decay to 1% of the peak.
    pub fn learning_rate(&self, step: usize) -> f64 {
        let total = self.total_steps().max(1);
        let warmup = ((total as f64 * self.config.warmup_share).round() as usize).clamp(1, total);
        let peak = self.config.learning_rate;
        if step < warmup {
            return peak * (step + 1) as f64 / warmup as f64;
        }
        let progress = (step - warmup) as f64 / (total - warmup).max(1) as f64;
        peak * (0.01 + 0.99 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()))
    }

    /// Inverted dropout on the head's input, with masks from the trainer's own generator so
    /// that a seed replays exactly.
    fn dropout(&mut self, features: Tensor<2>) -> Tensor<2> {
        let keep = 1.0 - self.config.dropout;
        if self.config.dropout == 0.0 {
            return features;
        }
        let dims = features.dims();
        let mask: Vec<f32> = (0..dims[0] * dims[1])
            .map(|_| {
                if self.rng.unit() < keep {
                    (1.0 / keep) as f32
                } else {
                    0.0
                }
            })
            .collect();
        features * Tensor::from_data(TensorData::new(mask, dims), &self.device)
    }

    /// Runs one mini-batch; at the end of an epoch also validates.
    pub async fn step(&mut self, activations: &Activations<'_>) -> Result<TrainEvent, TrainError> {
        if self.epoch >= self.config.epochs {
            return Ok(TrainEvent::Finished);
        }
        let end = (self.position + self.batch_size()).min(self.order.len());
        let views = self.config.views();
        let mut keys: Vec<Key> = Vec::with_capacity(end - self.position);
        let mut labels: Vec<i64> = Vec::with_capacity(end - self.position);
        for &index in &self.order[self.position..end] {
            let (id, label) = self.train[index];
            let view = self.rng.below(views);
            keys.push((
                id,
                if activations.contains(&(id, view)) {
                    view
                } else {
                    0
                },
            ));
            labels.push(label as i64);
        }
        let rows = activations.gather(&keys)?.autodiff();
        let targets =
            Tensor::<1, Int>::from_data(TensorData::new(labels, [keys.len()]), &self.device);
        let smoothing = (self.config.label_smoothing > 0.0).then_some(self.config.label_smoothing);
        let blocks_learn = self.blocks_learn();
        let features = match &self.model.suffix {
            // Head-only epochs: the blocks run without autodiff (no graph, no backward).
            Some(suffix) if !blocks_learn => suffix.valid().forward_rows(rows.inner()).autodiff(),
            _ => self.model.features(rows),
        };
        let features = self.dropout(self.model.head.scale(features));
        let logits = self.model.head.classify(features);
        let loss = CrossEntropyLossConfig::new()
            .with_smoothing(smoothing)
            .init(&self.device)
            .forward(logits.clone(), targets.clone());
        let batch = keys.len() as f32;
        let correct = logits
            .argmax(1)
            .reshape([keys.len()])
            .equal(targets)
            .float()
            .sum()
            .detach();
        let weighted_loss = loss.clone().detach() * batch;
        self.loss_sum = Some(
            self.loss_sum
                .take()
                .map_or(weighted_loss.clone(), |sum| sum + weighted_loss),
        );
        self.correct_sum = Some(
            self.correct_sum
                .take()
                .map_or(correct.clone(), |sum| sum + correct),
        );

        let learning_rate = self.learning_rate(self.steps_done);
        let mut gradients = loss.backward();
        let TrainableModel { suffix, head } = self.model.clone();
        let head_gradients = GradientsParams::from_module(&mut gradients, &head);
        let head = self
            .head_optimizer
            .step(learning_rate, head, head_gradients);
        let suffix = suffix.map(|suffix| {
            if !blocks_learn {
                return suffix;
            }
            let suffix_gradients = GradientsParams::from_module(&mut gradients, &suffix);
            let rate = learning_rate * self.config.backbone_learning_rate_scale;
            self.suffix_optimizer.step(rate, suffix, suffix_gradients)
        });
        self.model = TrainableModel { suffix, head };

        self.position = end;
        self.steps_done += 1;
        let step = self.position.div_ceil(self.batch_size());
        if self.position < self.order.len() {
            return Ok(TrainEvent::Step {
                epoch: self.epoch + 1,
                step,
                steps_per_epoch: self.steps_per_epoch(),
                steps_done: self.steps_done,
                total_steps: self.total_steps(),
            });
        }
        let metrics = self.end_epoch(activations, learning_rate).await?;
        Ok(TrainEvent::Epoch(metrics))
    }

    async fn end_epoch(
        &mut self,
        activations: &Activations<'_>,
        learning_rate: f64,
    ) -> Result<EpochMetrics, TrainError> {
        let seen = self.train.len() as f32;
        let loss_sum = self.loss_sum.take().ok_or(TrainError::EmptyEpoch)?;
        let correct_sum = self.correct_sum.take().ok_or(TrainError::EmptyEpoch)?;
        let sums = read_floats(Tensor::cat(vec![loss_sum, correct_sum], 0)).await?;
        let train_loss = sums[0] / seen;
        if !train_loss.is_finite() {
            return Err(TrainError::Diverged);
        }
        let validation = if self.has_validation() {
            Some(self.evaluate(activations, &self.validation.clone()).await?)
        } else {
            None
        };
        self.epoch += 1;
        let metrics = EpochMetrics {
            epoch: self.epoch,
            train_loss,
            train_accuracy: sums[1] / seen,
            validation_loss: validation.as_ref().map(|v| v.loss),
            validation_accuracy: validation.as_ref().map(|v| v.confusion.accuracy()),
            learning_rate,
        };
        if let Some(loss) = metrics.validation_loss
            && self.best.as_ref().is_none_or(|(best, _, _)| loss < *best)
        {
            self.best = Some((loss, self.epoch, self.model.valid()));
        }
        self.history.push(metrics.clone());
        self.start_epoch();
        Ok(metrics)
    }

    /// Loss and confusion matrix of the current model on `items`, predicted as the trained
    /// classifier will predict them (see [`evaluate`]).
    pub async fn evaluate(
        &self,
        activations: &Activations<'_>,
        items: &[(u64, usize)],
    ) -> Result<Evaluation, TrainError> {
        let mirror = self.config.mirror_average();
        evaluate(
            &self.model.valid(),
            activations,
            items,
            self.num_classes,
            mirror,
        )
        .await
    }

    /// Sample ids and labels held out for validation.
    pub fn validation_items(&self) -> &[(u64, usize)] {
        &self.validation
    }

    /// Sample ids and labels trained on.
    pub fn training_items(&self) -> &[(u64, usize)] {
        &self.train
    }

    /// Stops (whether all epochs ran or not) and hands over the best model so far, measured
    /// on the held-out images (on the training images when none could be held out).
    pub async fn finish(self, activations: &Activations<'_>) -> Result<FitOutcome, TrainError> {
        let (model, best_epoch) = match self.best {
            Some((_, epoch, model)) => (model, Some(epoch)),
            None => (self.model.valid(), None),
        };
        let (items, evaluated_on) = if self.validation.is_empty() {
            (&self.train, EvaluatedOn::Training)
        } else {
            (&self.validation, EvaluatedOn::Validation)
        };
        let mirror = self.config.mirror_average();
        let evaluation = evaluate(&model, activations, items, self.num_classes, mirror).await?;
        Ok(FitOutcome {
            model,
            best_epoch,
            history: self.history,
            evaluation,
            evaluated_on,
            notices: self.notices,
        })
    }
}
