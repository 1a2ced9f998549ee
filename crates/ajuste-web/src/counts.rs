//! A number with its noun, "1 image" / "2 images", "1 imagen" / "2 imágenes": in English and
//! Spanish the singular is for exactly one, so a pair of sentences per noun does (no plural
//! rules data in the page).

use super::i18n::td_string;
use super::language::locale;

pub fn images(n: usize) -> String {
    if n == 1 {
        td_string!(locale(), count.image, n).to_string()
    } else {
        td_string!(locale(), count.images, n).to_string()
    }
}

pub fn classes(n: usize) -> String {
    if n == 1 {
        td_string!(locale(), count.class, n).to_string()
    } else {
        td_string!(locale(), count.classes, n).to_string()
    }
}

pub fn files(n: usize) -> String {
    if n == 1 {
        td_string!(locale(), count.file, n).to_string()
    } else {
        td_string!(locale(), count.files, n).to_string()
    }
}

pub fn images_added(n: usize) -> String {
    if n == 1 {
        td_string!(locale(), count.image_added, n).to_string()
    } else {
        td_string!(locale(), count.images_added, n).to_string()
    }
}

/// "12,345 images": a count that can run high, its digits in groups of three.
pub fn many_images(n: usize) -> String {
    if n == 1 {
        images(n)
    } else {
        td_string!(locale(), count.images, n = grouped(n)).to_string()
    }
}

/// "12,345" / "12 345": digits in groups of three.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(td_string!(locale(), language.thousands));
        }
        out.push(c);
    }
    out
}
