//! Evaluation of a trained model on cached activations.

use std::f32::consts::LN_2;

use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::log_softmax;

use super::TrainError;
use super::augment::MIRROR_VIEW;
use super::cache::{Activations, Key, read_floats};
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

/// Mean cross-entropy (no smoothing) and confusion matrix over `items` = (sample id, label).
/// Each image is scored on its plain view or, with `mirror` and where its mirror view is
/// there, on the mean of both views' class probabilities: what the exported classifier does.
pub async fn evaluate(
    model: &TrainableModel,
    activations: &Activations<'_>,
    items: &[(u64, usize)],
    num_classes: usize,
    mirror: bool,
) -> Result<Evaluation, TrainError> {
    let mut loss_sum = 0.0;
    let mut actual = Vec::with_capacity(items.len());
    let mut predicted = Vec::with_capacity(items.len());
    for chunk in items.chunks(EVALUATION_BATCH) {
        let plain: Vec<Key> = chunk.iter().map(|&(id, _)| (id, 0)).collect();
        let mirrored: Vec<Key> = chunk.iter().map(|&(id, _)| (id, MIRROR_VIEW)).collect();
        let both = mirror && mirrored.iter().all(|key| activations.contains(key));
        let log_probabilities = if both {
            let rows = activations.gather(&[plain, mirrored].concat())?;
            let log_p = log_softmax(model.forward_cached(rows), 1);
            let n = chunk.len();
            mean_of_probabilities(log_p.clone().slice(0..n), log_p.slice(n..2 * n))
        } else {
            log_softmax(model.forward_cached(activations.gather(&plain)?), 1)
        };
        let device = log_probabilities.device();
        let labels: Vec<i64> = chunk.iter().map(|&(_, label)| label as i64).collect();
        let targets =
            Tensor::<2, Int>::from_data(TensorData::new(labels, [chunk.len(), 1]), &device);
        let loss = log_probabilities.clone().gather(1, targets).mean().neg();
        let values =
            read_floats(Tensor::cat(vec![loss, log_probabilities.reshape([-1])], 0)).await?;
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

/// log((p + q) / 2) from log p and log q, without leaving log space: a confident wrong
/// answer has probabilities that underflow to 0 in f32, whose log is −∞.
fn mean_of_probabilities(log_p: Tensor<2>, log_q: Tensor<2>) -> Tensor<2> {
    let high = log_p.clone().max_pair(log_q.clone());
    let sum = (log_p - high.clone()).exp() + (log_q - high.clone()).exp();
    high + sum.log() - LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_of_probabilities_stays_finite_where_one_underflows() {
        let device = Device::flex();
        let log_p = Tensor::<2>::from_data([[0.0f32, -200.0], [-0.1, -2.4]], &device);
        let log_q = Tensor::<2>::from_data([[-300.0f32, 0.0], [-0.1, -2.4]], &device);
        let mean = mean_of_probabilities(log_p, log_q)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        for (got, want) in mean.iter().zip([-LN_2, -LN_2, -0.1, -2.4]) {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
    }
}
