//! The SMART App Launch pages (SMART App Launch 2.x): the standalone launch, in which the app
//! starts on its own and the person picks the patient; the EHR launch, in which the learner's
//! workspace plays the EHR (`POST /Launch`) and this module's launch page plays the app that the
//! EHR opens; and the steps both take back on the callback page once the code came back: the
//! token response with its launch context, the FHIR reads inside the patient's compartment, and
//! the lesson of a patient outside it.
//!
//! The authorization requests are the authorization code flow's ([`super::code_flow`]) with
//! `aud` and, for the EHR launch, `launch`.

use super::catalogue::{Flow, StepKind};
use super::code_flow::{CodeRun, authorize_url, fresh_values, save_run};
use super::flow::{
    ClientPicker, DemoClient, FlowFrame, FlowState, Needs, Page, StepButton, StepForm, StepList,
    TextParam,
};
use super::front_door::{SeeThePagesAgain, begin};
use super::request_card::RequestCard;
use super::wire::{RunView, StepInput};
use super::{requests, setup, steps};
use crate::browser_storage::{self, Store};
use crate::endpoints as ep;
use crate::tutorial::workspace::{WorkspacePanel, WorkspaceState};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The scope of the standalone launch: a patient picked at sign-in, and read access to
/// everything of that patient.
pub const STANDALONE_SCOPE: &str = "openid fhirUser launch/patient patient/*.rs offline_access";
/// The scope of the EHR launch: `launch` takes the EHR's context.
pub const EHR_SCOPE: &str = "openid fhirUser launch patient/*.rs offline_access";
/// The FHIR server a wrong-`aud` lesson names instead of this one.
pub const OTHER_FHIR_SERVER: &str = "https://ehr.example.org/fhir";

/// True when `scope` holds a SMART scope: `launch`, `launch/…`, `fhirUser`, or a resource
/// scope (`patient/`, `user/`, `system/`), so that its authorization request needs `aud`.
pub fn asks_smart(scope: &str) -> bool {
    scope.split(' ').any(|s| {
        s == "launch"
            || s == "fhirUser"
            || ["launch/", "patient/", "user/", "system/"]
                .iter()
                .any(|p| s.starts_with(p))
    })
}

/// The demo SMART app, a public client.
const DEMO: [DemoClient; 1] = [DemoClient {
    id: "smart-app",
    label: "smart-app (public, PKCE)",
    secret: "",
}];

/// The values an authorization request of a run needs: state, nonce and a verifier, fresh from
/// the server, and this page's origin.
#[derive(Clone, Copy)]
struct Fresh {
    values: RwSignal<(String, String, String)>,
    origin: RwSignal<String>,
}

impl Fresh {
    fn new() -> Self {
        let fresh = Self {
            values: RwSignal::new(Default::default()),
            origin: RwSignal::new(String::new()),
        };
        Effect::new(move |_| {
            fresh
                .origin
                .set(window().location().origin().unwrap_or_default());
            leptos::task::spawn_local(async move {
                if let Ok(values) = fresh_values().await {
                    fresh.values.set(values);
                }
            });
        });
        fresh
    }

    fn ready(self) -> bool {
        self.values.with(|v| !v.2.is_empty())
    }
}

/// The authorization request of a SMART launch: the URL the browser goes to, the button that
/// sends it there, and the lesson of an `aud` that names another FHIR server.
#[component]
fn SmartAuthorize(
    state: FlowState,
    client: Signal<String>,
    scope: Signal<String>,
    /// The FHIR server the app will call: `aud`.
    aud: Signal<String>,
    /// The EHR's launch value; empty for a standalone launch.
    #[prop(into)]
    launch: Signal<String>,
    fresh: Fresh,
) -> impl IntoView {
    let run_with = move |aud: String| {
        let (state_value, nonce, verifier) = fresh.values.get();
        CodeRun {
            client_id: client.get(),
            client_secret: String::new(),
            redirect_uri: format!("{}{}", fresh.origin.get(), ep::CALLBACK),
            scope: scope.get(),
            state: state_value,
            nonce,
            verifier,
            method: "S256".into(),
            run: state.run_id().unwrap_or_default(),
            aud,
            launch: launch.get(),
            ..Default::default()
        }
    };
    let send = move |r: CodeRun| {
        begin(state, r.client_id.clone(), r.state.clone(), move |id| {
            let mut r = r;
            r.run = id;
            save_run(&r);
            authorize_url(&r)
        });
    };
    let go = move |_| send(run_with(aud.get_untracked()));
    let wrong_aud = move |_| send(run_with(OTHER_FHIR_SERVER.to_owned()));
    let disabled = move || !fresh.ready() || client.with(String::is_empty) || state.busy.get();
    view! {
        <p>"The browser will go to this URL; " <code>"aud"</code> " names the FHIR server the token is for:"</p>
        <pre class="http" tabindex="0" aria-label="Authorization URL">{move || authorize_url(&run_with(aud.get()))}</pre>
        <div class="step-buttons">
            <button class="primary" on:click=go disabled=disabled>{move || format!("Run {}: go to the authorization server", state.next_number())}</button>
            <button class="lesson" on:click=wrong_aud disabled=disabled>{move || format!("Lesson {}: aud names another FHIR server", state.next_number())}</button>
        </div>
        <p class="hint">
            "Sign in as " <code>"alice"</code> " / " <code>"alice-password"</code> " (her fhirUser is Practitioner/prac-1) or "
            <code>"bob"</code> " / " <code>"bob-password"</code> " (Patient/pat-2). The code comes back to the callback page: there, exchange it and read the patient's record."
        </p>
        <SeeThePagesAgain flow=state.flow />
    }
}

/// The step that reads the FHIR server's SMART configuration, with what the page says of it.
#[component]
fn Discover(
    state: FlowState,
    make: Callback<(), StepInput>,
    title: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <StepForm state>
            <section class="steps" aria-labelledby="discover-title">
                <h2 id="discover-title">{title}</h2>
                {children()}
                <div class="step-buttons">
                    <StepButton state make step=StepKind::SmartDiscovery label="read the SMART configuration" />
                </div>
            </section>
        </StepForm>
    }
}

/// `/sandbox/smart-standalone`.
#[component]
pub fn SmartStandalonePage() -> impl IntoView {
    let state = FlowState::new(Flow::SmartStandalone);
    let client = RwSignal::new("smart-app".to_owned());
    let secret = RwSignal::new(String::new());
    let scope = RwSignal::new(STANDALONE_SCOPE.to_owned());
    let aud = RwSignal::new(String::new());
    let fresh = Fresh::new();
    Effect::new(move |_| {
        let origin = fresh.origin.get();
        if !origin.is_empty() && aud.with_untracked(String::is_empty) {
            aud.set(setup::fhir_base(&origin));
        }
    });
    let make = Callback::new(move |()| StepInput {
        client_id: client.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame state>
            <Discover state make title="1. Discover">
                <p>"The app knows the FHIR server's base URL, " <code>{ep::FHIR_BASE}</code> " here, and reads where to authorize from it."</p>
            </Discover>
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"2. The authorization request"</h2>
                <div class="param-grid">
                    <ClientPicker demo=&DEMO grant="authorization_code" client_id=client secret />
                    <TextParam label="Scope" name="scope" value=scope />
                    <TextParam label="aud (the FHIR server the token is for)" name="aud" value=aud />
                </div>
                <SmartAuthorize state client=client.into() scope=scope.into() aud=aud.into() launch=String::new() fresh />
            </section>
        </FlowFrame>
    }
}

/// Where the EHR page keeps its run for the app's launch page, in the tab's sessionStorage.
const EHR_RUN_KEY: &str = "oauth-sandbox-ehr-run";

/// `/sandbox/smart-ehr`: the learner's workspace registers a SMART app and plays the EHR.
#[component]
pub fn SmartEhrPage() -> impl IntoView {
    let state = FlowState::new(Flow::SmartEhr);
    let ws = WorkspaceState::open();
    let patient = RwSignal::new(setup::DEMO_PATIENTS[0].to_owned());
    let fhir_user = RwSignal::new("Practitioner/prac-1".to_owned());
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(window().location().origin().unwrap_or_default()));
    let make = Callback::new(move |()| StepInput {
        workspace: ws.username(),
        workspace_password: ws.password.get_untracked(),
        redirect_uri: format!("{}{}", origin.get_untracked(), ep::CALLBACK),
        patient: patient.get_untracked(),
        fhir_user: fhir_user.get_untracked(),
        ..Default::default()
    });
    view! {
        <FlowFrame state>
            <WorkspacePanel ws />
            <StepForm state>
                <section class="steps" aria-labelledby="app-title">
                    <h2 id="app-title">"1. Register your SMART app"</h2>
                    <p>
                        "A public client with PKCE, its redirect URI, and its launch URL: "
                        <code>{move || setup::launch_uri(&origin.get())}</code>
                        ", the page the EHR opens. Launching an app is for its owner (or an admin), so your workspace owns it."
                    </p>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::CreateClient label="register your SMART app" class="primary" />
                    </div>
                </section>
                <section class="params" aria-labelledby="launch-title">
                    <h2 id="launch-title">"2. The EHR launches it"</h2>
                    <div class="param-grid">
                        <label>"Patient open in the EHR"
                            <select name="input[patient]" on:change=move |ev| patient.set(event_target_value(&ev))>
                                {setup::DEMO_PATIENTS.map(|id| view! { <option value=id selected=move || patient.get() == id>{id}</option> }).collect_view()}
                            </select>
                        </label>
                        <TextParam label="fhirUser (the user in the EHR)" name="fhir_user" value=fhir_user />
                    </div>
                    <div class="step-buttons">
                        <StepButton state make step=StepKind::CreateLaunch label="create the launch" />
                    </div>
                    <OpenLaunch state />
                </section>
            </StepForm>
            <Show when=move || ws.is_open()>
                <RequestCard state make steps=&[
                    (StepKind::CreateClient, "register your SMART app"),
                    (StepKind::CreateLaunch, "create the launch"),
                ] />
            </Show>
        </FlowFrame>
    }
}

/// Opens the app's launch URL the newest launch answered, keeping the run for the launch page.
#[component]
pub fn OpenLaunch(state: FlowState) -> impl IntoView {
    let launch_url =
        move || state.with_view(|v| v.and_then(|v| steps::held(&v.steps, "").launch_url));
    let open = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let (Some(url), Some(run)) = (launch_url(), state.run_id()) else {
            return;
        };
        let page = match state.page {
            Page::Tutorial => "tutorial",
            Page::Flow => "flow",
        };
        browser_storage::set(Store::Session, EHR_RUN_KEY, &format!("{run} {page}"));
        let _ = window().location().assign(&url);
    };
    view! {
        <Show
            when=move || launch_url().is_some()
            fallback=|| view! { <p class="hint">"Create the launch first: its answer holds the app's launch URL."</p> }
        >
            <p>"The EHR opens the app's launch URL in the browser; the launch value in it works once, within five minutes:"</p>
            <pre class="http wrap" tabindex="0" aria-label="Launch URL">{launch_url}</pre>
            <div class="step-buttons">
                <button class="primary" on:click=open>"Open the app's launch URL"</button>
            </div>
        </Show>
    }
}

/// `/sandbox/smart-ehr/launch?iss=…&launch=…`: the app the EHR opened. It checks `iss`, reads
/// that server's SMART configuration, and sends the browser to authorize with `launch`.
#[component]
pub fn SmartAppLaunchPage() -> impl IntoView {
    let query = use_query_map();
    let iss = Signal::derive(move || query.with(|q| q.get("iss")).unwrap_or_default());
    let launch = Signal::derive(move || query.with(|q| q.get("launch")).unwrap_or_default());
    let run_id = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let kept = browser_storage::get(Store::Session, EHR_RUN_KEY).unwrap_or_default();
        let run = kept.split(' ').next().unwrap_or_default();
        run_id.set(Some(run.to_owned()).filter(|r| !r.is_empty()));
    });
    let loaded = Resource::new(
        move || run_id.get(),
        move |id| async move {
            super::api::open_run(id?)
                .await
                .ok()
                .flatten()
                .filter(|v: &RunView| v.flow == Some(Flow::SmartEhr))
        },
    );
    let mut state = FlowState::from_resource(Flow::SmartEhr, loaded);
    // The run's chapter, if it came from the tutorial: the callback leads back there. Only the
    // browser holds it, and only there do the buttons that send the browser on run.
    if browser_storage::get(Store::Session, EHR_RUN_KEY).is_some_and(|k| k.ends_with(" tutorial")) {
        state.page = Page::Tutorial;
    }
    let fresh = Fresh::new();
    // The app: the one the EHR page's run registered, else the demo app (a launch from the
    // console names no client in its URL; the learner can type their own).
    let client = RwSignal::new(DEMO[0].id.to_owned());
    Effect::new(move |_| {
        if let Some((id, _)) =
            state.with_view(|v| v.and_then(|v| steps::held(&v.steps, "").registered))
        {
            client.set(id);
        }
    });
    let scope = RwSignal::new(EHR_SCOPE.to_owned());
    let known = move || {
        let origin = fresh.origin.get();
        !origin.is_empty() && iss.get().trim_end_matches('/') == setup::fhir_base(&origin)
    };
    let make = Callback::new(move |()| StepInput {
        client_id: client.get_untracked(),
        ..Default::default()
    });
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page flow" data-hydrated=move || hydrated.get().to_string()>
            <p class="crumbs"><a href="/">"oauth-sandbox"</a> " / " <a href=Flow::SmartEhr.path()>{Flow::SmartEhr.entry().title}</a> " / the app's launch page"</p>
            <h1>"The app, launched by the EHR"</h1>
            <p class="lead">"This page is your SMART app's launch URL. The EHR sent the browser here with two parameters; the app knows nothing else yet."</p>
            <dl class="callback-params" data-source="launch">
                <dt>"iss"</dt><dd data-param="iss"><code class="wrap">{iss}</code></dd>
                <dt>"launch"</dt><dd data-param="launch"><code class="wrap">{launch}</code></dd>
            </dl>
            {move || hydrated.get().then(|| match known() {
                true => view! { <p class="sig ok" data-iss-check="true">"iss is the FHIR server this app was set up for: it may go on. An app must never follow an iss it does not know, or any page could send it to a server of its choosing."</p> }.into_any(),
                false => view! { <p class="sig bad" data-iss-check="false">"iss is not a FHIR server this app knows: a real app stops here."</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                    <super::diagram::SequenceDiagram flow=Flow::SmartEhr trail=Signal::derive(move || state.trail()) />
                    <Discover state make title="1. Discover, at iss">
                        <p>"The configuration lives under iss, the FHIR base the EHR named."</p>
                    </Discover>
                    <section class="params" aria-labelledby="params-title">
                        <h2 id="params-title">"2. Authorize, with launch"</h2>
                        <p>"The app asks for " <code>"launch"</code> " to take the EHR's context, and sends the EHR's launch value back with " <code>"aud"</code> " = iss. The launch is bound to the app it was made for."</p>
                        <div class="param-grid">
                            <TextParam label="Your app's client_id" name="client_id" value=client />
                            <TextParam label="Scope" name="scope" value=scope />
                        </div>
                        <SmartAuthorize state client=client.into() scope=scope.into() aud=iss launch fresh />
                    </section>
                    <StepList state />
            </Transition>
        </main>
    }
}

/// What a SMART launch does once the code came back, on the callback page.
#[component]
pub fn SmartSteps(state: FlowState, make: Callback<(), StepInput>) -> impl IntoView {
    let patient = move || state.with_view(|v| v.and_then(|v| steps::held(&v.steps, "").patient));
    let has_patient = move || patient().is_some();
    view! {
        <div class="step-buttons">
            <StepButton state make step=StepKind::Exchange label="exchange the code" class="primary" />
            <StepButton state make step=StepKind::Userinfo label="ask userinfo who signed in" needs=Needs::Token />
            <StepButton state make step=StepKind::ReadPatient label="read the patient in context" needs=Needs::Token />
            <StepButton state make step=StepKind::ReadObservations label="search the patient's observations" needs=Needs::Token />
            <StepButton state make step=StepKind::Api label="search all patients" needs=Needs::Token />
            <StepButton state make step=StepKind::Refresh label="refresh" needs=Needs::Refresh />
            <StepButton state make step=StepKind::OtherPatient label="read a patient outside the compartment" needs=Needs::Token class="lesson" />
        </div>
        <Show when=has_patient>
            <LaunchContextView state />
        </Show>
        <RequestCard state make steps=&[
            (StepKind::Exchange, "exchange the code"),
            (StepKind::ReadPatient, "read the patient"),
            (StepKind::ReadObservations, "search observations"),
            (StepKind::OtherPatient, "another patient"),
        ] />
    }
}

/// The launch context of the newest token response, field by field.
#[component]
pub fn LaunchContextView(state: FlowState) -> impl IntoView {
    let fields = move || {
        state.with_view(|v| {
            let body = v.map(newest_token_body).unwrap_or_default();
            context_fields(&body)
        })
    };
    view! {
        <section class="launch-context" aria-labelledby="context-title">
            <h3 id="context-title">"The launch context, from the token response"</h3>
            <dl class="callback-params" data-source="context">
                {move || fields().into_iter().map(|(name, value, meaning)| view! {
                    <dt>{name}</dt>
                    <dd data-context=name><code class="wrap">{value}</code>" "<span class="hint">{meaning}</span></dd>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// The body of the run's newest successful token response.
fn newest_token_body(view: &RunView) -> String {
    view.steps
        .iter()
        .rev()
        .map(|s| &s.exchange)
        .find(|x| {
            x.status == 200
                && !x.relayed()
                && x.request.start_line.split(' ').nth(1) == Some(ep::TOKEN)
        })
        .map(|x| x.response.body.clone())
        .unwrap_or_default()
}

/// The SMART context parameters of a token response (SMART App Launch 2.x §2.0.8), with what
/// each tells the app.
pub fn context_fields(body: &str) -> Vec<(&'static str, String, &'static str)> {
    const FIELDS: [(&str, &str); 5] = [
        (
            "patient",
            "the patient in context: patient/ scopes reach this patient only",
        ),
        ("encounter", "the encounter the EHR had open"),
        ("fhirContext", "more resources of the launch"),
        (
            "need_patient_banner",
            "true: the app must show who the patient is, the EHR does not",
        ),
        (
            "smart_style_url",
            "the EHR's styles, for an app that wants to look at home",
        ),
    ];
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    FIELDS
        .into_iter()
        .filter_map(|(name, meaning)| {
            let value = json.get(name)?;
            let text = match value.as_str() {
                Some(s) => s.to_owned(),
                None => value.to_string(),
            };
            Some((name, text, meaning))
        })
        .chain(requests::field_of(body, "id_token").and_then(|t| {
            fhir_user_of(&t).map(|u| {
                (
                    "fhirUser (in the ID token)",
                    u,
                    "the user's own FHIR resource",
                )
            })
        }))
        .collect()
}

/// The `fhirUser` claim of an ID token, read without verifying it: the run's ID token card
/// shows the checks.
fn fhir_user_of(id_token: &str) -> Option<String> {
    use base64::Engine;
    let payload = id_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("fhirUser")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn smart_scopes_are_told_apart_from_plain_ones() {
        assert!(asks_smart("openid launch/patient"));
        assert!(asks_smart("launch"));
        assert!(asks_smart("system/*.rs"));
        assert!(asks_smart("fhirUser"));
        assert!(!asks_smart("openid profile patient.read offline_access"));
        assert!(!asks_smart("launcher"));
    }

    #[test]
    fn the_context_lists_what_the_token_response_carries() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"fhirUser":"Practitioner/prac-1"}"#);
        let body = format!(
            r#"{{"access_token":"a","patient":"pat-2","need_patient_banner":true,"id_token":"h.{claims}.s"}}"#
        );
        let fields = context_fields(&body);
        let names: Vec<_> = fields.iter().map(|f| (f.0, f.1.as_str())).collect();
        assert_eq!(
            names,
            [
                ("patient", "pat-2"),
                ("need_patient_banner", "true"),
                ("fhirUser (in the ID token)", "Practitioner/prac-1")
            ]
        );
        assert!(context_fields("{}").is_empty());
        assert!(context_fields("not json").is_empty());
    }
}
