//! A number with its noun, "1 image" / "2 images", "1 imagen" / "2 imágenes": in English and
//! Spanish the singular is for exactly one, so a pair of sentences per noun does (no plural
//! rules data in the page).

use super::i18n::t_string;
use super::language::i18n;

pub fn images(n: usize) -> String {
    if n == 1 {
        t_string!(i18n(), count.image, n).to_string()
    } else {
        t_string!(i18n(), count.images, n).to_string()
    }
}

pub fn classes(n: usize) -> String {
    if n == 1 {
        t_string!(i18n(), count.class, n).to_string()
    } else {
        t_string!(i18n(), count.classes, n).to_string()
    }
}

pub fn files(n: usize) -> String {
    if n == 1 {
        t_string!(i18n(), count.file, n).to_string()
    } else {
        t_string!(i18n(), count.files, n).to_string()
    }
}

pub fn images_added(n: usize) -> String {
    if n == 1 {
        t_string!(i18n(), count.image_added, n).to_string()
    } else {
        t_string!(i18n(), count.images_added, n).to_string()
    }
}
