//! The landing page's introduction: the four roles of OAuth in a picture, the ten flows as
//! cards, and a short guide to choosing one.

use leptos::prelude::*;

/// One flow card.
struct FlowCard {
    path: &'static str,
    name: &'static str,
    recommended: bool,
    status: &'static str,
    when: &'static str,
    secret: &'static str,
}

const CARDS: [FlowCard; 10] = [
    FlowCard {
        path: "/sandbox/authorization-code",
        name: "Authorization Code + PKCE",
        recommended: true,
        status: "Recommended",
        when: "Any app a person signs in to: web apps, single-page apps, mobile and desktop apps.",
        secret: "A web server app holds a client secret; a browser or mobile app holds none and relies on PKCE. The person's password stays with the authorization server.",
    },
    FlowCard {
        path: "/sandbox/client-credentials",
        name: "Client Credentials",
        recommended: true,
        status: "Recommended",
        when: "A service calls an API on its own behalf, with no person involved.",
        secret: "The client holds a secret, so it must run on a server you control.",
    },
    FlowCard {
        path: "/sandbox/device",
        name: "Device Authorization",
        recommended: true,
        status: "Recommended",
        when: "A TV, a console or a command-line tool: a device with no browser or no keyboard.",
        secret: "Nobody on the device: it is a public client. The person signs in on their own phone or laptop.",
    },
    FlowCard {
        path: "/sandbox/jwt-auth",
        name: "JWT Auth",
        recommended: true,
        status: "For tokens another identity provider issues",
        when: "Your API accepts tokens from an identity provider you do not run: it trusts that issuer's keys, audience and algorithms.",
        secret: "The outside issuer holds its private key; the API needs only the public keys.",
    },
    FlowCard {
        path: "/sandbox/smart-standalone",
        name: "SMART standalone launch",
        recommended: true,
        status: "For health apps on a FHIR server",
        when: "A health app the person opens on its own: they sign in, choose the patient, and the app reads that patient's record.",
        secret: "A public client with PKCE: the person's password stays with the authorization server.",
    },
    FlowCard {
        path: "/sandbox/smart-ehr",
        name: "SMART EHR launch",
        recommended: true,
        status: "For apps opened from inside the EHR",
        when: "The EHR opens the app with the patient already in context: no picker, the launch value carries it.",
        secret: "The launch value is bound to the app, works once and expires; the app holds no secret.",
    },
    FlowCard {
        path: "/sandbox/backend-services",
        name: "SMART Backend Services",
        recommended: true,
        status: "For services that read many patients",
        when: "A service with no person behind it, such as a bulk export: it signs a JWT with its own key to get a token.",
        secret: "The service holds its private key; the server knows only the public key, so nothing shared can leak.",
    },
    FlowCard {
        path: "/sandbox/basic",
        name: "Basic",
        recommended: false,
        status: "Simple, but the secret travels on every call",
        when: "Quick scripts against the demo API, or APIs that only know HTTP Basic.",
        secret: "The client holds a long-lived secret and sends it with every request.",
    },
    FlowCard {
        path: "/sandbox/implicit",
        name: "Implicit",
        recommended: false,
        status: "Legacy: RFC 9700 §2.1.2, SHOULD NOT be used",
        when: "Never for new apps. The access token comes back in the URL, where it can leak, and cannot be bound to the client.",
        secret: "Nobody: the token sits in the browser's address bar.",
    },
    FlowCard {
        path: "/sandbox/password",
        name: "Password",
        recommended: false,
        status: "Legacy: RFC 9700 §2.4, MUST NOT be used",
        when: "Never for new apps. The client asks for the person's password, which defeats the point of OAuth.",
        secret: "The client sees the person's password and may hold a client secret too.",
    },
];

/// The four roles of RFC 6749 §1.1 and how they talk.
#[component]
pub fn RolesPicture() -> impl IntoView {
    let boxes = [
        (10, "Resource owner", "the person (alice)"),
        (250, "Client", "the app (this sandbox)"),
        (490, "Authorization server", "/auth/* endpoints"),
        (730, "Resource server", "/fhir/Patient"),
    ];
    view! {
        <figure class="roles">
            <svg viewBox="0 0 940 190" role="img" aria-labelledby="roles-title roles-desc">
                <title id="roles-title">"The four roles of OAuth 2.0"</title>
                <desc id="roles-desc">
                    "The resource owner lets the client act for them. The client asks the "
                    "authorization server for a token, then presents the token to the resource "
                    "server, which serves the request."
                </desc>
                <defs>
                    <marker id="roles-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="roles-head" />
                    </marker>
                </defs>
                {boxes.into_iter().map(|(x, name, what)| view! {
                    <g>
                        <rect x=x y="20" width="200" height="70" rx="10" class="roles-box" />
                        <text x=x + 100 y="50" text-anchor="middle" class="roles-name">{name}</text>
                        <text x=x + 100 y="72" text-anchor="middle" class="roles-what">{what}</text>
                    </g>
                }).collect_view()}
                <line x1="210" y1="55" x2="248" y2="55" class="roles-line" marker-end="url(#roles-arrow)" />
                <line x1="450" y1="55" x2="488" y2="55" class="roles-line" marker-end="url(#roles-arrow)" />
                <path d="M350 90 Q 350 160 590 160 Q 830 160 830 92" class="roles-line" fill="none" marker-end="url(#roles-arrow)" />
                <text x="229" y="115" text-anchor="middle" class="roles-what">"1. grants access"</text>
                <text x="469" y="115" text-anchor="middle" class="roles-what">"2. gets a token"</text>
                <text x="590" y="182" text-anchor="middle" class="roles-what">"3. calls the API with the token"</text>
            </svg>
        </figure>
    }
}

/// The ten flows, with when to use each, who holds the secret, and its status.
#[component]
pub fn FlowCards() -> impl IntoView {
    view! {
        <div class="flow-cards">
            {CARDS.iter().map(|c| view! {
                <a class="flow-card" href=c.path>
                    <strong>{c.name}</strong>
                    <span class=if c.recommended { "badge recommended" } else { "badge legacy" }>{c.status}</span>
                    <span><b>"When: "</b>{c.when}</span>
                    <span><b>"Who holds the secret: "</b>{c.secret}</span>
                </a>
            }).collect_view()}
        </div>
    }
}

/// Which flow should I use?
#[component]
pub fn FlowGuide() -> impl IntoView {
    view! {
        <section aria-labelledby="guide-title" class="guide">
            <h2 id="guide-title">"Which flow should I use?"</h2>
            <ol>
                <li>
                    "Does a person sign in? Use " <a href="/sandbox/authorization-code">"Authorization Code with PKCE"</a>
                    ". A server-side web app is a confidential client with a secret; a single-page, "
                    "mobile or desktop app is a public client without one. PKCE protects both."
                </li>
                <li>
                    "Does a person sign in on a device with no browser or no keyboard (a TV, a command line)? Use "
                    <a href="/sandbox/device">"Device Authorization"</a>
                    ": the device shows a code, the person approves on their phone."
                </li>
                <li>
                    "Is it a service with no person behind it (a job, a daemon, another API)? Use "
                    <a href="/sandbox/client-credentials">"Client Credentials"</a> "."
                </li>
                <li>
                    "Are the tokens issued by another identity provider (a company's sign-in, a cloud IdP)? Trust that issuer at the API: "
                    <a href="/sandbox/jwt-auth">"JWT Auth"</a> " shows what the API must check."
                </li>
                <li>
                    "Is it a health app on a FHIR server? Use SMART App Launch: a "
                    <a href="/sandbox/smart-standalone">"standalone launch"</a> " when the person opens the app on its own, an "
                    <a href="/sandbox/smart-ehr">"EHR launch"</a> " when the EHR opens it with a patient in context, and "
                    <a href="/sandbox/backend-services">"Backend Services"</a> " for a service that reads many patients with its own key."
                </li>
                <li>
                    "Does the API accept only HTTP Basic? " <a href="/sandbox/basic">"Basic"</a>
                    " works, but the secret crosses the wire on every call; move to tokens when you can."
                </li>
                <li>
                    "Were you told to use " <a href="/sandbox/implicit">"Implicit"</a> " or "
                    <a href="/sandbox/password">"Password"</a>
                    "? Learn them here to recognise them, then use Authorization Code with PKCE: "
                    "the OAuth 2.0 Security Best Current Practice (RFC 9700) retires both."
                </li>
            </ol>
        </section>
    }
}
