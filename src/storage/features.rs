//! Stored transfer-learning features: the pooled 1280 numbers of some of a project's images
//! (plain view, freeze depth 0), so that a project opened again trains at d = 0 at once
//! instead of running the backbone over every image first. They are only valid for the
//! network that computed them, so they carry its weights' fingerprint; an app with other
//! weights computes its own.
//!
//! One entry, [`FEATURES_ENTRY`], holds the rows as little-endian f32, in the order of the
//! manifest's `depth0_features.images`.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use super::ProjectError;
use super::archive::Archive;
use crate::model::FEATURE_CHANNELS;

pub const FEATURES_ENTRY: &str = "features/depth0.f32";
/// Numbers in a row: the pooled features of EfficientNet-Lite0.
pub const FEATURE_LEN: usize = FEATURE_CHANNELS;
/// A fingerprint is a hash's hex digits: far shorter than this.
const MAX_FINGERPRINT_CHARS: usize = 128;

/// Features of some of a project's images, by (class index, image index in the class).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredFeatures {
    /// The fingerprint of the backbone weights that computed them.
    pub weights: String,
    pub rows: BTreeMap<(usize, usize), Vec<f32>>,
}

/// The manifest's `depth0_features`.
#[derive(Debug, Serialize, Deserialize)]
pub struct FeaturesEntry {
    pub weights: String,
    /// The image entries whose rows [`FEATURES_ENTRY`] holds, in its order.
    pub images: Vec<String>,
}

impl StoredFeatures {
    /// The manifest entry and the bytes of [`FEATURES_ENTRY`]; `image_entry` names an image.
    pub(super) fn encode(
        &self,
        image_counts: &[usize],
        image_entry: impl Fn(usize, usize) -> String,
    ) -> Result<(FeaturesEntry, Vec<u8>), ProjectError> {
        check_fingerprint(&self.weights)?;
        let mut images = Vec::with_capacity(self.rows.len());
        let mut bytes = Vec::with_capacity(self.rows.len() * FEATURE_LEN * 4);
        for (&(class, n), row) in &self.rows {
            if image_counts.get(class).is_none_or(|&count| n >= count) {
                return Err(bad(format!(
                    "image {n} of class {class} is not in the project"
                )));
            }
            check_row(row)?;
            images.push(image_entry(class, n));
            push_row(&mut bytes, row);
        }
        let entry = FeaturesEntry {
            weights: self.weights.clone(),
            images,
        };
        Ok((entry, bytes))
    }

    /// Reads the rows `entry` lists; `positions` maps each image entry of the manifest to
    /// its (class index, image index).
    pub(super) fn read(
        archive: &mut Archive<impl Read + Seek>,
        entry: &FeaturesEntry,
        positions: &HashMap<&str, (usize, usize)>,
    ) -> Result<Self, ProjectError> {
        check_fingerprint(&entry.weights)?;
        let mut keys = Vec::with_capacity(entry.images.len());
        for name in &entry.images {
            let Some(&key) = positions.get(name.as_str()) else {
                return Err(bad(format!("{name:?} is not an image of the project")));
            };
            keys.push(key);
        }
        // The manifest decides how long the entry must be: a longer one is refused unread.
        let expected = (keys.len() * FEATURE_LEN * 4) as u64;
        let bytes = archive.read(FEATURES_ENTRY, expected)?;
        if bytes.len() as u64 != expected {
            return Err(bad(format!(
                "{FEATURES_ENTRY} has {} bytes; {} rows need {expected}",
                bytes.len(),
                keys.len()
            )));
        }
        let mut rows = BTreeMap::new();
        for (key, row) in keys.into_iter().zip(rows_of(&bytes)) {
            let row = row?;
            if rows.insert(key, row).is_some() {
                return Err(bad("an image is listed twice".into()));
            }
        }
        Ok(Self {
            weights: entry.weights.clone(),
            rows,
        })
    }
}

fn check_fingerprint(weights: &str) -> Result<(), ProjectError> {
    let hex = weights.bytes().all(|b| b.is_ascii_hexdigit());
    if weights.is_empty() || weights.len() > MAX_FINGERPRINT_CHARS || !hex {
        return Err(bad("the weights' fingerprint is not a hash".into()));
    }
    Ok(())
}

/// Appends `row` as little-endian f32: how a project file and the page's records keep rows.
pub fn push_row(bytes: &mut Vec<u8>, row: &[f32]) {
    bytes.extend(row.iter().flat_map(|value| value.to_le_bytes()));
}

/// The rows in `bytes` (as [`push_row`] writes them), each checked: [`FEATURE_LEN`] finite
/// numbers. A trailing partial row is left out.
pub fn rows_of(bytes: &[u8]) -> impl Iterator<Item = Result<Vec<f32>, ProjectError>> + '_ {
    bytes.chunks_exact(FEATURE_LEN * 4).map(|chunk| {
        let row: Vec<f32> = (chunk.chunks_exact(4))
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        check_row(&row).map(|()| row)
    })
}

fn check_row(row: &[f32]) -> Result<(), ProjectError> {
    if row.len() != FEATURE_LEN {
        return Err(bad(format!(
            "a row has {} numbers, not {FEATURE_LEN}",
            row.len()
        )));
    }
    if row.iter().any(|value| !value.is_finite()) {
        return Err(bad("a row holds a number that is not finite".into()));
    }
    Ok(())
}

fn bad(reason: String) -> ProjectError {
    ProjectError::BadFeatures(reason)
}
