//! `/tools/token`: the token inspector. Paste any JWT: its three parts apart, coloured as in
//! the encoded string; the header and claims with help; the times with a verdict; and the
//! signature checked with this server's published keys or with a pasted key (a JWK Set, a JWK,
//! a PEM public key or an HMAC secret), the refusals explained. A share link carries the token
//! in the URL fragment only.

use crate::sandbox::api::{inspect_from_issuer, inspect_with_key, introspect_at};
use crate::sandbox::token_view::TokenView;
use crate::sandbox::wire::TokenInspection;
use leptos::prelude::*;

/// Clock skew the verdicts forgive, in seconds.
const SKEW: i64 = 60;

/// What the token's times say at `now`: expired, not yet valid, issued in the future, or fine.
pub fn time_verdict(inspection: &TokenInspection) -> String {
    let claim = |name: &str| {
        inspection
            .claims
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.value.parse::<i64>().ok())
    };
    let now = inspection.now;
    match (claim("exp"), claim("nbf"), claim("iat")) {
        (Some(exp), _, _) if exp <= now => format!("Expired {} s ago (exp).", now - exp),
        (_, Some(nbf), _) if nbf > now + SKEW => {
            format!("Not valid yet: nbf is {} s from now.", nbf - now)
        }
        (_, _, Some(iat)) if iat > now + SKEW => format!(
            "Issued {} s in the future (iat): the issuer's clock and this one disagree.",
            iat - now
        ),
        (None, _, _) => "No exp: this token never expires by itself.".to_owned(),
        (Some(exp), _, _) => format!("Valid now: it expires in {} s.", exp - now),
    }
}

/// The token a share link's fragment (`#token=…`) carries; the browser never sends it.
fn token_of_fragment(hash: &str) -> Option<String> {
    form_urlencoded::parse(hash.trim_start_matches('#').as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .filter(|t| !t.is_empty())
}

/// The encoded token with its three parts coloured.
#[component]
fn EncodedParts(token: String) -> impl IntoView {
    let mut parts = token.splitn(3, '.').map(str::to_owned);
    let (h, p, s) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    view! {
        <p class="jwt-legend">
            <span class="jwt-h">"header"</span> " . " <span class="jwt-p">"payload"</span> " . " <span class="jwt-s">"signature"</span>
        </p>
        <pre class="http jwt-encoded" tabindex="0" aria-label="The encoded token, part by part"><span class="jwt-h">{h}</span>"."<span class="jwt-p">{p}</span>"."<span class="jwt-s">{s}</span></pre>
    }
}

/// The page.
#[component]
pub fn TokenToolsPage() -> impl IntoView {
    let token = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    // Where the verifying key comes from: `own` (this server), `issuer` (the token's iss,
    // discovered) or `pasted`.
    let source = RwSignal::new("own".to_owned());
    let result = RwSignal::new(None::<Result<TokenInspection, String>>);
    let busy = RwSignal::new(false);
    let inspect = move || {
        busy.set(true);
        let (t, k) = (token.get_untracked(), key.get_untracked());
        let from_issuer = source.get_untracked() == "issuer";
        let k = if source.get_untracked() == "pasted" {
            k
        } else {
            String::new()
        };
        leptos::task::spawn_local(async move {
            let inspected = match from_issuer {
                true => inspect_from_issuer(t).await,
                false => inspect_with_key(t, k).await,
            };
            result.set(Some(inspected.map_err(|e| e.to_string())));
            busy.set(false);
        });
    };
    let (hydrated, set_hydrated) = signal(false);
    // The fragment as the router knows it: on a fresh load, and after a link from a decoded
    // token that the router followed in place.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        set_hydrated.set(true);
        let hash = location.hash.get();
        #[cfg(feature = "hydrate")]
        let hash = window()
            .location()
            .hash()
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or(hash);
        if let Some(t) = token_of_fragment(&hash) {
            token.set(t);
            inspect();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        inspect();
    };
    let share = move || {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token.get().trim())
            .finish();
        format!("{}#{query}", crate::endpoints::TOKEN_TOOLS)
    };
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p class="crumbs"><a href="/">"oauth-sandbox"</a> " / Token tools"</p>
            <h1>"Token inspector"</h1>
            <p class="lead">
                "Paste any JWT to see its header, claims and signature apart, with what each claim means and whether its times hold. "
                "The token is sent to this server to be decoded and checked, and is neither stored nor logged."
            </p>
            <form class="inspector" on:submit=submit>
                <label>"Token"
                    <textarea rows="4" spellcheck="false" name="token" required
                        prop:value=token on:input=move |ev| token.set(event_target_value(&ev))></textarea>
                </label>
                <label>"Verify the signature with"
                    <select name="source" on:change=move |ev| source.set(event_target_value(&ev))>
                        <option value="own">"this server's keys (/.well-known/jwks.json)"</option>
                        <option value="issuer">"the keys its iss publishes (discovery, then jwks_uri)"</option>
                        <option value="pasted">"a key I paste"</option>
                    </select>
                </label>
                <Show when=move || source.get() == "pasted">
                    <label>"Key: a JWK Set, a JWK, a PEM public key, or an HMAC secret"
                        <textarea rows="4" spellcheck="false" name="key"
                            prop:value=key on:input=move |ev| key.set(event_target_value(&ev))></textarea>
                    </label>
                </Show>
                <div class="step-buttons">
                    <button type="submit" class="primary" disabled=move || busy.get() || !hydrated.get()>"Decode and verify"</button>
                </div>
            </form>
            {move || result.get().map(|r| match r {
                Err(e) => view! { <p class="auth-error" role="alert">{e}</p> }.into_any(),
                Ok(i) if !i.is_jwt => view! {
                    <p role="status">"This is not a JWT. An opaque token means something only to the server that issued it: ask that server, by introspection (RFC 7662), below."</p>
                }.into_any(),
                Ok(i) => {
                    let verdict = time_verdict(&i);
                    view! {
                        <section aria-labelledby="parts-title">
                            <h2 id="parts-title">"Its three parts"</h2>
                            <EncodedParts token=i.token.clone() />
                            <p class="time-verdict" role="status">{verdict}</p>
                        </section>
                        <div class="inspected">
                            <TokenView inspection=i what="token" in_inspector=true note="Base64url JSON: anyone can read a JWT. Only the signature says who made it." />
                        </div>
                        <p>
                            <a href=share>"Share link"</a>
                            ": it carries the token in the URL fragment (after #), which a browser never sends to any server."
                        </p>
                    }.into_any()
                }
            })}
            <Introspector token />
        </main>
    }
}

/// Asks a server what a token is (RFC 7662): this server or another, as a client that may.
#[component]
fn Introspector(token: RwSignal<String>) -> impl IntoView {
    let server = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<crate::sandbox::wire::Exchange, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (s, c, k, t) = (
            server.get_untracked(),
            client_id.get_untracked(),
            secret.get_untracked(),
            token.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            answer.set(Some(
                introspect_at(s, c, k, t).await.map_err(|e| e.to_string()),
            ));
            busy.set(false);
        });
    };
    let field = |label: &'static str,
                 name: &'static str,
                 value: RwSignal<String>,
                 kind: &'static str| {
        view! {
            <label>{label}
                <input type=kind name=name prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <section aria-labelledby="introspect-title">
            <h2 id="introspect-title">"Introspect the token at a server"</h2>
            <p>"For an opaque token, or to ask whether a JWT is still active: the server answers only a client that authenticates (RFC 7662 §2.1). The secret is sent once and kept nowhere."</p>
            <form class="inspector" on:submit=submit>
                <div class="param-grid">
                    {field("Server: issuer or discovery URL (empty: this server)", "server", server, "url")}
                    {field("Client id", "client_id", client_id, "text")}
                    {field("Client secret", "client_secret", secret, "password")}
                </div>
                <div class="step-buttons">
                    <button type="submit" disabled=move || busy.get()>"Introspect"</button>
                </div>
            </form>
            {move || answer.get().map(|a| match a {
                Err(e) => view! { <p class="auth-error" role="alert">{e}</p> }.into_any(),
                Ok(x) => view! {
                    <crate::sandbox::exchange_card::ExchangeCard title="Introspection" exchange=x />
                }.into_any(),
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::ClaimLine;

    fn with(claims: &[(&str, i64)], now: i64) -> TokenInspection {
        TokenInspection {
            claims: claims
                .iter()
                .map(|(n, v)| ClaimLine {
                    name: (*n).into(),
                    value: v.to_string(),
                    help: String::new(),
                    when: None,
                })
                .collect(),
            now,
            ..Default::default()
        }
    }

    #[test]
    fn the_verdict_names_what_is_wrong_with_the_times() {
        assert!(time_verdict(&with(&[("exp", 100)], 160)).starts_with("Expired 60 s ago"));
        assert!(
            time_verdict(&with(&[("exp", 900), ("nbf", 500)], 100)).starts_with("Not valid yet")
        );
        assert!(time_verdict(&with(&[("exp", 900), ("iat", 300)], 100)).contains("disagree"));
        assert!(time_verdict(&with(&[("exp", 900), ("iat", 130)], 100)).starts_with("Valid now"));
        assert!(time_verdict(&with(&[], 100)).starts_with("No exp"));
    }

    #[test]
    fn a_share_link_carries_the_token_in_its_fragment() {
        assert_eq!(token_of_fragment("#token=a.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(token_of_fragment("#token=").as_deref(), None);
        assert_eq!(token_of_fragment("").as_deref(), None);
    }
}
