//! A button that copies a text to the clipboard and says so, for screen readers too.

use leptos::prelude::*;

/// Copies `text` (what is shown, masked or not) to the clipboard and says so.
#[component]
pub fn CopyButton(what: &'static str, text: Signal<String>) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _promise = window()
                .navigator()
                .clipboard()
                .write_text(&text.get_untracked());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
        set_copied.set(true);
    };
    view! {
        <button type="button" class="link copy" on:click=copy aria-label=format!("Copy the {what}")>
            "Copy"
        </button>
        <span class="copied" aria-live="polite">{move || copied.get().then_some("Copied")}</span>
    }
}
