//! One image → class probabilities: the ImageNet classes before any training, the user's
//! classes after.

use ajuste::data::batch::images_to_tensor;
use ajuste::data::image::{ImageError, decode, from_rgba, resize_and_crop, to_input};
use ajuste::model::EfficientNetLite0;
use ajuste::model::imagenet::top_k;
use ajuste::protocol::{ImageEncoding, Prediction, PredictionSource, Scored};
use ajuste::train::TrainError;
use ajuste::train::cache::{frozen_prefix, read_floats};
use ajuste::train::trainable::TrainableModel;
use burn::tensor::activation::softmax;
use image::RgbImage;

use super::features::Devices;
use super::inbox::now_ms;

/// How many ImageNet classes a prediction lists.
const IMAGENET_TOP: usize = 5;

pub struct TrainedClassifier {
    pub classes: Vec<String>,
    pub freeze_depth: usize,
    /// On `Devices::training(freeze_depth)`.
    pub model: TrainableModel,
}

/// Decodes what the page sent: file bytes or a video frame.
pub fn image_from(bytes: &[u8], encoding: ImageEncoding) -> Result<RgbImage, ImageError> {
    match encoding {
        ImageEncoding::File => decode(bytes),
        ImageEncoding::Rgba { width, height } => from_rgba(width, height, bytes),
    }
}

fn device_error(error: TrainError) -> String {
    error.to_string()
}

pub async fn predict(
    image: &RgbImage,
    backbone: &EfficientNetLite0,
    classifier: Option<&TrainedClassifier>,
    devices: &Devices,
) -> Result<Prediction, String> {
    let started = now_ms();
    let images = images_to_tensor(&[to_input(&resize_and_crop(image))], &devices.main);
    let (source, scores) = match classifier {
        None => {
            let logits = read_floats(backbone.imagenet_logits(images))
                .await
                .map_err(device_error)?;
            let scores = top_k(&logits, IMAGENET_TOP)
                .into_iter()
                .map(|p| Scored {
                    label: p.label,
                    probability: p.probability,
                })
                .collect();
            (PredictionSource::ImageNet, scores)
        }
        Some(classifier) => {
            let depth = classifier.freeze_depth;
            let rows = devices
                .to_training(frozen_prefix(backbone, images, depth), depth)
                .await
                .map_err(device_error)?;
            let probabilities = read_floats(softmax(classifier.model.forward_cached(rows), 1))
                .await
                .map_err(device_error)?;
            let mut scores: Vec<Scored> = classifier
                .classes
                .iter()
                .zip(probabilities)
                .map(|(label, probability)| Scored {
                    label: label.clone(),
                    probability,
                })
                .collect();
            scores.sort_by(|a, b| b.probability.total_cmp(&a.probability));
            (PredictionSource::Trained, scores)
        }
    };
    Ok(Prediction {
        source,
        scores,
        milliseconds: now_ms() - started,
    })
}
