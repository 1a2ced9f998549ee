//! The new classification head trained on top of the pooled features.

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::FEATURE_CHANNELS;

#[derive(Config, Debug)]
pub struct HeadConfig {
    pub num_classes: usize,
    /// Units of an optional hidden ReLU layer; none is a plain linear classifier.
    #[config(default = "None")]
    pub hidden_units: Option<usize>,
    #[config(default = 0.2)]
    pub dropout: f64,
}

/// Pooled features → dropout → [hidden ReLU layer] → linear to the classes.
#[derive(Module, Debug)]
pub struct ClassifierHead {
    pub dropout: Dropout,
    pub hidden: Option<Linear>,
    pub output: Linear,
}

impl HeadConfig {
    pub fn init(&self, device: &Device) -> ClassifierHead {
        let output_inputs = self.hidden_units.unwrap_or(FEATURE_CHANNELS);
        ClassifierHead {
            dropout: DropoutConfig::new(self.dropout).init(),
            hidden: self
                .hidden_units
                .map(|units| LinearConfig::new(FEATURE_CHANNELS, units).init(device)),
            output: LinearConfig::new(output_inputs, self.num_classes).init(device),
        }
    }
}

impl ClassifierHead {
    /// `[batch, 1280]` → logits `[batch, classes]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let x = self.dropout.forward(features);
        let x = match &self.hidden {
            Some(hidden) => burn::tensor::activation::relu(hidden.forward(x)),
            None => x,
        };
        self.output.forward(x)
    }
}
