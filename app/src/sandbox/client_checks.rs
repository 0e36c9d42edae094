//! The checks a careful client runs on another server's answers. The built-in server reports
//! the checks it ran itself; an outside server does not, so a relayed exchange's card shows
//! these instead, each with the sentence of the standard it holds the answer to.

use super::target::Endpoint;
use super::wire::{CheckLine, Exchange};
use serde_json::Value;

/// RFC 6749 §5.2: the error codes a token endpoint may answer.
const TOKEN_ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

fn line(name: impl Into<String>, rfc: &str, passed: bool) -> CheckLine {
    CheckLine {
        name: name.into(),
        rfc: rfc.to_owned(),
        passed,
    }
}

fn header<'a>(x: &'a Exchange, name: &str) -> Option<&'a str> {
    x.response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn content_type_is(x: &Exchange, types: &[&str]) -> bool {
    header(x, "content-type").is_some_and(|c| {
        let c = c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase();
        types.contains(&c.as_str())
    })
}

/// RFC 6749 §5.2: `error` and `error_description` use `%x20-21 / %x23-5B / %x5D-7E`.
fn in_error_charset(text: &str) -> bool {
    text.chars()
        .all(|c| matches!(c, '\u{20}'..='\u{21}' | '\u{23}'..='\u{5B}' | '\u{5D}'..='\u{7E}'))
}

/// The checks for an answer from `endpoint` (none: the API).
pub fn of(endpoint: Option<Endpoint>, x: &Exchange) -> Vec<CheckLine> {
    let body = serde_json::from_str::<Value>(&x.response.body).ok();
    let field = |name: &str| body.as_ref().and_then(|b| b.get(name));
    let json = content_type_is(x, &["application/json"]);
    let ok = (200..300).contains(&x.status);
    match endpoint {
        Some(Endpoint::Token) if ok => {
            let token_type = field("token_type").and_then(Value::as_str).unwrap_or("");
            vec![
                line("the answer is 200 OK", "RFC 6749 §5.1", x.status == 200),
                line("Content-Type is application/json", "RFC 6749 §5.1", json),
                // §5.1: "The authorization server MUST include the HTTP "Cache-Control"
                // response header field with a value of "no-store"".
                line(
                    "Cache-Control is no-store, so no cache keeps the tokens",
                    "RFC 6749 §5.1",
                    header(x, "cache-control")
                        .is_some_and(|c| c.to_ascii_lowercase().contains("no-store")),
                ),
                line(
                    "access_token is present",
                    "RFC 6749 §5.1 (REQUIRED)",
                    field("access_token").and_then(Value::as_str).is_some(),
                ),
                // §5.1: token_type is REQUIRED, and its "value is case insensitive".
                line(
                    format!("token_type is Bearer or DPoP (it is {token_type:?})"),
                    "RFC 6749 §5.1, §7.1; RFC 6750 §4",
                    ["bearer", "dpop"].contains(&token_type.to_ascii_lowercase().as_str()),
                ),
                line(
                    "expires_in says how many seconds the token lives",
                    "RFC 6749 §5.1 (RECOMMENDED)",
                    field("expires_in").is_some_and(Value::is_u64),
                ),
            ]
        }
        Some(Endpoint::Token) => {
            let error = field("error").and_then(Value::as_str).unwrap_or("");
            let description = field("error_description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let status_fits = x.status == 400 || (x.status == 401 && error == "invalid_client");
            let mut lines = vec![
                line(
                    format!(
                        "the status is 400, or 401 for invalid_client (it is {})",
                        x.status
                    ),
                    "RFC 6749 §5.2",
                    status_fits,
                ),
                line("Content-Type is application/json", "RFC 6749 §5.2", json),
                line(
                    format!("error is one of the codes of §5.2 (it is {error:?})"),
                    "RFC 6749 §5.2",
                    TOKEN_ERRORS.contains(&error),
                ),
                line(
                    "error_description uses only the characters §5.2 allows",
                    "RFC 6749 §5.2",
                    in_error_charset(description),
                ),
            ];
            if x.status == 401 {
                lines.push(line(
                    "a 401 carries a WWW-Authenticate challenge",
                    "RFC 6749 §5.2",
                    header(x, "www-authenticate").is_some(),
                ));
            }
            lines
        }
        Some(Endpoint::Introspection) if ok => vec![
            line("Content-Type is application/json", "RFC 7662 §2.2", json),
            line(
                "active is true or false",
                "RFC 7662 §2.2 (REQUIRED)",
                field("active").is_some_and(Value::is_boolean),
            ),
        ],
        // RFC 7009 §2.2: "The authorization server responds with HTTP status code 200 if the
        // token has been revoked successfully or if the client submitted an invalid token."
        Some(Endpoint::Revocation) => vec![line(
            format!(
                "the answer is 200 whatever the token was (it is {})",
                x.status
            ),
            "RFC 7009 §2.2",
            x.status == 200,
        )],
        Some(Endpoint::Userinfo) if ok => vec![
            line(
                "Content-Type is application/json or application/jwt",
                "OpenID Core §5.3.2",
                content_type_is(x, &["application/json", "application/jwt"]),
            ),
            line(
                "sub is present",
                "OpenID Core §5.3.2 (always returned)",
                field("sub").and_then(Value::as_str).is_some(),
            ),
        ],
        Some(Endpoint::Introspection | Endpoint::Userinfo) | None if x.status == 401 => {
            vec![line(
                "a 401 names the Bearer scheme in WWW-Authenticate",
                "RFC 6750 §3",
                header(x, "www-authenticate").is_some_and(|v| {
                    v.to_ascii_lowercase().starts_with("bearer")
                        || v.to_ascii_lowercase().starts_with("basic")
                }),
            )]
        }
        _ => vec![line(
            format!("the answer is a success (it is {})", x.status),
            "RFC 9110 §15.3",
            ok,
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::HttpMessage;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            status,
            response: HttpMessage {
                start_line: format!("HTTP/1.1 {status}"),
                headers: headers
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
                body: body.into(),
            },
            ..Default::default()
        }
    }

    fn failed(lines: &[CheckLine]) -> Vec<String> {
        lines
            .iter()
            .filter(|l| !l.passed)
            .map(|l| l.name.clone())
            .collect()
    }

    #[test]
    fn a_good_token_answer_passes_every_check() {
        let x = answer(
            200,
            &[
                ("Content-Type", "application/json;charset=UTF-8"),
                ("Cache-Control", "no-store"),
            ],
            r#"{"access_token":"a","token_type":"bearer","expires_in":300}"#,
        );
        assert_eq!(failed(&of(Some(Endpoint::Token), &x)), Vec::<String>::new());
    }

    #[test]
    fn a_careless_token_answer_fails_the_checks_it_breaks() {
        let x = answer(
            200,
            &[("content-type", "text/plain")],
            r#"{"access_token":"a","token_type":"mac"}"#,
        );
        let bad = failed(&of(Some(Endpoint::Token), &x));
        assert_eq!(bad.len(), 4, "{bad:?}");
        assert!(bad.iter().any(|b| b.contains("no-store")));
        assert!(bad.iter().any(|b| b.contains("\"mac\"")));
        let x = answer(
            500,
            &[("content-type", "application/json")],
            r#"{"error":"boom","error_description":"Ünïcode"}"#,
        );
        let bad = failed(&of(Some(Endpoint::Token), &x));
        assert_eq!(bad.len(), 3, "{bad:?}");
    }

    #[test]
    fn introspection_revocation_and_userinfo_have_their_own_rules() {
        let json = [("content-type", "application/json")];
        assert!(
            failed(&of(
                Some(Endpoint::Introspection),
                &answer(200, &json, r#"{"active":"yes"}"#)
            ))
            .len()
                == 1
        );
        assert!(failed(&of(Some(Endpoint::Revocation), &answer(204, &[], ""))).len() == 1);
        assert!(
            failed(&of(
                Some(Endpoint::Userinfo),
                &answer(200, &json, r#"{"name":"x"}"#)
            ))
            .len()
                == 1
        );
        assert!(
            failed(&of(
                None,
                &answer(401, &[("www-authenticate", "Bearer")], "")
            ))
            .is_empty()
        );
    }
}
