//! The widget's `postMessage` API, version [`API_VERSION`]. Events go to the embedding page as
//! `{ source: "ajuste", version: 1, type, ... }`; commands come from it as
//! `{ target: "ajuste", version: 1, type, ... }`. Events carry names, counts and numbers only:
//! no image ever leaves the widget through them. (README, "The widget", lists both.)

use serde::Serialize;
use serde_json::Value;

pub const API_VERSION: u64 = 1;
const SOURCE: &str = "ajuste";

/// A class and how many images it has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassCount {
    pub name: String,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Confidence {
    pub label: String,
    pub confidence: f32,
}

/// What the widget tells the page that embeds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    rename_all_fields = "camelCase"
)]
pub enum WidgetEvent {
    /// The network is loaded: the widget takes commands and trains.
    Ready { lang: String, classes: Vec<String> },
    /// After any image is added or removed, or a class renamed.
    Samples { classes: Vec<ClassCount> },
    /// At the end of each epoch.
    Progress {
        epoch: usize,
        epochs: usize,
        loss: f32,
        accuracy: f32,
        validation_loss: Option<f32>,
        validation_accuracy: Option<f32>,
    },
    /// A training run ended with a classifier.
    Trained {
        mode: String,
        depth: usize,
        epochs: usize,
        seconds: f64,
        cancelled: bool,
        train_accuracy: Option<f32>,
        validation_accuracy: Option<f32>,
        /// `"validation"`, or `"training"` when there were too few images to hold some out.
        evaluated_on: String,
        per_class_accuracy: Vec<ClassAccuracy>,
    },
    /// The classifier's answer for an image in the preview (the image itself stays).
    Prediction {
        label: String,
        confidences: Vec<Confidence>,
    },
    /// The widget's content height in CSS pixels, for the page to size its iframe.
    Resize { height: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassAccuracy {
    pub name: String,
    pub accuracy: Option<f32>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    source: &'static str,
    version: u64,
    #[serde(flatten)]
    event: &'a WidgetEvent,
}

impl WidgetEvent {
    /// The message as JSON (non-finite numbers become `null`).
    pub fn to_json(&self) -> String {
        let envelope = Envelope {
            source: SOURCE,
            version: API_VERSION,
            event: self,
        };
        serde_json::to_string(&envelope).expect("widget events are plain data")
    }
}

/// What the embedding page asks of the widget.
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetCommand {
    /// The same keys as the URL hash, e.g. `"depth=0&epochs=10"` (`origin` and `embed` are
    /// the URL's alone).
    Configure { hash: String },
    /// Trains with the current images and settings (as the Train button).
    Train,
    /// Back to the configured start: no images, no classifier, no runs.
    Reset,
}

/// Why a message is not a command the widget takes.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    /// Not addressed to the widget (other scripts post messages too): ignored silently.
    #[error("not a message for the widget")]
    NotForUs,
    #[error("version {0} is not supported (this widget speaks version {API_VERSION})")]
    Version(String),
    #[error("unknown command type {0}")]
    UnknownType(String),
    #[error("`configure` needs a `hash` string, e.g. \"depth=0&epochs=10\"")]
    MissingHash,
}

impl WidgetCommand {
    /// Reads a message's data, given as JSON.
    pub fn parse(json: &str) -> Result<Self, Problem> {
        let value: Value = serde_json::from_str(json).map_err(|_| Problem::NotForUs)?;
        let Some(object) = value.as_object() else {
            return Err(Problem::NotForUs);
        };
        if object.get("target").and_then(Value::as_str) != Some(SOURCE) {
            return Err(Problem::NotForUs);
        }
        match object.get("version") {
            Some(version) if version.as_u64() == Some(API_VERSION) => {}
            other => {
                let shown = other.map_or("(none)".to_string(), Value::to_string);
                return Err(Problem::Version(shown));
            }
        }
        let kind = object.get("type").map_or("(none)".to_string(), |t| {
            t.as_str().map_or_else(|| t.to_string(), str::to_string)
        });
        match kind.as_str() {
            "configure" => match object.get("hash").and_then(Value::as_str) {
                Some(hash) => Ok(Self::Configure {
                    hash: hash.to_string(),
                }),
                None => Err(Problem::MissingHash),
            },
            "train" => Ok(Self::Train),
            "reset" => Ok(Self::Reset),
            _ => Err(Problem::UnknownType(kind)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(
            WidgetCommand::parse(
                r#"{"target":"ajuste","version":1,"type":"configure","hash":"depth=0&epochs=10"}"#
            ),
            Ok(WidgetCommand::Configure {
                hash: "depth=0&epochs=10".into()
            })
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","version":1,"type":"train"}"#),
            Ok(WidgetCommand::Train)
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"type":"reset","version":1,"target":"ajuste","extra":true}"#),
            Ok(WidgetCommand::Reset)
        );
    }

    #[test]
    fn other_messages_are_not_for_us() {
        for json in [
            "not json",
            "42",
            r#""train""#,
            r#"{"type":"train","version":1}"#,
            r#"{"target":"other","version":1,"type":"train"}"#,
            r#"{"source":"ajuste","version":1,"type":"ready"}"#,
        ] {
            assert_eq!(WidgetCommand::parse(json), Err(Problem::NotForUs), "{json}");
        }
    }

    #[test]
    fn bad_commands_say_why() {
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","version":2,"type":"train"}"#),
            Err(Problem::Version("2".into()))
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","type":"train"}"#),
            Err(Problem::Version("(none)".into()))
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","version":"1","type":"train"}"#),
            Err(Problem::Version("\"1\"".into()))
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","version":1,"type":"explode"}"#),
            Err(Problem::UnknownType("explode".into()))
        );
        assert_eq!(
            WidgetCommand::parse(r#"{"target":"ajuste","version":1,"type":"configure","hash":3}"#),
            Err(Problem::MissingHash)
        );
    }

    #[test]
    fn events_carry_the_envelope_and_camel_case_fields() {
        let json = WidgetEvent::Progress {
            epoch: 3,
            epochs: 10,
            loss: 0.5,
            accuracy: 0.75,
            validation_loss: None,
            validation_accuracy: Some(f32::NAN),
        }
        .to_json();
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "source": "ajuste", "version": 1, "type": "progress", "epoch": 3, "epochs": 10,
                "loss": 0.5, "accuracy": 0.75, "validationLoss": null, "validationAccuracy": null
            })
        );
    }

    #[test]
    fn a_prediction_says_labels_and_numbers_only() {
        let json = WidgetEvent::Prediction {
            label: "gato".into(),
            confidences: vec![Confidence {
                label: "gato".into(),
                confidence: 0.75,
            }],
        }
        .to_json();
        let value: Value = serde_json::from_str(&json).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["confidences", "label", "source", "type", "version"]);
        assert_eq!(value["confidences"][0]["confidence"], 0.75);
    }
}
