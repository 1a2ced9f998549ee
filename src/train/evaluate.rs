//! Evaluation of a trained model on cached activations.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use burn::tensor::TensorData;

use super::TrainError;
use super::cache::{Activations, read_floats};
use super::metrics::{ConfusionMatrix, argmax_rows};
use super::trainable::TrainableModel;

const EVALUATION_BATCH: usize = 64;

pub struct Evaluation {
    pub loss: f32,
    pub confusion: ConfusionMatrix,
    /// (sample id, actual label, predicted label) of each image, in `items`' order: which
    /// images make up each cell of `confusion`.
    pub predictions: Vec<(u64, usize, usize)>,
}

/// Mean cross-entropy (no smoothing) and confusion matrix over `items` = (sample id, label),
/// on the plain view of each.
pub async fn evaluate(
    model: &TrainableModel,
    activations: &Activations<'_>,
    items: &[(u64, usize)],
    num_classes: usize,
) -> Result<Evaluation, TrainError> {
    let mut loss_sum = 0.0;
    let mut actual = Vec::with_capacity(items.len());
    let mut predicted = Vec::with_capacity(items.len());
    for chunk in items.chunks(EVALUATION_BATCH) {
        let keys: Vec<_> = chunk.iter().map(|&(id, _)| (id, 0)).collect();
        let labels: Vec<i64> = chunk.iter().map(|&(_, label)| label as i64).collect();
        let rows = activations.gather(&keys)?;
        let device = rows.device();
        let logits = model.forward_cached(rows);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [chunk.len()]), &device);
        let loss = CrossEntropyLossConfig::new()
            .init(&device)
            .forward(logits.clone(), targets);
        let values = read_floats(Tensor::cat(vec![loss, logits.reshape([-1])], 0)).await?;
        loss_sum += values[0] * chunk.len() as f32;
        predicted.extend(argmax_rows(&values[1..], num_classes));
        actual.extend(chunk.iter().map(|&(_, label)| label));
    }
    let predictions = (items.iter().zip(&predicted))
        .map(|(&(id, label), &guess)| (id, label, guess))
        .collect();
    Ok(Evaluation {
        loss: loss_sum / items.len().max(1) as f32,
        confusion: ConfusionMatrix::from_predictions(num_classes, &actual, &predicted),
        predictions,
    })
}
