//! The tutorial at `/tutorial`: five chapters in the order of the Authentication Tutorial
//! (Basic, Client Credentials, Resource Owner Password, Authorization Code with PKCE,
//! Implicit), then three of SMART on FHIR (standalone launch, EHR launch, Backend Services). A browser gets a private learner workspace on its first visit; each chapter is
//! marked done from what the workspace's runs hold.

pub mod catalogue;
pub mod chapter;
pub mod workspace;

use crate::sandbox::api::list_runs;
use catalogue::CHAPTERS;
use leptos::prelude::*;

/// `/tutorial`: the chapters, each marked done or not, and the workspace.
#[component]
pub fn TutorialPage() -> impl IntoView {
    let ws = workspace::WorkspaceState::open();
    // Read again once the workspace is open: a first visit owns no runs before that.
    let runs = Resource::new(move || ws.is_open(), |_| list_runs());
    let done = move |index: usize| {
        runs.get().and_then(Result::ok).is_some_and(|runs| {
            let chapter = &CHAPTERS[index];
            runs.iter()
                .any(|r| r.flow == Some(chapter.flow) && chapter.done(&r.steps))
        })
    };
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page tutorial" data-hydrated=move || hydrated.get().to_string()>
            <p class="crumbs"><a href="/">"oauth-sandbox"</a> " / Tutorial"</p>
            <h1>"Tutorial"</h1>
            <p class="lead">
                "Five flows, oldest idea first, then three of SMART on FHIR. In each chapter you set up what the flow needs (your own client, "
                "its access policy, a person) with the admin REST API, get a token, call the demo API, and break something on purpose. "
                "Every request and answer lands on the chapter's timeline, exactly as it crossed."
            </p>
            <workspace::WorkspacePanel ws />
            <Transition fallback=|| view! { <p>"Loading your progress…"</p> }>
                <ol class="chapters" aria-label="Chapters">
                    {CHAPTERS.iter().enumerate().map(|(i, c)| {
                        let entry = c.flow.entry();
                        view! {
                            <li class="chapter">
                                <h2><a href=c.path()>{format!("Chapter {}: {}", i + 1, entry.title)}</a></h2>
                                <p class=format!("badge {}", entry.standing.class())>{entry.standing_text}</p>
                                <p>{c.purpose}</p>
                                <p class=move || if done(i) { "chapter-status done" } else { "chapter-status" }>
                                    {move || if done(i) { "Done" } else { "Not done yet" }}
                                </p>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Transition>
            <p>"Prefer to explore without a script? " <a href="/#flows">"Pick a flow"</a> " or read the " <a href="/endpoints">"endpoints"</a> "."</p>
        </main>
    }
    .into_any()
}
