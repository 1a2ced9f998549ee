//! The two building blocks of EfficientNet-Lite: a convolution followed by batch norm (and
//! usually ReLU6), and the inverted-residual MBConv block made of three of them.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;

use super::{batch_norm_cpu, depthwise_cpu};

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
        let conv = &self.conv;
        let weight = conv.weight.val();
        let [_, _, height, width] = x.dims();
        let on_cpu = x.device() == Device::flex();
        let learning_on_cpu = on_cpu && weight.is_require_grad();
        let pointwise = conv.kernel_size == [1, 1] && conv.stride == [1, 1] && conv.groups == 1;
        let depthwise = conv.groups > 1 && conv.groups == weight.dims()[0];
        let x = if pointwise && height * width <= SMALL_MAP && learning_on_cpu {
            pointwise_small(x, weight)
        } else if depthwise && learning_on_cpu {
            let geometry =
                depthwise_cpu::Geometry::same([height, width], conv.kernel_size[0], conv.stride[0]);
            depthwise_cpu::depthwise_conv2d(x, weight, geometry)
        } else {
            conv.forward(x)
        };
        if on_cpu {
            return batch_norm_cpu::batch_norm_activation(x, &self.bn, self.activate);
        }
        let x = self.bn.forward(x);
        if self.activate { relu6(x) } else { x }
    }
}

/// Maps of at most this many positions (the 7x7 maps of the last stages, the blocks that
/// fine-tune) take [`pointwise_small`] for their 1x1 convolutions while they learn on the CPU.
const SMALL_MAP: usize = 64;

/// A 1x1 convolution on small maps as one matrix product over all the images:
/// `[cout, cin] × [cin, batch·h·w]`. burn Flex's convolution and its gradients multiply
/// image by image, and on a 7x7 map each product is only 49 columns wide, so the multiplier
/// spends its time packing; one product over the batch, for forward and both gradients, makes
/// cached fine-tuning epochs ~30% faster (README "Benchmarks"). Where nothing learns, the
/// convolution's own forward pass is faster than the two transpositions this needs; on
/// WebGPU (measured on SwiftShader) the convolution was faster too.
fn pointwise_small(x: Tensor<4>, weight: Tensor<4>) -> Tensor<4> {
    let [batch, channels_in, height, width] = x.dims();
    let channels_out = weight.dims()[0];
    let positions = height * width;
    let weight = weight.reshape([channels_out, channels_in]);
    let x = (x.reshape([batch, channels_in, positions]).swap_dims(0, 1))
        .reshape([channels_in, batch * positions]);
    (weight
        .matmul(x)
        .reshape([channels_out, batch, positions])
        .swap_dims(0, 1))
    .reshape([batch, channels_out, height, width])
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Output, input gradient and weight gradient of a 1x1 convolution of `x` (weights as
    /// `conv` holds them), through the product when `small`.
    fn with_gradients(conv: &Conv2d, x: &Tensor<4>, small: bool) -> [Vec<f32>; 3] {
        let weight = conv.weight.val();
        let output = if small {
            pointwise_small(x.clone(), weight.clone())
        } else {
            conv.forward(x.clone())
        };
        // A weighted sum, so that every output position has its own gradient.
        let weights =
            Tensor::<1, Int>::arange(0..output.shape().num_elements() as i64, &x.device())
                .float()
                .sin()
                .reshape(output.dims());
        let gradients = (output.clone() * weights).sum().backward();
        let values = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
        [
            values(output),
            values(x.grad(&gradients).unwrap()),
            values(weight.grad(&gradients).unwrap()),
        ]
    }

    /// Deterministic values of about unit size: the tests run in parallel and share burn's
    /// random generator, so random tensors would differ from run to run.
    fn waves<const D: usize>(dims: [usize; D], frequency: f64, device: &Device) -> Tensor<D> {
        let count = dims.iter().product::<usize>() as i64;
        Tensor::<1, Int>::arange(0..count, device)
            .float()
            .mul_scalar(frequency)
            .sin()
            .reshape(dims)
    }

    #[test]
    fn small_map_products_are_the_convolution_and_its_gradients() {
        let device = Device::flex().autodiff();
        let mut conv = Conv2dConfig::new([6, 5], [1, 1])
            .with_bias(false)
            .init(&device);
        conv.weight = burn::module::Param::from_tensor(waves([5, 6, 1, 1], 0.7, &device));
        assert!(
            conv.weight.val().is_require_grad(),
            "learning weights take the product"
        );
        let x = waves([3, 6, 7, 7], 0.37, &device).require_grad();
        let product = with_gradients(&conv, &x, true);
        let convolution = with_gradients(&conv, &x, false);
        for (ours, theirs) in product.iter().zip(&convolution) {
            assert_eq!(ours.len(), theirs.len());
            let error = ours
                .iter()
                .zip(theirs)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            // The weight gradients sum 147 products each: f32 rounding grows with their size.
            let largest = theirs.iter().map(|v| v.abs()).fold(1.0, f32::max);
            assert!(
                error < 1e-5 * largest,
                "differs by {error} (largest {largest})"
            );
        }
    }
}
