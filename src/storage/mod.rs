//! Project files (`.ajuste`): everything a person builds in Ajuste — the classes in order,
//! their images, the training settings, the last training report and the trained classifier —
//! in one zip archive that the page and the CLI both read and write.
//!
//! ```text
//! manifest.json                       format, schema version, classes (name, enabled, image
//!                                     entries), settings, report, whether a classifier is in
//! images/<class index>/<n>.png        each image as the engine keeps it (RGB, short side 256),
//!                                     lossless, so features after a reload are bit-identical
//! classifier/classifier.safetensors   the trained part, as `Classifier::to_bytes` writes it
//! classifier/classifier.json          its manifest (classes, freeze depth, preprocessing)
//! features/depth0.f32                 transfer-learning features of some images (optional,
//!                                     see `features.rs`), for the weights the manifest names
//! ```
//!
//! A project file comes from anywhere, so reading trusts nothing in it: every entry is read
//! through a reader that stops at its limit (declared sizes are never believed), every name
//! and number is checked before use, image sizes are checked on their headers before any
//! pixel is decoded, and every problem is a [`ProjectError`] rather than a panic. Writing
//! applies the same checks, so that every file written opens again.
//!
//! Neither end needs the file whole in memory: [`Project::read_from`] reads any seekable
//! reader one entry at a time, and [`Project::write_to`] streams entry after entry into any
//! writer (data descriptors after each entry's data; zip64 records where the counts or offsets
//! call for them, see `archive.rs`); `from_bytes` and `to_bytes` are the same on bytes in
//! memory, which is how the page holds files. The limits (`limits.rs`) let a project of 10,000
//! photos and more through, up to a file of 3 GiB.

mod archive;
mod error;
mod features;
mod images;
pub mod limits;
mod manifest;
mod model_file;
mod project;

pub use error::ProjectError;
pub use features::{FEATURE_LEN, StoredFeatures, push_row, rows_of};
pub use images::StoredImage;
pub use manifest::{FORMAT, SCHEMA_VERSION};
pub use model_file::{read_model, read_model_from, write_model};
pub use project::{Project, ProjectClass, SavedClassifier};

/// The file name extension of project files (without the dot).
pub const EXTENSION: &str = "ajuste";
