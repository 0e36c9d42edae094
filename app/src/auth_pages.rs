//! The authorization server's own pages: login, consent, and the error page shown when a
//! request cannot be redirected. They are rendered on the server and need no JavaScript: plain
//! HTML forms that post back. The server passes plain data; this module never sees the server.

use leptos::prelude::*;

/// The slim banner of a sign-in or consent page that a sandbox run brought the browser to. A
/// real client's pages carry none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SandboxBanner {
    /// Where the page sits on the run's diagram.
    pub position: String,
    /// What the page is for, in a sentence.
    pub purpose: String,
    /// The run's page.
    pub run_url: String,
}

/// The banner, when there is one.
#[component]
fn Banner(banner: Option<SandboxBanner>) -> impl IntoView {
    banner.map(|b| {
        view! {
            <aside class="sandbox-banner" aria-label="Sandbox run">
                <p><strong>{b.position}</strong></p>
                <p>{b.purpose}</p>
                <p><a href=b.run_url>"Back to the run"</a></p>
            </aside>
        }
    })
}

/// What the login page shows.
#[derive(Clone, Debug, Default)]
pub struct LoginView {
    pub client_name: String,
    pub request_id: String,
    pub csrf: String,
    /// Prefilled username (`login_hint`, or what was typed before a failure).
    pub username: String,
    pub error: Option<String>,
    pub sandbox: Option<SandboxBanner>,
    /// Mock mode's test sign-in; `None` on a real server.
    pub mock: Option<MockSignIn>,
}

/// Mock mode's test sign-in: the users to pick with one click, and the authorization
/// request's parameters.
#[derive(Clone, Debug, Default)]
pub struct MockSignIn {
    /// Username and display name.
    pub users: Vec<(String, Option<String>)>,
    /// The authorization request's parameters, name and value.
    pub params: Vec<(String, String)>,
}

/// The test sign-in panel of mock mode: no password asked.
#[component]
fn MockSignInPanel(mock: MockSignIn, request_id: String, csrf: String) -> impl IntoView {
    let users = mock
        .users
        .into_iter()
        .map(|(username, name)| {
            let label = match name {
                Some(name) => format!("Sign in as {username} ({name})"),
                None => format!("Sign in as {username}"),
            };
            view! { <button type="submit" name="mock_user" value=username>{label}</button> }
        })
        .collect_view();
    let params = mock
        .params
        .into_iter()
        .map(|(name, value)| view! { <tr><th scope="row"><code>{name}</code></th><td><code class="wrap">{value}</code></td></tr> })
        .collect_view();
    view! {
        <section class="mock-signin" aria-labelledby="mock-signin-title">
            <h2 id="mock-signin-title">"Test sign-in (mock mode)"</h2>
            <p class="auth-note">"No password: pick a user, or type any subject and the claims its tokens should carry."</p>
            <form method="post" action="/auth/login" class="mock-users">
                <input type="hidden" name="request" value=request_id.clone() />
                <input type="hidden" name="csrf" value=csrf.clone() />
                {users}
            </form>
            <form method="post" action="/auth/login" class="auth-form">
                <input type="hidden" name="request" value=request_id />
                <input type="hidden" name="csrf" value=csrf />
                <label for="mock_subject">"Subject"</label>
                <input id="mock_subject" name="mock_subject" type="text" required placeholder="tester-42" />
                <label for="mock_claims">"Claims (a JSON object)"</label>
                <textarea id="mock_claims" name="mock_claims" rows="3" placeholder="{\"email\": \"tester@example.test\", \"tenant\": \"acme\"}"></textarea>
                <button type="submit">"Sign in as this subject"</button>
            </form>
            <table class="mock-params">
                <caption>"The authorization request"</caption>
                <tbody>{params}</tbody>
            </table>
        </section>
    }
}

/// One requested scope, with words a person understands.
#[derive(Clone, Debug)]
pub struct ScopeLine {
    pub scope: String,
    pub description: String,
}

/// What the consent page shows.
#[derive(Clone, Debug, Default)]
pub struct ConsentView {
    pub client_name: String,
    pub client_id: String,
    pub username: String,
    pub request_id: String,
    pub csrf: String,
    pub scopes: Vec<ScopeLine>,
    pub sandbox: Option<SandboxBanner>,
    /// For the device flow: the user code the device shows, to compare (RFC 8628 §5.4).
    pub device_code: Option<String>,
}

/// One patient the picker offers.
#[derive(Clone, Debug, Default)]
pub struct PatientChoice {
    pub id: String,
    /// Name, birth date and gender, as a person reads them.
    pub label: String,
}

/// What the patient picker of a standalone SMART launch shows.
#[derive(Clone, Debug, Default)]
pub struct PatientPickerView {
    pub client_name: String,
    pub username: String,
    pub request_id: String,
    pub csrf: String,
    pub patients: Vec<PatientChoice>,
    pub error: Option<String>,
    pub sandbox: Option<SandboxBanner>,
}

/// What the device verification page shows (RFC 8628 §3.3).
#[derive(Clone, Debug, Default)]
pub struct DeviceView {
    /// Prefilled from `verification_uri_complete`, or what was typed before a failure.
    pub user_code: String,
    pub csrf: String,
    pub error: Option<String>,
}

/// What the error page shows.
#[derive(Clone, Debug, Default)]
pub struct ErrorView {
    pub title: String,
    pub message: String,
    /// The parameter at fault, and the value that was sent.
    pub field: Option<(String, String)>,
    /// What is registered for the client, when that helps (its redirect URIs).
    pub registered: Vec<String>,
}

#[component]
fn AuthFrame(title: String, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <p class="auth-brand">"oauth-sandbox · authorization server"</p>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// The login page. Its inputs are named `username` and `password`.
#[component]
pub fn LoginPage(view: LoginView) -> impl IntoView {
    let title = format!("Sign in to continue to {}", view.client_name);
    let (request_id, csrf) = (view.request_id.clone(), view.csrf.clone());
    view! {
        <AuthFrame title>
            <Banner banner=view.sandbox />
            {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <form method="post" action="/auth/login" class="auth-form">
                <input type="hidden" name="request" value=view.request_id />
                <input type="hidden" name="csrf" value=view.csrf />
                <label for="username">"Username"</label>
                <input id="username" name="username" type="text" autocomplete="username" required value=view.username />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit" class="primary">"Sign in"</button>
            </form>
            <p class="auth-note">
                "Demo users: " <code>"alice"</code> " / " <code>"alice-password"</code> ", "
                <code>"bob"</code> " / " <code>"bob-password"</code> "."
            </p>
            {view.mock.map(|mock| view! { <MockSignInPanel mock request_id csrf /> })}
        </AuthFrame>
    }
}

/// The consent page: the client's name, the scopes in plain words, approve and deny.
#[component]
pub fn ConsentPage(view: ConsentView) -> impl IntoView {
    let title = format!("{} wants access to your account", view.client_name);
    view! {
        <AuthFrame title>
            <Banner banner=view.sandbox />
            <p>
                "Signed in as " <strong>{view.username}</strong> ". "
                <code>{view.client_id}</code> " asks to:"
            </p>
            <ul class="auth-scopes">
                {view
                    .scopes
                    .into_iter()
                    .map(|s| view! { <li><code>{s.scope}</code> " — " {s.description}</li> })
                    .collect_view()}
            </ul>
            {view.device_code.map(|code| view! {
                <p class="auth-device-code">
                    "For the device showing " <strong data-user-code=code.clone()>{code.clone()}</strong>
                    ". Allow only if that is the device in front of you: a code someone sent you asks for your account (RFC 8628 §5.4)."
                </p>
            })}
            <form method="post" action="/auth/consent" class="auth-actions">
                <input type="hidden" name="request" value=view.request_id />
                <input type="hidden" name="csrf" value=view.csrf />
                <button type="submit" name="decision" value="approve" class="primary">"Allow"</button>
                <button type="submit" name="decision" value="deny">"Deny"</button>
            </form>
            <p class="auth-note">"You can withdraw this consent later; the client then has to ask again."</p>
        </AuthFrame>
    }
}

/// The patient picker: a standalone SMART app asked for `launch/patient`, so the person says
/// which patient it may see. Its radio buttons are named `patient`.
#[component]
pub fn PatientPickerPage(view: PatientPickerView) -> impl IntoView {
    let title = format!("Choose the patient for {}", view.client_name);
    view! {
        <AuthFrame title>
            <Banner banner=view.sandbox />
            {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <p>
                "Signed in as " <strong>{view.username}</strong>
                ". The app asked for a patient in context (launch/patient): it will see this patient's records only."
            </p>
            <form method="post" action=crate::endpoints::PATIENT_PICKER class="auth-form">
                <input type="hidden" name="request" value=view.request_id />
                <input type="hidden" name="csrf" value=view.csrf />
                <fieldset class="auth-patients">
                    <legend>"Patient"</legend>
                    {view
                        .patients
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            let field = format!("patient-{}", p.id);
                            let label_for = field.clone();
                            view! {
                                <label for=label_for class="inline">
                                    <input type="radio" id=field name="patient" value=p.id.clone() required checked=i == 0 />
                                    <span>{p.label} " " <code>{p.id}</code></span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button type="submit" class="primary">"Continue"</button>
            </form>
        </AuthFrame>
    }
}

/// The device verification page: the person types the code their device shows. Its input is
/// named `user_code`.
#[component]
pub fn DevicePage(view: DeviceView) -> impl IntoView {
    view! {
        <AuthFrame title="Connect a device".to_owned()>
            {view.error.map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <p>"Type the code your device shows, then sign in and say what it may do."</p>
            <form method="post" action=crate::endpoints::DEVICE_VERIFY class="auth-form">
                <input type="hidden" name="csrf" value=view.csrf />
                <label for="user_code">"Code"</label>
                <input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" required placeholder="WDJB-MJHT" value=view.user_code />
                <button type="submit" class="primary">"Continue"</button>
            </form>
            <p class="auth-note">"Only for a device you are using now. Nobody from this service will ever send you a code to type here."</p>
        </AuthFrame>
    }
}

/// The page after the person answered a device's request.
#[component]
pub fn DeviceDonePage(approved: bool, client_name: String) -> impl IntoView {
    let (title, text) = match approved {
        true => (
            "Device connected".to_owned(),
            format!("{client_name} can now continue on your device. You can close this page."),
        ),
        false => (
            "Access denied".to_owned(),
            format!(
                "{client_name} gets nothing; your device will say so. You can close this page."
            ),
        ),
    };
    view! {
        <AuthFrame title>
            <p role="status">{text}</p>
        </AuthFrame>
    }
}

/// The page for an authorization request that cannot be sent back to the client.
#[component]
pub fn ErrorPage(view: ErrorView) -> impl IntoView {
    view! {
        <AuthFrame title=view.title>
            <p class="auth-error" role="alert">{view.message}</p>
            {view.field.map(|(name, value)| view! {
                <p>"The request's " <code>{name}</code> " was " <code class="wrap">{value}</code> "."</p>
            })}
            {(!view.registered.is_empty()).then(|| view! {
                <p>"Registered for this client:"</p>
                <ul class="auth-scopes">
                    {view.registered.into_iter().map(|r| view! { <li><code class="wrap">{r}</code></li> }).collect_view()}
                </ul>
            })}
            <p class="auth-note">
                "The authorization server never redirects to an address it has not verified "
                "(RFC 6749 §4.1.2.1), so this page is shown instead."
            </p>
        </AuthFrame>
    }
}

/// What the sign-out confirmation shows.
#[derive(Clone, Debug, Default)]
pub struct LogoutView {
    /// Who is signed in, if anyone.
    pub username: Option<String>,
    pub csrf: String,
    /// The page of this site to go back to afterwards (a checked local path), else `/`.
    pub return_to: String,
}

/// `GET /auth/logout`: asks before signing out, so that no other page can sign a person out
/// by linking here; the button posts the form with this browser's CSRF token.
#[component]
pub fn LogoutPage(view: LogoutView) -> impl IntoView {
    let title = match &view.username {
        Some(name) => format!("Sign out {name}?"),
        None => "You are not signed in".to_owned(),
    };
    let signed_in = view.username.is_some();
    view! {
        <AuthFrame title>
            {signed_in.then(|| view! {
                <p>"This ends your session at the authorization server: the next client that asks will show the sign-in page again."</p>
                <form method="post" action="/auth/logout" class="auth-actions">
                    <input type="hidden" name="csrf" value=view.csrf.clone() />
                    <input type="hidden" name="return_to" value=view.return_to.clone() />
                    <button type="submit" class="primary">"Sign out"</button>
                </form>
            })}
            <p class="auth-note"><a href=view.return_to.clone()>"Back to oauth-sandbox"</a></p>
        </AuthFrame>
    }
}

/// What the redirect interstitial shows.
#[derive(Clone, Debug, Default)]
pub struct LeavingView {
    pub client_name: String,
    pub client_id: String,
    /// The host the browser would be sent to.
    pub host: String,
    /// The whole redirect, with the error parameters.
    pub location: String,
    /// The error, in words.
    pub error: String,
}

/// An error found before the person did anything, for a client a developer registered: RFC
/// 9700 §4.11.2 says such a redirect URI is not to be trusted, so the browser is not bounced
/// there unseen. The page names the destination and lets the person decide.
#[component]
pub fn LeavingPage(view: LeavingView) -> impl IntoView {
    view! {
        <AuthFrame title="This request cannot go on".to_owned()>
            <p class="auth-error" role="alert">{view.error}</p>
            <p>
                <strong>{view.client_name}</strong> " (" <code>{view.client_id}</code> ") is a client a developer registered here. "
                "Its error answer goes to " <strong>{view.host.clone()}</strong> ", an address this server has not vetted."
            </p>
            <p class="wrap"><code class="wrap">{view.location.clone()}</code></p>
            <div class="auth-actions">
                <a class="button primary" href=view.location>{format!("Continue to {}", view.host)}</a>
                <a class="button" href="/">"Stay on oauth-sandbox"</a>
            </div>
            <p class="auth-note">"RFC 9700 §4.11.2: an authorization server should not send a browser to an unvetted redirect URI without the user's involvement."</p>
        </AuthFrame>
    }
}

/// Renders a page as a whole HTML document, with the stylesheet and no scripts.
#[cfg(feature = "ssr")]
pub fn document(title: &str, body: impl IntoView + 'static) -> String {
    use leptos::tachys::view::RenderHtml;
    let body = Owner::new().with(|| body.into_view().to_html());
    let title = html_escape(title);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\">\
         <title>{title}</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/{}.css\"></head><body>{body}</body></html>",
        crate::OUTPUT_NAME
    )
}

#[cfg(feature = "ssr")]
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
