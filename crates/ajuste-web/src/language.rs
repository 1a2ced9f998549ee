//! The page's language, English or Spanish: the widget's `#lang=`, else the browser's first
//! preference the page has; the switch; `<html lang>` and the document's title. The sentences
//! are in `locales/en.json` and `locales/es.json`, compiled in by `leptos_i18n` (build.rs, the
//! generated `crate::i18n`) and read with `td_string!(locale(), key)`: `locale()` is a signal,
//! so a view that reads a sentence inside a closure follows the switch. (The crate's own
//! context would also look for a cookie and watch the browser's languages; this page keeps
//! nothing on the device and decides once, so a plain signal does, in fewer bytes.)

use ajuste_protocol::widget::Lang;
use leptos::prelude::*;

use super::i18n::{Locale, td_string};

thread_local! {
    static CURRENT: RwSignal<Locale> = RwSignal::new(Locale::en);
}

/// Starts in `lang`, and keeps the document's title in the current language.
pub fn start(lang: Lang) {
    set_lang(lang);
    Effect::new(move |_| {
        let title = td_string!(locale(), page.title);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(title);
        }
    });
}

/// The current locale (tracked inside a reactive closure): what `td_string!` reads.
pub fn locale() -> Locale {
    CURRENT.with(|current| current.get())
}

/// The current language (tracked inside a reactive closure).
pub fn lang() -> Lang {
    match locale() {
        Locale::en => Lang::En,
        Locale::es => Lang::Es,
    }
}

fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::Es => Locale::es,
    }
}

/// Switches the page's language, `<html lang>` included (at once, not at the next tick).
pub fn set_lang(lang: Lang) {
    CURRENT.with(|current| current.set(locale_of(lang)));
    set_html_lang(lang);
}

fn set_html_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The first of the browser's preferred languages that the page has, else English.
pub fn browser_lang() -> Lang {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Lang::En;
    };
    navigator
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .chain(navigator.language())
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

/// The language switch (`language`): each language named in itself.
#[component]
pub fn LanguageSwitch(#[prop(into)] locked: Signal<bool>) -> impl IntoView {
    view! {
        <label class="language">
            <span>{move || td_string!(locale(), language.label)}</span>
            <select
                data-testid="language"
                disabled=move || locked.get()
                prop:value=move || lang().tag()
                on:change=move |event| {
                    if let Some(lang) = Lang::from_tag(&event_target_value(&event)) {
                        set_lang(lang);
                    }
                }
            >
                {Lang::ALL
                    .map(|lang| view! { <option value=lang.tag() lang=lang.tag()>{td_string!(locale_of(lang), language.name)}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
