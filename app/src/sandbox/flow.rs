//! What every flow page shares: its state (steps run so far, the current token), the runner that
//! sends a step for real and records it, the page frame and the list of finished steps.

use super::api::{TakeStep, open_run, take_step};
use super::catalogue::{ArrowId, Flow, StepKind};
use super::diagram::SequenceDiagram;
use super::timeline::TimelineEntry;
use super::token_view::TokenView;
use super::wire::{RunView, StepInput, next_number};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

/// The state of one flow page: the run so far, as the server keeps it.
#[derive(Clone, Copy)]
pub struct FlowState {
    pub flow: Flow,
    /// The page the run lives on: the flow's own, or its tutorial chapter.
    pub page: Page,
    /// The run as the last step on this page left it.
    local: RwSignal<Option<RunView>>,
    /// The run named by `?run=` when the page was opened (after a plain form post, say).
    loaded: Resource<Option<RunView>>,
    /// A token the run got from outside the back channel (the implicit flow's fragment).
    pub outside_token: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// What the last step did, for screen readers.
    pub announcement: RwSignal<String>,
    /// Another server to run against (its issuer or discovery URL); empty for this server.
    pub target: RwSignal<String>,
    /// The API to call at that server.
    pub api_url: RwSignal<String>,
    /// The page's client id and secret fields, once its client picker is drawn.
    client: StoredValue<Option<(RwSignal<String>, RwSignal<String>)>>,
    /// The page's fields a share link carries: never a secret, nor a value of one run.
    shared: StoredValue<Vec<(&'static str, RwSignal<String>)>>,
}

/// Fields that belong to one run and never travel in a share link.
const PER_RUN: [&str; 3] = ["state", "nonce", "verifier"];

/// Which page a run of a flow is shown on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Page {
    #[default]
    Flow,
    Tutorial,
}

impl Page {
    /// The path of `flow`'s page of this kind.
    pub fn path(self, flow: Flow) -> String {
        match self {
            Page::Flow => flow.path(),
            Page::Tutorial => format!("{}/{}", crate::endpoints::TUTORIAL, flow.slug()),
        }
    }
}

/// What a step needs the run to hold before it can run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Needs {
    #[default]
    Nothing,
    Token,
    Refresh,
    RetiredRefresh,
    /// A device code from the device authorization endpoint (RFC 8628).
    DeviceCode,
}

impl FlowState {
    /// The state of the flow named `flow`, continuing the run in the page's `?run=` query.
    pub fn new(flow: Flow) -> Self {
        let query = use_query_map();
        let loaded = Resource::new(
            move || query.with(|q| q.get("run")),
            move |id| async move {
                match id {
                    Some(id) => open_run(id)
                        .await
                        .ok()
                        .flatten()
                        .filter(|v| v.flow == Some(flow)),
                    None => None,
                }
            },
        );
        Self::from_resource(flow, loaded)
    }

    /// The state of `flow`, continuing the run `loaded` finds.
    pub fn from_resource(flow: Flow, loaded: Resource<Option<RunView>>) -> Self {
        let query = use_query_map();
        // A form post that failed comes back with the error in `__err`.
        let failed = query
            .with_untracked(|q| q.get("__err"))
            .and_then(|e| posted_error(&e));
        let state = Self {
            flow,
            page: Page::Flow,
            local: RwSignal::new(None),
            loaded,
            outside_token: RwSignal::new(None),
            error: RwSignal::new(failed),
            busy: RwSignal::new(false),
            announcement: RwSignal::new(String::new()),
            target: RwSignal::new(String::new()),
            api_url: RwSignal::new(String::new()),
            client: StoredValue::new(None),
            shared: StoredValue::new(Vec::new()),
        };
        provide_context(state);
        state
    }

    /// The page's client fields, for saving a target and picking one again.
    pub fn attach_client(&self, client_id: RwSignal<String>, secret: RwSignal<String>) {
        self.client.set_value(Some((client_id, secret)));
        self.share("client_id", client_id);
    }

    /// Lets a share link of the page's set-up carry the field `name` (not a secret).
    pub fn share(&self, name: &'static str, value: RwSignal<String>) {
        if PER_RUN.contains(&name) {
            return;
        }
        self.shared.update_value(|fields| {
            fields.retain(|(n, _)| *n != name);
            fields.push((name, value));
        });
    }

    /// The page's set-up as a URL fragment: `setup=1&` and its fields, form-encoded.
    pub fn setup_fragment(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::from("setup=1"));
        self.shared.with_value(|all| {
            for (name, value) in all {
                query.append_pair(name, &value.get());
            }
        });
        query.finish()
    }

    /// Fills the page's fields from a fragment [`setup_fragment`](Self::setup_fragment) made;
    /// unknown fields are ignored.
    pub fn apply_setup(&self, fragment: &str) {
        let fragment = fragment.trim_start_matches('#');
        if !fragment.starts_with("setup=1") {
            return;
        }
        let fields: Vec<(String, String)> = form_urlencoded::parse(fragment.as_bytes())
            .into_owned()
            .collect();
        self.shared.with_value(|all| {
            for (name, value) in all {
                if let Some((_, v)) = fields.iter().find(|(k, _)| k == name) {
                    value.set(v.clone());
                }
            }
        });
    }

    /// The client id and secret the page holds now.
    pub fn client(&self) -> (String, String) {
        self.client
            .get_value()
            .map(|(id, secret)| (id.get_untracked(), secret.get_untracked()))
            .unwrap_or_default()
    }

    /// Fills the page's client fields.
    pub fn set_client(&self, client_id: String, secret: String) {
        if let Some((id, s)) = self.client.get_value() {
            id.set(client_id);
            s.set(secret);
        }
    }

    /// On a callback page: the server the tab's run went to, as the flow page left it.
    pub fn recall_target(self) {
        Effect::new(move |_| {
            if let Some((target, api)) = remembered_target() {
                self.target.set(target);
                self.api_url.set(api);
            }
        });
    }

    /// The number the next step gets: the buttons show it, and its card carries it.
    pub fn next_number(&self) -> u32 {
        self.with_view(|v| v.map_or(1, |v| next_number(&v.steps)))
    }

    /// The arrows the run has travelled, oldest first.
    pub fn trail(&self) -> Vec<ArrowId> {
        self.with_view(|v| {
            v.map(|v| v.steps.iter().flat_map(|s| s.arrows.clone()).collect())
                .unwrap_or_default()
        })
    }

    /// Reads the current run.
    pub fn with_view<T>(&self, f: impl FnOnce(Option<&RunView>) -> T) -> T {
        match self.local.with(|l| l.is_some()) {
            true => self.local.with(|l| f(l.as_ref())),
            false => self.loaded.with(|l| f(l.as_ref().and_then(Option::as_ref))),
        }
    }

    /// The stored run's id, once a step ran.
    pub fn run_id(&self) -> Option<String> {
        self.with_view(|v| v.map(|v| v.id.clone()))
    }

    /// True while no access token is held.
    pub fn no_token(&self) -> bool {
        self.with_view(|v| v.is_none_or(|v| v.token.is_none()))
    }

    /// True when the run's current token came back decoded.
    pub fn has_inspection(&self) -> bool {
        self.with_view(|v| v.is_some_and(|v| v.inspection.is_some()))
    }

    /// True when the run holds what `needs` names.
    pub fn holds(&self, needs: Needs) -> bool {
        if needs == Needs::Token && self.outside_token.with(Option::is_some) {
            return true;
        }
        self.with_view(|v| match (needs, v) {
            (Needs::Nothing, _) => true,
            (_, None) => false,
            (Needs::Token, Some(v)) => v.token.is_some(),
            (Needs::Refresh, Some(v)) => v.has_refresh,
            (Needs::RetiredRefresh, Some(v)) => v.has_retired_refresh,
            (Needs::DeviceCode, Some(v)) => super::device::shown(v).is_some(),
        })
    }

    /// Runs `input` on the server as the next step of this page's run.
    pub fn run(self, input: StepInput) {
        self.run_all(vec![input]);
    }

    /// Runs `inputs` one after another as the next steps of this page's run, stopping at the
    /// first the server refuses.
    pub fn run_all(self, inputs: Vec<StepInput>) {
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            for mut input in inputs {
                input.flow = Some(self.flow);
                input.run = self.run_id().unwrap_or_default();
                if input.target.is_empty() {
                    input.target = self.target.get_untracked();
                }
                if input.api_url.is_empty() {
                    input.api_url = self.api_url.get_untracked();
                }
                if let Some(t) = self.outside_token.get_untracked() {
                    input.token = t;
                }
                match take_step(input).await {
                    Ok(view) => {
                        remember_in_address_bar(&self.page.path(self.flow), &view.id);
                        self.announcement.set(announce(&view));
                        self.local.set(Some(view));
                        scroll_to_newest();
                    }
                    Err(e) => {
                        self.announcement.set(format!("The step was refused: {e}"));
                        self.error.set(Some(e.to_string()));
                        break;
                    }
                }
            }
            self.busy.set(false);
        });
    }
}

const TARGET_KEY: &str = "oauth-sandbox-target";

/// Keeps the server a tab's run goes to, for the callback page: the server and its API.
pub fn remember_target(target: &str, api: &str) {
    use crate::browser_storage::{self, Store};
    match target.is_empty() {
        true => browser_storage::remove(Store::Session, TARGET_KEY),
        false => browser_storage::set(Store::Session, TARGET_KEY, &format!("{target} {api}")),
    }
}

/// The server [`remember_target`] kept, if any.
pub fn remembered_target() -> Option<(String, String)> {
    let kept = crate::browser_storage::get(crate::browser_storage::Store::Session, TARGET_KEY)?;
    let (target, api) = kept.split_once(' ').unwrap_or((kept.as_str(), ""));
    Some((target.to_owned(), api.to_owned()))
}

/// What a screen reader hears after a step: its title and the status line of its answer.
fn announce(view: &RunView) -> String {
    view.steps.last().map_or_else(String::new, |s| {
        format!("{}: {}", s.title, s.exchange.response.start_line)
    })
}

/// Brings the newest card of the timeline into view, once it is drawn.
fn scroll_to_newest() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        if let Ok(Some(card)) = document().query_selector("#results .timeline > li:last-child") {
            card.scroll_into_view();
        }
    });
}

/// The message of a server function error that a plain form post brought back in the query
/// (base64 of the error's JSON).
fn posted_error(encoded: &str) -> Option<String> {
    use leptos::server_fn::error::ServerFnUrlError;
    let error = ServerFnUrlError::<super::error::SandboxError>::decode_err(encoded);
    Some(error.to_string())
}

/// Puts the run's id in the address bar, so a reload or a shared link reopens the run.
fn remember_in_address_bar(page: &str, id: &str) {
    crate::replace_url(&format!("{page}?run={id}"));
}

/// The form around a page's parameters and step buttons. Before the page hydrates, each button
/// posts the form to the step server function, which redirects back here showing the run; after
/// hydration the buttons run the step in place.
#[component]
pub fn StepForm(state: FlowState, children: Children) -> impl IntoView {
    view! {
        <form method="post" action=TakeStep::PATH class="step-form">
            <input type="hidden" name="input[flow]" value=state.flow.slug() />
            <input type="hidden" name="input[run]" value=move || state.run_id().unwrap_or_default() />
            <input type="hidden" name="input[target]" value=move || state.target.get() />
            <input type="hidden" name="input[api_url]" value=move || state.api_url.get() />
            {children()}
        </form>
    }
}

/// A button that runs one step: a form submit before hydration, a call in place after. Its
/// label carries the number the step's card will get: "Run 3: call the API", "Lesson 4: …".
#[component]
pub fn StepButton(
    state: FlowState,
    step: StepKind,
    /// What the step does, in lower case: "call the API".
    label: &'static str,
    /// The step's parameters, read when it runs.
    make: Callback<(), StepInput>,
    #[prop(optional)] needs: Needs,
    /// "primary", "lesson" or empty.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let mut input = make.run(());
        input.step = Some(step);
        state.run(input);
    };
    let kind = if class == "lesson" { "Lesson" } else { "Run" };
    view! {
        <button
            type="submit"
            name="input[step]"
            value=step.slug()
            class=class
            data-step=step.slug()
            on:click=click
            disabled=move || state.busy.get() || !state.holds(needs)
        >
            {move || format!("{kind} {}: {label}", state.next_number())}
        </button>
    }
}

/// The steps every flow offers once it holds a token: call the API, refresh, introspect, revoke.
/// Calling the API after revoking shows the 401.
#[component]
pub fn TokenSteps(
    state: FlowState,
    make: Callback<(), StepInput>,
    /// The flow can hold a refresh token.
    #[prop(optional)]
    refresh: bool,
    /// The flow is OpenID Connect: offer the userinfo step.
    #[prop(optional)]
    openid: bool,
) -> impl IntoView {
    // Where the token goes on the API call: the header, or (as a lesson) the query.
    let placement = RwSignal::new("header".to_owned());
    let make = Callback::new(move |()| {
        let mut input = make.run(());
        input.placement = placement.get_untracked();
        input
    });
    view! {
        <label class="placement">"The token goes in"
            <select name="input[placement]" on:change=move |ev| placement.set(event_target_value(&ev))>
                <option value="header">"the Authorization header (§2.1)"</option>
                <option value="query">"the URI query (§2.3, discouraged)"</option>
            </select>
        </label>
        <StepButton state make step=StepKind::Api label="call the API" needs=Needs::Token />
        {openid.then(|| view! {
            <StepButton state make step=StepKind::Userinfo label="ask userinfo who signed in" needs=Needs::Token />
        })}
        {refresh.then(|| view! {
            <StepButton state make step=StepKind::Refresh label="refresh" needs=Needs::Refresh />
            <StepButton state make step=StepKind::Reuse label="reuse the old refresh token" needs=Needs::RetiredRefresh class="lesson" />
        })}
        <StepButton state make step=StepKind::Introspect label="introspect" needs=Needs::Token />
        <StepButton state make step=StepKind::Revoke label="revoke" needs=Needs::Token />
    }
}

/// The frame of a flow page: breadcrumb, title, standing, explanation and diagram from the
/// flow's catalogue entry, then the page's own parameters and steps, and the run's timeline.
#[component]
pub fn FlowFrame(state: FlowState, children: Children) -> impl IntoView {
    let entry = state.flow.entry();
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page flow" data-hydrated=move || hydrated.get().to_string()>
            <p class="crumbs"><a href="/">"oauth-sandbox"</a> " / " <a href="/#flows">"Flows"</a> " / " {entry.title}</p>
            <h1>{entry.title}</h1>
            <p class=format!("badge {}", entry.standing.class())>{entry.standing_text}</p>
            <p class="lead">{entry.lead}</p>
            <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                <SequenceDiagram flow=state.flow trail=Signal::derive(move || state.trail()) />
                {state.flow.runs_against_other_servers().then(|| view! { <super::target_panel::TargetPanel state /> })}
                {children()}
                <StepList state />
            </Transition>
        </main>
    }
    .into_any()
}

/// The run's timeline: every exchange oldest first, front channel and back channel, then the
/// current token decoded. The newest card scrolls into view and is announced.
#[component]
pub fn StepList(state: FlowState) -> impl IntoView {
    let steps = move || {
        state.with_view(|v| {
            v.map(|v| v.steps.iter().cloned().enumerate().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let run_id = move || state.run_id();
    view! {
        <section id="results" class="results" aria-labelledby="results-title">
            <h2 id="results-title">"Timeline"</h2>
            <p class="visually-hidden" role="status" aria-live="polite">{move || state.announcement.get()}</p>
            {move || state.error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <Show when=move || run_id().is_none()>
                <p class="muted">"Nothing has crossed yet. Each step you run appears here, in the order it happened."</p>
            </Show>
            <ol class="timeline">
                <For each=steps key=|(n, _)| *n let:item>
                    <TimelineEntry step=item.1 flow=Some(state.flow) />
                </For>
            </ol>
            {move || state.with_view(|v| v.and_then(|v| v.inspection.clone())).map(|i| view! {
                <TokenView inspection=i note="What the client sends to the API. Only the resource server needs to read it; the client should treat it as opaque." />
            })}
            {move || state.with_view(|v| v.and_then(|v| v.id_token.clone())).map(|t| view! {
                <TokenView inspection=t.inspection checks=t.checks what="ID token" note="Who signed in, for the client itself (OpenID Connect Core §2): never sent to an API. The client must run these checks before it believes it." />
            })}
            {move || state.with_view(|v| v.and_then(|v| v.refresh.clone())).map(|i| view! {
                <TokenView inspection=i what="refresh token" note="Gets new access tokens without the user. Only the token endpoint ever sees it; keep it like a password." />
            })}
            {move || run_id().map(|id| view! {
                <p class="saved">
                    "This run is saved. " <a href=format!("{}/{id}", crate::endpoints::RUNS)>"Open it"</a>
                    " or see all " <a href=crate::endpoints::RUNS>"runs"</a> ". "
                    <a href=state.page.path(state.flow)>"Start a new run"</a> "."
                </p>
            })}
        </section>
    }
    .into_any()
}

/// A labelled text input bound to a signal and named `input[<name>]` for the step form;
/// `secret` hides what is typed.
#[component]
pub fn TextParam(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] secret: bool,
) -> impl IntoView {
    if !secret && let Some(state) = use_context::<FlowState>() {
        state.share(name, value);
    }
    view! {
        <label>
            {label}
            <input
                type=if secret { "password" } else { "text" }
                name=format!("input[{name}]")
                value=value.get_untracked()
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// The signed-in developer's own clients that hold `grant`, as an option group of a client
/// picker (nothing for a visitor). `selected` is the picker's value.
#[component]
pub fn OwnClientOptions(grant: &'static str, selected: RwSignal<String>) -> impl IntoView {
    let mine = Resource::new(|| (), |_| crate::console::api::usable_clients());
    let own = move || {
        mine.get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.owner.is_some() && c.form.grant_types.iter().any(|g| g == grant))
            .map(|c| c.form.client_id)
            .collect::<Vec<_>>()
    };
    move || {
        let own = own();
        (!own.is_empty()).then(|| {
            view! {
                <optgroup label="Your clients">
                    {own
                        .into_iter()
                        .map(|id| {
                            let value = id.clone();
                            view! {
                                <option value=id.clone() selected=move || selected.get() == value>
                                    {id.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </optgroup>
            }
        })
    }
}

/// A demo client a flow page offers, with the secret the page fills in (empty: public).
pub struct DemoClient {
    pub id: &'static str,
    pub label: &'static str,
    pub secret: &'static str,
}

/// The client a flow uses: the page's demo clients, then the signed-in developer's own that
/// hold `grant`; and its secret, filled in for a demo client and typed for one's own.
#[component]
pub fn ClientPicker(
    demo: &'static [DemoClient],
    grant: &'static str,
    client_id: RwSignal<String>,
    secret: RwSignal<String>,
) -> impl IntoView {
    let pick = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        let known = demo.iter().find(|d| d.id == id).map(|d| d.secret);
        secret.set(known.unwrap_or_default().to_owned());
        client_id.set(id);
    };
    // Against another server, the client is the one registered there: typed, not picked.
    let state = use_context::<FlowState>();
    if let Some(state) = state {
        state.attach_client(client_id, secret);
    }
    let outside = move || state.is_some_and(|s| !s.target.with(String::is_empty));
    // This server's demo secrets never travel to another server by accident.
    Effect::new(move |_| {
        if outside()
            && demo
                .iter()
                .any(|d| !d.secret.is_empty() && secret.with_untracked(|s| s == d.secret))
        {
            secret.set(String::new());
        }
    });
    // Both are drawn, one hidden: the picker's own-clients resource must exist in the same
    // place on the server and in the browser, for hydration.
    view! {
        <label hidden=outside>"Client"
            <select name="input[client_id]" on:change=pick disabled=outside>
                <optgroup label="Demo clients">
                    {demo.iter().map(|d| view! {
                        <option value=d.id selected=move || client_id.get() == d.id>{d.label}</option>
                    }).collect_view()}
                </optgroup>
                <OwnClientOptions grant selected=client_id />
            </select>
        </label>
        <Show when=outside>
            <TextParam label="Client id (registered at that server)" name="client_id" value=client_id />
        </Show>
        <TextParam label="Client secret" name="client_secret" value=secret secret=true />
    }
}
