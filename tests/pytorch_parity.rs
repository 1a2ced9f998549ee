//! The burn backbone reproduces PyTorch on the same checkpoint and photos, through the whole
//! pipeline (decode, resize, crop, normalise, forward).

mod common;

use ajuste::data::batch::{images_to_tensor, rows};
use ajuste::data::image::preprocess;
use ajuste::model::EfficientNetLite0;
use ajuste::model::weights::{load_file, load_pytorch};
use burn::prelude::Device;
use common::*;

/// (features, logits) of every reference image, in reference order.
fn outputs(model: &EfficientNetLite0, device: &Device) -> Vec<(Vec<f32>, Vec<f32>)> {
    let inputs: Vec<Vec<f32>> = references()
        .iter()
        .map(|r| {
            preprocess(&std::fs::read(fixtures().join("images").join(&r.image)).unwrap()).unwrap()
        })
        .collect();
    let features = model.features(images_to_tensor(&inputs, device));
    let logits = model.classifier.forward(features.clone());
    rows(features).into_iter().zip(rows(logits)).collect()
}

#[test]
fn f32_checkpoint_matches_pytorch_within_1e_3() {
    let device = Device::flex();
    let model = load_pytorch(&pytorch_checkpoint(), &device).unwrap();
    for (reference, (features, logits)) in references().iter().zip(outputs(&model, &device)) {
        let feature_error = max_abs_difference(&features, &reference.features);
        let logit_error = max_abs_difference(&logits, &reference.logits);
        println!(
            "{}: features ±{feature_error:.2e}, logits ±{logit_error:.2e}",
            reference.image
        );
        assert!(
            feature_error < 1e-3,
            "{}: features differ by {feature_error}",
            reference.image
        );
        assert!(
            logit_error < 1e-3,
            "{}: logits differ by {logit_error}",
            reference.image
        );
        assert_eq!(argmax(&logits), reference.top1, "{}", reference.image);
    }
}

/// The page's file: f16, with the largest matrices in int8 + per-channel scales.
#[test]
fn shipped_weights_keep_top1_and_features() {
    let device = Device::flex();
    let model = load_file(&shipped_weights(), &device).unwrap();
    for (reference, (features, logits)) in references().iter().zip(outputs(&model, &device)) {
        let similarity = cosine(&features, &reference.features);
        println!("{}: cosine {similarity:.6}", reference.image);
        assert!(
            similarity >= 0.999,
            "{}: cosine {similarity}",
            reference.image
        );
        assert_eq!(argmax(&logits), reference.top1, "{}", reference.image);
    }
}

#[test]
fn shipped_weights_fit_the_size_budget() {
    let bytes = std::fs::metadata(shipped_weights()).unwrap().len();
    // 9.4 MB in f16; 5.5 MB with the int8 matrices (tools/quantize-weights.mjs).
    assert!(bytes <= 5_500_000, "{bytes} bytes");
}

#[test]
fn a_file_that_is_not_weights_is_a_clear_error() {
    let device = Device::flex();
    let not_weights = fixtures().join("images").join("coffee.jpg");
    let error = load_file(&not_weights, &device).expect_err("must fail");
    assert!(
        error.to_string().contains("cannot read the weights"),
        "{error}"
    );
}
