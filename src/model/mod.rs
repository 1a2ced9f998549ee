//! The pretrained network: EfficientNet-Lite0 with its ImageNet classifier.

pub mod backbone;
mod batch_norm_cpu;
mod cpu_tasks;
mod depthwise_cpu;
pub mod head;
pub mod imagenet;
pub mod layers;
pub mod quantized;
pub mod split;
pub mod weights;

pub use backbone::{EfficientNetLite0, FEATURE_CHANNELS, INPUT_SIZE, NUM_BLOCKS};
