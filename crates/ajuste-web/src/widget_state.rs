//! How the widget's configuration and commands change the page's state: preset class names,
//! a reset to the configured start, and the counts the `samples` event reports.

use ajuste_protocol::widget::ClassCount;
use leptos::prelude::*;

use super::project::ProjectMemory;
use super::state::AppState;

impl AppState {
    /// The classes take these names, in order: missing classes are added, surplus ones
    /// removed (with their images).
    pub fn set_class_names(&self, names: &[String]) {
        while self.classes.with_untracked(Vec::len) < names.len() {
            self.add_class();
        }
        let classes = self.classes.get_untracked();
        for (class, name) in classes.iter().zip(names) {
            class.name.set(name.clone());
        }
        for class in classes.iter().skip(names.len()) {
            self.classes
                .update(|list| list.retain(|c| c.id != class.id));
            self.forget_class(*class);
        }
    }

    /// Every image, class, run and the classifier are forgotten; a new engine starts (the
    /// simplest way to be sure it holds nothing), with `names` as the classes (or two
    /// numbered ones).
    pub fn reset(self, names: Option<Vec<String>>) {
        if let Some(deleted) = self.deleted.get_untracked() {
            self.forget_class(deleted.class);
            self.deleted.set(None);
        }
        for class in self.classes.get_untracked() {
            self.forget_class(class);
        }
        self.classes.set(Vec::new());
        self.project.set_value(ProjectMemory::default());
        // The restarted engine starts without a classifier.
        self.drop_classifier_copy();
        self.runs.set(Vec::new());
        match names {
            Some(names) => self.set_class_names(&names),
            None => self.set_class_names(&[]),
        }
        while self.classes.with_untracked(Vec::len) < 2 {
            self.add_class();
        }
        self.restart();
    }

    /// The classes' names, for `ready`.
    pub fn class_names_untracked(&self) -> Vec<String> {
        untrack(|| self.class_counts().into_iter().map(|c| c.name).collect())
    }

    /// Each class's name and image count (tracked).
    pub fn class_counts(&self) -> Vec<ClassCount> {
        self.classes.with(|classes| {
            classes
                .iter()
                .map(|class| ClassCount {
                    name: class.name.get().trim().to_string(),
                    count: class.samples.with(Vec::len),
                })
                .collect()
        })
    }
}
