//! Leptos components, one panel per file. Nothing here touches tensors.

pub mod app;
pub mod preview;
pub mod startup;
