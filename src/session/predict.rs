//! One image → class probabilities: the ImageNet classes before any training, the user's
//! classes after.

use ajuste_protocol::{ImageEncoding, ImageProblem, PredictionSource, Scored};
use image::RgbImage;

use crate::data::batch::images_to_tensor;
use crate::data::image::{ImageError, MAX_SIDE, decode, from_rgba, resize_and_crop, to_input};
use crate::model::EfficientNetLite0;
use crate::model::imagenet::top_k;
use crate::train::TrainError;
use crate::train::cache::read_floats;
use crate::train::devices::Devices;
use crate::train::export::Classifier;

/// How many ImageNet classes a prediction lists.
const IMAGENET_TOP: usize = 5;

/// Decodes what the page sent: file bytes or a video frame.
pub fn image_from(bytes: &[u8], encoding: ImageEncoding) -> Result<RgbImage, ImageProblem> {
    let image = match encoding {
        ImageEncoding::File | ImageEncoding::Stored => decode(bytes),
        ImageEncoding::Rgba { width, height } => from_rgba(width, height, bytes),
    };
    image.map_err(image_problem)
}

fn image_problem(error: ImageError) -> ImageProblem {
    match error {
        ImageError::Empty => ImageProblem::Empty,
        ImageError::UnknownFormat => ImageProblem::UnknownFormat,
        ImageError::Corrupt(detail) => ImageProblem::Corrupt(detail),
        ImageError::TooLarge { width, height } => ImageProblem::TooLarge {
            width,
            height,
            max_side: MAX_SIDE,
        },
        ImageError::TooManyPixels { width, height } => {
            ImageProblem::TooManyPixels { width, height }
        }
        ImageError::NoPixels => ImageProblem::NoPixels,
        ImageError::BadBuffer {
            width,
            height,
            expected,
            actual,
        } => ImageProblem::BadBuffer {
            width,
            height,
            expected,
            actual,
        },
    }
}

/// Scores, best first.
pub async fn predict(
    image: &RgbImage,
    backbone: &EfficientNetLite0,
    classifier: Option<&Classifier>,
    devices: &Devices,
) -> Result<(PredictionSource, Vec<Scored>), TrainError> {
    let images = images_to_tensor(&[to_input(&resize_and_crop(image))], &devices.main);
    let (source, mut scores) = match classifier {
        None => {
            let logits = read_floats(backbone.imagenet_logits(images)).await?;
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
            let rows = classifier.probabilities(backbone, images, devices).await?;
            let scores: Vec<Scored> = classifier
                .classes()
                .iter()
                .zip(rows.into_iter().flatten())
                .map(|(label, probability)| Scored {
                    label: label.clone(),
                    probability,
                })
                .collect();
            (PredictionSource::Trained, scores)
        }
    };
    if scores.iter().any(|s| !s.probability.is_finite()) {
        return Err(TrainError::Diverged);
    }
    scores.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    Ok((source, scores))
}
