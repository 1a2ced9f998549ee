//! The two building blocks of EfficientNet-Lite: a convolution followed by batch norm (and
//! usually ReLU6), and the inverted-residual MBConv block made of three of them.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;

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
        let x = self.bn.forward(self.conv.forward(x));
        if self.activate { relu6(x) } else { x }
    }
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
}
