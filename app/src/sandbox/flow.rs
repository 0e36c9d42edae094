//! What every flow page shares: its state (steps run so far, the current token), the runner that
//! sends a step for real and records it, the page frame and the list of finished steps.

use super::api::{TakeStep, open_run, take_step};
use super::diagram::{Arrow, SequenceDiagram};
use super::exchange_card::ExchangeCard;
use super::token_view::TokenView;
use super::wire::{RunView, StepInput};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

/// The state of one flow page: the run so far, as the server keeps it.
#[derive(Clone, Copy)]
pub struct FlowState {
    /// The flow's name, for the run history.
    pub flow: &'static str,
    /// The run as the last step on this page left it.
    local: RwSignal<Option<RunView>>,
    /// The run named by `?run=` when the page was opened (after a plain form post, say).
    loaded: Resource<Option<RunView>>,
    /// A token the run got from outside the back channel (the implicit flow's fragment).
    pub outside_token: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

/// What a step needs the run to hold before it can run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Needs {
    #[default]
    Nothing,
    Token,
    Refresh,
    RetiredRefresh,
}

impl FlowState {
    /// The state of the flow named `flow`, continuing the run in the page's `?run=` query.
    pub fn new(flow: &'static str) -> Self {
        let query = use_query_map();
        let loaded = Resource::new(
            move || query.with(|q| q.get("run")),
            move |id| async move {
                match id {
                    Some(id) => open_run(id).await.ok().flatten().filter(|v| v.flow == flow),
                    None => None,
                }
            },
        );
        // A form post that failed comes back with the error in `__err`.
        let failed = query
            .with_untracked(|q| q.get("__err"))
            .and_then(|e| posted_error(&e));
        Self {
            flow,
            local: RwSignal::new(None),
            loaded,
            outside_token: RwSignal::new(None),
            error: RwSignal::new(failed),
            busy: RwSignal::new(false),
        }
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
        })
    }

    /// Runs `input` on the server as the next step of this page's run.
    pub fn run(self, mut input: StepInput) {
        input.flow = self.flow.into();
        input.run = self.run_id().unwrap_or_default();
        if let Some(t) = self.outside_token.get_untracked() {
            input.token = t;
        }
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match take_step(input).await {
                Ok(view) => {
                    remember_in_address_bar(self.flow, &view.id);
                    self.local.set(Some(view));
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.busy.set(false);
        });
    }
}

/// The message of a server function error that a plain form post brought back in the query
/// (base64 of `<kind>|<message>`).
fn posted_error(encoded: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(
        text.split_once('|')
            .map_or(text.clone(), |(_, m)| m.to_owned()),
    )
}

/// Puts the run's id in the address bar, so a reload or a shared link reopens the run.
fn remember_in_address_bar(flow: &str, id: &str) {
    crate::replace_url(&format!("/sandbox/{flow}?run={id}"));
}

/// The form around a page's parameters and step buttons. Before the page hydrates, each button
/// posts the form to the step server function, which redirects back here showing the run; after
/// hydration the buttons run the step in place.
#[component]
pub fn StepForm(state: FlowState, children: Children) -> impl IntoView {
    view! {
        <form method="post" action=TakeStep::PATH class="step-form">
            <input type="hidden" name="input[flow]" value=state.flow />
            <input type="hidden" name="input[run]" value=move || state.run_id().unwrap_or_default() />
            {children()}
        </form>
    }
}

/// A button that runs one step: a form submit before hydration, a call in place after.
#[component]
pub fn StepButton(
    state: FlowState,
    step: &'static str,
    label: &'static str,
    /// The step's parameters, read when it runs.
    make: Callback<(), StepInput>,
    #[prop(optional)] needs: Needs,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let mut input = make.run(());
        input.step = step.into();
        state.run(input);
    };
    view! {
        <button
            type="submit"
            name="input[step]"
            value=step
            class=class
            data-step=step
            on:click=click
            disabled=move || state.busy.get() || !state.holds(needs)
        >
            {label}
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
                <option value="header">"the Authorization header (RFC 6750 §2.1)"</option>
                <option value="query">"the URI query (RFC 6750 §2.3, discouraged)"</option>
            </select>
        </label>
        <StepButton state make step="api" label="Run: call the API" needs=Needs::Token />
        {refresh.then(|| view! {
            <StepButton state make step="refresh" label="Run: refresh" needs=Needs::Refresh />
            <StepButton state make step="reuse" label="Lesson: reuse the old refresh token" needs=Needs::RetiredRefresh class="lesson" />
        })}
        <StepButton state make step="introspect" label="Run: introspect" needs=Needs::Token />
        <StepButton state make step="revoke" label="Run: revoke" needs=Needs::Token />
    }
}

/// The frame of a flow page: breadcrumb, title, status, explanation, diagram, then the page's
/// own parameters and steps, and the run's results.
#[component]
pub fn FlowFrame(
    title: &'static str,
    /// "recommended" or "legacy".
    status: &'static str,
    status_text: &'static str,
    lead: &'static str,
    arrows: Vec<Arrow>,
    state: FlowState,
    children: Children,
) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let current = Signal::derive(move || {
        state.with_view(|v| v.and_then(|v| v.steps.last().map(|s| s.arrow)))
    });
    view! {
        <main class="page flow" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / " {title}</p>
            <h1>{title}</h1>
            <p class=format!("badge {status}")>{status_text}</p>
            <p class="lead">{lead}</p>
            <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                <SequenceDiagram arrows=arrows.clone() current />
                {children()}
                <StepList state />
            </Transition>
        </main>
    }
    .into_any()
}

/// The current token and the finished steps, newest first.
#[component]
pub fn StepList(state: FlowState) -> impl IntoView {
    let newest_first = move || {
        state.with_view(|v| {
            v.map(|v| {
                v.steps
                    .iter()
                    .cloned()
                    .enumerate()
                    .rev()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
        })
    };
    let run_id = move || state.run_id();
    view! {
        <section id="results" class="results" aria-label="Results" aria-live="polite">
            {move || state.error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            {move || run_id().map(|id| view! {
                <p class="saved">
                    "This run is saved. " <a href=format!("{}/{id}", crate::endpoints::RUNS)>"Open it"</a>
                    " or see all " <a href=crate::endpoints::RUNS>"runs"</a> ". "
                    <a href=format!("/sandbox/{}", state.flow)>"Start a new run"</a> "."
                </p>
            })}
            {move || state.with_view(|v| v.and_then(|v| v.inspection.clone())).map(|i| view! { <TokenView inspection=i /> })}
            <For each=newest_first key=|(n, _)| *n let:item>
                <div class="step">
                    <p class="lesson-text">{item.1.lesson.clone()}</p>
                    <ExchangeCard title=item.1.title.clone() exchange=item.1.exchange.clone() />
                </div>
            </For>
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
    view! {
        <label>"Client"
            <select name="input[client_id]" on:change=pick>
                <optgroup label="Demo clients">
                    {demo.iter().map(|d| view! {
                        <option value=d.id selected=move || client_id.get() == d.id>{d.label}</option>
                    }).collect_view()}
                </optgroup>
                <OwnClientOptions grant selected=client_id />
            </select>
        </label>
        <TextParam label="Client secret" name="client_secret" value=secret secret=true />
    }
}
