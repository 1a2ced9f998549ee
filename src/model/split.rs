//! The network cut at a freeze depth `d`: a frozen prefix (stem and the first `16 − d`
//! blocks) whose output can be computed once per image, and the suffix after it (the last
//! `d` blocks and the 1x1 head conv) that fine-tuning trains.

use burn::prelude::*;

use super::backbone::{boundary_shape, global_average_pool};
use super::layers::{ConvBn, MbConv};
use super::{EfficientNetLite0, FEATURE_CHANNELS, NUM_BLOCKS};

/// What the frozen prefix yields per image for a freeze depth: pooled features at depth 0,
/// otherwise the activation entering the first unfrozen block.
pub fn entry_shape(freeze_depth: usize) -> [usize; 3] {
    if freeze_depth == 0 {
        [FEATURE_CHANNELS, 1, 1]
    } else {
        boundary_shape(NUM_BLOCKS - freeze_depth)
    }
}

/// The frozen part of the network on a batch of images, one flat row per image.
pub fn frozen_prefix(
    backbone: &EfficientNetLite0,
    images: Tensor<4>,
    freeze_depth: usize,
) -> Tensor<2> {
    let rows = images.dims()[0];
    if freeze_depth == 0 {
        backbone.features(images)
    } else {
        backbone
            .prefix(images, NUM_BLOCKS - freeze_depth)
            .reshape([rows as i32, -1])
    }
}

/// The last `freeze_depth` pretrained blocks and the head conv, copied out of the backbone.
/// Loaded weights do not require gradients; a trainer turns that on for this copy only.
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

    pub fn freeze_depth(&self) -> usize {
        self.blocks.len()
    }

    /// Rows of the frozen prefix (see [`entry_shape`]) → pooled features.
    pub fn forward_rows(&self, rows: Tensor<2>) -> Tensor<2> {
        let [c, h, w] = entry_shape(self.freeze_depth());
        let batch = rows.dims()[0];
        let x = rows.reshape([batch, c, h, w]);
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x));
        global_average_pool(self.head_conv.forward(x))
    }
}
