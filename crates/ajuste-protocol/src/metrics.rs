//! Training measurements, shared by the core (which computes them) and the page (which
//! draws them).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    #[serde(with = "crate::finite::f32")]
    pub train_loss: f32,
    #[serde(with = "crate::finite::f32")]
    pub train_accuracy: f32,
    #[serde(with = "crate::finite::option_f32")]
    pub validation_loss: Option<f32>,
    #[serde(with = "crate::finite::option_f32")]
    pub validation_accuracy: Option<f32>,
    #[serde(with = "crate::finite::f64")]
    pub learning_rate: f64,
}

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
