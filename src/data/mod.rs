//! Images in, network inputs out.

pub mod batch;
pub mod dataset;
#[cfg(not(target_arch = "wasm32"))]
pub mod folder;
pub mod image;
#[cfg(not(target_arch = "wasm32"))]
pub mod jpeg;
pub mod resample;
