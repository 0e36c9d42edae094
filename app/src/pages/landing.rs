//! The landing page: the learner's path first (start the tutorial, or pick a flow; the four
//! roles), then the developer's (a client of your own, the endpoint reference).

use super::intro::{FlowCards, FlowGuide, RolesPicture};
use leptos::prelude::*;

/// The start page.
#[component]
pub fn Landing() -> impl IntoView {
    // Effects run only in the browser, so this marks the page as hydrated.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <header class="hero">
                <h1>"oauth-sandbox"</h1>
                <p class="lead">
                    "Learn OAuth 2.0 and OpenID Connect by running them. A real authorization "
                    "server, a demo API, and every request and response of each flow on one "
                    "timeline: the redirects your browser follows as well as the calls your app makes."
                </p>
                <p class="hero-actions">
                    <a class="button primary" href=crate::endpoints::TUTORIAL>"Start the tutorial"</a> " "
                    <a class="button" href="#flows">"Pick a flow"</a> " "
                    <a class="button" href="#guide-title">"Which flow should I use?"</a>
                </p>
            </header>
            <section aria-labelledby="flows-title" id="flows">
                <h2 id="flows-title">"Run a flow, step by step"</h2>
                <p>"Every run is kept for this browser: see the " <a href="/sandbox/runs">"runs"</a> ", reopen one, export it."</p>
                <FlowCards />
            </section>
            <section aria-labelledby="roles-heading">
                <h2 id="roles-heading">"Four roles"</h2>
                <p>
                    "Every OAuth flow is a conversation between four parties (RFC 6749 §1.1). "
                    "The flow pages draw each step on this cast."
                </p>
                <RolesPicture />
            </section>
            <FlowGuide />
            <section aria-labelledby="console-heading" class="card">
                <h2 id="console-heading">"Need a client of your own?"</h2>
                <p>
                    "Create a developer account, register a client (its secret is shown once), and use it "
                    "here in the sandbox or from your own app. Clients can also be registered from a script "
                    "with RFC 7591 dynamic registration."
                </p>
                <p>
                    <a class="button primary" rel="external" href=crate::endpoints::SIGNUP>"Create a developer account"</a> " "
                    <a class="button" href=crate::endpoints::CONSOLE>"Open the developer console"</a>
                </p>
            </section>
            <section aria-labelledby="reference-title" class="card">
                <h2 id="reference-title">"Point your own client at it"</h2>
                <p>
                    "The discovery document at " <code>"/.well-known/openid-configuration"</code>
                    " lists every endpoint; the " <a href="/endpoints">"endpoint reference"</a>
                    " explains each one, with a curl line that runs against the demo data."
                </p>
            </section>
        </main>
    }
}
