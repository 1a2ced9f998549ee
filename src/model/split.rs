//! The network cut at a freeze depth `d`: a frozen prefix (stem and the first `16 − d`
//! blocks) whose output can be computed once per image, and the suffix after it (the last
//! `d` blocks and the 1x1 head conv) that fine-tuning trains.

use burn::prelude::*;

use super::backbone::{boundary_shape, global_average_pool};
use super::layers::{ConvBn, MbConv, run_blocks};
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
        if self.learns_on_cpu() {
            return self.forward_channels_last(x.permute([0, 2, 3, 1]));
        }
        global_average_pool(self.head_conv.forward(run_blocks(&self.blocks, x)))
    }

    /// Learning on the CPU backend, the blocks run with channels last
    /// ([`ConvBn::forward_channels_last`]).
    fn learns_on_cpu(&self) -> bool {
        let weight = self.head_conv.conv.weight.val();
        weight.is_require_grad() && weight.device() == Device::flex()
    }

    fn forward_channels_last(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self
            .blocks
            .iter()
            .fold(x, |x, block| block.forward_channels_last(x));
        let x = self.head_conv.forward_channels_last(x);
        let [batch, height, width, channels] = x.dims();
        x.reshape([batch, height * width, channels])
            .mean_dim(1)
            .reshape([batch, channels])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest difference, relative to the largest value (at least 1).
    fn relative_difference<const D: usize>(ours: Tensor<D>, theirs: Tensor<D>) -> f32 {
        assert_eq!(ours.dims(), theirs.dims());
        let largest = theirs.clone().abs().max().into_scalar::<f32>().max(1.0);
        (ours - theirs).abs().max().into_scalar::<f32>() / largest
    }

    #[test]
    fn learning_on_the_cpu_with_channels_last_matches_channel_planes() {
        let device = Device::flex().autodiff();
        // Five blocks: the first of them strided (14x14 → 7x7), one with a residual.
        let depth = 5;
        let backbone = EfficientNetLite0::new(&Device::flex());
        let suffix = UnfrozenSuffix::from_backbone(&backbone, depth)
            .fork(&device)
            .train();
        assert!(suffix.learns_on_cpu());
        let [c, h, w] = entry_shape(depth);
        let rows = Tensor::<1, Int>::arange(0..(2 * c * h * w) as i64, &device)
            .float()
            .mul_scalar(0.37)
            .sin()
            .reshape([2, c * h * w]);
        let ours = suffix.forward_rows(rows.clone());
        let planes = {
            let x = rows.reshape([2, c, h, w]);
            let x = suffix.blocks.iter().fold(x, |x, block| block.forward(x));
            global_average_pool(suffix.head_conv.forward(x))
        };
        // A weighted sum, so that every feature has its own gradient.
        let weights = Tensor::<1, Int>::arange(0..ours.shape().num_elements() as i64, &device)
            .float()
            .cos()
            .reshape(ours.dims());
        let our_gradients = (ours.clone() * weights.clone()).sum().backward();
        let plane_gradients = (planes.clone() * weights).sum().backward();
        assert!(relative_difference(ours, planes) < 1e-5, "features differ");
        let first = &suffix.blocks[0];
        let expand = first.expand.as_ref().unwrap();
        let parameters = [
            ("first expansion", expand.conv.weight.val()),
            ("first depthwise", first.depthwise.conv.weight.val()),
            (
                "last projection",
                suffix.blocks[depth - 1].project.conv.weight.val(),
            ),
            ("head conv", suffix.head_conv.conv.weight.val()),
        ];
        for (name, weight) in parameters {
            let difference = relative_difference(
                weight.grad(&our_gradients).unwrap(),
                weight.grad(&plane_gradients).unwrap(),
            );
            assert!(
                difference < 1e-5,
                "{name}: gradient differs by {difference}"
            );
        }
        let gammas = [&expand.bn.gamma, &suffix.head_conv.bn.gamma];
        for gamma in gammas {
            let gamma = gamma.val();
            let difference = relative_difference(
                gamma.grad(&our_gradients).unwrap(),
                gamma.grad(&plane_gradients).unwrap(),
            );
            assert!(difference < 1e-5, "gamma: gradient differs by {difference}");
        }
    }
}
