//! The page's language, English or Spanish: the widget's `#lang=`, else the browser's first
//! preference the page has; the switch; `<html lang>` and the document's title. The sentences
//! are in `locales/en.json` and `locales/es.json`, compiled in by `leptos_i18n` (build.rs, the
//! generated `crate::i18n`). `i18n()` is the context `t_string!` reads, so a view that uses it
//! inside a closure follows the switch. Nothing is kept on the device: each visit starts from the
//! hash or the browser's preferences.

use std::cell::OnceCell;

use ajuste_protocol::widget::Lang;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_i18n::context::init_i18n_subcontext;

use super::i18n::{Locale, t_string, td_string};

thread_local! {
    static CONTEXT: OnceCell<I18nContext<Locale>> = const { OnceCell::new() };
}

/// Makes the context, in `lang` (once, at start-up, under the app's owner), and keeps the
/// document's title in the current language.
pub fn start(lang: Lang) {
    // A given initial locale wins over the browser's preferences (and no cookie is named).
    let context = init_i18n_subcontext(Some(Signal::stored(locale(lang))));
    CONTEXT.with(|cell| cell.set(context)).ok();
    set_html_lang(lang);
    Effect::new(move |_| {
        let title = t_string!(i18n(), page.title);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(title);
        }
    });
}

/// The context the page's sentences are read through.
pub fn i18n() -> I18nContext<Locale> {
    CONTEXT.with(|cell| *cell.get().expect("language::start runs before any view"))
}

/// The current language (tracked inside a reactive closure).
pub fn lang() -> Lang {
    match i18n().get_locale() {
        Locale::en => Lang::En,
        Locale::es => Lang::Es,
    }
}

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::Es => Locale::es,
    }
}

/// Switches the page's language, `<html lang>` included (at once, not at the next tick).
pub fn set_lang(lang: Lang) {
    i18n().set_locale(locale(lang));
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
            <span>{move || t_string!(i18n(), language.label)}</span>
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
                    .map(|lang| view! { <option value=lang.tag() lang=lang.tag()>{td_string!(locale(lang), language.name)}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
