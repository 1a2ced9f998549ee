//! Accuracy, per-class accuracy and the confusion matrix.

use serde::{Deserialize, Serialize};

/// `matrix[actual][predicted]` counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub matrix: Vec<Vec<usize>>,
}

impl ConfusionMatrix {
    pub fn new(num_classes: usize) -> Self {
        Self {
            matrix: vec![vec![0; num_classes]; num_classes],
        }
    }

    pub fn from_predictions(num_classes: usize, actual: &[usize], predicted: &[usize]) -> Self {
        let mut confusion = Self::new(num_classes);
        for (&a, &p) in actual.iter().zip(predicted) {
            confusion.matrix[a][p] += 1;
        }
        confusion
    }

    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f32 {
        let correct: usize = (0..self.matrix.len()).map(|i| self.matrix[i][i]).sum();
        if self.total() == 0 {
            0.0
        } else {
            correct as f32 / self.total() as f32
        }
    }

    /// `None` for a class with no examples.
    pub fn per_class_accuracy(&self) -> Vec<Option<f32>> {
        self.matrix
            .iter()
            .enumerate()
            .map(|(class, row)| {
                let total: usize = row.iter().sum();
                (total > 0).then(|| row[class] as f32 / total as f32)
            })
            .collect()
    }
}

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
