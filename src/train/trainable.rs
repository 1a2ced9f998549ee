//! The part of the network that learns: the unfrozen blocks with the 1x1 head conv (when
//! fine-tuning) and the new classification head.

use burn::prelude::*;

use super::cache::entry_shape;
use crate::model::backbone::global_average_pool;
use crate::model::head::ClassifierHead;
use crate::model::layers::{ConvBn, MbConv};
use crate::model::{EfficientNetLite0, NUM_BLOCKS};

/// The last `freeze_depth` pretrained blocks and the head conv, copied out of the backbone.
/// Loaded weights do not require gradients; the trainer turns that on for this copy only.
#[derive(Module, Debug)]
pub struct UnfrozenSuffix {
    pub blocks: Vec<MbConv>,
    pub head_conv: ConvBn,
}

impl UnfrozenSuffix {
    pub fn from_backbone(backbone: &EfficientNetLite0, freeze_depth: usize) -> Self {
        Self {
            blocks: backbone.blocks[NUM_BLOCKS - freeze_depth..].to_vec(),
            head_conv: backbone.head.clone(),
        }
    }

    /// Activation entering the first unfrozen block → pooled features.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x));
        global_average_pool(self.head_conv.forward(x))
    }
}

/// Everything trained, as one module so that it moves, saves and evaluates as a unit.
#[derive(Module, Debug)]
pub struct TrainableModel {
    pub suffix: Option<UnfrozenSuffix>,
    pub head: ClassifierHead,
}

impl TrainableModel {
    pub fn freeze_depth(&self) -> usize {
        self.suffix.as_ref().map_or(0, |s| s.blocks.len())
    }

    /// Cached rows (`[batch, entry length]`, see [`entry_shape`]) → pooled features.
    pub fn features(&self, rows: Tensor<2>) -> Tensor<2> {
        match &self.suffix {
            None => rows,
            Some(suffix) => {
                let [c, h, w] = entry_shape(suffix.blocks.len());
                let batch = rows.dims()[0];
                suffix.forward(rows.reshape([batch, c, h, w]))
            }
        }
    }

    /// Cached rows → logits, for inference.
    pub fn forward_cached(&self, rows: Tensor<2>) -> Tensor<2> {
        self.head.forward(self.features(rows))
    }

    /// Images → logits, running the frozen prefix of `backbone` first.
    pub fn forward_images(&self, backbone: &EfficientNetLite0, images: Tensor<4>) -> Tensor<2> {
        let depth = self.freeze_depth();
        self.forward_cached(super::cache::frozen_prefix(backbone, images, depth))
    }
}
