//! One chapter of the tutorial: what the flow is for and who holds which secret; the learner's
//! own client, policy and person, made with request cards against the admin REST API; a token
//! and a call to the demo API; one failure lesson; and a recap whose checklist is read from the
//! run. Every exchange joins the run's timeline, as on the flow pages.

use super::catalogue::Chapter;
use super::workspace::{WorkspacePanel, WorkspaceState};
use crate::endpoints as ep;
use crate::sandbox::api::{list_runs, open_run};
use crate::sandbox::catalogue::Flow;
use crate::sandbox::code_flow::{CodeRun, authorize_url, fresh_values, save_run};
use crate::sandbox::diagram::SequenceDiagram;
use crate::sandbox::flow::{FlowState, Page, StepButton, StepList};
use crate::sandbox::front_door::{AuthorizeExtras, SeeThePagesAgain, begin};
use crate::sandbox::request_card::RequestCard;
use crate::sandbox::smart::OpenLaunch;
use crate::sandbox::wire::{RunView, StepInput};
use crate::sandbox::{implicit, setup, steps};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/tutorial/{chapter}`.
#[component]
pub fn ChapterPage() -> impl IntoView {
    let params = use_params_map();
    // The next chapter's link keeps this route: the chapter is drawn anew when its name changes.
    let chapter =
        Memo::new(move |_| params.with(|p| p.get("chapter").and_then(|s| Chapter::from_slug(&s))));
    move || match chapter.get() {
        Some(chapter) => view! { <ChapterView chapter /> }.into_any(),
        None => view! { <crate::pages::NotFound /> }.into_any(),
    }
}

/// The run a chapter page continues: the one in `?run=`, else this browser's newest run of the
/// chapter (one that registered a client), so a reload or a return finds the learner's place.
fn chapter_run(flow: Flow) -> Resource<Option<RunView>> {
    let query = use_query_map();
    Resource::new(
        move || query.with(|q| q.get("run")),
        move |id| async move {
            let id = match id {
                Some(id) => Some(id),
                None => list_runs().await.ok().and_then(|runs| {
                    runs.into_iter()
                        .find(|r| {
                            r.flow == Some(flow)
                                && r.steps.iter().any(|s| {
                                    s.exchange.request.start_line.starts_with("PUT /Client/")
                                })
                        })
                        .map(|r| r.id)
                }),
            }?;
            open_run(id)
                .await
                .ok()
                .flatten()
                .filter(|v| v.flow == Some(flow))
        },
    )
}

#[component]
fn ChapterView(chapter: &'static Chapter) -> impl IntoView {
    let flow = chapter.flow;
    let entry = flow.entry();
    let ws = WorkspaceState::open();
    let mut state = FlowState::from_resource(flow, chapter_run(flow));
    state.page = Page::Tutorial;
    // Every step needs the workspace: the buttons wait for it (and so for the page's script).
    state.busy.set(true);
    Effect::new(move |_| {
        if ws.is_open() {
            state.busy.set(false);
        }
    });
    // Fresh random values: state, nonce and verifier for the flows through the browser.
    let fresh = RwSignal::new((String::new(), String::new(), String::new()));
    let origin = RwSignal::new(String::new());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        set_hydrated.set(true);
        origin.set(window().location().origin().unwrap_or_default());
        leptos::task::spawn_local(async move {
            if let Ok(values) = fresh_values().await {
                fresh.set(values);
            }
        });
    });
    let person_password = move || ws.person_password.get();
    let redirect_uri = move || format!("{}{}", origin.get_untracked(), ep::CALLBACK);
    let make = Callback::new(move |()| StepInput {
        client_id: chapter.client.into(),
        patient: setup::DEMO_PATIENTS[0].into(),
        workspace: ws.username(),
        workspace_password: ws.password.get_untracked(),
        password: ws.person_password.get_untracked(),
        redirect_uri: redirect_uri(),
        scope: chapter.scope.into(),
        auth: if flow == Flow::Password {
            "post"
        } else {
            "basic"
        }
        .into(),
        ..Default::default()
    });
    let progress =
        Memo::new(move |_| state.with_view(|v| chapter.progress(v.map_or(&[][..], |v| &v.steps))));
    let done = move || progress.with(|p| p.iter().all(|(_, ok)| *ok));
    let registered =
        move || state.with_view(|v| v.and_then(|v| steps::held(&v.steps, "").registered));
    let through_browser = entry.front_channel;
    let person = move || {
        ws.current
            .with(|w| w.as_ref().map(|w| setup::username(&w.username)))
            .unwrap_or_default()
    };
    view! {
        <main class="page flow tutorial-chapter" data-hydrated=move || hydrated.get().to_string()>
            <p class="crumbs"><a href="/">"oauth-sandbox"</a> " / " <a href=ep::TUTORIAL>"Tutorial"</a> " / " {entry.title}</p>
            <h1>{format!("Chapter {}: {}", chapter.number(), entry.title)}</h1>
            <p class=format!("badge {}", entry.standing.class())>{entry.standing_text}</p>
            <p class="lead">{chapter.purpose}</p>
            <section aria-labelledby="secrets-title">
                <h2 id="secrets-title">"Who holds which secret"</h2>
                <table class="secrets">
                    <thead><tr><th scope="col">"Who"</th><th scope="col">"Holds"</th><th scope="col">"Why it matters"</th></tr></thead>
                    <tbody>
                        {chapter.secrets.iter().map(|(who, what, why)| view! {
                            <tr><th scope="row">{*who}</th><td>{*what}</td><td>{*why}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <WorkspacePanel ws />
            <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                <SequenceDiagram flow trail=Signal::derive(move || state.trail()) />
                <section class="steps" aria-labelledby="setup-title">
                    <h2 id="setup-title">"1. Set up, with the admin REST API"</h2>
                    {match chapter.setup.is_empty() {
                        false => view! {
                            <p>
                                "A developer registers a client before it can ask for anything. Each card is a real request "
                                "to this server's admin API, signed in as your workspace. Edit it if you like, then run it."
                            </p>
                            <div class="step-buttons">
                                {chapter.setup.iter().map(|(step, label)| view! {
                                    <StepButton state make step=*step label=*label />
                                }).collect_view()}
                            </div>
                            <Show when=move || ws.is_open()>
                                <RequestCard state make steps=chapter.setup />
                            </Show>
                        }.into_any(),
                        true => view! {
                            <p>
                                "Nothing to send: the demo client " <code>{chapter.client}</code>
                                " is registered with its key set's URL (jwks_uri), which the test issuer publishes, so the test issuer can sign for it. "
                                "Your own service would register its own public keys, never this shared one."
                            </p>
                        }.into_any(),
                    }}
                </section>
                <section class="steps" aria-labelledby="use-title">
                    <h2 id="use-title">{if flow == Flow::Basic { "2. Call the API" } else { "2. Get a token and call the API" }}</h2>
                    <div class="step-buttons">
                        {chapter.steps.iter().map(|(step, label, needs, class)| view! {
                            <StepButton state make step=*step label=*label needs=*needs class=*class />
                        }).collect_view()}
                    </div>
                    {(flow == Flow::SmartEhr).then(|| view! { <OpenLaunch state /> })}
                    {through_browser.then(|| view! {
                        {(flow != Flow::SmartEhr).then(|| view! {
                            <FrontDoor chapter state ws fresh registered=Signal::derive(registered) redirect_uri=Signal::derive(move || { origin.track(); redirect_uri() }) />
                        })}
                        <p>
                            "Sign in as " <code>{person}</code> " with the password " <code data-person-password="">{person_password}</code>
                            ". The sign-in page belongs to the authorization server: your client never sees it."
                        </p>
                    })}
                </section>
                <section class="steps" aria-labelledby="lesson-title">
                    <h2 id="lesson-title">"3. Try a failure"</h2>
                    <div class="step-buttons">
                        {(!through_browser).then(|| view! {
                            <StepButton state make step=chapter.lesson.0 label=chapter.lesson.1 class="lesson" />
                        })}
                    </div>
                    {through_browser.then(|| match chapter.lesson_answer.0 == ep::AUTHORIZE {
                        true => view! { <p>"Beside the button that sends the browser: " <strong>{chapter.lesson.1}</strong> "."</p> }.into_any(),
                        false => view! { <p>"On the callback page: " <strong>{chapter.lesson.1}</strong> "."</p> }.into_any(),
                    })}
                </section>
                <section class="recap" aria-labelledby="recap-title">
                    <h2 id="recap-title">"Recap"</h2>
                    <ul class="checklist" aria-label="What this run has done">
                        {move || progress.get().into_iter().map(|(m, ok)| view! {
                            <li class=if ok { "ok" } else { "todo" }>
                                <span class="visually-hidden">{if ok { "Done: " } else { "Not yet: " }}</span>
                                {m.label()}
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="chapter-status" role="status">
                        {move || if done() { "Chapter done." } else { "Not done yet: the checklist shows what is left." }}
                    </p>
                    <ul class="recap-points">
                        {chapter.recap.iter().map(|r| view! { <li>{*r}</li> }).collect_view()}
                    </ul>
                    <p>
                        {chapter.next().map(|n| view! { <a class="next-chapter" href=n.path()>{format!("Next: chapter {}, {}", n.number(), n.flow.entry().title)}</a> " · " })}
                        <a href=ep::TUTORIAL>"All chapters"</a>
                    </p>
                </section>
                <StepList state />
            </Transition>
        </main>
    }
    .into_any()
}

/// The flows through the browser: send it to the authorization server with the learner's own
/// client; the callback page finishes the flow and leads back here.
#[component]
fn FrontDoor(
    chapter: &'static Chapter,
    state: FlowState,
    ws: WorkspaceState,
    fresh: RwSignal<(String, String, String)>,
    registered: Signal<Option<(String, Option<String>)>>,
    redirect_uri: Signal<String>,
) -> impl IntoView {
    let flow = chapter.flow;
    let extras = move || AuthorizeExtras {
        prompt: String::new(),
        other: format!("login_hint={}", setup::username(&ws.username())),
    };
    let url_of = move |client_id: &str, run: &str, aud: String| {
        let (state_value, nonce, verifier) = fresh.get_untracked();
        match flow {
            Flow::Implicit => implicit::implicit_url(
                client_id,
                redirect_uri.get_untracked().trim_end_matches(ep::CALLBACK),
                chapter.scope,
                &state_value,
                &extras(),
            ),
            _ => {
                let r = CodeRun {
                    client_id: client_id.to_owned(),
                    client_secret: String::new(),
                    redirect_uri: redirect_uri.get_untracked(),
                    scope: chapter.scope.into(),
                    state: state_value,
                    nonce,
                    verifier,
                    method: "S256".into(),
                    extras: extras(),
                    run: run.to_owned(),
                    aud: aud.clone(),
                    ..Default::default()
                };
                save_run(&r);
                authorize_url(&r)
            }
        }
    };
    // A SMART launch names the FHIR server the token is for; the lesson names another one.
    let send = move |aud: String| {
        let Some((client_id, _)) = registered.get_untracked() else {
            return;
        };
        let state_value = fresh.get_untracked().0;
        let id = client_id.clone();
        begin(state, client_id, state_value, move |run| {
            url_of(&id, &run, aud)
        });
    };
    let own_aud = move || match flow.is_smart_launch() {
        true => setup::fhir_base(redirect_uri.get_untracked().trim_end_matches(ep::CALLBACK)),
        false => String::new(),
    };
    let go = move |_| send(own_aud());
    let wrong_aud = move |_| send(crate::sandbox::smart::OTHER_FHIR_SERVER.to_owned());
    let ready = move || registered.get().is_some() && fresh.with(|f| !f.0.is_empty());
    view! {
        <div class="step-buttons">
            <button class="primary" on:click=go disabled=move || !ready() || state.busy.get()>
                {move || format!("Run {}: go to the authorization server", state.next_number())}
            </button>
            {flow.is_smart_launch().then(|| view! {
                <button class="lesson" on:click=wrong_aud disabled=move || !ready() || state.busy.get()>
                    {move || format!("Lesson {}: {}", state.next_number(), chapter.lesson.1)}
                </button>
            })}
        </div>
        <Show when=move || registered.get().is_none()>
            <p class="hint">"Register your client first: the browser is sent with its client_id."</p>
        </Show>
        <p>
            {match flow {
                Flow::Implicit => "The token comes back in the callback's fragment. There: call the API, then try the lesson.",
                Flow::SmartStandalone => "After sign-in, choose the patient. The code comes back to the callback page. There: exchange it and read the patient in context.",
                _ => "The code comes back to the callback page. There: exchange it, call the API, then try the lesson.",
            }}
        </p>
        <SeeThePagesAgain flow page=Page::Tutorial />
    }
}
