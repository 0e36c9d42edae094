//! The Resource Owner Password Credentials flow page (RFC 6749 §4.3), marked legacy: RFC 9700
//! §2.4 says it "MUST NOT be used".

use super::diagram::Arrow;
use super::flow::{FlowFrame, FlowState, Keep, TextParam};
use super::requests::{self, ClientAuth};
use leptos::prelude::*;

/// The page.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let state = FlowState::new("password");
    let username = RwSignal::new("alice".to_owned());
    let password = RwSignal::new("alice-password".to_owned());
    let scope = RwSignal::new("patient.read offline_access".to_owned());
    // The demo password client authenticates in the body.
    let (client_id, secret) = ("password-client", "password-secret");
    let first_refresh = RwSignal::new(None::<String>);
    let no_token = move || state.busy.get() || state.no_token();
    let no_refresh = move || state.busy.get() || state.refresh.with(Option::is_none);

    let get_token = move |_| {
        let req = requests::password(
            ClientAuth::Post,
            client_id,
            secret,
            &username.get(),
            &password.get(),
            &scope.get(),
        );
        first_refresh.set(None);
        state.run(
            "1. Trade the password for tokens",
            "The client collects the user's password itself and sends it to the token endpoint. That is the problem: the client sees the password.",
            1,
            req,
            Keep::Tokens,
        );
    };
    let call_api = move |_| {
        if let Some(t) = state.token.get() {
            state.run(
                "2. Call the demo API",
                "The access token stands for alice: its sub is her username.",
                3,
                requests::api_call(&t),
                Keep::Nothing,
            );
        }
    };
    let refresh = move |_| {
        if let Some(r) = state.refresh.get() {
            if first_refresh.with(Option::is_none) {
                first_refresh.set(Some(r.clone()));
            }
            state.run(
                "3. Refresh",
                "A new access token without the password. The demo client rotates refresh tokens: each refresh returns a new one and retires the old.",
                1,
                requests::refresh(ClientAuth::Post, client_id, secret, &r),
                Keep::Tokens,
            );
        }
    };
    let reuse = move |_| {
        if let Some(old) = first_refresh.get() {
            state.run(
                "Lesson: reuse a rotated refresh token",
                "Presenting a retired refresh token means it was copied: the server revokes the whole grant, the newest tokens included (RFC 9700 §4.14.2).",
                1,
                requests::refresh(ClientAuth::Post, client_id, secret, &old),
                Keep::Nothing,
            );
        }
    };
    let wrong = move |_| {
        let req = requests::password(
            ClientAuth::Post,
            client_id,
            secret,
            &username.get(),
            "not-her-password",
            &scope.get(),
        );
        state.run(
            "Lesson: a wrong password",
            "400 invalid_grant. An unknown user takes exactly as long as a wrong password, so the answer does not reveal who has an account.",
            1,
            req,
            Keep::Nothing,
        );
    };
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
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <TextParam label="Username" value=username />
                    <TextParam label="Password" value=password secret=true />
                    <TextParam label="Scope" value=scope />
                </div>
                <p>"Client: " <code>"password-client"</code> " (client_secret_post)."</p>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <div class="step-buttons">
                    <button class="primary" on:click=get_token disabled=move || state.busy.get()>"Run 1: get tokens"</button>
                    <button on:click=call_api disabled=no_token>"Run 2: call the API"</button>
                    <button on:click=refresh disabled=no_refresh>"Run 3: refresh"</button>
                    <button class="lesson" on:click=reuse disabled=move || state.busy.get() || first_refresh.with(Option::is_none)>"Lesson: reuse the old refresh token"</button>
                    <button class="lesson" on:click=wrong disabled=move || state.busy.get()>"Lesson: a wrong password"</button>
                </div>
            </section>
        </FlowFrame>
    }
}
