//! Files the user saves and opens: the whole project (`.ajuste`) and the trained model (a zip
//! the CLI reads). A file that cannot be used changes nothing.

use ajuste_protocol::limits::THUMBNAIL_SIDE;
use ajuste_protocol::{
    ClassId, EngineError, Event, FileKind, OpenedClass, OpenedProject, ProjectClass, SampleId,
    TrainSettings,
};
use image::{DynamicImage, RgbImage};

use super::Session;
use super::features::FeatureScheduler;
use super::samples::SampleStore;
use crate::storage::{self, Project, SavedClassifier, StoredFeatures, read_model, write_model};
use crate::train::export::Classifier;

const PROJECT_FILE_NAME: &str = "ajuste-project.ajuste";
const MODEL_FILE_NAME: &str = "ajuste-model.zip";

impl Session {
    pub(super) async fn save_project(&mut self, classes: &[ProjectClass], settings: TrainSettings) {
        let project_classes: Vec<storage::ProjectClass> = classes
            .iter()
            .map(|class| storage::ProjectClass {
                name: class.name.trim().to_string(),
                enabled: class.enabled,
                samples: self.samples.images_of(class.id),
            })
            .collect();
        // A classifier whose classes were renamed or deleted since no longer fits the
        // project: the images and settings are saved without it.
        let fits = |classifier: &Classifier| {
            classifier
                .classes()
                .iter()
                .all(|name| project_classes.iter().any(|c| &c.name == name))
        };
        let saved = match self.classifier.as_ref().filter(|c| fits(c)) {
            Some(classifier) => {
                let saved = classifier
                    .on_cpu()
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|c| SavedClassifier::new(&c).map_err(|e| e.to_string()));
                match saved {
                    Ok(saved) => Some(saved),
                    Err(error) => return self.reject_file(EngineError::ProjectFile(error)),
                }
            }
            None => None,
        };
        let project = Project {
            classes: project_classes,
            settings,
            report: saved.as_ref().and(self.report.clone()),
            classifier: saved,
            features: self.stored_features(classes).await,
        };
        match project.to_bytes() {
            Ok(bytes) => self.emit_with_bytes(
                Event::File {
                    kind: FileKind::Project,
                    name: PROJECT_FILE_NAME.into(),
                },
                bytes,
            ),
            Err(error) => self.reject_file(EngineError::ProjectFile(error.to_string())),
        }
    }

    /// The transfer-learning features computed so far, to save with the project. They only
    /// save time on the next open: when they cannot be read, the project goes without.
    async fn stored_features(&self, classes: &[ProjectClass]) -> Option<StoredFeatures> {
        let ids: Vec<Vec<SampleId>> = (classes.iter())
            .map(|class| self.samples.ids_of(class.id))
            .collect();
        let all: Vec<SampleId> = ids.iter().flatten().copied().collect();
        let mut computed = self.features.depth0_rows(&all).await.ok()?;
        let rows = (ids.iter().enumerate())
            .flat_map(|(c, ids)| ids.iter().enumerate().map(move |(n, id)| ((c, n), *id)))
            .filter_map(|(at, id)| Some((at, computed.remove(&id)?)))
            .collect();
        Some(StoredFeatures {
            weights: self.weights_fingerprint.clone(),
            rows,
        })
    }

    /// Replaces every image and the classifier with the project's, numbering classes and
    /// images from `first_id`.
    pub(super) async fn open_project(&mut self, bytes: &[u8], first_id: u64) {
        if self.run.is_some() {
            return self.reject_file(EngineError::TrainingRunning);
        }
        let project = match Project::from_bytes(bytes) {
            Ok(project) => project,
            Err(error) => return self.reject_file(EngineError::ProjectFile(error.to_string())),
        };
        let classifier = match project.classifier.as_ref().map(|c| self.load_classifier(c)) {
            Some(Ok(classifier)) => Some(classifier),
            Some(Err(error)) => return self.reject_file(EngineError::ProjectFile(error)),
            None => None,
        };
        let mut features = FeatureScheduler::new(&self.devices, self.features.budget());
        let settings = &project.settings;
        if let Err(error) = features.want(settings.freeze_depth, settings.augment, &self.devices) {
            return self.reject_file(error.into());
        }
        let mut samples = SampleStore::default();
        let mut next_id = first_id;
        let mut fresh = || {
            next_id += 1;
            next_id - 1
        };
        let mut opened = Vec::with_capacity(project.classes.len());
        let mut thumbnails = Vec::new();
        for class in &project.classes {
            let id: ClassId = fresh();
            let mut ids = Vec::with_capacity(class.samples.len());
            for image in &class.samples {
                let sample = fresh();
                if let Err(invalid) = samples.add_stored(sample, id, image.clone()) {
                    return self.reject_file(invalid.into());
                }
                ids.push(sample);
                thumbnails.push((sample, thumbnail(&image.decode())));
            }
            opened.push(OpenedClass {
                id,
                name: class.name.clone(),
                enabled: class.enabled,
                samples: ids,
            });
        }
        // Features another network computed are no use here: this one computes its own.
        if let Some(stored) =
            (project.features).filter(|stored| stored.weights == self.weights_fingerprint)
        {
            let rows = (stored.rows.into_iter())
                .filter_map(|((c, n), row)| Some((*opened.get(c)?.samples.get(n)?, row)))
                .collect();
            // If they cannot be taken, only time is lost: they are computed again.
            features.restore_depth0(rows).await.ok();
        }
        self.samples = samples;
        self.features = features;
        self.features_stalled = false;
        self.deferred_removals.clear();
        self.deferred_features = None;
        let classifier_classes = classifier.as_ref().map(|c| c.classes().to_vec());
        self.classifier = classifier;
        self.report = project.report.clone().filter(|_| self.classifier.is_some());
        self.emit(Event::ProjectOpened(OpenedProject {
            classes: opened,
            settings: project.settings,
            report: self.report.clone(),
            classifier_classes,
        }));
        let opened_samples: Vec<SampleId> = thumbnails.iter().map(|(sample, _)| *sample).collect();
        self.unannounced.clear();
        self.announce_later(opened_samples);
        for (sample, (width, height, rgba)) in thumbnails {
            self.emit_with_bytes(
                Event::Thumbnail {
                    sample,
                    width,
                    height,
                },
                rgba,
            );
        }
        self.report_features();
    }

    pub(super) async fn export_model(&mut self) {
        let Some(classifier) = &self.classifier else {
            return self.reject_file(EngineError::NoClassifier);
        };
        let written = classifier
            .on_cpu()
            .await
            .map_err(|e| e.to_string())
            .and_then(|c| write_model(&c).map_err(|e| e.to_string()));
        match written {
            Ok(bytes) => self.emit_with_bytes(
                Event::File {
                    kind: FileKind::Model,
                    name: MODEL_FILE_NAME.into(),
                },
                bytes,
            ),
            Err(error) => self.reject_file(EngineError::ModelFile(error)),
        }
    }

    /// A model zip (or a project's classifier) becomes the classifier the preview uses.
    pub(super) fn open_model(&mut self, bytes: &[u8]) {
        let loaded = read_model(bytes)
            .map_err(|e| e.to_string())
            .and_then(|saved| self.load_classifier(&saved));
        match loaded {
            Ok(classifier) => {
                let classes = classifier.classes().to_vec();
                self.keep(classifier, None);
                self.emit(Event::ModelOpened { classes });
            }
            Err(error) => self.reject_file(EngineError::ModelFile(error)),
        }
    }

    /// On the device its freeze depth trains on, as if it had been trained here.
    fn load_classifier(&self, saved: &SavedClassifier) -> Result<Classifier, String> {
        let device = self.devices.training(saved.manifest.freeze_depth);
        saved
            .load(&self.backbone, device)
            .map_err(|e| e.to_string())
    }

    fn reject_file(&mut self, error: EngineError) {
        self.emit(Event::CommandRejected(error));
    }
}

/// (width, height, RGBA pixels) of a picture of `image` at most [`THUMBNAIL_SIDE`] a side.
fn thumbnail(image: &RgbImage) -> (u32, u32, Vec<u8>) {
    let small = DynamicImage::ImageRgb8(image.clone())
        .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        .into_rgba8();
    let (width, height) = small.dimensions();
    (width, height, small.into_raw())
}
