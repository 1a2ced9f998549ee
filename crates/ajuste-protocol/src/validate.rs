//! Every command is checked against [`crate::limits`] when it arrives, before the engine
//! acts on it; the page runs the same checks on its inputs before sending.

use crate::errors::Invalid;
use crate::limits::*;
use crate::{ClassId, Command, ImageEncoding, ProjectClass, TrainClass, TrainSettings};

impl TrainSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check_freeze_depth(self.freeze_depth)?;
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return Err(Invalid::Epochs(self.epochs));
        }
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(Invalid::BatchSize(self.batch_size));
        }
        // Written so that NaN fails too.
        if !(self.learning_rate > 0.0 && self.learning_rate <= MAX_LEARNING_RATE) {
            return Err(Invalid::LearningRate);
        }
        if !(self.validation_share >= 0.0 && self.validation_share <= MAX_VALIDATION_SHARE) {
            return Err(Invalid::ValidationShare);
        }
        Ok(())
    }
}

pub fn check_freeze_depth(freeze_depth: usize) -> Result<(), Invalid> {
    if freeze_depth > MAX_FREEZE_DEPTH {
        return Err(Invalid::FreezeDepth(freeze_depth));
    }
    Ok(())
}

/// A class name as it will be used: trimmed, non-empty, not too long.
pub fn class_name(name: &str) -> Result<&str, Invalid> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Invalid::EmptyClassName);
    }
    if name.chars().count() > MAX_CLASS_NAME_CHARS {
        return Err(Invalid::LongClassName(name.to_string()));
    }
    Ok(name)
}

/// The classes of a training run: enough of them, each named once, each listed once.
pub fn check_classes(classes: &[TrainClass]) -> Result<(), Invalid> {
    if classes.len() < MIN_CLASSES {
        return Err(Invalid::TooFewClasses);
    }
    check_class_list(classes.iter().map(|c| (c.id, c.name.as_str())))
}

/// The classes of a project: named, each once (a project may have fewer than two, or
/// disabled ones: it is work in progress).
pub fn check_project_classes(classes: &[ProjectClass]) -> Result<(), Invalid> {
    check_class_list(classes.iter().map(|c| (c.id, c.name.as_str())))
}

/// At most [`MAX_CLASSES`] (id, name) pairs, each name valid, no id or trimmed name twice.
pub fn check_class_list<'a>(
    classes: impl ExactSizeIterator<Item = (ClassId, &'a str)>,
) -> Result<(), Invalid> {
    if classes.len() > MAX_CLASSES {
        return Err(Invalid::TooManyClasses(classes.len()));
    }
    let mut seen: Vec<(ClassId, &str)> = Vec::with_capacity(classes.len());
    for (id, name) in classes {
        let name = class_name(name)?;
        if seen.iter().any(|&(earlier, _)| earlier == id) {
            return Err(Invalid::DuplicateClass);
        }
        if seen.iter().any(|&(_, earlier)| earlier == name) {
            return Err(Invalid::DuplicateClassName(name.to_string()));
        }
        seen.push((id, name));
    }
    Ok(())
}

fn check_image(encoding: ImageEncoding, bytes: Option<usize>) -> Result<(), Invalid> {
    let Some(length) = bytes else {
        return Err(Invalid::MissingImage);
    };
    match encoding {
        ImageEncoding::File | ImageEncoding::Stored if length > MAX_FILE_BYTES => {
            Err(Invalid::FileTooLarge(length))
        }
        ImageEncoding::File | ImageEncoding::Stored => Ok(()),
        ImageEncoding::Rgba { width, height } => {
            let side = 1..=MAX_IMAGE_SIDE;
            if side.contains(&width) && side.contains(&height) {
                Ok(())
            } else {
                Err(Invalid::FrameSize { width, height })
            }
        }
    }
}

fn check_feature_samples(count: usize) -> Result<(), Invalid> {
    if count > MAX_FEATURE_SAMPLES {
        return Err(Invalid::TooManyFeatureSamples(count));
    }
    Ok(())
}

impl Command {
    /// Checks every field; `bytes` is the length of the bytes that came beside the command,
    /// if any. (Whether an image decodes is the engine's business, not this check's.)
    pub fn validate(&self, bytes: Option<usize>) -> Result<(), Invalid> {
        match self {
            Self::AddSample { encoding, .. } | Self::Predict { encoding, .. } => {
                check_image(*encoding, bytes)
            }
            Self::PrepareFeatures { freeze_depth, .. } => check_freeze_depth(*freeze_depth),
            Self::Train { classes, settings } => {
                check_classes(classes)?;
                settings.validate()
            }
            Self::SaveProject { classes, settings } => {
                check_project_classes(classes)?;
                settings.validate()
            }
            Self::OpenProject { .. } | Self::OpenModel => match bytes {
                None => Err(Invalid::MissingFile),
                Some(length) if length > MAX_PROJECT_BYTES => Err(Invalid::FileTooLarge(length)),
                Some(_) => Ok(()),
            },
            Self::Depth0Features { samples } => check_feature_samples(samples.len()),
            Self::RestoreFeatures { samples, weights } => {
                check_feature_samples(samples.len())?;
                if weights.chars().count() > MAX_FINGERPRINT_CHARS {
                    return Err(Invalid::Fingerprint);
                }
                let expected = samples.len() * FEATURE_LEN * 4;
                match bytes {
                    Some(length) if length == expected => Ok(()),
                    got => Err(Invalid::FeatureBytes {
                        expected,
                        got: got.unwrap_or(0),
                    }),
                }
            }
            Self::RemoveSample { .. }
            | Self::RemoveClass { .. }
            | Self::CancelTraining
            | Self::ExportModel => Ok(()),
        }
    }

    /// The request number of a `Predict` command in JSON that did not decode as a whole, so
    /// that even a garbled prediction request gets its answer.
    pub fn predict_request_in(json: &str) -> Option<u64> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        value.get("Predict")?.get("request")?.as_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn train(settings: TrainSettings, names: &[&str]) -> Command {
        Command::Train {
            classes: names
                .iter()
                .enumerate()
                .map(|(i, name)| TrainClass {
                    id: i as u64,
                    name: name.to_string(),
                })
                .collect(),
            settings,
        }
    }

    #[test]
    fn each_training_field_out_of_range_is_refused_by_name() {
        let ok = TrainSettings::default();
        assert_eq!(train(ok.clone(), &["a", "b"]).validate(None), Ok(()));
        let cases: Vec<(TrainSettings, Invalid)> = vec![
            (
                TrainSettings {
                    freeze_depth: 17,
                    ..ok.clone()
                },
                Invalid::FreezeDepth(17),
            ),
            (
                TrainSettings {
                    epochs: 0,
                    ..ok.clone()
                },
                Invalid::Epochs(0),
            ),
            (
                TrainSettings {
                    epochs: MAX_EPOCHS + 1,
                    ..ok.clone()
                },
                Invalid::Epochs(MAX_EPOCHS + 1),
            ),
            (
                TrainSettings {
                    batch_size: 0,
                    ..ok.clone()
                },
                Invalid::BatchSize(0),
            ),
            (
                TrainSettings {
                    batch_size: 5000,
                    ..ok.clone()
                },
                Invalid::BatchSize(5000),
            ),
            (
                TrainSettings {
                    learning_rate: f64::NAN,
                    ..ok.clone()
                },
                Invalid::LearningRate,
            ),
            (
                TrainSettings {
                    learning_rate: f64::INFINITY,
                    ..ok.clone()
                },
                Invalid::LearningRate,
            ),
            (
                TrainSettings {
                    learning_rate: 0.0,
                    ..ok.clone()
                },
                Invalid::LearningRate,
            ),
            (
                TrainSettings {
                    learning_rate: -1e-3,
                    ..ok.clone()
                },
                Invalid::LearningRate,
            ),
            (
                TrainSettings {
                    learning_rate: 2.0,
                    ..ok.clone()
                },
                Invalid::LearningRate,
            ),
            (
                TrainSettings {
                    validation_share: -0.1,
                    ..ok.clone()
                },
                Invalid::ValidationShare,
            ),
            (
                TrainSettings {
                    validation_share: 0.9,
                    ..ok.clone()
                },
                Invalid::ValidationShare,
            ),
            (
                TrainSettings {
                    validation_share: f64::NAN,
                    ..ok.clone()
                },
                Invalid::ValidationShare,
            ),
        ];
        for (settings, expected) in cases {
            assert_eq!(train(settings, &["a", "b"]).validate(None), Err(expected));
        }
    }

    #[test]
    fn bad_class_lists_are_refused() {
        let ok = TrainSettings::default();
        let long = "x".repeat(MAX_CLASS_NAME_CHARS + 1);
        let many: Vec<String> = (0..=MAX_CLASSES).map(|i| format!("c{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let with_long = ["a", long.as_str()];
        let cases: Vec<(&[&str], Invalid)> = vec![
            (&[], Invalid::TooFewClasses),
            (&["only"], Invalid::TooFewClasses),
            (&["a", "  "], Invalid::EmptyClassName),
            (&with_long, Invalid::LongClassName(long.clone())),
            (&["cat", " cat "], Invalid::DuplicateClassName("cat".into())),
            (&many, Invalid::TooManyClasses(MAX_CLASSES + 1)),
        ];
        for (names, expected) in cases {
            assert_eq!(train(ok.clone(), names).validate(None), Err(expected));
        }
        let twice = Command::Train {
            classes: vec![
                TrainClass {
                    id: 1,
                    name: "a".into(),
                },
                TrainClass {
                    id: 1,
                    name: "b".into(),
                },
            ],
            settings: ok,
        };
        assert_eq!(twice.validate(None), Err(Invalid::DuplicateClass));
        // Exactly at the limit is fine.
        let longest = "é".repeat(MAX_CLASS_NAME_CHARS);
        assert_eq!(class_name(&longest), Ok(longest.as_str()));
    }

    #[test]
    fn images_need_bytes_of_a_sane_size() {
        let add = |encoding| Command::AddSample {
            class: 1,
            sample: 2,
            encoding,
        };
        let frame = |width, height| ImageEncoding::Rgba { width, height };
        assert_eq!(add(ImageEncoding::File).validate(Some(10)), Ok(()));
        assert_eq!(
            add(ImageEncoding::File).validate(None),
            Err(Invalid::MissingImage)
        );
        assert_eq!(
            add(ImageEncoding::File).validate(Some(MAX_FILE_BYTES + 1)),
            Err(Invalid::FileTooLarge(MAX_FILE_BYTES + 1))
        );
        assert_eq!(add(frame(640, 480)).validate(Some(0)), Ok(()));
        assert_eq!(
            add(frame(0, 480)).validate(Some(0)),
            Err(Invalid::FrameSize {
                width: 0,
                height: 480
            })
        );
        assert_eq!(
            add(frame(640, MAX_IMAGE_SIDE + 1)).validate(Some(0)),
            Err(Invalid::FrameSize {
                width: 640,
                height: MAX_IMAGE_SIDE + 1
            })
        );
        let predict = Command::Predict {
            request: 4,
            encoding: ImageEncoding::File,
        };
        assert_eq!(predict.validate(None), Err(Invalid::MissingImage));
        let prepare = Command::PrepareFeatures {
            freeze_depth: 40,
            augment: true,
        };
        assert_eq!(prepare.validate(None), Err(Invalid::FreezeDepth(40)));
    }

    #[test]
    fn a_garbled_prediction_request_still_names_its_number() {
        let json = r#"{"Predict":{"request":7,"encoding":"Jpeg2000"}}"#;
        assert!(serde_json::from_str::<Command>(json).is_err());
        assert_eq!(Command::predict_request_in(json), Some(7));
        assert_eq!(Command::predict_request_in(r#"{"Train":{}}"#), None);
        assert_eq!(Command::predict_request_in("not json"), None);
    }
}
