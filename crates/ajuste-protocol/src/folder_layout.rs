//! Which files of a folder the page imports go to which class: the layout `ajuste train
//! --data` reads (one sub-folder of images per class, named after the class), and why every
//! other file is left out. Here, beside the class-name rules it applies, so that it is tested
//! natively; the page gives it the paths the browser lists.

use crate::limits::MAX_CLASSES;
use crate::{Invalid, class_name};

/// The extensions the CLI takes as images (`src/data/folder.rs`), in lower case.
pub const IMAGE_EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "jfif"];

/// Why a file (or a folder) of the import is left out.
#[derive(Clone, Debug, PartialEq)]
pub enum SkipReason {
    /// Its name does not end in one of [`IMAGE_EXTENSIONS`].
    NotImage,
    /// Straight in the folder, not in a class's sub-folder.
    NotInClass,
    /// In a folder inside a class's folder.
    NestedTooDeep,
    /// The class folder's name is not a class name.
    ClassName(Invalid),
    /// Its class would be one more than [`MAX_CLASSES`].
    TooManyClasses,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// The path inside the dropped or picked folder.
    pub path: String,
    pub reason: SkipReason,
}

/// One class of the import and its files (indices into the paths given), in name order.
#[derive(Debug, PartialEq)]
pub struct PlannedClass {
    /// Trimmed.
    pub name: String,
    /// The index of the page's class with this name, if there is one.
    pub existing: Option<usize>,
    pub files: Vec<usize>,
}

#[derive(Debug, Default, PartialEq)]
pub struct FolderPlan {
    pub classes: Vec<PlannedClass>,
    pub skipped: Vec<Skipped>,
}

fn is_image(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty() && IMAGE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    })
}

/// Sorts `paths` (each "root/class/file", as `webkitRelativePath` spells them; a leading
/// `/` is ignored, a lone file name is not in a class) into classes, matched by trimmed name with `existing` (the page's class
/// names), new ones after them up to [`MAX_CLASSES`] in all.
pub fn plan(paths: &[String], existing: &[String]) -> FolderPlan {
    let mut result = FolderPlan::default();
    let mut order: Vec<usize> = (0..paths.len()).collect();
    let trimmed = |index: usize| paths[index].trim_start_matches('/');
    order.sort_by(|&a, &b| trimmed(a).cmp(trimmed(b)));
    let skip = |result: &mut FolderPlan, path: &str, reason| {
        result.skipped.push(Skipped {
            path: path.to_string(),
            reason,
        })
    };
    for index in order {
        let path = trimmed(index);
        let parts: Vec<&str> = path.split('/').collect();
        let (folder, file) = match parts.as_slice() {
            // A file dropped on its own has no folder at all.
            [_] | [_, _] => {
                skip(&mut result, path, SkipReason::NotInClass);
                continue;
            }
            [_root, folder, file] => (*folder, *file),
            _ => {
                skip(&mut result, path, SkipReason::NestedTooDeep);
                continue;
            }
        };
        if !is_image(file) {
            skip(&mut result, path, SkipReason::NotImage);
            continue;
        }
        let name = match class_name(folder) {
            Ok(name) => name,
            Err(invalid) => {
                skip(&mut result, path, SkipReason::ClassName(invalid));
                continue;
            }
        };
        if let Some(class) = result.classes.iter_mut().find(|c| c.name == name) {
            class.files.push(index);
            continue;
        }
        let matched = existing.iter().position(|e| e.trim() == name);
        let new_classes = result
            .classes
            .iter()
            .filter(|c| c.existing.is_none())
            .count();
        if matched.is_none() && existing.len() + new_classes >= MAX_CLASSES {
            skip(&mut result, path, SkipReason::TooManyClasses);
            continue;
        }
        result.classes.push(PlannedClass {
            name: name.to_string(),
            existing: matched,
            files: vec![index],
        });
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn one_class_per_sub_folder_and_reasons_for_the_rest() {
        let plan = plan(
            &paths(&[
                "data/dogs/2.png",
                "data/cats/1.JPG",
                "data/notes.txt",
                "data/cats/readme.md",
                "data/cats/old/3.png",
                "/data/dogs/1.jpeg",
            ]),
            &["Dogs".into(), " cats ".into()],
        );
        assert_eq!(
            plan.classes,
            vec![
                PlannedClass {
                    name: "cats".into(),
                    existing: Some(1),
                    files: vec![1]
                },
                PlannedClass {
                    name: "dogs".into(),
                    existing: None,
                    files: vec![5, 0]
                },
            ]
        );
        let reasons: Vec<_> = plan
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("data/cats/old/3.png", SkipReason::NestedTooDeep),
                ("data/cats/readme.md", SkipReason::NotImage),
                ("data/notes.txt", SkipReason::NotInClass),
            ]
        );
    }

    #[test]
    fn class_names_are_checked_and_counted() {
        let long = "x".repeat(61);
        let existing: Vec<String> = (0..MAX_CLASSES - 1).map(|i| format!("c{i}")).collect();
        let plan = plan(
            &paths(&[
                &format!("d/{long}/1.png"),
                "d/ /1.png",
                "d/new-a/1.png",
                "d/new-b/1.png",
                "d/c3/1.png",
                "d/.png",
                "/loose.png",
            ]),
            &existing,
        );
        let names: Vec<_> = plan.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["c3", "new-a"]);
        let reasons: Vec<_> = plan.skipped.iter().map(|s| s.reason.clone()).collect();
        assert_eq!(
            reasons,
            vec![
                SkipReason::ClassName(Invalid::EmptyClassName),
                SkipReason::NotInClass,
                SkipReason::TooManyClasses,
                SkipReason::ClassName(Invalid::LongClassName(long)),
                SkipReason::NotInClass,
            ]
        );
    }
}
