//! The Authorization Code flow page (RFC 6749 §4.1 with PKCE, RFC 7636), and the run it leaves
//! for the callback page. The front channel is real browser navigation: this page builds the
//! authorization URL, remembers the run in the tab's sessionStorage, and sends the browser to
//! the authorization server; `/sandbox/callback` picks the run up again.

use super::catalogue::{Flow, StepKind};
use super::diagram::SequenceDiagram;
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, Needs, StepButton, StepForm, StepList,
    TextParam, TokenSteps,
};
use super::front_door::{AuthorizeExtras, ExtraParams, begin};
use super::wire::StepInput;
use crate::browser_storage::{self, Store};
use crate::endpoints as ep;
use base64::Engine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// What the callback needs to finish the flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeRun {
    pub client_id: String,
    /// Empty for the public client.
    pub client_secret: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// The PKCE method: `S256`, or `plain` (sent only to show that the server refuses it for a
    /// client that does not allow it).
    #[serde(default)]
    pub method: String,
    /// `prompt` and any other parameters the learner added.
    #[serde(default)]
    pub extras: AuthorizeExtras,
    /// The sandbox run the front channel is recorded in.
    #[serde(default)]
    pub run: String,
    /// SMART App Launch 2.x: the FHIR server the token is for (`aud`) and the EHR's `launch`;
    /// empty for a plain OAuth request.
    #[serde(default)]
    pub aud: String,
    #[serde(default)]
    pub launch: String,
}

const RUN_KEY: &str = "oauth-sandbox-code-run";

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The run's PKCE method on the wire.
fn method_of(run: &CodeRun) -> &'static str {
    if run.method == "plain" {
        "plain"
    } else {
        "S256"
    }
}

/// RFC 7636 §4.2: the challenge is the verifier itself for `plain`, its S256 otherwise.
pub fn challenge_of(run: &CodeRun) -> String {
    if method_of(run) == "plain" {
        run.verifier.clone()
    } else {
        s256(&run.verifier)
    }
}

/// Fresh random values for a run: state, nonce and a 43-character verifier.
#[server(endpoint = "sandbox/fresh")]
pub async fn fresh_values() -> Result<(String, String, String), super::error::SandboxError> {
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes).map_err(|e| super::error::SandboxError::server(e.to_string()))?;
    let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    Ok((enc(&bytes[..12]), enc(&bytes[12..24]), enc(&bytes[32..64])))
}

/// The authorization URL for `run`.
pub fn authorize_url(run: &CodeRun) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", &run.client_id)
        .append_pair("redirect_uri", &run.redirect_uri)
        .append_pair("scope", &run.scope)
        .append_pair("state", &run.state)
        .append_pair("nonce", &run.nonce)
        .append_pair("code_challenge", &challenge_of(run))
        .append_pair("code_challenge_method", method_of(run));
    for (name, value) in [("aud", &run.aud), ("launch", &run.launch)] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    run.extras.append_to(&mut query);
    format!("{}?{}", ep::AUTHORIZE, query.finish())
}

/// Keeps the run in this tab's sessionStorage.
pub fn save_run(run: &CodeRun) {
    if let Ok(json) = serde_json::to_string(run) {
        browser_storage::set(Store::Session, RUN_KEY, &json);
    }
}

/// The run this tab started, if any.
pub fn load_run() -> Option<CodeRun> {
    serde_json::from_str(&browser_storage::get(Store::Session, RUN_KEY)?).ok()
}

/// The demo clients; a public client has no secret.
const DEMO: [DemoClient; 2] = [
    DemoClient {
        id: "web-client",
        label: "web-client (confidential)",
        secret: "web-secret",
    },
    DemoClient {
        id: "spa-client",
        label: "spa-client (public, PKCE)",
        secret: "",
    },
];

/// The page that starts the flow.
#[component]
pub fn AuthorizationCodePage() -> impl IntoView {
    let state = FlowState::new(Flow::AuthorizationCode);
    let client = RwSignal::new("web-client".to_owned());
    let scope = RwSignal::new("openid profile email patient.read".to_owned());
    let state_v = RwSignal::new(String::new());
    let nonce = RwSignal::new(String::new());
    let verifier = RwSignal::new(String::new());
    let method = RwSignal::new("S256".to_owned());
    let extras = RwSignal::new(AuthorizeExtras::default());
    let secret = RwSignal::new("web-secret".to_owned());
    let (hydrated, set_hydrated) = signal(false);
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| {
        set_hydrated.set(true);
        origin.set(window().location().origin().unwrap_or_default());
        leptos::task::spawn_local(async move {
            if let Ok((s, n, v)) = fresh_values().await {
                state_v.set(s);
                nonce.set(n);
                verifier.set(v);
            }
        });
    });
    let make = Callback::new(move |()| StepInput {
        client_id: client.get_untracked(),
        client_secret: secret.get_untracked(),
        ..Default::default()
    });
    let run = move || {
        let client_id = client.get();
        CodeRun {
            client_secret: secret.get(),
            client_id,
            redirect_uri: format!("{}{}", origin.get(), ep::CALLBACK),
            scope: scope.get(),
            state: state_v.get(),
            nonce: nonce.get(),
            verifier: verifier.get(),
            method: method.get(),
            extras: extras.get(),
            run: state.run_id().unwrap_or_default(),
            ..Default::default()
        }
    };
    let challenge = move || challenge_of(&run());
    let go = move |_| {
        let mut r = run();
        begin(state, r.client_id.clone(), r.state.clone(), move |id| {
            r.run = id;
            save_run(&r);
            authorize_url(&r)
        });
    };
    // The refused request joins the run too: its card shows the server's own error page.
    let bad_redirect = move |_| {
        let mut r = run();
        r.redirect_uri = "https://attacker.example/steal".into();
        begin(state, r.client_id.clone(), r.state.clone(), move |_| {
            authorize_url(&r)
        });
    };
    let number = move || state.next_number();
    view! {
        <FlowFrame
            state
        >
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <ClientPicker demo=&DEMO grant="authorization_code" client_id=client secret />
                    <TextParam label="Scope" name="scope" value=scope />
                    <TextParam label="state (stops cross-site request forgery)" name="state" value=state_v />
                    <TextParam label="nonce (binds the ID token to this request)" name="nonce" value=nonce />
                    <TextParam label="code_verifier (kept secret by the client)" name="verifier" value=verifier />
                    <label>"PKCE method"
                        <select name="method" on:change=move |ev| method.set(event_target_value(&ev))>
                            <option value="S256">"S256 (RFC 7636 §4.2)"</option>
                            <option value="plain">"plain (demo clients refuse it)"</option>
                        </select>
                    </label>
                </div>
                <ExtraParams extras />
                <p class="pkce">
                    {move || if method.get() == "plain" { "code_challenge = code_verifier = " } else { "code_challenge = BASE64URL(SHA-256(code_verifier)) = " }}
                    <code class="wrap" data-challenge="">{challenge}</code>
                </p>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <p>"The browser will go to this URL; only the challenge leaves, never the verifier:"</p>
                <pre class="http" tabindex="0" aria-label="Authorization URL">{move || authorize_url(&run())}</pre>
                <div class="step-buttons">
                    <button class="primary" on:click=go disabled=move || verifier.with(String::is_empty) || state.busy.get()>{move || format!("Run {}: go to the authorization server", number())}</button>
                    <button class="lesson" on:click=bad_redirect disabled=move || !hydrated.get()>"Lesson: an unregistered redirect_uri"</button>
                </div>
                <p>"The browser leaves and comes back through this page's script: it keeps the code_verifier in the tab's sessionStorage, as a browser app would. Every page it visits on the authorization server joins this run's timeline."</p>
                <super::front_door::SeeThePagesAgain flow=Flow::AuthorizationCode />
            </section>
            <Show when=move || !state.no_token()>
                <StepForm state>
                    <input type="hidden" name="input[client_id]" value=move || client.get() />
                    <input type="hidden" name="input[client_secret]" value=move || secret.get() />
                    <section class="steps" aria-labelledby="more-title">
                        <h2 id="more-title">"With the tokens"</h2>
                        <div class="step-buttons">
                            <TokenSteps state make refresh=true openid=true />
                        </div>
                    </section>
                </StepForm>
            </Show>
        </FlowFrame>
    }
}

/// The second half, shown on the callback page: check `state`, redeem the code, use the tokens.
/// The run's verifier and secret live in the tab's sessionStorage, as in a real browser client,
/// so this part needs the page's script. The run the `state` finds says which flow it is: the
/// authorization code flow, or a SMART launch. An error that came back shows the run too.
#[component]
pub fn CodeContinuation(
    #[prop(into)] code: Signal<Option<String>>,
    #[prop(into)] returned_state: Signal<Option<String>>,
    /// Every parameter the callback's query carried.
    #[prop(into)]
    returned: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let run = RwSignal::new(None::<CodeRun>);
    Effect::new(move |_| run.set(load_run()));
    let loaded = super::front_door::watched(Flow::AuthorizationCode, returned);
    let came_back = move || {
        code.with(Option::is_some) || returned.with(|r| r.iter().any(|(k, _)| k == "error"))
    };
    view! {
        <Show when=came_back>
            <section class="continuation" aria-labelledby="continue-title">
                <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                    {move || {
                        let flow = loaded
                            .get()
                            .flatten()
                            .and_then(|r| r.flow)
                            .filter(|f| f.returns_code())
                            .unwrap_or(Flow::AuthorizationCode);
                        view! { <CodeSteps flow loaded run code returned_state /> }
                    }}
                </Transition>
            </section>
        </Show>
    }
    .into_any()
}

/// The continuation of one flow's run: the state check, the steps with the tokens, the way back.
#[component]
fn CodeSteps(
    flow: Flow,
    loaded: Resource<Option<super::wire::RunView>>,
    run: RwSignal<Option<CodeRun>>,
    code: Signal<Option<String>>,
    returned_state: Signal<Option<String>>,
) -> impl IntoView {
    let state = FlowState::from_resource(flow, loaded);
    state.recall_target();
    let make = Callback::new(move |()| {
        let r = run.get_untracked().unwrap_or_default();
        StepInput {
            client_id: r.client_id,
            client_secret: r.client_secret,
            code: code.get_untracked().unwrap_or_default(),
            verifier: r.verifier,
            redirect_uri: r.redirect_uri,
            ..Default::default()
        }
    });
    let verdict = move || match (run.get(), returned_state.get()) {
        (None, _) => None,
        (Some(r), Some(s)) if r.state == s => Some((
            true,
            "state matches the value this tab sent: the response answers our own request.",
        )),
        (Some(_), _) => Some((
            false,
            "state does not match: this response may be forged (cross-site request forgery); do not use the code.",
        )),
    };
    let title = match flow {
        Flow::AuthorizationCode => "Finish the authorization code flow".to_owned(),
        other => format!("Finish the {}", other.entry().title),
    };
    let has_code = move || code.with(Option::is_some);
    view! {
        <h2 id="continue-title">{title}</h2>
        <SequenceDiagram flow trail=Signal::derive(move || state.trail()) />
        <Show when=has_code>
        <Show
            when=move || run.with(Option::is_some)
            fallback=|| view! {
                <p class="muted">"The code_verifier lives in the tab that started the run (in its sessionStorage), so the code can be redeemed only there."</p>
            }
        >
            {move || verdict().map(|(ok, text)| view! {
                <p class=if ok { "sig ok" } else { "sig bad" } data-state-check=ok.to_string()>{text}</p>
            })}
            {match flow.is_smart_launch() {
                true => view! { <super::smart::SmartSteps state make /> }.into_any(),
                false => view! {
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::WrongVerifier label="a wrong code_verifier" class="lesson" />
                        <StepButton state make step=StepKind::Exchange label="exchange the code" class="primary" />
                        <TokenSteps state make refresh=true openid=true />
                        <StepButton state make step=StepKind::Replay label="replay the code" needs=Needs::Token class="lesson" />
                    </div>
                    <super::request_card::RequestCard state make steps=&[
                        (StepKind::Exchange, "exchange the code"),
                        (StepKind::Userinfo, "ask userinfo who signed in"),
                        (StepKind::Api, "call the API"),
                        (StepKind::Refresh, "refresh"),
                        (StepKind::Introspect, "introspect"),
                        (StepKind::Revoke, "revoke"),
                    ] />
                }.into_any(),
            }}
        </Show>
        </Show>
        {move || state.run_id().map(|id| view! {
            <p><a href=format!("{}?run={id}", flow.path())>"Back to the flow page"</a>", to send the browser through the front channel again (with prompt=consent, say)."</p>
        })}
        <super::front_door::BackToChapter returned_state run=Signal::derive(move || state.run_id()) />
        <super::front_door::SeeThePagesAgain flow />
        <StepList state />
    }
    .into_any()
}
