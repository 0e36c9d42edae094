//! A decoded token: header and claims with help for the registered claims, the times in words
//! with a live countdown, and the signature checked against the JWKS; an opaque one with what
//! the server knows of it. Every token can be copied on its own.

use super::wire::{CheckLine, ClaimLine, TokenInspection};
use crate::copy_button::CopyButton;
use leptos::prelude::*;

/// A header or claim set as a table: each name with its value, the time in words, and its help.
#[component]
pub fn ClaimTable(#[prop(into)] caption: String, lines: Vec<ClaimLine>) -> impl IntoView {
    view! {
        <table class="claims">
            <caption>{caption}</caption>
            <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col" class="meaning">"Meaning"</th></tr></thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|l| {
                        let key = l.name.clone();
                        view! {
                        <tr data-claim=key>
                            <th scope="row"><code>{l.name}</code></th>
                            <td>
                                <code class="wrap">{l.value}</code>
                                {l.when.map(|w| view! { <div class="when">{w}</div> })}
                                {(!l.help.is_empty()).then(|| view! { <div class="meaning-inline">{l.help.clone()}</div> })}
                            </td>
                            <td class="meaning">{l.help}</td>
                        </tr>
                    }})
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The checks a client runs on a token, each passed or failed.
#[component]
pub fn TokenChecks(checks: Vec<CheckLine>) -> impl IntoView {
    view! {
        <ul class="token-checks">
            {checks.into_iter().map(|c| {
                let (mark, class, label) = if c.passed { ("✓", "check ok", "passed") } else { ("✗", "check bad", "failed") };
                view! {
                    <li class=class data-check=c.passed.to_string()>
                        <span role="img" aria-label=label>{mark}</span> " " {c.name} " " <span class="rfc">{c.rfc}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The token view; `what` names the token ("access token", "ID token", "refresh token").
#[component]
pub fn TokenView(
    inspection: TokenInspection,
    #[prop(default = "access token")] what: &'static str,
    /// The checks a client runs on it (the ID token's).
    #[prop(optional)]
    checks: Vec<CheckLine>,
    /// What this kind of token is for, in a sentence.
    #[prop(optional)]
    note: &'static str,
    /// Shown in the token inspector itself: no link to it.
    #[prop(optional)]
    in_inspector: bool,
) -> impl IntoView {
    let raw = inspection.token.clone();
    let introspection = inspection.introspection.clone();
    let TokenInspection {
        is_jwt,
        header,
        claims,
        kid,
        alg,
        signature_valid,
        signature_note,
        exp,
        now,
        ..
    } = inspection;
    // The countdown starts from the server's clock and ticks in the browser.
    let (elapsed, set_elapsed) = signal(0i64);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_elapsed.update(|e| *e += 1),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let countdown = move || {
        exp.map(|exp| {
            let left = exp - now - elapsed.get();
            if left > 0 {
                format!("expires in {left} s")
            } else {
                "expired".to_owned()
            }
        })
    };
    let heading = format!("The {what}");
    let copy = (!raw.is_empty()).then(|| {
        let raw = raw.clone();
        view! { <CopyButton what=what text=Signal::derive(move || raw.clone()) /> }
    });
    let has_note = !note.is_empty();
    if !is_jwt {
        return view! {
            <section class="token-view" aria-label=heading.clone() data-token=what>
                <h3>{heading.clone()}</h3>
                <Show when=move || has_note><p>{note}</p></Show>
                <p>"Opaque: a random reference only the server can read. The client learns what it means from introspection (RFC 7662); what the server knows of it now:"</p>
                {introspection.map(|j| view! { <pre class="http" data-part="introspection" tabindex="0" aria-label="What the server knows of it">{j}</pre> })}
                {copy}
            </section>
        }
        .into_any();
    }
    let has_checks = !checks.is_empty();
    // The inspector opens with the token in the fragment, which is never sent to a server.
    let inspector = format!(
        "{}#{}",
        crate::endpoints::TOKEN_TOOLS,
        form_urlencoded::Serializer::new(String::new())
            .append_pair("token", &raw)
            .finish()
    );
    view! {
        <section class="token-view" aria-label=format!("Decoded {what}") data-token=what>
            <h3>{format!("The {what}, decoded")}</h3>
            <Show when=move || has_note><p>{note}</p></Show>
            {copy}
            <p class=if signature_valid { "sig ok" } else { "sig bad" } data-signature=signature_valid.to_string()>
                {if signature_valid { "Signature valid" } else { "Signature NOT valid" }}
                " — " {alg.unwrap_or_default()} " with key " <code>{kid.unwrap_or_default()}</code> ". " {signature_note}
            </p>
            <p class="countdown" aria-live="off">{countdown}</p>
            {(!in_inspector).then(|| view! {
                <p><a href=inspector.clone()>{format!("Open the {what} in the token inspector")}</a></p>
            })}
            {has_checks.then(|| view! {
                <div class="checks">
                    <div class="exchange-label">"The checks a client runs on it"</div>
                    <TokenChecks checks=checks.clone() />
                </div>
            })}
            <ClaimTable caption="Header" lines=header />
            <ClaimTable caption="Claims" lines=claims />
        </section>
    }
    .into_any()
}
