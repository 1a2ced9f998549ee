//! The web page: the Leptos UI on the main thread, one panel per file. Nothing here touches
//! tensors: the engine runs in the `ajuste-worker` Web Worker (see `link.rs`). Built by Trunk
//! (see index.html).

mod app;
mod autosave;
mod capture;
mod catalog;
mod cell_samples;
mod charts;
mod class_card;
mod classes;
mod classifier_copy;
mod counts;
mod diagram;
mod embed;
mod engine;
mod engine_errors;
mod engine_status;
mod events;
mod features_saving;
mod file_thumbnail;
mod files;
mod folder_pick;
mod frames;
mod import;
mod import_panel;
mod language;
mod link;
mod memory_plan;
mod messages;
mod network;
mod offline;
mod preview;
mod progress;
mod project;
mod project_bar;
mod project_events;
mod project_list;
mod projects;
mod records;
mod records_restore;
mod resend;
mod restore;
mod runs;
mod samples;
mod saving;
mod scope;
mod set_aside;
mod settings;
mod startup;
mod state;
mod storage_status;
mod train_command;
mod training;
mod webcam;
mod widget_api;
mod widget_state;
mod writer;
mod writer_notice;

// The sentences of `locales/*.json`, compiled in by build.rs: `crate::i18n`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    offline::register_service_worker();
}
