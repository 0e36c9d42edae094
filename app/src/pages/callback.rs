//! `/sandbox/callback`: where the demo clients' browsers come back from the authorization
//! server. It shows what arrived: the query (code flow) on the server, and the fragment
//! (implicit flow) once the page has hydrated, because a browser never sends the fragment to a
//! server.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The parameters a callback may carry, in the order shown.
const PARAMS: [&str; 8] = [
    "code",
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "state",
    "iss",
    "error",
];

/// The callback page.
#[component]
pub fn Callback() -> impl IntoView {
    let query = use_query_map();
    let from_query = move || {
        let q = query.get();
        let mut pairs: Vec<(String, String)> = PARAMS
            .iter()
            .filter_map(|name| q.get(name).map(|v| (name.to_string(), v)))
            .collect();
        if let Some(d) = q.get("error_description") {
            pairs.push(("error_description".into(), d));
        }
        pairs
    };
    // The fragment is read in the browser only.
    let (fragment, set_fragment) = signal(Vec::<(String, String)>::new());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        set_hydrated.set(true);
        let hash = window().location().hash().unwrap_or_default();
        let pairs = form_urlencoded::parse(hash.trim_start_matches('#').as_bytes())
            .into_owned()
            .collect();
        set_fragment.set(pairs);
    });
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Back at the client"</h1>
            <p class="lead">
                "The authorization server sent the browser back here, to the redirect URI the "
                "client registered."
            </p>
            <h2>"In the query (the code flow)"</h2>
            <Params pairs=Signal::derive(from_query) label="query" />
            <h2>"In the fragment (the implicit flow)"</h2>
            <p>
                "A browser never sends the part after " <code>"#"</code>
                " to any server, so only code running in this page can read it. "
                "That keeps the token out of server logs, and is also why the implicit flow "
                "cannot bind the token to the client (RFC 9700 §2.1.2)."
            </p>
            <Params pairs=fragment.into() label="fragment" />
            <crate::sandbox::implicit::ImplicitContinuation fragment=fragment />
            <crate::sandbox::code_flow::CodeContinuation
                code=Signal::derive(move || query.get().get("code"))
                returned_state=Signal::derive(move || query.get().get("state"))
                returned=Signal::derive(move || {
                    let q = query.get();
                    PARAMS
                        .iter()
                        .chain(&["error_description", "session_state"])
                        .filter_map(|name| q.get(name).map(|v| (name.to_string(), v)))
                        .collect::<Vec<_>>()
                })
            />
            <p><a href="/">"Back to the start"</a></p>
        </main>
    }
}

#[component]
fn Params(pairs: Signal<Vec<(String, String)>>, label: &'static str) -> impl IntoView {
    view! {
        <Show
            when=move || !pairs.get().is_empty()
            fallback=move || view! { <p class="muted">"Nothing in the " {label} "."</p> }
        >
            <dl class="callback-params" data-source=label>
                <For each=move || pairs.get() key=|(k, v)| (k.clone(), v.clone()) let:pair>
                    <dt>{pair.0.clone()}</dt>
                    <dd data-param=pair.0.clone()><code class="wrap">{pair.1.clone()}</code></dd>
                </For>
            </dl>
        </Show>
    }
}
