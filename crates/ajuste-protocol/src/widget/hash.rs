//! The widget's configuration, written in the URL hash (TensorFlow Playground style), e.g.
//! `#embed&lang=es&classes=gato,perro&mode=finetune&depth=2&epochs=20&seed=7&lock=depth,epochs&hide=advanced,webcam`.
//! The same keys travel in the `configure` command ([`super::WidgetCommand::Configure`]).
//! Parsing never fails: a key that is unknown or whose value is invalid is skipped, with a
//! warning (in English, for the developer console) saying which and why.

use crate::limits::{MAX_CLASSES, MAX_EPOCHS, MAX_FREEZE_DEPTH, MIN_CLASSES};
use crate::validate::check_class_list;

/// Blocks unfrozen by `mode=finetune` without a `depth`.
pub const DEFAULT_FINE_TUNE_BLOCKS: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// From a BCP 47 tag (`es`, `es-MX`, `en-GB`); `None` for languages the page lacks.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "es" => Some(Self::Es),
            _ => None,
        }
    }

    /// The `lang` attribute of `<html>`, and the hash's value.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }
}

/// A part of the page that `lock` (visible, not changeable) or `hide` (absent) can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Class names, adding and deleting classes.
    Classes,
    /// Transfer learning or fine-tuning.
    Mode,
    /// The freeze-depth slider.
    Depth,
    Epochs,
    /// Batch size, learning rate, validation share, augmentation.
    Advanced,
    Webcam,
    Upload,
    /// Save/open project, download/open model.
    Project,
    Preview,
    Diagram,
    Language,
    /// The table of training runs.
    History,
}

impl Control {
    pub const ALL: [Control; 12] = [
        Control::Classes,
        Control::Mode,
        Control::Depth,
        Control::Epochs,
        Control::Advanced,
        Control::Webcam,
        Control::Upload,
        Control::Project,
        Control::Preview,
        Control::Diagram,
        Control::Language,
        Control::History,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Classes => "classes",
            Self::Mode => "mode",
            Self::Depth => "depth",
            Self::Epochs => "epochs",
            Self::Advanced => "advanced",
            Self::Webcam => "webcam",
            Self::Upload => "upload",
            Self::Project => "project",
            Self::Preview => "preview",
            Self::Diagram => "diagram",
            Self::Language => "language",
            Self::History => "history",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a hash sets; `None` (or empty lists) leaves the page's own choice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetConfig {
    /// `embed` (no value, or `1`/`true`): the compact layout for an iframe.
    pub embed: bool,
    pub lang: Option<Lang>,
    pub classes: Option<Vec<String>>,
    /// From `mode` and `depth`: 0 = transfer learning.
    pub freeze_depth: Option<usize>,
    pub epochs: Option<usize>,
    pub seed: Option<u64>,
    pub locked: Vec<Control>,
    pub hidden: Vec<Control>,
    /// `origin`: the only parent origin whose commands are taken (e.g.
    /// `https://course.example.org`). Only the URL can set it, never a command.
    pub origin: Option<String>,
}

impl WidgetConfig {
    pub fn is_locked(&self, control: Control) -> bool {
        self.locked.contains(&control)
    }

    pub fn is_hidden(&self, control: Control) -> bool {
        self.hidden.contains(&control)
    }

    /// Parses a hash (with or without its leading `#`); the warnings name each key skipped.
    pub fn parse(hash: &str) -> (Self, Vec<String>) {
        let mut config = Self::default();
        let mut warnings = Vec::new();
        let mut mode: Option<&str> = None;
        let mut depth: Option<usize> = None;
        for pair in hash.trim_start_matches('#').split('&') {
            if pair.is_empty() {
                continue;
            }
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(value) = percent_decode(raw) else {
                warnings.push(format!(
                    "`{key}` ignored: its value is not valid percent-encoded UTF-8"
                ));
                continue;
            };
            let value = value.trim();
            let mut warn = |why: String| warnings.push(format!("`{key}={value}` ignored: {why}"));
            match key {
                "embed" => match value {
                    "" | "1" | "true" => config.embed = true,
                    "0" | "false" => config.embed = false,
                    _ => warn("use `embed`, `embed=1` or `embed=0`".into()),
                },
                "lang" => match Lang::from_tag(value) {
                    Some(lang) => config.lang = Some(lang),
                    None => warn("the languages are `en` and `es`".into()),
                },
                "classes" => match class_names(value) {
                    Ok(names) => config.classes = Some(names),
                    Err(why) => warn(why),
                },
                "mode" => match value {
                    "transfer" | "finetune" => {
                        mode = Some(if value == "transfer" {
                            "transfer"
                        } else {
                            "finetune"
                        })
                    }
                    _ => warn("the modes are `transfer` and `finetune`".into()),
                },
                "depth" => match value.parse::<usize>() {
                    Ok(d) if d <= MAX_FREEZE_DEPTH => depth = Some(d),
                    _ => warn(format!(
                        "the depth is a whole number from 0 to {MAX_FREEZE_DEPTH}"
                    )),
                },
                "epochs" => match value.parse::<usize>() {
                    Ok(e) if (1..=MAX_EPOCHS).contains(&e) => config.epochs = Some(e),
                    _ => warn(format!(
                        "the epochs are a whole number from 1 to {MAX_EPOCHS}"
                    )),
                },
                "seed" => match value.parse::<u64>() {
                    Ok(seed) => config.seed = Some(seed),
                    Err(_) => warn("the seed is a whole number from 0 to 2^64 - 1".into()),
                },
                "lock" | "hide" => {
                    let list = if key == "lock" {
                        &mut config.locked
                    } else {
                        &mut config.hidden
                    };
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        match Control::from_name(name) {
                            Some(control) if !list.contains(&control) => list.push(control),
                            Some(_) => {}
                            None => warnings.push(format!(
                                "`{key}`: unknown control `{name}` ignored (known: {})",
                                Control::ALL.map(Control::name).join(", ")
                            )),
                        }
                    }
                }
                "origin" => match origin(value) {
                    Some(origin) => config.origin = Some(origin),
                    None => warn(
                        "an origin is `scheme://host[:port]`, e.g. `https://example.org`".into(),
                    ),
                },
                _ => warnings.push(format!("unknown key `{key}` ignored")),
            }
        }
        config.freeze_depth = match (mode, depth) {
            (Some("transfer"), Some(d)) if d > 0 => {
                warnings.push(format!(
                    "`depth={d}` ignored: `mode=transfer` trains no pretrained block"
                ));
                Some(0)
            }
            (Some("transfer"), _) => Some(0),
            (Some(_), Some(0)) => {
                warnings.push(format!(
                    "`depth=0` ignored: `mode=finetune` unfreezes at least one block; using {DEFAULT_FINE_TUNE_BLOCKS}"
                ));
                Some(DEFAULT_FINE_TUNE_BLOCKS)
            }
            (Some(_), d) => Some(d.unwrap_or(DEFAULT_FINE_TUNE_BLOCKS)),
            (None, d) => d,
        };
        (config, warnings)
    }
}

/// Comma-separated class names, checked as the page checks its own.
fn class_names(value: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = value.split(',').map(|n| n.trim().to_string()).collect();
    if !(MIN_CLASSES..=MAX_CLASSES).contains(&names.len()) {
        return Err(format!(
            "give {MIN_CLASSES} to {MAX_CLASSES} class names, separated by commas"
        ));
    }
    check_class_list(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64, n.as_str())),
    )
    .map_err(|invalid| invalid.to_string())?;
    Ok(names)
}

/// `scheme://host[:port]` with nothing after it, as `MessageEvent.origin` spells it.
fn origin(value: &str) -> Option<String> {
    let (scheme, rest) = value.split_once("://")?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let host_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    (scheme_ok && host_ok).then(|| {
        format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            rest.to_ascii_lowercase()
        )
    })
}

/// `%XX` escapes (and `+` as a space, as in form encoding); `None` for a broken escape or
/// bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'%' => {
                let high = (input.next()? as char).to_digit(16)?;
                let low = (input.next()? as char).to_digit(16)?;
                bytes.push((high * 16 + low) as u8);
            }
            b'+' => bytes.push(b' '),
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses_whole() {
        let (config, warnings) = WidgetConfig::parse(
            "#embed&lang=es&classes=gato,perro&mode=finetune&depth=2&epochs=20&seed=7&lock=depth,epochs&hide=advanced,webcam",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            config,
            WidgetConfig {
                embed: true,
                lang: Some(Lang::Es),
                classes: Some(vec!["gato".into(), "perro".into()]),
                freeze_depth: Some(2),
                epochs: Some(20),
                seed: Some(7),
                locked: vec![Control::Depth, Control::Epochs],
                hidden: vec![Control::Advanced, Control::Webcam],
                origin: None,
            }
        );
    }

    #[test]
    fn an_empty_hash_sets_nothing() {
        for hash in ["", "#", "#&&"] {
            assert_eq!(WidgetConfig::parse(hash), (WidgetConfig::default(), vec![]));
        }
    }

    #[test]
    fn unknown_and_invalid_keys_are_skipped_with_a_warning_each() {
        let (config, warnings) = WidgetConfig::parse(
            "lang=fr&epochs=0&depth=17&colour=red&classes=solo&seed=-1&lock=depth,wings&origin=nope&epochs=5",
        );
        assert_eq!(config.lang, None);
        assert_eq!(config.epochs, Some(5), "a later valid value still counts");
        assert_eq!(config.freeze_depth, None);
        assert_eq!(config.classes, None);
        assert_eq!(config.seed, None);
        assert_eq!(config.locked, vec![Control::Depth]);
        assert_eq!(config.origin, None);
        assert_eq!(warnings.len(), 8, "{warnings:#?}");
        for key in [
            "lang", "epochs=0", "depth", "colour", "classes", "seed", "wings", "origin",
        ] {
            assert!(
                warnings.iter().any(|w| w.contains(key)),
                "no warning names {key}: {warnings:#?}"
            );
        }
    }

    #[test]
    fn mode_and_depth_agree_or_mode_wins() {
        let depth = |hash| WidgetConfig::parse(hash).0.freeze_depth;
        assert_eq!(depth("mode=transfer"), Some(0));
        assert_eq!(depth("mode=finetune"), Some(DEFAULT_FINE_TUNE_BLOCKS));
        assert_eq!(depth("mode=finetune&depth=5"), Some(5));
        assert_eq!(depth("depth=3"), Some(3));
        assert_eq!(depth("depth=0"), Some(0));
        assert_eq!(depth("mode=transfer&depth=4"), Some(0));
        assert_eq!(depth("depth=16&mode=finetune"), Some(16));
        assert_eq!(WidgetConfig::parse("mode=transfer&depth=4").1.len(), 1);
        assert_eq!(WidgetConfig::parse("mode=finetune&depth=0").1.len(), 1);
    }

    #[test]
    fn class_names_are_percent_decoded_and_checked() {
        let (config, warnings) = WidgetConfig::parse("classes=caf%C3%A9,t%C3%A9+verde");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.classes, Some(vec!["café".into(), "té verde".into()]));
        for bad in [
            "classes=a,a",
            "classes=a,,b",
            "classes=%ZZ,b",
            "classes=%FF,b",
        ] {
            let (config, warnings) = WidgetConfig::parse(bad);
            assert_eq!(config.classes, None, "{bad}");
            assert_eq!(warnings.len(), 1, "{bad}: {warnings:?}");
        }
        let too_long = format!("classes=a,{}", "x".repeat(61));
        assert_eq!(WidgetConfig::parse(&too_long).0.classes, None);
    }

    #[test]
    fn languages_come_from_tags() {
        assert_eq!(Lang::from_tag("es-MX"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(WidgetConfig::parse("lang=es").0.lang, Some(Lang::Es));
    }

    #[test]
    fn an_origin_is_pinned_exactly() {
        let (config, _) = WidgetConfig::parse("origin=https%3A%2F%2FCourse.example.org%3A8443");
        assert_eq!(
            config.origin.as_deref(),
            Some("https://course.example.org:8443")
        );
        for bad in [
            "origin=https://a.org/path",
            "origin=a.org",
            "origin=*",
            "origin=https://",
        ] {
            assert_eq!(WidgetConfig::parse(bad).0.origin, None, "{bad}");
        }
    }
}
