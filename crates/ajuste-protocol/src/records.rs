//! How the page keeps a project on the device: records, not one file. A small project record
//! (this module's [`ProjectRecord`]: classes with their images in order, settings, the last
//! report and curves, which classifier record goes with it), one record per image (the PNG
//! the engine keeps, `Event::StoredImage`) and one per image's features, keyed by the
//! project's [`ProjectRecord::store`] and the image's id; the classifier's model file in a
//! record of its own. The page does the IndexedDB calls; what a change writes is decided
//! here ([`plan`]), natively tested: after one change it writes what changed, so the cost of
//! a save does not grow with the project.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{ClassId, EpochMetrics, SampleId, TrainSettings, TrainingReport};

/// The form of [`ProjectRecord`] this page writes. A record of a later form (a page rolled
/// back after an update) is kept aside, never read half-way and saved over.
pub const RECORD_SCHEMA: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub schema: u32,
    /// The first part of the keys of the project's image, feature and classifier records.
    /// A project started over after its record was set aside gets a new one, so that the
    /// records set aside stay as they were.
    pub store: String,
    /// In the page's order; each lists only images that have a record.
    pub classes: Vec<RecordClass>,
    pub settings: TrainSettings,
    pub report: Option<TrainingReport>,
    pub history: Vec<EpochMetrics>,
    pub evaluated: Vec<(SampleId, usize, usize)>,
    /// The classifier record that goes with the report: its generation (a new classifier
    /// gets the next); none without a classifier.
    pub classifier: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordClass {
    pub id: ClassId,
    /// As the page shows it, even while it is being typed (empty, or twice the same).
    pub name: String,
    pub enabled: bool,
    pub samples: Vec<SampleId>,
}

/// Why a stored project record cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("it was written by a later version of Ajuste (record form {0})")]
    Newer(u32),
    #[error("it is damaged: {0}")]
    Damaged(String),
}

impl ProjectRecord {
    /// Fails on a number JSON cannot carry (see `finite`), which the page never shows.
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string(self).map_err(|e| e.to_string())
    }

    pub fn parse(json: &str) -> Result<Self, RecordError> {
        #[derive(Deserialize)]
        struct Form {
            schema: u32,
        }
        let form: Form =
            serde_json::from_str(json).map_err(|e| RecordError::Damaged(e.to_string()))?;
        if form.schema > RECORD_SCHEMA {
            return Err(RecordError::Newer(form.schema));
        }
        let record: Self =
            serde_json::from_str(json).map_err(|e| RecordError::Damaged(e.to_string()))?;
        record
            .settings
            .validate()
            .map_err(|e| RecordError::Damaged(e.to_string()))?;
        let listed: Vec<SampleId> = record.samples().collect();
        if listed.iter().collect::<BTreeSet<_>>().len() != listed.len() {
            return Err(RecordError::Damaged("an image is listed twice".into()));
        }
        Ok(record)
    }

    /// Every image listed, class by class.
    pub fn samples(&self) -> impl Iterator<Item = SampleId> + '_ {
        self.classes.iter().flat_map(|c| c.samples.iter().copied())
    }

    pub fn image_count(&self) -> usize {
        self.classes.iter().map(|c| c.samples.len()).sum()
    }

    /// The record with only the images in `stored`.
    fn listing_only(&self, stored: &BTreeSet<SampleId>) -> Self {
        let mut record = self.clone();
        for class in &mut record.classes {
            class.samples.retain(|sample| stored.contains(sample));
        }
        record
    }
}

/// What is on the device now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Saved {
    /// `None` before the first save (or while a project kept as one file by an older version
    /// is moved to records).
    pub record: Option<ProjectRecord>,
    pub images: BTreeSet<SampleId>,
    pub classifier: Option<u64>,
}

/// One save: everything in one transaction, so that the record never lists an image or a
/// classifier that is not stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Writes {
    /// Image records to write (their PNGs are in hand).
    pub images: Vec<SampleId>,
    /// Image records (and their features) no longer listed.
    pub deleted: Vec<SampleId>,
    pub record: Option<ProjectRecord>,
    /// A new classifier record to write (generation), replacing `saved.classifier`.
    pub classifier: Option<u64>,
    /// The classifier record to delete.
    pub classifier_deleted: Option<u64>,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// What is on the device once these writes are committed.
    pub fn applied_to(&self, saved: &Saved) -> Saved {
        let mut images = saved.images.clone();
        images.extend(&self.images);
        for sample in &self.deleted {
            images.remove(sample);
        }
        Saved {
            record: self.record.clone().or_else(|| saved.record.clone()),
            images,
            classifier: match (self.classifier, self.classifier_deleted) {
                (Some(new), _) => Some(new),
                (None, Some(_)) => None,
                (None, None) => saved.classifier,
            },
        }
    }
}

/// What to write so that the device holds `current`: the images whose PNG is in hand
/// (`in_hand`) and not stored yet, the records of images no longer listed, the classifier
/// when its generation changed (`classifier_in_hand`: whether its model file is here), and
/// the project record listing only images stored once this is done. While `moving` (a
/// project kept as one file is being moved to records, or a project file opened replaces the
/// project) neither the record nor any deletion is written until every image listed is
/// stored: what was kept stays the project until the new records hold it all.
pub fn plan(
    saved: &Saved,
    current: &ProjectRecord,
    in_hand: &BTreeSet<SampleId>,
    classifier_in_hand: bool,
    moving: bool,
) -> Writes {
    let listed: BTreeSet<SampleId> = current.samples().collect();
    let images: Vec<SampleId> = (listed.iter())
        .filter(|sample| !saved.images.contains(sample) && in_hand.contains(sample))
        .copied()
        .collect();
    let mut stored: BTreeSet<SampleId> = saved.images.intersection(&listed).copied().collect();
    stored.extend(&images);
    let mut record = current.listing_only(&stored);
    // A classifier whose file is not here yet keeps the one stored, with its report.
    let (classifier, classifier_deleted) = match (current.classifier, saved.classifier) {
        (new, old) if new == old => (None, None),
        (Some(new), old) if classifier_in_hand => (Some(new), old),
        (Some(_), _) => {
            record.classifier = saved.classifier;
            if let Some(kept) = &saved.record {
                record.report.clone_from(&kept.report);
                record.history.clone_from(&kept.history);
                record.evaluated.clone_from(&kept.evaluated);
            }
            (None, None)
        }
        (None, old) => (None, old),
    };
    let complete = stored.len() == listed.len();
    let settled = complete || !moving;
    let record = (saved.record.as_ref() != Some(&record) && settled).then_some(record);
    let deleted: Vec<SampleId> = if settled {
        saved.images.difference(&listed).copied().collect()
    } else {
        Vec::new()
    };
    Writes {
        images,
        deleted,
        record,
        classifier,
        classifier_deleted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_SEED;

    fn settings() -> TrainSettings {
        TrainSettings {
            freeze_depth: 0,
            epochs: 10,
            batch_size: 16,
            learning_rate: 1e-3,
            augment: false,
            validation_share: 0.15,
            seed: DEFAULT_SEED,
        }
    }

    fn record(classes: &[(ClassId, &str, std::ops::Range<SampleId>)]) -> ProjectRecord {
        ProjectRecord {
            schema: RECORD_SCHEMA,
            store: "p~1".into(),
            classes: (classes.iter())
                .map(|(id, name, samples)| RecordClass {
                    id: *id,
                    name: name.to_string(),
                    enabled: true,
                    samples: samples.clone().collect(),
                })
                .collect(),
            settings: settings(),
            report: None,
            history: Vec::new(),
            evaluated: Vec::new(),
            classifier: None,
        }
    }

    fn ids(range: std::ops::Range<SampleId>) -> BTreeSet<SampleId> {
        range.collect()
    }

    /// The device after saving `current` from `saved`.
    fn save(saved: &Saved, current: &ProjectRecord, in_hand: &BTreeSet<SampleId>) -> Saved {
        plan(saved, current, in_hand, true, false).applied_to(saved)
    }

    #[test]
    fn one_more_image_writes_one_image_and_the_small_record() {
        let big = record(&[(1, "cats", 10..2510), (2, "dogs", 3000..5500)]);
        let in_hand: BTreeSet<SampleId> = big.samples().collect();
        let saved = save(&Saved::default(), &big, &in_hand);
        assert_eq!(saved.images.len(), 5000);
        assert_eq!(saved.record.as_ref(), Some(&big));

        let mut bigger = big.clone();
        bigger.classes[1].samples.push(9000);
        let writes = plan(&saved, &bigger, &ids(9000..9001), false, false);
        assert_eq!(writes.images, [9000]);
        assert!(writes.deleted.is_empty());
        assert_eq!(writes.record.as_ref(), Some(&bigger));
        assert!(
            writes.record.unwrap().to_json().unwrap().len() < 100_000,
            "the record of 5,000 images stays small"
        );
        // Nothing changed: nothing written.
        let again = save(&saved, &big, &BTreeSet::new());
        assert_eq!(again, saved);
        assert!(plan(&saved, &big, &in_hand, true, false).is_empty());
    }

    #[test]
    fn a_record_never_lists_an_image_that_is_not_stored() {
        let current = record(&[(1, "a", 1..5)]);
        // Images 3 and 4 are not accepted yet (their PNG is not here).
        let writes = plan(&Saved::default(), &current, &ids(1..3), true, false);
        assert_eq!(writes.images, [1, 2]);
        assert_eq!(writes.record.unwrap().classes[0].samples, [1, 2]);
    }

    #[test]
    fn removed_images_and_classes_are_deleted() {
        let current = record(&[(1, "a", 1..4), (2, "b", 10..12)]);
        let saved = save(&Saved::default(), &current, &current.samples().collect());
        let mut fewer = record(&[(1, "a", 1..4)]);
        fewer.classes[0].samples.retain(|s| *s != 2);
        let writes = plan(&saved, &fewer, &BTreeSet::new(), true, false);
        assert_eq!(writes.deleted, [2, 10, 11]);
        assert!(writes.images.is_empty());
        assert_eq!(writes.applied_to(&saved).images, BTreeSet::from([1, 3]));
    }

    #[test]
    fn a_renamed_class_writes_only_the_record() {
        let current = record(&[(1, "a", 1..4)]);
        let saved = save(&Saved::default(), &current, &current.samples().collect());
        let renamed = record(&[(1, "apples", 1..4)]);
        let writes = plan(&saved, &renamed, &BTreeSet::new(), true, false);
        assert_eq!(
            writes,
            Writes {
                record: Some(renamed),
                ..Writes::default()
            }
        );
    }

    #[test]
    fn a_classifier_is_written_with_its_report_once_its_file_is_here() {
        let current = record(&[(1, "a", 1..3), (2, "b", 3..5)]);
        let saved = save(&Saved::default(), &current, &current.samples().collect());
        let mut trained = current.clone();
        trained.classifier = Some(1);
        trained.history = vec![EpochMetrics {
            epoch: 1,
            train_loss: 0.5,
            train_accuracy: 0.9,
            validation_loss: None,
            validation_accuracy: None,
            learning_rate: 1e-3,
        }];
        // The model file is on its way: the record keeps the classifier stored and its curves.
        let waiting = plan(&saved, &trained, &BTreeSet::new(), false, false);
        assert!(waiting.classifier.is_none() && waiting.record.is_none());
        let writes = plan(&saved, &trained, &BTreeSet::new(), true, false);
        assert_eq!(writes.classifier, Some(1));
        assert_eq!(writes.record.as_ref(), Some(&trained));
        let saved = writes.applied_to(&saved);
        // The classifier forgotten (a class renamed): its record goes.
        let forgotten = plan(&saved, &current, &BTreeSet::new(), false, false);
        assert_eq!(forgotten.classifier_deleted, Some(1));
        assert_eq!(forgotten.applied_to(&saved).classifier, None);
    }

    #[test]
    fn a_project_moved_from_one_file_is_recorded_only_when_complete() {
        let current = record(&[(1, "a", 1..5)]);
        let first = plan(&Saved::default(), &current, &ids(1..3), true, true);
        assert_eq!(first.images, [1, 2]);
        assert_eq!(first.record, None, "the old file stays the project");
        let saved = first.applied_to(&Saved::default());
        let last = plan(&saved, &current, &ids(3..5), true, true);
        assert_eq!(last.images, [3, 4]);
        assert_eq!(last.record, Some(current));
    }

    #[test]
    fn an_opened_file_replaces_the_kept_project_only_when_complete() {
        let old = record(&[(1, "a", 1..4)]);
        let saved = save(&Saved::default(), &old, &old.samples().collect());
        let opened = record(&[(10, "b", 11..14)]);
        let first = plan(&saved, &opened, &ids(11..13), true, true);
        assert_eq!(first.images, [11, 12]);
        assert!(first.deleted.is_empty() && first.record.is_none());
        let saved = first.applied_to(&saved);
        let last = plan(&saved, &opened, &ids(13..14), true, true);
        assert_eq!(last.deleted, [1, 2, 3]);
        assert_eq!(last.record, Some(opened));
    }

    #[test]
    fn records_read_back_and_later_or_damaged_ones_are_refused() {
        let current = record(&[(1, "a", 1..3)]);
        assert_eq!(
            ProjectRecord::parse(&current.to_json().unwrap()),
            Ok(current.clone())
        );
        let later = current
            .to_json()
            .unwrap()
            .replace("\"schema\":1", "\"schema\":2");
        assert_eq!(ProjectRecord::parse(&later), Err(RecordError::Newer(2)));
        assert!(matches!(
            ProjectRecord::parse("{\"schema\":1}"),
            Err(RecordError::Damaged(_))
        ));
        let twice = record(&[(1, "a", 1..3), (2, "b", 2..4)]);
        assert!(matches!(
            ProjectRecord::parse(&twice.to_json().unwrap()),
            Err(RecordError::Damaged(_))
        ));
        let mut bad = current;
        bad.settings.epochs = 0;
        assert!(matches!(
            ProjectRecord::parse(&bad.to_json().unwrap()),
            Err(RecordError::Damaged(_))
        ));
    }
}
