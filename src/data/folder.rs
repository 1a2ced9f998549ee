//! A dataset on disk: one sub-folder of images per class (native only).

use std::path::{Path, PathBuf};

/// Class names (sorted sub-folder names) and, per class, its image files (sorted).
pub struct FolderListing {
    pub classes: Vec<String>,
    pub files: Vec<Vec<PathBuf>>,
}

const IMAGE_EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "jfif"];

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn sorted_entries(directory: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(directory)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    Ok(entries)
}

pub fn list_classes(directory: &Path) -> Result<FolderListing, String> {
    let describe = |e: std::io::Error| format!("{}: {e}", directory.display());
    let mut listing = FolderListing {
        classes: Vec::new(),
        files: Vec::new(),
    };
    for class_dir in sorted_entries(directory)
        .map_err(describe)?
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let files = sorted_entries(&class_dir)
            .map_err(describe)?
            .into_iter()
            .filter(|p| p.is_file() && is_image(p))
            .collect();
        listing.classes.push(
            class_dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        );
        listing.files.push(files);
    }
    if listing.classes.is_empty() {
        return Err(format!(
            "{}: no class sub-folders (one folder of images per class)",
            directory.display()
        ));
    }
    Ok(listing)
}
