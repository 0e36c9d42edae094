//! The front channel of a run against another server. The sandbox never sees that server's
//! sign-in and consent pages, so it records what a client does see: the authorization URL it
//! sends the browser to, and the callback the browser brings back, with the checks a client
//! runs on it (`state`, RFC 9207's `iss`, a code or a token or an error).

use super::api::discover;
use super::backend::Backend;
use super::catalogue::{ArrowId, Channel, Flow};
use super::error::SandboxError;
use super::front_channel::explain_param;
use super::target::{Endpoint, Target};
use super::wire::{CheckLine, Exchange, HttpMessage, ParamLine, RunStep, SavedRun, next_number};

/// What the title of a callback step starts with.
const CAME_BACK: &str = "The browser comes back to the client";

/// Records the authorization request for `target` and answers with the run and the URL to
/// send the browser to: `url`'s query at the authorization endpoint the server advertises.
pub async fn send_browser(
    backend: &Backend,
    headers: http::HeaderMap,
    prior: Option<SavedRun>,
    flow: Flow,
    target: &str,
    url: &str,
) -> Result<(String, String), SandboxError> {
    let mut steps = prior.as_ref().map(|r| r.steps.clone()).unwrap_or_default();
    let found = discover(backend, &mut steps, target).await?;
    let Some(found) = found else {
        // The discovery card says why; the browser stays here.
        let _ = backend
            .save_run(headers, prior.map(|r| r.id), flow, steps)
            .await;
        return Err(SandboxError::refused(
            "that server's discovery document cannot be used; its card on the timeline says why",
        ));
    };
    let endpoint = found
        .url_of(Endpoint::Authorization)
        .map_err(SandboxError::refused)?;
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let joiner = if endpoint.contains('?') { '&' } else { '?' };
    let full = format!("{endpoint}{joiner}{query}");
    let parsed = url::Url::parse(&full).map_err(|e| SandboxError::refused(e.to_string()))?;
    let number = next_number(&steps);
    let params = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| ParamLine {
            meaning: explain_param(&name).to_owned(),
            name: name.into_owned(),
            value: value.into_owned(),
        })
        .collect();
    steps.push(RunStep {
        number,
        title: format!("{number}. Send the browser to the authorization server"),
        lesson: "The client sends the browser to the server's authorization endpoint with these parameters. What that server shows the person (its sign-in and consent pages) stays between them: a client sees only what the browser brings back.".into(),
        arrows: vec![ArrowId::Authorize],
        channel: Channel::Front,
        params,
        exchange: Exchange {
            request: HttpMessage {
                start_line: format!("GET {}{} HTTP/1.1", parsed.path(), parsed.query().map(|q| format!("?{q}")).unwrap_or_default()),
                headers: vec![("host".into(), host_of(&parsed))],
                body: String::new(),
            },
            response: HttpMessage {
                start_line: "Not seen by the client: the browser is at the authorization server".into(),
                ..HttpMessage::default()
            },
            url: full.clone(),
            ..Exchange::default()
        },
    });
    let id = backend
        .save_run(headers, prior.map(|r| r.id), flow, steps)
        .await
        .map_err(SandboxError::server)?;
    Ok((id, full))
}

fn host_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

/// What a callback parameter carries.
fn explain_returned(name: &str) -> &'static str {
    match name {
        "code" => {
            "The authorization code: good once, for a short time, with the code_verifier (RFC 6749 §4.1.2)."
        }
        "state" => {
            "The value the client sent, back unchanged: the client compares it (RFC 6749 §10.12)."
        }
        "iss" => {
            "Who answered: the client compares it with the issuer it sent the browser to (RFC 9207 §2)."
        }
        "access_token" => "The token itself, in the fragment (RFC 6749 §4.2.2).",
        "token_type" | "expires_in" | "scope" => "About the token (RFC 6749 §4.2.2).",
        "error" | "error_description" | "error_uri" => {
            "Why the server refused (RFC 6749 §4.1.2.1)."
        }
        "session_state" => "OpenID Session Management: the browser's session at the server.",
        _ => "Not a parameter of RFC 6749's answer.",
    }
}

/// The run of this browser that sent `state` to another server, with the callback's
/// parameters added (once: a reload does not add them again).
pub async fn came_back(
    backend: &Backend,
    headers: http::HeaderMap,
    flow: Flow,
    state: &str,
    returned: Vec<(String, String)>,
) -> Result<Option<SavedRun>, SandboxError> {
    let runs = backend
        .runs(headers.clone())
        .await
        .map_err(SandboxError::server)?;
    let sent_state = |s: &RunStep| {
        s.channel == Channel::Front
            && s.exchange.relayed()
            && s.params
                .iter()
                .any(|p| p.name == "state" && p.value == state)
    };
    let Some(mut run) = runs
        .into_iter()
        .filter(|r| r.flow == Some(flow))
        .find(|r| r.steps.iter().any(sent_state))
    else {
        return Ok(None);
    };
    if returned.is_empty()
        || run
            .steps
            .iter()
            .any(|s| s.title.contains(CAME_BACK) && sent_state(s))
    {
        return Ok(Some(run));
    }
    let Some(target) = Target::of_run(&run.steps) else {
        return Ok(Some(run));
    };
    let value = |name: &str| {
        returned
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let check = |name: String, rfc: &str, passed: bool| CheckLine {
        name,
        rfc: rfc.to_owned(),
        passed,
    };
    // RFC 9207 §2.4: "Clients MUST compare the value of the iss parameter with the issuer
    // identifier of the authorization server", and a client whose server advertises
    // authorization_response_iss_parameter_supported MUST reject a response without it.
    let advertised = target
        .metadata
        .get("authorization_response_iss_parameter_supported")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let iss = match value("iss") {
        Some(iss) => check(
            format!("iss is {iss}, the issuer the browser was sent to"),
            "RFC 9207 §2.4",
            iss == target.issuer,
        ),
        None => check(
            match advertised {
                true => "iss is missing, though the server advertises it: reject the answer".into(),
                false => "iss is absent; the server does not advertise it, so the client cannot tell a mix-up".into(),
            },
            "RFC 9207 §2.4",
            !advertised,
        ),
    };
    let grant = match flow {
        Flow::Implicit => ("access_token", "RFC 6749 §4.2.2"),
        _ => ("code", "RFC 6749 §4.1.2"),
    };
    let checks = vec![
        check(
            "state is the value this client sent".into(),
            "RFC 6749 §10.12",
            value("state") == Some(state),
        ),
        iss,
        match value("error") {
            Some(e) => check(
                format!("the server refused: {e}"),
                "RFC 6749 §4.1.2.1",
                false,
            ),
            None => check(
                format!("{} is present", grant.0),
                grant.1,
                value(grant.0).is_some(),
            ),
        },
    ];
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(returned.iter())
        .finish();
    let own = url::Url::parse(&backend.issuer()).ok();
    let separator = if flow == Flow::Implicit { '#' } else { '?' };
    let callback = format!(
        "{}{}{separator}{query}",
        backend.issuer().trim_end_matches('/'),
        crate::endpoints::CALLBACK
    );
    let number = next_number(&run.steps).saturating_sub(1).max(1);
    run.steps.push(RunStep {
        number,
        title: format!("{number}. {CAME_BACK}"),
        lesson: match flow {
            Flow::Implicit => "The server sent the browser back with the token in the fragment, which only the page's script reads. The client checks what came back before it uses it.",
            _ => "The server sent the browser back to the redirect URI with a code. The client checks what came back before it redeems anything.",
        }
        .into(),
        arrows: vec![ArrowId::RedirectBack],
        channel: Channel::Front,
        params: returned
            .iter()
            .map(|(k, v)| ParamLine {
                name: k.clone(),
                value: v.clone(),
                meaning: explain_returned(k).to_owned(),
            })
            .collect(),
        exchange: Exchange {
            request: HttpMessage {
                start_line: match flow {
                    Flow::Implicit => format!("GET {} HTTP/1.1 (the fragment stays in the browser: #{query})", crate::endpoints::CALLBACK),
                    _ => format!("GET {}?{query} HTTP/1.1", crate::endpoints::CALLBACK),
                },
                headers: own.as_ref().map(|u| vec![("host".into(), host_of(u))]).unwrap_or_default(),
                body: String::new(),
            },
            response: HttpMessage {
                start_line: "The callback page of this client".into(),
                ..HttpMessage::default()
            },
            checks,
            url: callback,
            ..Exchange::default()
        },
    });
    backend
        .save_run(
            headers.clone(),
            Some(run.id.clone()),
            flow,
            run.steps.clone(),
        )
        .await
        .map_err(SandboxError::server)?;
    Ok(Some(run))
}
