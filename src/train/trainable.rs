//! The part of the network that learns: the unfrozen blocks with the 1x1 head conv (when
//! fine-tuning) and the new classification head.

use burn::prelude::*;

use crate::model::head::ClassifierHead;
use crate::model::split::UnfrozenSuffix;

/// Everything trained, as one module so that it moves, saves and evaluates as a unit.
#[derive(Module, Debug)]
pub struct TrainableModel {
    pub suffix: Option<UnfrozenSuffix>,
    pub head: ClassifierHead,
}

impl TrainableModel {
    pub fn freeze_depth(&self) -> usize {
        self.suffix.as_ref().map_or(0, UnfrozenSuffix::freeze_depth)
    }

    /// Rows of the frozen prefix → pooled features.
    pub fn features(&self, rows: Tensor<2>) -> Tensor<2> {
        match &self.suffix {
            None => rows,
            Some(suffix) => suffix.forward_rows(rows),
        }
    }

    /// Rows of the frozen prefix → logits, for inference.
    pub fn forward_cached(&self, rows: Tensor<2>) -> Tensor<2> {
        self.head.forward(self.features(rows))
    }
}
