//! A project kept as records comes back: its classes as they were, each image with its
//! picture (drawn again from its PNG when none was kept), its features (given to the engine
//! before the images, so it computes none of them again) and its classifier with the report
//! and curves that go with it. The images go to the engine as a restart sends them
//! (`resend.rs`: a few at a time, read from their blobs only then).

use std::collections::{BTreeSet, HashMap};

use ajuste_protocol::SampleId;
use ajuste_protocol::records::{ProjectRecord, Saved};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::file_thumbnail::small_thumbnail;
use super::messages;
use super::records::{self, Loaded};
use super::samples::SampleSource;
use super::state::{AppState, ClassModel, SampleModel};

impl AppState {
    pub(super) async fn restore_records(self, record: ProjectRecord) {
        let loaded = match records::load_records(&record).await {
            Ok(loaded) => loaded,
            Err(error) => {
                let reason = messages::stored_project_unreadable(&format!("{error:?}"));
                return self.set_aside_then_start(reason).await;
            }
        };
        let Loaded {
            images,
            features,
            classifier,
        } = loaded;
        let mut images: HashMap<SampleId, (Blob, String)> = (images.into_iter())
            .map(|image| (image.sample, (image.png, image.thumbnail)))
            .collect();
        // An image listed without its record (never the case for records this page wrote)
        // is left out rather than failing the whole project.
        let mut kept = record.clone();
        for class in &mut kept.classes {
            class.samples.retain(|id| images.contains_key(id));
        }
        let mut sizes = HashMap::new();
        let mut undrawn = Vec::new();
        let mut classes = Vec::with_capacity(kept.classes.len());
        for class in &kept.classes {
            let mut samples = Vec::with_capacity(class.samples.len());
            for (n, id) in class.samples.iter().enumerate() {
                let (png, thumbnail) = images.remove(id).expect("kept only if here");
                sizes.insert(*id, png.size());
                if thumbnail.is_empty() {
                    undrawn.push((*id, png.clone()));
                }
                self.sources.update_value(|sources| {
                    sources.insert(*id, SampleSource::Stored(png));
                });
                samples.push(SampleModel {
                    id: *id,
                    name: messages::project_image_name(&class.name, n + 1),
                    thumbnail: RwSignal::new(thumbnail),
                    accepted: RwSignal::new(false),
                });
            }
            // The page's first classes have the ids of a project's first classes: the page's
            // own models are kept (the class list is keyed by id), with the restored images
            // before any held meanwhile.
            let model = match self.find_class(class.id) {
                Some(model) => {
                    model.name.set(class.name.clone());
                    model.enabled.set(class.enabled);
                    model.samples.update(|shown| {
                        let held = std::mem::replace(shown, samples);
                        shown.extend(held);
                    });
                    model
                }
                None => ClassModel {
                    id: class.id,
                    name: RwSignal::new(class.name.clone()),
                    enabled: RwSignal::new(class.enabled),
                    samples: RwSignal::new(samples),
                    error: RwSignal::new(None),
                },
            };
            classes.push(model);
        }
        let used = (kept.classes.iter())
            .flat_map(|class| class.samples.iter().copied().chain([class.id]))
            .max();
        if let Some(used) = used {
            self.ids_past(used);
        }
        // Classes made while it was read (with images held for it) stay, after its own.
        let added: Vec<ClassModel> = self.classes.with_untracked(|classes| {
            let other = |c: &&ClassModel| !kept.classes.iter().any(|k| k.id == c.id);
            let with_images = |c: &&ClassModel| c.samples.with_untracked(|s| !s.is_empty());
            classes
                .iter()
                .filter(other)
                .filter(with_images)
                .copied()
                .collect()
        });
        self.classes.set(classes.into_iter().chain(added).collect());
        self.settings.set(kept.settings.clone());
        let stored: BTreeSet<SampleId> = kept.samples().collect();
        let with_features = (features.iter())
            .map(|(id, _, _)| *id)
            .filter(|id| stored.contains(id))
            .collect();
        let classifier_kept = classifier.is_some();
        self.autosave.update_value(|memory| {
            memory.saved = Saved {
                record: Some(kept.clone()),
                images: stored,
                classifier: kept.classifier.filter(|_| classifier_kept),
            };
            memory.store = Some(kept.store.clone());
            memory.moving = false;
            memory.sizes = sizes;
            memory.features = with_features;
        });
        self.restore_features(&features);
        if let (Some(bytes), Some(generation)) = (classifier, kept.classifier) {
            // Shown at once (the engine's `ModelOpened` confirms it), so that the first save
            // keeps the classifier rather than dropping it.
            self.report.set(kept.report.clone());
            self.history.set(kept.history.clone());
            self.kept_history.set_value(kept.history.clone());
            self.evaluated.set(kept.evaluated.clone());
            self.has_classifier.set(true);
            let (report, history, evaluated) = (kept.report, kept.history, kept.evaluated);
            self.restore_classifier_copy(generation, bytes, report, history, evaluated);
        }
        let status = self.saved_status();
        self.restored_records(status);
        self.draw_thumbnails(undrawn);
    }

    /// Pictures drawn from the PNGs, one after the other.
    fn draw_thumbnails(&self, undrawn: Vec<(SampleId, Blob)>) {
        if undrawn.is_empty() {
            return;
        }
        let state = *self;
        spawn_local(async move {
            for (id, png) in undrawn {
                let Some(model) = state.find_sample(id) else {
                    continue;
                };
                if let Some(picture) = small_thumbnail(&png).await {
                    model.thumbnail.set(picture);
                }
            }
        });
    }
}
