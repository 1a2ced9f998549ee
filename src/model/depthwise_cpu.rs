//! The depthwise convolution on the CPU backend with channels last, forward and back: learning
//! blocks run it, and so does inference on the smaller maps (`layers::run_blocks`).
//!
//! burn derives a grouped convolution's gradients generically: the weight gradient as one small
//! convolution per group (1,152 of them in each of the last blocks, with their slices and
//! copies) and the input gradient as a grouped transposed convolution, which burn Flex runs
//! element by element. In cached fine-tuning epochs the two took a quarter of the time (README
//! "Benchmarks"). A depthwise convolution and its gradients are per-channel sums of products:
//! with channels innermost (images `[batch, height, width, channels]`, the layout learning
//! blocks run in on the CPU, `layers::ConvBn::forward_channels_last`) every step is one
//! multiply-add over a contiguous row of all the channels, which the compiler vectorises.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::flex::{Flex, FlexTensor};
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, TensorMetadata, backend_extension};
use burn::prelude::*;
use burn::tensor::TensorData;

use super::cpu_tasks::{map_chunks, sum_of, vectorised};

/// Elements per parallel task of the row-parallel passes: small maps group rows into one task.
const TASK_ELEMENTS: usize = 16 * 1024;

/// Stride and TensorFlow "SAME" padding (`(before, after)` per axis) of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub stride: usize,
    pub padding: [(usize, usize); 2],
}

impl Geometry {
    /// TensorFlow's "SAME": the output is the input divided by the stride, rounded up, and the
    /// padding it takes goes half before, the odd one after.
    pub fn same(input: [usize; 2], kernel: usize, stride: usize) -> Self {
        let padding = input.map(|size| {
            let output = size.div_ceil(stride);
            let total = ((output - 1) * stride + kernel).saturating_sub(size);
            (total / 2, total - total / 2)
        });
        Self { stride, padding }
    }
}

#[backend_extension(Flex, Autodiff)]
pub trait DepthwiseBackend: Backend {
    /// `x` `[batch, height, width, channels]` convolved with `weight` `[channels, 1, k, k]`,
    /// channels last.
    fn depthwise_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self>;
}

impl DepthwiseBackend for Flex {
    fn depthwise_conv2d(x: FlexTensor, weight: FlexTensor, geometry: Geometry) -> FlexTensor {
        let shapes = Shapes::new(&x, &weight, geometry);
        let x = x.to_contiguous();
        let values = output(&shapes, as_f32(&x), as_f32(&taps_first(weight)));
        let [height, width] = shapes.output;
        tensor(values, [shapes.batch, height, width, shapes.channels])
    }
}

impl<C: CheckpointStrategy> DepthwiseBackend for Autodiff<Flex, C> {
    fn depthwise_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self> {
        match DepthwiseGradients
            .prepare::<C>([x.node(), weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), geometry);
                let output =
                    Flex::depthwise_conv2d(x.into_primitive(), weight.into_primitive(), geometry);
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::depthwise_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                geometry,
            )),
        }
    }
}

/// `x` (channels last) convolved with the depthwise `weight` through [`DepthwiseBackend`], on
/// the CPU backend.
pub fn depthwise_conv2d(x: Tensor<4>, weight: Tensor<4>, geometry: Geometry) -> Tensor<4> {
    Tensor::from_dispatch(Dispatch::depthwise_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        geometry,
    ))
}

#[derive(Debug)]
struct DepthwiseGradients;

impl Backward<Flex, 2> for DepthwiseGradients {
    type State = (NodeId, NodeId, Geometry);

    fn backward(
        self,
        ops: Ops<Self::State, 2>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x_state, weight_state, geometry) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_state);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight_state);
        let shapes = Shapes::new(&x, &weight, geometry);
        let grad = grad.to_contiguous();
        if let Some(node) = node_weight {
            let x = x.to_contiguous();
            let values = weight_gradient(&shapes, as_f32(&grad), as_f32(&x));
            let [channels, kernel] = [shapes.channels, shapes.kernel];
            let gradient = tensor(values, [kernel, kernel, channels]);
            let gradient = Flex::float_permute(gradient, &[2, 0, 1]).to_contiguous();
            grads.register::<Flex>(node.id, Flex::float_reshape(gradient, weight.shape()));
        }
        if let Some(node) = node_x {
            let values = input_gradient(&shapes, as_f32(&grad), as_f32(&taps_first(weight)));
            let [height, width] = shapes.input;
            let gradient = tensor(values, [shapes.batch, height, width, shapes.channels]);
            grads.register::<Flex>(node.id, gradient);
        }
    }
}

/// `[channels, 1, k, k]` → `[k, k, channels]`: one row of all the channels per tap.
fn taps_first(weight: FlexTensor) -> FlexTensor {
    Flex::float_permute(weight, &[1, 2, 3, 0]).to_contiguous()
}

fn as_f32(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>()
        .expect("the backbone trains in f32, contiguous")
}

fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

/// The sizes the gradients loop over.
#[derive(Clone, Copy, Debug)]
struct Shapes {
    batch: usize,
    channels: usize,
    kernel: usize,
    input: [usize; 2],
    output: [usize; 2],
    geometry: Geometry,
}

impl Shapes {
    fn new(x: &FlexTensor, weight: &FlexTensor, geometry: Geometry) -> Self {
        let [batch, height, width, channels] = x.shape().dims();
        let kernel = weight.shape().dims::<4>()[2];
        let output = [height, width].map(|size| size.div_ceil(geometry.stride));
        Self {
            batch,
            channels,
            kernel,
            input: [height, width],
            output,
            geometry,
        }
    }

    /// For output row (or column) `out` on `axis`, the kernel taps that land inside the input,
    /// with the input row (column) each reads.
    fn taps(&self, axis: usize, out: usize) -> impl Iterator<Item = (usize, usize)> {
        (0..self.kernel).filter_map(move |tap| Some((tap, self.position(axis, out, tap)?)))
    }

    /// The input row (column) that `tap` of output row (column) `out` reads, if inside.
    fn position(&self, axis: usize, out: usize, tap: usize) -> Option<usize> {
        (out * self.geometry.stride + tap)
            .checked_sub(self.geometry.padding[axis].0)
            .filter(|&position| position < self.input[axis])
    }

    /// For input row (or column) `position` on `axis`, the kernel taps that read it, with the
    /// output row (column) each feeds: [`Self::taps`] the other way round.
    fn sources(&self, axis: usize, position: usize) -> impl Iterator<Item = (usize, usize)> {
        let stride = self.geometry.stride;
        let shifted = position + self.geometry.padding[axis].0;
        let outputs = self.output[axis];
        (0..self.kernel).filter_map(move |tap| {
            let start = shifted.checked_sub(tap)?;
            (start % stride == 0 && start / stride < outputs).then_some((tap, start / stride))
        })
    }
}

/// `Σ x[n, iy, ix, c] · weight[ky, kx, c]` over the taps of every output position, channels
/// last: `[batch, height, width, channels]` (output size).
fn output(shapes: &Shapes, x: &[f32], weight: &[f32]) -> Vec<f32> {
    let (input, kernel, channels) = (shapes.input, shapes.kernel, shapes.channels);
    gather_rows(shapes, shapes.output, input, x, weight, |oy, ox, pairs| {
        for (ky, iy) in shapes.taps(0, oy) {
            for (kx, ix) in shapes.taps(1, ox) {
                pairs.push(iy * input[1] + ix, ky * kernel + kx, channels);
            }
        }
    })
}

/// A `[batch, size, channels]` result whose every position sums products of rows of `image`
/// (`[batch, image_size, channels]`) and rows of `weight`, the pairs `pairs(row, column, _)`
/// names; rows in parallel (a batch of one image spreads over the cores too).
fn gather_rows(
    shapes: &Shapes,
    size: [usize; 2],
    image_size: [usize; 2],
    image: &[f32],
    weight: &[f32],
    pairs: impl Fn(usize, usize, &mut Pairs) + Sync,
) -> Vec<f32> {
    let channels = shapes.channels;
    let row_length = size[1] * channels;
    let mut values = vec![0.0; shapes.batch * size[0] * row_length];
    map_chunks(&mut values, row_length, TASK_ELEMENTS, |index, values| {
        let (n, row) = (index / size[0], index % size[0]);
        let image = &image[n * image_size[0] * image_size[1] * channels..];
        vectorised(|| {
            for column in 0..size[1] {
                let mut terms = Pairs::new();
                pairs(row, column, &mut terms);
                add_products(row_mut(values, column, channels), &terms, image, weight);
            }
        });
    });
    values
}

/// Channels summed together in registers: one AVX-512 vector, four SIMD128 ones.
const LANES: usize = 16;

/// The offsets of the rows of two channels-last buffers whose products one output row sums.
struct Pairs(Vec<(usize, usize)>);

impl Pairs {
    fn new() -> Self {
        Self(Vec::with_capacity(25))
    }

    /// Row `a` of the first buffer with row `b` of the second, rows `channels` long.
    fn push(&mut self, a: usize, b: usize, channels: usize) {
        self.0.push((a * channels, b * channels));
    }
}

/// `out[c] += Σ first[a + c] · second[b + c]` over the `pairs` `(a, b)`: `LANES` channels at a
/// time, summed in registers and stored once (a sum into memory per product was twice as slow).
#[inline(always)]
fn add_products(out: &mut [f32], pairs: &Pairs, first: &[f32], second: &[f32]) {
    let channels = out.len();
    let mut lanes = out.chunks_exact_mut(LANES);
    for (chunk, out) in lanes.by_ref().enumerate() {
        add_lanes::<LANES>(out, chunk * LANES, pairs, first, second);
    }
    let rest = lanes.into_remainder();
    let start = channels - rest.len();
    for (offset, out) in rest.iter_mut().enumerate() {
        add_lanes::<1>(
            std::slice::from_mut(out),
            start + offset,
            pairs,
            first,
            second,
        );
    }
}

#[inline(always)]
fn add_lanes<const N: usize>(
    out: &mut [f32],
    start: usize,
    pairs: &Pairs,
    first: &[f32],
    second: &[f32],
) {
    let mut sums = [0.0; N];
    for &(a, b) in &pairs.0 {
        let first: &[f32; N] = first[a + start..][..N].try_into().unwrap();
        let second: &[f32; N] = second[b + start..][..N].try_into().unwrap();
        for ((sum, x), y) in sums.iter_mut().zip(first).zip(second) {
            *sum += x * y;
        }
    }
    out.iter_mut().zip(sums).for_each(|(out, sum)| *out += sum);
}

/// `Σ grad[n, oy, ox, c] · x[n, iy, ix, c]` for every tap `(ky, kx)` and channel `c`, channels
/// last: `[k, k, channels]`. Images are summed in parallel, each into its own accumulator.
fn weight_gradient(shapes: &Shapes, grad: &[f32], x: &[f32]) -> Vec<f32> {
    let Shapes {
        channels,
        kernel,
        input,
        output,
        ..
    } = *shapes;
    let image = |n: usize| {
        let mut sums = vec![0.0; kernel * kernel * channels];
        let grad = &grad[n * output[0] * output[1] * channels..];
        let x = &x[n * input[0] * input[1] * channels..];
        vectorised(|| {
            for ky in 0..kernel {
                for kx in 0..kernel {
                    let mut pairs = Pairs::new();
                    for oy in 0..output[0] {
                        let Some(iy) = shapes.position(0, oy, ky) else {
                            continue;
                        };
                        for ox in 0..output[1] {
                            if let Some(ix) = shapes.position(1, ox, kx) {
                                pairs.push(oy * output[1] + ox, iy * input[1] + ix, channels);
                            }
                        }
                    }
                    let sums = row_mut(&mut sums, ky * kernel + kx, channels);
                    add_products(sums, &pairs, grad, x);
                }
            }
        });
        sums
    };
    sum_of(shapes.batch, image)
}

/// `Σ grad[n, oy, ox, c] · weight[ky, kx, c]` over the outputs each input position feeds,
/// channels last: `[batch, height, width, channels]` (input size).
fn input_gradient(shapes: &Shapes, grad: &[f32], weight: &[f32]) -> Vec<f32> {
    let (output, kernel, channels) = (shapes.output, shapes.kernel, shapes.channels);
    gather_rows(
        shapes,
        shapes.input,
        output,
        grad,
        weight,
        |iy, ix, pairs| {
            for (ky, oy) in shapes.sources(0, iy) {
                for (kx, ox) in shapes.sources(1, ix) {
                    pairs.push(oy * output[1] + ox, ky * kernel + kx, channels);
                }
            }
        },
    )
}

fn row_mut(values: &mut [f32], index: usize, length: usize) -> &mut [f32] {
    &mut values[index * length..(index + 1) * length]
}

#[cfg(test)]
mod tests {
    use burn::nn::PaddingConfig2d;
    use burn::nn::conv::Conv2dConfig;

    use super::*;

    /// Deterministic values of about unit size (tests share burn's random generator).
    fn waves<const D: usize>(dims: [usize; D], frequency: f64, device: &Device) -> Tensor<D> {
        let count = dims.iter().product::<usize>() as i64;
        Tensor::<1, Int>::arange(0..count, device)
            .float()
            .mul_scalar(frequency)
            .sin()
            .reshape(dims)
    }

    /// Output, input gradient and weight gradient, through the function above or burn's
    /// grouped convolution.
    fn with_gradients(
        x: &Tensor<4>,
        weight: &Tensor<4>,
        [kernel, stride]: [usize; 2],
        ours: bool,
    ) -> [Vec<f32>; 3] {
        let [_, channels, height, width] = x.dims();
        let output = if ours {
            let geometry = Geometry::same([height, width], kernel, stride);
            let channels_last = x.clone().permute([0, 2, 3, 1]);
            depthwise_conv2d(channels_last, weight.clone(), geometry).permute([0, 3, 1, 2])
        } else {
            let mut conv = Conv2dConfig::new([channels, channels], [kernel, kernel])
                .with_stride([stride, stride])
                .with_groups(channels)
                .with_padding(PaddingConfig2d::Same)
                .with_bias(false)
                .init(&x.device());
            conv.weight = burn::module::Param::from_tensor(weight.clone());
            conv.forward(x.clone())
        };
        // A weighted sum, so that every output position has its own gradient.
        let weights = waves(output.dims(), 0.29, &x.device());
        let gradients = (output.clone() * weights).sum().backward();
        let values = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
        [
            values(output),
            values(x.grad(&gradients).unwrap()),
            values(weight.grad(&gradients).unwrap()),
        ]
    }

    #[test]
    fn gradients_match_burns_grouped_convolution() {
        let device = Device::flex().autodiff();
        // The kernels and strides of EfficientNet-Lite0's depthwise layers, on odd and even
        // maps (TensorFlow's padding differs before and after on some of them).
        for (kernel, stride, size) in [(3, 1, 7), (5, 1, 7), (3, 2, 8), (5, 2, 9), (5, 2, 14)] {
            let channels = 19;
            let x = waves([3, channels, size, size], 0.37, &device).require_grad();
            let weight = waves([channels, 1, kernel, kernel], 0.71, &device).require_grad();
            let ours = with_gradients(&x, &weight, [kernel, stride], true);
            let burns = with_gradients(&x, &weight, [kernel, stride], false);
            for (what, (ours, theirs)) in ["output", "input", "weight"]
                .iter()
                .zip(ours.iter().zip(&burns))
            {
                assert_eq!(ours.len(), theirs.len(), "{what}");
                let largest = theirs.iter().map(|v| v.abs()).fold(1.0, f32::max);
                let error = ours
                    .iter()
                    .zip(theirs)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(
                    error < 1e-5 * largest,
                    "kernel {kernel}, stride {stride}, {size}x{size}: {what} gradient differs by {error} (largest {largest})"
                );
            }
        }
    }

    #[test]
    fn only_tracked_inputs_get_gradients() {
        let device = Device::flex().autodiff();
        let x = waves([2, 7, 7, 4], 0.37, &device);
        let weight = waves([4, 1, 3, 3], 0.71, &device).require_grad();
        let geometry = Geometry::same([7, 7], 3, 1);
        let gradients = depthwise_conv2d(x.clone(), weight.clone(), geometry)
            .sum()
            .backward();
        assert!(x.grad(&gradients).is_none());
        assert_eq!(weight.grad(&gradients).unwrap().dims(), [4, 1, 3, 3]);
    }
}
