//! A trained model as one zip: `classifier.safetensors` + `manifest.json`, the same two files
//! `ajuste train --out DIR` writes, so that the page's "Download model" and the CLI agree.
//! Reading also takes a project file (`.ajuste`) and uses the classifier inside it.

use std::io::{Cursor, Read, Seek};

use super::archive::{Archive, ArchiveWriter};
use super::limits::{MAX_CLASSIFIER_BYTES, MAX_MANIFEST_BYTES};
use super::project::classifier_in;
use super::{FORMAT, ProjectError, SavedClassifier};
use crate::train::export::{self, Classifier, MANIFEST_FILE, WEIGHTS_FILE};

/// The zip of `classifier`.
pub fn write_model(classifier: &Classifier) -> Result<Vec<u8>, ProjectError> {
    let (weights, manifest) = classifier
        .to_bytes()
        .map_err(|e| ProjectError::Write(e.to_string()))?;
    let mut zip = ArchiveWriter::new(Vec::new());
    zip.add(MANIFEST_FILE, manifest.as_bytes(), MAX_MANIFEST_BYTES, true)?;
    zip.add(WEIGHTS_FILE, &weights, MAX_CLASSIFIER_BYTES, true)?;
    zip.finish()
}

/// The classifier in a model zip, or in a project file; a project without one is
/// [`ProjectError::NoClassifier`].
pub fn read_model(bytes: &[u8]) -> Result<SavedClassifier, ProjectError> {
    read_model_from(Cursor::new(bytes))
}

/// [`read_model`] from a reader (a `BufReader<File>`): a project's images are not read.
pub fn read_model_from<R: Read + Seek>(reader: R) -> Result<SavedClassifier, ProjectError> {
    let mut archive = Archive::open(reader)?;
    let manifest = archive.read(MANIFEST_FILE, MAX_MANIFEST_BYTES)?;
    let format = serde_json::from_slice::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|value| value.get("format")?.as_str().map(str::to_string));
    match format.as_deref() {
        Some(FORMAT) => classifier_in(archive)?.ok_or(ProjectError::NoClassifier),
        Some(export::FORMAT) => {
            let weights = archive.read(WEIGHTS_FILE, MAX_CLASSIFIER_BYTES)?;
            let saved = SavedClassifier::parse(weights, &manifest)?;
            saved
                .manifest
                .check()
                .map_err(ProjectError::BadClassifier)?;
            Ok(saved)
        }
        _ => Err(ProjectError::UnknownFormat(format.unwrap_or_default())),
    }
}
