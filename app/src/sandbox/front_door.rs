//! What the flows that send the browser to the authorization server share: the extra
//! authorization parameters the learner may add (`prompt`, `max_age`, `login_hint`,
//! `response_mode`, any other), the start of a recorded front channel, the run it comes back
//! to, and the way to see the sign-in and consent pages again.

use super::api::{watch_front_channel, watched_run};
use super::catalogue::Flow;
use super::flow::{FlowState, Page};
use super::wire::RunView;
use crate::browser_storage::{self, Store};
use crate::endpoints as ep;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The authorization parameters the learner adds to the planned request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeExtras {
    /// `prompt`: empty, `login`, `consent` or `none`.
    pub prompt: String,
    /// Any other parameters, `name=value`, one per line or `&`-separated.
    pub other: String,
}

impl AuthorizeExtras {
    /// The extra parameters as pairs, in the order given; blank lines are skipped.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.prompt.is_empty() {
            out.push(("prompt".to_owned(), self.prompt.clone()));
        }
        for part in self.other.split(['\n', '&']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        out
    }

    /// Appends the extra parameters to an authorization URL's query.
    pub fn append_to(&self, query: &mut form_urlencoded::Serializer<'_, String>) {
        for (k, v) in self.pairs() {
            query.append_pair(&k, &v);
        }
    }
}

/// What the chosen `prompt` asks of the server.
fn prompt_hint(prompt: &str) -> &'static str {
    match prompt {
        "consent" => "Ask for consent again, even if it was given before.",
        "login" => "Sign in again, even with a session.",
        "none" => "Show no page at all: answer at once, or send an error back.",
        _ => "Sign in and consent only when needed.",
    }
}

/// The controls for the extra parameters.
#[component]
pub fn ExtraParams(extras: RwSignal<AuthorizeExtras>) -> impl IntoView {
    view! {
        <div class="param-grid extras">
            <label>"prompt (OpenID Core §3.1.2.1)"
                <select name="prompt" on:change=move |ev| extras.update(|e| e.prompt = event_target_value(&ev))>
                    <option value="">"not sent"</option>
                    <option value="consent">"consent"</option>
                    <option value="login">"login"</option>
                    <option value="none">"none"</option>
                </select>
                <span class="hint" aria-live="polite">{move || prompt_hint(&extras.with(|e| e.prompt.clone()))}</span>
            </label>
            <label>"More parameters (name=value, one per line: max_age, login_hint, response_mode, any other)"
                <textarea
                    name="extra"
                    rows="2"
                    spellcheck="false"
                    prop:value=move || extras.with(|e| e.other.clone())
                    on:input=move |ev| extras.update(|e| e.other = event_target_value(&ev))
                ></textarea>
            </label>
        </div>
    }
}

/// Starts recording the front channel of `state`'s run for `client_id` and `state_value`,
/// then sends the browser to the URL `url_for` makes from the run's id (at the authorization
/// endpoint of the run's other server, when it has one).
pub fn begin(
    state: FlowState,
    client_id: String,
    state_value: String,
    url_for: impl FnOnce(String) -> String + 'static,
) {
    state.busy.set(true);
    let run = state.run_id().unwrap_or_default();
    remember_return(state.page, state.flow, &state_value);
    let target = state.target.get_untracked();
    super::flow::remember_target(&target, &state.api_url.get_untracked());
    leptos::task::spawn_local(async move {
        // This server's own request is made once the run has an id (the code flow keeps it
        // with the verifier); another server's is recorded as the browser is sent to it.
        let sent = match target.is_empty() {
            true => watch_front_channel(
                state.flow,
                run,
                client_id,
                state_value,
                target,
                String::new(),
            )
            .await
            .map(|(id, _)| url_for(id)),
            false => {
                let own = url_for(run.clone());
                watch_front_channel(state.flow, run, client_id, state_value, target, own)
                    .await
                    .map(|(_, outside)| outside)
            }
        };
        match sent {
            Ok(url) => {
                let _ = window().location().assign(&url);
            }
            Err(e) => {
                state.error.set(Some(e.to_string()));
                state.busy.set(false);
            }
        }
    });
}

const RETURN_KEY: &str = "oauth-sandbox-return";

/// Where the callback leads back to for the request with `state_value`: a tutorial chapter,
/// kept in the tab's sessionStorage; a flow page's own run forgets any earlier chapter.
fn remember_return(page: Page, flow: Flow, state_value: &str) {
    match page {
        Page::Tutorial => browser_storage::set(
            Store::Session,
            RETURN_KEY,
            &format!("{state_value} {}", page.path(flow)),
        ),
        Page::Flow => browser_storage::remove(Store::Session, RETURN_KEY),
    }
}

/// The tutorial chapter the request that came back with `returned_state` left from, if any.
fn chapter_returned_to(returned_state: &str) -> Option<String> {
    let stored = browser_storage::get(Store::Session, RETURN_KEY)?;
    let (state_value, path) = stored.split_once(' ')?;
    (state_value == returned_state).then(|| path.to_owned())
}

/// On the callback page: the way back to the tutorial chapter the run came from, with the run.
#[component]
pub fn BackToChapter(
    returned_state: Signal<Option<String>>,
    run: Signal<Option<String>>,
) -> impl IntoView {
    let path = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        path.set(returned_state.get().and_then(|s| chapter_returned_to(&s)));
    });
    move || {
        path.get().map(|p| {
            let href = match run.get() {
                Some(id) => format!("{p}?run={id}"),
                None => p,
            };
            view! {
                <p class="back-to-chapter">
                    <a href=href>"Back to the tutorial chapter"</a>
                    ", to see what this run has done and what is left."
                </p>
            }
        })
    }
}

/// The run whose front channel came back with the parameters `returned` (its `state` finds
/// it), loaded on the server too.
pub fn watched(flow: Flow, returned: Signal<Vec<(String, String)>>) -> Resource<Option<RunView>> {
    Resource::new(
        move || returned.get(),
        move |pairs| async move {
            let state = pairs.iter().find(|(k, _)| k == "state")?.1.clone();
            watched_run(flow, state, pairs).await.ok().flatten()
        },
    )
}

/// How to see the authorization server's pages again once they were answered.
#[component]
pub fn SeeThePagesAgain(
    flow: Flow,
    /// The page to come back to after signing out.
    #[prop(optional)]
    page: Page,
) -> impl IntoView {
    let sign_out = format!("{}?return_to={}", ep::LOGOUT, page.path(flow));
    view! {
        <p class="hint again">
            "Seen the sign-in and consent pages once? The server remembers both. Choose "
            <code>"prompt=consent"</code> " to be asked again, " <code>"prompt=login"</code>
            " to sign in again, or "
            <a href=sign_out rel="external">"sign out of the authorization server"</a> "."
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_keep_their_order_and_skip_blanks() {
        let e = AuthorizeExtras {
            prompt: "consent".into(),
            other: "max_age=0\n\n login_hint = bob &response_mode=fragment\nflag".into(),
        };
        assert_eq!(
            e.pairs(),
            [
                ("prompt", "consent"),
                ("max_age", "0"),
                ("login_hint", "bob"),
                ("response_mode", "fragment"),
                ("flag", "")
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert!(AuthorizeExtras::default().pairs().is_empty());
    }
}
