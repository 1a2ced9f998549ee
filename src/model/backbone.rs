//! EfficientNet-Lite0: stem, 16 MBConv blocks in 7 stages, 1x1 head conv to 1280 channels,
//! global average pooling, and the 1000-class ImageNet classifier.
//!
//! The forward pass is split at block boundaries so that a frozen prefix can run once per
//! image and only the trainable suffix runs during training.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use super::layers::{BlockSpec, ConvBn, MbConv, run_blocks};

pub const INPUT_SIZE: usize = 224;
pub const STEM_CHANNELS: usize = 32;
pub const FEATURE_CHANNELS: usize = 1280;
pub const IMAGENET_CLASSES: usize = 1000;
pub const NUM_BLOCKS: usize = 16;

/// One stage: `repeats` blocks of the same kernel and expansion; only the first one strides
/// and changes the channel count.
struct StageSpec {
    repeats: usize,
    kernel: usize,
    stride: usize,
    expand_ratio: usize,
    channels_out: usize,
}

/// Lite0 is width and depth multiplier 1.0 of the B0 layout, without squeeze-and-excite.
const STAGES: [StageSpec; 7] = [
    StageSpec {
        repeats: 1,
        kernel: 3,
        stride: 1,
        expand_ratio: 1,
        channels_out: 16,
    },
    StageSpec {
        repeats: 2,
        kernel: 3,
        stride: 2,
        expand_ratio: 6,
        channels_out: 24,
    },
    StageSpec {
        repeats: 2,
        kernel: 5,
        stride: 2,
        expand_ratio: 6,
        channels_out: 40,
    },
    StageSpec {
        repeats: 3,
        kernel: 3,
        stride: 2,
        expand_ratio: 6,
        channels_out: 80,
    },
    StageSpec {
        repeats: 3,
        kernel: 5,
        stride: 1,
        expand_ratio: 6,
        channels_out: 112,
    },
    StageSpec {
        repeats: 4,
        kernel: 5,
        stride: 2,
        expand_ratio: 6,
        channels_out: 192,
    },
    StageSpec {
        repeats: 1,
        kernel: 3,
        stride: 1,
        expand_ratio: 6,
        channels_out: 320,
    },
];

/// The 16 block shapes, in order, with the stage each belongs to (0-based).
pub fn block_specs() -> Vec<(usize, BlockSpec)> {
    let mut specs = Vec::with_capacity(NUM_BLOCKS);
    let mut channels_in = STEM_CHANNELS;
    for (stage, s) in STAGES.iter().enumerate() {
        for repeat in 0..s.repeats {
            let spec = BlockSpec {
                channels_in,
                channels_out: s.channels_out,
                kernel: s.kernel,
                stride: if repeat == 0 { s.stride } else { 1 },
                expand_ratio: s.expand_ratio,
            };
            specs.push((stage, spec));
            channels_in = s.channels_out;
        }
    }
    specs
}

/// Shape `[channels, height, width]` of the activation entering block `boundary`
/// (`boundary == NUM_BLOCKS` is the output of the last block) for a 224x224 input.
pub fn boundary_shape(boundary: usize) -> [usize; 3] {
    let specs = block_specs();
    let mut side = INPUT_SIZE / 2;
    let mut channels = STEM_CHANNELS;
    for (_, spec) in specs.iter().take(boundary) {
        side = side.div_ceil(spec.stride);
        channels = spec.channels_out;
    }
    [channels, side, side]
}

#[derive(Module, Debug)]
pub struct EfficientNetLite0 {
    pub stem: ConvBn,
    pub blocks: Vec<MbConv>,
    pub head: ConvBn,
    pub classifier: Linear,
}

impl EfficientNetLite0 {
    /// Randomly initialised; load pretrained weights with [`super::weights`].
    pub fn new(device: &Device) -> Self {
        let last_channels = STAGES[STAGES.len() - 1].channels_out;
        Self {
            stem: ConvBn::new([3, STEM_CHANNELS], 3, 2, 1, true, device),
            blocks: block_specs()
                .into_iter()
                .map(|(_, spec)| MbConv::new(spec, device))
                .collect(),
            head: ConvBn::new([last_channels, FEATURE_CHANNELS], 1, 1, 1, true, device),
            classifier: LinearConfig::new(FEATURE_CHANNELS, IMAGENET_CLASSES).init(device),
        }
    }

    /// Images `[batch, 3, 224, 224]` in [-1, 1] → activation entering block 0.
    pub fn stem(&self, images: Tensor<4>) -> Tensor<4> {
        self.stem.forward(images)
    }

    /// Runs blocks `from..to` on the activation entering block `from`.
    pub fn blocks(&self, x: Tensor<4>, from: usize, to: usize) -> Tensor<4> {
        run_blocks(&self.blocks[from..to], x)
    }

    /// Output of the last block → pooled 1280-d features.
    pub fn pooled_head(&self, x: Tensor<4>) -> Tensor<2> {
        global_average_pool(self.head.forward(x))
    }

    /// Where the weights live, and so where images must go.
    pub fn device(&self) -> Device {
        self.classifier.weight.device()
    }

    /// Images → activation entering block `boundary` (the frozen prefix).
    pub fn prefix(&self, images: Tensor<4>, boundary: usize) -> Tensor<4> {
        self.blocks(self.stem(images), 0, boundary)
    }

    /// Activation entering block `boundary` → pooled features (the trainable suffix).
    pub fn suffix(&self, x: Tensor<4>, boundary: usize) -> Tensor<2> {
        self.pooled_head(self.blocks(x, boundary, NUM_BLOCKS))
    }

    /// Images → pooled 1280-d features, the representation new heads are trained on.
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        self.suffix(self.prefix(images, 0), 0)
    }

    /// Images → ImageNet logits (before softmax).
    pub fn imagenet_logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.classifier.forward(self.features(images))
    }
}

/// `[batch, channels, h, w]` → `[batch, channels]`.
pub fn global_average_pool(x: Tensor<4>) -> Tensor<2> {
    let [batch, channels, _, _] = x.dims();
    x.mean_dim(3).mean_dim(2).reshape([batch, channels])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_sixteen_blocks_in_seven_stages() {
        let specs = block_specs();
        assert_eq!(specs.len(), NUM_BLOCKS);
        assert_eq!(specs.last().unwrap().0, 6);
        assert_eq!(specs[0].1.expand_ratio, 1);
    }

    #[test]
    fn boundary_shapes_follow_the_strides() {
        assert_eq!(boundary_shape(0), [32, 112, 112]);
        assert_eq!(boundary_shape(1), [16, 112, 112]);
        assert_eq!(boundary_shape(NUM_BLOCKS - 1), [192, 7, 7]);
        assert_eq!(boundary_shape(NUM_BLOCKS), [320, 7, 7]);
    }

    #[test]
    fn split_forward_equals_whole_forward() {
        let device = Device::flex();
        let model = EfficientNetLite0::new(&device);
        let images = Tensor::<4>::random(
            [1, 3, INPUT_SIZE, INPUT_SIZE],
            burn::tensor::Distribution::Uniform(-1.0, 1.0),
            &device,
        );
        let whole = model.features(images.clone());
        let split = model.suffix(model.prefix(images, 11), 11);
        let difference = (whole - split).abs().max().into_scalar::<f32>();
        assert!(difference < 1e-5, "split forward differs by {difference}");
    }
}
