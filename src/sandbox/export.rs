//! Exporting a stored sandbox run, for its owner alone: Markdown with every exchange, or a shell
//! script of curl commands. Every credential (secrets, passwords, tokens, codes, verifiers,
//! assertions, in requests and in responses) is masked unless the request asks `?reveal=true`,
//! so a masked export holds nothing that still works. `DELETE /sandbox/runs/{id}` deletes it.

use super::backend::visible_run;
use crate::state::AppState;

use app::sandbox::catalogue::Channel;
use app::sandbox::credentials::{mask_steps, run_credentials};
use app::sandbox::timeline::carrier;
use app::sandbox::wire::SavedRun;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `?reveal=true` shows secrets.
#[derive(Debug, Deserialize)]
pub struct Reveal {
    #[serde(default)]
    reveal: bool,
}

/// A run as Markdown; `reveal` says whether its credentials were left in.
pub fn markdown(run: &SavedRun, reveal: bool) -> String {
    let mut out = format!(
        "# {} run {}\n\nRecorded {} by oauth-sandbox.\n",
        run.flow_slug(),
        run.id,
        run.created_at
    );
    if !reveal {
        out.push_str(
            "\nEvery credential is masked (••••••••); export with ?reveal=true to include them.\n",
        );
    }
    for step in &run.steps {
        out.push_str(&format!(
            "\n## {}\n\n*{}*\n\n{}\n\n",
            step.title,
            carrier(step),
            step.lesson
        ));
        out.push_str(&format!(
            "```http\n{}\n```\n\n",
            step.exchange.request.to_text()
        ));
        out.push_str(&format!(
            "```http\n{}\n```\n",
            step.exchange.response.to_text()
        ));
        if !step.exchange.checks.is_empty() {
            out.push_str("\nChecks the server ran:\n\n");
            for c in &step.exchange.checks {
                out.push_str(&format!(
                    "- {} {} ({})\n",
                    if c.passed { "✓" } else { "✗" },
                    c.name,
                    c.rfc
                ));
            }
        }
    }
    out
}

/// A run as a shell script of curl commands; `reveal` says whether its credentials were left in.
pub fn shell(run: &SavedRun, reveal: bool) -> String {
    let mut out = format!(
        "#!/bin/sh\n# {} run {}, recorded {} by oauth-sandbox.\n",
        run.flow_slug(),
        run.id,
        run.created_at
    );
    if !reveal {
        out.push_str(
            "# Every credential is masked (••••••••); export with ?reveal=true to include them.\n",
        );
    }
    for step in &run.steps {
        if step.channel == Channel::Front {
            // The browser carried it: there is no curl line, only what to open.
            out.push_str(&format!(
                "\n# {} (front channel, carried by the browser)\n# {}\n",
                step.title, step.exchange.request.start_line
            ));
            continue;
        }
        out.push_str(&format!(
            "\n# {}\n{}\necho\n",
            step.title, step.exchange.curl
        ));
    }
    out
}

async fn load(state: &AppState, headers: &HeaderMap, id: &str) -> Result<SavedRun, Response> {
    match visible_run(state, headers, id).await {
        Ok(Some(run)) => Ok(run),
        Ok(None) => Err((StatusCode::NOT_FOUND, "no such run").into_response()),
        Err(e) => {
            tracing::error!(error = %e, "reading a run");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn download(body: String, content_type: &'static str, filename: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn export(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    reveal: bool,
    shell_script: bool,
) -> Response {
    let run = load(state, headers, id).await.map(|mut run| {
        if !reveal {
            let credentials = run_credentials(&run.steps);
            mask_steps(&mut run.steps, &credentials);
        }
        run
    });
    match run {
        Ok(run) if shell_script => download(
            shell(&run, reveal),
            "text/x-shellscript; charset=utf-8",
            format!("{}-{}.sh", run.flow_slug(), run.id),
        ),
        Ok(run) => download(
            markdown(&run, reveal),
            "text/markdown; charset=utf-8",
            format!("{}-{}.md", run.flow_slug(), run.id),
        ),
        Err(r) => r,
    }
}

/// `GET /sandbox/runs/{id}/export.md`.
pub async fn export_markdown(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Reveal>,
) -> Response {
    export(&state, &headers, &id, q.reveal, false).await
}

/// `GET /sandbox/runs/{id}/export.sh`.
pub async fn export_shell(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Reveal>,
) -> Response {
    export(&state, &headers, &id, q.reveal, true).await
}

/// `DELETE /sandbox/runs/{id}`: 204 when the run was the caller's and is gone, else 404.
pub async fn delete_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match super::backend::delete_run(&state, &headers, &id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "no such run").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "deleting a run");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
