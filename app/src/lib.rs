//! The oauth-sandbox user interface.
//!
//! Leptos components rendered on the server (feature `ssr`) and hydrated in the browser
//! (feature `hydrate`). This crate never depends on the server crate: what it shares with the
//! server, such as the endpoint paths, lives here and the server imports it.

#![recursion_limit = "256"]

pub mod account_pages;
pub mod auth_pages;
pub mod browser_storage;
pub mod console;
pub mod copy_button;
pub mod endpoints;
mod pages;
pub mod sandbox;
pub mod tutorial;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

/// The name wasm-bindgen gives the hydration bundle (`/pkg/<name>.js`, `/pkg/<name>_bg.wasm`).
pub const OUTPUT_NAME: &str = "oauth_sandbox";

/// The HTML document around the app; the server renders it for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: the stylesheet, the title and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href=format!("/pkg/{OUTPUT_NAME}.css") />
        <Title text="oauth-sandbox" />
        <Router>
            <pages::TopNav />
            <Routes fallback=pages::NotFound>
                <Route path=StaticSegment("") view=pages::Landing />
                <Route path=StaticSegment("endpoints") view=pages::EndpointsPage />
                <Route path=StaticSegment("tutorial") view=tutorial::TutorialPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("tools"), StaticSegment("token")) view=pages::TokenToolsPage />
                <Route path=(StaticSegment("tutorial"), ParamSegment("chapter")) view=tutorial::chapter::ChapterPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("callback")) view=pages::Callback />
                <Route
                    path=(StaticSegment("sandbox"), StaticSegment("client-credentials"))
                    view=sandbox::client_credentials::ClientCredentialsPage ssr=SsrMode::Async
                />
                <Route path=(StaticSegment("sandbox"), StaticSegment("basic")) view=sandbox::basic::BasicPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("implicit")) view=sandbox::implicit::ImplicitPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("runs")) view=sandbox::runs::RunsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("runs"), ParamSegment("id")) view=sandbox::runs::RunPage ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("sandbox"), StaticSegment("authorization-code"))
                    view=sandbox::code_flow::AuthorizationCodePage ssr=SsrMode::Async
                />
                <Route path=(StaticSegment("sandbox"), StaticSegment("password")) view=sandbox::password::PasswordPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("device")) view=sandbox::device::DevicePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("jwt-auth")) view=sandbox::jwt_auth::JwtAuthPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("smart-standalone")) view=sandbox::smart::SmartStandalonePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("smart-ehr")) view=sandbox::smart::SmartEhrPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("sandbox"), StaticSegment("smart-ehr"), StaticSegment("launch")) view=sandbox::smart::SmartAppLaunchPage />
                <Route path=(StaticSegment("sandbox"), StaticSegment("backend-services")) view=sandbox::backend_services::BackendServicesPage ssr=SsrMode::Async />
                <Route path=StaticSegment("developer") view=console::dashboard::Dashboard ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("clients"), StaticSegment("new")) view=console::client_editor::NewClientPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("clients"), ParamSegment("id")) view=console::client_editor::ClientPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("users")) view=console::users_page::UsersPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("policies")) view=console::policies_page::PoliciesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("trusted-issuers")) view=console::trusts_page::TrustsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("developer"), StaticSegment("preview")) view=console::preview_page::PreviewPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// Replaces the address bar's URL without a navigation (in the browser; nothing on the server).
pub fn replace_url(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// The browser entry point: hydrate the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
