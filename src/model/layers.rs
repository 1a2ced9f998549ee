//! The two building blocks of EfficientNet-Lite: a convolution followed by batch norm (and
//! usually ReLU6), and the inverted-residual MBConv block made of three of them.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;

use super::batch_norm_cpu::{
    self,
    Channels::{Last, Planes},
};
use super::depthwise_cpu;

/// The checkpoint was trained in TensorFlow, whose batch norm epsilon is 1e-3 (burn's is 1e-5).
const BATCH_NORM_EPSILON: f64 = 1e-3;

/// The activation of every EfficientNet-Lite layer (Lite swaps swish for ReLU6 to quantise well).
pub fn relu6(x: Tensor<4>) -> Tensor<4> {
    x.clamp(0.0, 6.0)
}

/// Convolution without bias, batch norm in inference mode, optional ReLU6.
#[derive(Module, Debug)]
pub struct ConvBn {
    pub conv: Conv2d,
    pub bn: BatchNorm,
    pub activate: bool,
}

impl ConvBn {
    /// `groups == channels_in` makes it depthwise. Padding is TensorFlow "SAME", which is
    /// asymmetric for stride 2 (the extra row and column go bottom/right); symmetric padding
    /// would keep top-1 but skew the features.
    pub fn new(
        channels: [usize; 2],
        kernel: usize,
        stride: usize,
        groups: usize,
        activate: bool,
        device: &Device,
    ) -> Self {
        let conv = Conv2dConfig::new(channels, [kernel, kernel])
            .with_stride([stride, stride])
            .with_groups(groups)
            .with_padding(PaddingConfig2d::Same)
            .with_bias(false)
            .init(device);
        let mut bn = BatchNormConfig::new(channels[1])
            .with_epsilon(BATCH_NORM_EPSILON)
            .init(device);
        // Pretrained statistics stay frozen even when the layer trains: with a few dozen
        // images, batch statistics would wreck them.
        bn.training = burn::module::Param::from_bool(false).with_value(false);
        Self { conv, bn, activate }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.conv.forward(x);
        if x.device() == Device::flex() {
            return batch_norm_cpu::batch_norm_activation(x, &self.bn, self.activate, Planes);
        }
        let x = self.bn.forward(x);
        if self.activate { relu6(x) } else { x }
    }

    /// The same layer with channels last (`[batch, height, width, channels]`), on the CPU
    /// backend: how blocks learn there. A 1x1 convolution is then one matrix product over all
    /// the positions of all the images, and the depthwise convolution and batch norm run
    /// kernels of their own (`depthwise_cpu`, `batch_norm_cpu`); in channel planes, with the
    /// transpositions the batched 1x1 products need, cached fine-tuning epochs took 1.2–1.6
    /// times as long (README "Benchmarks").
    pub fn forward_channels_last(&self, x: Tensor<4>) -> Tensor<4> {
        let conv = &self.conv;
        let weight = conv.weight.val();
        let [batch, height, width, channels_in] = x.dims();
        let channels_out = weight.dims()[0];
        let pointwise = conv.kernel_size == [1, 1] && conv.stride == [1, 1] && conv.groups == 1;
        let depthwise = conv.groups == channels_in && conv.groups == channels_out;
        let x = if pointwise {
            x.reshape([batch * height * width, channels_in])
                .matmul(weight.reshape([channels_out, channels_in]).transpose())
                .reshape([batch, height, width, channels_out])
        } else if depthwise && conv.kernel_size[0] == conv.kernel_size[1] {
            let [kernel, _] = conv.kernel_size;
            let geometry = depthwise_cpu::Geometry::same([height, width], kernel, conv.stride[0]);
            depthwise_cpu::depthwise_conv2d(x, weight, geometry)
        } else {
            // Not in a block (the stem): burn's convolution, in channel planes.
            conv.forward(x.permute([0, 3, 1, 2])).permute([0, 2, 3, 1])
        };
        batch_norm_cpu::batch_norm_activation(x, &self.bn, self.activate, Last)
    }
}

/// On the CPU backend, blocks on maps at most this wide run with channels last. Natively,
/// measured at batch 1 and 32 (README "Benchmarks"): channel planes win on the wide maps of
/// the first stages (few channels, long rows), channels last from the 28x28 maps on (40
/// channels or more, rows of 7 to 28). In wasm (one thread, 128-bit vectors) channels last
/// wins on every map: against ONNX Runtime in the same runs, batch 16 about 5% and batch 1
/// about 4% faster than from 28 on (README "Speed and size in the browser").
#[cfg(not(target_arch = "wasm32"))]
const CHANNELS_LAST_MAX_SIDE: usize = 28;
#[cfg(target_arch = "wasm32")]
const CHANNELS_LAST_MAX_SIDE: usize = 112;

/// Runs `blocks` in order on `x` (channel planes in and out); on the CPU backend, those on
/// small maps with channels last (see [`CHANNELS_LAST_MAX_SIDE`]).
pub fn run_blocks(blocks: &[MbConv], x: Tensor<4>) -> Tensor<4> {
    run_blocks_channels_last_from(blocks, x, CHANNELS_LAST_MAX_SIDE)
}

fn run_blocks_channels_last_from(blocks: &[MbConv], x: Tensor<4>, max_side: usize) -> Tensor<4> {
    let [_, _, side, _] = x.dims();
    let on_small_maps = if x.device() == Device::flex() {
        let mut side = side;
        blocks
            .iter()
            .position(|block| {
                let small = side <= max_side;
                side = side.div_ceil(block.depthwise.conv.stride[0]);
                small
            })
            .unwrap_or(blocks.len())
    } else {
        blocks.len()
    };
    let (wide, small) = blocks.split_at(on_small_maps);
    let x = wide.iter().fold(x, |x, block| block.forward(x));
    if small.is_empty() {
        return x;
    }
    small
        .iter()
        .fold(x.permute([0, 2, 3, 1]), |x, block| {
            block.forward_channels_last(x)
        })
        .permute([0, 3, 1, 2])
}

/// Shape of one MBConv block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockSpec {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel: usize,
    pub stride: usize,
    pub expand_ratio: usize,
}

impl BlockSpec {
    pub fn has_residual(&self) -> bool {
        self.stride == 1 && self.channels_in == self.channels_out
    }
}

/// Inverted residual: 1x1 expand, kxk depthwise, 1x1 linear projection, identity skip when
/// the shape allows. Lite has no squeeze-and-excite.
#[derive(Module, Debug)]
pub struct MbConv {
    pub expand: Option<ConvBn>,
    pub depthwise: ConvBn,
    pub project: ConvBn,
    pub residual: bool,
}

impl MbConv {
    pub fn new(spec: BlockSpec, device: &Device) -> Self {
        let hidden = spec.channels_in * spec.expand_ratio;
        let expand = (spec.expand_ratio != 1)
            .then(|| ConvBn::new([spec.channels_in, hidden], 1, 1, 1, true, device));
        Self {
            expand,
            depthwise: ConvBn::new(
                [hidden, hidden],
                spec.kernel,
                spec.stride,
                hidden,
                true,
                device,
            ),
            project: ConvBn::new([hidden, spec.channels_out], 1, 1, 1, false, device),
            residual: spec.has_residual(),
        }
    }

    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x = match &self.expand {
            Some(expand) => expand.forward(input.clone()),
            None => input.clone(),
        };
        let x = self.project.forward(self.depthwise.forward(x));
        if self.residual { x + input } else { x }
    }

    /// [`Self::forward`] with channels last (see [`ConvBn::forward_channels_last`]).
    pub fn forward_channels_last(&self, input: Tensor<4>) -> Tensor<4> {
        let x = match &self.expand {
            Some(expand) => expand.forward_channels_last(input.clone()),
            None => input.clone(),
        };
        let x = self.depthwise.forward_channels_last(x);
        let x = self.project.forward_channels_last(x);
        if self.residual { x + input } else { x }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::load_file;

    #[test]
    fn channels_last_on_every_map_matches_channel_planes() {
        // Every block with channels last from the 112x112 maps on, as the wasm build runs
        // them, and in channel planes alone, with the shipped weights on one pseudo-random
        // image.
        let device = Device::flex();
        let weights = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("www/efficientnet-lite0.safetensors");
        let backbone = load_file(&weights, &device).unwrap();
        let image = Tensor::<1, Int>::arange(0..(3 * 224 * 224) as i64, &device)
            .float()
            .mul_scalar(0.37)
            .sin()
            .reshape([1, 3, 224, 224]);
        let x = backbone.stem(image);
        let every_map = run_blocks_channels_last_from(&backbone.blocks, x.clone(), 112);
        let planes = run_blocks_channels_last_from(&backbone.blocks, x, 0);
        let largest = planes.clone().abs().max().into_scalar::<f32>();
        let difference = (every_map - planes).abs().max().into_scalar::<f32>() / largest;
        assert!(largest > 0.1, "the activations faded: {largest}");
        assert!(difference < 1e-5, "relative difference {difference}");
    }
}
