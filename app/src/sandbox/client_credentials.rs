//! The Client Credentials flow page (RFC 6749 §4.4), one step at a time, every step for real.

use super::catalogue::{Flow, StepKind};
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, StepButton, StepForm, TextParam, TokenSteps,
};
use super::request_card::RequestCard;
use super::wire::StepInput;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const DEMO: [DemoClient; 2] = [
    DemoClient {
        id: "service-client",
        label: "service-client (JWT tokens)",
        secret: "service-secret",
    },
    DemoClient {
        id: "service-client-opaque",
        label: "service-client-opaque",
        secret: "service-secret",
    },
];

/// The page.
#[component]
pub fn ClientCredentialsPage() -> impl IntoView {
    let state = FlowState::new(Flow::ClientCredentials);
    // `?client=<id>` picks one of the developer's own clients, whose secret they hold.
    let picked = use_query_map().with_untracked(|q| q.get("client"));
    let client_id = RwSignal::new(
        picked
            .clone()
            .unwrap_or_else(|| "service-client".to_owned()),
    );
    let secret = RwSignal::new(if picked.is_some() {
        String::new()
    } else {
        "service-secret".to_owned()
    });
    let scope = RwSignal::new("patient.read".to_owned());
    let auth = RwSignal::new("basic".to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client_id.get_untracked(),
        client_secret: secret.get_untracked(),
        scope: scope.get_untracked(),
        auth: auth.get_untracked(),
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
                        <ClientPicker demo=&DEMO grant="client_credentials" client_id secret />
                        <TextParam label="Scope" name="scope" value=scope />
                        <label>"Client authentication"
                            <select name="input[auth]" on:change=move |ev| auth.set(event_target_value(&ev))>
                                <option value="basic">"client_secret_basic (header)"</option>
                                <option value="post">"client_secret_post (body)"</option>
                            </select>
                        </label>
                    </div>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::Token label="request a token" class="primary" />
                        <TokenSteps state make />
                        <StepButton state make step=StepKind::WrongSecret label="try a wrong secret" class="lesson" />
                    </div>
                </section>
            </StepForm>
            <RequestCard state make steps=&[
                (StepKind::Token, "request a token"),
                (StepKind::Api, "call the API"),
                (StepKind::Introspect, "introspect"),
                (StepKind::Revoke, "revoke"),
            ] />
        </FlowFrame>
    }
}
