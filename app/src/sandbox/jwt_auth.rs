//! The JWT Auth page: the demo API trusts an outside issuer's JWTs. With nothing outside: the
//! sandbox's test issuer signs the claims the learner edits, the learner's workspace registers
//! the trust and a policy through the admin REST API, the API call succeeds, and five lessons
//! mint a token the API must refuse and send it, each refused with its reason.

use super::catalogue::{Flow, StepKind};
use super::flow::{FlowFrame, FlowState, Needs, StepButton, StepForm, TextParam};
use super::request_card::RequestCard;
use super::wire::StepInput;
use crate::tutorial::workspace::{WorkspacePanel, WorkspaceState};
use leptos::prelude::*;

/// The lessons: the token the test issuer mints, and the button's words.
const LESSONS: [(StepKind, &str); 5] = [
    (StepKind::MintWrongAudience, "a token meant for another API"),
    (StepKind::MintExpired, "an expired token"),
    (StepKind::MintUnknownKid, "a kid nobody published"),
    (StepKind::MintUnsigned, "alg none"),
    (StepKind::MintHmacConfusion, "HS256 keyed by the public key"),
];

/// The page.
#[component]
pub fn JwtAuthPage() -> impl IntoView {
    let state = FlowState::new(Flow::JwtAuth);
    let ws = WorkspaceState::open();
    let sub = RwSignal::new("alice@outside.example".to_owned());
    let audience = RwSignal::new(String::new());
    let scope = RwSignal::new("patient.read".to_owned());
    let azp = RwSignal::new("outside-app".to_owned());
    let make = Callback::new(move |()| StepInput {
        workspace: ws.username(),
        workspace_password: ws.password.get_untracked(),
        username: sub.get_untracked(),
        audience: audience.get_untracked(),
        scope: scope.get_untracked(),
        client_id: azp.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame state>
            <WorkspacePanel ws />
            <StepForm state>
                <section class="steps" aria-labelledby="trust-title">
                    <h2 id="trust-title">"1. Trust the test issuer"</h2>
                    <p>
                        "The test issuer's " <code>"iss"</code> " is this server's address followed by "
                        <code>{crate::endpoints::TEST_ISSUER}</code> "; its public keys are at "
                        <a href=crate::endpoints::TEST_ISSUER_JWKS>{crate::endpoints::TEST_ISSUER_JWKS}</a>
                        ". It signs whatever it is asked to, for anyone: trust it for your own policy, in the sandbox only."
                    </p>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::CreateTrust label="trust the test issuer" class="primary" />
                        <StepButton state make step=StepKind::CreatePolicy label="let its tokens read patients" />
                    </div>
                </section>
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"2. The claims"</h2>
                    <div class="param-grid">
                        <TextParam label="sub (the user)" name="username" value=sub />
                        <label>"aud (the API the token is for)"
                            <input type="text" name="input[audience]" placeholder="this demo API: its base URL, /fhir"
                                prop:value=audience on:input=move |ev| audience.set(event_target_value(&ev)) />
                        </label>
                        <TextParam label="scope" name="scope" value=scope />
                        <TextParam label="azp (the client)" name="client_id" value=azp />
                    </div>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::MintToken label="get a JWT from the test issuer" class="primary" />
                        <StepButton state make step=StepKind::Api label="call the API with it" needs=Needs::Token />
                    </div>
                </section>
                <section class="steps" aria-labelledby="lessons-title">
                    <h2 id="lessons-title">"3. Tokens the API must refuse"</h2>
                    <p>"Each lesson asks the test issuer for a bad token, then calls the API with it. The 401's WWW-Authenticate header names the check that failed."</p>
                    <div class="step-buttons">
                        {LESSONS.into_iter().map(|(step, label)| view! {
                            <LessonPair state make mint=step label />
                        }).collect_view()}
                    </div>
                </section>
            </StepForm>
            <Show when=move || ws.is_open()>
                <RequestCard state make steps=&[
                    (StepKind::CreateTrust, "trust the test issuer"),
                    (StepKind::CreatePolicy, "let its tokens read patients"),
                    (StepKind::MintToken, "get a JWT"),
                    (StepKind::Api, "call the API"),
                ] />
            </Show>
        </FlowFrame>
    }
}

/// A lesson of two requests: the test issuer mints a bad token, and the API is called with it.
/// Before the page hydrates, the button posts the mint only; the API call is the next button.
#[component]
fn LessonPair(
    state: FlowState,
    make: Callback<(), StepInput>,
    mint: StepKind,
    label: &'static str,
) -> impl IntoView {
    let click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let with = |step| {
            let mut input = make.run(());
            input.step = Some(step);
            input
        };
        state.run_all(vec![with(mint), with(StepKind::Api)]);
    };
    view! {
        <button
            type="submit"
            name="input[step]"
            value=mint.slug()
            class="lesson"
            data-step=mint.slug()
            on:click=click
            disabled=move || state.busy.get()
        >
            {move || format!("Lesson {}: {label}", state.next_number())}
        </button>
    }
}
