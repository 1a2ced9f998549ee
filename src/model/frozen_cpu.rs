//! Batch norm and ReLU6 of a frozen layer in one pass, on the CPU backend.
//!
//! burn computes an inference batch norm as four broadcast passes (subtract the mean, divide
//! by the deviation, multiply by gamma, add beta) and ReLU6 as a fifth, single-threaded one;
//! in the forward pass of EfficientNet-Lite0 on Flex they took a third of the time (README
//! "Benchmarks"). Where nothing is differentiated they fold into one per-channel multiply-add
//! and clamp, done in place on the convolution's output: burn Flex hands its buffer over and
//! takes it back without copying.

use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::TensorData;

/// Elements per parallel task: small maps (7x7) group many channels into one task.
#[cfg(not(target_arch = "wasm32"))]
const TASK_ELEMENTS: usize = 16 * 1024;

/// Whether `x` through a layer with this weight may take the functions below: on the CPU
/// backend, with neither the input nor the weight tracked for gradients.
pub fn applies(x: &Tensor<4>, weight: &Tensor<4>) -> bool {
    !x.is_require_grad() && !weight.is_require_grad() && x.device() == Device::flex()
}

/// `bn` then, when `activate`, ReLU6, on `x` in one pass.
pub fn batch_norm_activation(x: Tensor<4>, bn: &BatchNorm, activate: bool) -> Tensor<4> {
    let device = x.device();
    let [_, channels, height, width] = x.dims();
    let epilogue = Epilogue::new(bn, activate);
    let mut data = x.into_data();
    let values = data
        .as_mut_slice::<f32>()
        .expect("the backbone computes in f32");
    for_each_plane(values, height * width, |index, plane| {
        epilogue.apply(index % channels, plane);
    });
    Tensor::from_data(data, &device)
}

fn f32_values(data: TensorData) -> Vec<f32> {
    data.try_into_vec().expect("the backbone computes in f32")
}

/// Runs `work(index, plane)` on every `plane`-long chunk of `values`, in parallel natively.
fn for_each_plane(values: &mut [f32], plane: usize, work: impl Fn(usize, &mut [f32]) + Sync) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        values
            .par_chunks_mut(plane)
            .enumerate()
            .with_min_len(TASK_ELEMENTS.div_ceil(plane))
            .for_each(|(index, plane)| work(index, plane));
    }
    #[cfg(target_arch = "wasm32")]
    values
        .chunks_mut(plane)
        .enumerate()
        .for_each(|(index, plane)| work(index, plane));
}

/// Batch norm as `x * scale + shift` per channel, then ReLU6 when `activate`.
struct Epilogue {
    scale: Vec<f32>,
    shift: Vec<f32>,
    activate: bool,
}

impl Epilogue {
    fn new(bn: &BatchNorm, activate: bool) -> Self {
        let deviation = bn.running_var.value().add_scalar(bn.epsilon).sqrt();
        let scale = bn.gamma.val() / deviation;
        let shift = bn.beta.val() - bn.running_mean.value() * scale.clone();
        Self {
            scale: f32_values(scale.into_data()),
            shift: f32_values(shift.into_data()),
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
    fn layer(channels: [usize; 2], kernel: usize, stride: usize, activate: bool) -> ConvBn {
        let device = Device::flex();
        let groups = if kernel > 1 { channels[0] } else { 1 };
        let mut layer = ConvBn::new(channels, kernel, stride, groups, activate, &device);
        let weight = layer.conv.weight.val().shape();
        layer.conv.weight = Param::from_tensor(Tensor::random(
            weight,
            Distribution::Normal(0.0, 1.0),
            &device,
        ));
        let c = [channels[1]];
        layer.bn.gamma = Param::from_tensor(random(c, 0.5, 2.0, &device));
        layer.bn.beta = Param::from_tensor(random(c, -1.0, 1.0, &device));
        layer.bn.running_mean = burn::module::RunningState::new(random(c, -1.0, 1.0, &device));
        layer.bn.running_var = burn::module::RunningState::new(random(c, 0.1, 3.0, &device));
        layer
    }

    /// burn's own convolution, batch norm and ReLU6, one operation after the other.
    fn reference(layer: &ConvBn, x: Tensor<4>) -> Tensor<4> {
        let x = layer.bn.forward(layer.conv.forward(x));
        if layer.activate { relu6(x) } else { x }
    }

    /// The largest difference, relative to the largest value (at least 1): f32 rounding
    /// grows with the values' size.
    fn relative_difference(ours: Tensor<4>, reference: Tensor<4>) -> f32 {
        assert_eq!(ours.dims(), reference.dims());
        let largest = reference.clone().abs().max().into_scalar::<f32>().max(1.0);
        (ours - reference).abs().max().into_scalar::<f32>() / largest
    }

    #[test]
    fn frozen_layers_match_burns_operations() {
        let device = Device::flex();
        // (kernel, stride): a 1x1 convolution and a strided depthwise one, as in every block.
        for (kernel, stride) in [(1, 1), (3, 2)] {
            for activate in [true, false] {
                let layer = layer([6, 6], kernel, stride, activate);
                let x = Tensor::<4>::random([3, 6, 9, 9], Distribution::Normal(0.0, 2.0), &device);
                assert!(applies(&x, &layer.conv.weight.val()));
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
    fn learning_layers_keep_burns_operations() {
        let device = Device::flex().autodiff();
        let x = Tensor::<4>::zeros([1, 4, 7, 7], &device);
        let weight = Tensor::<4>::zeros([4, 1, 3, 3], &device);
        assert!(applies(&x, &weight));
        assert!(!applies(&x, &weight.clone().require_grad()));
        assert!(!applies(&x.require_grad(), &weight));
    }
}
