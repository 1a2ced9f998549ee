//! `manifest.json`: what a project holds, and the schema versions it has had.

use ajuste_protocol::{TrainSettings, TrainingReport};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ProjectError;
use super::features::FeaturesEntry;

pub const FORMAT: &str = "ajuste-project";
/// The manifest schema this version writes, and the newest it reads.
pub const SCHEMA_VERSION: u32 = 2;

pub const MANIFEST: &str = "manifest.json";
pub const CLASSIFIER_WEIGHTS: &str = "classifier/classifier.safetensors";
pub const CLASSIFIER_MANIFEST: &str = "classifier/classifier.json";

/// The manifest of schema version [`SCHEMA_VERSION`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub schema_version: u32,
    /// The Ajuste that wrote the file, for people reading it; never checked.
    pub written_by: String,
    /// In the page's order.
    pub classes: Vec<ClassEntry>,
    pub settings: TrainSettings,
    /// Of the training run that made the classifier, or the last one.
    pub report: Option<TrainingReport>,
    /// Whether `classifier/` holds a trained classifier.
    pub includes_classifier: bool,
    /// Which images have their transfer-learning features stored (since version 2).
    pub depth0_features: Option<FeaturesEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ClassEntry {
    pub name: String,
    /// Whether the class takes part in training.
    pub enabled: bool,
    /// Its images' entries, in order.
    pub images: Vec<String>,
}

impl Manifest {
    /// The manifest of a file: any schema version this app reads, brought to the current one.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProjectError> {
        let bad = |e: serde_json::Error| ProjectError::BadManifest(e.to_string());
        let raw: Value = serde_json::from_slice(bytes).map_err(bad)?;
        serde_json::from_value(migrate(raw)?).map_err(bad)
    }

    pub fn to_json(&self) -> Result<Vec<u8>, ProjectError> {
        serde_json::to_vec_pretty(self).map_err(|e| ProjectError::Write(e.to_string()))
    }
}

/// A manifest of one schema version, as JSON, turned into the next version's.
type Migration = fn(Value) -> Result<Value, ProjectError>;

/// `MIGRATIONS[v - 1]` turns a version-`v` manifest into a version-`v + 1` one (and sets its
/// `schema_version`): a new schema version adds its step here, and every older file still
/// opens through the chain.
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize - 1] = [v1_to_v2];

/// Version 2 can store transfer-learning features; a version-1 file has none.
fn v1_to_v2(mut manifest: Value) -> Result<Value, ProjectError> {
    let Some(fields) = manifest.as_object_mut() else {
        return Err(ProjectError::BadManifest("not a JSON object".into()));
    };
    fields.insert("depth0_features".into(), Value::Null);
    fields.insert("schema_version".into(), Value::from(2));
    Ok(manifest)
}

/// Checks the format and the version before anything else is read (a newer file may have
/// any shape), then brings an older manifest up to the current version.
fn migrate(mut manifest: Value) -> Result<Value, ProjectError> {
    let Some(format) = manifest.get("format") else {
        return Err(ProjectError::BadManifest("no \"format\"".into()));
    };
    if format != FORMAT {
        return Err(ProjectError::UnknownFormat(match format {
            Value::String(format) => format.clone(),
            other => other.to_string(),
        }));
    }
    let version = match manifest.get("schema_version").and_then(Value::as_u64) {
        Some(version) if version > u64::from(SCHEMA_VERSION) => {
            return Err(ProjectError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        Some(version) if version >= 1 => version as usize,
        _ => {
            return Err(ProjectError::BadManifest(
                "\"schema_version\" is not a version number".into(),
            ));
        }
    };
    for step in &MIGRATIONS[version - 1..] {
        manifest = step(manifest)?;
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn manifest(version: Value) -> Value {
        json!({
            "format": FORMAT,
            "schema_version": version,
            "written_by": "test",
            "classes": [{"name": "a", "enabled": true, "images": []}],
            "settings": TrainSettings::default(),
            "report": null,
            "includes_classifier": false,
            "depth0_features": null,
        })
    }

    #[test]
    fn the_current_version_opens_and_a_newer_one_is_refused_by_name() {
        let current = manifest(json!(SCHEMA_VERSION));
        assert_eq!(migrate(current.clone()), Ok(current.clone()));
        let parsed = Manifest::parse(current.to_string().as_bytes()).unwrap();
        assert_eq!(parsed.classes[0].name, "a");
        let newer = manifest(json!(SCHEMA_VERSION + 1));
        let error = Manifest::parse(newer.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            error,
            ProjectError::NewerSchema {
                found: u64::from(SCHEMA_VERSION) + 1,
                supported: SCHEMA_VERSION
            }
        );
        let message = error.to_string();
        assert!(message.contains("version 3") && message.contains("up to 2"));
    }

    #[test]
    fn a_version_1_manifest_opens_without_stored_features() {
        let mut old = manifest(json!(1));
        old.as_object_mut().unwrap().remove("depth0_features");
        let migrated = migrate(old).unwrap();
        assert_eq!(migrated, manifest(json!(SCHEMA_VERSION)));
        let parsed = Manifest::parse(migrated.to_string().as_bytes()).unwrap();
        assert!(parsed.depth0_features.is_none());
    }

    #[test]
    fn format_and_version_are_checked_before_the_shape() {
        let cases = [
            (json!({"format": "ajuste-classifier"}), "UnknownFormat"),
            (json!({"format": 7, "classes": 3}), "UnknownFormat"),
            (json!({"schema_version": 1}), "BadManifest"),
            (json!([1, 2]), "BadManifest"),
            (
                json!({"format": FORMAT, "schema_version": 0}),
                "BadManifest",
            ),
            (
                json!({"format": FORMAT, "schema_version": -1}),
                "BadManifest",
            ),
            (
                json!({"format": FORMAT, "schema_version": "1"}),
                "BadManifest",
            ),
            (
                json!({"format": FORMAT, "schema_version": 1.5}),
                "BadManifest",
            ),
            (
                json!({"format": FORMAT, "schema_version": 99}),
                "NewerSchema",
            ),
            (
                json!({"format": FORMAT, "schema_version": 1}),
                "BadManifest",
            ),
            (
                json!({"format": FORMAT, "schema_version": 2}),
                "BadManifest",
            ),
        ];
        for (value, expected) in cases {
            let error = Manifest::parse(value.to_string().as_bytes()).unwrap_err();
            assert!(
                format!("{error:?}").starts_with(expected),
                "{value}: {error:?}"
            );
        }
        assert!(matches!(
            Manifest::parse(b"{\"format\": "),
            Err(ProjectError::BadManifest(_))
        ));
    }
}
