//! One writer per project: the tab that holds the project's Web Lock (`scope::lock_name`)
//! is the only one that saves it. A second tab that opens the same project finds the lock
//! taken, shows the stored project without saving anything, and offers to take over; taking
//! over steals the lock (the first tab's hold ends, and it stops saving and says why) and
//! reloads, so that the new writer starts from what the first one stored last. The writer
//! tells the other tabs when it stored something (BroadcastChannel), so that they can say
//! that what they show is older. No silent last-writer-wins.

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BroadcastChannel, MessageEvent};

use super::scope;

/// Set in sessionStorage by "Take over here", read by the page that the reload starts.
const TAKE_OVER_KEY: &str = "ajuste-take-over";
/// What a writer posts after each save, followed by the project's id.
const SAVED: &str = "saved:";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Asking the browser for the project's lock.
    Asking,
    /// This tab holds the lock: it alone saves the project.
    Writer,
    /// Another tab holds it: this one saves nothing.
    OpenElsewhere,
    /// Another tab took the lock from this one, which stopped saving.
    TakenOver,
    /// A stored project that could not be opened could not be set aside either: this tab
    /// saves nothing rather than overwrite it (the storage-status line says why).
    Stopped,
}

impl Role {
    /// `data-role`, for the browser tests.
    pub fn name(self) -> &'static str {
        match self {
            Self::Asking => "asking",
            Self::Writer => "writer",
            Self::OpenElsewhere => "open-elsewhere",
            Self::TakenOver => "taken-over",
            Self::Stopped => "stopped",
        }
    }
}

/// This tab's part in writing the project.
#[derive(Clone, Copy)]
pub struct Writer {
    pub role: RwSignal<Role>,
    /// The writer stored changes after this tab read the project (not a writer itself).
    pub newer_elsewhere: RwSignal<bool>,
    /// The person chose to stay read-only: the offer to take over is folded away.
    pub offer_dismissed: RwSignal<bool>,
    /// Counts the saves other tabs announced, of any project (the project list reads it).
    pub saves_elsewhere: RwSignal<u64>,
    /// The project this tab shows.
    project: StoredValue<String>,
    channel: StoredValue<Option<BroadcastChannel>, LocalStorage>,
}

impl Writer {
    pub fn new() -> Self {
        Self {
            role: RwSignal::new(Role::Asking),
            newer_elsewhere: RwSignal::new(false),
            offer_dismissed: RwSignal::new(false),
            saves_elsewhere: RwSignal::new(0),
            project: StoredValue::new(String::new()),
            channel: StoredValue::new_local(None),
        }
    }

    /// A page that keeps nothing (the widget) never writes.
    pub fn never(self) {
        self.role.set(Role::OpenElsewhere);
        self.offer_dismissed.set(true);
    }

    /// Asks for `project`'s lock (stealing it after "Take over here"), and listens to the
    /// other tabs.
    pub fn claim(self, project: &str) {
        self.project.set_value(project.to_string());
        self.listen();
        let steal = take_over_requested();
        let Some((locks, request)) = lock_manager() else {
            // No Web Locks (an insecure context, an old browser): this tab writes, as every
            // tab did before.
            leptos::logging::warn!("no Web Locks: another tab could overwrite this project");
            return self.role.set(Role::Writer);
        };
        let options = Object::new();
        let option = if steal { "steal" } else { "ifAvailable" };
        let _ = Reflect::set(&options, &option.into(), &JsValue::TRUE);
        let role = self.role;
        let granted = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            if lock.is_null() {
                role.set(Role::OpenElsewhere);
                return Promise::resolve(&JsValue::UNDEFINED).into();
            }
            role.set(Role::Writer);
            // Held for as long as the page lives.
            Promise::new(&mut |_, _| {}).into()
        });
        let name = JsValue::from_str(&scope::lock_name(project));
        let held = request
            .call3(&locks, &name, &options, &granted)
            .ok()
            .and_then(|promise| promise.dyn_into::<Promise>().ok());
        let Some(held) = held else {
            return self.role.set(Role::Writer);
        };
        wasm_bindgen_futures::spawn_local(async move {
            // A hold only ends when another tab steals it (an AbortError).
            if JsFuture::from(held).await.is_err() && role.get_untracked() == Role::Writer {
                role.set(Role::TakenOver);
            }
        });
    }

    /// Whether this tab may save now.
    pub fn writes(&self) -> bool {
        self.role.get() == Role::Writer
    }

    /// "Take over here": this tab becomes the writer, from what is stored.
    pub fn take_over(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(Some(storage)) = window.session_storage() {
            let _ = storage.set_item(TAKE_OVER_KEY, "1");
        }
        let _ = window.location().reload();
    }

    /// Tells the other tabs that the project was stored.
    pub fn announce_saved(&self) {
        let message = format!("{SAVED}{}", self.project.get_value());
        self.channel.with_value(|channel| {
            if let Some(channel) = channel {
                let _ = channel.post_message(&message.into());
            }
        });
    }

    fn listen(&self) {
        let Ok(channel) = BroadcastChannel::new(&scope::channel_name()) else {
            return;
        };
        let (role, newer, saves, project) = (
            self.role,
            self.newer_elsewhere,
            self.saves_elsewhere,
            self.project,
        );
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(saved) = event.data().as_string() else {
                return;
            };
            let Some(saved) = saved.strip_prefix(SAVED) else {
                return;
            };
            saves.update(|n| *n += 1);
            if project.with_value(|p| p == saved) && role.get_untracked() != Role::Writer {
                newer.set(true);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Listens for the page's whole life.
        on_message.forget();
        self.channel.set_value(Some(channel));
    }
}

/// `navigator.locks` and its `request`, where the browser has them.
fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if !locks.is_object() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((locks, request))
}

/// Whether the page was reloaded by "Take over here" (the mark is used up).
fn take_over_requested() -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else {
        return false;
    };
    let requested = storage.get_item(TAKE_OVER_KEY).ok().flatten().is_some();
    if requested {
        let _ = storage.remove_item(TAKE_OVER_KEY);
    }
    requested
}

/// Whether some tab of this browser holds `project`'s lock (has it open as the writer).
pub async fn open_in_some_tab(project: &str) -> bool {
    let Some((locks, _)) = lock_manager() else {
        return false;
    };
    let query = Reflect::get(&locks, &"query".into())
        .ok()
        .and_then(|query| query.dyn_into::<Function>().ok());
    let Some(promise) = query
        .and_then(|query| query.call0(&locks).ok())
        .and_then(|promise| promise.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    let Ok(snapshot) = JsFuture::from(promise).await else {
        return false;
    };
    let name = scope::lock_name(project);
    let held = Reflect::get(&snapshot, &"held".into()).unwrap_or(JsValue::UNDEFINED);
    js_sys::Array::from(&held).iter().any(|lock| {
        Reflect::get(&lock, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == name)
    })
}
