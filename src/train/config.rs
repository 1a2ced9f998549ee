//! Every training setting. The defaults are the recipe for transfer learning on a few images
//! per class; [`TrainingConfig::recommended`] adapts it to more images and to fine-tuning.

use ajuste_protocol::{FINE_TUNING_FROM_IMAGES, TrainSettings};
use burn::prelude::*;

use super::augment::AugmentConfig;
use crate::model::head::HeadConfig;

#[derive(Config, Debug)]
pub struct TrainingConfig {
    /// How many of the backbone's last blocks train (0 = transfer learning: only the new
    /// head trains; k ≥ 1 also trains the 1x1 head conv).
    #[config(default = 0)]
    pub freeze_depth: usize,
    #[config(default = 60)]
    pub epochs: usize,
    #[config(default = 32)]
    pub batch_size: usize,
    /// Peak learning rate of the new head (AdamW).
    #[config(default = 3e-3)]
    pub learning_rate: f64,
    /// The unfrozen pretrained blocks learn this much slower than the new head, so that
    /// fine-tuning adjusts them instead of overwriting them.
    #[config(default = 0.1)]
    pub backbone_learning_rate_scale: f64,
    /// Fine-tuning first trains the new head alone on the unfrozen blocks' pretrained output
    /// for this share of the epochs, then the blocks too: gradients from a random head would
    /// otherwise wreck the pretrained blocks before the head has learnt anything (linear
    /// probing, then fine-tuning). The head-only epochs run no backward pass through the
    /// blocks, so they cost about a third of a fine-tuning epoch. None: by the number of
    /// images per class ([`head_only_share_for`]).
    #[config(default = "None")]
    pub head_only_share: Option<f64>,
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
    /// In transfer learning (freeze depth 0), the head scales pooled features to this length
    /// (`HeadConfig::feature_length`). Photos' features are about 16 long; half that bounds
    /// the logits early in training, which regularises a head fitted to a few images. Blocks
    /// that fine-tune shape their own features, and there the scaling did not help (README,
    /// "The training recipe": both chosen on the tuning photos).
    #[config(default = "Some(8.0)")]
    pub feature_length: Option<f32>,
    #[config(default = true)]
    pub augment: bool,
    /// Augmented views computed per image (besides the plain one) when augmenting; the first
    /// is the plain one's mirror image (`augment::MIRROR_VIEW`).
    #[config(default = 4)]
    pub augmented_views: usize,
    /// Predictions (and validation) average the class probabilities of each image and its
    /// mirror image when augmenting ([`Self::mirror_average`]): a photo's left and right are
    /// seldom what tells classes apart, and two looks at it vote better than one (README,
    /// "The training recipe").
    #[config(default = true)]
    pub test_time_flip: bool,
    pub augmentation: AugmentConfig,
    /// None by default: see `protocol::VALIDATION_FROM_IMAGES`.
    #[config(default = 0.0)]
    pub validation_share: f64,
    #[config(default = 42)]
    pub seed: u64,
}

/// The share of fine-tuning epochs that train the head alone, for classes of at least
/// `images_per_class` images. With few images, half: the blocks then fine-tune on a head that
/// has settled. From the number of images at which the page suggests fine-tuning on, a
/// quarter: there are images enough for the blocks to learn from for longer (on the tuning
/// photos at 30 per class, four blocks: +1.7 points on flowers5-dev, −0.3 on caltech10-dev
/// over six seeds; at 5 and 10 per class a quarter lost 0.6–3.0 points with four blocks;
/// README, "The training recipe").
pub fn head_only_share_for(images_per_class: usize) -> f64 {
    if images_per_class >= FINE_TUNING_FROM_IMAGES {
        0.25
    } else {
        0.5
    }
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

    /// Whether predictions average each image with its mirror image: asked for, and the
    /// mirror image is among the views (it is an augmentation: off with augmentation, so
    /// that "plain images only" holds for training, validation and prediction alike).
    pub fn mirror_average(&self) -> bool {
        self.test_time_flip && self.views() > super::augment::MIRROR_VIEW
    }
}

impl TrainingConfig {
    /// The new head this config trains, for `num_classes` classes.
    pub fn head(&self, num_classes: usize) -> HeadConfig {
        HeadConfig::new(num_classes)
            .with_hidden_units(self.hidden_units)
            .with_feature_length(self.feature_length.filter(|_| self.freeze_depth == 0))
    }

    /// The recipe for classes of at least `images_per_class` images, training the last
    /// `freeze_depth` blocks: the protocol's recommended settings (what the page sends).
    pub fn recommended(images_per_class: usize, freeze_depth: usize) -> Self {
        Self::from_settings(&TrainSettings::recommended(images_per_class, freeze_depth))
    }

    /// The page's settings over the defaults.
    pub fn from_settings(settings: &TrainSettings) -> Self {
        Self::default()
            .with_freeze_depth(settings.freeze_depth)
            .with_epochs(settings.epochs)
            .with_batch_size(settings.batch_size)
            .with_learning_rate(settings.learning_rate)
            .with_augment(settings.augment)
            .with_validation_share(settings.validation_share)
            .with_seed(settings.seed)
    }

    /// The part of the config the page edits (and validates against its limits).
    pub fn settings(&self) -> TrainSettings {
        TrainSettings {
            freeze_depth: self.freeze_depth,
            epochs: self.epochs,
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            augment: self.augment,
            validation_share: self.validation_share,
            seed: self.seed,
        }
    }
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self::new(AugmentConfig::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_defaults_are_the_core_defaults() {
        assert_eq!(
            TrainingConfig::default().settings(),
            TrainSettings::default()
        );
    }

    #[test]
    fn page_settings_become_a_training_config_and_back() {
        let settings = TrainSettings {
            freeze_depth: 2,
            epochs: 5,
            batch_size: 4,
            learning_rate: 0.01,
            augment: false,
            validation_share: 0.0,
            seed: 7,
        };
        let config = TrainingConfig::from_settings(&settings);
        assert_eq!(config.settings(), settings);
        assert_eq!(config.views(), 1);
        assert!(!config.mirror_average(), "no augmentation, no mirror image");
        let augmenting = config.clone().with_augment(true);
        assert!(augmenting.mirror_average());
        assert!(
            !augmenting
                .clone()
                .with_test_time_flip(false)
                .mirror_average()
        );
        assert!(!augmenting.with_augmented_views(0).mirror_average());
        // Features are scaled for transfer learning only.
        assert_eq!(config.head(3).feature_length, None, "freeze depth 2");
        let transfer = config.clone().with_freeze_depth(0).head(3);
        assert_eq!(transfer.feature_length, Some(8.0));
        assert_eq!(config.seed, 7);
        // The rest keeps the core's defaults.
        let defaults = TrainingConfig::default();
        assert_eq!(config.dropout, defaults.dropout);
        assert_eq!(config.augmented_views, defaults.augmented_views);
    }

    #[test]
    fn blocks_fine_tune_longer_from_the_suggested_number_of_images() {
        for images in [1, 5, 10, FINE_TUNING_FROM_IMAGES - 1] {
            assert_eq!(head_only_share_for(images), 0.5);
        }
        for images in [FINE_TUNING_FROM_IMAGES, 100, 10_000] {
            assert_eq!(head_only_share_for(images), 0.25);
        }
        assert_eq!(TrainingConfig::default().head_only_share, None);
    }
}
