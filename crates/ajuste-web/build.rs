//! Compiles the page's sentences (`locales/en.json`, `locales/es.json`) into the `i18n` module
//! that `main.rs` includes (leptos_i18n's code generation). English is the default: a key
//! missing in Spanish falls back to it here with a warning, and fails the workspace's
//! `tests/locales.rs`.

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // `interpolate_display`: sentences with values can be made as strings (`t_string!`), for
    // attributes and for messages written when something happens.
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("en")?.add_locale("es")?.parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
