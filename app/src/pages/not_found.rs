//! The page shown for a path that matches no route.

use leptos::prelude::*;

/// A plain 404 page with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <h1>"Not found"</h1>
            <p>"Nothing lives at this address. " <a href="/">"Back to the start"</a></p>
        </main>
    }
}
