//! The new classification head trained on top of the pooled features.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;

use super::FEATURE_CHANNELS;
use crate::rng::Rng;

#[derive(Config, Debug)]
pub struct HeadConfig {
    pub num_classes: usize,
    /// Units of an optional hidden ReLU layer; none is a plain linear classifier.
    #[config(default = "None")]
    pub hidden_units: Option<usize>,
}

/// Pooled features → [hidden ReLU layer] → linear to the classes. Dropout on the features
/// is the trainer's business (it draws the masks from its own seeded generator).
#[derive(Module, Debug)]
pub struct ClassifierHead {
    pub hidden: Option<Linear>,
    pub output: Linear,
}

/// PyTorch's default for linear layers, U(−1/√fan_in, 1/√fan_in), drawn from `rng` so that a
/// seed gives the same head on every backend and regardless of other work on the device.
fn seeded_linear(inputs: usize, outputs: usize, rng: &mut Rng, device: &Device) -> Linear {
    let bound = 1.0 / (inputs as f64).sqrt();
    let mut linear = LinearConfig::new(inputs, outputs).init(device);
    let weights: Vec<f32> = (0..inputs * outputs)
        .map(|_| rng.range(-bound, bound) as f32)
        .collect();
    let biases: Vec<f32> = (0..outputs)
        .map(|_| rng.range(-bound, bound) as f32)
        .collect();
    linear.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(weights, [inputs, outputs]),
        device,
    ));
    linear.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(biases, [outputs]),
        device,
    )));
    linear
}

impl HeadConfig {
    pub fn init(&self, rng: &mut Rng, device: &Device) -> ClassifierHead {
        let output_inputs = self.hidden_units.unwrap_or(FEATURE_CHANNELS);
        ClassifierHead {
            hidden: self
                .hidden_units
                .map(|units| seeded_linear(FEATURE_CHANNELS, units, rng, device)),
            output: seeded_linear(output_inputs, self.num_classes, rng, device),
        }
    }
}

impl ClassifierHead {
    /// `[batch, 1280]` → logits `[batch, classes]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let x = match &self.hidden {
            Some(hidden) => burn::tensor::activation::relu(hidden.forward(features)),
            None => features,
        };
        self.output.forward(x)
    }
}
