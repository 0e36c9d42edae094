//! The site's static files (the hydration bundle, its JavaScript glue, the stylesheet and the
//! public files) and the page for everything else, which the Leptos app renders as a 404.
//!
//! Release builds embed the files (memory-serve, see `build.rs`): one copied binary serves pages
//! that hydrate, and rebuilding the site under a running server changes nothing it serves.
//! Each file is served with its content type, an `ETag`, brotli or gzip as the browser accepts,
//! and `Cache-Control: no-cache`: the names carry no hash, so a browser revalidates (a cheap
//! 304) and never pairs a new page with an old bundle. `--site-root` serves a directory from
//! disk instead, for development.

use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::StatusCode;
use axum::response::Response;
use std::future::Future;
use std::pin::Pin;

/// The Leptos app's own 404 page, rendered with the server functions' context.
pub fn not_found(
    state: AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> impl Fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>> + Clone + Send + Sync + 'static
{
    let options = state.leptos.clone();
    let render = leptos_axum::render_app_to_stream_with_context(context, move || {
        app::shell(options.clone())
    });
    move |request: Request| {
        let render = render.clone();
        Box::pin(async move {
            let mut response = render(request).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            response
        })
    }
}

/// The static files, from `site_root` when given, else the copy embedded in the binary; every
/// other path gets `fallback`.
pub fn assets<F>(site_root: Option<&str>, fallback: F) -> Router<AppState>
where
    F: Fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let fallback = move |request: Request<Body>| fallback(request);
    match site_root {
        Some(root) => Router::new().fallback_service(
            tower_http::services::ServeDir::new(root)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(fallback.into_service()),
        ),
        None => memory_serve::load!()
            .index_file(None)
            .cache_control(memory_serve::CacheControl::NoCache)
            .html_cache_control(memory_serve::CacheControl::NoCache)
            .into_router()
            .fallback(fallback),
    }
}
