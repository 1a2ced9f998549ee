//! The trained part (new head, plus any fine-tuned blocks) as safetensors, with a small
//! JSON manifest naming the classes and how images must be prepared. The page exports this
//! pair and the CLI reads it.

use std::collections::HashSet;

use ajuste_protocol::limits::{MAX_CLASSES, MAX_FREEZE_DEPTH, MIN_CLASSES};
use burn::prelude::*;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use super::TrainError;
use super::cache::read_floats;
use super::config::TrainingConfig;
use super::devices::Devices;
use super::trainable::TrainableModel;
use crate::model::EfficientNetLite0;
use crate::model::head::{HeadConfig, check_feature_length};
use crate::model::split::{UnfrozenSuffix, frozen_prefix};
use crate::rng::Rng;

pub const FORMAT: &str = "ajuste-classifier";
pub const FORMAT_VERSION: u32 = 1;
pub const WEIGHTS_FILE: &str = "classifier.safetensors";
pub const MANIFEST_FILE: &str = "manifest.json";
/// The most weights a classifier may bring (a full fine-tune is ~14 MB).
pub const MAX_WEIGHTS_BYTES: usize = 64 << 20;
/// A hidden head layer whose weights could not fit in [`MAX_WEIGHTS_BYTES`]: refused before a
/// classifier of that size is ever built in memory.
pub const MAX_HIDDEN_UNITS: usize = MAX_WEIGHTS_BYTES / (4 * crate::model::FEATURE_CHANNELS);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    pub resize_short_side: usize,
    pub center_crop: usize,
    /// How 8-bit RGB becomes network input.
    pub scaling: String,
    /// The prediction is the mean of the class probabilities of the crop and of its mirror
    /// image (left and right swapped). Files from before this existed predict on the crop.
    #[serde(default)]
    pub mirror_average: bool,
}

impl Default for Preprocessing {
    fn default() -> Self {
        Self {
            resize_short_side: crate::data::image::RESIZE_SHORT_SIDE,
            center_crop: crate::model::INPUT_SIZE,
            scaling: "x / 127.5 - 1 (RGB)".into(),
            mirror_average: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub backbone: String,
    pub classes: Vec<String>,
    pub freeze_depth: usize,
    pub hidden_units: Option<usize>,
    /// `HeadConfig::feature_length`. Files from before it existed use features as they come.
    #[serde(default)]
    pub feature_length: Option<f32>,
    pub preprocessing: Preprocessing,
}

impl Manifest {
    /// What [`Classifier::from_bytes`] would build, checked before it allocates anything.
    pub fn check(&self) -> Result<(), String> {
        let manifest = self;
        if manifest.format != FORMAT || manifest.version != FORMAT_VERSION {
            return Err(format!(
                "format {:?} version {}, where {:?} version {} is expected",
                manifest.format, manifest.version, FORMAT, FORMAT_VERSION
            ));
        }
        let count = manifest.classes.len();
        if !(MIN_CLASSES..=MAX_CLASSES).contains(&count) {
            return Err(format!(
                "{count} classes, not {MIN_CLASSES} to {MAX_CLASSES}"
            ));
        }
        if manifest.classes.iter().collect::<HashSet<_>>().len() != count {
            return Err("a class is listed twice".into());
        }
        if manifest.freeze_depth > MAX_FREEZE_DEPTH {
            return Err(format!("freeze depth {}", manifest.freeze_depth));
        }
        if manifest
            .hidden_units
            .is_some_and(|units| !(1..=MAX_HIDDEN_UNITS).contains(&units))
        {
            return Err(format!(
                "a hidden layer needs 1 to {MAX_HIDDEN_UNITS} units"
            ));
        }
        check_feature_length(manifest.feature_length)
    }

    /// The manifest of a classifier of `classes` trained with `config`.
    pub fn new(classes: Vec<String>, config: &TrainingConfig) -> Self {
        let head = config.head(classes.len());
        Self {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            backbone: "EfficientNet-Lite0, ImageNet (efficientnet-lite0-57934424.pth)".into(),
            classes,
            freeze_depth: config.freeze_depth,
            hidden_units: head.hidden_units,
            feature_length: head.feature_length,
            preprocessing: Preprocessing {
                mirror_average: config.mirror_average(),
                ..Preprocessing::default()
            },
        }
    }

    /// The head this manifest describes.
    fn head(&self) -> HeadConfig {
        HeadConfig::new(self.classes.len())
            .with_hidden_units(self.hidden_units)
            .with_feature_length(self.feature_length)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("not an Ajuste classifier manifest: {0}")]
    Manifest(String),
    #[error("the classifier weights do not match the manifest: {0}")]
    Weights(String),
}

/// A trained classifier ready for inference: what training produces, what the page predicts
/// with and exports, and what the CLI saves and loads.
pub struct Classifier {
    pub manifest: Manifest,
    pub model: TrainableModel,
}

impl Classifier {
    /// Safetensors bytes of the trained part, and the manifest as JSON.
    pub fn to_bytes(&self) -> Result<(Vec<u8>, String), ExportError> {
        let mut store = SafetensorsStore::from_bytes(None).metadata("format", FORMAT);
        self.model
            .save_into(&mut store)
            .map_err(|e| ExportError::Weights(e.to_string()))?;
        let weights = store
            .get_bytes()
            .map_err(|e| ExportError::Weights(e.to_string()))?;
        let manifest = serde_json::to_string_pretty(&self.manifest)
            .map_err(|e| ExportError::Manifest(e.to_string()))?;
        Ok((weights, manifest))
    }

    /// The inverse of [`Self::to_bytes`]; the unchanged pretrained blocks come from `backbone`.
    pub fn from_bytes(
        weights: Vec<u8>,
        manifest: &str,
        backbone: &EfficientNetLite0,
        device: &Device,
    ) -> Result<Self, ExportError> {
        let manifest: Manifest =
            serde_json::from_str(manifest).map_err(|e| ExportError::Manifest(e.to_string()))?;
        manifest.check().map_err(ExportError::Manifest)?;
        let mut model = TrainableModel {
            suffix: (manifest.freeze_depth > 0)
                .then(|| UnfrozenSuffix::from_backbone(backbone, manifest.freeze_depth)),
            head: manifest.head().init(&mut Rng::new(0), device),
        };
        let mut store = SafetensorsStore::from_bytes(Some(weights));
        let result = model
            .load_from(&mut store)
            .map_err(|e| ExportError::Weights(e.to_string()))?;
        if !result.errors.is_empty() || !result.missing.is_empty() {
            return Err(ExportError::Weights(format!(
                "{} errors, missing {:?}",
                result.errors.len(),
                result.missing
            )));
        }
        Ok(Self { manifest, model })
    }

    /// What training produced, predicting as `config` says.
    pub fn new(classes: Vec<String>, config: &TrainingConfig, model: TrainableModel) -> Self {
        // The model is the truth about its own shape.
        let manifest = Manifest {
            freeze_depth: model.freeze_depth(),
            feature_length: model.head.feature_length,
            ..Manifest::new(classes, config)
        };
        Self { manifest, model }
    }

    /// A copy on the CPU, read back asynchronously: what can be saved in a browser (see
    /// [`super::host_copy`]).
    pub async fn on_cpu(&self) -> Result<Self, TrainError> {
        let model = super::host_copy::to_device_async(&self.model, &Device::flex()).await?;
        Ok(Self {
            manifest: self.manifest.clone(),
            model,
        })
    }

    pub fn classes(&self) -> &[String] {
        &self.manifest.classes
    }

    /// Class probabilities for `[n, 3, 224, 224]` images on `devices.main` (where the
    /// backbone is), one row per image; the trained part runs where it was trained.
    pub async fn probabilities(
        &self,
        backbone: &EfficientNetLite0,
        images: Tensor<4>,
        devices: &Devices,
    ) -> Result<Vec<Vec<f32>>, TrainError> {
        let count = images.dims()[0];
        let mirror = self.manifest.preprocessing.mirror_average;
        let images = if mirror {
            // Width is the last axis: the same pixels as `augment::MIRROR_VIEW`.
            Tensor::cat(vec![images.clone(), images.flip([3])], 0)
        } else {
            images
        };
        let depth = self.model.freeze_depth();
        let rows = devices
            .to_training(frozen_prefix(backbone, images, depth), depth)
            .await?;
        let logits = self.model.forward_cached(rows);
        let values = read_floats(softmax(logits, 1)).await?;
        let classes = self.manifest.classes.len();
        let rows: Vec<Vec<f32>> = values.chunks(classes).map(<[f32]>::to_vec).collect();
        if !mirror {
            return Ok(rows);
        }
        let (plain, mirrored) = rows.split_at(count);
        Ok(plain
            .iter()
            .zip(mirrored)
            .map(|(p, q)| p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect())
            .collect())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod files {
    use std::path::Path;

    use super::*;

    impl Classifier {
        pub fn save(&self, directory: &Path) -> std::io::Result<()> {
            let (weights, manifest) = self.to_bytes().map_err(std::io::Error::other)?;
            std::fs::create_dir_all(directory)?;
            std::fs::write(directory.join(WEIGHTS_FILE), weights)?;
            std::fs::write(directory.join(MANIFEST_FILE), manifest)
        }

        pub fn load(
            directory: &Path,
            backbone: &EfficientNetLite0,
            device: &Device,
        ) -> Result<Self, String> {
            let read = |name: &str| {
                std::fs::read(directory.join(name))
                    .map_err(|e| format!("{}: {e}", directory.join(name).display()))
            };
            let manifest = String::from_utf8(read(MANIFEST_FILE)?).map_err(|e| e.to_string())?;
            Self::from_bytes(read(WEIGHTS_FILE)?, &manifest, backbone, device)
                .map_err(|e| e.to_string())
        }
    }
}
