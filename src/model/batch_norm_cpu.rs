//! Batch norm and ReLU6 on the CPU backend as one pass, with gradients of its own.
//!
//! burn computes a batch norm with frozen statistics as four broadcast passes (subtract the
//! mean, divide by the deviation, multiply by gamma, add beta) and ReLU6 as a fifth, single-
//! threaded one; when they learn, each pass has its backward pass too (masks for the clamp,
//! broadcast sums for gamma and beta). In the forward pass of EfficientNet-Lite0 on burn Flex
//! they took a third of the time, in cached fine-tuning epochs a quarter (README "Benchmarks").
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

/// Elements per parallel task: small maps (7x7) group many channels into one task.
#[cfg(not(target_arch = "wasm32"))]
const TASK_ELEMENTS: usize = 16 * 1024;

/// `bn` then, when `activate`, ReLU6, on `x`, on the CPU backend. `bn`'s statistics are frozen
/// (the backbone's batch norms always run in inference mode); gamma and beta learn when their
/// layer does.
pub fn batch_norm_activation(x: Tensor<4>, bn: &BatchNorm, activate: bool) -> Tensor<4> {
    let inverse_deviation = bn.running_var.value().add_scalar(bn.epsilon).sqrt().recip();
    let scale = bn.gamma.val() * inverse_deviation;
    let shift = bn.beta.val() - bn.running_mean.value() * scale.clone();
    Tensor::from_dispatch(Dispatch::channel_affine(
        x.into_dispatch(),
        scale.into_dispatch(),
        shift.into_dispatch(),
        activate,
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait ChannelAffineBackend: Backend {
    /// `x[n, c, y, x] · scale[c] + shift[c]`, then clamped to [0, 6] when `activate`.
    fn channel_affine(
        x: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        activate: bool,
    ) -> FloatTensor<Self>;
}

impl ChannelAffineBackend for Flex {
    fn channel_affine(
        x: FlexTensor,
        scale: FlexTensor,
        shift: FlexTensor,
        activate: bool,
    ) -> FlexTensor {
        let [_, channels, height, width] = x.shape().dims();
        let affine = Affine::new(scale, shift, activate);
        // In place when `x` is not shared; a copy otherwise.
        let mut data = x.into_data();
        let values = data.as_mut_slice::<f32>().expect(F32);
        map_planes(values, height * width, |index, plane| {
            affine.apply(index % channels, plane)
        });
        FlexTensor::from_data(data)
    }
}

impl<C: CheckpointStrategy> ChannelAffineBackend for Autodiff<Flex, C> {
    fn channel_affine(
        x: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        activate: bool,
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
                    activate,
                );
                let output = Flex::channel_affine(
                    x.into_primitive(),
                    scale.into_primitive(),
                    shift.into_primitive(),
                    activate,
                );
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::channel_affine(
                x.into_primitive(),
                scale.into_primitive(),
                shift.into_primitive(),
                activate,
            )),
        }
    }
}

#[derive(Debug)]
struct AffineGradients;

impl Backward<Flex, 3> for AffineGradients {
    type State = (NodeId, NodeId, NodeId, bool);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_scale, node_shift] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x_state, scale_state, shift_state, activate) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_state);
        let scale: FlexTensor = checkpointer.retrieve_node_output(scale_state);
        let shift: FlexTensor = checkpointer.retrieve_node_output(shift_state);
        let shape = x.shape();
        let [_, channels, height, width] = shape.dims();
        let plane = height * width;
        let affine = Affine::new(scale, shift, activate);
        let x = x.to_contiguous();
        let x = x.as_slice::<f32>().expect(F32);
        // The incoming gradient becomes the input's, in place: per plane, the gradient that
        // passes the clamp, times the scale; with its two sums for the scale and the shift.
        let mut data = grad.into_data();
        let gradient = data.as_mut_slice::<f32>().expect(F32);
        let sums = map_planes(gradient, plane, |index, gradient| {
            let x = &x[index * plane..(index + 1) * plane];
            affine.backward(index % channels, x, gradient)
        });
        if let Some(node) = node_scale {
            let per_channel = sum_over_images(&sums, channels, |sums| sums.of_gradient_times_x);
            grads.register::<Flex>(node.id, FlexTensor::from_data(per_channel));
        }
        if let Some(node) = node_shift {
            let per_channel = sum_over_images(&sums, channels, |sums| sums.of_gradient);
            grads.register::<Flex>(node.id, FlexTensor::from_data(per_channel));
        }
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, FlexTensor::from_data(data));
        }
    }
}

const F32: &str = "the backbone computes in f32";

/// One channel plane's sums for the gradients of its scale and its shift.
#[derive(Clone, Copy, Debug, Default)]
struct PlaneSums {
    of_gradient: f32,
    of_gradient_times_x: f32,
}

fn sum_over_images(
    sums: &[PlaneSums],
    channels: usize,
    field: impl Fn(&PlaneSums) -> f32,
) -> TensorData {
    let mut per_channel = vec![0.0; channels];
    for (index, sums) in sums.iter().enumerate() {
        per_channel[index % channels] += field(sums);
    }
    TensorData::new(per_channel, [channels])
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

    fn apply(&self, channel: usize, values: &mut [f32]) {
        let (scale, shift) = (self.scale[channel], self.shift[channel]);
        if self.activate {
            values
                .iter_mut()
                .for_each(|v| *v = (*v * scale + shift).clamp(0.0, 6.0));
        } else {
            values.iter_mut().for_each(|v| *v = *v * scale + shift);
        }
    }

    /// Turns `gradient` (of the output) into the gradient of `x`, returning the sums the
    /// scale's and the shift's gradients take from this plane. Where the clamp cut the output
    /// (below 0 or above 6), no gradient passes, as in burn's clamp.
    fn backward(&self, channel: usize, x: &[f32], gradient: &mut [f32]) -> PlaneSums {
        let (scale, shift) = (self.scale[channel], self.shift[channel]);
        let mut sums = PlaneSums::default();
        for (g, &x) in gradient.iter_mut().zip(x) {
            let output = x * scale + shift;
            if self.activate && !(0.0..=6.0).contains(&output) {
                *g = 0.0;
            }
            sums.of_gradient += *g;
            sums.of_gradient_times_x += *g * x;
            *g *= scale;
        }
        sums
    }
}

/// `work(index, plane)` on every `plane`-long chunk of `values`, in parallel natively; the
/// results in plane order.
fn map_planes<R: Send>(
    values: &mut [f32],
    plane: usize,
    work: impl Fn(usize, &mut [f32]) -> R + Sync,
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        values
            .par_chunks_mut(plane)
            .enumerate()
            .with_min_len(TASK_ELEMENTS.div_ceil(plane))
            .map(|(index, plane)| work(index, plane))
            .collect()
    }
    #[cfg(target_arch = "wasm32")]
    values
        .chunks_mut(plane)
        .enumerate()
        .map(|(index, plane)| work(index, plane))
        .collect()
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
