//! How much memory the activations at a freeze depth take for the images there are, against
//! what the engine allows itself, and what it does when they do not fit: keep fewer views of
//! each image, or keep none and run the frozen part again at every training step (slower,
//! but bounded). Deep fine-tuning needs this: at d = 16 each view of an image is 1.6 MB, so a
//! thousand images with their augmented views would need 8 GB.

use serde::{Deserialize, Serialize};

/// What the engine keeps of the activations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeptViews {
    /// Every view of every image.
    All,
    /// Only the first `n` views of each image (the plain one first): augmentation draws from
    /// fewer variants.
    First(usize),
    /// None: the frozen part runs again at every step.
    Recomputed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryPlan {
    pub freeze_depth: usize,
    pub images: usize,
    /// Views wanted per image: the plain one, plus the augmented ones when augmenting.
    pub views: usize,
    /// One view of one image at this depth.
    pub bytes_per_view: u64,
    /// What the engine allows the activations of this depth.
    pub budget_bytes: u64,
    pub kept: KeptViews,
}

impl MemoryPlan {
    /// Keeps everything that fits in `budget_bytes`, else as many views per image as fit,
    /// else none.
    pub fn new(
        freeze_depth: usize,
        images: usize,
        views: usize,
        bytes_per_view: u64,
        budget_bytes: u64,
    ) -> Self {
        let per_view_of_all = images as u64 * bytes_per_view;
        let kept = if per_view_of_all * views as u64 <= budget_bytes {
            KeptViews::All
        } else {
            match (budget_bytes / per_view_of_all) as usize {
                0 => KeptViews::Recomputed,
                fitting => KeptViews::First(fitting),
            }
        };
        Self {
            freeze_depth,
            images,
            views,
            bytes_per_view,
            budget_bytes,
            kept,
        }
    }

    /// Keeping every view of every image would take this.
    pub fn needed_bytes(&self) -> u64 {
        self.images as u64 * self.views as u64 * self.bytes_per_view
    }

    /// Views per image kept in memory.
    pub fn views_kept(&self) -> usize {
        match self.kept {
            KeptViews::All => self.views,
            KeptViews::First(n) => n,
            KeptViews::Recomputed => 0,
        }
    }

    /// What the kept activations take: never more than the budget.
    pub fn kept_bytes(&self) -> u64 {
        self.images as u64 * self.views_kept() as u64 * self.bytes_per_view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    #[test]
    fn what_fits_is_kept_then_fewer_views_then_none() {
        // d = 0: 5 KB a view; 5,000 images with 5 views fit in 512 MB.
        let features = MemoryPlan::new(0, 5000, 5, 5120, 512 * MB);
        assert_eq!(features.kept, KeptViews::All);
        // d = 2: 37.6 KB a view; 5,000 images keep 2 of their 5 views.
        let shallow = MemoryPlan::new(2, 5000, 5, 37_632, 512 * MB);
        assert_eq!(shallow.kept, KeptViews::First(2));
        // d = 16: 1.6 MB a view; 1,000 images cannot keep even one.
        let deep = MemoryPlan::new(16, 1000, 5, 1_605_632, 512 * MB);
        assert_eq!(deep.kept, KeptViews::Recomputed);
        assert_eq!(deep.needed_bytes(), 1000 * 5 * 1_605_632);
        assert_eq!(deep.kept_bytes(), 0);
        for plan in [features, shallow, deep] {
            assert!(plan.kept_bytes() <= plan.budget_bytes, "{plan:?}");
        }
        assert_eq!(MemoryPlan::new(16, 0, 5, 1_605_632, 0).kept, KeptViews::All);
    }
}
