//! The front channel as the sandbox teaches it: the words for each recorded browser exchange
//! (the authorization request, the sign-in and consent posts, the redirect back), what each
//! authorization parameter asks for, and the banner the authorization server's own pages carry
//! when a sandbox run brought the browser there. The server records; this module only explains.

use super::catalogue::{ArrowId, Flow};
use crate::auth_pages::SandboxBanner;

/// What one authorization request parameter asks for.
pub fn explain_param(name: &str) -> &'static str {
    match name {
        "response_type" => {
            "What comes back: code (RFC 6749 §4.1.1), or token for the implicit flow (§4.2.1)."
        }
        "client_id" => "Which client asks; the server looks up its registration (RFC 6749 §2.2).",
        "redirect_uri" => {
            "Where the browser comes back; it must match a registered URI exactly (RFC 9700 §4.1.3)."
        }
        "scope" => "What the client asks to do; the person sees it on the consent page (§3.3).",
        "state" => {
            "An unguessable value the client checks on the way back, against cross-site request forgery (RFC 6749 §10.12)."
        }
        "nonce" => {
            "Copied into the ID token, so the client can tell a replayed one (OpenID Core §3.1.2.1)."
        }
        "code_challenge" => {
            "The hash of a secret only this client holds; redeeming the code takes the secret itself (RFC 7636 §4.3)."
        }
        "code_challenge_method" => "How the challenge was made: S256, or plain (RFC 7636 §4.3).",
        "prompt" => {
            "login forces a fresh sign-in, consent asks again, none forbids any page (OpenID Core §3.1.2.1)."
        }
        "max_age" => {
            "The oldest sign-in, in seconds, the client accepts; older means sign in again (OpenID Core §3.1.2.1)."
        }
        "login_hint" => "Prefills the username on the sign-in page (OpenID Core §3.1.2.1).",
        "response_mode" => {
            "How the answer comes back: query, or fragment (OAuth 2.0 Multiple Response Types)."
        }
        _ => "Not a parameter this server reads; it is ignored (RFC 6749 §3.1).",
    }
}

/// How the authorization server answered a front-channel request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It showed its sign-in page.
    SignInPage,
    /// It showed its consent page.
    ConsentPage,
    /// It showed its patient picker (SMART standalone launch).
    PatientPage,
    /// It sent the browser on to another of its own pages.
    Onward,
    /// It sent the browser back to the client.
    Back {
        /// In the fragment (the implicit flow).
        fragment: bool,
        /// With `error=` instead of a grant.
        error: bool,
    },
    /// It refused, on a page of its own (a request it cannot send back).
    Refused,
}

/// The title and lesson of a recorded front-channel exchange on `arrow`, answered with
/// `outcome`.
pub fn describe(arrow: ArrowId, outcome: Outcome) -> (&'static str, &'static str) {
    use Outcome as O;
    let back = |fragment: bool, error: bool| match (fragment, error) {
        (_, true) => {
            "The answer sends the browser back to the client with error= (and state, and iss) instead of a grant (RFC 6749 §4.1.2.1)."
        }
        (true, false) => {
            "The answer sends the browser back to the client with the token in the fragment (#access_token=…): the browser never sends a fragment to any server, so only the page's script reads it, and it stays in the history."
        }
        (false, false) => {
            "The answer sends the browser back to the client's redirect URI with code (one-time, short-lived), state (the client checks it is its own) and iss (RFC 9207: which server answered, against mix-up attacks)."
        }
    };
    match (arrow, outcome) {
        (ArrowId::Authorize, O::SignInPage) => (
            "The authorization request",
            "The client sends the browser to the authorization endpoint with its request in the query. Nobody is signed in here (or prompt=login or max_age asked for a fresh sign-in), so the server answers with its sign-in page.",
        ),
        (ArrowId::Authorize, O::ConsentPage) => (
            "The authorization request",
            "The client sends the browser to the authorization endpoint. The person is signed in here already, but this client needs consent (or prompt=consent asked again), so the server answers with its consent page.",
        ),
        (ArrowId::Authorize, O::Back { fragment, error }) => (
            "The authorization request, and the redirect back",
            match error {
                true => back(fragment, error),
                false => {
                    "The person is signed in here and has allowed this client already, so the server answers at once, with no page. Send prompt=consent or sign out of the authorization server to see the pages again."
                }
            },
        ),
        (ArrowId::Authorize, _) => (
            "The authorization request, refused",
            "The server cannot trust this request's redirect_uri or client_id, so it must not send the browser back: it shows its own error page instead (RFC 6749 §4.1.2.1).",
        ),
        (ArrowId::SignIn, O::SignInPage) => (
            "The sign-in post, refused",
            "The username or password is wrong, so the server shows its sign-in page again. The client learns nothing of it.",
        ),
        (ArrowId::SignIn, O::Back { fragment, error }) => (
            "The sign-in post, and the redirect back",
            back(fragment, error),
        ),
        (ArrowId::SignIn, O::PatientPage) => (
            "The sign-in post",
            "The person signed in on the authorization server's page. The app asked for launch/patient without a launch from an EHR, so the server asks next which patient the app may see (SMART App Launch 2.x §2.0.6).",
        ),
        (ArrowId::PickPatient, O::PatientPage) => (
            "The patient picker",
            "The app asked for launch/patient and no EHR gave a patient, so the server lets the person choose one. The choice joins the request's launch context: the token response will name it, and the patient/ scopes reach that patient only.",
        ),
        (ArrowId::PickPatient, O::Back { fragment, error }) => (
            "The patient chosen, and the redirect back",
            back(fragment, error),
        ),
        (ArrowId::PickPatient, _) => (
            "The patient chosen",
            "The form names the patient, with the pending request's id and this browser's CSRF token. Next the consent page, which says which patient the app will see.",
        ),
        (ArrowId::SignIn, _) => (
            "The sign-in post",
            "The person typed the password into the authorization server's page, never into the client. The form carries the pending request's id and a CSRF token bound to this browser; the server answers with a redirect to its consent page (303, so a reload does not post the password again).",
        ),
        (ArrowId::Consent, O::Back { fragment, error }) => (
            "The consent post, and the redirect back",
            back(fragment, error),
        ),
        (ArrowId::Consent, _) => (
            "The consent page",
            "The server asks the person whether this client may do what its scope asks.",
        ),
        _ => (
            "A page of the authorization server",
            "The browser visits the authorization server.",
        ),
    }
}

/// The banner of a sign-in (`ArrowId::SignIn`) or consent (`ArrowId::Consent`) page shown in
/// sandbox run `run_id`, which lives on the page at `run_page`.
pub fn banner(flow: Flow, page: ArrowId, run_page: &str, run_id: &str) -> SandboxBanner {
    let entry = flow.entry();
    let total = entry.arrows.len();
    let number = flow.arrow_number(page).unwrap_or(1);
    let purpose = match page {
        ArrowId::PickPatient => {
            "The app asked for a patient in context and no EHR gave one, so the authorization server asks you which patient the app may see. Its patient/ scopes will reach that patient only."
        }
        ArrowId::SignIn => {
            "The authorization server asks who you are. The app never sees this password: it goes to the authorization server only, which is the point of the flow."
        }
        _ => {
            "The authorization server asks whether this app may act for you with these scopes. The app learns only your answer, never your password."
        }
    };
    SandboxBanner {
        position: format!(
            "Sandbox run: arrow {number} of {total} of the {} diagram",
            entry.title
        ),
        purpose: purpose.to_owned(),
        run_url: format!("{run_page}?run={run_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_places_the_page_on_the_flows_diagram() {
        let b = banner(
            Flow::AuthorizationCode,
            ArrowId::SignIn,
            "/sandbox/authorization-code",
            "abc",
        );
        assert!(b.position.contains("arrow 2 of 12"), "{}", b.position);
        assert!(b.purpose.contains("never sees this password"));
        assert_eq!(b.run_url, "/sandbox/authorization-code?run=abc");
    }

    #[test]
    fn unknown_parameters_are_said_to_be_ignored() {
        assert!(explain_param("foo").contains("ignored"));
        assert!(explain_param("state").contains("forgery"));
    }
}
