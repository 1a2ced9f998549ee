//! Files on their way to the engine, a few at a time: a file is read only when fewer than
//! [`MAX_IN_FLIGHT`] others, and fewer than [`MAX_BYTES_IN_FLIGHT`] bytes of them, wait for
//! the engine's answer (and their pictures), so that a drop of a thousand phone photos never
//! holds more than a few of them in memory at once. One
//! import at a time gathers everything added until it ends, with one progress line, a Cancel
//! (what the engine accepted stays) and a summary.

use std::collections::{HashMap, VecDeque};

use ajuste_protocol::SampleId;
use ajuste_protocol::folder_layout::Skipped;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use super::file_thumbnail::small_thumbnail;
use super::files::read;
use super::samples::SampleSource;
use super::state::{AppState, ClassModel};

/// The most files read but not yet answered by the engine. The engine answers between two
/// slices of its background work (a batch of features), so a few per round keep it fed.
pub const MAX_IN_FLIGHT: usize = 16;
/// The most bytes of files in flight: large photos go fewer at a time (one always goes).
pub const MAX_BYTES_IN_FLIGHT: f64 = (64 << 20) as f64;

/// What the page shows of the import (the `import-progress` test hook).
#[derive(Clone, Default)]
pub struct ImportProgress {
    /// Files to read in this import.
    pub total: usize,
    /// Files the engine answered (or that could not be read).
    pub done: usize,
    pub in_flight: usize,
    /// The most files ever in flight during this import.
    pub max_in_flight: usize,
    /// Images the engine accepted, per class, in the order they first came.
    pub added: Vec<(ClassModel, usize)>,
    /// Files read but refused (each class says why).
    pub refused: usize,
    /// Files never sent because the user cancelled.
    pub cancelled: usize,
    /// Files of an imported folder that are not for any class.
    pub skipped: Vec<Skipped>,
    /// Classes made for this import's folders: those still empty when a cancelled import
    /// ends go again.
    pub made: Vec<ClassModel>,
}

impl ImportProgress {
    pub fn finished(&self) -> bool {
        self.in_flight == 0 && self.done + self.cancelled == self.total
    }

    pub fn added_total(&self) -> usize {
        self.added.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Default)]
pub struct ImportQueue {
    waiting: VecDeque<(ClassModel, File)>,
    /// Sent to the engine, waiting for its answer, with the file's size.
    sent: HashMap<SampleId, (ClassModel, f64)>,
    /// The sizes of the files in flight, together.
    bytes_in_flight: f64,
}

#[derive(Clone, Copy)]
pub struct Importer {
    queue: StoredValue<ImportQueue, LocalStorage>,
    pub progress: RwSignal<Option<ImportProgress>>,
    /// A dropped folder that could not be listed.
    pub folder_error: RwSignal<Option<String>>,
}

impl Importer {
    pub fn new() -> Self {
        Self {
            queue: StoredValue::new_local(ImportQueue::default()),
            progress: RwSignal::new(None),
            folder_error: RwSignal::new(None),
        }
    }
}

impl AppState {
    /// Queues `files` (each for its class, some of them `made` for this import) and starts
    /// sending them; `skipped` goes to the summary. A finished import's summary makes way for
    /// the new one.
    pub fn import_files(
        &self,
        files: Vec<(ClassModel, File)>,
        skipped: Vec<Skipped>,
        made: Vec<ClassModel>,
    ) {
        let importer = self.importer;
        importer.progress.update(|progress| {
            let progress = match progress {
                Some(p) if !p.finished() => p,
                _ => progress.insert(ImportProgress::default()),
            };
            progress.total += files.len();
            progress.skipped.extend(skipped);
            progress.made.extend(made);
        });
        importer
            .queue
            .update_value(|queue| queue.waiting.extend(files));
        self.pump_import();
    }

    /// Stops sending: what waits is dropped, what is in flight still gets its answer.
    pub fn cancel_import(&self) {
        let mut dropped = 0;
        self.importer.queue.update_value(|queue| {
            dropped = queue.waiting.len();
            queue.waiting.clear();
        });
        self.importer.progress.update(|progress| {
            if let Some(progress) = progress {
                progress.cancelled += dropped;
            }
        });
        self.drop_classes_left_empty();
    }

    /// Once a cancelled import has ended, the classes it made that got no image go: the
    /// page is left as if their folders had not been picked.
    fn drop_classes_left_empty(&self) {
        let ended_cancelled = self.importer.progress.with_untracked(|progress| {
            progress
                .as_ref()
                .is_some_and(|p| p.cancelled > 0 && p.finished() && !p.made.is_empty())
        });
        if !ended_cancelled {
            return;
        }
        let made = self
            .importer
            .progress
            .try_update(|progress| progress.as_mut().map(|p| std::mem::take(&mut p.made)))
            .flatten()
            .unwrap_or_default();
        let empty: Vec<_> = made
            .into_iter()
            .filter(|class| class.samples.with_untracked(Vec::is_empty))
            .map(|class| class.id)
            .collect();
        if !empty.is_empty() {
            self.classes
                .update(|classes| classes.retain(|class| !empty.contains(&class.id)));
        }
    }

    /// The engine answered for `sample` (accepted or not); a sample the import did not send
    /// is none of its business.
    pub(super) fn import_settled(&self, sample: SampleId, accepted: bool) {
        let Some((class, size)) = self
            .importer
            .queue
            .try_update_value(|queue| queue.sent.remove(&sample))
            .flatten()
        else {
            return;
        };
        if !accepted {
            self.import_counted(None, size);
            return self.pump_import();
        }
        // The picture is made once the engine has checked the image's size, so that a
        // decompression bomb is never decoded here; the file keeps its place in flight
        // meanwhile.
        let state = *self;
        spawn_local(async move {
            state.picture_for(sample).await;
            state.import_counted(Some(class), size);
            state.pump_import();
        });
    }

    async fn picture_for(&self, sample: SampleId) {
        let file = self
            .sources
            .with_value(|sources| match sources.get(&sample) {
                Some(SampleSource::File(file)) => Some(file.clone()),
                _ => None,
            });
        let Some(file) = file else { return };
        let picture = small_thumbnail(&file).await;
        if let (Some(model), Some(picture)) = (self.find_sample(sample), picture) {
            model.thumbnail.set(picture);
        }
    }

    /// One file (of `size` bytes) less in flight: added to `class`, or refused.
    fn import_counted(&self, class: Option<ClassModel>, size: f64) {
        self.importer
            .queue
            .update_value(|queue| queue.bytes_in_flight -= size);
        self.importer.progress.update(|progress| {
            let Some(progress) = progress else { return };
            progress.in_flight -= 1;
            progress.done += 1;
            match class {
                Some(class) => match progress.added.iter_mut().find(|(c, _)| c.id == class.id) {
                    Some((_, count)) => *count += 1,
                    None => progress.added.push((class, 1)),
                },
                None => progress.refused += 1,
            }
        });
        self.drop_classes_left_empty();
    }

    /// Reads and sends waiting files while there is room in flight.
    fn pump_import(&self) {
        loop {
            let in_flight = self
                .importer
                .progress
                .with_untracked(|p| p.as_ref().map(|p| p.in_flight));
            let Some(in_flight) = in_flight.filter(|&n| n < MAX_IN_FLIGHT) else {
                return;
            };
            let next = self
                .importer
                .queue
                .try_update_value(|queue| {
                    let size = queue.waiting.front()?.1.size();
                    if in_flight > 0 && queue.bytes_in_flight + size > MAX_BYTES_IN_FLIGHT {
                        return None;
                    }
                    queue.bytes_in_flight += size;
                    queue.waiting.pop_front()
                })
                .flatten();
            let Some((class, file)) = next else { return };
            self.importer.progress.update(|progress| {
                if let Some(progress) = progress {
                    progress.in_flight += 1;
                    progress.max_in_flight = progress.max_in_flight.max(progress.in_flight);
                }
            });
            let state = *self;
            spawn_local(async move { state.send_one(class, file).await });
        }
    }

    async fn send_one(&self, class: ClassModel, file: File) {
        let size = file.size();
        match read(&file).await {
            Ok(bytes) => {
                let sample = self.add_file(class, file, String::new(), &bytes);
                // Refused before sending (too large): no answer will come.
                if self.find_sample(sample).is_none() {
                    self.import_counted(None, size);
                    self.pump_import();
                } else {
                    self.importer.queue.update_value(|queue| {
                        queue.sent.insert(sample, (class, size));
                    });
                }
            }
            Err(message) => {
                class.error.set(Some(message));
                self.import_counted(None, size);
                self.pump_import();
            }
        }
    }
}
