//! EfficientNet-Lite0 as numbers, for the diagram: its 16 MBConv blocks in 7 stages with
//! their shapes, and what a freeze depth costs (trainable parameters, the activation cached
//! per image, the work per image and epoch). The shapes are those of the checkpoint the page
//! ships (`efficientnet-lite0-57934424.pth`); a batch-norm layer trains its scale and shift.

use ajuste_protocol::BACKBONE_BLOCKS;

/// Channels of the 1×1 head conv's output, pooled into the features the new head reads.
pub const FEATURE_CHANNELS: usize = 1280;
const STEM_CHANNELS: usize = 32;
/// The stem halves the 224×224 input.
const STEM_SIDE: usize = 112;

#[derive(Clone, Copy, Debug)]
pub struct Block {
    /// 1-based, as the diagram names it.
    pub stage: usize,
    pub kernel: usize,
    pub expand: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    pub in_side: usize,
    pub out_side: usize,
}

/// (stage, blocks, kernel, expansion, output channels, stride of its first block)
const STAGES: [(usize, usize, usize, usize, usize, usize); 7] = [
    (1, 1, 3, 1, 16, 1),
    (2, 2, 3, 6, 24, 2),
    (3, 2, 5, 6, 40, 2),
    (4, 3, 3, 6, 80, 2),
    (5, 3, 5, 6, 112, 1),
    (6, 4, 5, 6, 192, 2),
    (7, 1, 3, 6, 320, 1),
];

pub fn blocks() -> Vec<Block> {
    let mut blocks = Vec::with_capacity(BACKBONE_BLOCKS);
    let (mut channels, mut side) = (STEM_CHANNELS, STEM_SIDE);
    for (stage, count, kernel, expand, out_channels, stride) in STAGES {
        for i in 0..count {
            let out_side = if i == 0 { side / stride } else { side };
            blocks.push(Block {
                stage,
                kernel,
                expand,
                in_channels: channels,
                out_channels,
                in_side: side,
                out_side,
            });
            (channels, side) = (out_channels, out_side);
        }
    }
    debug_assert_eq!(blocks.len(), BACKBONE_BLOCKS);
    blocks
}

impl Block {
    fn hidden(&self) -> usize {
        self.in_channels * self.expand
    }

    /// Weights plus batch-norm scale and shift (the convolutions have no bias).
    pub fn params(&self) -> usize {
        let hidden = self.hidden();
        let expand = if self.expand == 1 {
            0
        } else {
            self.in_channels * hidden + 2 * hidden
        };
        expand
            + hidden * self.kernel * self.kernel
            + 2 * hidden
            + hidden * self.out_channels
            + 2 * self.out_channels
    }

    /// Multiply-adds of one forward pass for one image.
    pub fn macs(&self) -> usize {
        let hidden = self.hidden();
        let expand = if self.expand == 1 {
            0
        } else {
            self.in_side * self.in_side * self.in_channels * hidden
        };
        let out = self.out_side * self.out_side;
        expand + out * hidden * self.kernel * self.kernel + out * hidden * self.out_channels
    }
}

pub const STEM_PARAMS: usize = 3 * STEM_CHANNELS * 9 + 2 * STEM_CHANNELS;
pub const HEAD_CONV_PARAMS: usize = 320 * FEATURE_CHANNELS + 2 * FEATURE_CHANNELS;
const HEAD_CONV_MACS: usize = 7 * 7 * 320 * FEATURE_CHANNELS;

pub fn new_head_params(classes: usize) -> usize {
    FEATURE_CHANNELS * classes + classes
}

/// What training at a freeze depth involves, per image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepthCost {
    pub trainable_params: usize,
    /// The frozen part's output kept per view of an image (f32).
    pub cached_bytes_per_view: usize,
    /// Multiply-adds through the trained part per image and epoch (forward and backward,
    /// about 3× the forward pass).
    pub train_macs: usize,
}

pub fn cost(freeze_depth: usize, classes: usize) -> DepthCost {
    let blocks = blocks();
    let unfrozen = &blocks[BACKBONE_BLOCKS - freeze_depth..];
    let head = new_head_params(classes);
    let (suffix_params, suffix_macs) = if freeze_depth == 0 {
        (0, 0)
    } else {
        (
            HEAD_CONV_PARAMS + unfrozen.iter().map(Block::params).sum::<usize>(),
            HEAD_CONV_MACS + unfrozen.iter().map(Block::macs).sum::<usize>(),
        )
    };
    let cached = match unfrozen.first() {
        None => FEATURE_CHANNELS,
        Some(block) => block.in_channels * block.in_side * block.in_side,
    };
    DepthCost {
        trainable_params: head + suffix_params,
        cached_bytes_per_view: cached * size_of::<f32>(),
        train_macs: 3 * (suffix_macs + FEATURE_CHANNELS * classes),
    }
}
