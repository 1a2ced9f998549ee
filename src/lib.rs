//! Ajuste: transfer learning and fine-tuning of EfficientNet-Lite0, natively or in the
//! browser on WebGPU.

#[cfg(not(target_arch = "wasm32"))]
pub mod allocator;
pub mod data;
pub mod model;
pub mod rng;
pub mod session;
pub mod storage;
pub mod train;

/// What the page and the engine worker say to each other (a crate of its own, without burn,
/// so that the page stays small).
pub use ajuste_protocol as protocol;

const _: () = assert!(protocol::BACKBONE_BLOCKS == model::NUM_BLOCKS);
