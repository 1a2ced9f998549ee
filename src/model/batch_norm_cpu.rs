//! Batch norm and ReLU6 on the CPU backend as one pass, with gradients of its own.
//!
//! burn computes a batch norm with frozen statistics as four broadcast passes (subtract the
//! mean, divide by the deviation, multiply by gamma, add beta) and ReLU6 as a fifth, single-
//! threaded one; when they learn, each pass has its backward pass too (masks for the clamp,
//! broadcast sums for gamma and beta). In the forward pass of EfficientNet-Lite0 on burn Flex
//! they took a third of the time, in cached fine-tuning epochs up to a fifth (README
//! "Benchmarks").
//! With the statistics frozen, batch norm is a per-channel multiply-add: here it and the clamp
//! are one pass, in place on the convolution's output where nothing is differentiated (burn
//! Flex hands its buffer over and takes it back without copying), and one pass back.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::flex::{Flex, FlexTensor};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, TensorMetadata, backend_extension};
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::TensorData;

use super::cpu_tasks::{map_chunks, vectorised};

/// Elements per parallel task: small maps (7x7) group many channels into one task.
const TASK_ELEMENTS: usize = 16 * 1024;

/// Where the channels of an activation lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channels {
    /// `[batch, channels, height, width]`: one plane per channel, as burn's convolutions.
    Planes,
    /// `[batch, height, width, channels]`: as learning blocks run on the CPU
    /// (`layers::ConvBn::forward_channels_last`).
    Last,
}

/// `bn` then, when `activate`, ReLU6, on `x`, on the CPU backend. `bn`'s statistics are frozen
/// (the backbone's batch norms always run in inference mode); gamma and beta learn when their
/// layer does.
pub fn batch_norm_activation(
    x: Tensor<4>,
    bn: &BatchNorm,
    activate: bool,
    channels: Channels,
) -> Tensor<4> {
    let inverse_deviation = bn.running_var.value().add_scalar(bn.epsilon).sqrt().recip();
    let scale = bn.gamma.val() * inverse_deviation;
    let shift = bn.beta.val() - bn.running_mean.value() * scale.clone();
    Tensor::from_dispatch(Dispatch::channel_affine(
        x.into_dispatch(),
        scale.into_dispatch(),
        shift.into_dispatch(),
        activate,
        channels,
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait ChannelAffineBackend: Backend {
    /// `x · scale[c] + shift[c]` for the channel `c` of each element, then clamped to [0, 6]
    /// when `activate`.
    fn channel_affine(
        x: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        activate: bool,
        channels: Channels,
    ) -> FloatTensor<Self>;
}

impl ChannelAffineBackend for Flex {
    fn channel_affine(
        x: FlexTensor,
        scale: FlexTensor,
        shift: FlexTensor,
        activate: bool,
        channels: Channels,
    ) -> FlexTensor {
        let shape = x.shape();
        let affine = Affine::new(scale, shift, activate);
        // In place when `x` is not shared; a copy otherwise.
        let mut data = x.into_data();
        let values = data.as_mut_slice::<f32>().expect(F32);
        match channels {
            Channels::Planes => {
                let [_, count, height, width] = shape.dims();
                map_chunks(values, height * width, TASK_ELEMENTS, |index, plane| {
                    affine.apply_to_plane(index % count, plane)
                });
            }
            Channels::Last => {
                let count = shape.dims::<4>()[3];
                map_chunks(values, count, TASK_ELEMENTS, |_, row| {
                    affine.apply_to_row(row)
                });
            }
        }
        FlexTensor::from_data(data)
    }
}

impl<C: CheckpointStrategy> ChannelAffineBackend for Autodiff<Flex, C> {
    fn channel_affine(
        x: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        activate: bool,
        channels: Channels,
    ) -> FloatTensor<Self> {
        match AffineGradients
            .prepare::<C>([x.node(), scale.node(), shift.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (
                    prep.checkpoint(&x),
                    prep.checkpoint(&scale),
                    prep.checkpoint(&shift),
                    (activate, channels),
                );
                let output = Flex::channel_affine(
                    x.into_primitive(),
                    scale.into_primitive(),
                    shift.into_primitive(),
                    activate,
                    channels,
                );
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::channel_affine(
                x.into_primitive(),
                scale.into_primitive(),
                shift.into_primitive(),
                activate,
                channels,
            )),
        }
    }
}

#[derive(Debug)]
struct AffineGradients;

impl Backward<Flex, 3> for AffineGradients {
    type State = (NodeId, NodeId, NodeId, (bool, Channels));

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_scale, node_shift] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x_state, scale_state, shift_state, (activate, channels)) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_state);
        let scale: FlexTensor = checkpointer.retrieve_node_output(scale_state);
        let shift: FlexTensor = checkpointer.retrieve_node_output(shift_state);
        let shape = x.shape();
        let affine = Affine::new(scale, shift, activate);
        let x = x.to_contiguous();
        let x = x.as_slice::<f32>().expect(F32);
        // The incoming gradient becomes the input's, in place, with the per-channel sums the
        // scale's and the shift's gradients are.
        let mut data = grad.into_data();
        let gradient = data.as_mut_slice::<f32>().expect(F32);
        let sums = match channels {
            Channels::Planes => affine.backward_planes(shape.dims(), x, gradient),
            Channels::Last => affine.backward_rows(shape.dims::<4>()[3], x, gradient),
        };
        let count = sums.of_gradient.len();
        if let Some(node) = node_scale {
            let values = TensorData::new(sums.of_gradient_times_x, [count]);
            grads.register::<Flex>(node.id, FlexTensor::from_data(values));
        }
        if let Some(node) = node_shift {
            let values = TensorData::new(sums.of_gradient, [count]);
            grads.register::<Flex>(node.id, FlexTensor::from_data(values));
        }
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, FlexTensor::from_data(data));
        }
    }
}

const F32: &str = "the backbone computes in f32";

/// Per channel: the sums of the gradient that passed the clamp, and of it times `x`.
#[derive(Clone, Debug, Default)]
struct ChannelSums {
    of_gradient: Vec<f32>,
    of_gradient_times_x: Vec<f32>,
}

impl ChannelSums {
    fn zeros(channels: usize) -> Self {
        Self {
            of_gradient: vec![0.0; channels],
            of_gradient_times_x: vec![0.0; channels],
        }
    }

    fn add(mut self, other: &Self) -> Self {
        for (a, b) in [
            (&mut self.of_gradient, &other.of_gradient),
            (&mut self.of_gradient_times_x, &other.of_gradient_times_x),
        ] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
        self
    }
}

/// Per channel `x * scale + shift`, then ReLU6 when `activate`.
struct Affine {
    scale: Vec<f32>,
    shift: Vec<f32>,
    activate: bool,
}

impl Affine {
    fn new(scale: FlexTensor, shift: FlexTensor, activate: bool) -> Self {
        let values = |t: FlexTensor| t.into_data().try_into_vec::<f32>().expect(F32);
        Self {
            scale: values(scale),
            shift: values(shift),
            activate,
        }
    }

    fn apply_to_plane(&self, channel: usize, values: &mut [f32]) {
        let (scale, shift) = (self.scale[channel], self.shift[channel]);
        if self.activate {
            values
                .iter_mut()
                .for_each(|v| *v = (*v * scale + shift).clamp(0.0, 6.0));
        } else {
            values.iter_mut().for_each(|v| *v = *v * scale + shift);
        }
    }

    fn apply_to_row(&self, values: &mut [f32]) {
        let terms = values.iter_mut().zip(&self.scale).zip(&self.shift);
        vectorised(|| {
            if self.activate {
                terms.for_each(|((v, scale), shift)| *v = (*v * scale + shift).clamp(0.0, 6.0));
            } else {
                terms.for_each(|((v, scale), shift)| *v = *v * scale + shift);
            }
        })
    }

    /// The gradient of `x` from the gradient of the output: where the clamp cut the output
    /// (below 0 or above 6) nothing passes, as in burn's clamp; what passes is scaled. Returns
    /// what passed, and what passed times `x`. Branch-free, so that loops of it vectorise.
    #[inline(always)]
    fn pass(&self, (scale, shift): (f32, f32), x: f32, gradient: &mut f32) -> (f32, f32) {
        let output = x * scale + shift;
        let cut = self.activate & !(0.0..=6.0).contains(&output);
        let passed = if cut { 0.0 } else { *gradient };
        *gradient = passed * scale;
        (passed, passed * x)
    }

    fn backward_planes(
        &self,
        [_, channels, height, width]: [usize; 4],
        x: &[f32],
        gradient: &mut [f32],
    ) -> ChannelSums {
        let plane = height * width;
        let per_plane = map_chunks(gradient, plane, TASK_ELEMENTS, |index, gradient| {
            let x = &x[index * plane..(index + 1) * plane];
            let channel = (self.scale[index % channels], self.shift[index % channels]);
            gradient
                .iter_mut()
                .zip(x)
                .fold((0.0, 0.0), |(a, b), (g, &x)| {
                    let (passed, times_x) = self.pass(channel, x, g);
                    (a + passed, b + times_x)
                })
        });
        let mut sums = ChannelSums::zeros(channels);
        for (index, (passed, times_x)) in per_plane.into_iter().enumerate() {
            sums.of_gradient[index % channels] += passed;
            sums.of_gradient_times_x[index % channels] += times_x;
        }
        sums
    }

    fn backward_rows(&self, channels: usize, x: &[f32], gradient: &mut [f32]) -> ChannelSums {
        let task = TASK_ELEMENTS.div_ceil(channels) * channels;
        let per_task = map_chunks(gradient, task, 1, |index, gradient| {
            let x = &x[index * task..][..gradient.len()];
            let mut sums = ChannelSums::zeros(channels);
            vectorised(|| {
                for (gradient, x) in gradient.chunks_mut(channels).zip(x.chunks(channels)) {
                    let affine = self.scale.iter().zip(&self.shift);
                    let totals = sums
                        .of_gradient
                        .iter_mut()
                        .zip(&mut sums.of_gradient_times_x);
                    let terms = gradient.iter_mut().zip(x).zip(affine.zip(totals));
                    for ((g, &x), ((&scale, &shift), (passed_sum, times_x_sum))) in terms {
                        let (passed, times_x) = self.pass((scale, shift), x, g);
                        *passed_sum += passed;
                        *times_x_sum += times_x;
                    }
                }
            });
            sums
        });
        per_task
            .iter()
            .fold(ChannelSums::zeros(channels), |total, sums| total.add(sums))
    }
}

#[cfg(test)]
mod tests {
    use burn::module::Param;
    use burn::tensor::Distribution;

    use super::*;
    use crate::model::layers::{ConvBn, relu6};

    fn random(shape: [usize; 1], low: f64, high: f64, device: &Device) -> Tensor<1> {
        Tensor::random(shape, Distribution::Uniform(low, high), device)
    }

    /// A layer with random weights and batch-norm statistics, so that every term matters.
    fn layer(kernel: usize, stride: usize, activate: bool, device: &Device) -> ConvBn {
        let channels = [6, 6];
        let groups = if kernel > 1 { channels[0] } else { 1 };
        let mut layer = ConvBn::new(channels, kernel, stride, groups, activate, device);
        let weight = layer.conv.weight.val().shape();
        layer.conv.weight = Param::from_tensor(Tensor::random(
            weight,
            Distribution::Normal(0.0, 1.0),
            device,
        ));
        let c = [channels[1]];
        layer.bn.gamma = Param::from_tensor(random(c, 0.5, 2.0, device));
        layer.bn.beta = Param::from_tensor(random(c, -1.0, 1.0, device));
        layer.bn.running_mean = burn::module::RunningState::new(random(c, -1.0, 1.0, device));
        layer.bn.running_var = burn::module::RunningState::new(random(c, 0.1, 3.0, device));
        layer
    }

    /// burn's own convolution, batch norm and ReLU6, one operation after the other.
    fn reference(layer: &ConvBn, x: Tensor<4>) -> Tensor<4> {
        let x = layer.bn.forward(layer.conv.forward(x));
        if layer.activate { relu6(x) } else { x }
    }

    /// The largest difference, relative to the largest value (at least 1): f32 rounding
    /// grows with the values' size.
    fn relative_difference<const D: usize>(ours: Tensor<D>, reference: Tensor<D>) -> f32 {
        assert_eq!(ours.dims(), reference.dims());
        let largest = reference.clone().abs().max().into_scalar::<f32>().max(1.0);
        (ours - reference).abs().max().into_scalar::<f32>() / largest
    }

    /// (kernel, stride): a 1x1 convolution and a strided depthwise one, as in every block.
    const LAYERS: [(usize, usize); 2] = [(1, 1), (3, 2)];

    #[test]
    fn frozen_layers_match_burns_operations() {
        let device = Device::flex();
        for (kernel, stride) in LAYERS {
            for activate in [true, false] {
                let layer = layer(kernel, stride, activate, &device);
                let x = Tensor::<4>::random([3, 6, 9, 9], Distribution::Normal(0.0, 2.0), &device);
                let difference =
                    relative_difference(layer.forward(x.clone()), reference(&layer, x));
                assert!(
                    difference < 1e-5,
                    "kernel {kernel}: differs by {difference}"
                );
            }
        }
    }

    #[test]
    fn learning_layers_gradients_match_burns_operations() {
        let device = Device::flex().autodiff();
        for (kernel, stride) in LAYERS {
            for activate in [true, false] {
                let layer = layer(kernel, stride, activate, &device);
                let x = Tensor::<4>::random([3, 6, 9, 9], Distribution::Normal(0.0, 2.0), &device)
                    .require_grad();
                let output = layer.forward(x.clone());
                let expected = reference(&layer, x.clone());
                // A weighted sum, so that every output position has its own gradient.
                let weights =
                    Tensor::random(output.dims(), Distribution::Normal(0.0, 1.0), &device);
                let ours = (output.clone() * weights.clone()).sum().backward();
                let theirs = (expected.clone() * weights).sum().backward();
                let what = format!("kernel {kernel}, activate {activate}");
                let differences = [
                    relative_difference(output, expected),
                    relative_difference(x.grad(&ours).unwrap(), x.grad(&theirs).unwrap()),
                    relative_difference(
                        layer.conv.weight.grad(&ours).unwrap(),
                        layer.conv.weight.grad(&theirs).unwrap(),
                    ),
                    relative_difference(
                        layer.bn.gamma.grad(&ours).unwrap(),
                        layer.bn.gamma.grad(&theirs).unwrap(),
                    ),
                    relative_difference(
                        layer.bn.beta.grad(&ours).unwrap(),
                        layer.bn.beta.grad(&theirs).unwrap(),
                    ),
                ];
                for (name, difference) in ["output", "input", "weight", "gamma", "beta"]
                    .iter()
                    .zip(differences)
                {
                    assert!(difference < 1e-5, "{what}: {name} differs by {difference}");
                }
            }
        }
    }
}
