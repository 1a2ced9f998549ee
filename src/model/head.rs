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
    /// Pooled features are scaled to this Euclidean length before the classifier (none: used
    /// as they come). How strongly a photo excites the network overall varies with its
    /// contrast and clutter more than with its class; taking the length away leaves the
    /// direction, which is what tells classes apart (README, "The training recipe").
    #[config(default = "None")]
    pub feature_length: Option<f32>,
}

/// Pooled features → [scaled to a fixed length] → [hidden ReLU layer] → linear to the
/// classes. Dropout on the scaled features is the trainer's business (it draws the masks
/// from its own seeded generator).
#[derive(Module, Debug)]
pub struct ClassifierHead {
    pub hidden: Option<Linear>,
    pub output: Linear,
    /// From the config, not the weights file (the manifest carries it).
    #[module(skip)]
    pub feature_length: Option<f32>,
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

/// Feature lengths a head accepts: a positive, finite scale of sensible size (a manifest
/// is untrusted input).
pub fn check_feature_length(length: Option<f32>) -> Result<(), String> {
    const LENGTHS: std::ops::RangeInclusive<f32> = 1e-3..=1e3;
    match length {
        Some(length) if !LENGTHS.contains(&length) => Err(format!(
            "a feature length must be between {} and {}, not {length}",
            LENGTHS.start(),
            LENGTHS.end()
        )),
        _ => Ok(()),
    }
}

impl HeadConfig {
    pub fn init(&self, rng: &mut Rng, device: &Device) -> ClassifierHead {
        let output_inputs = self.hidden_units.unwrap_or(FEATURE_CHANNELS);
        ClassifierHead {
            hidden: self
                .hidden_units
                .map(|units| seeded_linear(FEATURE_CHANNELS, units, rng, device)),
            output: seeded_linear(output_inputs, self.num_classes, rng, device),
            feature_length: self.feature_length,
        }
    }
}

impl ClassifierHead {
    /// `[batch, 1280]` pooled features → logits `[batch, classes]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        self.classify(self.scale(features))
    }

    /// The features at the configured length (the first half of [`Self::forward`]).
    pub fn scale(&self, features: Tensor<2>) -> Tensor<2> {
        let Some(length) = self.feature_length else {
            return features;
        };
        // The epsilon only matters for an all-zero row (every ReLU6 output off), left at zero.
        let norms = features.clone().square().sum_dim(1).sqrt().add_scalar(1e-6);
        features.div(norms).mul_scalar(length)
    }

    /// Scaled features → logits (the second half of [`Self::forward`]).
    pub fn classify(&self, features: Tensor<2>) -> Tensor<2> {
        let x = match &self.hidden {
            Some(hidden) => burn::tensor::activation::relu(hidden.forward(features)),
            None => features,
        };
        self.output.forward(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(head: &ClassifierHead, features: Tensor<2>) -> Vec<f32> {
        head.scale(features).into_data().try_to_vec().unwrap()
    }

    #[test]
    fn features_are_scaled_to_the_length_and_keep_their_direction() {
        let device = Device::flex();
        let mut values = vec![0.0f32; 3 * FEATURE_CHANNELS];
        values[0] = 3.0;
        values[1] = 4.0;
        values[FEATURE_CHANNELS + 7] = 0.5;
        // The third row is all zero (every unit off): it stays zero, not NaN.
        let features =
            Tensor::<2>::from_data(TensorData::new(values, [3, FEATURE_CHANNELS]), &device);
        let config = HeadConfig::new(2).with_feature_length(Some(16.0));
        let head = config.init(&mut Rng::new(1), &device);
        let scaled = rows(&head, features.clone());
        let close = |a: f32, b: f32| (a - b).abs() < 1e-4;
        assert!(close(scaled[0], 16.0 * 0.6) && close(scaled[1], 16.0 * 0.8));
        assert!(close(scaled[FEATURE_CHANNELS + 7], 16.0));
        assert!(scaled[2 * FEATURE_CHANNELS..].iter().all(|&v| v == 0.0));
        assert_eq!(
            head.forward(features.clone()).into_data(),
            head.classify(head.scale(features.clone())).into_data()
        );
        let as_they_come = HeadConfig::new(2).init(&mut Rng::new(1), &device);
        assert_eq!(
            rows(&as_they_come, features.clone()),
            features.into_data().try_to_vec::<f32>().unwrap()
        );
    }

    #[test]
    fn only_sensible_lengths_are_accepted() {
        assert!(check_feature_length(None).is_ok() && check_feature_length(Some(16.0)).is_ok());
        for bad in [0.0, -16.0, f32::NAN, f32::INFINITY, 1e30] {
            assert!(check_feature_length(Some(bad)).is_err(), "{bad}");
        }
    }
}
