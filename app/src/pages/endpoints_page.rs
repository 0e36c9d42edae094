//! `/endpoints`: the reference of every endpoint the server serves, grouped by who calls it,
//! filterable, each with a curl line that runs against the demo data.
//!
//! The list comes from [`crate::endpoints::ENDPOINTS`], the same constants the server builds
//! its routes and discovery document from.

use crate::endpoints::{Audience, ENDPOINTS, Endpoint};
use leptos::prelude::*;

const GROUPS: [Audience; 5] = [
    Audience::Discovery,
    Audience::AuthorizationServer,
    Audience::ResourceServer,
    Audience::Admin,
    Audience::Operations,
];

/// The endpoint reference page.
#[component]
pub fn EndpointsPage() -> impl IntoView {
    let (filter, set_filter) = signal(String::new());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Endpoints"</h1>
            <p class="lead">
                "Every endpoint this server serves. Set " <code>"ISSUER"</code>
                " to its address (for example " <code>"ISSUER=http://127.0.0.1:3000"</code>
                ") and the curl lines run as they are."
            </p>
            <label class="filter">
                "Filter endpoints "
                <input
                    type="search"
                    placeholder="token, jwks, Patient…"
                    prop:value=filter
                    on:input=move |ev| set_filter.set(event_target_value(&ev))
                />
            </label>
            {GROUPS
                .into_iter()
                .map(|group| view! { <EndpointGroup group filter /> })
                .collect_view()}
        </main>
    }
}

/// True when the endpoint matches the filter text (case-insensitive, any field).
fn matches(endpoint: &Endpoint, filter: &str) -> bool {
    let needle = filter.trim().to_ascii_lowercase();
    needle.is_empty()
        || [
            endpoint.path,
            endpoint.summary,
            endpoint.standard,
            endpoint.methods,
        ]
        .iter()
        .any(|field| field.to_ascii_lowercase().contains(&needle))
}

#[component]
fn EndpointGroup(group: Audience, filter: ReadSignal<String>) -> impl IntoView {
    let endpoints = move || {
        let text = filter.get();
        ENDPOINTS
            .iter()
            .filter(|e| e.audience == group && matches(e, &text))
            .copied()
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !endpoints().is_empty()>
            <h3>{group.title()}</h3>
            <ul class="endpoints">
                <For each=endpoints key=|e| (e.path, e.methods) let:endpoint>
                    <EndpointRow endpoint />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn EndpointRow(endpoint: Endpoint) -> impl IntoView {
    let (open, set_open) = signal(false);
    let curl = curl_example(&endpoint);
    view! {
        <li class="endpoint">
            <div class="endpoint-line">
                <span class="methods">{endpoint.methods}</span>
                <code class="path">{endpoint.path}</code>
                <span class="summary">{endpoint.summary}</span>
                <span class="standard">{endpoint.standard}</span>
                <button
                    type="button"
                    class="link"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| set_open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Hide curl" } else { "Show curl" }}
                </button>
            </div>
            <Show when=move || open.get()>
                <pre class="curl">{curl.clone()}</pre>
            </Show>
        </li>
    }
}

/// A curl line that exercises the endpoint against the demo data.
fn curl_example(endpoint: &Endpoint) -> String {
    use crate::endpoints as ep;
    let path = endpoint.path.replace("{id}", "service-client");
    match endpoint.path {
        ep::TOKEN => format!(
            "curl -s -u service-client:service-secret \\\n  -d grant_type=client_credentials -d scope=patient.read \\\n  \"$ISSUER{path}\""
        ),
        ep::INTROSPECT | ep::REVOKE => format!(
            "curl -s -u service-client:service-secret -d token=\"$TOKEN\" \"$ISSUER{path}\""
        ),
        ep::PATIENTS | ep::PATIENT => format!(
            "curl -s -H \"Authorization: Bearer $TOKEN\" \"$ISSUER{}\"",
            path.replace("service-client", "pat-1")
        ),
        ep::AUTHORIZE => format!(
            "# open in a browser:\n$ISSUER{path}?response_type=code&client_id=web-client&redirect_uri=$ISSUER/sandbox/callback&scope=openid%20profile&state=xyz&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        ),
        ep::USERINFO => format!("curl -s -H \"Authorization: Bearer $TOKEN\" \"$ISSUER{path}\""),
        ep::LOGOUT => {
            format!("# open in a browser (it asks before signing you out):\n$ISSUER{path}")
        }
        // `$` in a path is escaped, or the shell would expand `$rotate` inside the quotes.
        ep::KEY_ROTATE | ep::CLIENT_SECRET => format!(
            "curl -s -u \"admin:$ADMIN_PASSWORD\" -X POST \"$ISSUER{}\"",
            path.replace('$', "\\$")
        ),
        ep::REGISTER => format!(
            "curl -s -X POST -H \"Authorization: Bearer $INITIAL_TOKEN\" \\\n  -H 'content-type: application/json' \\\n  -d '{{\"client_name\": \"CI\", \"grant_types\": [\"client_credentials\"]}}' \\\n  \"$ISSUER{path}\""
        ),
        p if p.starts_with("/.well-known") || p == ep::HEALTHZ || p == ep::READYZ => {
            format!("curl -s \"$ISSUER{path}\"")
        }
        _ => format!("curl -s -u \"admin:$ADMIN_PASSWORD\" \"$ISSUER{path}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dollar_in_a_path_is_escaped_for_the_shell() {
        for e in ENDPOINTS.iter().filter(|e| e.path.contains('$')) {
            let line = curl_example(e);
            assert!(line.contains("\\$") && line.contains("-X POST"), "{line}");
        }
        let register = ENDPOINTS
            .iter()
            .find(|e| e.path == crate::endpoints::REGISTER)
            .unwrap();
        assert!(curl_example(register).contains("Bearer $INITIAL_TOKEN"));
    }
}
