//! The Client Credentials flow page (RFC 6749 §4.4), one step at a time, every step for real.

use super::diagram::Arrow;
use super::flow::{FlowFrame, FlowState, Keep, TextParam};
use super::requests::{self, ClientAuth};
use leptos::prelude::*;

fn arrows() -> Vec<Arrow> {
    vec![
        Arrow {
            from: 1,
            to: 2,
            label: "POST /auth/token (client id + secret)",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "access token",
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
    ]
}

/// The page.
#[component]
pub fn ClientCredentialsPage() -> impl IntoView {
    let state = FlowState::new("client-credentials");
    let client_id = RwSignal::new("service-client".to_owned());
    let secret = RwSignal::new("service-secret".to_owned());
    let scope = RwSignal::new("patient.read".to_owned());
    let auth = RwSignal::new(ClientAuth::Basic);
    let no_token = move || state.busy.get() || state.no_token();

    let get_token = move |_| {
        let req =
            requests::client_credentials(auth.get(), &client_id.get(), &secret.get(), &scope.get());
        state.run(
            "1. Request a token",
            "The client proves who it is with its secret and asks for a scope. No user is involved.",
            0,
            req,
            Keep::Tokens,
        );
    };
    let wrong_secret = move |_| {
        let req = requests::client_credentials(
            auth.get(),
            &client_id.get(),
            "not-the-secret",
            &scope.get(),
        );
        state.run(
            "Lesson: a wrong secret",
            "The server answers 401 invalid_client with a Basic challenge (RFC 6749 §5.2) and issues nothing. \
             A secret is compared with the stored argon2 hash; the server never stores or logs it.",
            0,
            req,
            Keep::Nothing,
        );
    };
    let call_api = move |_| {
        if let Some(t) = state.token.get() {
            state.run(
                "2. Call the demo API",
                "The resource server checks the token's signature, expiry and revocation, then asks its access policies.",
                2,
                requests::api_call(&t),
                Keep::Nothing,
            );
        }
    };
    let introspect = move |_| {
        if let Some(t) = state.token.get() {
            let req = requests::introspect(auth.get(), &client_id.get(), &secret.get(), &t);
            state.run(
                "3. Introspect the token",
                "RFC 7662: the server says whether the token is active and what it allows.",
                0,
                req,
                Keep::Nothing,
            );
        }
    };
    let revoke = move |_| {
        if let Some(t) = state.token.get() {
            let req = requests::revoke(auth.get(), &client_id.get(), &secret.get(), &t);
            state.run(
                "4. Revoke the token",
                "RFC 7009: 200 whether or not the token was known, so a client cannot probe for tokens.",
                0,
                req,
                Keep::Nothing,
            );
        }
    };
    let again = move |_| {
        if let Some(t) = state.token.get() {
            state.run(
                "5. Call the API after revoking",
                "Revoked tokens stop working at once, JWTs included: the server keeps each token's id and checks it on every call.",
                2,
                requests::api_call(&t),
                Keep::Nothing,
            );
        }
    };

    view! {
        <FlowFrame
            title="Client Credentials"
            status="recommended"
            status_text="Recommended for machine-to-machine calls"
            lead="A service calls an API on its own behalf: no person signs in. The client holds a secret, so it must run on a server you control. The token endpoint trades the client's credentials for an access token (RFC 6749 §4.4)."
            arrows=arrows()
            state
        >
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <label>"Client"
                        <select on:change=move |ev| {
                            secret.set("service-secret".into());
                            client_id.set(event_target_value(&ev));
                        }>
                            <option value="service-client">"service-client (JWT access tokens)"</option>
                            <option value="service-client-opaque">"service-client-opaque (opaque access tokens)"</option>
                        </select>
                    </label>
                    <TextParam label="Client secret" value=secret secret=true />
                    <TextParam label="Scope" value=scope />
                    <label>"Client authentication"
                        <select on:change=move |ev| auth.set(if event_target_value(&ev) == "post" { ClientAuth::Post } else { ClientAuth::Basic })>
                            <option value="basic">"client_secret_basic (Authorization header)"</option>
                            <option value="post">"client_secret_post (in the body)"</option>
                        </select>
                    </label>
                </div>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <div class="step-buttons">
                    <button class="primary" on:click=get_token disabled=move || state.busy.get()>"Run 1: request a token"</button>
                    <button on:click=call_api disabled=no_token>"Run 2: call the API"</button>
                    <button on:click=introspect disabled=no_token>"Run 3: introspect"</button>
                    <button on:click=revoke disabled=no_token>"Run 4: revoke"</button>
                    <button on:click=again disabled=no_token>"Run 5: call the API again"</button>
                    <button class="lesson" on:click=wrong_secret disabled=move || state.busy.get()>"Lesson: try a wrong secret"</button>
                </div>
            </section>
        </FlowFrame>
    }
}
