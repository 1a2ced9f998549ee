//! The page's sentences (`crates/ajuste-web/locales/*.json`, compiled into the page by
//! leptos_i18n): every key is in both English and Spanish, no sentence is empty, and a
//! sentence names the same values (`{{ name }}`) in both. The page itself builds for wasm32
//! only, so its locale files are checked here, where `cargo test` runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

const LANGUAGES: [&str; 2] = ["en", "es"];

/// Every sentence by its dotted key (`classes.title`), or what is wrong with the file's shape.
fn sentences(value: &Value) -> Result<BTreeMap<String, String>, Vec<String>> {
    fn walk(
        prefix: &str,
        value: &Value,
        out: &mut BTreeMap<String, String>,
        errors: &mut Vec<String>,
    ) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, value, out, errors);
                }
            }
            Value::String(text) => {
                out.insert(prefix.to_string(), text.clone());
            }
            other => errors.push(format!("{prefix}: not a sentence: {other}")),
        }
    }
    let (mut out, mut errors) = (BTreeMap::new(), Vec::new());
    walk("", value, &mut out, &mut errors);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The values a sentence interpolates: `{{ n }}` → `n`.
fn variables(text: &str) -> BTreeSet<String> {
    text.split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_string())
        .collect()
}

/// What differs between two languages' files, one line per problem.
fn problems(languages: &[(&str, Value)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for (language, value) in languages {
        match sentences(value) {
            Ok(map) => parsed.push((*language, map)),
            Err(errors) => problems.extend(errors.into_iter().map(|e| format!("{language}: {e}"))),
        }
    }
    let all_keys: BTreeSet<&String> = parsed.iter().flat_map(|(_, map)| map.keys()).collect();
    for key in all_keys {
        let found: Vec<(&str, &String)> = parsed
            .iter()
            .filter_map(|(language, map)| map.get(key).map(|text| (*language, text)))
            .collect();
        for (language, _) in parsed.iter().filter(|(_, map)| !map.contains_key(key)) {
            problems.push(format!("{language}: missing key {key}"));
        }
        for (language, text) in &found {
            // Not `trim()`: Spanish groups digits with a non-breaking space, a whole sentence.
            if text.is_empty() {
                problems.push(format!("{language}: {key} is empty"));
            }
        }
        if let Some(((first, text), rest)) = found.split_first() {
            let expected = variables(text);
            for (language, text) in rest {
                let got = variables(text);
                if got != expected {
                    problems.push(format!(
                        "{key}: {first} has values {expected:?}, {language} has {got:?}"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn english_and_spanish_have_the_same_sentences() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/ajuste-web/locales");
    let languages: Vec<(&str, Value)> = LANGUAGES
        .iter()
        .map(|language| {
            let path = folder.join(format!("{language}.json"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (*language, value)
        })
        .collect();
    let problems = problems(&languages);
    assert!(
        problems.is_empty(),
        "locale files differ:\n{}",
        problems.join("\n")
    );
    let english = sentences(&languages[0].1).unwrap();
    assert!(english.len() > 200, "only {} sentences", english.len());
}

#[test]
fn a_missing_key_an_empty_sentence_and_a_renamed_value_are_found() {
    let en = serde_json::json!({
        "page": { "title": "Title", "count": "{{ n }} images", "gone": "Here" },
        "hint": "Hint"
    });
    let es = serde_json::json!({
        "page": { "title": "", "count": "{{ m }} imágenes" },
        "hint": { "nested": "no" }
    });
    let found = problems(&[("en", en), ("es", es)]);
    assert_eq!(
        found,
        [
            "es: missing key hint",
            "en: missing key hint.nested",
            "page.count: en has values {\"n\"}, es has {\"m\"}",
            "es: missing key page.gone",
            "es: page.title is empty",
        ]
    );
}

#[test]
fn a_value_that_is_not_a_sentence_is_found() {
    let found = problems(&[("en", serde_json::json!({ "page": { "images": 3 } }))]);
    assert_eq!(found, ["en: page.images: not a sentence: 3"]);
}
