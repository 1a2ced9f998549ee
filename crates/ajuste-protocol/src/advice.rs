//! Which mode to suggest for how many images each class has: with little data only the new
//! head trains (transfer learning); with more, the last blocks learn too (fine-tuning). The
//! thresholds come from the recipe sweep on real photos (README, "The training recipe").

use serde::{Deserialize, Serialize};

/// From this many images in the smallest class on, fine-tuning beat transfer learning in the
/// sweep; below it, it cost accuracy and took far longer.
pub const FINE_TUNING_FROM_IMAGES: usize = 30;

/// How many blocks to unfreeze from [`FINE_TUNING_FROM_IMAGES`] on: at 30 images per class
/// the last four beat one and two blocks on both tuning sets (+1.3 and +1.1 points over
/// transfer learning, where one block gained nothing; README, "The training recipe").
pub const SUGGESTED_FREEZE_DEPTH: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suggestion {
    /// Train only the new head on the pretrained features.
    TransferLearning,
    /// Also train the backbone's last `freeze_depth` blocks.
    FineTuning { freeze_depth: usize },
}

impl Suggestion {
    /// The mode for classes of at least `images_per_class` images (count the smallest class).
    pub fn for_images(images_per_class: usize) -> Self {
        if images_per_class >= FINE_TUNING_FROM_IMAGES {
            Self::FineTuning {
                freeze_depth: SUGGESTED_FREEZE_DEPTH,
            }
        } else {
            Self::TransferLearning
        }
    }

    pub fn freeze_depth(self) -> usize {
        match self {
            Self::TransferLearning => 0,
            Self::FineTuning { freeze_depth } => freeze_depth,
        }
    }

    /// One sentence for the page, next to the mode choice.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::TransferLearning => {
                "With fewer than 30 images per class, train only the last layer (transfer \
                 learning): unfreezing blocks costs accuracy and time at this size."
            }
            Self::FineTuning { .. } => {
                "With 30 or more images per class, unfreezing the last blocks (fine-tuning) \
                 can add accuracy; it trains tens of times slower."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_data_trains_the_head_only() {
        for images in [0, 1, 5, 10, FINE_TUNING_FROM_IMAGES - 1] {
            assert_eq!(Suggestion::for_images(images), Suggestion::TransferLearning);
            assert_eq!(Suggestion::for_images(images).freeze_depth(), 0);
        }
    }

    #[test]
    fn more_data_unfreezes_blocks() {
        for images in [FINE_TUNING_FROM_IMAGES, 100, 10_000] {
            let suggestion = Suggestion::for_images(images);
            assert!(suggestion.freeze_depth() >= 1, "{images}: {suggestion:?}");
            assert!(suggestion.freeze_depth() <= crate::limits::MAX_FREEZE_DEPTH);
        }
    }

    #[test]
    fn the_explanations_name_the_threshold() {
        let threshold = FINE_TUNING_FROM_IMAGES.to_string();
        for suggestion in [Suggestion::TransferLearning, Suggestion::for_images(1000)] {
            assert!(suggestion.explanation().contains(&threshold));
        }
    }
}
