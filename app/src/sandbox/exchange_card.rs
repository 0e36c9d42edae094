//! A card for one back-channel exchange: the request and the response exactly as they crossed,
//! secrets masked until revealed, and the equivalent curl command.

use super::credentials::{MASK, mask};
use super::wire::{Exchange, HttpMessage};
use crate::copy_button::CopyButton;
use leptos::prelude::*;

/// Body parameters whose values are secrets.
const SECRET_PARAMS: [&str; 4] = [
    "client_secret",
    "password",
    "code_verifier",
    "refresh_token",
];

/// The message with credentials masked: the Authorization header's value and secret form
/// parameters.
/// Milliseconds with one decimal, formatted as integers: the browser's bundle carries no float
/// formatting.
fn elapsed(ms: f64) -> String {
    let tenths = (ms.max(0.0) * 10.0).round() as u64;
    format!("{}.{} ms", tenths / 10, tenths % 10)
}

pub fn masked(message: &HttpMessage) -> HttpMessage {
    let headers = message
        .headers
        .iter()
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("authorization") {
                let scheme = v.split(' ').next().unwrap_or_default();
                (k.clone(), format!("{scheme} {MASK}"))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let body = if message.body.contains('=') && !message.body.trim_start().starts_with('{') {
        message
            .body
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if SECRET_PARAMS.contains(&k) => format!("{k}={MASK}"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&")
    } else {
        message.body.clone()
    };
    HttpMessage {
        start_line: message.start_line.clone(),
        headers,
        body,
    }
}

/// The secret values a request carries: the Authorization credentials and the secret form
/// parameters, raw and form-encoded, for redacting any text that quotes them.
pub fn secrets_of(message: &HttpMessage) -> Vec<String> {
    let mut out: Vec<String> = message
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .filter_map(|(_, v)| {
            v.split_once(' ')
                .map(|(_, credentials)| credentials.to_owned())
        })
        .collect();
    for (k, v) in form_urlencoded::parse(message.body.as_bytes()) {
        if SECRET_PARAMS.contains(&k.as_ref()) && !v.is_empty() {
            out.push(form_urlencoded::byte_serialize(v.as_bytes()).collect());
            out.push(v.into_owned());
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn pretty(message: &HttpMessage) -> String {
    let body = serde_json::from_str::<serde_json::Value>(&message.body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| message.body.clone());
    HttpMessage {
        body,
        ..message.clone()
    }
    .to_text()
}

/// The card.
#[component]
pub fn ExchangeCard(#[prop(into)] title: String, exchange: Exchange) -> impl IntoView {
    let (revealed, set_revealed) = signal(false);
    let request = exchange.request.clone();
    let request_text = move || {
        if revealed.get() {
            request.to_text()
        } else {
            masked(&request).to_text()
        }
    };
    let response_text = pretty(&exchange.response);
    let ok = exchange.status < 400;
    let status_class = if ok { "status ok" } else { "status bad" };
    let secrets = secrets_of(&exchange.request);
    let raw_curl = exchange.curl.clone();
    let has_curl = !raw_curl.is_empty();
    let curl = move || {
        if revealed.get() {
            raw_curl.clone()
        } else {
            mask(&raw_curl, &secrets)
        }
    };
    let response_copy = response_text.clone();
    let checks = exchange.checks.clone();
    let has_checks = !checks.is_empty();
    let checks_title = match exchange.relayed() {
        true => "Checks the client ran on the answer",
        false => "Checks the server ran",
    };
    let label = title.clone();
    view! {
        <section class="exchange" aria-label=label>
            <header class="exchange-head">
                <h3>{title}</h3>
                <span class=status_class>{exchange.response.start_line.clone()}</span>
                <span class="elapsed">{elapsed(exchange.elapsed_ms)}</span>
            </header>
            <div class="exchange-body">
                <div>
                    <div class="exchange-label">
                        "Request"
                        <button
                            type="button"
                            class="link"
                            aria-pressed=move || revealed.get().to_string()
                            on:click=move |_| set_revealed.update(|r| *r = !*r)
                        >
                            {move || if revealed.get() { "Mask secrets" } else { "Reveal secrets" }}
                        </button>
                    </div>
                    <Show when=move || revealed.get()>
                        <p class="note">"Tokens and verifiers are shown; typed secrets stay masked (passwords and client secrets never reach this page: the run's export with secrets has them)."</p>
                    </Show>
                    <pre class="http" data-part="request" tabindex="0" aria-label="Request">{request_text.clone()}</pre>
                    <CopyButton what="request" text=Signal::derive(request_text) />
                </div>
                <div>
                    <div class="exchange-label">"Response"</div>
                    <pre class="http" data-part="response" tabindex="0" aria-label="Response">{response_text}</pre>
                    <CopyButton what="response" text=Signal::derive(move || response_copy.clone()) />
                </div>
            </div>
            <Show when=move || has_checks>
                <div class="checks">
                    <div class="exchange-label">{checks_title}</div>
                    <ul>
                        {checks
                            .clone()
                            .into_iter()
                            .map(|c| {
                                let mark = if c.passed { "✓" } else { "✗" };
                                let class = if c.passed { "check ok" } else { "check bad" };
                                let label = if c.passed { "passed" } else { "failed" };
                                view! {
                                    <li class=class data-check=c.passed.to_string()>
                                        <span role="img" aria-label=label>{mark}</span> " " {c.name} " "
                                        <span class="rfc">{c.rfc}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            </Show>
            {has_curl.then(|| view! {
                <details class="curl-line">
                    <summary>"curl"</summary>
                    <pre data-part="curl">{curl.clone()}</pre>
                    <CopyButton what="curl command" text=Signal::derive(curl) />
                </details>
            })}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let m = HttpMessage {
            start_line: "POST /auth/token HTTP/1.1".into(),
            headers: vec![
                ("authorization".into(), "Basic c2VjcmV0".into()),
                ("content-type".into(), "x".into()),
            ],
            body: "grant_type=password&username=alice&password=hunter2&client_secret=s".into(),
        };
        let text = masked(&m).to_text();
        assert!(
            !text.contains("c2VjcmV0")
                && !text.contains("hunter2")
                && !text.contains("client_secret=s")
        );
        assert!(text.contains("username=alice") && text.contains("Basic ••••"));
    }
}
