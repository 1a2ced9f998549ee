//! The list of projects kept on this device (`project-list`), in the project bar: this
//! project's name, a new project, and each project with what it holds, when it last changed,
//! and open, duplicate and delete (a second click confirms); under it, what they all take
//! against what the browser allows. What the buttons do is in `projects.rs`. Leaving this
//! project (New, Open) waits while its last changes are on their way to the device: the
//! reload would drop them.

use leptos::prelude::*;

use super::catalog::Entry;
use super::counts;
use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::projects::{Projects, display_name};
use super::set_aside::{download_set_aside, set_aside_time};
use super::state::AppState;
use super::storage_status::StorageStatus;
use super::writer::Writer;

/// Whether changes of this project are still on their way to the device (tracked).
fn saving(state: AppState) -> bool {
    state
        .storage
        .with(|status| matches!(status, StorageStatus::Saving))
}

#[component]
pub fn ProjectList() -> impl IntoView {
    let projects = expect_context::<Projects>();
    let writer = expect_context::<Writer>();
    let state = expect_context::<AppState>();
    // Another tab saved something: the counts and dates may have moved.
    Effect::new(move |_| {
        writer.saves_elsewhere.track();
        projects.refresh();
    });
    let total = move || {
        let bytes = projects
            .list
            .with(|list| list.iter().map(|e| e.bytes).sum::<f64>());
        messages::projects_total(bytes, projects.room_left.get())
    };
    view! {
        <details class="projects" data-testid="project-list" data-current=move || projects.current_id()>
            <summary>
                {move || td_string!(locale(), projects.title, n = projects.list.with(Vec::len))}
            </summary>
            <div class="add-row">
                <label>
                    {move || td_string!(locale(), projects.name_label)}
                    <input
                        type="text"
                        data-testid="rename-project"
                        maxlength="100"
                        prop:value=move || projects.name.get()
                        placeholder=move || td_string!(locale(), projects.untitled)
                        disabled=move || !writer.writes()
                        on:change=move |event| projects.rename(event_target_value(&event))
                    />
                </label>
                <button
                    type="button"
                    data-testid="new-project"
                    disabled=move || saving(state)
                    on:click=move |_| projects.create()
                >
                    {move || td_string!(locale(), projects.create)}
                </button>
            </div>
            <ul class="project-items">
                <For
                    each=move || projects.list.get()
                    key=|entry| (entry.id.clone(), entry.name.clone(), entry.images, entry.changed.to_bits())
                    let:entry
                >
                    <ProjectItem entry />
                </For>
            </ul>
            <p class="hint" data-testid="projects-total">{total}</p>
            <Show when=move || projects.set_aside.with(|keys| !keys.is_empty())>
                <p class="hint">{move || td_string!(locale(), projects.set_aside)}</p>
                <ul class="project-items">
                    <For each=move || projects.set_aside.get() key=|key| key.clone() let:key>
                        <SetAsideItem key />
                    </For>
                </ul>
            </Show>
            <Show when=move || projects.error.with(Option::is_some)>
                <p class="error" role="alert" data-testid="project-list-error">{move || projects.error.get()}</p>
            </Show>
        </details>
    }
}

#[component]
fn ProjectItem(entry: Entry) -> impl IntoView {
    let projects = expect_context::<Projects>();
    let state = expect_context::<AppState>();
    let current = entry.id == projects.current_id();
    let name = display_name(&entry);
    let shown_name = name.clone();
    let (open_id, duplicate_id, delete_id, confirm_id) = (
        entry.id.clone(),
        entry.id.clone(),
        entry.id.clone(),
        entry.id.clone(),
    );
    let confirming = move || {
        projects
            .confirming
            .with(|c| c.as_deref() == Some(confirm_id.as_str()))
    };
    let confirming_label = confirming.clone();
    let what = format!(
        "{}, {} · {}",
        counts::classes(entry.classes),
        counts::images(entry.images),
        messages::project_changed(entry.bytes, entry.changed),
    );
    view! {
        <li
            data-testid="project-item"
            data-name=name
            data-images=entry.images.to_string()
            data-current=current.to_string()
            class:current=current
        >
            <span class="project-name">{shown_name}</span>
            <span class="hint">{what}</span>
            <button
                type="button"
                data-testid="open-project-item"
                disabled=move || current || saving(state)
                on:click=move |_| projects.open(&open_id)
            >
                {move || td_string!(locale(), projects.open)}
            </button>
            <button
                type="button"
                data-testid="duplicate-project"
                on:click=move |_| projects.duplicate(duplicate_id.clone())
            >
                {move || td_string!(locale(), projects.duplicate)}
            </button>
            <button
                type="button"
                data-testid="delete-project"
                data-confirming=move || confirming().to_string()
                on:click=move |_| projects.delete(delete_id.clone())
            >
                {move || if confirming_label() {
                    td_string!(locale(), projects.confirm_delete).to_string()
                } else {
                    td_string!(locale(), projects.delete).to_string()
                }}
            </button>
        </li>
    }
}

/// A record set aside, with its download.
#[component]
fn SetAsideItem(key: String) -> impl IntoView {
    let projects = expect_context::<Projects>();
    let time = set_aside_time(&key).to_string();
    let shown_key = key.clone();
    view! {
        <li data-testid="set-aside-item" data-key=shown_key>
            <span class="project-name">{time}</span>
            <button
                type="button"
                data-testid="download-set-aside-item"
                on:click=move |_| {
                    let key = key.clone();
                    leptos::task::spawn_local(async move {
                        if let Err(message) = download_set_aside(&key).await {
                            projects.error.set(Some(message));
                        }
                    });
                }
            >
                {move || td_string!(locale(), storage.download_set_aside)}
            </button>
        </li>
    }
}
