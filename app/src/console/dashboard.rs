//! `/developer`: who is signed in, their clients, and the way to everything else in the
//! console.

use super::api::{list_clients, new_initial_token, whoami};
use super::wire::Me;
use crate::copy_button::CopyButton;
use crate::endpoints as ep;
use leptos::prelude::*;

/// The console's frame: breadcrumb, title, the account line, then the page; or the way in for
/// a visitor who is not signed in.
#[component]
pub fn ConsoleFrame(#[prop(into)] title: Signal<String>, children: ChildrenFn) -> impl IntoView {
    let account = Resource::new(|| (), |_| whoami());
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <main class="page console" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / " <a href=ep::CONSOLE>"Developer console"</a> " / " {move || title.get()}</p>
            <h1>{move || title.get()}</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let children = children.clone();
                    account.get().map(move |found| match found.ok().flatten() {
                        None => view! { <SignInFirst /> }.into_any(),
                        Some(me) => {
                            // The pages inside ask who is signed in (an admin sees more).
                            provide_context(me.clone());
                            view! { <AccountLine me=me.clone() /> {children()} }.into_any()
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

#[component]
fn SignInFirst() -> impl IntoView {
    view! {
        <section class="card">
            <p>"The console is where you register your own clients, demo users and access policies."</p>
            <p>
                <a class="button primary" rel="external" href=ep::SIGNUP>"Create a developer account"</a> " "
                <a class="button" rel="external" href=ep::SIGNIN>"Sign in"</a>
            </p>
        </section>
    }
}

#[component]
fn AccountLine(me: Me) -> impl IntoView {
    view! {
        <div class="account-line">
            <span>"Signed in as " <strong data-me=me.username.clone()>{me.username.clone()}</strong>
                {me.is_admin.then_some(" (admin: you see every account's things)")}</span>
            <nav aria-label="Console">
                <a href=ep::CONSOLE>"Clients"</a>
                <a href="/developer/users">"Users"</a>
                <a href="/developer/policies">"Access policies"</a>
                <a href="/developer/trusted-issuers">"Trusted issuers"</a>
                <a href=ep::CONSOLE_PREVIEW>"Token preview"</a>
            </nav>
            <form method="post" action=ep::SIGNOUT>
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </div>
    }
}

/// `/developer`.
#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <ConsoleFrame title="Your clients">
            <ClientList />
            <InitialToken />
        </ConsoleFrame>
    }
}

#[component]
fn ClientList() -> impl IntoView {
    let clients = Resource::new(|| (), |_| list_clients());
    view! {
        <p><a class="button primary" href="/developer/clients/new">"Register a client"</a></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || clients.get().map(|r| match r {
                Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p>"No clients yet. Register one: it takes a minute, and you can use it at once in the sandbox or from your own app."</p>
                }.into_any(),
                Ok(list) => view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Table, scrolls sideways on a narrow screen"><table class="claims listing">
                        <thead><tr>
                            <th scope="col">"Client id"</th><th scope="col">"Name"</th>
                            <th scope="col">"Type"</th><th scope="col">"Grant types"</th><th scope="col">"Owner"</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| view! {
                                <tr data-client=c.form.client_id.clone()>
                                    <td><a href=format!("/developer/clients/{}", c.form.client_id)><code>{c.form.client_id.clone()}</code></a></td>
                                    <td>{c.form.client_name.clone()}</td>
                                    <td>{if c.form.is_public() { "public" } else { "confidential" }}</td>
                                    <td>{c.form.grant_types.join(", ")}</td>
                                    <td>{c.owner.clone().unwrap_or_else(|| "system".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// An initial access token for RFC 7591 registration from your own scripts.
#[component]
fn InitialToken() -> impl IntoView {
    let token = RwSignal::new(None::<Result<String, String>>);
    let make = move |_| {
        leptos::task::spawn_local(async move {
            token.set(Some(new_initial_token().await.map_err(|e| e.to_string())));
        });
    };
    view! {
        <section class="card" aria-labelledby="dcr-title">
            <h2 id="dcr-title">"Register clients from a script (RFC 7591)"</h2>
            <p>
                "POST client metadata to " <code>{ep::REGISTER}</code>
                " with an initial access token as a Bearer token. The client is yours, as if made here."
            </p>
            <button type="button" on:click=make>"Create an initial access token"</button>
            {move || token.get().map(|t| match t {
                Err(e) => view! { <p class="auth-error" role="alert">{e}</p> }.into_any(),
                Ok(t) => {
                    let shown = t.clone();
                    view! {
                        <div class="secret-once" role="status">
                            <p><strong>"Copy it now: it is shown only this once."</strong> " It lasts 30 days."</p>
                            <pre data-initial-token="">{shown}</pre>
                            <CopyButton what="initial access token" text=Signal::derive(move || t.clone()) />
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}
