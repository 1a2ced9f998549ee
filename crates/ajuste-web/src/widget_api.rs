//! The widget's `postMessage` API (version 1; the messages are `ajuste_protocol::widget::api`):
//! events to the parent window, commands from it. Commands count only when they come from the
//! parent window itself (and from the pinned origin, with `#origin=`); anything else is
//! ignored. Events carry names and numbers, never an image.

use std::cell::RefCell;

use ajuste_protocol::widget::{Problem, WidgetCommand, WidgetEvent};
use leptos::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, ResizeObserver, Window};

use super::embed::Widget;
use super::state::{AppState, Phase};

thread_local! {
    /// The parent window and the origin events may go to; `None` outside a frame.
    static PARENT: RefCell<Option<(Window, String)>> = const { RefCell::new(None) };
}

/// Sends `event` to the parent window (nothing, outside a frame).
pub fn emit(event: WidgetEvent) {
    PARENT.with(|parent| {
        let parent = parent.borrow();
        let Some((window, origin)) = parent.as_ref() else {
            return;
        };
        let message = js_sys::JSON::parse(&event.to_json()).expect("events are JSON");
        if let Err(error) = window.post_message(&message, origin) {
            web_sys::console::warn_2(
                &"Ajuste widget: an event could not be posted".into(),
                &error,
            );
        }
    });
}

/// Starts the API: listens for commands, reports the content's height, and says `samples`
/// whenever the classes or their images change. The listeners live as long as the page.
pub fn start(state: AppState, widget: Widget) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let parent = match window.parent() {
        Ok(Some(parent)) if widget.framed => parent,
        _ => return,
    };
    let target = widget.origin.get_value().unwrap_or_else(|| "*".to_string());
    PARENT.with(|slot| *slot.borrow_mut() = Some((parent.clone(), target)));

    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let from_parent = message
            .source()
            .is_some_and(|source| js_sys::Object::is(&source, &parent));
        receive(state, widget, &message, from_parent);
    });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();

    watch_size(&window);
    watch_samples(state);
}

fn receive(state: AppState, widget: Widget, message: &MessageEvent, from_parent: bool) {
    let json = js_sys::JSON::stringify(&message.data())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let command = match WidgetCommand::parse(&json) {
        Ok(command) => command,
        Err(Problem::NotForUs) => return,
        Err(problem) => return warn(&format!("command ignored: {problem}")),
    };
    if !from_parent {
        return warn("command ignored: it did not come from the parent window");
    }
    if let Some(pinned) = widget.origin.get_value()
        && message.origin() != pinned
    {
        return warn(&format!(
            "command ignored: it came from {}, and only {pinned} may command this widget",
            message.origin()
        ));
    }
    match command {
        WidgetCommand::Configure { hash } => widget.configure(state, &hash),
        WidgetCommand::Train => match state.phase.get_untracked() {
            Phase::Ready | Phase::Done => state.train(),
            phase => warn(&format!(
                "`train` ignored: the widget is {}",
                phase.as_str()
            )),
        },
        WidgetCommand::Reset => widget.reset(state),
    }
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("Ajuste widget: {text}")));
}

/// `resize` with the body's height whenever it changes (whole CSS pixels).
fn watch_size(window: &Window) {
    let Some(body) = window.document().and_then(|d| d.body()) else {
        return;
    };
    let last = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let observed = body.clone();
    let on_resize = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let height = observed.get_bounding_client_rect().height().ceil() as u32;
        if height != last.replace(height) {
            emit(WidgetEvent::Resize { height });
        }
    });
    match ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        Ok(observer) => observer.observe(&body),
        Err(error) => web_sys::console::warn_2(&"Ajuste widget: no ResizeObserver".into(), &error),
    }
    on_resize.forget();
}

/// `samples` whenever a class, its name or its image count changes.
fn watch_samples(state: AppState) {
    let counts = Memo::new(move |_| state.class_counts());
    Effect::new(move |_| {
        emit(WidgetEvent::Samples {
            classes: counts.get(),
        })
    });
}
