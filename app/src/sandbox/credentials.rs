//! Finding and masking the credentials a run's exchanges carry.
//!
//! Two levels:
//! - **typed secrets** (a client secret, a resource owner's password, the Basic credentials
//!   that encode them) never reach the browser in a run page or list: [`hide_typed_secrets`];
//! - **every credential** (those, plus access, refresh and ID tokens, codes, verifiers,
//!   `token=` parameters, client assertions, in requests and in responses, wherever they are
//!   quoted later in the run) is masked in an export unless its owner asks to reveal them:
//!   [`run_credentials`] with [`mask`].

use super::wire::{HttpMessage, RunStep};

/// What a masked value is shown as.
pub const MASK: &str = "••••••••";

/// Parameters a person types that are secrets.
const TYPED: [&str; 2] = ["client_secret", "password"];

/// Parameters and JSON members whose values are credentials.
const CREDENTIALS: [&str; 11] = [
    "client_secret",
    "password",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "token",
    "code",
    "client_assertion",
    "assertion",
    "device_code",
];

/// The query (or fragment) pairs of a URL or request target.
fn url_pairs(target: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in [
        target.split_once('?').map(|x| x.1),
        target.split_once('#').map(|x| x.1),
    ]
    .into_iter()
    .flatten()
    {
        let part = part.split('#').next().unwrap_or(part);
        out.extend(form_urlencoded::parse(part.as_bytes()).into_owned());
    }
    out
}

/// A value as it may appear in text: raw, and form-encoded.
fn spellings(value: &str, out: &mut Vec<String>) {
    if value.is_empty() {
        return;
    }
    out.push(value.to_owned());
    let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    if encoded != value {
        out.push(encoded);
    }
}

/// The values of `names` in a form or JSON body.
fn body_values(body: &str, names: &[&str], out: &mut Vec<String>) {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body)
        {
            for (k, v) in map {
                if let (true, Some(s)) = (names.contains(&k.as_str()), v.as_str()) {
                    spellings(s, out);
                }
            }
        }
        return;
    }
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        if names.contains(&k.as_ref()) {
            spellings(&v, out);
        }
    }
}

/// The credentials of an `Authorization` header value (after the scheme), and for Basic the
/// secret it encodes.
fn authorization_values(value: &str, out: &mut Vec<String>) {
    let Some((scheme, credentials)) = value.split_once(' ') else {
        return;
    };
    let credentials = credentials.trim();
    spellings(credentials, out);
    if scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine;
        if let Some((_, secret)) = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .as_deref()
            .and_then(|t| t.split_once(':'))
        {
            spellings(secret, out);
        }
    }
}

/// The typed secrets a request carries.
pub fn typed_secrets(message: &HttpMessage) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &message.headers {
        if k.eq_ignore_ascii_case("authorization") && v.to_ascii_lowercase().starts_with("basic ") {
            authorization_values(v, &mut out);
        }
    }
    body_values(&message.body, &TYPED, &mut out);
    out
}

/// Every credential a message carries: headers (`Authorization`, `Cookie`, `Set-Cookie`, and
/// the parameters of a `Location`), the request target's query, and the body.
pub fn credentials_in(message: &HttpMessage) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &message.headers {
        let name = k.to_ascii_lowercase();
        match name.as_str() {
            "authorization" => authorization_values(v, &mut out),
            "cookie" | "set-cookie" => {
                for pair in v.split(';') {
                    if let Some((_, value)) = pair.split_once('=') {
                        spellings(value.trim(), &mut out);
                    }
                }
            }
            "location" => {
                for (k, v) in url_pairs(v) {
                    if CREDENTIALS.contains(&k.as_str()) {
                        spellings(&v, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    let target = message.start_line.split(' ').nth(1).unwrap_or_default();
    for (k, v) in url_pairs(target) {
        if CREDENTIALS.contains(&k.as_str()) {
            spellings(&v, &mut out);
        }
    }
    body_values(&message.body, &CREDENTIALS, &mut out);
    out
}

/// Longest first, so a value is masked before any value it contains; without duplicates or
/// values too short to be credentials.
fn tidy(mut values: Vec<String>) -> Vec<String> {
    values.retain(|v| v.len() >= 4);
    values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    values.dedup();
    values
}

/// Every credential anywhere in a run, requests and responses.
pub fn run_credentials(steps: &[RunStep]) -> Vec<String> {
    tidy(
        steps
            .iter()
            .flat_map(|s| {
                let mut v = credentials_in(&s.exchange.request);
                v.extend(credentials_in(&s.exchange.response));
                v
            })
            .collect(),
    )
}

/// `text` with every one of `secrets` (of four characters or more) replaced by [`MASK`].
pub fn mask(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_owned(), |t, s| t.replace(s.as_str(), MASK))
}

fn mask_message(message: &mut HttpMessage, secrets: &[String]) {
    message.start_line = mask(&message.start_line, secrets);
    for (_, v) in &mut message.headers {
        *v = mask(v, secrets);
    }
    message.body = mask(&message.body, secrets);
}

/// Masks `secrets` everywhere in `steps`: requests, responses and curl lines.
pub fn mask_steps(steps: &mut [RunStep], secrets: &[String]) {
    for step in steps {
        mask_message(&mut step.exchange.request, secrets);
        mask_message(&mut step.exchange.response, secrets);
        step.exchange.curl = mask(&step.exchange.curl, secrets);
    }
}

/// Masks every typed secret of the run in every step, for a page or a list.
pub fn hide_typed_secrets(steps: &mut [RunStep]) {
    let typed = tidy(
        steps
            .iter()
            .flat_map(|s| typed_secrets(&s.exchange.request))
            .collect(),
    );
    mask_steps(steps, &typed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::Exchange;

    fn step(request: HttpMessage, response: HttpMessage, curl: &str) -> RunStep {
        RunStep {
            exchange: Exchange {
                request,
                response,
                curl: curl.into(),
                ..Exchange::default()
            },
            ..RunStep::default()
        }
    }

    fn message(start: &str, headers: &[(&str, &str)], body: &str) -> HttpMessage {
        HttpMessage {
            start_line: start.into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            body: body.into(),
        }
    }

    #[test]
    fn every_credential_of_a_run_is_masked_wherever_it_is_quoted() {
        let mut steps = vec![
            step(
                message(
                    "POST /auth/token HTTP/1.1",
                    &[("authorization", "Basic d2ViLWNsaWVudDp3ZWItc2VjcmV0")],
                    "grant_type=authorization_code&code=abc.def123&code_verifier=verifier-1234",
                ),
                message(
                    "HTTP/1.1 200 OK",
                    &[],
                    r#"{"access_token":"at-12345","refresh_token":"rt.67890","id_token":"eyJ.x.y"}"#,
                ),
                "curl -H 'Authorization: Basic d2ViLWNsaWVudDp3ZWItc2VjcmV0' -d code=abc.def123",
            ),
            step(
                message(
                    "GET /fhir/Patient?access_token=at-12345 HTTP/1.1",
                    &[("authorization", "Bearer at-12345")],
                    "",
                ),
                message(
                    "HTTP/1.1 302 Found",
                    &[("location", "https://app/cb#access_token=zz-9999&state=s")],
                    "",
                ),
                "",
            ),
            step(
                message(
                    "POST /auth/revoke HTTP/1.1",
                    &[],
                    "token=rt.67890&client_assertion=jwt.jwt.jwt",
                ),
                message("HTTP/1.1 200 OK", &[], ""),
                "",
            ),
        ];
        let secrets = run_credentials(&steps);
        let before = serde_json::to_string(&steps).unwrap();
        mask_steps(&mut steps, &secrets);
        let after = serde_json::to_string(&steps).unwrap();
        for value in [
            "d2ViLWNsaWVudDp3ZWItc2VjcmV0",
            "abc.def123",
            "verifier-1234",
            "at-12345",
            "rt.67890",
            "eyJ.x.y",
            "zz-9999",
            "jwt.jwt.jwt",
        ] {
            assert!(before.contains(value), "{value} is in the run");
            assert!(!after.contains(value), "{value} is masked");
        }
        assert!(after.contains("state=s"), "non-credentials stay");
    }

    #[test]
    fn typed_secrets_are_hidden_but_tokens_stay_for_their_owner() {
        let mut steps = vec![step(
            message(
                "POST /auth/token HTTP/1.1",
                &[],
                "grant_type=password&username=alice&password=alice%2Bpw&client_id=c&client_secret=s3cr3t",
            ),
            message("HTTP/1.1 200 OK", &[], r#"{"access_token":"at-12345"}"#),
            "curl -d password=alice%2Bpw -d client_secret=s3cr3t",
        )];
        hide_typed_secrets(&mut steps);
        let text = serde_json::to_string(&steps).unwrap();
        assert!(!text.contains("alice%2Bpw") && !text.contains("alice+pw"));
        assert!(!text.contains("s3cr3t"));
        assert!(text.contains("at-12345"));
        assert!(text.contains("username=alice"));
    }
}
