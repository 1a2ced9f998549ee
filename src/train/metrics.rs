//! Accuracy, per-class accuracy and the confusion matrix.

pub use ajuste_protocol::ConfusionMatrix;

/// Index of the largest value of each `width`-long row.
pub fn argmax_rows(values: &[f32], width: usize) -> Vec<usize> {
    values
        .chunks(width)
        .map(|row| {
            (0..row.len())
                .max_by(|&i, &j| row[i].total_cmp(&row[j]))
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_counts_and_accuracies() {
        let confusion = ConfusionMatrix::from_predictions(3, &[0, 0, 1, 1, 1], &[0, 1, 1, 1, 0]);
        assert_eq!(
            confusion.matrix,
            vec![vec![1, 1, 0], vec![1, 2, 0], vec![0, 0, 0]]
        );
        assert_eq!(confusion.accuracy(), 0.6);
        assert_eq!(
            confusion.per_class_accuracy(),
            vec![Some(0.5), Some(2.0 / 3.0), None]
        );
    }

    #[test]
    fn argmax_per_row() {
        assert_eq!(argmax_rows(&[0.1, 0.9, 0.5, 0.2], 2), vec![1, 0]);
    }
}
