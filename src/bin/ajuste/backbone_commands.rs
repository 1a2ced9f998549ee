//! `ajuste imagenet` and `ajuste embed`: the pretrained network as it is.

use std::process::ExitCode;

use ajuste::data::batch::{images_to_tensor, rows};
use ajuste::model::imagenet::{Prediction, top_k};
use serde::Serialize;

use crate::cli::{BackboneArgs, cpu, exit_code, load_backbone, read_images};

#[derive(Serialize)]
struct ImagenetResult {
    image: String,
    top5: Vec<Prediction>,
}

#[derive(Serialize)]
struct Embedding {
    image: String,
    features: Vec<f32>,
}

/// (image path, output row) for each readable image, and how many could not be read.
type Rows = (Vec<(String, Vec<f32>)>, usize);

/// Runs `output` of the backbone over the images in batches; one row per readable image.
fn forward_rows(
    args: &BackboneArgs,
    output: impl Fn(&ajuste::model::EfficientNetLite0, burn::Tensor<4>) -> burn::Tensor<2>,
) -> Result<Rows, String> {
    let device = cpu();
    let model = load_backbone(args.weights.as_deref(), &device)?;
    let (inputs, failures) = read_images(&args.images);
    let mut results = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(args.batch_size.max(1)) {
        let batch: Vec<Vec<f32>> = chunk.iter().map(|(_, input)| input.clone()).collect();
        let values = rows(output(&model, images_to_tensor(&batch, &device)));
        for ((path, _), row) in chunk.iter().zip(values) {
            results.push((path.display().to_string(), row));
        }
    }
    Ok((results, failures))
}

pub fn imagenet(args: &BackboneArgs) -> Result<ExitCode, String> {
    let (logits, failures) = forward_rows(args, |model, images| model.imagenet_logits(images))?;
    let results: Vec<ImagenetResult> = logits
        .into_iter()
        .map(|(image, logits)| ImagenetResult {
            image,
            top5: top_k(&logits, 5),
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?
        );
    } else {
        for result in &results {
            println!("{}", result.image);
            for p in &result.top5 {
                println!("  {:6.2}%  {}", p.probability * 100.0, p.label);
            }
        }
    }
    Ok(exit_code(failures))
}

pub fn embed(args: &BackboneArgs) -> Result<ExitCode, String> {
    let (features, failures) = forward_rows(args, |model, images| model.features(images))?;
    let results: Vec<Embedding> = features
        .into_iter()
        .map(|(image, features)| Embedding { image, features })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&results).map_err(|e| e.to_string())?
        );
    } else {
        for result in &results {
            let preview: Vec<String> = result
                .features
                .iter()
                .take(6)
                .map(|v| format!("{v:.4}"))
                .collect();
            println!(
                "{}  [{} …] ({} values)",
                result.image,
                preview.join(", "),
                result.features.len()
            );
        }
    }
    Ok(exit_code(failures))
}
