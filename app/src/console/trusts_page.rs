//! `/developer/trusted-issuers`: the outside issuers whose JWTs the demo API accepts (SPEC
//! "TrustedIssuer"). A trust backs only its owner's policies, which must name its `iss`.

use super::api::{delete_trust, list_trusts, save_trust};
use super::dashboard::ConsoleFrame;
use super::policies_page::{RowActions, csv, parse_csv};
use super::wire::TrustForm;
use leptos::prelude::*;

fn blank() -> TrustForm {
    TrustForm {
        algorithms: vec!["RS256".into()],
        clock_skew_seconds: 60,
        cache_ttl_seconds: 300,
        user_claim: "sub".into(),
        introspection_cache_seconds: 60,
        ..Default::default()
    }
}

/// The page.
#[component]
pub fn TrustsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let trusts = Resource::new(move || version.get(), |_| list_trusts());
    let form = RwSignal::new(blank());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        leptos::task::spawn_local(async move {
            match save_trust(f).await {
                Ok(t) => {
                    error.set(None);
                    saved.set(Some(format!("Saved {}.", t.id)));
                    form.set(t);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    saved.set(None);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            match delete_trust(id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let text = move |f: fn(&mut TrustForm, String)| {
        move |ev: leptos::ev::Event| form.update(|s| f(s, event_target_value(&ev)))
    };
    let number = move |f: fn(&mut TrustForm, i64)| {
        move |ev: leptos::ev::Event| {
            if let Ok(n) = event_target_value(&ev).trim().parse() {
                form.update(|s| f(s, n));
            }
        }
    };
    view! {
        <ConsoleFrame title="Trusted issuers">
            <p class="lead">
                "The demo API accepts the JWTs of an outside identity provider you trust here: their iss, an audience you name, "
                "a signature by a key of the issuer's, and an algorithm you allow. A trust opens nothing by itself: "
                "an access policy of yours must name the issuer too."
            </p>
            <form class="client-form" on:submit=save>
                <fieldset>
                    <legend>"Trusted issuer"</legend>
                    <label>"Id" <input type="text" required prop:value=move || form.with(|f| f.id.clone()) on:input=text(|f, v| f.id = v) /></label>
                    <label>"Description" <input type="text" prop:value=move || form.with(|f| f.description.clone()) on:input=text(|f, v| f.description = v) /></label>
                    <label>"Issuer (the exact iss)" <input type="text" required prop:value=move || form.with(|f| f.issuer.clone()) on:input=text(|f, v| f.issuer = v) /></label>
                    <label>"Audiences (comma-separated; a token must name one in aud)" <input type="text" required prop:value=move || form.with(|f| csv(&f.audiences)) on:change=text(|f, v| f.audiences = parse_csv(&v)) /></label>
                    <label>"JWKS URL" <input type="url" prop:value=move || form.with(|f| f.jwks_uri.clone()) on:input=text(|f, v| f.jwks_uri = v) /></label>
                    <label>"Or an inline JWK Set (JSON)" <textarea rows="3" prop:value=move || form.with(|f| f.jwks.clone()) on:input=text(|f, v| f.jwks = v)></textarea></label>
                    <label>"Or a PEM public key" <textarea rows="3" prop:value=move || form.with(|f| f.pem.clone()) on:input=text(|f, v| f.pem = v)></textarea></label>
                    <label>
                        {move || if form.with(|f| f.has_secret) { "HMAC secret (one is set; empty keeps it)" } else { "HMAC secret (for HS256/384/512)" }}
                        <input type="password" autocomplete="off" prop:value=move || form.with(|f| f.secret.clone()) on:input=text(|f, v| f.secret = v) />
                    </label>
                    <label>"Algorithms (comma-separated: RS256, ES256, EdDSA, HS256, …)" <input type="text" prop:value=move || form.with(|f| csv(&f.algorithms)) on:change=text(|f, v| f.algorithms = parse_csv(&v)) /></label>
                    <details>
                        <summary>"Clock skew, key set lifetime, claim mapping"</summary>
                        <label>"Clock skew, seconds" <input type="number" min="0" max="600" prop:value=move || form.with(|f| f.clock_skew_seconds.to_string()) on:change=number(|f, n| f.clock_skew_seconds = n) /></label>
                        <label>"Keep a fetched key set, seconds" <input type="number" min="10" max="86400" prop:value=move || form.with(|f| f.cache_ttl_seconds.to_string()) on:change=number(|f, n| f.cache_ttl_seconds = n) /></label>
                        <label>"The claim naming the user" <input type="text" prop:value=move || form.with(|f| f.user_claim.clone()) on:input=text(|f, v| f.user_claim = v) /></label>
                        <label>"The claim naming the client (empty: azp, then client_id)" <input type="text" prop:value=move || form.with(|f| f.client_claim.clone()) on:input=text(|f, v| f.client_claim = v) /></label>
                        <label>"The claim holding the scopes (empty: scope, then scp)" <input type="text" prop:value=move || form.with(|f| f.scope_claim.clone()) on:input=text(|f, v| f.scope_claim = v) /></label>
                    </details>
                    <details>
                        <summary>"Introspection, for the issuer's opaque tokens (admins only)"</summary>
                        <label>"Introspection endpoint (RFC 7662)" <input type="url" prop:value=move || form.with(|f| f.introspection_endpoint.clone()) on:input=text(|f, v| f.introspection_endpoint = v) /></label>
                        <label>"This server's client id there" <input type="text" prop:value=move || form.with(|f| f.introspection_client_id.clone()) on:input=text(|f, v| f.introspection_client_id = v) /></label>
                        <label>
                            {move || if form.with(|f| f.has_introspection_secret) { "Its client secret (one is set; empty keeps it)" } else { "Its client secret" }}
                            <input type="password" autocomplete="off" prop:value=move || form.with(|f| f.introspection_client_secret.clone()) on:input=text(|f, v| f.introspection_client_secret = v) />
                        </label>
                        <label>"Keep an answer, seconds" <input type="number" min="0" max="3600" prop:value=move || form.with(|f| f.introspection_cache_seconds.to_string()) on:change=number(|f, n| f.introspection_cache_seconds = n) /></label>
                    </details>
                    <button type="submit" class="primary">"Save the trusted issuer"</button>
                    " "
                    <button type="button" class="secondary" on:click=move |_| form.set(blank())>"Start a new one"</button>
                </fieldset>
            </form>
            {move || error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            {move || saved.get().map(|m| view! { <p role="status">{m}</p> })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || trusts.get().map(|r| match r {
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No trusted issuers yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Table, scrolls sideways on a narrow screen"><table class="claims listing">
                            <thead><tr><th scope="col">"Id"</th><th scope="col">"Issuer"</th><th scope="col">"Audiences"</th><th scope="col">"Keys"</th><th scope="col">"Algorithms"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let (edit, id) = (t.clone(), t.id.clone());
                                    let keys = [
                                        (!t.jwks_uri.is_empty()).then_some("JWKS URL"),
                                        (!t.jwks.is_empty()).then_some("inline JWKS"),
                                        (!t.pem.is_empty()).then_some("PEM"),
                                        t.has_secret.then_some("HMAC secret"),
                                    ]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                    view! {
                                        <tr data-trust=t.id.clone()>
                                            <td><code>{t.id.clone()}</code></td>
                                            <td><code>{t.issuer.clone()}</code></td>
                                            <td>{csv(&t.audiences)}</td>
                                            <td>{keys}</td>
                                            <td>{csv(&t.algorithms)}</td>
                                            <RowActions
                                                edit=Callback::new(move |()| form.set(edit.clone()))
                                                delete=Callback::new(move |()| remove(id.clone()))
                                            />
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Suspense>
        </ConsoleFrame>
    }
}
