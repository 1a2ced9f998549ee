//! The page in English and Spanish. Every sentence lives in a catalog ([`Texts`], one `static`
//! per language in `en.rs` and `es.rs`): a key missing in either language is a missing field,
//! which does not compile. `tr()` reads the current language as a signal, so a view that calls
//! it inside a closure follows the language switch.

mod en;
mod es;
mod es_errors;

pub use ajuste_protocol::widget::Lang;
use leptos::prelude::*;

mod texts;
pub use texts::Texts;

thread_local! {
    static CURRENT: RwSignal<Lang> = RwSignal::new(Lang::En);
}

/// The current language (tracked inside a reactive closure).
pub fn lang() -> Lang {
    CURRENT.with(|lang| lang.get())
}

/// The catalog of the current language (tracked inside a reactive closure).
pub fn tr() -> &'static Texts {
    texts_of(lang())
}

pub fn texts_of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::Es => &es::TEXTS,
    }
}

/// Switches the page's language, `<html lang>` included.
pub fn set_lang(lang: Lang) {
    CURRENT.with(|current| current.set(lang));
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

/// The language switch (`language`).
#[component]
pub fn LanguageSwitch(#[prop(into)] locked: Signal<bool>) -> impl IntoView {
    view! {
        <label class="language">
            <span>{move || tr().language}</span>
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
                    .map(|lang| view! { <option value=lang.tag() lang=lang.tag()>{texts_of(lang).language_name}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
