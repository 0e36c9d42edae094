//! The Client Credentials flow page (RFC 6749 §4.4), one step at a time, every step for real.

use super::api::{inspect_token, send_exchange};
use super::diagram::{Arrow, SequenceDiagram};
use super::exchange_card::ExchangeCard;
use super::requests::{self, ClientAuth};
use super::token_view::TokenView;
use super::wire::{Exchange, Outgoing, TokenInspection};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A finished step: its title, what it teaches, and the exchange.
#[derive(Clone, Debug)]
struct Step {
    title: &'static str,
    lesson: &'static str,
    arrow: usize,
    exchange: Exchange,
}

fn arrows() -> Vec<Arrow> {
    vec![
        Arrow {
            from: 1,
            to: 2,
            label: "POST /auth/token (client id + secret)",
        },
        Arrow {
            from: 2,
            to: 1,
            label: "access token",
        },
        Arrow {
            from: 1,
            to: 3,
            label: "GET /fhir/Patient (Bearer)",
        },
        Arrow {
            from: 3,
            to: 1,
            label: "patients, or 401/403",
        },
    ]
}

/// The page.
#[component]
pub fn ClientCredentialsPage() -> impl IntoView {
    let client_id = RwSignal::new("service-client".to_owned());
    let secret = RwSignal::new("service-secret".to_owned());
    let scope = RwSignal::new("patient.read".to_owned());
    let auth = RwSignal::new(ClientAuth::Basic);
    let steps = RwSignal::new(Vec::<Step>::new());
    let token = RwSignal::new(None::<String>);
    let inspection = RwSignal::new(None::<TokenInspection>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let current = Signal::derive(move || steps.with(|s| s.last().map(|s| s.arrow)));

    let run = move |title: &'static str,
                    lesson: &'static str,
                    arrow: usize,
                    request: Outgoing,
                    takes_token: bool| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match send_exchange(request).await {
                Ok(exchange) => {
                    if takes_token {
                        let t = requests::access_token_of(&exchange.response.body);
                        token.set(t.clone());
                        inspection.set(None);
                        if let Some(t) = t {
                            inspection.set(inspect_token(t).await.ok());
                        }
                    }
                    steps.update(|s| {
                        s.push(Step {
                            title,
                            lesson,
                            arrow: if exchange.status < 400 {
                                arrow + 1
                            } else {
                                arrow
                            },
                            exchange,
                        })
                    });
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };

    let get_token = move |_| {
        let req =
            requests::client_credentials(auth.get(), &client_id.get(), &secret.get(), &scope.get());
        run(
            "1. Request a token",
            "The client proves who it is with its secret and asks for a scope. No user is involved.",
            0,
            req,
            true,
        );
    };
    let wrong_secret = move |_| {
        let req = requests::client_credentials(
            auth.get(),
            &client_id.get(),
            "not-the-secret",
            &scope.get(),
        );
        run(
            "Lesson: a wrong secret",
            "The server answers 401 invalid_client with a Basic challenge (RFC 6749 §5.2) and issues nothing. \
             A secret is compared with the stored argon2 hash; the server never stores or logs it.",
            0,
            req,
            false,
        );
    };
    let with_token = move |f: fn(&str) -> Outgoing, title, lesson| {
        if let Some(t) = token.get() {
            run(title, lesson, 2, f(&t), false);
        }
    };
    let call_api = move |_| {
        with_token(
            requests::api_call,
            "2. Call the demo API",
            "The resource server checks the token's signature, expiry and revocation, then asks its access policies.",
        )
    };
    let introspect = move |_| {
        if let Some(t) = token.get() {
            let req = requests::introspect(auth.get(), &client_id.get(), &secret.get(), &t);
            run(
                "3. Introspect the token",
                "RFC 7662: the server says whether the token is active and what it allows.",
                0,
                req,
                false,
            );
        }
    };
    let revoke = move |_| {
        if let Some(t) = token.get() {
            let req = requests::revoke(auth.get(), &client_id.get(), &secret.get(), &t);
            run(
                "4. Revoke the token",
                "RFC 7009: 200 whether or not the token was known, so a client cannot probe for tokens.",
                0,
                req,
                false,
            );
        }
    };
    let again = move |_| {
        with_token(
            requests::api_call,
            "5. Call the API after revoking",
            "Revoked tokens stop working at once, JWTs included: the server keeps each token's id and checks it on every call.",
        )
    };

    let newest_first = move || {
        steps
            .get()
            .into_iter()
            .enumerate()
            .rev()
            .collect::<Vec<_>>()
    };

    view! {
        <main class="page flow" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"oauth-sandbox"</a> " / Client Credentials"</p>
            <h1>"Client Credentials"</h1>
            <p class="badge recommended">"Recommended for machine-to-machine calls"</p>
            <p class="lead">
                "A service calls an API on its own behalf: no person signs in. The client holds a "
                "secret, so it must run on a server you control. The token endpoint trades the "
                "client's credentials for an access token (RFC 6749 §4.4)."
            </p>
            <SequenceDiagram arrows=arrows() current />
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <label>"Client"
                        <select on:change=move |ev| {
                            let v = event_target_value(&ev);
                            secret.set("service-secret".into());
                            client_id.set(v);
                        }>
                            <option value="service-client">"service-client (JWT access tokens)"</option>
                            <option value="service-client-opaque">"service-client-opaque (opaque access tokens)"</option>
                        </select>
                    </label>
                    <label>"Client secret"
                        <input type="password" prop:value=secret on:input=move |ev| secret.set(event_target_value(&ev)) />
                    </label>
                    <label>"Scope"
                        <input type="text" prop:value=scope on:input=move |ev| scope.set(event_target_value(&ev)) />
                    </label>
                    <label>"Client authentication"
                        <select on:change=move |ev| auth.set(if event_target_value(&ev) == "post" { ClientAuth::Post } else { ClientAuth::Basic })>
                            <option value="basic">"client_secret_basic (Authorization header)"</option>
                            <option value="post">"client_secret_post (in the body)"</option>
                        </select>
                    </label>
                </div>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <div class="step-buttons">
                    <button class="primary" on:click=get_token disabled=move || busy.get()>"Run 1: request a token"</button>
                    <button on:click=call_api disabled=move || busy.get() || token.with(Option::is_none)>"Run 2: call the API"</button>
                    <button on:click=introspect disabled=move || busy.get() || token.with(Option::is_none)>"Run 3: introspect"</button>
                    <button on:click=revoke disabled=move || busy.get() || token.with(Option::is_none)>"Run 4: revoke"</button>
                    <button on:click=again disabled=move || busy.get() || token.with(Option::is_none)>"Run 5: call the API again"</button>
                    <button class="lesson" on:click=wrong_secret disabled=move || busy.get()>"Lesson: try a wrong secret"</button>
                </div>
                <noscript><p>"The steps run from this page's script; enable JavaScript to use them."</p></noscript>
                {move || error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
                {move || inspection.get().map(|i| view! { <TokenView inspection=i /> })}
                <For each=newest_first key=|(n, _)| *n let:item>
                    <div class="step">
                        <p class="lesson-text">{item.1.lesson}</p>
                        <ExchangeCard title=item.1.title exchange=item.1.exchange.clone() />
                    </div>
                </For>
            </section>
        </main>
    }
    .into_any()
}
