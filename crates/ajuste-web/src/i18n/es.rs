//! Español. The engine's errors are translated variant by variant in `es_errors.rs`.

use ajuste_protocol::{FINE_TUNING_FROM_IMAGES, KeptViews, Suggestion};

use super::es_errors;
use super::texts::Texts;

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub static TEXTS: Texts = Texts {
    language: "Idioma",
    language_name: "Español",
    thousands: "\u{a0}",
    page_title: "Ajuste — ajusta un clasificador de imágenes en tu navegador",

    tagline: "Enseña a tu navegador a reconocer cosas: añade imágenes por clase, entrena y pruébalo. Tus imágenes nunca salen de este dispositivo.",
    running_on: "Funciona con ",
    no_webgpu: "Sin WebGPU: se entrena en la CPU, más despacio.",
    loading_network: "Cargando la red preentrenada (mientras tanto puedes añadir imágenes)",

    classes_title: "1. Clases",
    class_n: |n| format!("Clase {n}"),
    deleted_class: |name| format!("Se ha borrado «{name}». "),
    undo: "Deshacer",
    add_class: "+ Añadir una clase",
    class_label: |name| format!("Clase {name}"),
    class_name: "Nombre de la clase",
    images_word: |n| if n == 1 { " imagen" } else { " imágenes" },
    train_on_it: " Entrenar con ella",
    delete: "Borrar",
    delete_class: |name| format!("Borrar la clase {name}"),
    upload_images: "Subir imágenes",
    drop_hint: "…o suelta aquí archivos de imagen, o pega una (Ctrl+V) con esta tarjeta seleccionada.",
    dismiss: "Cerrar",
    images_of: |name| format!("Imágenes de {name}"),
    remove_image: |name| format!("Quitar {name}"),

    record_for: |name| format!("Mantén pulsado para grabar fotogramas de la cámara para {name}"),
    recording: |n| format!("Grabando… {n}"),
    hold_to_record: "Mantén para grabar",
    snap_for: |name| format!("Hacer una foto con la cámara para {name}"),
    snap: "Foto",
    hide_camera: "Ocultar la cámara",
    camera_preview: "Vista de la cámara",
    camera: "Cámara ",
    camera_n: |n| format!("Cámara {n}"),
    webcam_frame: |n| format!("fotograma de cámara {n}"),
    camera_denied: "Permiso de cámara denegado: permite la cámara para esta página en la configuración del sitio del navegador y vuelve a intentarlo.",
    camera_missing: "No se ha encontrado ninguna cámara.",
    camera_busy: "La cámara está ocupada (quizá la usa otra aplicación).",
    camera_failed: |detail| format!("La cámara no ha podido arrancar: {detail}"),
    no_camera_access: "Este navegador no da acceso a cámaras.",

    train_title: "2. Entrenar",
    mode: "Modo",
    transfer_learning: " Aprendizaje por transferencia (red congelada)",
    fine_tuning: " Ajuste fino (descongelar los últimos N bloques)",
    unfrozen_blocks: "Bloques descongelados: ",
    depth_aria: "Número de bloques de la red descongelados (0 = aprendizaje por transferencia)",
    head_trains_on: " · el aprendizaje por transferencia entrena con ",
    mode_help: "La red aprendió a ver con un millón de fotos. El aprendizaje por transferencia la deja entera congelada y entrena solo una cabeza nueva encima: es rápido y lo indicado con pocas imágenes por clase. El ajuste fino descongela además sus últimos bloques: compensa con más imágenes, o cuando tus clases no se parecen a fotos cotidianas (radiografías, dibujos), pero tarda más y sobreajusta con más facilidad.",
    mode_suggestion: |images, suggestion| match suggestion {
        Suggestion::TransferLearning => format!(
            "Tu clase más pequeña tiene {images} imágenes: por debajo de {FINE_TUNING_FROM_IMAGES}, entrena solo la cabeza nueva (aprendizaje por transferencia); descongelar bloques cuesta precisión y tiempo con tan pocas."
        ),
        Suggestion::FineTuning { freeze_depth } => format!(
            "Tu clase más pequeña tiene {images} imágenes: a partir de {FINE_TUNING_FROM_IMAGES}, descongelar el último o los últimos {freeze_depth} bloques (ajuste fino) puede ganar precisión; entrena decenas de veces más lento."
        ),
    },
    mode_short: |depth| {
        if depth == 0 {
            "transferencia".into()
        } else {
            format!("ajuste fino, {depth}")
        }
    },
    train: "Entrenar",
    cancel: "Cancelar",
    advanced: "Avanzado",
    epochs: "Épocas",
    batch_size: "Tamaño del lote",
    learning_rate: "Tasa de aprendizaje",
    validation_share: "Proporción de validación",
    augmentation: " Aumento de datos (recortes, volteos, cambios de color; 5× el cálculo de características)",

    features_none: "Añade imágenes: sus características se calculan a medida que llegan.",
    features_ready: |n| format!("Características de las imágenes listas ({n})."),
    features_computing: |ready, wanted| format!("Calculando características: {ready} / {wanted}…"),
    computing_remaining: "Calculando las características de las imágenes que faltan…",
    starting: "Empezando…",
    epoch_step: |epoch, epochs, step, steps| {
        format!("Época {epoch}/{epochs} · paso {step}/{steps}")
    },
    eta: |s| match s {
        s if s < 1.0 => "falta menos de un segundo".into(),
        s if s < 90.0 => format!("faltan unos {s:.0} s"),
        s => format!("faltan unos {:.0} min", s / 60.0),
    },
    trained_in: |s| format!("Entrenado en {s:.1} s."),
    stopped_in: |s| format!("Detenido a los {s:.1} s."),
    training_progress: "Progreso del entrenamiento",

    loss: "Pérdida",
    accuracy: "Exactitud",
    train_key: "entrenamiento",
    validation_key: "validación",
    epoch_n: |n| format!("época {n}"),
    accuracy_per_class: "Exactitud por clase",
    measured_on_validation: "Medida con las imágenes de validación apartadas.",
    measured_on_training: "Medida con las imágenes de entrenamiento (demasiado pocas para apartar algunas).",
    no_images: "sin imágenes",
    confusion_title: "Matriz de confusión",
    cell_images: |n, actual, predicted| {
        format!(
            "{} de «{actual}» que el clasificador llamó «{predicted}»",
            counted(n, "imagen", "imágenes")
        )
    },
    confusion_hint: "Filas: la clase real; columnas: lo que dijo el clasificador.",
    confusion_of: |names| format!("Matriz de confusión de {names}"),
    true_class: "real",
    predicted_class: "dijo",
    reading_no_validation: "No se apartó ninguna imagen, así que esta exactitud es sobre imágenes con las que entrenó: añade imágenes para que algunas sirvan de prueba.",
    reading_overfitting: "La exactitud de validación está muy por debajo de la de entrenamiento: ha memorizado sus imágenes (sobreajuste). Añade más imágenes o descongela menos bloques.",
    reading_underfitting: "Se equivoca a menudo incluso con sus propias imágenes de entrenamiento: entrena más épocas, o descongela más bloques si tus clases no se parecen a fotos cotidianas.",
    reading_good: "Bien: reconoce imágenes con las que nunca entrenó.",
    reading_fair: "Regular: más imágenes por clase, y más variadas, deberían ayudar.",

    runs_title: "Entrenamientos",
    runs_mode: "Modo",
    runs_epochs: "Épocas",
    runs_images: "Imágenes",
    runs_train: "Exact. entr.",
    runs_validation: "Exact. val.",
    runs_time: "Tiempo",

    diagram_title: "EfficientNet-Lite0: qué se entrena",
    diagram_hint: "Pasa el ratón o el foco por un bloque para ver su nombre y su forma.",
    block: "Bloque",
    stage: "Etapa",
    stem: "Entrada",
    head_conv: "Conv. final",
    pooling: "Promedio",
    pooling_short: "prom",
    new_head_short: "nueva",
    new_head: "Cabeza nueva",
    params: "parámetros",
    trainable: "entrenable",
    frozen: "congelado",
    trainable_params: "Parámetros entrenables",
    cached_label: "En caché por imagen",
    cached_per_image: |size, views| {
        if views == 1 {
            size.to_string()
        } else {
            format!("{size} ({views} vistas)")
        }
    },
    epoch_time_label: "Tiempo por época",
    time_measured: |s| format!("{s:.2} s (último entrenamiento)"),
    time_estimated: |s| format!("≈ {s:.2} s (estimado a partir de otro entrenamiento)"),
    time_unknown: |mflop| {
        format!(
            "se mide en el primer entrenamiento ({mflop:.0} M multiplicaciones-sumas por imagen)"
        )
    },

    try_title: "3. Pruébalo",
    classify_image: "Clasificar una imagen",
    live_webcam: "Cámara en directo",
    stop_webcam: "Parar la cámara",
    live_camera: "Cámara en directo",
    picked_image: "La imagen que se clasifica",
    classifying: "Clasificando…",
    your_classes: "Tus clases",
    imagenet_classes: "Clases de ImageNet (entrena para ver las tuyas)",

    restart_engine: "Reiniciar el motor",
    engine_error: es_errors::engine_error,
    invalid: es_errors::invalid,
    notice: es_errors::notice,
    unreadable_event: |error| {
        format!(
            "No se ha podido leer un mensaje del motor ({error}). Puede que la página esté desactualizada: recárgala."
        )
    },
    unsendable_command: |error| format!("No se ha podido enviar una petición al motor: {error}"),
    engine_crashed: |detail| {
        if detail.is_empty() {
            "El motor se ha detenido por un error.".into()
        } else {
            format!("El motor se ha detenido por un error: {detail}")
        }
    },
    engine_not_running: "El motor no está en marcha: reinícialo.",
    worker_start_failed: |detail| format!("No se puede arrancar el motor: {detail}"),
    not_a_whole_number: |what| format!("{what}: escribe un número entero"),
    cannot_read_file: |name| format!("{name}: no se puede leer el archivo"),
    download_refused: |name| format!("{name}: el navegador ha rechazado la descarga"),

    project_title: "Proyecto",
    save_project: "Guardar proyecto",
    open_project: "Abrir proyecto",
    download_model: "Descargar modelo",
    open_model: "Abrir modelo",
    project_hint: "Un archivo de proyecto (.ajuste) guarda las clases, sus imágenes, la configuración y el clasificador entrenado; suelta uno aquí para abrirlo. El modelo solo (un .zip) es lo que lee la herramienta de línea de órdenes ajuste.",
    opening: "Abriendo…",
    preparing_file: "Preparando el archivo…",
    files_not_ready: "Espera a que el motor esté listo (y sin entrenar) para abrir un archivo.",
    file_saved: |name| format!("Descargado {name}."),
    project_opened: |classes, images| {
        format!(
            "Abierto un proyecto de {} y {}.",
            counted(classes, "clase", "clases"),
            counted(images, "imagen", "imágenes")
        )
    },
    model_opened: |n, names| {
        format!(
            "Abierto un modelo de {}: {names}.",
            counted(n, "clase", "clases")
        )
    },
    project_image_name: |class, n| format!("{class}, imagen {n}"),
    file_without_bytes: |name| format!("{name}: el motor ha enviado el archivo sin su contenido."),
    file_interrupted: "El motor se detuvo antes de guardar o abrir el archivo: vuelve a intentarlo.",
    project_not_reopened: |detail| {
        format!(
            "El motor reiniciado no ha podido volver a abrir el proyecto ({detail}); sus imágenes se han quitado de la página: vuelve a abrir el archivo."
        )
    },
    storage_restoring: "Buscando trabajo guardado en este dispositivo…",
    storage_empty: "Aún no hay nada guardado en este dispositivo: tu trabajo se guarda aquí a medida que lo haces.",
    storage_saving: "Guardando en este dispositivo…",
    storage_waiting: "Cambios aún sin guardar en este dispositivo: se guardan cuando el motor quede libre.",
    storage_saved: |classes, images, size, room| {
        let room = room
            .map(|room| format!(" (de {room} disponibles)"))
            .unwrap_or_default();
        format!(
            "Guardado en este dispositivo: {}, {}, {size}{room}.",
            counted(classes, "clase", "clases"),
            counted(images, "imagen", "imágenes")
        )
    },
    not_saved: |reason| {
        format!(
            "Sin guardar: {reason}. Tu trabajo sigue en esta página; guarda el proyecto como archivo para conservarlo."
        )
    },
    storage_unavailable: |detail| {
        format!(
            "este navegador no deja que la página guarde datos (una ventana privada, o datos de sitios bloqueados en su configuración: {detail})"
        )
    },
    storage_full: |size| {
        format!(
            "no queda espacio: la cuota de almacenamiento del navegador para esta página está llena (el proyecto necesita {size}); libera espacio o quita imágenes, y se vuelve a intentar con tu próximo cambio"
        )
    },
    storage_failed: |detail| {
        format!(
            "el navegador no ha podido guardar el proyecto ({detail}); se vuelve a intentar con tu próximo cambio"
        )
    },
    stored_not_a_project: "lo guardado no es un archivo de proyecto",
    stored_project_unreadable: |detail| {
        format!(
            "no se ha podido abrir el proyecto guardado en este dispositivo ({detail}); tu próximo cambio lo sustituye"
        )
    },
    add_folder: "Añadir una carpeta",
    folder_hint: "Una carpeta con una subcarpeta de imágenes por clase, con el nombre de la clase (como la lee ajuste train --data). También puedes soltarla en cualquier lugar de la página.",
    folder_unreadable: |detail| format!("No se ha podido leer la carpeta ({detail})"),
    import_reading: |done, total| format!("Leyendo imágenes: {done} de {total}"),
    import_finished: |added| {
        format!(
            "Importación terminada: {}",
            counted(added, "imagen añadida", "imágenes añadidas")
        )
    },
    cancel_import: "Cancelar la importación",
    import_class_count: |class, n| format!("{n} a «{class}»"),
    import_added: |n, list| {
        if n == 0 {
            "No se ha añadido ninguna imagen.".into()
        } else {
            format!("Añadidas {}: {list}.", counted(n, "imagen", "imágenes"))
        }
    },
    import_refused: |n| {
        format!(
            "{} rechazados (cada clase dice por qué).",
            counted(n, "archivo", "archivos")
        )
    },
    import_cancelled: |n| {
        format!(
            "{} sin enviar: se canceló la importación.",
            counted(n, "archivo", "archivos")
        )
    },
    import_skipped: |n| format!("Omitidos {}:", counted(n, "archivo", "archivos")),
    skip_not_image: "no es una imagen (jpg, jpeg, png, webp, gif, bmp, jfif)",
    skip_not_in_class: "no está en la carpeta de una clase",
    skip_nested: "en una carpeta dentro de la carpeta de una clase (demasiado hondo)",
    skip_too_many_classes: |max| format!("más de {max} clases"),
    memory_plan: |plan| {
        let needed = plan.needed_bytes().div_ceil(1 << 20);
        let budget = plan.budget_bytes >> 20;
        let images = counted(plan.images, "imagen", "imágenes");
        match plan.kept {
            KeptViews::All => format!(
                "Memoria: a esta profundidad las activaciones de {images} ocupan {needed} MB de los {budget} MB permitidos; se guardan todas."
            ),
            KeptViews::First(n) => format!(
                "Memoria: a esta profundidad las activaciones de {images} ocuparían {needed} MB, más de los {budget} MB permitidos: se guardan {n} de las {} vistas de cada imagen.",
                plan.views
            ),
            KeptViews::Recomputed => format!(
                "Memoria: a esta profundidad las activaciones de {images} ocuparían {needed} MB, más de los {budget} MB permitidos: no se guarda ninguna, se vuelven a calcular en cada paso (más lento)."
            ),
        }
    },
};
