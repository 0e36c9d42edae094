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

/// The form both pages share; they differ in where it posts, the hints and the way across.
#[component]
fn AccountForm(
    view: AccountView,
    action: &'static str,
    /// The password field's `autocomplete`: `new-password` or `current-password`.
    autocomplete: &'static str,
    button: &'static str,
    /// Explain the fields (sign-up).
    hints: bool,
    children: Children,
) -> impl IntoView {
    view! {
        {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
        <form method="post" action=action class="auth-form">
            <input type="hidden" name="csrf" value=view.csrf />
            <label for="username">"Username"</label>
            <input id="username" name="username" type="text" autocomplete="username" required value=view.username />
            {hints.then(|| view! { <p class="hint">"Letters, digits and . _ - only; this is also your owner name on clients."</p> })}
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete=autocomplete required minlength=hints.then_some("8") />
            {hints.then(|| view! { <p class="hint">"At least 8 characters. Stored as an argon2 hash."</p> })}
            <button type="submit" class="primary">{button}</button>
        </form>
        <p class="auth-note">{children()}</p>
    }
}

/// Sign up: a username and a password make a developer account.
#[component]
pub fn SignUpPage(view: AccountView) -> impl IntoView {
    view! {
        <AccountFrame title="Create a developer account">
            <AccountForm view action=ep::SIGNUP autocomplete="new-password" button="Create account" hints=true>
                "Already have one? " <a href=ep::SIGNIN>"Sign in"</a> "."
            </AccountForm>
        </AccountFrame>
    }
}

/// Sign in to the console.
#[component]
pub fn SignInPage(view: AccountView) -> impl IntoView {
    view! {
        <AccountFrame title="Sign in to the developer console">
            <AccountForm view action=ep::SIGNIN autocomplete="current-password" button="Sign in" hints=false>
                "New here? " <a href=ep::SIGNUP>"Create a developer account"</a> "."
            </AccountForm>
        </AccountFrame>
    }
}
