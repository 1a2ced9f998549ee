//! Every training setting, with defaults that work for 5–500 images per class.

use burn::prelude::*;

use super::augment::AugmentConfig;

#[derive(Config, Debug)]
pub struct TrainingConfig {
    /// How many of the backbone's last blocks train (0 = transfer learning: only the new
    /// head trains; k ≥ 1 also trains the 1x1 head conv).
    #[config(default = 0)]
    pub freeze_depth: usize,
    #[config(default = 40)]
    pub epochs: usize,
    #[config(default = 16)]
    pub batch_size: usize,
    /// Peak learning rate of the new head (AdamW).
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// The unfrozen pretrained blocks learn this much slower than the new head, so that
    /// fine-tuning adjusts them instead of overwriting them.
    #[config(default = 0.1)]
    pub backbone_learning_rate_scale: f64,
    #[config(default = 1e-4)]
    pub weight_decay: f64,
    /// Share of the steps spent warming the learning rate up linearly; cosine decay after.
    #[config(default = 0.1)]
    pub warmup_share: f64,
    #[config(default = 0.1)]
    pub label_smoothing: f32,
    #[config(default = 0.2)]
    pub dropout: f64,
    #[config(default = "None")]
    pub hidden_units: Option<usize>,
    #[config(default = true)]
    pub augment: bool,
    /// Augmented views computed per image (besides the plain one) when augmenting.
    #[config(default = 4)]
    pub augmented_views: usize,
    pub augmentation: AugmentConfig,
    #[config(default = 0.15)]
    pub validation_share: f64,
    #[config(default = 42)]
    pub seed: u64,
}

impl TrainingConfig {
    /// Views per image the cache must hold: the plain one, plus the augmented ones.
    pub fn views(&self) -> usize {
        1 + if self.augment {
            self.augmented_views
        } else {
            0
        }
    }
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self::new(AugmentConfig::new())
    }
}
