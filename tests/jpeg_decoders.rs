//! The page and the CLI decode JPEGs with different decoders: natively libjpeg-turbo's
//! algorithms (bit-exact with the PyTorch reference pipeline), in the browser the `image`
//! crate's pure-Rust decoder (no C in wasm32). PNGs decode identically on both. This measures
//! what the difference does, on the fixtures' photos: how many levels the pixels move, and
//! how far that moves the network's features and ImageNet answer. Run with `--nocapture` for
//! the table; the bounds below are what "a few levels" must stay within.

mod common;

use ajuste::data::batch::images_to_tensor;
use ajuste::data::image::{decode, resize_and_crop, to_input};
use ajuste::model::EfficientNetLite0;
use ajuste::model::weights::load_safetensors;
use burn::prelude::*;
use burn::tensor::activation::softmax;
use common::{argmax, cosine};
use image::{ImageFormat, RgbImage};

/// What the page runs: the browser build's decoder (the `image` crate's JPEG decoder).
fn browser_decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8()
}

/// (pooled features, ImageNet probabilities) of one image.
fn answer(backbone: &EfficientNetLite0, image: &RgbImage) -> (Vec<f32>, Vec<f32>) {
    let input = images_to_tensor(&[to_input(&resize_and_crop(image))], &backbone.device());
    let features = backbone.features(input);
    let probabilities = softmax(backbone.classifier.forward(features.clone()), 1);
    let vec = |t: Tensor<2>| t.into_data().try_into_vec::<f32>().unwrap();
    (vec(features), vec(probabilities))
}

#[test]
fn browser_and_native_jpeg_decoding_differ_by_a_few_levels_and_agree_on_the_answer() {
    let weights = std::fs::read(common::shipped_weights()).unwrap();
    let backbone = load_safetensors(weights, &Device::flex()).unwrap();
    println!(
        "| photo | pixels that differ | mean / max level difference | feature cosine | top-1 | top-1 probability, native vs browser |"
    );
    println!("|---|---|---|---|---|---|");
    for name in ["astronaut", "chelsea", "coffee", "rocket"] {
        let bytes = std::fs::read(
            common::fixtures()
                .join("images")
                .join(format!("{name}.jpg")),
        )
        .unwrap();
        let native = decode(&bytes).unwrap();
        let browser = browser_decode(&bytes);
        assert_eq!(native.dimensions(), browser.dimensions(), "{name}");
        let differences: Vec<u8> = (native.as_raw().iter().zip(browser.as_raw()))
            .map(|(a, b)| a.abs_diff(*b))
            .collect();
        let differing = differences.iter().filter(|&&d| d > 0).count() as f64;
        let share = differing / differences.len() as f64;
        let mean =
            differences.iter().map(|&d| f64::from(d)).sum::<f64>() / differences.len() as f64;
        let max = *differences.iter().max().unwrap();

        let (native_features, native_probabilities) = answer(&backbone, &native);
        let (browser_features, browser_probabilities) = answer(&backbone, &browser);
        let similarity = cosine(&native_features, &browser_features);
        let native_class = argmax(&native_probabilities);
        let browser_class = argmax(&browser_probabilities);
        let (native_p, browser_p) = (
            native_probabilities[native_class],
            browser_probabilities[native_class],
        );
        println!(
            "| {name} | {:.1}% | {mean:.2} / {max} | {similarity:.5} | {} | {native_p:.4} vs {browser_p:.4} |",
            share * 100.0,
            if native_class == browser_class {
                "same"
            } else {
                "DIFFERENT"
            },
        );
        // Two correct IDCTs and upsamplers round differently in a few places; anything
        // more is a decoding bug (a wrong colour transform or chroma position).
        assert!(mean < 0.5 && max <= 12, "{name}: mean {mean}, max {max}");
        assert!(similarity > 0.999, "{name}: feature cosine {similarity}");
        assert_eq!(native_class, browser_class, "{name}: top-1");
        assert!(
            (native_p - browser_p).abs() < 0.02,
            "{name}: {native_p} vs {browser_p}"
        );
    }
}
