//! The Implicit flow page (RFC 6749 §4.2), marked legacy: RFC 9700 §2.1.2 says clients SHOULD
//! NOT use it. The token comes back in the URL fragment, which only code in the page can read.

use super::catalogue::{Flow, StepKind};
use super::flow::{FlowFrame, FlowState, StepList, TextParam, TokenSteps};
use super::front_door::{AuthorizeExtras, ExtraParams, SeeThePagesAgain, begin, watched};
use super::token_view::TokenView;
use super::wire::StepInput;
use crate::endpoints as ep;
use leptos::prelude::*;

/// The authorization URL for the implicit flow.
pub fn implicit_url(
    client_id: &str,
    origin: &str,
    scope: &str,
    state: &str,
    extras: &AuthorizeExtras,
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "token")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", &format!("{origin}{}", ep::CALLBACK))
        .append_pair("scope", scope)
        .append_pair("state", state);
    extras.append_to(&mut query);
    format!("{}?{}", ep::AUTHORIZE, query.finish())
}

/// The public demo client registered for the implicit grant.
const CLIENT: &str = "spa-client";

/// The page that starts the flow.
#[component]
pub fn ImplicitPage() -> impl IntoView {
    let state = FlowState::new(Flow::Implicit);
    let scope = RwSignal::new("openid patient.read".to_owned());
    let state_v = RwSignal::new(String::new());
    let extras = RwSignal::new(AuthorizeExtras::default());
    let origin = RwSignal::new(String::new());
    // The demo client here; the one registered there against another server.
    let client = RwSignal::new(CLIENT.to_owned());
    state.attach_client(client, RwSignal::new(String::new()));
    Effect::new(move |_| {
        origin.set(window().location().origin().unwrap_or_default());
        leptos::task::spawn_local(async move {
            if let Ok((s, _, _)) = super::code_flow::fresh_values().await {
                state_v.set(s);
            }
        });
    });
    let url = move || {
        implicit_url(
            &client.get(),
            &origin.get(),
            &scope.get(),
            &state_v.get(),
            &extras.get(),
        )
    };
    let go = move |_| {
        let target = url();
        begin(
            state,
            client.get_untracked(),
            state_v.get_untracked(),
            move |_| target,
        );
    };
    view! {
        <FlowFrame state>
            <section class="params" aria-labelledby="params-title">
                <h2 id="params-title">"Parameters"</h2>
                <div class="param-grid">
                    <TextParam label="Scope" name="scope" value=scope />
                    <TextParam label="state" name="state" value=state_v />
                </div>
                <ExtraParams extras />
                <Show
                    when=move || !state.target.with(String::is_empty)
                    fallback=|| view! { <p>"Client: " <code>"spa-client"</code> " (public, registered for the implicit grant for this lesson)."</p> }
                >
                    <div class="param-grid">
                        <TextParam label="Client id (registered at that server)" name="client_id" value=client />
                    </div>
                </Show>
            </section>
            <section class="steps" aria-labelledby="steps-title">
                <h2 id="steps-title">"Steps"</h2>
                <pre class="http" tabindex="0" aria-label="Authorization URL">{url}</pre>
                <div class="step-buttons">
                    <button class="primary" on:click=go disabled=move || state_v.with(String::is_empty) || state.busy.get()>{move || format!("Run {}: go to the authorization server", state.next_number())}</button>
                </div>
                <SeeThePagesAgain flow=Flow::Implicit />
                <p>
                    "This flow needs JavaScript twice: to leave, and on the way back, because a "
                    "browser never sends the fragment to a server: only the page's script can read the token."
                </p>
            </section>
        </FlowFrame>
    }
}

/// On the callback page: the token the fragment carried, inspected and used.
#[component]
pub fn ImplicitContinuation(
    #[prop(into)] fragment: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let returned_state = Signal::derive(move || {
        fragment.with(|f| f.iter().find(|(k, _)| k == "state").map(|(_, v)| v.clone()))
    });
    let flow = FlowState::from_resource(Flow::Implicit, watched(Flow::Implicit, fragment));
    flow.recall_target();
    let inspection = RwSignal::new(None);
    let token = move || {
        fragment.with(|f| {
            f.iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.clone())
        })
    };
    Effect::new(move |_| {
        if let Some(t) = token() {
            flow.outside_token.set(Some(t.clone()));
            leptos::task::spawn_local(async move {
                inspection.set(super::api::inspect_token(t).await.ok());
            });
        }
    });
    // The public client authenticates with its id alone: the one the browser was sent with.
    let make = Callback::new(move |()| StepInput::default());
    view! {
        <Show when=move || token().is_some()>
            <section class="continuation" aria-labelledby="implicit-title">
                <h2 id="implicit-title">"Finish the implicit flow"</h2>
                <Transition fallback=|| view! { <p>"Loading the run…"</p> }>
                <super::diagram::SequenceDiagram flow=Flow::Implicit trail=Signal::derive(move || flow.trail()) />
                <p>"No refresh token came back, and none ever will (RFC 6749 §4.2.2)."</p>
                <div class="step-buttons">
                    <TokenSteps state=flow make openid=true />
                </div>
                <super::request_card::RequestCard state=flow make steps=&[
                    (StepKind::Userinfo, "ask userinfo who signed in"),
                    (StepKind::Api, "call the API"),
                    (StepKind::Revoke, "revoke"),
                ] />
                <Show when=move || !flow.has_inspection()>
                    {move || inspection.get().map(|i| view! { <TokenView inspection=i /> })}
                </Show>
                <super::front_door::BackToChapter returned_state run=Signal::derive(move || flow.run_id()) />
                <StepList state=flow />
                </Transition>
            </section>
        </Show>
    }
    .into_any()
}
