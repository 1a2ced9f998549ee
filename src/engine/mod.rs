//! The browser side of the model: picks the backend, fetches the shipped weights, and runs
//! the network. Only plain data crosses to the UI.

mod backend;
mod weights_download;

use ajuste::data::batch::images_to_tensor;
use ajuste::data::image::preprocess;
use ajuste::model::EfficientNetLite0;
use ajuste::model::imagenet::{Prediction, top_k};
use ajuste::model::weights::load_safetensors;
use burn::prelude::Device;

pub use backend::BackendKind;

/// Served next to index.html; Trunk copies it from `www/`.
const WEIGHTS_URL: &str = "efficientnet-lite0.safetensors";

pub struct Engine {
    device: Device,
    backbone: EfficientNetLite0,
    pub backend: BackendKind,
}

impl Engine {
    /// Initialises the device and loads the weights, reporting download progress as
    /// `(bytes so far, total bytes if known)`.
    pub async fn start(on_progress: impl Fn(u64, Option<u64>)) -> Result<Self, String> {
        let (device, backend) = backend::init().await;
        let bytes = weights_download::fetch_with_progress(WEIGHTS_URL, on_progress).await?;
        let backbone = load_safetensors(bytes, &device).map_err(|e| e.to_string())?;
        Ok(Self {
            device,
            backbone,
            backend,
        })
    }

    /// Runs one tiny forward pass so that the shaders compile before the user needs them.
    pub async fn warm_up(&self) -> Result<(), String> {
        let blank = vec![0.0; 3 * ajuste::model::INPUT_SIZE * ajuste::model::INPUT_SIZE];
        self.imagenet_logits(blank).await.map(|_| ())
    }

    async fn imagenet_logits(&self, input: Vec<f32>) -> Result<Vec<f32>, String> {
        let images = images_to_tensor(&[input], &self.device);
        let logits = self.backbone.imagenet_logits(images);
        let data = logits.into_data_async().await.map_err(|e| e.to_string())?;
        data.try_into_vec::<f32>().map_err(|e| format!("{e:?}"))
    }

    /// Top-5 ImageNet classes of an image file's bytes.
    pub async fn classify_imagenet(&self, bytes: &[u8]) -> Result<Vec<Prediction>, String> {
        let input = preprocess(bytes).map_err(|e| e.to_string())?;
        Ok(top_k(&self.imagenet_logits(input).await?, 5))
    }
}
