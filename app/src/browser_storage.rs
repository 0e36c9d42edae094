//! The browser's storage: this tab's sessionStorage and this browser's localStorage. On the
//! server there is none: reads find nothing and writes do nothing.

/// Which storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// This tab only, until it closes.
    Session,
    /// Every tab of this browser, until cleared.
    Local,
}

#[cfg(feature = "hydrate")]
fn storage(store: Store) -> Option<web_sys::Storage> {
    let window = leptos::prelude::window();
    match store {
        Store::Session => window.session_storage(),
        Store::Local => window.local_storage(),
    }
    .ok()
    .flatten()
}

/// The value kept under `key`.
pub fn get(store: Store, key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        storage(store)?.get_item(key).ok().flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (store, key);
        None
    }
}

/// Keeps `value` under `key`.
pub fn set(store: Store, key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage(store) {
        let _ = s.set_item(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (store, key, value);
}

/// Forgets `key`.
pub fn remove(store: Store, key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage(store) {
        let _ = s.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (store, key);
}
