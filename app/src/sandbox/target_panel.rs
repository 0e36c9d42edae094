//! The choice every flow page starts with: this server, or another authorization server named
//! by its issuer or discovery URL, with the API to call there and the callback URL to register
//! with the client there. Targets can be saved in this browser (client id always, secret only
//! when asked) and picked again.

use super::catalogue::StepKind;
use super::flow::{FlowState, Needs, StepButton};
use super::wire::StepInput;
use crate::browser_storage::{self, Store};
use crate::copy_button::CopyButton;
use leptos::prelude::*;

const SAVED_KEY: &str = "oauth-sandbox-targets";

/// A target saved in this browser, for one flow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavedTarget {
    pub flow: String,
    pub target: String,
    pub api_url: String,
    pub client_id: String,
    /// Only when the learner asked to keep it.
    pub client_secret: Option<String>,
}

impl SavedTarget {
    /// One line of the stored list: its fields form-encoded (no JSON code in the bundle).
    fn to_line(&self) -> String {
        let mut line = form_urlencoded::Serializer::new(String::new());
        line.append_pair("flow", &self.flow)
            .append_pair("target", &self.target)
            .append_pair("api_url", &self.api_url)
            .append_pair("client_id", &self.client_id);
        if let Some(secret) = &self.client_secret {
            line.append_pair("client_secret", secret);
        }
        line.finish()
    }

    fn from_line(line: &str) -> Option<Self> {
        let mut t = SavedTarget::default();
        for (k, v) in form_urlencoded::parse(line.as_bytes()).into_owned() {
            match k.as_str() {
                "flow" => t.flow = v,
                "target" => t.target = v,
                "api_url" => t.api_url = v,
                "client_id" => t.client_id = v,
                "client_secret" => t.client_secret = Some(v),
                _ => {}
            }
        }
        (!t.target.is_empty()).then_some(t)
    }
}

fn saved() -> Vec<SavedTarget> {
    browser_storage::get(Store::Local, SAVED_KEY)
        .map(|text| text.lines().filter_map(SavedTarget::from_line).collect())
        .unwrap_or_default()
}

fn save_all(list: &[SavedTarget]) {
    let text: Vec<String> = list.iter().map(SavedTarget::to_line).collect();
    browser_storage::set(Store::Local, SAVED_KEY, &text.join("\n"));
}

/// The default API at another server: its demo API, when it is an oauth-sandbox, at the
/// origin of what was typed (plain string work: the URL parser stays out of the bundle).
fn default_api(target: &str) -> String {
    let Some((scheme, rest)) = target.trim().split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    match host.is_empty() {
        true => String::new(),
        false => format!("{scheme}://{host}{}", crate::endpoints::PATIENTS),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_saved_target_keeps_its_secret_only_when_asked() {
        let mut t = super::SavedTarget {
            flow: "client-credentials".into(),
            target: "https://as.example/t".into(),
            api_url: "https://as.example/api?x=1&y=2".into(),
            client_id: "c d".into(),
            client_secret: None,
        };
        assert_eq!(super::SavedTarget::from_line(&t.to_line()), Some(t.clone()));
        assert!(!t.to_line().contains("client_secret"));
        t.client_secret = Some("s&=".into());
        assert_eq!(super::SavedTarget::from_line(&t.to_line()), Some(t));
    }

    #[test]
    fn the_default_api_is_the_demo_api_at_the_typed_origin() {
        assert_eq!(
            super::default_api("http://localhost:3001"),
            "http://localhost:3001/fhir/Patient"
        );
        assert_eq!(
            super::default_api("https://as.example/tenant/.well-known/openid-configuration"),
            "https://as.example/fhir/Patient"
        );
        assert_eq!(super::default_api("not a url"), "");
    }
}

/// The panel.
#[component]
pub fn TargetPanel(state: FlowState) -> impl IntoView {
    let origin = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<SavedTarget>::new());
    let keep_secret = RwSignal::new(false);
    let flow = state.flow.slug();
    state.share("target", state.target);
    state.share("api_url", state.api_url);
    Effect::new(move |_| {
        origin.set(window().location().origin().unwrap_or_default());
        list.set(saved());
        // A shared set-up: the target first, so the fields that depend on it are drawn, then
        // every field once more.
        let hash = window().location().hash().unwrap_or_default();
        state.apply_setup(&hash);
        request_animation_frame(move || state.apply_setup(&hash));
    });
    let share_link = move || {
        format!(
            "{}{}#{}",
            origin.get(),
            state.page.path(state.flow),
            state.setup_fragment()
        )
    };
    let outside = move || !state.target.with(String::is_empty);
    let mine = move || {
        list.get()
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.flow == flow)
            .collect::<Vec<_>>()
    };
    let pick = move |ev: leptos::ev::Event| {
        let Ok(i) = event_target_value(&ev).parse::<usize>() else {
            state.target.set(String::new());
            return;
        };
        if let Some(t) = list.with_untracked(|l| l.get(i).cloned()) {
            state.target.set(t.target);
            state.api_url.set(t.api_url);
            state.set_client(t.client_id, t.client_secret.unwrap_or_default());
        }
    };
    let save = move |_| {
        let (client_id, secret) = state.client();
        let entry = SavedTarget {
            flow: flow.to_owned(),
            target: state.target.get_untracked(),
            api_url: state.api_url.get_untracked(),
            client_id,
            client_secret: keep_secret.get_untracked().then_some(secret),
        };
        let mut all = saved();
        all.retain(|t| {
            !(t.flow == entry.flow && t.target == entry.target && t.client_id == entry.client_id)
        });
        all.push(entry);
        save_all(&all);
        list.set(all);
    };
    let forget = move |_| {
        let target = state.target.get_untracked();
        let mut all = saved();
        all.retain(|t| !(t.flow == flow && t.target == target));
        save_all(&all);
        list.set(all);
    };
    let fill_api = move |_| {
        if state.api_url.with_untracked(String::is_empty) {
            state
                .api_url
                .set(default_api(&state.target.get_untracked()));
        }
    };
    let callback = move || format!("{}{}", origin.get(), crate::endpoints::CALLBACK);
    let discover = Callback::new(move |()| StepInput::default());
    view! {
        <section class="params target" aria-labelledby="target-title">
            <h2 id="target-title">"Authorization server"</h2>
            <p class="hint share">
                <a href=share_link data-share="">"Link to this set-up"</a> " "
                <CopyButton what="set-up link" text=Signal::derive(share_link) />
                ": the server, client id and parameters, in the fragment no server sees. Never a secret or a token."
            </p>
            <div class="param-grid">
                <label>"Issuer or discovery URL (empty: this server)"
                    <input
                        type="url"
                        name="target"
                        placeholder="https://accounts.example.com"
                        prop:value=move || state.target.get()
                        on:input=move |ev| state.target.set(event_target_value(&ev).trim().to_owned())
                        on:change=fill_api
                    />
                </label>
                <Show when=move || !mine().is_empty()>
                    <label>"Saved servers"
                        <select on:change=pick>
                            <option value="">"This server"</option>
                            {move || mine().into_iter().map(|(i, t)| view! {
                                <option value=i.to_string() selected=move || state.target.get() == t.target>
                                    {format!("{} as {}", t.target, t.client_id)}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Show when=outside>
                    <label>"API to call there (on the issuer's origin)"
                        <input
                            type="url"
                            name="api_url"
                            prop:value=move || state.api_url.get()
                            on:input=move |ev| state.api_url.set(event_target_value(&ev).trim().to_owned())
                        />
                    </label>
                </Show>
            </div>
            <Show
                when=outside
                fallback=|| view! {
                    <p class="hint">"Steps run against this server, with the checks it ran. Name another server to run them there."</p>
                }
            >
                <p class="hint">
                    "Register this callback URL with your client there, then type its id and secret below: "
                    <code data-callback="">{callback}</code> " "
                    <CopyButton what="callback URL" text=Signal::derive(callback) />
                </p>
                <p class="hint">
                    "Its discovery document comes first; each step then goes, through this server (no CORS needed), to the endpoint it advertises, "
                    "and its card shows the client's checks. The relay never reaches link-local or cloud metadata addresses."
                </p>
                <div class="step-buttons">
                    <Show when=move || state.run_id().is_none()>
                        <StepButton state make=discover step=StepKind::Discover label="read its discovery document" needs=Needs::Nothing />
                    </Show>
                    <button type="button" on:click=save>"Save this server in this browser"</button>
                    <label class="inline"><input type="checkbox" prop:checked=keep_secret on:change=move |ev| keep_secret.set(event_target_checked(&ev)) /> " keep the client secret too"</label>
                    <Show when=move || mine().iter().any(|(_, t)| t.target == state.target.get())>
                        <button type="button" on:click=forget>"Forget it"</button>
                    </Show>
                </div>
            </Show>
        </section>
    }
}
