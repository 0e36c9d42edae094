//! The run history: every run listed, reopened, and exported as Markdown or a shell script.

use super::api::{DeleteRun, delete_run, get_run, list_runs};
use super::diagram::SequenceDiagram;
use super::timeline::TimelineEntry;
use super::wire::SavedRun;
use crate::endpoints as ep;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

fn export(id: &str, ext: &str, reveal: bool) -> String {
    let path = if ext == "md" {
        ep::RUN_EXPORT_MD
    } else {
        ep::RUN_EXPORT_SH
    }
    .replace("{id}", id);
    if reveal {
        format!("{path}?reveal=true")
    } else {
        path
    }
}

/// The run's flow, by its title.
fn flow_title(run: &SavedRun) -> &'static str {
    run.flow.map_or("Unknown", |f| f.entry().title)
}

/// `/sandbox/runs`.
#[component]
pub fn RunsPage() -> impl IntoView {
    let runs = Resource::new(|| (), |_| list_runs());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / Runs"</p>
            <h1>"Runs"</h1>
            <p class="lead">"The runs of this browser (or of your developer account, when you are signed in to the console), newest first. Nobody else can list, open, continue or export them, and each is deleted a while after its last step. Exports mask every credential unless you ask for them."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || runs.get().map(|r| match r {
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No runs yet. " <a href="/">"Run a flow"</a> "."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="claims runs">
                            <thead><tr><th scope="col">"Flow"</th><th scope="col">"Started"</th><th scope="col">"Steps"</th><th scope="col">"Export"</th><th scope="col">"Kept until"</th><th scope="col"><span class="visually-hidden">"Delete"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|run| {
                                    let open = format!("{}/{}", ep::RUNS, run.id);
                                    view! {
                                        <tr data-run=run.id.clone()>
                                            <td><a href=open>{flow_title(&run)}</a></td>
                                            <td>{run.created_at.clone()}</td>
                                            <td>{run.steps.len()}</td>
                                            <td>
                                                <a rel="external" href=export(&run.id, "md", false)>"Markdown"</a> " · "
                                                <a rel="external" href=export(&run.id, "sh", false)>"curl script"</a>
                                            </td>
                                            <td>{run.expires_at.clone()}</td>
                                            <td><DeleteRunButton id=run.id.clone() /></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
    .into_any()
}

/// `/sandbox/runs/{id}`: a run reopened.
#[component]
pub fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let run = Resource::new(move || params.read().get("id").unwrap_or_default(), get_run);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / " <a href=ep::RUNS>"Runs"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || run.get().map(|r| match r {
                    Ok(Some(run)) => view! {
                        <h1>{format!("{} run", flow_title(&run))}</h1>
                        {run.flow.map(|f| view! { <SequenceDiagram flow=f trail=Signal::stored(run.steps.iter().flat_map(|s| s.arrows.clone()).collect::<Vec<_>>()) /> })}
                        <p>
                            "Started " {run.created_at.clone()} ", kept until " {run.expires_at.clone()} ". Export: "
                            <a rel="external" href=export(&run.id, "md", false)>"Markdown"</a> " · "
                            <a rel="external" href=export(&run.id, "sh", false)>"curl script"</a> " · "
                            <a rel="external" href=export(&run.id, "md", true)>"Markdown with secrets"</a>
                        </p>
                        <p class="note">"Passwords and client secrets you typed are masked on this page; the export with secrets shows them, to you alone."</p>
                        <DeleteRunButton id=run.id.clone() />
                        <ol class="timeline">
                            {run.steps.into_iter().map(|s| view! { <TimelineEntry step=s flow=run.flow /> }).collect_view()}
                        </ol>
                    }.into_any(),
                    Ok(None) => view! { <h1>"No such run"</h1> }.into_any(),
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
    .into_any()
}

/// Deletes a run: a plain form post before hydration (answered with a redirect to the list),
/// the same server function called in place after it.
#[component]
fn DeleteRunButton(id: String) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match delete_run(id).await {
                    Ok(_) => {
                        let _ = window().location().set_href(ep::RUNS);
                    }
                    Err(e) => failed.set(Some(e.to_string())),
                }
            });
        }
    };
    view! {
        <form method="post" action=DeleteRun::PATH class="inline-form" on:submit=submit>
            <input type="hidden" name="id" value=id />
            <button type="submit" class="link danger">"Delete run"</button>
        </form>
        {move || failed.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
    }
}
