//! The page as an embeddable widget: its configuration from the URL hash (and later from the
//! `configure` command, `widget_api.rs`), the compact layout for an iframe, and which controls
//! are locked (shown, not changeable) or hidden (absent). The parsing itself is plain data in
//! `ajuste_protocol::widget`, tested natively.

use ajuste_protocol::widget::{Control, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::language;
use super::state::AppState;

#[derive(Clone, Copy)]
pub struct Widget {
    /// The compact layout: `#embed`, or the page runs inside a frame.
    pub embed: bool,
    /// Another window contains this one (events go to it, commands come from it).
    pub framed: bool,
    locked: RwSignal<Vec<Control>>,
    hidden: RwSignal<Vec<Control>>,
    /// The only origin whose commands count (`#origin=`), if pinned.
    pub origin: StoredValue<Option<String>>,
    /// The class names configured last, which `reset` brings back.
    preset: StoredValue<Option<Vec<String>>>,
}

impl Widget {
    /// Reads the URL hash; the language defaults to the browser's.
    pub fn from_location() -> Self {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let (config, warnings) = WidgetConfig::parse(&hash);
        warn_all(&warnings);
        let framed = in_frame();
        let widget = Self {
            embed: config.embed || framed,
            framed,
            locked: RwSignal::new(Vec::new()),
            hidden: RwSignal::new(Vec::new()),
            origin: StoredValue::new(config.origin),
            preset: StoredValue::new(None),
        };
        language::start(config.lang.unwrap_or_else(language::browser_lang));
        widget
    }

    /// Whether `control` is locked (tracked).
    pub fn locked(&self, control: Control) -> bool {
        self.locked.with(|list| list.contains(&control))
    }

    /// Whether `control` is shown (tracked).
    pub fn shows(&self, control: Control) -> bool {
        !self.hidden.with(|list| list.contains(&control))
    }

    /// Applies the URL's configuration to the page's state (once, at start-up).
    pub fn apply_location(&self, state: AppState) {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let (config, _) = WidgetConfig::parse(&hash);
        self.apply(state, &config, &hash);
    }

    /// A `configure` command: the same keys as the hash, except the URL's own.
    pub fn configure(&self, state: AppState, hash: &str) {
        let (config, mut warnings) = WidgetConfig::parse(hash);
        if config.origin.is_some() || mentions(hash, "embed") {
            warnings.push(
                "`origin` and `embed` are set by the URL only: ignored in `configure`".into(),
            );
        }
        warn_all(&warnings);
        if let Some(lang) = config.lang {
            language::set_lang(lang);
        }
        self.apply(state, &config, hash);
    }

    fn apply(&self, state: AppState, config: &WidgetConfig, hash: &str) {
        if let Some(names) = &config.classes {
            state.set_class_names(names);
            self.preset.set_value(Some(names.clone()));
        }
        state.settings.update(|settings| {
            if let Some(depth) = config.freeze_depth {
                settings.freeze_depth = depth;
            }
            if let Some(epochs) = config.epochs {
                settings.epochs = epochs;
            }
            if let Some(seed) = config.seed {
                settings.seed = seed;
            }
        });
        // An absent key keeps the current lists; `lock=` (empty) clears them.
        if mentions(hash, "lock") {
            self.locked.set(config.locked.clone());
        }
        if mentions(hash, "hide") {
            self.hidden.set(config.hidden.clone());
        }
    }

    /// Back to the configured start: the configured classes, empty; no classifier, no runs.
    pub fn reset(&self, state: AppState) {
        state.reset(self.preset.get_value());
    }
}

fn mentions(hash: &str, key: &str) -> bool {
    hash.trim_start_matches('#')
        .split('&')
        .any(|pair| pair.split('=').next() == Some(key))
}

fn warn_all(warnings: &[String]) {
    for warning in warnings {
        web_sys::console::warn_1(&JsValue::from_str(&format!("Ajuste widget: {warning}")));
    }
}

/// Whether another window contains this one.
fn in_frame() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => !js_sys::Object::is(&parent, &window),
        _ => false,
    }
}
