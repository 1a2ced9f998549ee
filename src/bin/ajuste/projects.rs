//! Where `ajuste train` reads its images and writes what it trained, and where
//! `ajuste predict` finds its classifier: folders (one sub-folder of images per class; a
//! classifier directory), or a project file (`.ajuste`), which holds the classes, their
//! images, the settings, the report and the classifier together, as the page saves them.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use ajuste::data::dataset::{Dataset, Sample};
use ajuste::data::folder::{FolderListing, list_classes};
use ajuste::data::image::decode;
use ajuste::model::EfficientNetLite0;
use ajuste::protocol::{TrainSettings, TrainingReport};
use ajuste::rng::Rng;
use ajuste::storage::{
    EXTENSION, Project, ProjectClass, ProjectError, SavedClassifier, StoredImage, read_model_from,
};
use ajuste::train::export::Classifier;
use burn::prelude::Device;

/// Paths ending in `.ajuste` are project files; anything else is a folder.
pub fn is_project(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case(EXTENSION))
}

/// The training data named by `--data`.
pub enum Source {
    Folder(FolderListing),
    Project(Box<Project>),
}

impl Source {
    pub fn read(path: &Path) -> Result<Self, String> {
        if is_project(path) {
            read_project(path).map(|project| Self::Project(Box::new(project)))
        } else {
            list_classes(path).map(Self::Folder)
        }
    }

    /// What training starts from before the command line's options: a project's own
    /// settings, or the recipe the page recommends for classes of `images_per_class` images
    /// at `freeze_depth` (0 unless given).
    pub fn settings(&self, images_per_class: usize, freeze_depth: Option<usize>) -> TrainSettings {
        match self {
            Self::Folder(_) => {
                TrainSettings::recommended(images_per_class, freeze_depth.unwrap_or(0))
            }
            Self::Project(project) => project.settings.clone(),
        }
    }

    /// The images to train on: every class of a folder, the enabled classes of a project;
    /// with `shots`, that many images per class, drawn with `seed`.
    pub fn dataset(&self, shots: Option<usize>, seed: u64) -> Dataset {
        match self {
            Self::Folder(listing) => {
                load_folders(listing.classes.clone(), &listing.files, shots, seed)
            }
            Self::Project(project) => project_dataset(project, shots, seed),
        }
    }
}

/// Read from disk entry by entry, never the whole file in memory.
fn read_project(path: &Path) -> Result<Project, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Project::read_from(BufReader::new(file)).map_err(|e| format!("{}: {e}", path.display()))
}

/// Decodes every image of each class, or — with `shots` — the first `shots` readable ones in
/// a seeded random order, so that an unreadable file does not cost a shot.
fn load_folders(
    classes: Vec<String>,
    files: &[Vec<PathBuf>],
    shots: Option<usize>,
    seed: u64,
) -> Dataset {
    let mut rng = Rng::new(seed);
    let mut dataset = Dataset::new(classes);
    for (label, class_files) in files.iter().enumerate() {
        let mut order = class_files.clone();
        if shots.is_some() {
            rng.shuffle(&mut order);
        }
        let mut taken = 0;
        for path in order {
            if shots.is_some_and(|shots| taken >= shots) {
                break;
            }
            let image = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| decode(&b).map_err(|e| e.to_string()));
            match image {
                Ok(image) => {
                    dataset.add(label, &image).expect("label from the listing");
                    taken += 1;
                }
                Err(message) => eprintln!("ajuste: skipping {}: {message}", path.display()),
            }
        }
    }
    dataset
}

/// The same draw as [`load_folders`] (a shuffle depends only on the count), so a project
/// saved from a folder picks the same shots; its images are already at the engine's size
/// and go in untouched.
fn project_dataset(project: &Project, shots: Option<usize>, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let enabled: Vec<&ProjectClass> = project.enabled_classes().collect();
    let mut dataset = Dataset::new(enabled.iter().map(|class| class.name.clone()).collect());
    for (label, class) in enabled.iter().enumerate() {
        let mut order: Vec<usize> = (0..class.samples.len()).collect();
        if let Some(shots) = shots {
            rng.shuffle(&mut order);
            order.truncate(shots);
        }
        for index in order {
            let sample = Sample {
                id: dataset.samples.len() as u64,
                label,
                image: class.samples[index].decode(),
            };
            dataset
                .insert(sample)
                .expect("fresh id, label from the classes");
        }
    }
    dataset
}

/// What `--out` receives when it is a project file, made before training so that a project
/// that could not be written is refused before the time is spent: the images trained on (from
/// a folder), or every class and image of the source project (disabled ones, and those
/// `--shots` left out), so that writing over the file it came from loses nothing. `None` when
/// `--out` is a classifier directory, or absent.
pub fn output_project(
    out: Option<&Path>,
    source: Source,
    dataset: &Dataset,
    settings: TrainSettings,
) -> Result<Option<Project>, String> {
    let Some(out) = out.filter(|out| is_project(out)) else {
        return Ok(None);
    };
    let mut project = match source {
        Source::Project(project) => *project,
        Source::Folder(_) => Project {
            classes: (dataset.classes.iter().enumerate())
                .map(|(label, name)| {
                    let samples = (dataset.samples.iter())
                        .filter(|sample| sample.label == label)
                        .map(|sample| StoredImage::encode(&sample.image))
                        .collect::<Result<_, _>>()
                        .map_err(|e| format!("{}: {e}", out.display()))?;
                    Ok(ProjectClass {
                        name: name.clone(),
                        enabled: true,
                        samples,
                    })
                })
                .collect::<Result<_, String>>()?,
            ..Project::default()
        },
    };
    project.settings = settings;
    // Replaced by this run's when it ends.
    project.report = None;
    project.classifier = None;
    project
        .check()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(Some(project))
}

/// Writes what training made to `--out`: `project` (from [`output_project`]) with the report
/// and the classifier, or else the classifier alone, as a directory.
pub fn save(
    out: &Path,
    project: Option<Project>,
    report: TrainingReport,
    classifier: &Classifier,
) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", out.display());
    let Some(mut project) = project else {
        return classifier.save(out).map_err(|e| failed(&e));
    };
    project.report = Some(report);
    project.classifier = Some(SavedClassifier::new(classifier).map_err(|e| failed(&e))?);
    write_whole(out, &project).map_err(|e| failed(&e))
}

/// Streamed to disk (never the whole file in memory), beside the target, and renamed over
/// it once complete and synced, so that a failure (a full disk) never leaves half a project
/// where a whole one was.
fn write_whole(path: &Path, project: &Project) -> Result<(), String> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let write = || -> Result<(), String> {
        let file = File::create(&partial).map_err(|e| e.to_string())?;
        let out = (project.write_to(BufWriter::new(file))).map_err(|e| e.to_string())?;
        // The buffer's last bytes are written here, and their error kept.
        let file = out.into_inner().map_err(|e| e.error().to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&partial, path).map_err(|e| e.to_string())
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

/// The classifier of `--model`: a directory written by `train --out DIR`, a model zip (the
/// page's "Download model"), or the trained classifier inside a project file (read without
/// decoding its images).
pub fn load_classifier(
    model: &Path,
    backbone: &EfficientNetLite0,
    device: &Device,
) -> Result<Classifier, String> {
    if model.is_dir() {
        return Classifier::load(model, backbone, device);
    }
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", model.display());
    let file = File::open(model).map_err(|e| failed(&e))?;
    let saved = read_model_from(BufReader::new(file)).map_err(|e| match e {
        ProjectError::NoClassifier => failed(&"the project has no trained classifier (train it with `ajuste train --data PROJECT --out PROJECT`)"),
        other => failed(&other),
    })?;
    saved.load(backbone, device).map_err(|e| failed(&e))
}
