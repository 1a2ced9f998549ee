//! A folder of classes, picked (`<input webkitdirectory>`) or dropped (its entries walked):
//! every file with its path inside the folder, sorted into classes by `folder_layout`, the
//! classes made or matched by name, and the files queued like any other (`import.rs`).

use ajuste_protocol::folder_layout::{SkipReason, Skipped, plan};
use js_sys::{Array, Promise};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::i18n::td_string;
use super::language::locale;
use super::state::{AppState, ClassModel};

/// The files of a picked folder, each with its path ("folder/class/file").
pub fn picked(files: Vec<File>) -> Vec<(String, File)> {
    files
        .into_iter()
        .map(|file| {
            // Not in web-sys's `File`: read as a property.
            let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                .ok()
                .and_then(|path| path.as_string())
                .unwrap_or_else(|| file.name());
            (path, file)
        })
        .collect()
}

/// What was dropped, as entries; only readable during the drop event itself.
pub fn dropped_entries(transfer: &DataTransfer) -> Vec<FileSystemEntry> {
    let items = transfer.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect()
}

pub fn has_folder(entries: &[FileSystemEntry]) -> bool {
    entries.iter().any(FileSystemEntry::is_directory)
}

/// Imports dropped folders (each one a folder of classes) once their files are listed.
pub fn import_dropped(state: AppState, entries: Vec<FileSystemEntry>) {
    spawn_local(async move {
        match walk(entries).await {
            Ok((files, skipped)) => import_folder(state, files, skipped),
            Err(error) => {
                let detail = error.as_string().unwrap_or_else(|| format!("{error:?}"));
                state.importer.folder_error.set(Some(td_string!(
                    locale(),
                    import.folder_unreadable,
                    detail
                )));
            }
        }
    });
}

/// Creates or matches the classes of `files` and queues their images.
pub fn import_folder(state: AppState, files: Vec<(String, File)>, mut skipped: Vec<Skipped>) {
    state.importer.folder_error.set(None);
    let classes = state.classes.get_untracked();
    let names: Vec<String> = classes.iter().map(|c| c.name.get_untracked()).collect();
    let paths: Vec<String> = files.iter().map(|(path, _)| path.clone()).collect();
    let layout = plan(&paths, &names);
    let mut queued = Vec::new();
    let mut made = Vec::new();
    for class in layout.classes {
        let model = match class.existing {
            Some(index) => classes[index],
            None => {
                let model = new_class(state, class.name);
                made.push(model);
                model
            }
        };
        queued.extend(class.files.iter().map(|&i| (model, files[i].1.clone())));
    }
    skipped.extend(layout.skipped);
    state.import_files(queued, skipped, made);
}

fn new_class(state: AppState, name: String) -> ClassModel {
    state.add_class();
    let class = state
        .classes
        .with_untracked(|classes| *classes.last().expect("a class was just added"));
    class.name.set(name);
    class
}

/// Every file under the dropped folders down to a class folder's files; what lies deeper is
/// skipped unread (a folder inside a class folder is named once).
async fn walk(
    entries: Vec<FileSystemEntry>,
) -> Result<(Vec<(String, File)>, Vec<Skipped>), JsValue> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    // (entry, depth): 0 the dropped folder, 1 a class folder, 2 a class's image.
    let mut stack: Vec<(FileSystemEntry, usize)> = entries.into_iter().map(|e| (e, 0)).collect();
    while let Some((entry, depth)) = stack.pop() {
        let path = entry.full_path();
        if entry.is_file() {
            files.push((path, file_of(entry.unchecked_ref()).await?));
        } else if depth >= 2 {
            skipped.push(Skipped {
                path: format!("{}/", path.trim_start_matches('/')),
                reason: SkipReason::NestedTooDeep,
            });
        } else {
            for child in children(entry.unchecked_ref()).await? {
                stack.push((child, depth + 1));
            }
        }
    }
    Ok((files, skipped))
}

async fn children(folder: &FileSystemDirectoryEntry) -> Result<Vec<FileSystemEntry>, JsValue> {
    let reader = folder.create_reader();
    let mut all = Vec::new();
    // `readEntries` answers in batches, then with an empty one.
    loop {
        let mut failed = None;
        let batch = Promise::new(&mut |resolve, reject| {
            if let Err(error) = reader.read_entries_with_callback_and_callback(&resolve, &reject) {
                failed = Some(error);
            }
        });
        if let Some(error) = failed {
            return Err(error);
        }
        let batch: Array = JsFuture::from(batch).await?.unchecked_into();
        if batch.length() == 0 {
            return Ok(all);
        }
        all.extend(batch.iter().map(JsCast::unchecked_into));
    }
}

async fn file_of(entry: &FileSystemFileEntry) -> Result<File, JsValue> {
    let file = Promise::new(&mut |resolve, reject| {
        entry.file_with_callback_and_callback(&resolve, &reject)
    });
    Ok(JsFuture::from(file).await?.unchecked_into())
}
