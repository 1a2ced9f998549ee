//! Ajuste: transfer learning and fine-tuning of EfficientNet-Lite0, natively or in the
//! browser on WebGPU.

pub mod data;
pub mod model;
pub mod protocol;
pub mod train;
