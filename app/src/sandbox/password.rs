//! The Resource Owner Password Credentials flow page (RFC 6749 §4.3), marked legacy: RFC 9700
//! §2.4 says it "MUST NOT be used".

use super::catalogue::{Flow, StepKind};
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, StepButton, StepForm, TextParam, TokenSteps,
};
use super::request_card::RequestCard;
use super::wire::StepInput;
use leptos::prelude::*;

const DEMO: [DemoClient; 1] = [DemoClient {
    id: "password-client",
    label: "password-client (rotating)",
    secret: "password-secret",
}];

/// The page.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let state = FlowState::new(Flow::Password);
    let username = RwSignal::new("alice".to_owned());
    let password = RwSignal::new("alice-password".to_owned());
    let scope = RwSignal::new("patient.read offline_access".to_owned());
    // The demo password client authenticates in the body; a developer may pick their own.
    let client_id = RwSignal::new("password-client".to_owned());
    let secret = RwSignal::new("password-secret".to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client_id.get_untracked(),
        client_secret: secret.get_untracked(),
        auth: "post".into(),
        username: username.get_untracked(),
        password: password.get_untracked(),
        scope: scope.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame
            state
        >
            <StepForm state>
                <input type="hidden" name="input[auth]" value="post" />
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"Parameters"</h2>
                    <div class="param-grid">
                        <ClientPicker demo=&DEMO grant="password" client_id secret />
                        <TextParam label="Username" name="username" value=username />
                        <TextParam label="Password" name="password" value=password secret=true />
                        <TextParam label="Scope" name="scope" value=scope />
                    </div>
                    <p class="hint">"The client authenticates with client_secret_post. Sign in as alice or bob, or as one of your own demo users."</p>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::Token label="get tokens" class="primary" />
                        <TokenSteps state make refresh=true />
                        <StepButton state make step=StepKind::WrongPassword label="a wrong password" class="lesson" />
                    </div>
                </section>
            </StepForm>
            <RequestCard state make steps=&[
                (StepKind::Token, "get tokens"),
                (StepKind::Api, "call the API"),
                (StepKind::Refresh, "refresh"),
                (StepKind::Introspect, "introspect"),
                (StepKind::Revoke, "revoke"),
            ] />
        </FlowFrame>
    }
}
