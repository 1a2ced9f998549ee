//! English. (The engine's own errors use the protocol crate's English wording, `Display`.)

use ajuste_protocol::{FINE_TUNING_FROM_IMAGES, KeptViews, Suggestion};

use super::texts::{Texts, capitalised};

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub static TEXTS: Texts = Texts {
    language: "Language",
    language_name: "English",
    thousands: ",",
    page_title: "Ajuste — fine-tune an image classifier in your browser",

    tagline: "Teach your browser to recognise things: add images per class, train, try it. Your images never leave this device.",
    running_on: "Running on ",
    no_webgpu: "No WebGPU: training on CPU, slower.",
    loading_network: "Loading the pretrained network (you can add images meanwhile)",

    classes_title: "1. Classes",
    class_n: |n| format!("Class {n}"),
    deleted_class: |name| format!("Deleted \"{name}\". "),
    undo: "Undo",
    add_class: "+ Add a class",
    class_label: |name| format!("Class {name}"),
    class_name: "Class name",
    images_word: |n| if n == 1 { " image" } else { " images" },
    train_on_it: " Train on it",
    delete: "Delete",
    delete_class: |name| format!("Delete class {name}"),
    upload_images: "Upload images",
    drop_hint: "…or drop image files here, or paste one (Ctrl+V) while this card has focus.",
    dismiss: "Dismiss",
    images_of: |name| format!("Images of {name}"),
    remove_image: |name| format!("Remove {name}"),

    record_for: |name| format!("Hold to record webcam frames for {name}"),
    recording: |n| format!("Recording… {n}"),
    hold_to_record: "Hold to record",
    snap_for: |name| format!("Take one webcam picture for {name}"),
    snap: "Snap",
    hide_camera: "Hide camera",
    camera_preview: "Camera preview",
    camera: "Camera ",
    camera_n: |n| format!("Camera {n}"),
    webcam_frame: |n| format!("webcam frame {n}"),
    camera_denied: "Camera permission denied: allow the camera for this page in the browser's site settings, then try again.",
    camera_missing: "No camera found.",
    camera_busy: "The camera is busy (another app may be using it).",
    camera_failed: |detail| format!("The camera could not start: {detail}"),
    no_camera_access: "This browser gives no access to cameras.",

    train_title: "2. Train",
    mode: "Mode",
    transfer_learning: " Transfer learning (backbone frozen)",
    fine_tuning: " Fine-tuning (unfreeze the last N blocks)",
    unfrozen_blocks: "Unfrozen blocks: ",
    depth_aria: "Number of unfrozen backbone blocks (0 = transfer learning)",
    head_trains_on: " · transfer learning trains on ",
    mode_help: "The network learnt to see on a million photos. Transfer learning keeps all of it frozen and trains only a new head on top: quick, and the right choice with few images per class. Fine-tuning also unfreezes its last blocks: worth it with more images, or when your classes look unlike everyday photos (X-rays, drawings), but it costs more time and overfits more easily.",
    mode_suggestion: |images, suggestion| match suggestion {
        Suggestion::TransferLearning => format!(
            "Your smallest class has {images} images: below {FINE_TUNING_FROM_IMAGES}, train only the new head (transfer learning); unfreezing blocks costs accuracy and time at this size."
        ),
        Suggestion::FineTuning { freeze_depth } => format!(
            "Your smallest class has {images} images: from {FINE_TUNING_FROM_IMAGES} on, unfreezing the last {freeze_depth} block(s) (fine-tuning) can add accuracy; it trains tens of times slower."
        ),
    },
    mode_short: |depth| {
        if depth == 0 {
            "transfer".into()
        } else {
            format!("fine-tune, {depth}")
        }
    },
    train: "Train",
    cancel: "Cancel",
    advanced: "Advanced",
    epochs: "Epochs",
    batch_size: "Batch size",
    learning_rate: "Learning rate",
    validation_share: "Validation share",
    augmentation: " Augmentation (crops, flips, colour changes; 5× the feature work)",

    features_none: "Add images: their features are computed as they arrive.",
    features_ready: |n| format!("Image features ready ({n})."),
    features_computing: |ready, wanted| format!("Computing image features: {ready} / {wanted}…"),
    computing_remaining: "Computing the features of the remaining images…",
    starting: "Starting…",
    epoch_step: |epoch, epochs, step, steps| {
        format!("Epoch {epoch}/{epochs} · step {step}/{steps}")
    },
    eta: |s| match s {
        s if s < 1.0 => "under a second left".into(),
        s if s < 90.0 => format!("about {s:.0} s left"),
        s => format!("about {:.0} min left", s / 60.0),
    },
    trained_in: |s| format!("Trained in {s:.1} s."),
    stopped_in: |s| format!("Stopped in {s:.1} s."),
    training_progress: "Training progress",

    loss: "Loss",
    accuracy: "Accuracy",
    train_key: "train",
    validation_key: "validation",
    epoch_n: |n| format!("epoch {n}"),
    accuracy_per_class: "Accuracy per class",
    measured_on_validation: "Measured on the held-out validation images.",
    measured_on_training: "Measured on the training images (too few images to hold some out).",
    no_images: "no images",
    confusion_title: "Confusion matrix",
    cell_images: |n, actual, predicted| {
        format!(
            "{} of “{actual}” the classifier called “{predicted}”",
            counted(n, "image", "images")
        )
    },
    confusion_hint: "Rows: the true class; columns: what the classifier said.",
    confusion_of: |names| format!("Confusion matrix of {names}"),
    true_class: "true",
    predicted_class: "said",
    reading_no_validation: "No images were held out, so this accuracy is on images it trained on: add images so that some can test it.",
    reading_overfitting: "Validation accuracy is far below training accuracy: it memorised its images (overfitting). Add more images, or unfreeze fewer blocks.",
    reading_underfitting: "It is often wrong even on its own training images: train more epochs, or unfreeze more blocks if your classes look unlike everyday photos.",
    reading_good: "Good: it recognises images it never trained on.",
    reading_fair: "Fair: more, and more varied, images per class should help.",

    runs_title: "Training runs",
    runs_mode: "Mode",
    runs_epochs: "Epochs",
    runs_images: "Images",
    runs_train: "Train acc.",
    runs_validation: "Val. acc.",
    runs_time: "Time",

    diagram_title: "EfficientNet-Lite0: what trains",
    diagram_hint: "Hover or focus a block to see its name and shape.",
    block: "Block",
    stage: "Stage",
    stem: "Stem",
    head_conv: "Head conv",
    pooling: "Pooling",
    pooling_short: "avg",
    new_head_short: "new",
    new_head: "New head",
    params: "parameters",
    trainable: "trainable",
    frozen: "frozen",
    trainable_params: "Trainable parameters",
    cached_label: "Cached per image",
    cached_per_image: |size, views| {
        if views == 1 {
            size.to_string()
        } else {
            format!("{size} ({views} views)")
        }
    },
    epoch_time_label: "Time per epoch",
    time_measured: |s| format!("{s:.2} s (last run)"),
    time_estimated: |s| format!("≈ {s:.2} s (estimated from another run)"),
    time_unknown: |mflop| {
        format!("measured at the first run ({mflop:.0} M multiply-adds per image)")
    },

    try_title: "3. Try it",
    classify_image: "Classify an image",
    live_webcam: "Live webcam",
    stop_webcam: "Stop webcam",
    live_camera: "Live camera",
    picked_image: "The image being classified",
    classifying: "Classifying…",
    your_classes: "Your classes",
    imagenet_classes: "ImageNet classes (train to see yours)",

    restart_engine: "Restart the engine",
    engine_error: |error| capitalised(&error.to_string()),
    invalid: |invalid| capitalised(&invalid.to_string()),
    notice: |notice| format!("Note: {notice}."),
    unreadable_event: |error| {
        format!(
            "A message from the engine could not be read ({error}). The page may be out of date: reload it."
        )
    },
    unsendable_command: |error| format!("A request could not be sent to the engine: {error}"),
    engine_crashed: |detail| {
        if detail.is_empty() {
            "The engine stopped on an error.".into()
        } else {
            format!("The engine stopped on an error: {detail}")
        }
    },
    engine_not_running: "The engine is not running: restart it.",
    worker_start_failed: |detail| format!("Cannot start the engine: {detail}"),
    not_a_whole_number: |what| format!("{what}: enter a whole number"),
    cannot_read_file: |name| format!("{name}: cannot read the file"),
    download_refused: |name| format!("{name}: the browser refused the download"),

    project_title: "Project",
    save_project: "Save project",
    open_project: "Open project",
    download_model: "Download model",
    open_model: "Open model",
    project_hint: "A project file (.ajuste) keeps the classes, their images, the settings and the trained classifier; drop one here to open it. The model alone (a .zip) is what the ajuste command-line tool reads.",
    opening: "Opening…",
    preparing_file: "Preparing the file…",
    files_not_ready: "Wait until the engine is ready (and not training) to open a file.",
    file_saved: |name| format!("Downloaded {name}."),
    project_opened: |classes, images| {
        format!(
            "Opened a project of {} and {}.",
            counted(classes, "class", "classes"),
            counted(images, "image", "images")
        )
    },
    model_opened: |n, names| {
        format!(
            "Opened a model of {}: {names}.",
            counted(n, "class", "classes")
        )
    },
    project_image_name: |class, n| format!("{class}, image {n}"),
    file_without_bytes: |name| format!("{name}: the engine sent the file without its contents."),
    file_interrupted: "The engine stopped before the file was saved or opened: try again.",
    project_not_reopened: |detail| {
        format!(
            "The restarted engine could not open the project again ({detail}); its images were taken off the page: open the file again."
        )
    },
    storage_restoring: "Looking for work saved on this device…",
    storage_empty: "Nothing saved on this device yet: your work is saved here as you make it.",
    storage_saving: "Saving on this device…",
    storage_waiting: "Changes not saved on this device yet: they are saved once the engine is free.",
    storage_saved: |classes, images, size, room| {
        let room = room
            .map(|room| format!(" (of {room} available)"))
            .unwrap_or_default();
        format!(
            "Saved on this device: {}, {}, {size}{room}.",
            counted(classes, "class", "classes"),
            counted(images, "image", "images")
        )
    },
    not_saved: |reason| {
        format!(
            "Not saved: {reason}. Your work is still on this page; save the project as a file to keep it."
        )
    },
    storage_unavailable: |detail| {
        format!(
            "this browser does not let the page keep data (a private window, or site data blocked in its settings: {detail})"
        )
    },
    storage_full: |size| {
        format!(
            "no room left: the browser's storage quota for this page is full (the project needs {size}); free some space or remove images, and it is tried again at your next change"
        )
    },
    storage_failed: |detail| {
        format!(
            "the browser could not store the project ({detail}); it is tried again at your next change"
        )
    },
    stored_not_a_project: "what is stored is not a project file",
    stored_project_unreadable: |detail| {
        format!(
            "the project kept on this device could not be opened ({detail}); your next change replaces it"
        )
    },
    add_folder: "Add a folder",
    folder_hint: "A folder with one sub-folder of images per class, named after the class (as ajuste train --data reads it). You can also drop it anywhere on the page.",
    folder_unreadable: |detail| format!("The folder could not be read ({detail})"),
    import_reading: |done, total| format!("Reading images: {done} of {total}"),
    import_finished: |added| {
        format!(
            "Import finished: {}",
            counted(added, "image added", "images added")
        )
    },
    cancel_import: "Cancel import",
    import_class_count: |class, n| format!("{n} to “{class}”"),
    import_added: |n, list| {
        if n == 0 {
            "No image added.".into()
        } else {
            format!("Added {}: {list}.", counted(n, "image", "images"))
        }
    },
    import_refused: |n| {
        format!(
            "{} refused (each class says why).",
            counted(n, "file", "files")
        )
    },
    import_cancelled: |n| {
        format!(
            "{} not sent: the import was cancelled.",
            counted(n, "file", "files")
        )
    },
    import_skipped: |n| format!("Skipped {}:", counted(n, "file", "files")),
    skip_not_image: "not an image (jpg, jpeg, png, webp, gif, bmp, jfif)",
    skip_not_in_class: "not in a class folder",
    skip_nested: "in a folder inside a class folder (too deep)",
    skip_too_many_classes: |max| format!("more than {max} classes"),
    memory_plan: |plan| {
        let needed = plan.needed_bytes().div_ceil(1 << 20);
        let budget = plan.budget_bytes >> 20;
        let images = counted(plan.images, "image", "images");
        match plan.kept {
            KeptViews::All => format!(
                "Memory: at this depth the activations of {images} take {needed} MB of the {budget} MB allowed; all are kept."
            ),
            KeptViews::First(n) => format!(
                "Memory: at this depth the activations of {images} would take {needed} MB, more than the {budget} MB allowed: {n} of the {} views of each image {} kept.",
                plan.views,
                if n == 1 { "is" } else { "are" }
            ),
            KeptViews::Recomputed => format!(
                "Memory: at this depth the activations of {images} would take {needed} MB, more than the {budget} MB allowed: none are kept, they are recomputed at every step (slower)."
            ),
        }
    },
};
