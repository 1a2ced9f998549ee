//! The catalog's keys: one field per sentence or word the page shows. Each language fills
//! every field (`en.rs`, `es.rs`); formatted ones are functions of what they say.

use ajuste_protocol::{EngineError, Invalid, MemoryPlan, Notice, Suggestion};

pub struct Texts {
    pub language: &'static str,
    /// The language's own name, in the switch.
    pub language_name: &'static str,
    /// Between groups of three digits.
    pub thousands: &'static str,
    pub page_title: &'static str,

    // Header and start-up.
    pub tagline: &'static str,
    pub running_on: &'static str,
    pub no_webgpu: &'static str,
    pub loading_network: &'static str,

    // Classes.
    pub classes_title: &'static str,
    pub class_n: fn(usize) -> String,
    pub deleted_class: fn(&str) -> String,
    pub undo: &'static str,
    pub add_class: &'static str,
    pub class_label: fn(&str) -> String,
    pub class_name: &'static str,
    pub images_word: fn(usize) -> &'static str,
    pub train_on_it: &'static str,
    pub delete: &'static str,
    pub delete_class: fn(&str) -> String,
    pub upload_images: &'static str,
    pub drop_hint: &'static str,
    pub dismiss: &'static str,
    pub images_of: fn(&str) -> String,
    pub remove_image: fn(&str) -> String,

    // Webcam capture.
    pub record_for: fn(&str) -> String,
    pub recording: fn(usize) -> String,
    pub hold_to_record: &'static str,
    pub snap_for: fn(&str) -> String,
    pub snap: &'static str,
    pub hide_camera: &'static str,
    pub camera_preview: &'static str,
    pub camera: &'static str,
    pub camera_n: fn(usize) -> String,
    /// What a recorded frame is called.
    pub webcam_frame: fn(usize) -> String,
    pub camera_denied: &'static str,
    pub camera_missing: &'static str,
    pub camera_busy: &'static str,
    pub camera_failed: fn(&str) -> String,
    pub no_camera_access: &'static str,

    // Training panel.
    pub train_title: &'static str,
    pub mode: &'static str,
    pub transfer_learning: &'static str,
    pub fine_tuning: &'static str,
    pub unfrozen_blocks: &'static str,
    pub depth_aria: &'static str,
    /// When to pick which mode (next to the choice).
    pub mode_help: &'static str,
    /// Before the device transfer learning trains on, after the backbone's.
    pub head_trains_on: &'static str,
    /// For (images in the smallest class, the suggested mode).
    pub mode_suggestion: fn(usize, Suggestion) -> String,
    pub mode_short: fn(usize) -> String,
    pub train: &'static str,
    pub cancel: &'static str,
    pub advanced: &'static str,
    pub epochs: &'static str,
    pub batch_size: &'static str,
    pub learning_rate: &'static str,
    pub validation_share: &'static str,
    pub augmentation: &'static str,

    // Progress.
    pub features_none: &'static str,
    pub features_ready: fn(usize) -> String,
    pub features_computing: fn(usize, usize) -> String,
    pub computing_remaining: &'static str,
    pub starting: &'static str,
    pub epoch_step: fn(usize, usize, usize, usize) -> String,
    pub eta: fn(f64) -> String,
    pub trained_in: fn(f64) -> String,
    pub stopped_in: fn(f64) -> String,
    pub training_progress: &'static str,

    // Charts and results.
    pub loss: &'static str,
    pub accuracy: &'static str,
    pub train_key: &'static str,
    pub validation_key: &'static str,
    pub epoch_n: fn(usize) -> String,
    pub accuracy_per_class: &'static str,
    pub measured_on_validation: &'static str,
    pub measured_on_training: &'static str,
    pub no_images: &'static str,
    pub confusion_title: &'static str,
    pub confusion_hint: &'static str,
    /// For (images, true class, predicted class): a cell's images, and its button's label.
    pub cell_images: fn(usize, &str, &str) -> String,
    pub confusion_of: fn(&str) -> String,
    pub true_class: &'static str,
    pub predicted_class: &'static str,
    pub reading_no_validation: &'static str,
    pub reading_overfitting: &'static str,
    pub reading_underfitting: &'static str,
    pub reading_good: &'static str,
    pub reading_fair: &'static str,

    // Runs.
    pub runs_title: &'static str,
    pub runs_mode: &'static str,
    pub runs_epochs: &'static str,
    pub runs_images: &'static str,
    pub runs_train: &'static str,
    pub runs_validation: &'static str,
    pub runs_time: &'static str,

    // The network diagram.
    pub diagram_title: &'static str,
    pub diagram_hint: &'static str,
    pub block: &'static str,
    pub stage: &'static str,
    pub stem: &'static str,
    pub head_conv: &'static str,
    pub pooling: &'static str,
    /// Inside the pooling and new-head boxes (a few letters).
    pub pooling_short: &'static str,
    pub new_head_short: &'static str,
    pub new_head: &'static str,
    pub params: &'static str,
    pub trainable: &'static str,
    pub frozen: &'static str,
    pub trainable_params: &'static str,
    pub cached_label: &'static str,
    pub cached_per_image: fn(&str, usize) -> String,
    pub epoch_time_label: &'static str,
    pub time_measured: fn(f64) -> String,
    pub time_estimated: fn(f64) -> String,
    pub time_unknown: fn(f64) -> String,

    // Preview.
    pub try_title: &'static str,
    pub classify_image: &'static str,
    pub live_webcam: &'static str,
    pub stop_webcam: &'static str,
    pub live_camera: &'static str,
    pub picked_image: &'static str,
    pub classifying: &'static str,
    pub your_classes: &'static str,
    pub imagenet_classes: &'static str,

    // Engine and files.
    pub restart_engine: &'static str,
    pub engine_error: fn(&EngineError) -> String,
    pub invalid: fn(&Invalid) -> String,
    pub notice: fn(&Notice) -> String,
    pub unreadable_event: fn(&str) -> String,
    pub unsendable_command: fn(&str) -> String,
    pub engine_crashed: fn(&str) -> String,
    pub engine_not_running: &'static str,
    pub worker_start_failed: fn(&str) -> String,
    pub not_a_whole_number: fn(&str) -> String,
    pub cannot_read_file: fn(&str) -> String,
    pub download_refused: fn(&str) -> String,

    // Project bar and storage.
    pub project_title: &'static str,
    pub save_project: &'static str,
    pub open_project: &'static str,
    pub download_model: &'static str,
    pub open_model: &'static str,
    pub project_hint: &'static str,
    pub opening: &'static str,
    pub preparing_file: &'static str,
    pub files_not_ready: &'static str,
    pub file_saved: fn(&str) -> String,
    pub project_opened: fn(usize, usize) -> String,
    pub model_opened: fn(usize, &str) -> String,
    pub project_image_name: fn(&str, usize) -> String,
    pub file_without_bytes: fn(&str) -> String,
    pub file_interrupted: &'static str,
    pub project_not_reopened: fn(&str) -> String,
    pub storage_restoring: &'static str,
    pub storage_empty: &'static str,
    pub storage_saving: &'static str,
    pub storage_waiting: &'static str,
    /// Classes, images, size, room left.
    pub storage_saved: fn(usize, usize, &str, Option<&str>) -> String,
    pub not_saved: fn(&str) -> String,
    pub storage_unavailable: fn(&str) -> String,
    pub storage_full: fn(&str) -> String,
    pub storage_failed: fn(&str) -> String,
    pub stored_project_unreadable: fn(&str) -> String,
    pub stored_not_a_project: &'static str,

    // Importing many images, a folder of classes.
    pub add_folder: &'static str,
    pub folder_hint: &'static str,
    pub folder_unreadable: fn(&str) -> String,
    /// Files answered, files in the import.
    pub import_reading: fn(usize, usize) -> String,
    pub import_finished: fn(usize) -> String,
    pub cancel_import: &'static str,
    /// A class's name and the images added to it.
    pub import_class_count: fn(&str, usize) -> String,
    /// Images added, and to which classes (a list of `import_class_count`).
    pub import_added: fn(usize, &str) -> String,
    pub import_refused: fn(usize) -> String,
    pub import_cancelled: fn(usize) -> String,
    pub import_skipped: fn(usize) -> String,
    pub skip_not_image: &'static str,
    pub skip_not_in_class: &'static str,
    pub skip_nested: &'static str,
    pub skip_too_many_classes: fn(usize) -> String,

    // What the activations of a freeze depth need, before Train.
    pub memory_plan: fn(&MemoryPlan) -> String,
}

/// The first letter in upper case.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
