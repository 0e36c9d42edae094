//! The Basic flow page: HTTP Basic (RFC 7617) with the client's id and secret straight to the
//! demo API, no token at all. The product calls this grant `basic`, after Aidbox.

use super::catalogue::{Flow, StepKind};
use super::flow::{ClientPicker, DemoClient, FlowFrame, FlowState, StepButton, StepForm};
use super::request_card::RequestCard;
use super::wire::StepInput;
use leptos::prelude::*;

const DEMO: [DemoClient; 1] = [DemoClient {
    id: "basic-client",
    label: "basic-client",
    secret: "basic-secret",
}];

/// The header the client will send, taken apart: base64 is an encoding, not encryption.
#[component]
fn BasicDecoded(client_id: RwSignal<String>, secret: RwSignal<String>) -> impl IntoView {
    let header = move || super::requests::basic(&client_id.get(), &secret.get());
    let decoded = move || {
        use base64::Engine;
        let value = header();
        let b64 = value.trim_start_matches("Basic ").to_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .unwrap_or_default();
        (b64, String::from_utf8_lossy(&bytes).into_owned())
    };
    view! {
        <div class="basic-decoded" aria-labelledby="basic-decoded-title">
            <h3 id="basic-decoded-title">"The Authorization header, decoded"</h3>
            <dl>
                <dt>"Sent"</dt>
                <dd><code class="wrap" data-basic="header">{move || format!("Authorization: Basic {}", decoded().0)}</code></dd>
                <dt>"Base64-decoded (RFC 7617 §2)"</dt>
                <dd><code class="wrap" data-basic="decoded">{move || decoded().1}</code></dd>
            </dl>
            <p class="hint">"client_id, a colon, the secret (each form-urlencoded first, RFC 6749 §2.3.1). Base64 is an encoding, not encryption: anyone who sees the header has the secret, which is why it must only ever travel over TLS."</p>
        </div>
    }
}

/// The page.
#[component]
pub fn BasicPage() -> impl IntoView {
    let state = FlowState::new(Flow::Basic);
    let client_id = RwSignal::new("basic-client".to_owned());
    let secret = RwSignal::new("basic-secret".to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client_id.get_untracked(),
        client_secret: secret.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame
            state
        >
            <StepForm state>
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"Parameters"</h2>
                    <div class="param-grid">
                        <ClientPicker demo=&DEMO grant="basic" client_id secret />
                    </div>
                    <BasicDecoded client_id secret />
                    <p class="hint">"Your own clients that hold the basic grant are listed too once you are signed in to the developer console; type the secret you copied when you made them."</p>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::Api label="call the API" class="primary" />
                        <StepButton state make step=StepKind::WrongSecret label="try a wrong secret" class="lesson" />
                        <StepButton state make step=StepKind::NoGrant label="a client without the grant" class="lesson" />
                    </div>
                </section>
            </StepForm>
            <RequestCard state make steps=&[(StepKind::Api, "call the API")] />
        </FlowFrame>
    }
}
