//! The Basic flow page: HTTP Basic (RFC 7617) with the client's id and secret straight to the
//! demo API, no token at all. The product calls this grant `basic`, after Aidbox.

use super::diagram::Arrow;
use super::flow::{ClientPicker, DemoClient, FlowFrame, FlowState, StepButton, StepForm};
use super::wire::StepInput;
use leptos::prelude::*;

const DEMO: [DemoClient; 1] = [DemoClient {
    id: "basic-client",
    label: "basic-client (holds the basic grant)",
    secret: "basic-secret",
}];

/// The page.
#[component]
pub fn BasicPage() -> impl IntoView {
    let state = FlowState::new("basic");
    let client_id = RwSignal::new("basic-client".to_owned());
    let secret = RwSignal::new("basic-secret".to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client_id.get_untracked(),
        client_secret: secret.get_untracked(),
        ..Default::default()
    });
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
            <StepForm state>
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"Parameters"</h2>
                    <div class="param-grid">
                        <ClientPicker demo=&DEMO grant="basic" client_id secret />
                    </div>
                    <p class="hint">"Your own clients that hold the basic grant are listed too once you are signed in to the developer console; type the secret you copied when you made them."</p>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <div class="step-buttons">
                        <StepButton state make step="api" label="Run 1: call the API" class="primary" />
                        <StepButton state make step="wrong-secret" label="Lesson: try a wrong secret" class="lesson" />
                        <StepButton state make step="no-grant" label="Lesson: a client without the grant" class="lesson" />
                    </div>
                </section>
            </StepForm>
        </FlowFrame>
    }
}
