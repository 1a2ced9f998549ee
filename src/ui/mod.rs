//! Leptos components, one panel per file. Nothing here touches tensors: the engine worker
//! does (see `link.rs`).

pub mod app;
mod capture;
mod charts;
mod class_card;
mod classes;
mod files;
mod link;
mod preview;
mod startup;
mod state;
mod training;
mod webcam;
