//! Exporting a stored sandbox run: Markdown with every exchange, or a shell script of curl
//! commands. Secrets are masked unless the request asks `?reveal=true`.

use crate::sandbox_backend::visible_run;
use crate::state::AppState;

use app::sandbox::exchange_card::{redact, secrets_of};
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

/// A run as Markdown.
pub fn markdown(run: &SavedRun, reveal: bool) -> String {
    let mut out = format!(
        "# {} run {}\n\nRecorded {} by oauth-sandbox.\n",
        run.flow, run.id, run.created_at
    );
    for step in &run.steps {
        let secrets = if reveal {
            Vec::new()
        } else {
            secrets_of(&step.exchange.request)
        };
        out.push_str(&format!("\n## {}\n\n{}\n\n", step.title, step.lesson));
        out.push_str(&format!(
            "```http\n{}\n```\n\n",
            redact(&step.exchange.request.to_text(), &secrets)
        ));
        out.push_str(&format!(
            "```http\n{}\n```\n",
            redact(&step.exchange.response.to_text(), &secrets)
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

/// A run as a shell script of curl commands.
pub fn shell(run: &SavedRun, reveal: bool) -> String {
    let mut out = format!(
        "#!/bin/sh\n# {} run {}, recorded {} by oauth-sandbox.\n",
        run.flow, run.id, run.created_at
    );
    if !reveal {
        out.push_str(
            "# Secrets are masked (••••••••); export with ?reveal=true to include them.\n",
        );
    }
    for step in &run.steps {
        let secrets = if reveal {
            Vec::new()
        } else {
            secrets_of(&step.exchange.request)
        };
        out.push_str(&format!(
            "\n# {}\n{}\necho\n",
            step.title,
            redact(&step.exchange.curl, &secrets)
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
    match load(state, headers, id).await {
        Ok(run) if shell_script => download(
            shell(&run, reveal),
            "text/x-shellscript; charset=utf-8",
            format!("{}-{}.sh", run.flow, run.id),
        ),
        Ok(run) => download(
            markdown(&run, reveal),
            "text/markdown; charset=utf-8",
            format!("{}-{}.md", run.flow, run.id),
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
