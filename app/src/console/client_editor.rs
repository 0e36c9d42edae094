//! `/developer/clients/new` and `/developer/clients/{id}`: register or change a client, every
//! field explained where it is set, checked as you type, with its secret shown once.

use super::api::{delete_client, get_client, regenerate_secret, save_client, test_launch};
use super::check::{self, Level};
use super::dashboard::ConsoleFrame;
use super::snippets;
use super::wire::{ClientForm, LaunchForm, SavedClient};
use crate::copy_button::CopyButton;
use crate::endpoints as ep;
use crate::sandbox::setup::DEMO_PATIENTS;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The grant types, each with what it is for.
const GRANTS: [(&str, &str); 7] = [
    (
        "authorization_code",
        "A person signs in at this server; the client gets a code, then tokens. Recommended for every app a person uses.",
    ),
    (
        "refresh_token",
        "New access tokens without the person, until the refresh token expires or is revoked.",
    ),
    (
        "client_credentials",
        "The client calls APIs on its own behalf, with its secret. Recommended for services.",
    ),
    (
        "basic",
        "The client's id and secret straight to the demo API in an Authorization: Basic header.",
    ),
    (
        "urn:ietf:params:oauth:grant-type:device_code",
        "Device flow (RFC 8628): a TV or a command line shows a short code; the person approves it on their phone.",
    ),
    (
        "implicit",
        "Legacy: the token comes back in the URL fragment.",
    ),
    (
        "password",
        "Legacy: the client collects the person's password.",
    ),
];

/// `/developer/clients/new`.
#[component]
pub fn NewClientPage() -> impl IntoView {
    // Once saved, the page is the client's own: its title says so.
    let title = RwSignal::new("Register a client".to_owned());
    provide_context(PageTitle(title));
    view! {
        <ConsoleFrame title>
            <ClientEditor initial=ClientForm::default() create=true has_secret=false />
        </ConsoleFrame>
    }
}

/// The title of the page around the editor, renamed when a new client is saved.
#[derive(Clone, Copy)]
struct PageTitle(RwSignal<String>);

/// `/developer/clients/{id}`.
#[component]
pub fn ClientPage() -> impl IntoView {
    let params = use_params_map();
    let client = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        get_client,
    );
    view! {
        <ConsoleFrame title="Client">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || client.get().map(|r| match r {
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(c) => view! {
                        <p class="hint" data-owner=c.owner.clone().unwrap_or_default()>
                            "Owner: " <strong>{c.owner.clone().unwrap_or_else(|| "the system (demo or seed data)".into())}</strong>
                            " · created " {c.created_at.clone()}
                        </p>
                        <ClientEditor initial=c.form create=false has_secret=c.has_secret />
                    }.into_any(),
                })}
            </Suspense>
        </ConsoleFrame>
    }
}

/// The form, for a new client (`create`) or an existing one.
#[component]
fn ClientEditor(initial: ClientForm, create: bool, has_secret: bool) -> impl IntoView {
    // Only an admin may mark a client first party; a developer may keep what an admin set.
    let may_set_first_party =
        use_context::<super::wire::Me>().is_some_and(|m| m.is_admin) || initial.first_party;
    let form = RwSignal::new(initial);
    let saved_id = RwSignal::new((!create).then(|| form.get_untracked().client_id));
    let error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(window().location().origin().unwrap_or_default()));
    let set = move |f: fn(&mut ClientForm, String)| {
        move |ev: leptos::ev::Event| form.update(|s| f(s, event_target_value(&ev)))
    };
    let public = move || form.with(ClientForm::is_public);
    let page_title = use_context::<PageTitle>();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        notice.set(None);
        let mut f = form.get_untracked();
        f.redirect_uris.retain(|u| !u.trim().is_empty());
        let first = saved_id.get_untracked().is_none();
        leptos::task::spawn_local(async move {
            match save_client(f, first).await {
                Ok(SavedClient { client, secret: s }) => {
                    let id = client.form.client_id.clone();
                    form.set(client.form);
                    saved_id.set(Some(id.clone()));
                    secret.set(s);
                    notice.set(Some(if first { "Registered." } else { "Saved." }));
                    if let Some(PageTitle(title)) = page_title {
                        title.set(format!("Client {id}"));
                    }
                    crate::replace_url(&format!("/developer/clients/{id}"));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let regenerate = move |_| {
        let Some(id) = saved_id.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match regenerate_secret(id).await {
                Ok(s) => {
                    secret.set(Some(s));
                    notice.set(Some("A new secret was made; the old one no longer works."));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let confirm_delete = RwSignal::new(false);
    let delete = move |_| {
        if !confirm_delete.get_untracked() {
            confirm_delete.set(true);
            return;
        }
        let Some(id) = saved_id.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match delete_client(id).await {
                Ok(()) => {
                    let _ = window().location().assign(ep::CONSOLE);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let grant_remarks = move || {
        form.with(|f| {
            check::grants(
                &f.grant_types,
                f.is_public(),
                f.require_pkce || f.is_public(),
            )
        })
    };
    let uri_remarks = move || {
        form.with(|f| {
            f.redirect_uris
                .iter()
                .filter(|u| !u.trim().is_empty())
                .filter_map(|u| check::redirect_uri(u).map(|(l, m)| (l, format!("{u}: {m}"))))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <form class="client-form" on:submit=save novalidate>
            <fieldset>
                <legend>"Identity"</legend>
                <label>"Client id"
                    <input type="text" name="client_id" required prop:value=move || form.with(|f| f.client_id.clone())
                        disabled=move || saved_id.with(Option::is_some) on:input=set(|f, v| f.client_id = v) />
                </label>
                <p class="hint">"The identifier your app sends as client_id (RFC 6749 §2.2). Letters, digits and . _ - ; it cannot change later."</p>
                <label>"Client name"
                    <input type="text" name="client_name" required prop:value=move || form.with(|f| f.client_name.clone()) on:input=set(|f, v| f.client_name = v) />
                </label>
                <p class="hint">"What people see on the consent page."</p>
            </fieldset>
            <fieldset>
                <legend>"Client type"</legend>
                <label class="inline"><input type="radio" name="type" prop:checked=move || !public()
                    on:change=move |_| form.update(|f| f.token_endpoint_auth_method = "client_secret_basic".into()) />
                    " Confidential: runs on a server and keeps a secret"</label>
                <label class="inline"><input type="radio" name="type" prop:checked=public
                    on:change=move |_| form.update(|f| {
                        // A public client has no secret: PKCE instead, and no secret-only grants.
                        f.token_endpoint_auth_method = "none".into();
                        f.require_pkce = true;
                        f.rotate_refresh_tokens = true;
                        f.grant_types.retain(|g| g != "client_credentials" && g != "basic");
                    }) />
                    " Public: a browser, mobile or desktop app that cannot keep a secret"</label>
                <p class="hint">"A public client authenticates with its id alone (token_endpoint_auth_method none), so PKCE is required and refresh tokens rotate (RFC 9700 §2.1.1, §4.14.2)."</p>
                <Show when=move || !public()>
                    <label>"Token endpoint authentication"
                        <select name="token_endpoint_auth_method" on:change=set(|f, v| f.token_endpoint_auth_method = v)
                            prop:value=move || form.with(|f| f.token_endpoint_auth_method.clone())>
                            <option value="client_secret_basic">"client_secret_basic (header)"</option>
                            <option value="client_secret_post">"client_secret_post (body)"</option>
                            <option value="private_key_jwt">"private_key_jwt (a signed JWT)"</option>
                        </select>
                    </label>
                </Show>
                <Show when=move || form.with(|f| f.token_endpoint_auth_method == "private_key_jwt")>
                    <label>"Public keys (JWK Set JSON)"
                        <textarea name="jwks" rows="4"
                            prop:value=move || form.with(|f| f.jwks.clone())
                            on:input=set(|f, v| f.jwks = v)></textarea>
                    </label>
                    <label>"…or the URL of the key set (jwks_uri)"
                        <input type="url" name="jwks_uri" prop:value=move || form.with(|f| f.jwks_uri.clone()) on:input=set(|f, v| f.jwks_uri = v) />
                    </label>
                    <p class="hint">"SMART Backend Services and RFC 7523 §2.2: the client signs a short-lived JWT (RS256/384/512 or ES256/384) instead of sending a secret. Give the public keys only, inline or at a URL, not both."</p>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Grant types"</legend>
                {GRANTS.iter().map(|(grant, help)| {
                    let grant = *grant;
                    view! {
                        <label class="inline">
                            <input type="checkbox" name="grant_types" value=grant
                                prop:checked=move || form.with(|f| f.grant_types.iter().any(|g| g == grant))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|f| {
                                        f.grant_types.retain(|g| g != grant);
                                        if on { f.grant_types.push(grant.to_owned()); }
                                    });
                                } />
                            <span><code>{grant}</code> " — " {*help}</span>
                        </label>
                    }
                }).collect_view()}
                <Remarks remarks=Signal::derive(grant_remarks) />
            </fieldset>
            <fieldset>
                <legend>"Redirect URIs"</legend>
                <label>"One per line"
                    <textarea name="redirect_uris" rows="3"
                        prop:value=move || form.with(|f| f.redirect_uris.join("\n"))
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            form.update(|f| f.redirect_uris = v.lines().map(str::to_owned).collect());
                        }></textarea>
                </label>
                <p class="hint">"Where the browser returns with the code or token. Matched exactly, except that a loopback URI matches on any port (RFC 8252 §7.3). Absolute, no fragment, https or loopback http."</p>
                <Remarks remarks=Signal::derive(uri_remarks) />
                <label>"SMART launch URL (optional)"
                    <input type="url" name="launch_uri" prop:value=move || form.with(|f| f.launch_uri.clone()) on:input=set(|f, v| f.launch_uri = v) />
                </label>
                <p class="hint">"Where an EHR launch opens the app, with iss and launch (POST /Launch)."</p>
            </fieldset>
            <fieldset>
                <legend>"Tokens"</legend>
                <label>"Scope"
                    <input type="text" name="scope" prop:value=move || form.with(|f| f.scope.clone()) on:input=set(|f, v| f.scope = v) />
                </label>
                <p class="hint">"The scopes the client may ask for, space-separated; e.g. openid profile email patient.read offline_access."</p>
                <label>"Access token format"
                    <select name="access_token_format" prop:value=move || form.with(|f| f.access_token_format.clone()) on:change=set(|f, v| f.access_token_format = v)>
                        <option value="jwt">"jwt (RFC 9068)"</option>
                        <option value="opaque">"opaque (introspection)"</option>
                    </select>
                </label>
                <label>"Access token lifetime (seconds)"
                    <input type="number" min="1" name="access_token_ttl" prop:value=move || form.with(|f| f.access_token_ttl.to_string())
                        on:input=set(|f, v| f.access_token_ttl = v.parse().unwrap_or(0)) />
                </label>
                <label>"Refresh token lifetime (seconds)"
                    <input type="number" min="1" name="refresh_token_ttl" prop:value=move || form.with(|f| f.refresh_token_ttl.to_string())
                        on:input=set(|f, v| f.refresh_token_ttl = v.parse().unwrap_or(0)) />
                </label>
                <label class="inline"><input type="checkbox" name="first_party" prop:checked=move || form.with(|f| f.first_party)
                    disabled=!may_set_first_party
                    on:change=move |ev| form.update(|f| f.first_party = event_target_checked(&ev)) />
                    " First party: skip the consent page (only an admin may set this; a developer's client always asks its users)"</label>
                <label class="inline"><input type="checkbox" name="require_pkce" prop:checked=move || form.with(|f| f.require_pkce || f.is_public())
                    disabled=public on:change=move |ev| form.update(|f| f.require_pkce = event_target_checked(&ev)) />
                    " Require PKCE (always on for public clients)"</label>
                <label class="inline"><input type="checkbox" name="allow_plain_pkce" prop:checked=move || form.with(|f| f.allow_plain_pkce)
                    on:change=move |ev| form.update(|f| f.allow_plain_pkce = event_target_checked(&ev)) />
                    " Accept PKCE plain (S256 is always accepted; plain only helps clients that cannot hash)"</label>
                <label class="inline"><input type="checkbox" name="rotate_refresh_tokens" prop:checked=move || form.with(|f| f.rotate_refresh_tokens || f.is_public())
                    disabled=public on:change=move |ev| form.update(|f| f.rotate_refresh_tokens = event_target_checked(&ev)) />
                    " Rotate refresh tokens: each refresh returns a new one, and reuse revokes the grant"</label>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="auth-error" role="alert" data-error="">{e}</p> })}
            {move || notice.get().map(|n| view! { <p class="sig ok" role="status">{n}</p> })}
            {move || secret.get().map(|s| view! { <SecretOnce secret=s /> })}
            <div class="step-buttons">
                <button type="submit" class="primary" disabled=busy>
                    {move || if saved_id.with(Option::is_some) { "Save changes" } else { "Register the client" }}
                </button>
                <Show when=move || saved_id.with(Option::is_some) && !public()>
                    <button type="button" on:click=regenerate>"Regenerate the secret"</button>
                </Show>
                <Show when=move || saved_id.with(Option::is_some)>
                    <button type="button" class="lesson" on:click=delete>
                        {move || if confirm_delete.get() { "Really delete? Its tokens stop working" } else { "Delete the client" }}
                    </button>
                </Show>
            </div>
            {(!create && has_secret).then(|| view! {
                <p class="hint">"The secret was shown once, when it was made, and is stored only as an argon2 hash. Lost it? Regenerate it."</p>
            })}
        </form>
        <Show when=move || saved_id.with(Option::is_some)>
            <section class="card" aria-labelledby="use-title">
                <h2 id="use-title">"Use it"</h2>
                <p>
                    <a class="button" href=move || format!("/sandbox/client-credentials?client={}", saved_id.get().unwrap_or_default())>
                        "Try it in the Client Credentials flow"
                    </a> " "
                    <a class="button" href=move || format!("{}?client={}", crate::endpoints::CONSOLE_PREVIEW, saved_id.get().unwrap_or_default())>
                        "Preview its tokens"
                    </a>
                </p>
                {move || {
                    let f = form.get();
                    snippets::snippets(&f, &origin.get()).into_iter().map(|(name, text)| view! {
                        <h3>{name}</h3>
                        <pre class="http" tabindex="0">{text}</pre>
                    }).collect_view()
                }}
            </section>
        </Show>
        <Show when=move || saved_id.with(Option::is_some) && form.with(|f| !f.launch_uri.trim().is_empty() && f.grant_types.iter().any(|g| g == "authorization_code"))>
            <TestLaunch client_id=Signal::derive(move || saved_id.get().unwrap_or_default()) />
        </Show>
        <section class="card" aria-labelledby="rest-title">
            <h2 id="rest-title">"The same with the admin REST API"</h2>
            <pre class="http" tabindex="0" data-rest="">{move || form.with(snippets::rest_request)}</pre>
            <p class="hint">"With your own credentials: " <code>"curl -u you:password -X PUT -H 'content-type: application/json' -d @client.json $ISSUER/Client/{id}"</code></p>
        </section>
    }
}

/// Launches the SMART app as an EHR would (SMART App Launch 2.x §2.0.1): `POST /Launch` with
/// the patient chosen here, then the browser opens the app's launch URL with `iss` and
/// `launch`.
#[component]
fn TestLaunch(client_id: Signal<String>) -> impl IntoView {
    let patient = RwSignal::new(DEMO_PATIENTS[0].to_owned());
    let encounter = RwSignal::new(String::new());
    let fhir_user = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let launch = move |_| {
        busy.set(true);
        error.set(None);
        let form = LaunchForm {
            client_id: client_id.get_untracked(),
            patient: patient.get_untracked(),
            encounter: encounter.get_untracked(),
            fhir_user: fhir_user.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match test_launch(form).await {
                Ok(made) => {
                    let _ = window().location().assign(&made.launch_url);
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="launch-title">
            <h2 id="launch-title">"Test launch"</h2>
            <p>"Play the EHR: a launch for this app with a patient in context. The browser then opens the app's launch URL with iss (this FHIR server) and launch, which works once, for five minutes."</p>
            <div class="param-grid">
                <label>"Patient"
                    <select name="patient" on:change=move |ev| patient.set(event_target_value(&ev))>
                        {DEMO_PATIENTS.map(|p| view! { <option value=p>{p}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Encounter (optional, of that patient)"
                    <input type="text" name="encounter" placeholder="enc-1" prop:value=encounter on:input=move |ev| encounter.set(event_target_value(&ev)) />
                </label>
                <label>"fhirUser (optional)"
                    <input type="text" name="fhir_user" placeholder="Practitioner/prac-1" prop:value=fhir_user on:input=move |ev| fhir_user.set(event_target_value(&ev)) />
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <div class="step-buttons">
                <button type="button" class="primary" on:click=launch disabled=busy>"Test launch"</button>
            </div>
        </section>
    }
}

/// The secret, shown this once, with a copy button and a warning.
#[component]
fn SecretOnce(secret: String) -> impl IntoView {
    let text = secret.clone();
    view! {
        <div class="secret-once" role="status">
            <p><strong>"This is the client secret. Copy it now: it is shown only this once and cannot be shown again."</strong></p>
            <pre data-secret="">{secret}</pre>
            <CopyButton what="client secret" text=Signal::derive(move || text.clone()) />
        </div>
    }
}

/// Errors and warnings under a field.
#[component]
fn Remarks(remarks: Signal<Vec<(Level, String)>>) -> impl IntoView {
    view! {
        <ul class="remarks">
            {move || remarks.get().into_iter().map(|(level, text)| {
                let class = if level == Level::Error { "check bad" } else { "check warn" };
                let label = if level == Level::Error { "Error: " } else { "Warning: " };
                view! { <li class=class><strong>{label}</strong>{text}</li> }
            }).collect_view()}
        </ul>
    }
}
