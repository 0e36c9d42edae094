//! The Authorization Code flow page (RFC 6749 §4.1 with PKCE, RFC 7636), and the run it leaves
//! for the callback page. The front channel is real browser navigation: this page builds the
//! authorization URL, remembers the run in the tab's sessionStorage, and sends the browser to
//! the authorization server; `/sandbox/callback` picks the run up again.

use super::diagram::Arrow;
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, Needs, StepButton, StepForm, StepList,
    TextParam, TokenSteps,
};
use super::wire::StepInput;
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
}

#[cfg(feature = "hydrate")]
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
pub async fn fresh_values() -> Result<(String, String, String), ServerFnError> {
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes).map_err(|e| ServerFnError::new(e.to_string()))?;
    let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    Ok((enc(&bytes[..12]), enc(&bytes[12..24]), enc(&bytes[32..64])))
}

/// The authorization URL for `run`.
pub fn authorize_url(run: &CodeRun) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &run.client_id)
        .append_pair("redirect_uri", &run.redirect_uri)
        .append_pair("scope", &run.scope)
        .append_pair("state", &run.state)
        .append_pair("nonce", &run.nonce)
        .append_pair("code_challenge", &challenge_of(run))
        .append_pair("code_challenge_method", method_of(run))
        .finish();
    format!("{}?{query}", ep::AUTHORIZE)
}

/// Keeps the run in this tab's sessionStorage.
pub fn save_run(run: &CodeRun) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(json)) = (
        window().session_storage().ok().flatten(),
        serde_json::to_string(run),
    ) {
        let _ = storage.set_item(RUN_KEY, &json);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = run;
}

/// The run this tab started, if any.
pub fn load_run() -> Option<CodeRun> {
    #[cfg(feature = "hydrate")]
    {
        let storage = window().session_storage().ok().flatten()?;
        serde_json::from_str(&storage.get_item(RUN_KEY).ok().flatten()?).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The demo clients; a public client has no secret.
const DEMO: [DemoClient; 2] = [
    DemoClient {
        id: "web-client",
        label: "web-client (confidential: has a secret)",
        secret: "web-secret",
    },
    DemoClient {
        id: "spa-client",
        label: "spa-client (public: no secret, PKCE only)",
        secret: "",
    },
];

fn arrows() -> Vec<Arrow> {
    vec![
        Arrow {
            from: 1,
            to: 0,
            label: "redirect to /auth/authorize (+ code_challenge)",
        },
        Arrow {
            from: 0,
            to: 2,
            label: "sign in and consent",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "redirect back with code + state",
        },
        Arrow {
            from: 1,
            to: 2,
            label: "POST /auth/token (code + code_verifier)",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "access, refresh and ID tokens",
        },
        Arrow {
            from: 1,
            to: 3,
            label: "GET /fhir/Patient (Bearer)",
        },
        Arrow {
            from: 3,
            to: 1,
            label: "patients, or 401/403",
        },
    ]
}

/// The page that starts the flow.
#[component]
pub fn AuthorizationCodePage() -> impl IntoView {
    let state = FlowState::new("authorization-code");
    let client = RwSignal::new("web-client".to_owned());
    let scope = RwSignal::new("openid profile email patient.read".to_owned());
    let state_v = RwSignal::new(String::new());
    let nonce = RwSignal::new(String::new());
    let verifier = RwSignal::new(String::new());
    let method = RwSignal::new("S256".to_owned());
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
        }
    };
    let challenge = move || challenge_of(&run());
    let go = move |_| {
        let r = run();
        save_run(&r);
        let _ = window().location().assign(&authorize_url(&r));
    };
    let bad_redirect = move |_| {
        let mut r = run();
        r.redirect_uri = "https://attacker.example/steal".into();
        let _ = window().location().assign(&authorize_url(&r));
    };
    view! {
        <FlowFrame
            title="Authorization Code + PKCE"
            status="recommended"
            status_text="Recommended for every app a person signs in to"
            lead="The browser goes to the authorization server, the person signs in there (the client never sees the password), and comes back with a one-time code. The client trades the code for tokens on the back channel. PKCE binds the code to this client: only the holder of the code_verifier can redeem it (RFC 7636)."
            arrows=arrows()
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
                        <select on:change=move |ev| method.set(event_target_value(&ev))>
                            <option value="S256">"S256: the challenge is the verifier's SHA-256 (RFC 7636 §4.2)"</option>
                            <option value="plain">"plain: the challenge is the verifier itself (the demo clients refuse it)"</option>
                        </select>
                    </label>
                </div>
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
                    <button class="primary" on:click=go disabled=move || verifier.with(String::is_empty)>"Run 1: go to the authorization server"</button>
                    <button class="lesson" on:click=bad_redirect disabled=move || !hydrated.get()>"Lesson: an unregistered redirect_uri"</button>
                </div>
                <p>"The browser leaves and comes back through this page's script: it keeps the code_verifier in the tab's sessionStorage, as a browser app would."</p>
            </section>
            <Show when=move || !state.no_token()>
                <StepForm state>
                    <input type="hidden" name="input[client_id]" value=move || client.get() />
                    <input type="hidden" name="input[client_secret]" value=move || secret.get() />
                    <section class="steps" aria-labelledby="more-title">
                        <h2 id="more-title">"With the tokens"</h2>
                        <div class="step-buttons">
                            <TokenSteps state make refresh=true />
                        </div>
                    </section>
                </StepForm>
            </Show>
        </FlowFrame>
    }
}

/// The second half, shown on the callback page: check `state`, redeem the code, use the tokens.
/// The run's verifier and secret live in the tab's sessionStorage, as in a real browser client,
/// so this part needs the page's script.
#[component]
pub fn CodeContinuation(
    #[prop(into)] code: Signal<Option<String>>,
    #[prop(into)] returned_state: Signal<Option<String>>,
) -> impl IntoView {
    let run = RwSignal::new(None::<CodeRun>);
    Effect::new(move |_| run.set(load_run()));
    let flow = FlowState::new("authorization-code");
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
    view! {
        <Show when=move || run.with(Option::is_some) && code.with(Option::is_some)>
            <section class="continuation" aria-labelledby="continue-title">
                <h2 id="continue-title">"Finish the authorization code flow"</h2>
                {move || verdict().map(|(ok, text)| view! {
                    <p class=if ok { "sig ok" } else { "sig bad" } data-state-check=ok.to_string()>{text}</p>
                })}
                <div class="step-buttons">
                    <StepButton state=flow make step="wrong-verifier" label="Lesson: a wrong code_verifier" class="lesson" />
                    <StepButton state=flow make step="exchange" label="Run 2: exchange the code" class="primary" />
                    <TokenSteps state=flow make refresh=true />
                    <StepButton state=flow make step="replay" label="Lesson: replay the code" needs=Needs::Token class="lesson" />
                </div>
                <StepList state=flow />
            </section>
        </Show>
    }
    .into_any()
}
