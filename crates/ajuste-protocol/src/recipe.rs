//! The training settings to start from, by how many images there are and how many blocks
//! train. Measured on real photos against a logistic-regression baseline (README, "The
//! training recipe"); the page and `ajuste train` both start from these.

use crate::TrainSettings;

/// From this many images in the smallest class on, 15% of each class is held out to pick
/// the best epoch. Below it every image trains on a fixed schedule and the last epoch is
/// kept: holding out 15% of 5–30 images costs 1–5 of them, and an epoch picked on one or two
/// images per class is noise (measured: +1 point at 10 and 30 shots).
pub const VALIDATION_FROM_IMAGES: usize = 50;

/// Transfer learning trains a linear head on cached features: many cheap epochs, so that
/// even 5 images per class get enough steps (60 epochs of 3 steps each for 3 × 30 images).
const HEAD_EPOCHS: usize = 60;
/// Fine-tuning epochs cost the forward and backward pass of the unfrozen blocks; the first
/// half of them trains the head alone (see `TrainingConfig::head_only_share`).
const FINE_TUNING_EPOCHS: usize = 20;

impl TrainSettings {
    /// The settings for classes of at least `images_per_class` images, training the last
    /// `freeze_depth` blocks (0 = transfer learning).
    pub fn recommended(images_per_class: usize, freeze_depth: usize) -> Self {
        Self {
            freeze_depth,
            epochs: if freeze_depth == 0 {
                HEAD_EPOCHS
            } else {
                FINE_TUNING_EPOCHS
            },
            batch_size: 32,
            learning_rate: 3e-3,
            augment: true,
            validation_share: if images_per_class >= VALIDATION_FROM_IMAGES {
                0.15
            } else {
                0.0
            },
            seed: crate::DEFAULT_SEED,
        }
    }
}

/// The page's first settings: transfer learning on a few images per class.
impl Default for TrainSettings {
    fn default() -> Self {
        Self::recommended(0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_images_all_train_and_many_hold_some_out() {
        for images in [1, 5, 10, 30, VALIDATION_FROM_IMAGES - 1] {
            assert_eq!(TrainSettings::recommended(images, 0).validation_share, 0.0);
        }
        for images in [VALIDATION_FROM_IMAGES, 500] {
            assert_eq!(TrainSettings::recommended(images, 2).validation_share, 0.15);
        }
    }

    #[test]
    fn fine_tuning_runs_fewer_epochs_at_the_asked_depth() {
        let head = TrainSettings::recommended(10, 0);
        let tuned = TrainSettings::recommended(10, 2);
        assert_eq!(tuned.freeze_depth, 2);
        assert!(tuned.epochs < head.epochs);
    }

    #[test]
    fn every_recommendation_is_within_the_page_limits() {
        for images in [0, 1, 5, 30, 50, 1000] {
            for depth in [0, 1, 2, 4, crate::limits::MAX_FREEZE_DEPTH] {
                TrainSettings::recommended(images, depth)
                    .validate()
                    .unwrap();
            }
        }
    }
}
