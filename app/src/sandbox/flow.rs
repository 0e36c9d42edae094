//! What every flow page shares: its state (steps run so far, the current token), the runner that
//! sends a step for real and records it, the page frame and the list of finished steps.

use super::api::{inspect_token, save_run, send_exchange};
use super::diagram::{Arrow, SequenceDiagram};
use super::exchange_card::ExchangeCard;
use super::requests;
use super::token_view::TokenView;
use super::wire::{Exchange, Outgoing, RunStep, TokenInspection};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A finished step.
#[derive(Clone, Debug)]
pub struct Step {
    pub title: &'static str,
    pub lesson: &'static str,
    /// The diagram arrow it reached.
    pub arrow: usize,
    pub exchange: Exchange,
}

/// What the step does with the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Nothing.
    Nothing,
    /// The response's access token (and refresh token) become the current ones.
    Tokens,
}

/// The state of one flow page.
#[derive(Clone, Copy)]
pub struct FlowState {
    /// The flow's name, for the run history.
    pub flow: &'static str,
    /// The stored run, once the first step is saved.
    pub run_id: RwSignal<Option<String>>,
    pub steps: RwSignal<Vec<Step>>,
    pub token: RwSignal<Option<String>>,
    pub refresh: RwSignal<Option<String>>,
    pub inspection: RwSignal<Option<TokenInspection>>,
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

impl FlowState {
    /// Fresh state for the flow named `flow`.
    pub fn new(flow: &'static str) -> Self {
        Self {
            flow,
            run_id: RwSignal::new(None),
            steps: RwSignal::new(Vec::new()),
            token: RwSignal::new(None),
            refresh: RwSignal::new(None),
            inspection: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// True while no access token is held.
    pub fn no_token(&self) -> bool {
        self.token.with(Option::is_none)
    }

    /// Sends `request` for real and records the step. `arrow` is the diagram arrow the request
    /// travels on; a successful answer moves the mark to the next arrow (the response).
    pub fn run(
        self,
        title: &'static str,
        lesson: &'static str,
        arrow: usize,
        request: Outgoing,
        keep: Keep,
    ) {
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match send_exchange(request).await {
                Ok(exchange) => {
                    if keep == Keep::Tokens && exchange.status < 400 {
                        let body = &exchange.response.body;
                        let access = requests::access_token_of(body);
                        if let Some(r) = requests::field_of(body, "refresh_token") {
                            self.refresh.set(Some(r));
                        }
                        self.token.set(access.clone());
                        self.inspection.set(None);
                        if let Some(t) = access {
                            self.inspection.set(inspect_token(t).await.ok());
                        }
                    }
                    let reached = if exchange.status < 400 {
                        arrow + 1
                    } else {
                        arrow
                    };
                    self.steps.update(|s| {
                        s.push(Step {
                            title,
                            lesson,
                            arrow: reached,
                            exchange,
                        })
                    });
                    // Every run is kept: store the steps so far.
                    let steps = self.steps.with_untracked(|s| {
                        s.iter()
                            .map(|s| RunStep {
                                title: s.title.into(),
                                lesson: s.lesson.into(),
                                exchange: s.exchange.clone(),
                            })
                            .collect()
                    });
                    if let Ok(id) =
                        save_run(self.run_id.get_untracked(), self.flow.to_owned(), steps).await
                    {
                        self.run_id.set(Some(id));
                    }
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.busy.set(false);
        });
    }
}

/// The frame of a flow page: breadcrumb, title, status, explanation, diagram, then the page's
/// own parameters and steps.
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
    let current = Signal::derive(move || state.steps.with(|s| s.last().map(|s| s.arrow)));
    view! {
        <main class="page flow" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / " {title}</p>
            <h1>{title}</h1>
            <p class=format!("badge {status}")>{status_text}</p>
            <p class="lead">{lead}</p>
            <SequenceDiagram arrows current />
            {children()}
            <noscript><p>"The steps run from this page's script; enable JavaScript to use them."</p></noscript>
            <StepList state />
        </main>
    }
    .into_any()
}

/// The token view and the finished steps, newest first.
#[component]
pub fn StepList(state: FlowState) -> impl IntoView {
    let newest_first = move || {
        state
            .steps
            .get()
            .into_iter()
            .enumerate()
            .rev()
            .collect::<Vec<_>>()
    };
    view! {
        <section class="results" aria-label="Results" aria-live="polite">
            {move || state.error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            {move || state.run_id.get().map(|id| view! {
                <p class="saved">
                    "This run is saved. " <a href=format!("{}/{id}", crate::endpoints::RUNS)>"Open it"</a>
                    " or see all " <a href=crate::endpoints::RUNS>"runs"</a> "."
                </p>
            })}
            {move || state.inspection.get().map(|i| view! { <TokenView inspection=i /> })}
            <For each=newest_first key=|(n, _)| *n let:item>
                <div class="step">
                    <p class="lesson-text">{item.1.lesson}</p>
                    <ExchangeCard title=item.1.title exchange=item.1.exchange.clone() />
                </div>
            </For>
        </section>
    }
    .into_any()
}

/// A labelled text input bound to a signal; `secret` hides what is typed.
#[component]
pub fn TextParam(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] secret: bool,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type=if secret { "password" } else { "text" }
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
