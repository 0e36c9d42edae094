//! The Basic flow page: HTTP Basic (RFC 7617) with the client's id and secret straight to the
//! demo API, no token at all. The product calls this grant `basic`, after Aidbox.

use super::diagram::Arrow;
use super::flow::{FlowFrame, FlowState, Keep, TextParam};
use super::requests;
use leptos::prelude::*;

/// The page.
#[component]
pub fn BasicPage() -> impl IntoView {
    let state = FlowState::new("basic");
    let client_id = RwSignal::new("basic-client".to_owned());
    let secret = RwSignal::new("basic-secret".to_owned());
    let call = move |_| {
        state.run(
            "1. Call the API with Basic credentials",
            "The client sends its id and secret on every call. The API verifies the secret (argon2 once, then a cached HMAC) and asks its access policies.",
            0,
            requests::api_call_basic(&client_id.get(), &secret.get()),
            Keep::Nothing,
        );
    };
    let wrong = move |_| {
        state.run(
            "Lesson: a wrong secret",
            "401 with a Basic challenge (RFC 7617 §2): the browser or client is asked to authenticate again.",
            0,
            requests::api_call_basic(&client_id.get(), "not-the-secret"),
            Keep::Nothing,
        );
    };
    let no_grant = move |_| {
        state.run(
            "Lesson: a client without the basic grant",
            "service-client has a valid secret but is not registered for the basic grant, so Basic credentials do not open the API for it.",
            0,
            requests::api_call_basic("service-client", "service-secret"),
            Keep::Nothing,
        );
    };
    view! {
        <FlowFrame
            title="Basic"
            status="legacy"
            status_text="Simple, but the secret travels on every call"
            lead="The client calls the API with its own id and secret in an Authorization: Basic header: no token endpoint, no token. Easy to try; but the long-lived secret crosses the wire on every request, and the API must be able to check it. Prefer Client Credentials."
            arrows=vec![
                Arrow { from: 1, to: 3, label: "GET /fhir/Patient (Basic id:secret)" },
                Arrow { from: 3, to: 1, label: "patients, or 401/403" },
            ]
            state
        >
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <TextParam label="Client id" value=client_id />
                    <TextParam label="Client secret" value=secret secret=true />
                </div>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <div class="step-buttons">
                    <button class="primary" on:click=call disabled=move || state.busy.get()>"Run 1: call the API"</button>
                    <button class="lesson" on:click=wrong disabled=move || state.busy.get()>"Lesson: try a wrong secret"</button>
                    <button class="lesson" on:click=no_grant disabled=move || state.busy.get()>"Lesson: a client without the grant"</button>
                </div>
            </section>
        </FlowFrame>
    }
}
