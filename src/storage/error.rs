//! Everything that can be wrong with a project file, one variant per kind of problem, so that
//! the page can say which in the user's language; `Display` is the English sentence.

use ajuste_protocol::Invalid;

use super::limits::*;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    #[error("not an Ajuste project: the file is not a zip archive")]
    NotZip,
    #[error("the project file is damaged or incomplete: {0}")]
    Corrupt(String),
    #[error("the project file uses a zip feature this app does not read: {0}")]
    Unsupported(String),
    #[error("the project file is {0} bytes; the limit is {MAX_FILE_BYTES}")]
    FileTooLarge(u64),
    #[error("the project file has {0} entries; the limit is {MAX_ENTRIES}")]
    TooManyEntries(u64),
    #[error("\"{name}\" unpacks to more than {limit} bytes")]
    EntryTooLarge { name: String, limit: u64 },
    #[error("the project unpacks to more than {MAX_TOTAL_BYTES} bytes")]
    TotalTooLarge,
    #[error("the project's images need more than {MAX_PIXEL_BYTES} bytes decoded")]
    TooManyPixels,
    #[error("unsafe entry name {0:?} (absolute, with \"..\", a backslash or a drive letter)")]
    UnsafeName(String),
    #[error("two entries of the project file have the same name")]
    DuplicateEntries,
    #[error("no manifest.json: not an Ajuste project")]
    MissingManifest,
    #[error("manifest.json is not valid: {0}")]
    BadManifest(String),
    #[error("not an Ajuste project (its manifest says format {0:?})")]
    UnknownFormat(String),
    #[error(
        "this project was saved by a newer version of Ajuste (project format version \
         {found}); this version reads project format versions up to {supported}: update \
         Ajuste to open it"
    )]
    NewerSchema { found: u64, supported: u32 },
    #[error("the manifest names {0:?}, which the project file lacks")]
    MissingEntry(String),
    #[error("the manifest lists image {0:?} twice")]
    ImageListedTwice(String),
    #[error("image {name:?} cannot be read: {reason}")]
    BadImage { name: String, reason: String },
    #[error(
        "image {name:?} is {width}×{height}; stored images have a short side of \
         {IMAGE_SHORT_SIDE} and a long side of at most {MAX_IMAGE_LONG_SIDE}"
    )]
    ImageSize {
        name: String,
        width: u32,
        height: u32,
    },
    /// Too many classes, or a class name that is empty, too long or used twice.
    #[error("the project's classes: {0}")]
    Classes(Invalid),
    #[error("the training settings are out of range: {0}")]
    BadSettings(Invalid),
    #[error("the training report does not fit the project: {0}")]
    BadReport(String),
    #[error("the trained classifier is not valid: {0}")]
    BadClassifier(String),
    #[error("the trained classifier knows class \"{0}\", which the project does not have")]
    ClassifierClass(String),
    #[error("the stored features do not fit the project: {0}")]
    BadFeatures(String),
    #[error("the project could not be written: {0}")]
    Write(String),
    #[error("there is no trained classifier in it")]
    NoClassifier,
}
