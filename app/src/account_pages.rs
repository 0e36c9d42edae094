//! The developer console's account pages: sign up and sign in. Like the authorization server's
//! own pages they are rendered on the server and need no JavaScript. The console session they
//! start is separate from the resource-owner login used in flows.

use crate::endpoints as ep;
use leptos::prelude::*;

/// What the sign-in and sign-up pages show.
#[derive(Clone, Debug, Default)]
pub struct AccountView {
    pub csrf: String,
    /// What was typed before a failure.
    pub username: String,
    pub error: Option<String>,
}

#[component]
fn AccountFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <p class="auth-brand"><a href="/">"oauth-sandbox"</a>" · developer console"</p>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// Sign up: a username and a password make a developer account.
#[component]
pub fn SignUpPage(view: AccountView) -> impl IntoView {
    view! {
        <AccountFrame title="Create a developer account">
            {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <form method="post" action=ep::SIGNUP class="auth-form">
                <input type="hidden" name="csrf" value=view.csrf />
                <label for="username">"Username"</label>
                <input id="username" name="username" type="text" autocomplete="username" required value=view.username />
                <p class="hint">"Letters, digits and . _ - only; this is also your owner name on clients."</p>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" />
                <p class="hint">"At least 8 characters. Stored as an argon2 hash."</p>
                <button type="submit" class="primary">"Create account"</button>
            </form>
            <p class="auth-note">"Already have one? " <a href=ep::SIGNIN>"Sign in"</a> "."</p>
        </AccountFrame>
    }
}

/// Sign in to the console.
#[component]
pub fn SignInPage(view: AccountView) -> impl IntoView {
    view! {
        <AccountFrame title="Sign in to the developer console">
            {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <form method="post" action=ep::SIGNIN class="auth-form">
                <input type="hidden" name="csrf" value=view.csrf />
                <label for="username">"Username"</label>
                <input id="username" name="username" type="text" autocomplete="username" required value=view.username />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit" class="primary">"Sign in"</button>
            </form>
            <p class="auth-note">"New here? " <a href=ep::SIGNUP>"Create a developer account"</a> "."</p>
        </AccountFrame>
    }
}
