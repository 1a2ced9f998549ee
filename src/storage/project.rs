//! A project in memory, and its checks: the same ones on the way out as on the way in, so
//! that every file written opens again.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Cursor, Read, Seek, Write};

use ajuste_protocol::{TrainSettings, TrainingReport, check_class_list};
use burn::prelude::Device;

use super::ProjectError;
use super::archive::{Archive, ArchiveWriter, check_name};
use super::features::{FEATURES_ENTRY, StoredFeatures};
use super::images::{self, StoredImage};
use super::limits::*;
use super::manifest::*;
use crate::model::EfficientNetLite0;
use crate::train::export::{self, Classifier};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// In the page's order.
    pub classes: Vec<ProjectClass>,
    pub settings: TrainSettings,
    /// Of the training run that made `classifier`, or the last one.
    pub report: Option<TrainingReport>,
    pub classifier: Option<SavedClassifier>,
    /// Transfer-learning features of some images, if the writer had them.
    pub features: Option<StoredFeatures>,
}

#[derive(Clone, PartialEq)]
pub struct ProjectClass {
    /// Trimmed when written and read (as training does).
    pub name: String,
    /// Whether the class takes part in training.
    pub enabled: bool,
    /// As the engine keeps them: short side 256 (see `data::image::resize_short_side`).
    pub samples: Vec<StoredImage>,
}

/// A trained classifier as bytes: reading a project needs no network, loading the classifier
/// does ([`Self::load`]).
#[derive(Clone, PartialEq)]
pub struct SavedClassifier {
    pub manifest: export::Manifest,
    /// Safetensors, as [`Classifier::to_bytes`] writes them.
    pub weights: Vec<u8>,
}

impl SavedClassifier {
    pub fn new(classifier: &Classifier) -> Result<Self, ProjectError> {
        let (weights, _) = classifier
            .to_bytes()
            .map_err(|e| ProjectError::Write(e.to_string()))?;
        Ok(Self {
            manifest: classifier.manifest.clone(),
            weights,
        })
    }

    /// The classifier on `device`; the pretrained blocks it leaves unchanged come from
    /// `backbone`.
    pub fn load(
        &self,
        backbone: &EfficientNetLite0,
        device: &Device,
    ) -> Result<Classifier, ProjectError> {
        Classifier::from_bytes(
            self.weights.clone(),
            &self.manifest_json()?,
            backbone,
            device,
        )
        .map_err(|e| ProjectError::BadClassifier(e.to_string()))
    }

    fn manifest_json(&self) -> Result<String, ProjectError> {
        serde_json::to_string_pretty(&self.manifest).map_err(|e| ProjectError::Write(e.to_string()))
    }

    pub(super) fn parse(weights: Vec<u8>, manifest: &[u8]) -> Result<Self, ProjectError> {
        let manifest = serde_json::from_slice(manifest)
            .map_err(|e| ProjectError::BadClassifier(e.to_string()))?;
        Ok(Self { manifest, weights })
    }
}

impl Project {
    pub fn enabled_classes(&self) -> impl Iterator<Item = &ProjectClass> {
        self.classes.iter().filter(|class| class.enabled)
    }

    /// Whether [`Self::to_bytes`] would write this project (everything it checks but the
    /// limits of the file itself), without building the archive: cheap enough to ask before
    /// work that ends in writing it.
    pub fn check(&self) -> Result<(), ProjectError> {
        self.checked_names().map(drop)
    }

    /// The class names as stored (trimmed), once everything that reading would refuse is
    /// ruled out.
    fn checked_names(&self) -> Result<Vec<String>, ProjectError> {
        let names: Vec<&str> = self.classes.iter().map(|c| c.name.as_str()).collect();
        let names = check_classes(&names)?;
        check_metadata(
            &names,
            &self.settings,
            self.report.as_ref(),
            &self.classifier,
        )?;
        let mut pixel_bytes = 0u64;
        for (index, class) in self.classes.iter().enumerate() {
            for (n, image) in class.samples.iter().enumerate() {
                let (width, height) = image.dimensions();
                images::check_size(&image_entry(index, n), width, height)?;
                pixel_bytes += image.pixel_bytes();
            }
        }
        if pixel_bytes > MAX_PIXEL_BYTES {
            return Err(ProjectError::TooManyPixels);
        }
        Ok(names)
    }

    /// The project file, in memory: [`Self::write_to`] a `Vec`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProjectError> {
        self.write_to(Vec::new())
    }

    /// Writes the project file into `out`, entry after entry as it goes (the images as the
    /// PNGs they are kept as), never the whole file in memory, and gives `out` back. A
    /// buffered writer still holds the end of the file then: flush it (`into_inner`). On an
    /// error, `out` holds part of a file, to be thrown away.
    pub fn write_to<W: Write>(&self, out: W) -> Result<W, ProjectError> {
        let names = self.checked_names()?;
        let entries = (self.classes.iter().zip(names).enumerate())
            .map(|(index, (class, name))| ClassEntry {
                name,
                enabled: class.enabled,
                images: (0..class.samples.len())
                    .map(|n| image_entry(index, n))
                    .collect(),
            })
            .collect();
        let image_counts: Vec<usize> = self.classes.iter().map(|c| c.samples.len()).collect();
        let features = (self.features.as_ref())
            .filter(|features| !features.rows.is_empty())
            .map(|features| features.encode(&image_counts, image_entry))
            .transpose()?;
        let (depth0_features, feature_bytes) = features.unzip();
        let manifest = Manifest {
            format: FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            written_by: concat!("ajuste ", env!("CARGO_PKG_VERSION")).into(),
            classes: entries,
            settings: self.settings.clone(),
            report: self.report.clone(),
            includes_classifier: self.classifier.is_some(),
            depth0_features,
        };
        let mut zip = ArchiveWriter::new(out);
        zip.add(MANIFEST, &manifest.to_json()?, MAX_MANIFEST_BYTES, true)?;
        for (entry, class) in manifest.classes.iter().zip(&self.classes) {
            for (file, image) in entry.images.iter().zip(&class.samples) {
                zip.add(file, image.png(), MAX_IMAGE_BYTES, false)?;
            }
        }
        if let Some(classifier) = &self.classifier {
            let json = classifier.manifest_json()?;
            zip.add(
                CLASSIFIER_MANIFEST,
                json.as_bytes(),
                MAX_MANIFEST_BYTES,
                true,
            )?;
            let weights = &classifier.weights;
            zip.add(CLASSIFIER_WEIGHTS, weights, MAX_CLASSIFIER_BYTES, true)?;
        }
        if let Some(bytes) = feature_bytes {
            zip.add(FEATURES_ENTRY, &bytes, bytes.len() as u64, true)?;
        }
        zip.finish()
    }

    /// [`Self::read_from`] bytes in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProjectError> {
        Self::read_from(Cursor::new(bytes))
    }

    /// Reads a project file from `reader` (a `BufReader<File>`, a `Cursor`), one entry at a
    /// time: besides the project itself (its images as PNGs), only the zip's directory and
    /// the entry being read are in memory, never the file whole.
    pub fn read_from<R: Read + Seek>(reader: R) -> Result<Self, ProjectError> {
        let (mut archive, manifest, classifier) = open(Archive::open(reader)?)?;
        // Every header first: a file whose images would decode to too many pixels is refused
        // before any is decoded.
        let mut pixel_bytes = 0u64;
        for file in manifest.classes.iter().flat_map(|c| &c.images) {
            let header = archive.peek(file, images::HEADER_BYTES)?;
            pixel_bytes += images::check_header(file, &header)?;
            if pixel_bytes > MAX_PIXEL_BYTES {
                return Err(ProjectError::TooManyPixels);
            }
        }
        let features = match &manifest.depth0_features {
            Some(entry) => {
                let positions: HashMap<&str, (usize, usize)> = (manifest.classes.iter())
                    .enumerate()
                    .flat_map(|(class, c)| {
                        (c.images.iter().enumerate()).map(move |(n, f)| (f.as_str(), (class, n)))
                    })
                    .collect();
                Some(StoredFeatures::read(&mut archive, entry, &positions)?)
            }
            None => None,
        };
        let mut classes = Vec::with_capacity(manifest.classes.len());
        for entry in manifest.classes {
            let mut samples = Vec::with_capacity(entry.images.len());
            for file in &entry.images {
                let png = archive.read(file, MAX_IMAGE_BYTES)?;
                samples.push(StoredImage::read(file, png)?);
            }
            classes.push(ProjectClass {
                name: entry.name,
                enabled: entry.enabled,
                samples,
            });
        }
        Ok(Self {
            classes,
            settings: manifest.settings,
            report: manifest.report,
            classifier,
            features,
        })
    }

    /// The trained classifier alone, checked as [`Self::from_bytes`] checks it but without
    /// decoding a single image: what predicting needs.
    pub fn classifier_from_bytes(bytes: &[u8]) -> Result<Option<SavedClassifier>, ProjectError> {
        Self::read_classifier_from(Cursor::new(bytes))
    }

    /// [`Self::classifier_from_bytes`] from a reader: the images are not even read.
    pub fn read_classifier_from<R: Read + Seek>(
        reader: R,
    ) -> Result<Option<SavedClassifier>, ProjectError> {
        classifier_in(Archive::open(reader)?)
    }
}

fn image_entry(class: usize, n: usize) -> String {
    format!("images/{class}/{n}.png")
}

/// The classifier of the project file `archive` opens, checked as reading the project checks
/// it.
pub(super) fn classifier_in<R: Read + Seek>(
    archive: Archive<R>,
) -> Result<Option<SavedClassifier>, ProjectError> {
    Ok(open(archive)?.2)
}

/// Everything but the images' pixels: the archive, its manifest (classes trimmed, names of
/// image entries checked) and the classifier.
fn open<R: Read + Seek>(
    mut archive: Archive<R>,
) -> Result<(Archive<R>, Manifest, Option<SavedClassifier>), ProjectError> {
    if !archive.contains(MANIFEST) {
        return Err(ProjectError::MissingManifest);
    }
    let mut manifest = Manifest::parse(&archive.read(MANIFEST, MAX_MANIFEST_BYTES)?)?;
    let names: Vec<&str> = manifest.classes.iter().map(|c| c.name.as_str()).collect();
    let names = check_classes(&names)?;
    let mut listed = HashSet::new();
    for (entry, name) in manifest.classes.iter_mut().zip(names.iter()) {
        entry.name.clone_from(name);
        for file in &entry.images {
            check_name(file)?;
            if !listed.insert(file.as_str()) {
                return Err(ProjectError::ImageListedTwice(file.clone()));
            }
            if !archive.contains(file) {
                return Err(ProjectError::MissingEntry(file.clone()));
            }
        }
    }
    let classifier = if manifest.includes_classifier {
        let json = archive.read(CLASSIFIER_MANIFEST, MAX_MANIFEST_BYTES)?;
        let weights = archive.read(CLASSIFIER_WEIGHTS, MAX_CLASSIFIER_BYTES)?;
        Some(SavedClassifier::parse(weights, &json)?)
    } else {
        None
    };
    check_metadata(
        &names,
        &manifest.settings,
        manifest.report.as_ref(),
        &classifier,
    )?;
    Ok((archive, manifest, classifier))
}

/// The class names as training uses them (trimmed): not too many, none empty, too long or
/// used twice. (A project may have fewer classes than training needs: it is work in progress.)
fn check_classes(names: &[&str]) -> Result<Vec<String>, ProjectError> {
    // A project's classes have no ids of their own: number them, so only names can clash.
    let numbered = names.iter().enumerate().map(|(i, &name)| (i as u64, name));
    check_class_list(numbered).map_err(ProjectError::Classes)?;
    Ok(names.iter().map(|name| name.trim().to_string()).collect())
}

/// Settings in the page's limits; a report and a classifier that are about the project's
/// classes (any of them: a class disabled after training keeps its classifier), and about
/// the same ones when both are there.
fn check_metadata(
    names: &[String],
    settings: &TrainSettings,
    report: Option<&TrainingReport>,
    classifier: &Option<SavedClassifier>,
) -> Result<(), ProjectError> {
    settings.validate().map_err(ProjectError::BadSettings)?;
    if let Some(report) = report {
        check_report(report, names).map_err(ProjectError::BadReport)?;
    }
    let Some(classifier) = classifier else {
        return Ok(());
    };
    let manifest = &classifier.manifest;
    manifest.check().map_err(ProjectError::BadClassifier)?;
    if let Some(unknown) = manifest.classes.iter().find(|c| !names.contains(c)) {
        return Err(ProjectError::ClassifierClass(unknown.clone()));
    }
    if report.is_some_and(|report| report.classes != manifest.classes) {
        return Err(ProjectError::BadReport(
            "it is about other classes than the classifier".into(),
        ));
    }
    Ok(())
}

/// A report the page can draw: a square confusion matrix and one accuracy per class.
fn check_report(report: &TrainingReport, names: &[String]) -> Result<(), String> {
    let count = report.classes.len();
    if let Some(unknown) = report.classes.iter().find(|c| !names.contains(c)) {
        return Err(format!("class \"{unknown}\" is not in the project"));
    }
    if report.classes.iter().collect::<HashSet<_>>().len() != count {
        return Err("a class is listed twice".into());
    }
    let matrix = &report.confusion.matrix;
    if matrix.len() != count || matrix.iter().any(|row| row.len() != count) {
        return Err(format!("the confusion matrix is not {count}×{count}"));
    }
    let accuracy = &report.per_class_accuracy;
    if accuracy.len() != count || accuracy.iter().flatten().any(|a| !(0.0..=1.0).contains(a)) {
        return Err(format!("{count} accuracies between 0 and 1 are expected"));
    }
    Ok(())
}

/// Sizes, not pixels: a failed comparison of two projects stays readable.
impl fmt::Debug for ProjectClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<(u32, u32)> = self.samples.iter().map(StoredImage::dimensions).collect();
        f.debug_struct("ProjectClass")
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .field("samples", &sizes)
            .finish()
    }
}

impl fmt::Debug for SavedClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedClassifier")
            .field("manifest", &self.manifest)
            .field("weights", &format_args!("{} bytes", self.weights.len()))
            .finish()
    }
}
