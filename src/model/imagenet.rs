//! ImageNet-1k class names, in the order of the classifier's outputs.

const CLASS_NAMES: &str = include_str!("imagenet_classes.txt");

/// The 1000 class names; each line lists the WordNet lemmas of one class, the first one
/// being its usual name.
pub fn class_names() -> Vec<&'static str> {
    CLASS_NAMES.lines().collect()
}

/// A label and its probability.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prediction {
    pub label: String,
    pub index: usize,
    pub probability: f32,
}

/// Softmax over `logits`, then the `k` most probable classes, best first.
pub fn top_k(logits: &[f32], k: usize) -> Vec<Prediction> {
    let names = class_names();
    let probabilities = softmax(logits);
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
        .into_iter()
        .take(k)
        .map(|index| Prediction {
            label: names.get(index).copied().unwrap_or("?").to_string(),
            index,
            probability: probabilities[index],
        })
        .collect()
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_a_thousand_classes() {
        let names = class_names();
        assert_eq!(names.len(), 1000);
        assert_eq!(names[967], "espresso");
        assert!(names[281].starts_with("tabby"));
    }

    #[test]
    fn top_k_is_sorted_and_normalised() {
        let mut logits = vec![0.0; 1000];
        logits[967] = 5.0;
        logits[3] = 4.0;
        let top = top_k(&logits, 3);
        assert_eq!(top[0].label, "espresso");
        assert_eq!(top[1].index, 3);
        assert!(top[0].probability > top[1].probability);
        let total: f32 = softmax(&logits).iter().sum();
        assert!((total - 1.0).abs() < 1e-5);
    }
}
