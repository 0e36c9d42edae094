//! The Device Authorization flow page (RFC 8628): the device asks for a code, shows it with
//! the address to type it at, and polls; the person approves on another device (another
//! browser, a phone). Each poll is a card of its own on the timeline.

use super::catalogue::{Flow, StepKind};
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, Needs, StepButton, StepForm, TextParam,
    TokenSteps,
};
use super::request_card::RequestCard;
use super::wire::{RunView, StepInput};
use crate::copy_button::CopyButton;
use leptos::prelude::*;

const DEMO: [DemoClient; 1] = [DemoClient {
    id: "device-client",
    label: "device-client (public, a TV app)",
    secret: "",
}];

/// What the newest device authorization answer told the device to show (RFC 8628 §3.2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shown {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// Seconds between polls, grown by five for each slow_down since (§3.5).
    pub interval: u64,
}

/// The code the run's newest device authorization answer gave, and the interval its polls
/// since have left.
pub fn shown(view: &RunView) -> Option<Shown> {
    let (at, answer) = view.steps.iter().enumerate().rev().find_map(|(i, s)| {
        let body: serde_json::Value = serde_json::from_str(&s.exchange.response.body).ok()?;
        body.get("user_code")?;
        Some((i, body))
    })?;
    let text = |name: &str| answer.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let slow_downs = view.steps[at..]
        .iter()
        .filter(|s| s.exchange.response.body.contains("\"slow_down\""))
        .count() as u64;
    Some(Shown {
        user_code: text("user_code")?,
        verification_uri: text("verification_uri")?,
        verification_uri_complete: text("verification_uri_complete"),
        interval: answer.get("interval").and_then(|v| v.as_u64()).unwrap_or(5) + 5 * slow_downs,
    })
}

/// True when the newest poll says to keep polling (§3.5).
fn keep_polling(view: &RunView) -> bool {
    view.steps.last().is_some_and(|s| {
        s.title.contains("Poll the token endpoint")
            && ["\"authorization_pending\"", "\"slow_down\""]
                .iter()
                .any(|e| s.exchange.response.body.contains(e))
    })
}

/// The page.
#[component]
pub fn DevicePage() -> impl IntoView {
    let state = FlowState::new(Flow::Device);
    let client_id = RwSignal::new("device-client".to_owned());
    let secret = RwSignal::new(String::new());
    let scope = RwSignal::new("openid profile patient.read offline_access".to_owned());
    let make = Callback::new(move |()| StepInput {
        client_id: client_id.get_untracked(),
        client_secret: secret.get_untracked(),
        scope: scope.get_untracked(),
        ..Default::default()
    });
    let code = Memo::new(move |_| state.with_view(|v| v.and_then(shown)));
    // Polling by itself: every interval, while the answer says to keep polling.
    let auto = RwSignal::new(false);
    Effect::new(move |_| {
        let again = state.with_view(|v| v.is_some_and(keep_polling));
        let busy = state.busy.get();
        if !auto.get() || busy {
            return;
        }
        if !again
            && state.with_view(|v| {
                v.is_some_and(|v| v.steps.last().is_some_and(|s| s.title.contains("Poll")))
            })
        {
            auto.set(false);
            return;
        }
        let wait = code.get_untracked().map_or(5, |c| c.interval);
        set_timeout(
            move || {
                if auto.get_untracked() && !state.busy.get_untracked() {
                    let mut input = make.run(());
                    input.step = Some(StepKind::Token);
                    state.run(input);
                }
            },
            std::time::Duration::from_secs(wait),
        );
    });
    view! {
        <FlowFrame state>
            <StepForm state>
                <section class="params" aria-labelledby="params-title">
                    <h2 id="params-title">"Parameters"</h2>
                    <div class="param-grid">
                        <ClientPicker demo=&DEMO grant="urn:ietf:params:oauth:grant-type:device_code" client_id secret />
                        <TextParam label="Scope" name="scope" value=scope />
                    </div>
                    <p class="hint">"device-client is public: a TV cannot keep a secret. It authenticates with its client_id alone."</p>
                </section>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::DeviceAuthorization label="ask for a device code" class="primary" />
                        <StepButton state make step=StepKind::Token label="poll the token endpoint" needs=Needs::DeviceCode />
                        <TokenSteps state make refresh=true openid=true />
                    </div>
                </section>
            </StepForm>
            {move || code.get().map(|c| {
                let link = c.verification_uri_complete.clone().unwrap_or_else(|| c.verification_uri.clone());
                let copy = link.clone();
                view! {
                    <section class="device-screen" aria-labelledby="device-title">
                        <h2 id="device-title">"What the device shows"</h2>
                        <p>"On your phone or another browser, go to"</p>
                        <p><a href=c.verification_uri.clone() target="_blank" rel="noopener" data-verification-uri="">{c.verification_uri.clone()}</a></p>
                        <p>"and type the code"</p>
                        <p class="user-code" data-user-code=c.user_code.clone()>{c.user_code.clone()}</p>
                        <p class="hint">
                            "Or open the link with the code in it: "
                            <a href=link.clone() target="_blank" rel="noopener" data-verification-uri-complete="">{link.clone()}</a> " "
                            <CopyButton what="link" text=Signal::derive(move || copy.clone()) />
                            ": the person still confirms the code there (RFC 8628 §3.3.1)."
                        </p>
                        <div class="step-buttons">
                            <button type="button" on:click=move |_| auto.set(!auto.get_untracked())>
                                {move || if auto.get() { "Stop polling".to_owned() } else { format!("Poll every {} s until the person answers", code.get().map_or(5, |c| c.interval)) }}
                            </button>
                        </div>
                    </section>
                }
            })}
            <RequestCard state make steps=&[
                (StepKind::DeviceAuthorization, "ask for a device code"),
                (StepKind::Token, "poll the token endpoint"),
                (StepKind::Api, "call the API"),
                (StepKind::Refresh, "refresh"),
                (StepKind::Introspect, "introspect"),
                (StepKind::Revoke, "revoke"),
            ] />
        </FlowFrame>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::{Exchange, HttpMessage, RunStep};

    fn step(title: &str, body: &str) -> RunStep {
        RunStep {
            title: title.into(),
            exchange: Exchange {
                response: HttpMessage {
                    body: body.into(),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn the_interval_grows_by_five_for_each_slow_down() {
        let view = RunView {
            steps: vec![
                step(
                    "1. Ask for a device code",
                    r#"{"device_code":"d","user_code":"BCDF-GHJK","verification_uri":"https://as/v","interval":5}"#,
                ),
                step(
                    "2. Poll the token endpoint",
                    r#"{"error":"authorization_pending"}"#,
                ),
                step("3. Poll the token endpoint", r#"{"error":"slow_down"}"#),
                step("4. Poll the token endpoint", r#"{"error":"slow_down"}"#),
            ],
            ..Default::default()
        };
        let s = shown(&view).unwrap();
        assert_eq!(s.user_code, "BCDF-GHJK");
        assert_eq!(s.interval, 15);
        assert!(keep_polling(&view));
        let mut done = view.clone();
        done.steps.push(step(
            "5. Poll the token endpoint",
            r#"{"access_token":"a"}"#,
        ));
        assert!(!keep_polling(&done));
    }
}
