//! The SMART Backend Services page: a service authenticates with a JWT it signed
//! (`private_key_jwt`, RFC 7523 §2.2) instead of a secret, gets a token with `system/` scopes
//! and reads across patients; the lesson sends the same assertion twice. The demo client
//! `backend-service` registered the test issuer's key set, so the test issuer signs for it.

use super::catalogue::{Flow, StepKind};
use super::flow::{FlowFrame, FlowState, Needs, StepButton, StepForm, TextParam};
use super::request_card::RequestCard;
use super::wire::StepInput;
use leptos::prelude::*;

/// The demo client that authenticates with its own key.
pub const DEMO_CLIENT: &str = "backend-service";
/// What it asks for: read and search every resource type.
pub const SCOPE: &str = "system/*.rs";

/// `/sandbox/backend-services`.
#[component]
pub fn BackendServicesPage() -> impl IntoView {
    let state = FlowState::new(Flow::BackendServices);
    let client = RwSignal::new(DEMO_CLIENT.to_owned());
    let scope = RwSignal::new(SCOPE.to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client.get_untracked(),
        scope: scope.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame state>
            <StepForm state>
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"Parameters"</h2>
                    <div class="param-grid">
                        <TextParam label="Client (registered with a key set, token_endpoint_auth_method private_key_jwt)" name="client_id" value=client />
                        <TextParam label="Scope" name="scope" value=scope />
                    </div>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <p>"The private key never leaves the client; the server knows only the public key, from the client's jwks_uri. Nothing secret is shared, so there is nothing to steal from the server."</p>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::SignAssertion label="sign a client assertion" class="primary" />
                        <StepButton state make step=StepKind::Token label="get a token with it" />
                        <StepButton state make step=StepKind::Api label="call the FHIR API" needs=Needs::Token />
                        <StepButton state make step=StepKind::ReplayAssertion label="send the same assertion again" class="lesson" />
                    </div>
                </section>
            </StepForm>
            <RequestCard state make steps=&[
                (StepKind::SignAssertion, "sign an assertion"),
                (StepKind::Token, "get a token"),
                (StepKind::Api, "call the API"),
            ] />
        </FlowFrame>
    }
}
