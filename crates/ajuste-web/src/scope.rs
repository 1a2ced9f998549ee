//! Names that carry the app's scope: the path it is served under (`/`, `/ajuste/`,
//! `/ajuste-beta/`). IndexedDB, Web Locks and BroadcastChannel are shared by a whole origin,
//! so two deployments on one origin would otherwise read, lock and overwrite each other's
//! project (the service worker's caches carry the same scope, `www/sw.js`).

/// The folder of the page's path: `/ajuste/index.html` and `/ajuste/` are both `/ajuste/`.
pub fn scope_of(pathname: &str) -> &str {
    match pathname.rfind('/') {
        Some(end) => &pathname[..=end],
        None => "/",
    }
}

/// This page's scope.
pub fn app_scope() -> String {
    let pathname = web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .unwrap_or_default();
    scope_of(&pathname).to_string()
}

/// The IndexedDB database that keeps this deployment's projects.
pub fn database_name() -> String {
    format!("ajuste@{}", app_scope())
}

/// The Web Lock held by the one tab that writes `project` (`writer.rs`).
pub fn lock_name(project: &str) -> String {
    format!("ajuste@{}#{project}", app_scope())
}

/// The BroadcastChannel on which this deployment's tabs tell each other what they stored.
pub fn channel_name() -> String {
    format!("ajuste@{}", app_scope())
}
