//! The Implicit flow page (RFC 6749 §4.2), marked legacy: RFC 9700 §2.1.2 says clients SHOULD
//! NOT use it. The token comes back in the URL fragment, which only code in the page can read.

use super::diagram::Arrow;
use super::flow::{FlowFrame, FlowState, StepList, TextParam, TokenSteps};
use super::token_view::TokenView;
use super::wire::StepInput;
use crate::endpoints as ep;
use leptos::prelude::*;

fn arrows() -> Vec<Arrow> {
    vec![
        Arrow {
            from: 1,
            to: 0,
            label: "redirect to /auth/authorize (response_type=token)",
        },
        Arrow {
            from: 0,
            to: 2,
            label: "sign in and consent",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "redirect back: #access_token=… in the fragment",
        },
        Arrow {
            from: 1,
            to: 3,
            label: "GET /fhir/Patient (Bearer)",
        },
        Arrow {
            from: 3,
            to: 1,
            label: "patients, or 401/403",
        },
        Arrow {
            from: 1,
            to: 2,
            label: "POST /auth/introspect or /auth/revoke",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "the answer",
        },
    ]
}

/// The authorization URL for the implicit flow.
pub fn implicit_url(origin: &str, scope: &str, state: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "token")
        .append_pair("client_id", "spa-client")
        .append_pair("redirect_uri", &format!("{origin}{}", ep::CALLBACK))
        .append_pair("scope", scope)
        .append_pair("state", state)
        .finish();
    format!("{}?{query}", ep::AUTHORIZE)
}

/// The page that starts the flow.
#[component]
pub fn ImplicitPage() -> impl IntoView {
    let scope = RwSignal::new("patient.read".to_owned());
    let state_v = RwSignal::new("implicit-demo".to_owned());
    let origin = RwSignal::new(String::new());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        set_hydrated.set(true);
        origin.set(window().location().origin().unwrap_or_default());
    });
    let url = move || implicit_url(&origin.get(), &scope.get(), &state_v.get());
    let go = move |_| {
        let _ = window().location().assign(&url());
    };
    view! {
        <FlowFrame
            title="Implicit"
            status="legacy"
            status_text="Legacy: RFC 9700 §2.1.2 says clients SHOULD NOT use it"
            lead="The access token comes straight back in the redirect, in the URL fragment, with no code and no back channel (RFC 6749 §4.2). It was made for browser apps before CORS and PKCE. The token sits in the browser's address bar and history, cannot be bound to the client, and can leak through the Referer or injected scripts; there is never a refresh token. Use the authorization code flow with PKCE instead."
            arrows=arrows()
            state=FlowState::new("implicit")
        >
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <TextParam label="Scope" name="scope" value=scope />
                    <TextParam label="state" name="state" value=state_v />
                </div>
                <p>"Client: " <code>"spa-client"</code> " (public, registered for the implicit grant for this lesson)."</p>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <pre class="http" tabindex="0" aria-label="Authorization URL">{url}</pre>
                <div class="step-buttons">
                    <button class="primary" on:click=go disabled=move || !hydrated.get()>"Run 1: go to the authorization server"</button>
                </div>
                <p>
                    "This flow needs JavaScript twice: to leave, and on the way back, because a "
                    "browser never sends the fragment to a server: only the page's script can read the token."
                </p>
            </section>
        </FlowFrame>
    }
}

/// On the callback page: the token the fragment carried, inspected and used.
#[component]
pub fn ImplicitContinuation(
    #[prop(into)] fragment: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let flow = FlowState::new("implicit");
    let inspection = RwSignal::new(None);
    let token = move || {
        fragment.with(|f| {
            f.iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.clone())
        })
    };
    Effect::new(move |_| {
        if let Some(t) = token() {
            flow.outside_token.set(Some(t.clone()));
            leptos::task::spawn_local(async move {
                inspection.set(super::api::inspect_token(t).await.ok());
            });
        }
    });
    // The public client authenticates with its id alone.
    let make = Callback::new(move |()| StepInput {
        client_id: "spa-client".into(),
        ..Default::default()
    });
    view! {
        <Show when=move || token().is_some()>
            <section class="continuation" aria-labelledby="implicit-title">
                <h2 id="implicit-title">"Finish the implicit flow"</h2>
                <p>"No refresh token came back, and none ever will (RFC 6749 §4.2.2)."</p>
                <div class="step-buttons">
                    <TokenSteps state=flow make />
                </div>
                <Show when=move || flow.run_id().is_none()>
                    {move || inspection.get().map(|i| view! { <TokenView inspection=i /> })}
                </Show>
                <StepList state=flow />
            </section>
        </Show>
    }
    .into_any()
}
