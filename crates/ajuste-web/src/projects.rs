//! The projects kept on this device, as the page handles them (`catalog.rs` reads and writes
//! them): which one this page shows, its name, the list, and new, open, rename, duplicate and
//! delete. Opening another project (or a new one) remembers it as the one to open and reloads
//! the page, which then starts from that project as from any other visit (its own lock,
//! restore and autosave); a project is never mixed into another's page.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::autosave::{self, StorageError};
use super::catalog::{self, Entry};
use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::saving::storage_problem;
use super::writer::{self, Role, Writer};

#[derive(Clone, Copy)]
pub struct Projects {
    /// The id of the project this page shows.
    pub current: StoredValue<String>,
    /// Its name; empty until the person names it.
    pub name: RwSignal<String>,
    /// Every project kept, the most recently changed first.
    pub list: RwSignal<Vec<Entry>>,
    /// Room the browser still allows this page, when it says.
    pub room_left: RwSignal<Option<f64>>,
    /// Why the last action on the list failed.
    pub error: RwSignal<Option<String>>,
    /// The project whose deletion waits for the second click.
    pub confirming: RwSignal<Option<String>>,
    /// Keys of the records set aside (stored projects that could not be opened).
    pub set_aside: RwSignal<Vec<String>>,
    writer: Writer,
}

impl Projects {
    pub fn new(writer: Writer) -> Self {
        Self {
            current: StoredValue::new(catalog::FIRST_PROJECT.to_string()),
            name: RwSignal::new(String::new()),
            list: RwSignal::new(Vec::new()),
            room_left: RwSignal::new(None),
            error: RwSignal::new(None),
            confirming: RwSignal::new(None),
            set_aside: RwSignal::new(Vec::new()),
            writer,
        }
    }

    /// Shows the project used last (the widget, which keeps nothing, never calls this): this
    /// tab reloads into it from now on, even after a crash.
    pub fn choose_last_used(&self) {
        let current = catalog::last_used();
        catalog::remember(&current);
        self.current.set_value(current);
    }

    pub fn current_id(&self) -> String {
        self.current.get_value()
    }

    /// The catalog entry a save of this project writes.
    pub fn entry(&self, classes: usize, images: usize, bytes: f64) -> Entry {
        Entry {
            classes,
            images,
            bytes,
            ..Entry::empty(&self.current_id(), &self.name.get_untracked())
        }
    }

    /// Reads this project's name (before anything saves it, so as not to save a blank one).
    pub async fn load_name(&self) {
        if let Ok(Some(entry)) = catalog::entry(&self.current_id()).await {
            self.name.set(entry.name);
        }
    }

    /// Reads the list again.
    pub fn refresh(self) {
        spawn_local(async move {
            match catalog::list().await {
                Ok(listing) => {
                    self.list.set(listing.projects);
                    self.set_aside.set(listing.set_aside);
                }
                Err(error) => self.failed(&error),
            }
            self.room_left.set(autosave::room_left().await);
        });
    }

    /// The restored project has no entry yet (it was kept before there was a list): gives
    /// it one, with what it holds.
    pub fn ensure_entry(self, classes: usize, images: usize, bytes: f64) {
        if !self
            .writer
            .role
            .with_untracked(|role| *role == Role::Writer)
        {
            return self.refresh();
        }
        spawn_local(async move {
            if let Ok(None) = catalog::entry(&self.current_id()).await {
                let entry = self.entry(classes, images, bytes);
                if let Err(error) = catalog::put(&entry).await {
                    self.failed(&error);
                }
            }
            self.refresh();
        });
    }

    /// Opens project `id` (this page reloads into it).
    pub fn open(&self, id: &str) {
        catalog::remember(id);
        reload();
    }

    /// Starts a new, empty project (this page reloads into it).
    pub fn create(self) {
        let number = self.list.with_untracked(Vec::len) + 1;
        let name = td_string!(locale(), projects.new_name, n = number).to_string();
        let entry = Entry::empty(&catalog::new_id(), &name);
        spawn_local(async move {
            match catalog::put(&entry).await {
                Ok(()) => self.open(&entry.id),
                Err(error) => self.failed(&error),
            }
        });
    }

    /// Renames this project (the writer only: the entry is part of what it saves).
    pub fn rename(self, name: String) {
        let name = name.trim().to_string();
        if !self.writer.writes() {
            return self.error.set(Some(messages::rename_elsewhere()));
        }
        self.name.set(name.clone());
        let id = self.current_id();
        spawn_local(async move {
            let entry = match catalog::entry(&id).await {
                Ok(Some(entry)) => Entry { name, ..entry },
                Ok(None) => Entry::empty(&id, &name),
                Err(error) => return self.failed(&error),
            };
            match catalog::put(&entry).await {
                Ok(()) => self.refresh(),
                Err(error) => self.failed(&error),
            }
        });
    }

    /// A copy of project `id`, as stored, under a new name.
    pub fn duplicate(self, id: String) {
        let Some(from) = self.find(&id) else {
            return;
        };
        let name = td_string!(locale(), projects.copy_name, name = display_name(&from)).to_string();
        let copy = Entry {
            id: catalog::new_id(),
            name,
            changed: js_sys::Date::now(),
            ..from
        };
        spawn_local(async move {
            match catalog::duplicate(&id, &copy).await {
                Ok(()) => self.refresh(),
                Err(error) => self.error.set(Some(storage_problem(&error, copy.bytes))),
            }
        });
    }

    /// Deletes project `id` on the second click. Not one open in another tab; this page's own
    /// project is deleted, and the page opens the next one (or a new one).
    pub fn delete(self, id: String) {
        if self.confirming.get_untracked().as_deref() != Some(id.as_str()) {
            return self.confirming.set(Some(id));
        }
        self.confirming.set(None);
        let own = id == self.current_id();
        spawn_local(async move {
            if !own && writer::open_in_some_tab(&id).await {
                return self.error.set(Some(messages::delete_elsewhere()));
            }
            if own {
                if !self.writer.writes() {
                    return self.error.set(Some(messages::delete_elsewhere()));
                }
                // Nothing may save it again meanwhile.
                self.writer.role.set(Role::Stopped);
            }
            if let Err(error) = catalog::delete(&id).await {
                if own {
                    // Still here, and still this tab's to save.
                    self.writer.role.set(Role::Writer);
                }
                return self.failed(&error);
            }
            if !own {
                return self.refresh();
            }
            let next = self
                .list
                .with_untracked(|list| list.iter().find(|e| e.id != id).map(|e| e.id.clone()));
            match next {
                Some(next) => self.open(&next),
                None => self.create(),
            }
        });
    }

    /// Says why an action on the list failed (nothing of a known size was being written).
    fn failed(&self, error: &StorageError) {
        self.error.set(Some(storage_problem(error, 0.0)));
    }

    fn find(&self, id: &str) -> Option<Entry> {
        self.list
            .with_untracked(|list| list.iter().find(|entry| entry.id == id).cloned())
    }
}

/// The name to show: the person's, or a default.
pub fn display_name(entry: &Entry) -> String {
    if entry.name.is_empty() {
        td_string!(locale(), projects.untitled).to_string()
    } else {
        entry.name.clone()
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
