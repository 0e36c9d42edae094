//! The sandbox's catalogue, as typed values: every flow with its page text and the named arrows
//! of its sequence diagram, and every step a flow page can ask the server to run.
//!
//! Adding a flow is one variant of [`Flow`] and one [`FlowEntry`] in [`Flow::entry`]; its steps
//! are planned in [`super::steps::plan`] by `(Flow, StepKind)`, and steps name the arrows they
//! travel on by [`ArrowId`], never by position.

use serde::{Deserialize, Serialize};

/// A flow the sandbox teaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    Basic,
    ClientCredentials,
    Password,
    AuthorizationCode,
    Implicit,
    Device,
    JwtAuth,
    /// SMART App Launch 2.x: the app starts on its own and the person picks the patient.
    SmartStandalone,
    /// SMART App Launch 2.x: the EHR launches the app with a patient already in context.
    SmartEhr,
    /// SMART Backend Services: a service signs a JWT with its own key instead of a secret.
    BackendServices,
}

/// How the product rates a flow today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Recommended,
    Legacy,
}

impl Standing {
    /// The CSS class of the badge.
    pub fn class(self) -> &'static str {
        match self {
            Standing::Recommended => "recommended",
            Standing::Legacy => "legacy",
        }
    }
}

/// A lifeline of the sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The person, and the browser that carries the front channel for them.
    User,
    Client,
    AuthorizationServer,
    ResourceServer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::User,
        Role::Client,
        Role::AuthorizationServer,
        Role::ResourceServer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::User => "User (browser)",
            Role::Client => "Client",
            Role::AuthorizationServer => "Authorization server",
            Role::ResourceServer => "Resource server",
        }
    }

    /// The column, left to right.
    pub fn column(self) -> usize {
        match self {
            Role::User => 0,
            Role::Client => 1,
            Role::AuthorizationServer => 2,
            Role::ResourceServer => 3,
        }
    }
}

/// A named arrow of a diagram. Each flow labels the arrows it uses in its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArrowId {
    /// The user gives the client their password (the password flow).
    Credentials,
    /// The browser carries the authorization request to the authorization server.
    Authorize,
    /// The browser posts the sign-in form.
    SignIn,
    /// The browser posts the consent form.
    Consent,
    /// The browser is sent back to the client's redirect URI.
    RedirectBack,
    TokenRequest,
    TokenResponse,
    ApiCall,
    ApiResponse,
    UserinfoRequest,
    UserinfoResponse,
    /// Introspection or revocation.
    ManageRequest,
    ManageResponse,
    /// The device asks for a device code and a user code (RFC 8628 §3.1).
    DeviceRequest,
    DeviceResponse,
    /// The device shows the user code and where to type it.
    ShowCode,
    /// On another device, the person types the code, signs in and consents.
    Verify,
    /// The client gets a JWT from an outside identity provider (the sandbox's test issuer).
    MintRequest,
    MintResponse,
    /// The API fetches the outside issuer's key set, once, then keeps it.
    KeysRequest,
    KeysResponse,
    /// After sign-in, the person chooses the patient the app will see (SMART standalone launch).
    PickPatient,
    /// The EHR creates a launch (`POST /Launch`) and opens the app's launch URL with it.
    AppLaunch,
    /// The app reads the FHIR server's SMART configuration.
    SmartDiscovery,
    SmartDiscoveryResponse,
    /// The client signs its assertion (RFC 7523 §2.2) with its own private key.
    AssertionRequest,
    AssertionResponse,
}

impl ArrowId {
    /// The arrow that carries the answer to a request on this arrow.
    pub fn answer(self) -> Option<ArrowId> {
        match self {
            ArrowId::TokenRequest => Some(ArrowId::TokenResponse),
            ArrowId::ApiCall => Some(ArrowId::ApiResponse),
            ArrowId::UserinfoRequest => Some(ArrowId::UserinfoResponse),
            ArrowId::ManageRequest => Some(ArrowId::ManageResponse),
            ArrowId::DeviceRequest => Some(ArrowId::DeviceResponse),
            ArrowId::MintRequest => Some(ArrowId::MintResponse),
            ArrowId::KeysRequest => Some(ArrowId::KeysResponse),
            ArrowId::SmartDiscovery => Some(ArrowId::SmartDiscoveryResponse),
            ArrowId::AssertionRequest => Some(ArrowId::AssertionResponse),
            _ => None,
        }
    }
}

/// One arrow of a flow's diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrow {
    pub id: ArrowId,
    pub from: Role,
    pub to: Role,
    pub label: &'static str,
}

const fn arrow(id: ArrowId, from: Role, to: Role, label: &'static str) -> Arrow {
    Arrow {
        id,
        from,
        to,
        label,
    }
}

use ArrowId as A;
use Role::{AuthorizationServer as AS, Client as C, ResourceServer as RS, User as U};

/// What a flow's page shows, and how it runs.
#[derive(Debug, PartialEq)]
pub struct FlowEntry {
    pub flow: Flow,
    pub title: &'static str,
    pub standing: Standing,
    pub standing_text: &'static str,
    pub lead: &'static str,
    pub arrows: &'static [Arrow],
    /// The browser visits the authorization server: the run has front-channel exchanges.
    pub front_channel: bool,
}

const API_CALL: Arrow = arrow(A::ApiCall, C, RS, "GET /fhir/Patient (Bearer)");
const API_ANSWER: Arrow = arrow(A::ApiResponse, RS, C, "patients, or 401/403");
const MANAGE: Arrow = arrow(
    A::ManageRequest,
    C,
    AS,
    "POST /auth/introspect or /auth/revoke",
);
const MANAGE_ANSWER: Arrow = arrow(A::ManageResponse, AS, C, "active?, or 200 revoked");

const BASIC: FlowEntry = FlowEntry {
    flow: Flow::Basic,
    title: "Basic",
    standing: Standing::Legacy,
    standing_text: "Simple, but the secret travels on every call",
    lead: "The client calls the API with its own id and secret in an Authorization: Basic header: no token endpoint, no token. Easy to try; but the long-lived secret crosses the wire on every request, and the API must be able to check it. Prefer Client Credentials.",
    arrows: &[
        arrow(A::ApiCall, C, RS, "GET /fhir/Patient (Basic id:secret)"),
        API_ANSWER,
    ],
    front_channel: false,
};

const CLIENT_CREDENTIALS: FlowEntry = FlowEntry {
    flow: Flow::ClientCredentials,
    title: "Client Credentials",
    standing: Standing::Recommended,
    standing_text: "Recommended for machine-to-machine calls",
    lead: "A service calls an API on its own behalf: no person signs in. The client holds a secret, so it must run on a server you control. The token endpoint trades the client's credentials for an access token (RFC 6749 §4.4).",
    arrows: &[
        arrow(
            A::TokenRequest,
            C,
            AS,
            "POST /auth/token (client id + secret)",
        ),
        arrow(A::TokenResponse, AS, C, "access token"),
        API_CALL,
        API_ANSWER,
        MANAGE,
        MANAGE_ANSWER,
    ],
    front_channel: false,
};

const PASSWORD: FlowEntry = FlowEntry {
    flow: Flow::Password,
    title: "Password",
    standing: Standing::Legacy,
    standing_text: "Legacy: RFC 9700 §2.4 says it MUST NOT be used",
    lead: "The user types their password into the client, and the client sends it to the token endpoint (RFC 6749 §4.3). It exists for old first-party apps. The client sees the password, cannot use multi-factor sign-in, and teaches users to type passwords into apps. Use the authorization code flow instead.",
    arrows: &[
        arrow(
            A::Credentials,
            U,
            C,
            "username + password, typed into the app",
        ),
        arrow(
            A::TokenRequest,
            C,
            AS,
            "POST /auth/token (grant_type=password)",
        ),
        arrow(A::TokenResponse, AS, C, "access + refresh token"),
        API_CALL,
        API_ANSWER,
        MANAGE,
        MANAGE_ANSWER,
    ],
    front_channel: false,
};

const AUTHORIZATION_CODE: FlowEntry = FlowEntry {
    flow: Flow::AuthorizationCode,
    title: "Authorization Code + PKCE",
    standing: Standing::Recommended,
    standing_text: "Recommended for every app a person signs in to",
    lead: "The browser goes to the authorization server, the person signs in there (the client never sees the password), and comes back with a one-time code. The client trades the code for tokens on the back channel. PKCE binds the code to this client: only the holder of the code_verifier can redeem it (RFC 7636).",
    arrows: &[
        arrow(
            A::Authorize,
            U,
            AS,
            "GET /auth/authorize (code_challenge, state, nonce)",
        ),
        arrow(
            A::SignIn,
            U,
            AS,
            "POST /auth/login: the password, to the server only",
        ),
        arrow(A::Consent, U, AS, "POST /auth/consent: allow"),
        arrow(
            A::RedirectBack,
            AS,
            C,
            "redirect to redirect_uri: code, state, iss",
        ),
        arrow(
            A::TokenRequest,
            C,
            AS,
            "POST /auth/token (code + code_verifier)",
        ),
        arrow(A::TokenResponse, AS, C, "access, refresh and ID tokens"),
        arrow(A::UserinfoRequest, C, AS, "GET /auth/userinfo (Bearer)"),
        arrow(A::UserinfoResponse, AS, C, "the user's claims"),
        API_CALL,
        API_ANSWER,
        MANAGE,
        MANAGE_ANSWER,
    ],
    front_channel: true,
};

const IMPLICIT: FlowEntry = FlowEntry {
    flow: Flow::Implicit,
    title: "Implicit",
    standing: Standing::Legacy,
    standing_text: "Legacy: RFC 9700 §2.1.2 says clients SHOULD NOT use it",
    lead: "The access token comes straight back in the redirect, in the URL fragment, with no code and no back channel (RFC 6749 §4.2). It was made for browser apps before CORS and PKCE. The token sits in the browser's address bar and history, cannot be bound to the client, and can leak through the Referer or injected scripts; there is never a refresh token. Use the authorization code flow with PKCE instead.",
    arrows: &[
        arrow(
            A::Authorize,
            U,
            AS,
            "GET /auth/authorize (response_type=token)",
        ),
        arrow(A::SignIn, U, AS, "POST /auth/login"),
        arrow(A::Consent, U, AS, "POST /auth/consent: allow"),
        arrow(
            A::RedirectBack,
            AS,
            C,
            "redirect to redirect_uri: #access_token=… in the fragment",
        ),
        arrow(A::UserinfoRequest, C, AS, "GET /auth/userinfo (Bearer)"),
        arrow(A::UserinfoResponse, AS, C, "the user's claims"),
        API_CALL,
        API_ANSWER,
        MANAGE,
        MANAGE_ANSWER,
    ],
    front_channel: true,
};

const DEVICE: FlowEntry = FlowEntry {
    flow: Flow::Device,
    title: "Device Authorization",
    standing: Standing::Recommended,
    standing_text: "Recommended for TVs, consoles and command lines",
    lead: "A device without a browser or a keyboard (a TV, a command-line tool) asks for a short user code and shows it. The person types the code on their phone or laptop, signs in and consents there, while the device polls the token endpoint until the answer comes (RFC 8628). The device never sees the password.",
    arrows: &[
        arrow(
            A::DeviceRequest,
            C,
            AS,
            "POST /auth/device (client_id, scope)",
        ),
        arrow(
            A::DeviceResponse,
            AS,
            C,
            "device_code, user_code, verification_uri",
        ),
        arrow(A::ShowCode, C, U, "shows the code and where to type it"),
        arrow(
            A::Verify,
            U,
            AS,
            "on another device: the code, sign in, consent",
        ),
        arrow(
            A::TokenRequest,
            C,
            AS,
            "POST /auth/token (device_code), every interval",
        ),
        arrow(
            A::TokenResponse,
            AS,
            C,
            "authorization_pending, slow_down, or tokens",
        ),
        arrow(A::UserinfoRequest, C, AS, "GET /auth/userinfo (Bearer)"),
        arrow(A::UserinfoResponse, AS, C, "the user's claims"),
        API_CALL,
        API_ANSWER,
        MANAGE,
        MANAGE_ANSWER,
    ],
    front_channel: false,
};

const JWT_AUTH: FlowEntry = FlowEntry {
    flow: Flow::JwtAuth,
    title: "JWT Auth",
    standing: Standing::Recommended,
    standing_text: "Recommended when another identity provider issues the tokens",
    lead: "The API accepts JWTs that an outside identity provider signed, because you told it to trust that issuer: its exact iss, the audiences meant for this API, where its public keys are, and which algorithms it uses. The API checks each token's signature, expiry and audience itself, fetching the key set once and keeping it. Here the outside provider is the sandbox's built-in test issuer, which signs whatever claims you give it.",
    arrows: &[
        arrow(
            A::MintRequest,
            C,
            AS,
            "POST /sandbox/test-issuer/token (claims)",
        ),
        arrow(A::MintResponse, AS, C, "a JWT signed by the outside issuer"),
        arrow(
            A::ApiCall,
            C,
            RS,
            "GET /fhir/Patient (Bearer: the outside JWT)",
        ),
        arrow(
            A::KeysRequest,
            RS,
            AS,
            "GET the issuer's jwks.json (once, then kept)",
        ),
        arrow(A::KeysResponse, AS, RS, "its public keys, each with a kid"),
        API_ANSWER,
    ],
    front_channel: false,
};

const SMART_DISCOVERY: Arrow = arrow(
    A::SmartDiscovery,
    C,
    RS,
    "GET /fhir/.well-known/smart-configuration",
);
const SMART_DISCOVERY_ANSWER: Arrow = arrow(
    A::SmartDiscoveryResponse,
    RS,
    C,
    "the authorize and token endpoints, the capabilities",
);
const SMART_API: Arrow = arrow(A::ApiCall, C, RS, "GET /fhir/Patient/{patient} (Bearer)");
const SMART_API_ANSWER: Arrow = arrow(
    A::ApiResponse,
    RS,
    C,
    "the patient in context, or 403 outside it",
);

const SMART_SIGN_IN: Arrow = arrow(A::SignIn, U, AS, "POST /auth/login");
const SMART_CONSENT: Arrow = arrow(A::Consent, U, AS, "POST /auth/consent: allow");
const SMART_BACK: Arrow = arrow(
    A::RedirectBack,
    AS,
    C,
    "redirect to redirect_uri: code, state, iss",
);
const SMART_EXCHANGE: Arrow = arrow(
    A::TokenRequest,
    C,
    AS,
    "POST /auth/token (code + code_verifier)",
);
const SMART_USERINFO: Arrow = arrow(A::UserinfoRequest, C, AS, "GET /auth/userinfo (Bearer)");
const SMART_USERINFO_ANSWER: Arrow =
    arrow(A::UserinfoResponse, AS, C, "the user's claims, fhirUser");

const SMART_STANDALONE: FlowEntry = FlowEntry {
    flow: Flow::SmartStandalone,
    title: "SMART standalone launch",
    standing: Standing::Recommended,
    standing_text: "Recommended for a health app a person opens on its own",
    lead: "SMART App Launch 2.x on top of the authorization code flow with PKCE. The app starts on its own, reads the FHIR server's SMART configuration, and asks for launch/patient with aud naming the FHIR server. After signing in, the person chooses the patient; the token response names that patient, and the patient/ scopes let the token read that patient's data and nothing else.",
    arrows: &[
        SMART_DISCOVERY,
        SMART_DISCOVERY_ANSWER,
        arrow(
            A::Authorize,
            U,
            AS,
            "GET /auth/authorize (aud, launch/patient, PKCE)",
        ),
        SMART_SIGN_IN,
        arrow(
            A::PickPatient,
            U,
            AS,
            "POST /auth/patient: choose the patient",
        ),
        SMART_CONSENT,
        SMART_BACK,
        SMART_EXCHANGE,
        arrow(
            A::TokenResponse,
            AS,
            C,
            "tokens, patient, need_patient_banner, ID token with fhirUser",
        ),
        SMART_USERINFO,
        SMART_USERINFO_ANSWER,
        SMART_API,
        SMART_API_ANSWER,
    ],
    front_channel: true,
};

const SMART_EHR: FlowEntry = FlowEntry {
    flow: Flow::SmartEhr,
    title: "SMART EHR launch",
    standing: Standing::Recommended,
    standing_text: "Recommended for an app opened from inside the EHR",
    lead: "The EHR already knows the patient (and the user): it creates a launch and opens the app's launch URL with iss, the FHIR server, and launch, an opaque value. The app checks iss, reads that server's SMART configuration and sends launch back in its authorization request with aud = iss. No patient picker: the context comes from the launch, which is bound to the app, expires in five minutes and works once.",
    arrows: &[
        arrow(
            A::AppLaunch,
            AS,
            C,
            "POST /Launch; the browser opens launch_uri?iss=…&launch=…",
        ),
        SMART_DISCOVERY,
        SMART_DISCOVERY_ANSWER,
        arrow(
            A::Authorize,
            U,
            AS,
            "GET /auth/authorize (launch, aud = iss, PKCE)",
        ),
        SMART_SIGN_IN,
        SMART_CONSENT,
        SMART_BACK,
        SMART_EXCHANGE,
        arrow(
            A::TokenResponse,
            AS,
            C,
            "tokens with the launch's patient and encounter",
        ),
        SMART_USERINFO,
        SMART_USERINFO_ANSWER,
        SMART_API,
        SMART_API_ANSWER,
    ],
    front_channel: true,
};

const BACKEND_SERVICES: FlowEntry = FlowEntry {
    flow: Flow::BackendServices,
    title: "SMART Backend Services",
    standing: Standing::Recommended,
    standing_text: "Recommended for services that read many patients' data",
    lead: "A service with no person behind it, such as a nightly export, authenticates with a JWT signed by its own private key (RFC 7523 §2.2, private_key_jwt) instead of a shared secret: the server holds only the public key, from the client's registered key set. The assertion names the client as iss and sub and the token endpoint as aud, lives at most five minutes, and its jti works once. The system/ scopes then read across patients.",
    arrows: &[
        arrow(
            A::AssertionRequest,
            C,
            AS,
            "POST /sandbox/test-issuer/token: sign the assertion",
        ),
        arrow(
            A::AssertionResponse,
            AS,
            C,
            "a JWT: iss = sub = client_id, aud = token URL",
        ),
        arrow(
            A::TokenRequest,
            C,
            AS,
            "POST /auth/token (client_credentials, client_assertion)",
        ),
        arrow(
            A::TokenResponse,
            AS,
            C,
            "an access token with system/ scopes",
        ),
        API_CALL,
        arrow(A::ApiResponse, RS, C, "every patient, or 401/403"),
    ],
    front_channel: false,
};

impl Flow {
    pub const ALL: [Flow; 10] = [
        Flow::Basic,
        Flow::ClientCredentials,
        Flow::Password,
        Flow::AuthorizationCode,
        Flow::Implicit,
        Flow::Device,
        Flow::JwtAuth,
        Flow::SmartStandalone,
        Flow::SmartEhr,
        Flow::BackendServices,
    ];

    /// The flow's catalogue entry.
    pub fn entry(self) -> &'static FlowEntry {
        match self {
            Flow::Basic => &BASIC,
            Flow::ClientCredentials => &CLIENT_CREDENTIALS,
            Flow::Password => &PASSWORD,
            Flow::AuthorizationCode => &AUTHORIZATION_CODE,
            Flow::Implicit => &IMPLICIT,
            Flow::Device => &DEVICE,
            Flow::JwtAuth => &JWT_AUTH,
            Flow::SmartStandalone => &SMART_STANDALONE,
            Flow::SmartEhr => &SMART_EHR,
            Flow::BackendServices => &BACKEND_SERVICES,
        }
    }

    /// The name in URLs and stored runs.
    pub fn slug(self) -> &'static str {
        match self {
            Flow::Basic => "basic",
            Flow::ClientCredentials => "client-credentials",
            Flow::Password => "password",
            Flow::AuthorizationCode => "authorization-code",
            Flow::Implicit => "implicit",
            Flow::Device => "device",
            Flow::JwtAuth => "jwt-auth",
            Flow::SmartStandalone => "smart-standalone",
            Flow::SmartEhr => "smart-ehr",
            Flow::BackendServices => "backend-services",
        }
    }

    /// The flow named `slug`.
    pub fn from_slug(slug: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// The flow's page.
    pub fn path(self) -> String {
        format!("/sandbox/{}", self.slug())
    }

    /// True for the flows whose front channel comes back to the callback page with a code.
    pub fn returns_code(self) -> bool {
        matches!(
            self,
            Flow::AuthorizationCode | Flow::SmartStandalone | Flow::SmartEhr
        )
    }

    /// True for the flows a page can run against another authorization server; the others
    /// need what only this server has (its test issuer, its FHIR API's launches).
    pub fn runs_against_other_servers(self) -> bool {
        !matches!(
            self,
            Flow::JwtAuth | Flow::SmartStandalone | Flow::SmartEhr | Flow::BackendServices
        )
    }

    /// True for the SMART App Launch flows.
    pub fn is_smart_launch(self) -> bool {
        matches!(self, Flow::SmartStandalone | Flow::SmartEhr)
    }

    /// The 1-based position of `id` on this flow's diagram.
    pub fn arrow_number(self, id: ArrowId) -> Option<usize> {
        self.entry()
            .arrows
            .iter()
            .position(|a| a.id == id)
            .map(|i| i + 1)
    }
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

/// A step a flow page asks the server to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Call the demo API.
    Api,
    /// Get a token (client credentials, password).
    Token,
    /// Exchange an authorization code.
    Exchange,
    Refresh,
    Introspect,
    Revoke,
    Userinfo,
    /// Lessons: a request that should fail, and why.
    WrongSecret,
    NoGrant,
    WrongPassword,
    WrongVerifier,
    Replay,
    Reuse,
    /// Setup through the admin REST API: the learner's client, policy and user.
    CreateClient,
    CreatePolicy,
    CreateUser,
    /// Read another server's discovery document.
    Discover,
    /// Ask for a device code and a user code (RFC 8628 §3.1).
    DeviceAuthorization,
    /// Trust an outside issuer at the demo API (`PUT /TrustedIssuer/{id}`).
    CreateTrust,
    /// Ask the test issuer for a JWT with the page's claims.
    MintToken,
    /// Lessons of the JWT Auth page: the test issuer mints a token the API must refuse.
    MintWrongAudience,
    MintExpired,
    MintUnknownKid,
    MintUnsigned,
    MintHmacConfusion,
    /// SMART: read the FHIR server's SMART configuration.
    SmartDiscovery,
    /// SMART: read the patient in context, their observations, and (the lesson) another one.
    ReadPatient,
    ReadObservations,
    OtherPatient,
    /// SMART EHR launch: the EHR creates a launch for the learner's app (`POST /Launch`).
    CreateLaunch,
    /// Backend Services: sign a client assertion, and (the lesson) send a used one again.
    SignAssertion,
    ReplayAssertion,
}

impl StepKind {
    /// The name in forms and stored runs.
    pub fn slug(self) -> &'static str {
        match self {
            StepKind::Api => "api",
            StepKind::Token => "token",
            StepKind::Exchange => "exchange",
            StepKind::Refresh => "refresh",
            StepKind::Introspect => "introspect",
            StepKind::Revoke => "revoke",
            StepKind::Userinfo => "userinfo",
            StepKind::WrongSecret => "wrong-secret",
            StepKind::NoGrant => "no-grant",
            StepKind::WrongPassword => "wrong-password",
            StepKind::WrongVerifier => "wrong-verifier",
            StepKind::Replay => "replay",
            StepKind::Reuse => "reuse",
            StepKind::CreateClient => "create-client",
            StepKind::CreatePolicy => "create-policy",
            StepKind::CreateUser => "create-user",
            StepKind::Discover => "discover",
            StepKind::DeviceAuthorization => "device-authorization",
            StepKind::CreateTrust => "create-trust",
            StepKind::MintToken => "mint-token",
            StepKind::MintWrongAudience => "mint-wrong-audience",
            StepKind::MintExpired => "mint-expired",
            StepKind::MintUnknownKid => "mint-unknown-kid",
            StepKind::MintUnsigned => "mint-unsigned",
            StepKind::MintHmacConfusion => "mint-hmac-confusion",
            StepKind::SmartDiscovery => "smart-discovery",
            StepKind::ReadPatient => "read-patient",
            StepKind::ReadObservations => "read-observations",
            StepKind::OtherPatient => "other-patient",
            StepKind::CreateLaunch => "create-launch",
            StepKind::SignAssertion => "sign-assertion",
            StepKind::ReplayAssertion => "replay-assertion",
        }
    }

    /// Every step, for tests and the catalogue's documentation.
    pub const ALL: [StepKind; 32] = [
        StepKind::Api,
        StepKind::Token,
        StepKind::Exchange,
        StepKind::Refresh,
        StepKind::Introspect,
        StepKind::Revoke,
        StepKind::Userinfo,
        StepKind::WrongSecret,
        StepKind::NoGrant,
        StepKind::WrongPassword,
        StepKind::WrongVerifier,
        StepKind::Replay,
        StepKind::Reuse,
        StepKind::CreateClient,
        StepKind::CreatePolicy,
        StepKind::CreateUser,
        StepKind::Discover,
        StepKind::DeviceAuthorization,
        StepKind::CreateTrust,
        StepKind::MintToken,
        StepKind::MintWrongAudience,
        StepKind::MintExpired,
        StepKind::MintUnknownKid,
        StepKind::MintUnsigned,
        StepKind::MintHmacConfusion,
        StepKind::SmartDiscovery,
        StepKind::ReadPatient,
        StepKind::ReadObservations,
        StepKind::OtherPatient,
        StepKind::CreateLaunch,
        StepKind::SignAssertion,
        StepKind::ReplayAssertion,
    ];
}

/// Which way a recorded exchange went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Client to server, directly: the browser never sees it.
    #[default]
    Back,
    /// Carried by the browser: redirects and the server's own pages.
    Front,
    /// Setup before the flow: the developer's request to the admin REST API.
    Admin,
    /// Before the flow: the client reads another server's metadata.
    Discovery,
}

impl Channel {
    /// The name in classes and data attributes.
    pub fn slug(self) -> &'static str {
        match self {
            Channel::Back => "back",
            Channel::Front => "front",
            Channel::Admin => "admin",
            Channel::Discovery => "discovery",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_match_serde() {
        for flow in Flow::ALL {
            assert_eq!(Flow::from_slug(flow.slug()), Some(flow));
            assert_eq!(
                serde_json::to_string(&flow).unwrap(),
                format!("\"{}\"", flow.slug())
            );
            assert_eq!(flow.entry().flow, flow);
        }
    }

    #[test]
    fn step_slugs_match_serde() {
        for step in StepKind::ALL {
            assert_eq!(
                serde_json::to_string(&step).unwrap(),
                format!("\"{}\"", step.slug())
            );
        }
    }

    #[test]
    fn every_diagram_names_each_arrow_once_and_answers_follow_requests() {
        for flow in Flow::ALL {
            let arrows = flow.entry().arrows;
            for (i, a) in arrows.iter().enumerate() {
                assert_eq!(
                    arrows.iter().filter(|b| b.id == a.id).count(),
                    1,
                    "{flow}: {:?}",
                    a.id
                );
                if let Some(answer) = a.id.answer()
                    && let Some(j) = arrows.iter().position(|b| b.id == answer)
                {
                    // Only what the callee asks others meanwhile (the API fetching keys) may
                    // come between a request and its answer.
                    assert!(j > i, "{flow}: the answer to {:?} follows it", a.id);
                    assert!(
                        arrows[i + 1..j]
                            .iter()
                            .all(|b| b.from == a.to || b.to == a.to),
                        "{flow}: only the callee's own exchanges come between {:?} and its answer",
                        a.id
                    );
                }
                assert_ne!(a.from, a.to);
            }
            assert_eq!(
                flow.entry().front_channel,
                flow.arrow_number(ArrowId::Authorize).is_some()
            );
        }
    }
}
