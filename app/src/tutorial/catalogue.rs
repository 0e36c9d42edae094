//! The tutorial's chapters, in the order of the Authentication Tutorial: one typed entry each,
//! with what the learner reads, the setup they send, the failure lesson they try, and the
//! milestones that mark the chapter done. A chapter is done from what its run holds, never from
//! a flag the page sets.

use crate::endpoints as ep;
use crate::sandbox::catalogue::{Flow, StepKind};
use crate::sandbox::flow::Needs;
use crate::sandbox::wire::RunStep;

/// One chapter: a flow, taught from its setup to a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chapter {
    pub flow: Flow,
    /// Why a client uses this flow.
    pub purpose: &'static str,
    /// Who holds which secret: (who, what, why it matters).
    pub secrets: &'static [(&'static str, &'static str, &'static str)],
    /// The scope its client asks for.
    pub scope: &'static str,
    /// What the learner sends to the admin REST API first, with the buttons' labels: a
    /// client, a policy, a person, as the flow needs.
    pub setup: &'static [(StepKind, &'static str)],
    /// The demo client the chapter uses when its setup registers none.
    pub client: &'static str,
    /// The demo API call that counts: its path (below it, when it ends in `/`).
    pub api_path: &'static str,
    /// The steps of its second part on the chapter's own page (the token, then the API), with
    /// their labels, what each needs and its button class. The flows through the browser finish
    /// on the callback page instead: theirs come before the browser leaves (SMART discovery,
    /// the EHR's launch).
    pub steps: &'static [(StepKind, &'static str, Needs, &'static str)],
    /// The failure lesson's step and its button label.
    pub lesson: (StepKind, &'static str),
    /// What the failure lesson answers: the path it goes to and the status.
    pub lesson_answer: (&'static str, u16),
    /// What to remember.
    pub recap: &'static [&'static str],
}

/// A client and its policy.
const CLIENT_POLICY: &[(StepKind, &str)] = &[
    (StepKind::CreateClient, "register your client"),
    (StepKind::CreatePolicy, "let it read patients"),
];

/// A client, its policy, and a person to sign in as.
const WITH_PERSON: &[(StepKind, &str)] = &[
    (StepKind::CreateClient, "register your client"),
    (StepKind::CreatePolicy, "let it read patients"),
    (StepKind::CreateUser, "create a person to sign in as"),
];

/// A SMART app and a person: the SMART scopes, not a policy, decide what its tokens read.
const SMART_APP: &[(StepKind, &str)] = &[
    (StepKind::CreateClient, "register your SMART app"),
    (StepKind::CreateUser, "create a person to sign in as"),
];

/// Get a token, then call the API with it.
const TOKEN_THEN_API: &[(StepKind, &str, Needs, &str)] = &[
    (StepKind::Token, "get a token", Needs::Nothing, "primary"),
    (StepKind::Api, "call the API", Needs::Token, ""),
];

/// Every chapter, in order.
pub const CHAPTERS: [Chapter; 8] = [
    Chapter {
        flow: Flow::Basic,
        setup: CLIENT_POLICY,
        client: "",
        api_path: ep::PATIENTS,
        scope: "",
        steps: &[(StepKind::Api, "call the API", Needs::Nothing, "primary")],
        purpose: "The simplest way for a program to call an API: it sends its own id and secret with every request. No token, no authorization server in between.",
        secrets: &[
            (
                "Your client",
                "its client secret",
                "sent on every call, so every call is a chance to leak it",
            ),
            (
                "The server",
                "an argon2 hash of the secret",
                "it can check the secret but never show it again",
            ),
        ],
        lesson: (StepKind::WrongSecret, "a wrong secret"),
        lesson_answer: (ep::PATIENTS, 401),
        recap: &[
            "Basic is base64 of client_id:secret: an encoding, not encryption. Only TLS protects it.",
            "The API itself checks the secret, and an access policy decides what the client may read.",
            "A wrong secret gets 401 with a challenge, and nothing else.",
        ],
    },
    Chapter {
        flow: Flow::ClientCredentials,
        setup: CLIENT_POLICY,
        client: "",
        api_path: ep::PATIENTS,
        scope: "patient.read",
        steps: TOKEN_THEN_API,
        purpose: "A service acting for itself, with no person involved: it trades its secret for a short-lived access token and sends only the token to the API (RFC 6749 §4.4).",
        secrets: &[
            (
                "Your client",
                "its client secret",
                "sent only to the token endpoint",
            ),
            (
                "The API",
                "nothing secret",
                "it checks the token's signature with the server's public key",
            ),
        ],
        lesson: (StepKind::WrongSecret, "a wrong secret"),
        lesson_answer: (ep::TOKEN, 401),
        recap: &[
            "The secret goes to the token endpoint only; the API sees a token that expires.",
            "A token carries its scope; the access policy still decides what it may read.",
            "A wrong secret is 401 invalid_client, and no token is issued.",
        ],
    },
    Chapter {
        flow: Flow::Password,
        setup: WITH_PERSON,
        client: "",
        api_path: ep::PATIENTS,
        scope: "patient.read offline_access",
        steps: TOKEN_THEN_API,
        purpose: "An app that asks the person for their password and trades it for tokens (RFC 6749 §4.3). It exists for old first-party apps: RFC 9700 §2.4 says it MUST NOT be used, because the app sees the password.",
        secrets: &[
            (
                "The person",
                "their password",
                "typed into the app, which is the problem",
            ),
            (
                "Your client",
                "its client secret and the person's password",
                "both go to the token endpoint",
            ),
        ],
        lesson: (StepKind::WrongPassword, "a wrong password"),
        lesson_answer: (ep::TOKEN, 400),
        recap: &[
            "The client holds the person's password: whoever runs the client could keep it.",
            "The refresh token gets new access tokens without asking the person again.",
            "A wrong password is 400 invalid_grant, and takes as long as an unknown user.",
        ],
    },
    Chapter {
        flow: Flow::AuthorizationCode,
        setup: WITH_PERSON,
        client: "",
        api_path: ep::PATIENTS,
        scope: "openid profile email patient.read",
        steps: &[],
        purpose: "The flow for apps a person uses: the browser goes to the authorization server, the person signs in there and consents, and the app gets a one-time code that it trades for tokens (RFC 6749 §4.1 with PKCE, RFC 7636).",
        secrets: &[
            (
                "The person",
                "their password",
                "typed only on the authorization server's page: the app never sees it",
            ),
            (
                "Your client",
                "its client secret and the code_verifier",
                "the verifier proves that the app which asked is the one redeeming the code",
            ),
            (
                "The browser",
                "the code, for a moment",
                "useless without the verifier and the secret",
            ),
        ],
        lesson: (
            StepKind::Replay,
            "after the exchange, replay the code: a code works once",
        ),
        lesson_answer: (ep::TOKEN, 400),
        recap: &[
            "The password stays between the person and the authorization server.",
            "The code travels through the browser; the tokens travel only on the back channel.",
            "A code works once: a second redemption is refused and revokes what the first one got.",
        ],
    },
    Chapter {
        flow: Flow::Implicit,
        setup: WITH_PERSON,
        client: "",
        api_path: ep::PATIENTS,
        scope: "openid patient.read",
        steps: &[],
        purpose: "The old way for browser apps: the token comes straight back in the URL fragment (RFC 6749 §4.2). RFC 9700 §2.1.2 says clients SHOULD NOT use it: use the code flow with PKCE instead.",
        secrets: &[
            (
                "The person",
                "their password",
                "typed only on the authorization server's page",
            ),
            (
                "Your client",
                "nothing secret",
                "a public client: anyone can read a browser app's code",
            ),
            (
                "The browser",
                "the access token itself",
                "in the address bar's fragment, where scripts and history can reach it",
            ),
        ],
        lesson: (
            StepKind::Api,
            "choose the URI query for the token, and call the API again",
        ),
        lesson_answer: (ep::PATIENTS, 401),
        recap: &[
            "The token rides in the fragment, which browsers never send to servers.",
            "No refresh token, and nothing binds the token to the client that asked.",
            "A token in a URI query (RFC 6750 §2.3) ends up in logs; this API does not read it there.",
        ],
    },
    Chapter {
        flow: Flow::SmartStandalone,
        setup: SMART_APP,
        client: "",
        api_path: "/fhir/Patient/",
        scope: crate::sandbox::smart::STANDALONE_SCOPE,
        steps: &[(
            StepKind::SmartDiscovery,
            "read the SMART configuration",
            Needs::Nothing,
            "",
        )],
        purpose: "SMART App Launch on top of the code flow: a health app the person opens on its own asks for launch/patient with aud naming the FHIR server; after sign-in the person picks the patient, and the token is for that patient's record only.",
        secrets: &[
            (
                "The person",
                "their password, and the choice of patient",
                "both made on the authorization server's pages, never in the app",
            ),
            (
                "Your app",
                "the code_verifier, nothing else",
                "a public client: PKCE binds the code to the tab that asked",
            ),
            (
                "The token",
                "the patient in context",
                "patient/ scopes reach that patient's compartment and no further",
            ),
        ],
        lesson: (
            StepKind::SmartDiscovery,
            "send the browser with aud naming another FHIR server",
        ),
        lesson_answer: (ep::AUTHORIZE, 302),
        recap: &[
            "aud must name this FHIR server: a token asked for another server is never issued.",
            "launch/patient without an EHR makes the server ask the person which patient.",
            "The token response names the patient; the ID token's fhirUser names the user.",
        ],
    },
    Chapter {
        flow: Flow::SmartEhr,
        setup: SMART_APP,
        client: "",
        api_path: "/fhir/Patient/",
        scope: crate::sandbox::smart::EHR_SCOPE,
        steps: &[(
            StepKind::CreateLaunch,
            "the EHR launches your app",
            Needs::Nothing,
            "primary",
        )],
        purpose: "The EHR already has a patient open: it creates a launch and opens your app's launch URL with iss and launch. The app checks iss, reads its SMART configuration and sends launch back when it authorizes; the token carries the EHR's patient.",
        secrets: &[
            (
                "The EHR",
                "the launch context",
                "the app receives only an opaque launch value, bound to it, once, for five minutes",
            ),
            (
                "Your app",
                "the code_verifier",
                "and the list of FHIR servers it trusts: it must never follow an unknown iss",
            ),
            (
                "The person",
                "their password",
                "typed only on the authorization server's page",
            ),
        ],
        lesson: (
            StepKind::OtherPatient,
            "read a patient outside the compartment",
        ),
        lesson_answer: ("/fhir/Patient/", 403),
        recap: &[
            "The launch value, not the app, says which patient: the app cannot pick another.",
            "A launch works once and expires; a second use is refused.",
            "Another patient's record is 403 insufficient_scope, whatever id the app guesses.",
        ],
    },
    Chapter {
        flow: Flow::BackendServices,
        setup: &[],
        client: crate::sandbox::backend_services::DEMO_CLIENT,
        api_path: ep::PATIENTS,
        scope: crate::sandbox::backend_services::SCOPE,
        steps: &[
            (
                StepKind::SignAssertion,
                "sign a client assertion",
                Needs::Nothing,
                "primary",
            ),
            (StepKind::Token, "get a token with it", Needs::Nothing, ""),
            (StepKind::Api, "call the FHIR API", Needs::Token, ""),
        ],
        purpose: "A service with no person behind it authenticates with a JWT signed by its own private key (RFC 7523, private_key_jwt) and gets a token with system/ scopes, which read across patients.",
        secrets: &[
            (
                "The service",
                "its private key",
                "it never leaves the service: no secret is shared with anyone",
            ),
            (
                "The server",
                "the public key, from the client's jwks_uri",
                "it can check signatures but could never make one",
            ),
            (
                "The assertion",
                "a jti that works once",
                "a copied assertion is refused, and it expires within five minutes",
            ),
        ],
        lesson: (StepKind::ReplayAssertion, "send the same assertion again"),
        lesson_answer: (ep::TOKEN, 401),
        recap: &[
            "iss and sub are the client_id; aud is the token endpoint; exp is at most five minutes away.",
            "The server fetches the client's key set and checks the signature itself.",
            "A jti is remembered until its assertion expires: a replay is 401 invalid_client.",
        ],
    },
];

impl Chapter {
    /// The chapter of `slug` (its flow's).
    pub fn from_slug(slug: &str) -> Option<&'static Chapter> {
        CHAPTERS.iter().find(|c| c.flow.slug() == slug)
    }

    /// The chapter's page.
    pub fn path(&self) -> String {
        crate::sandbox::flow::Page::Tutorial.path(self.flow)
    }

    /// Its 1-based place in the tutorial.
    pub fn number(&self) -> usize {
        CHAPTERS.iter().position(|c| c == self).map_or(0, |i| i + 1)
    }

    /// The chapter after this one.
    pub fn next(&self) -> Option<&'static Chapter> {
        CHAPTERS.get(self.number())
    }

    /// Each milestone of the chapter, with whether `steps` reached it.
    pub fn progress(&self, steps: &[RunStep]) -> Vec<(Milestone, bool)> {
        let has = |kind| self.setup.iter().any(|(k, _)| *k == kind);
        let mut out = Vec::new();
        for (kind, milestone, path) in [
            (StepKind::CreateClient, Milestone::Registered, "/Client/"),
            (StepKind::CreatePolicy, Milestone::Policy, "/AccessPolicy/"),
            (StepKind::CreateUser, Milestone::Person, "/User/"),
        ] {
            if has(kind) {
                out.push((milestone, reached(steps, "PUT", path, &[200, 201])));
            }
        }
        if self.flow == Flow::SmartEhr {
            out.push((
                Milestone::Launch,
                reached(steps, "POST", ep::LAUNCH, &[201]),
            ));
        }
        match self.flow {
            Flow::Basic => {}
            Flow::Implicit => out.push((Milestone::Token, token_in_fragment(steps))),
            _ => out.push((Milestone::Token, reached(steps, "POST", ep::TOKEN, &[200]))),
        }
        out.push((Milestone::Api, reached(steps, "GET", self.api_path, &[200])));
        let lesson = match self.lesson_answer {
            (path, _) if path == ep::AUTHORIZE => authorize_refused(steps),
            (path, status) => {
                let method = if path == ep::TOKEN { "POST" } else { "GET" };
                reached(steps, method, path, &[status])
            }
        };
        out.push((Milestone::Lesson, lesson));
        out
    }

    /// True when every milestone is reached.
    pub fn done(&self, steps: &[RunStep]) -> bool {
        self.progress(steps).iter().all(|(_, ok)| *ok)
    }
}

/// What a chapter's run must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Milestone {
    Registered,
    Policy,
    Person,
    /// The EHR created a launch for the learner's app.
    Launch,
    Token,
    Api,
    Lesson,
}

impl Milestone {
    /// What the learner did, as the checklist says it.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::Registered => "Your client is registered",
            Milestone::Policy => "Its access policy exists",
            Milestone::Person => "A person to sign in as exists",
            Milestone::Launch => "The EHR launched your app",
            Milestone::Token => "The client got an access token",
            Milestone::Api => "The demo API answered 200",
            Milestone::Lesson => "You saw the failure lesson's refusal",
        }
    }
}

/// True when one of `steps` sent `method` to `path` (or below it, for a path ending in `/`)
/// and was answered with one of `statuses`.
fn reached(steps: &[RunStep], method: &str, path: &str, statuses: &[u16]) -> bool {
    steps.iter().any(|s| {
        let x = &s.exchange;
        let mut line = x.request.start_line.split(' ');
        let (m, p) = (
            line.next().unwrap_or_default(),
            line.next().unwrap_or_default(),
        );
        let p = p.split('?').next().unwrap_or_default();
        let on_path = match path.ends_with('/') {
            true => p.starts_with(path),
            false => p == path,
        };
        m == method && on_path && statuses.contains(&x.status)
    })
}

/// True when the authorization server refused an authorization request: it sent the browser
/// back to the client with `error=`, or (for a client it has not vetted, RFC 9700 §4.11.2)
/// showed its own error page.
fn authorize_refused(steps: &[RunStep]) -> bool {
    steps.iter().any(|s| {
        let x = &s.exchange;
        x.request.start_line.starts_with("GET /auth/authorize")
            && (x.status == 400
                || x.response.headers.iter().any(|(k, v)| {
                    k.eq_ignore_ascii_case("location")
                        && (v.contains("?error=") || v.contains("&error="))
                }))
    })
}

/// True when the front channel brought an access token back in a redirect's fragment.
fn token_in_fragment(steps: &[RunStep]) -> bool {
    steps.iter().any(|s| {
        s.exchange
            .response
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("location") && v.contains("#access_token="))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::{Exchange, HttpMessage};

    fn step(line: &str, status: u16) -> RunStep {
        RunStep {
            exchange: Exchange {
                request: HttpMessage {
                    start_line: format!("{line} HTTP/1.1"),
                    ..Default::default()
                },
                status,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_chapter_is_done_only_when_its_run_holds_every_milestone() {
        let cc = Chapter::from_slug("client-credentials").unwrap();
        let mut steps = vec![
            step("PUT /Client/learner-1-client-credentials", 201),
            step("PUT /AccessPolicy/learner-1-client-credentials-reads", 201),
            step("POST /auth/token", 200),
            step("GET /fhir/Patient", 200),
        ];
        assert!(!cc.done(&steps), "no lesson yet");
        steps.push(step("POST /auth/token", 400));
        assert!(!cc.done(&steps), "the wrong refusal");
        steps.push(step("POST /auth/token", 401));
        assert!(cc.done(&steps));
        // A refused registration does not count.
        steps[0].exchange.status = 403;
        assert!(!cc.done(&steps));
    }

    #[test]
    fn the_smart_chapters_count_their_own_milestones() {
        let standalone = Chapter::from_slug("smart-standalone").unwrap();
        let mut refused = step("GET /auth/authorize?aud=https://ehr.example.org/fhir", 302);
        refused.exchange.response.headers = vec![(
            "location".into(),
            "http://x/sandbox/callback?error=invalid_request&state=s".into(),
        )];
        let mut steps = vec![
            step("PUT /Client/a", 201),
            step("PUT /User/b", 201),
            step("POST /auth/token", 200),
            step("GET /fhir/Patient/pat-2", 200),
        ];
        assert!(!standalone.done(&steps), "no refused aud yet");
        steps.push(refused);
        assert!(standalone.done(&steps));
        // The error page a client the server has not vetted gets counts too.
        let mut page = steps.clone();
        page.pop();
        page.push(step(
            "GET /auth/authorize?aud=https://ehr.example.org/fhir",
            400,
        ));
        assert!(standalone.done(&page));
        let ehr = Chapter::from_slug("smart-ehr").unwrap();
        steps.push(step("GET /fhir/Patient/pat-1", 403));
        assert!(!ehr.done(&steps), "no launch yet");
        steps.push(step("POST /Launch", 201));
        assert!(ehr.done(&steps));
        let backend = Chapter::from_slug("backend-services").unwrap();
        let ran = [
            step("POST /sandbox/test-issuer/token", 200),
            step("POST /auth/token", 200),
            step("GET /fhir/Patient", 200),
            step("POST /auth/token", 401),
        ];
        assert!(backend.done(&ran));
        assert!(!backend.done(&ran[..3]));
    }

    #[test]
    fn the_implicit_chapter_needs_the_token_in_a_fragment() {
        let implicit = Chapter::from_slug("implicit").unwrap();
        let mut redirect = step("POST /auth/consent", 303);
        redirect.exchange.response.headers = vec![(
            "location".into(),
            "http://x/sandbox/callback#access_token=t&state=s".into(),
        )];
        let steps = [
            step("PUT /Client/a", 201),
            step("PUT /AccessPolicy/b", 200),
            step("PUT /User/c", 201),
            redirect,
            step("GET /fhir/Patient", 200),
            step("GET /fhir/Patient?access_token=t", 401),
        ];
        assert!(implicit.done(&steps));
        assert!(!implicit.done(&steps[..3]));
    }

    #[test]
    fn chapters_follow_the_tutorial_order_and_each_has_its_setup() {
        let order: Vec<_> = CHAPTERS.iter().map(|c| c.flow).collect();
        // The Authentication Tutorial's five, in its order, then SMART's three; the device
        // flow and JWT Auth have pages of their own and no chapter yet.
        assert_eq!(order[..5], Flow::ALL[..5]);
        assert_eq!(order[5..], Flow::ALL[7..]);
        assert_eq!(CHAPTERS[0].setup.len(), 2);
        assert_eq!(CHAPTERS[3].setup.len(), 3);
        assert_eq!(CHAPTERS[7].next(), None);
        for c in CHAPTERS {
            assert_eq!(
                c.setup.iter().any(|(k, _)| *k == StepKind::CreateUser),
                crate::sandbox::setup::has_person(c.flow),
                "{}",
                c.flow
            );
        }
        assert_eq!(CHAPTERS[0].path(), "/tutorial/basic");
    }
}
