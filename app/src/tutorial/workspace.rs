//! The learner workspace as the tutorial's pages see it: opened on the first visit (once the
//! page runs its script, so a crawler makes none), its password kept in this browser's
//! localStorage for the admin requests, and the form that keeps it as a developer account.

use crate::browser_storage::{self, Store};
use crate::console::api::{keep_workspace, open_workspace};
use crate::console::wire::Workspace;
use leptos::prelude::*;

/// Where this browser keeps the workspace's name and password, and its person's password.
const KEY: &str = "oauth-sandbox-workspace";
const PERSON_KEY: &str = "oauth-sandbox-workspace-person";

/// This browser's workspace, and the password its admin requests use.
#[derive(Clone, Copy)]
pub struct WorkspaceState {
    pub current: RwSignal<Option<Workspace>>,
    /// The account's password: kept from its creation, or typed by a developer.
    pub password: RwSignal<String>,
    /// The password the tutorial gives the workspace's person, the same in every chapter and
    /// after a reload: chosen once per workspace and kept by this browser.
    pub person_password: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
}

impl WorkspaceState {
    /// The workspace of this browser, opened (or made) once the page runs.
    pub fn open() -> Self {
        let ws = Self {
            current: RwSignal::new(None),
            password: RwSignal::new(String::new()),
            person_password: RwSignal::new(String::new()),
            error: RwSignal::new(None),
        };
        Effect::new(move |_| leptos::task::spawn_local(ws.load()));
        ws
    }

    async fn load(self) {
        let mut found = match open_workspace(true, false).await {
            Ok(Some(w)) => w,
            Ok(None) => return,
            Err(e) => {
                self.error.set(Some(e.to_string()));
                return;
            }
        };
        if found.password.is_none() {
            match stored(KEY) {
                Some((name, password)) if name == found.username => {
                    found.password = Some(password);
                }
                // A learner workspace whose password this browser lost gets a new one.
                _ if found.expires_at.is_some() => {
                    if let Ok(Some(w)) = open_workspace(true, true).await {
                        found = w;
                    }
                }
                _ => {}
            }
        }
        if let Some(p) = &found.password {
            store(KEY, &found.username, p);
            self.password.set(p.clone());
        }
        let person = match stored(PERSON_KEY) {
            Some((name, password)) if name == found.username => Some(password),
            _ => crate::sandbox::code_flow::fresh_values()
                .await
                .ok()
                .map(|(s, _, _)| format!("pw-{s}")),
        };
        if let Some(p) = person {
            store(PERSON_KEY, &found.username, &p);
            self.person_password.set(p);
        }
        self.current.set(Some(found));
    }

    /// The workspace's name, empty until it is open.
    pub fn username(&self) -> String {
        self.current
            .with_untracked(|w| w.as_ref().map(|w| w.username.clone()))
            .unwrap_or_default()
    }

    /// True once the workspace is open.
    pub fn is_open(&self) -> bool {
        self.current.with(Option::is_some)
    }
}

/// The name and password this browser kept under `key`.
fn stored(key: &str) -> Option<(String, String)> {
    let value = browser_storage::get(Store::Local, key)?;
    let (name, password) = value.split_once('\n')?;
    Some((name.to_owned(), password.to_owned()))
}

fn store(key: &str, name: &str, password: &str) {
    browser_storage::set(Store::Local, key, &format!("{name}\n{password}"));
}

/// What the workspace is, when it ends, and the form that keeps it.
#[component]
pub fn WorkspacePanel(ws: WorkspaceState) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pending.set(true);
        let (username, password) = (name.get_untracked(), chosen.get_untracked());
        leptos::task::spawn_local(async move {
            match keep_workspace(username, password.clone()).await {
                Ok(kept) => {
                    store(KEY, &kept.username, &password);
                    if let Some((_, person)) = stored(PERSON_KEY) {
                        store(PERSON_KEY, &kept.username, &person);
                    }
                    failed.set(None);
                    ws.password.set(password);
                    ws.current.set(Some(kept));
                }
                Err(e) => failed.set(Some(e.to_string())),
            }
            pending.set(false);
        });
    };
    view! {
        <section class="workspace" aria-labelledby="workspace-title">
            <h2 id="workspace-title">"Your workspace"</h2>
            {move || ws.error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            {move || match ws.current.get() {
                None => view! { <p class="muted">"Opening a private workspace for this browser…"</p> }.into_any(),
                Some(w) => match w.expires_at.clone() {
                    Some(ends) => view! {
                        <p>
                            "This browser has a private workspace, " <code>{w.username.clone()}</code>
                            ". The clients, people, policies and runs you make here belong to it: nobody else sees them. "
                            "It is deleted, with all it holds, at " <time datetime=ends.clone()>{readable(&ends)}</time> "."
                        </p>
                        <p class="hint">"The admin requests below sign in as the workspace with HTTP Basic; this browser keeps its password."</p>
                        <form class="keep" on:submit=submit>
                            <p>"Keep it: choose a name and a password, and it becomes a developer account you can sign in to."</p>
                            <div class="param-grid">
                                <label>"Username"
                                    <input type="text" name="username" autocomplete="username" required
                                        prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                                </label>
                                <label>"Password (8 characters or more)"
                                    <input type="password" name="password" autocomplete="new-password" required minlength="8"
                                        prop:value=chosen on:input=move |ev| chosen.set(event_target_value(&ev)) />
                                </label>
                            </div>
                            <button type="submit" class="primary" disabled=move || pending.get()>"Keep my workspace"</button>
                            {move || failed.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
                        </form>
                    }.into_any(),
                    None => view! {
                        <p>
                            "You are signed in as the developer account " <code>{w.username.clone()}</code>
                            ": what you make here is yours, and it stays."
                        </p>
                        <label class="workspace-password">"Your account's password (the admin requests sign in with it)"
                            <input type="password" autocomplete="current-password"
                                prop:value=ws.password on:input=move |ev| ws.password.set(event_target_value(&ev)) />
                        </label>
                    }.into_any(),
                },
            }}
        </section>
    }
}

/// An RFC 3339 UTC time as people read it: `2026-12-02 22:28 UTC`.
fn readable(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}
