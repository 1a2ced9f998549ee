//! Labelled images, checked before training, and the stratified train/validation split.

use image::RgbImage;

use super::image::resize_short_side;
use crate::rng::Rng;

/// One labelled image, kept at short side 256: the evaluation view is its centre crop and
/// augmented views are cut from it.
#[derive(Clone, Debug)]
pub struct Sample {
    pub id: u64,
    pub label: usize,
    pub image: RgbImage,
}

#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub classes: Vec<String>,
    pub samples: Vec<Sample>,
    next_id: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatasetError {
    #[error("add at least two classes to train a classifier")]
    TooFewClasses,
    #[error("class \"{0}\" has no images")]
    EmptyClass(String),
    #[error("label {label} does not name one of the {classes} classes")]
    UnknownLabel { label: usize, classes: usize },
    #[error("there is already an image with id {0}")]
    DuplicateId(u64),
}

impl Dataset {
    pub fn new(classes: Vec<String>) -> Self {
        Self {
            classes,
            samples: Vec::new(),
            next_id: 0,
        }
    }

    /// Adds a decoded image (any size) and returns its id.
    pub fn add(&mut self, label: usize, image: &RgbImage) -> Result<u64, DatasetError> {
        if label >= self.classes.len() {
            return Err(DatasetError::UnknownLabel {
                label,
                classes: self.classes.len(),
            });
        }
        let id = self.next_id;
        self.next_id += 1;
        self.samples.push(Sample {
            id,
            label,
            image: resize_short_side(image),
        });
        Ok(id)
    }

    /// Adds a sample whose id the caller chose (the page numbers images itself) and whose
    /// image is already at short side 256 (see [`resize_short_side`]); later [`Self::add`]
    /// ids stay clear of it.
    pub fn insert(&mut self, sample: Sample) -> Result<(), DatasetError> {
        if sample.label >= self.classes.len() {
            return Err(DatasetError::UnknownLabel {
                label: sample.label,
                classes: self.classes.len(),
            });
        }
        if self.samples.iter().any(|s| s.id == sample.id) {
            return Err(DatasetError::DuplicateId(sample.id));
        }
        self.next_id = self.next_id.max(sample.id + 1);
        self.samples.push(sample);
        Ok(())
    }

    pub fn class_counts(&self) -> Vec<usize> {
        class_counts(
            self.samples.iter().map(|sample| sample.label),
            self.classes.len(),
        )
    }

    /// Training needs two classes or more, each with at least one image.
    pub fn check_trainable(&self) -> Result<(), DatasetError> {
        check_labels(&self.classes, &self.labels())
    }

    /// (id, label) of every sample, in order: what a trainer needs of a dataset.
    pub fn items(&self) -> Vec<(u64, usize)> {
        self.samples.iter().map(|s| (s.id, s.label)).collect()
    }

    fn labels(&self) -> Vec<usize> {
        self.samples.iter().map(|s| s.label).collect()
    }
}

/// Images per class, for labels below `num_classes`.
pub fn class_counts(labels: impl IntoIterator<Item = usize>, num_classes: usize) -> Vec<usize> {
    let mut counts = vec![0; num_classes];
    for label in labels {
        counts[label] += 1;
    }
    counts
}

/// Two classes or more, each with at least one image, and no label outside `classes`.
pub fn check_labels(classes: &[String], labels: &[usize]) -> Result<(), DatasetError> {
    if classes.len() < 2 {
        return Err(DatasetError::TooFewClasses);
    }
    if let Some(&label) = labels.iter().find(|&&label| label >= classes.len()) {
        return Err(DatasetError::UnknownLabel {
            label,
            classes: classes.len(),
        });
    }
    match (0..classes.len()).find(|class| !labels.contains(class)) {
        Some(empty) => Err(DatasetError::EmptyClass(classes[empty].clone())),
        None => Ok(()),
    }
}

/// Indices into the samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub validation: Vec<usize>,
    /// Classes left without validation images because they have too few.
    pub classes_without_validation: Vec<usize>,
}

/// Holds out `share` of each class (rounded), keeping at least one training image per class.
pub fn stratified_split(labels: &[usize], num_classes: usize, share: f64, seed: u64) -> Split {
    let mut rng = Rng::new(seed);
    let mut split = Split {
        train: Vec::new(),
        validation: Vec::new(),
        classes_without_validation: Vec::new(),
    };
    for class in 0..num_classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        let held_out =
            ((members.len() as f64 * share).round() as usize).min(members.len().saturating_sub(1));
        if held_out == 0 && share > 0.0 {
            split.classes_without_validation.push(class);
        }
        split.validation.extend_from_slice(&members[..held_out]);
        split.train.extend_from_slice(&members[held_out..]);
    }
    split.train.sort_unstable();
    split.validation.sort_unstable();
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(counts: &[usize]) -> Dataset {
        let mut dataset = Dataset::new((0..counts.len()).map(|c| format!("class {c}")).collect());
        for (label, &count) in counts.iter().enumerate() {
            for _ in 0..count {
                dataset.add(label, &RgbImage::new(300, 260)).unwrap();
            }
        }
        dataset
    }

    #[test]
    fn samples_are_kept_at_short_side_256() {
        assert_eq!(dataset(&[1, 1]).samples[0].image.dimensions(), (295, 256));
    }

    #[test]
    fn bad_datasets_are_typed_errors() {
        assert_eq!(
            dataset(&[]).check_trainable(),
            Err(DatasetError::TooFewClasses)
        );
        assert_eq!(
            dataset(&[3]).check_trainable(),
            Err(DatasetError::TooFewClasses)
        );
        assert_eq!(
            dataset(&[3, 0]).check_trainable(),
            Err(DatasetError::EmptyClass("class 1".into()))
        );
        assert!(dataset(&[1, 1]).check_trainable().is_ok());
        let mut d = dataset(&[1, 1]);
        assert!(matches!(
            d.add(5, &RgbImage::new(4, 4)),
            Err(DatasetError::UnknownLabel { .. })
        ));
    }

    #[test]
    fn inserted_samples_keep_their_ids_and_later_ids_avoid_them() {
        let mut dataset = dataset(&[1, 0]);
        let image = resize_short_side(&RgbImage::new(300, 260));
        let sample = |id, label| Sample {
            id,
            label,
            image: image.clone(),
        };
        dataset.insert(sample(7, 1)).unwrap();
        assert_eq!(dataset.class_counts(), vec![1, 1]);
        assert_eq!(
            dataset.insert(sample(7, 0)),
            Err(DatasetError::DuplicateId(7))
        );
        assert!(matches!(
            dataset.insert(sample(8, 2)),
            Err(DatasetError::UnknownLabel { .. })
        ));
        assert_eq!(dataset.add(0, &RgbImage::new(4, 4)).unwrap(), 8);
    }

    #[test]
    fn split_is_stratified_and_keeps_a_training_image_per_class() {
        let labels: Vec<usize> = [vec![0; 20], vec![1; 7], vec![2; 1]].concat();
        let split = stratified_split(&labels, 3, 0.15, 1);
        let count = |set: &[usize], class| set.iter().filter(|&&i| labels[i] == class).count();
        assert_eq!(count(&split.validation, 0), 3);
        assert_eq!(count(&split.validation, 1), 1);
        assert_eq!(count(&split.train, 2), 1);
        assert_eq!(split.classes_without_validation, vec![2]);
        assert_eq!(split.train.len() + split.validation.len(), labels.len());
        assert_eq!(split, stratified_split(&labels, 3, 0.15, 1));
    }
}
