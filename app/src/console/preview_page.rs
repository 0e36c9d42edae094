//! `/developer/preview`: token preview (Keycloak calls it "Evaluate"). Pick one of your
//! clients, a grant, a user and a scope, and see the access token, ID token, refresh token and
//! userinfo answer the server would issue, decoded, with the checks it runs first. Nothing is
//! issued.

use super::api::{list_clients, list_users, preview_tokens};
use super::dashboard::ConsoleFrame;
use super::wire::{ClientSummary, PreviewRequest, PreviewToken, TokenPreview, UserSummary};
use crate::sandbox::token_view::{ClaimTable, TokenChecks};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The grants a preview can stand for: their wire names and what the page calls them.
pub const GRANTS: [(&str, &str); 5] = [
    ("authorization_code", "Authorization code"),
    (
        "urn:ietf:params:oauth:grant-type:device_code",
        "Device code",
    ),
    ("password", "Password (legacy)"),
    ("implicit", "Implicit (legacy)"),
    ("client_credentials", "Client credentials"),
];

/// The grants of `client` a preview can stand for, in the page's order; every one when it
/// holds none (the preview then shows the refusal).
fn grants_of(client: Option<&ClientSummary>) -> Vec<(&'static str, &'static str)> {
    let held: Vec<_> = GRANTS
        .iter()
        .copied()
        .filter(|(g, _)| client.is_some_and(|c| c.form.grant_types.iter().any(|h| h == g)))
        .collect();
    if held.is_empty() {
        GRANTS.to_vec()
    } else {
        held
    }
}

/// The page.
#[component]
pub fn PreviewPage() -> impl IntoView {
    view! {
        <ConsoleFrame title="Token preview">
            <p class="lead">"See what the server would issue to one of your clients for a user and a scope: the access token, ID token and refresh token decoded, what introspection and userinfo would answer, and the checks it runs first. Nothing is issued or stored."</p>
            <PreviewForm />
        </ConsoleFrame>
    }
}

/// The form, once the caller's clients and users are known.
#[component]
fn PreviewForm() -> impl IntoView {
    let clients = Resource::new(|| (), |_| list_clients());
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || match (clients.get(), users.get()) {
                (Some(Err(e)), _) | (_, Some(Err(e))) => {
                    view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any()
                }
                (Some(Ok(clients)), Some(Ok(users))) => {
                    view! { <PreviewFields clients users /> }.into_any()
                }
                _ => view! { <p>"Loading…"</p> }.into_any(),
            }}
        </Suspense>
    }
}

#[component]
fn PreviewFields(clients: Vec<ClientSummary>, users: Vec<UserSummary>) -> impl IntoView {
    let query = use_query_map();
    let named = query.with_untracked(|q| q.get("client").unwrap_or_default());
    let first = clients
        .iter()
        .find(|c| c.form.client_id == named)
        .or(clients.first())
        .map(|c| c.form.client_id.clone())
        .unwrap_or_default();
    let grant = grants_of(clients.iter().find(|c| c.form.client_id == first))[0].0;
    let clients = StoredValue::new(clients);
    let form = RwSignal::new(PreviewRequest {
        client_id: first,
        grant: grant.to_owned(),
        ..PreviewRequest::default()
    });
    let result = RwSignal::new(None::<Result<TokenPreview, String>>);
    let busy = RwSignal::new(false);
    // A client's grants, and the first of them when the one chosen is not among them.
    let grants = Memo::new(move |_| {
        let id = form.with(|f| f.client_id.clone());
        clients.with_value(|list| grants_of(list.iter().find(|c| c.form.client_id == id)))
    });
    Effect::new(move |_| {
        let grants = grants.get();
        if !form.with_untracked(|f| grants.iter().any(|(g, _)| *g == f.grant)) {
            form.update(|f| f.grant = grants[0].0.to_owned());
        }
    });
    let needs_user = move || form.with(|f| f.grant != "client_credentials");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut request = form.get_untracked();
        if request.grant == "client_credentials" {
            request.username.clear();
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            result.set(Some(
                preview_tokens(request).await.map_err(|e| e.to_string()),
            ));
            busy.set(false);
        });
    };
    let scope_hint = move || {
        let id = form.with(|f| f.client_id.clone());
        clients.with_value(|list| {
            list.iter()
                .find(|c| c.form.client_id == id)
                .map(|c| format!("empty: all it may ask for ({})", c.form.scope))
                .unwrap_or_default()
        })
    };
    let no_clients = clients.with_value(Vec::is_empty);
    view! {
        <form class="client-form" on:submit=submit>
            <fieldset>
                <legend>"What to preview"</legend>
                {no_clients.then(|| view! {
                    <p class="hint">"You have no clients yet. " <a href="/developer/clients/new">"Register one"</a> " first."</p>
                })}
                <div class="param-grid">
                    <label>"Client"
                        <select name="client" aria-label="Client" on:change=move |ev| form.update(|f| f.client_id = event_target_value(&ev))>
                            {clients.with_value(|list| list.iter().map(|c| {
                                let id = c.form.client_id.clone();
                                let selected = form.with_untracked(|f| f.client_id == id);
                                view! { <option value=id.clone() selected=selected>{id.clone()}</option> }
                            }).collect_view())}
                        </select>
                    </label>
                    <label>"Grant"
                        <select name="grant" aria-label="Grant" prop:value=move || form.with(|f| f.grant.clone()) on:change=move |ev| form.update(|f| f.grant = event_target_value(&ev))>
                            <For each=move || grants.get() key=|(g, _)| *g let((g, name))>
                                <option value=g>{name}</option>
                            </For>
                        </select>
                    </label>
                    <Show when=needs_user>
                        <label>"User"
                            <select name="username" aria-label="User" prop:value=move || form.with(|f| f.username.clone()) on:change=move |ev| form.update(|f| f.username = event_target_value(&ev))>
                                <option value="">"Choose a user"</option>
                                {users.iter().map(|u| {
                                    let name = u.username.clone();
                                    view! { <option value=name.clone()>{name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                    <label>"Scope"
                        <input type="text" name="scope" placeholder=scope_hint
                            prop:value=move || form.with(|f| f.scope.clone())
                            on:input=move |ev| form.update(|f| f.scope = event_target_value(&ev)) />
                    </label>
                </div>
                <p class="hint">"Users are the ones you made on the Users page. Nothing is issued: the tokens are shown decoded, never as values you could use."</p>
                <div class="step-buttons">
                    <button type="submit" class="primary" disabled=move || busy.get() || no_clients>"Preview the tokens"</button>
                </div>
            </fieldset>
        </form>
        {move || result.get().map(|r| match r {
            Err(e) => view! { <p class="auth-error" role="alert">{e}</p> }.into_any(),
            Ok(preview) => view! { <PreviewResult preview /> }.into_any(),
        })}
    }
}

#[component]
fn PreviewResult(preview: TokenPreview) -> impl IntoView {
    let TokenPreview {
        grant,
        scope,
        checks,
        refusal,
        response,
        access_token,
        refresh_token,
        id_token,
        userinfo,
        notes,
    } = preview;
    let name = GRANTS
        .iter()
        .find(|(g, _)| *g == grant)
        .map(|(_, n)| *n)
        .unwrap_or("");
    view! {
        <section class="card" aria-labelledby="checks-title" data-preview="">
            <h2 id="checks-title">{format!("The checks ({name} grant)")}</h2>
            <TokenChecks checks />
            {refusal.map(|text| view! {
                <p class="auth-error" role="alert">"The server would refuse, and issue nothing:"</p>
                <pre class="http" tabindex="0" data-part="refusal">{text}</pre>
            })}
            {(!scope.is_empty()).then(|| view! { <p>"Scope of the tokens: " <code data-part="scope">{scope}</code></p> })}
            <ul class="notes">
                {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        </section>
        {(!response.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="response-title">
                <h2 id="response-title">"The answer"</h2>
                <pre class="http" tabindex="0" data-part="response">{response}</pre>
            </section>
        })}
        {access_token.map(|t| view! { <PreviewedToken what="access token" token=t /> })}
        {id_token.map(|t| view! { <PreviewedToken what="ID token" token=t /> })}
        {refresh_token.map(|t| view! { <PreviewedToken what="refresh token" token=t /> })}
        {(!userinfo.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="userinfo-title">
                <h2 id="userinfo-title">"What userinfo would answer"</h2>
                <pre class="http" tabindex="0" data-part="userinfo">{userinfo}</pre>
            </section>
        })}
    }
}

#[component]
fn PreviewedToken(what: &'static str, token: PreviewToken) -> impl IntoView {
    let PreviewToken {
        is_jwt,
        header,
        claims,
        introspection,
    } = token;
    view! {
        <section class="card token-view" aria-label=format!("The {what}") data-token=what>
            <h2>{format!("The {what}")}</h2>
            {if is_jwt {
                view! {
                    <p>"A JWT signed with the server's active key. Decoded:"</p>
                    <ClaimTable caption="Header" lines=header />
                    <ClaimTable caption="Claims" lines=claims />
                }.into_any()
            } else {
                view! { <p>"Opaque: a random reference only the server can read."</p> }.into_any()
            }}
            {(!introspection.is_empty()).then(|| view! {
                <h3>"What introspection would answer its client"</h3>
                <pre class="http" tabindex="0" data-part="introspection">{introspection}</pre>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::wire::ClientForm;

    fn client(grants: &[&str]) -> ClientSummary {
        ClientSummary {
            form: ClientForm {
                grant_types: grants.iter().map(|g| g.to_string()).collect(),
                ..ClientForm::default()
            },
            has_secret: true,
            owner: None,
            created_at: String::new(),
        }
    }

    #[test]
    fn offers_the_grants_the_client_holds_in_page_order() {
        let c = client(&["refresh_token", "client_credentials", "authorization_code"]);
        let names: Vec<_> = grants_of(Some(&c)).into_iter().map(|(g, _)| g).collect();
        assert_eq!(names, ["authorization_code", "client_credentials"]);
    }

    #[test]
    fn offers_every_grant_when_the_client_holds_none_that_issues_tokens() {
        let c = client(&["basic"]);
        assert_eq!(grants_of(Some(&c)).len(), GRANTS.len());
        assert_eq!(grants_of(None).len(), GRANTS.len());
    }
}
