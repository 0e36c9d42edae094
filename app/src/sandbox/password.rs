//! The Resource Owner Password Credentials flow page (RFC 6749 §4.3), marked legacy: RFC 9700
//! §2.4 says it "MUST NOT be used".

use super::diagram::Arrow;
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, StepButton, StepForm, TextParam, TokenSteps,
};
use super::wire::StepInput;
use leptos::prelude::*;

const DEMO: [DemoClient; 1] = [DemoClient {
    id: "password-client",
    label: "password-client (rotates refresh tokens)",
    secret: "password-secret",
}];

/// The page.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let state = FlowState::new("password");
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
            title="Password"
            status="legacy"
            status_text="Legacy: RFC 9700 §2.4 says it MUST NOT be used"
            lead="The user types their password into the client, and the client sends it to the token endpoint (RFC 6749 §4.3). It exists for old first-party apps. The client sees the password, cannot use multi-factor sign-in, and teaches users to type passwords into apps. Use the authorization code flow instead."
            arrows=vec![
                Arrow { from: 0, to: 1, label: "username + password" },
                Arrow { from: 1, to: 2, label: "POST /auth/token (password grant)" },
                Arrow { from: 2, to: 1, label: "access + refresh token" },
                Arrow { from: 1, to: 3, label: "GET /fhir/Patient (Bearer)" },
                Arrow { from: 3, to: 1, label: "patients" },
            ]
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
                        <StepButton state make step="token" label="Run 1: get tokens" class="primary" />
                        <TokenSteps state make refresh=true />
                        <StepButton state make step="wrong-password" label="Lesson: a wrong password" class="lesson" />
                    </div>
                </section>
            </StepForm>
        </FlowFrame>
    }
}
