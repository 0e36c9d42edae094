//! oauth-sandbox: a real OAuth 2.0 authorization server, a demo protected API, an admin REST
//! API and the Leptos sandbox UI, served by one axum router.
//!
//! [`router`] builds the whole application from an [`AppState`]; [`build_state`] makes that
//! state from a [`config::Config`] (open the database, migrate, seed, load keys). Tests call
//! both and drive the router in process.

#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
pub mod cache;
pub mod checks;
pub mod clock;
pub mod config;
pub mod console;
pub mod health;
pub mod mock;
pub mod model;
pub mod oauth;
pub mod outbound;
pub mod password;
pub mod resource;
pub mod sandbox;
pub mod secret;
pub mod security;
pub mod seed;
pub mod site;
pub mod smart;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod trust;

use app::endpoints as ep;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use leptos_axum::{LeptosRoutes, generate_route_list};
use oauth::authorize;
use state::{AppState, Inner};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body the pages' server functions read.
const UI_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The whole application.
pub fn router(state: AppState) -> Router {
    // The sandbox sends through the same routes and layers a client on the network meets.
    let backend: app::sandbox::backend::Backend = Arc::new(sandbox::backend::InProcess::new(
        state.clone(),
        layered(api_routes(&state).with_state(state.clone())),
    ));
    let leptos_options = state.leptos.clone();
    let routes = generate_route_list(app::App);
    let console: app::console::backend::Console =
        Arc::new(console::backend::Console::new(state.clone()));
    let context = move || {
        leptos::prelude::provide_context(backend.clone());
        leptos::prelude::provide_context(console.clone());
    };
    let not_found = site::not_found(state.clone(), context.clone());
    let ui = Router::new()
        .leptos_routes_with_context(&state, routes, context, move || {
            app::shell(leptos_options.clone())
        })
        .merge(site::assets(state.site_root.as_deref(), not_found))
        // Large enough that an oversized form field reaches validation and is refused by name
        // (a 10 MB client name gets "client_name: must be at most … bytes"), small enough to
        // bound memory.
        .layer(axum::extract::DefaultBodyLimit::max(UI_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sandbox::visitor::ensure_cookie,
        ));

    let mut app = api_routes(&state)
        .merge(ui)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(server_fn_answers));
    if state.mock.is_some() {
        // The journal sees the request before a fault answers it, and the answer after.
        app = app
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                mock::banner::mark_pages,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                mock::faults::inject,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                mock::journal::record,
            ));
    }
    layered(app)
}

/// Server-function answers: never cached (some carry a secret shown once, RFC 6749 §5.1 asks
/// the same of token responses), and a failure the client caused is a 400, not a 500.
///
/// Every server function returns a typed error (the sandbox's
/// [`app::sandbox::error::SandboxError`], the console's [`app::console::wire::Failure`]) that
/// sets its own status when the function fails. server_fn answers a failure it meets before
/// the function runs (arguments it could not read) with 500; the error it made says its kind,
/// and a kind the client caused becomes 400.
async fn server_fn_answers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if !is_server_fn {
        return response;
    }
    oauth::error::no_store(response.headers_mut());
    if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = serde_json::from_slice::<app::sandbox::error::SandboxError>(&bytes)
        .map(|e| e.status())
        .or_else(|_| {
            serde_json::from_slice::<app::console::wire::Failure>(&bytes).map(|f| f.status)
        })
        .ok()
        .and_then(|s| axum::http::StatusCode::from_u16(s).ok());
    if let Some(status) = status.filter(|s| s.is_client_error()) {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The layers every response passes: a caught panic becomes a 500 JSON error, then security
/// headers, request ids and request logs.
pub fn layered(router: Router) -> Router {
    telemetry::layer(security_headers(router.layer(
        tower_http::catch_panic::CatchPanicLayer::custom(telemetry::panic_response),
    )))
}

/// Every protocol, demo API and admin route: everything but the pages.
fn api_routes(state: &AppState) -> Router<AppState> {
    // Endpoints that browser-based clients on other origins call with fetch: CORS, with no
    // credentials (tokens travel in headers and bodies, never in cookies).
    let cross_origin = Router::new()
        .route(
            ep::OAUTH_METADATA,
            get(oauth::endpoints::discovery::discovery),
        )
        .route(
            ep::OPENID_CONFIGURATION,
            get(oauth::endpoints::discovery::discovery),
        )
        .route(ep::JWKS, get(oauth::endpoints::discovery::jwks))
        .route(ep::TOKEN, post(oauth::endpoints::token::token))
        .route(
            ep::INTROSPECT,
            post(oauth::endpoints::introspect::introspect),
        )
        .route(ep::REVOKE, post(oauth::endpoints::revoke::revoke))
        .route(
            ep::DEVICE_AUTHORIZATION,
            post(oauth::endpoints::device::device_authorization),
        )
        .route(ep::REGISTER, post(oauth::endpoints::register::register))
        .route(
            ep::USERINFO,
            get(oauth::endpoints::userinfo::userinfo).post(oauth::endpoints::userinfo::userinfo),
        )
        .route(ep::FHIR_METADATA, get(resource::metadata::metadata))
        .route(
            ep::SMART_CONFIGURATION,
            get(smart::configuration::configuration),
        )
        .route(ep::SMART_STYLE, get(smart::configuration::style))
        .route(ep::PRACTITIONERS, get(resource::fhir::search_practitioners))
        .route(ep::PRACTITIONER, get(resource::fhir::read_practitioner))
        .route(ep::PATIENTS, get(resource::fhir::search_patients))
        .route(ep::PATIENT, get(resource::fhir::read_patient))
        .route(ep::OBSERVATIONS, get(resource::fhir::search_observations))
        .route(ep::OBSERVATION, get(resource::fhir::read_observation))
        .route(ep::ENCOUNTERS, get(resource::fhir::search_encounters))
        .route(ep::ENCOUNTER, get(resource::fhir::read_encounter))
        .route(ep::TEST_ISSUER_JWKS, get(trust::test_issuer::jwks))
        .route(ep::TEST_ISSUER_TOKEN, post(trust::test_issuer::mint))
        .layer(cors());
    // The browser's visits to the authorization server, recorded for sandbox runs.
    let front_channel = Router::new()
        .route(
            ep::AUTHORIZE,
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(ep::LOGIN, post(authorize::login))
        .route(
            ep::CONSENT,
            get(authorize::consent_get).post(authorize::consent_post),
        )
        .route(
            ep::PATIENT_PICKER,
            get(authorize::picker::picker_get).post(authorize::picker::picker_post),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sandbox::recorder::record,
        ));
    let protocol: Router<AppState> = Router::new()
        .merge(front_channel)
        .route(
            ep::LOGOUT,
            get(authorize::logout_page).post(authorize::logout),
        )
        .route(
            ep::DEVICE_VERIFY,
            get(authorize::device::verify_page).post(authorize::device::verify),
        )
        .route(
            ep::SIGNIN,
            get(console::pages::signin_page).post(console::pages::signin),
        )
        .route(
            ep::SIGNUP,
            get(console::pages::signup_page).post(console::pages::signup),
        )
        .route(ep::SIGNOUT, post(console::pages::signout))
        .route(ep::HEALTHZ, get(health::healthz))
        .route(ep::READYZ, get(health::readyz))
        .route(ep::RUN_EXPORT_MD, get(sandbox::export::export_markdown))
        .route(ep::RUN_EXPORT_SH, get(sandbox::export::export_shell))
        .route(ep::RUN, axum::routing::delete(sandbox::export::delete_run))
        .merge(cross_origin)
        .merge(admin::routes());
    if state.mock.is_some() {
        protocol.merge(mock::routes())
    } else {
        protocol
    }
}

/// CORS for the cross-origin endpoints: any origin, no cookies.
fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::WWW_AUTHENTICATE])
        .max_age(std::time::Duration::from_secs(600))
}

/// Headers on every response: no framing (RFC 9700 §4.16), no MIME sniffing.
fn security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
}

/// What start-up did, for the caller to report.
#[derive(Debug, Default)]
pub struct Startup {
    /// The admin password, when one was generated now; print it once.
    pub generated_admin_password: Option<secret::Secret>,
    /// What the demo data and the seed file wrote.
    pub seeded: Vec<(String, seed::Applied)>,
}

/// Why start-up failed.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Storage(#[from] storage::StorageError),
    #[error("signing keys: {0}")]
    Keys(#[from] oauth::keys::KeyError),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error("admin account: {0}")]
    Admin(String),
}

/// Opens the database, applies migrations, the demo data and the seed, ensures the admin
/// account and the signing keys, and returns the state.
pub async fn build_state(
    config: &config::Config,
    clock: Arc<dyn clock::Clock>,
) -> Result<(AppState, Startup), StartupError> {
    let issuer = config.issuer().map_err(StartupError::Config)?;
    // Mock mode's clock runs over the given one, so a test's manual clock still drives it.
    let mock_clock = config
        .mock
        .then(|| mock::clock::MockClock::over(clock.clone()));
    let clock: Arc<dyn clock::Clock> = match &mock_clock {
        Some(c) => c.clone(),
        None => clock,
    };
    let mut seeds: Vec<(String, String)> = Vec::new();
    let seed_text = match &config.seed {
        Some(path) => Some((
            path.display().to_string(),
            std::fs::read_to_string(path)
                .map_err(|e| StartupError::Config(format!("--seed {}: {e}", path.display())))?,
        )),
        None => None,
    };
    if let Some(dir) = sqlite_parent_dir(&config.database_url) {
        std::fs::create_dir_all(&dir)
            .map_err(|e| StartupError::Config(format!("{}: {e}", dir.display())))?;
    }
    let db = storage::Db::open(&config.database_url).await?;
    let now = clock.now();
    // The HMAC keys every node of this issuer shares.
    let shared_key = |name: &'static str| {
        let db = db.clone();
        async move {
            let mut fresh = [0u8; 32];
            secret::fill_random(&mut fresh).map_err(|e| StartupError::Config(e.to_string()))?;
            storage::server_secrets::get_or_create(&db, name, &fresh, now)
                .await
                .map_err(StartupError::from)
        }
    };
    let csrf_key = shared_key("csrf").await?;
    let verified_key = shared_key("verified-secrets").await?;
    let passwords = Arc::new(
        tokio::task::spawn_blocking(move || password::Passwords::with_key(&verified_key))
            .await
            .map_err(|e| StartupError::Admin(e.to_string()))?
            .map_err(|e| StartupError::Config(e.to_string()))?,
    );
    let mut startup = Startup::default();
    if config.demo_enabled() {
        let demo = seed::demo(&issuer);
        let applied = seed::load(&db, &passwords, "demo data", &demo, now, &issuer).await?;
        startup.seeded.push(("demo data".into(), applied));
        seeds.push(("demo data".into(), demo));
    }
    // A seed with keys names the signing key: the first one, with its own algorithm.
    let mut signing_alg = config.signing_alg;
    let mut seed_has_keys = false;
    if let Some((name, text)) = seed_text {
        let applied = seed::load(&db, &passwords, &name, &text, now, &issuer).await?;
        signing_alg = applied.signing_alg.unwrap_or(signing_alg);
        seed_has_keys = applied.signing_alg.is_some();
        startup.seeded.push((name.clone(), applied));
        seeds.push((name, text));
    }
    startup.generated_admin_password =
        seed::ensure_admin(&db, &passwords, config.admin_password.as_deref(), now)
            .await
            .map_err(StartupError::Admin)?;
    let keys = oauth::keys::KeyRing::load_or_create(&db, signing_alg, now).await?;
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.as_deref().unwrap_or("target/site"))
        .site_addr(config.addr)
        .build();
    let state = AppState::new(Inner {
        cache: cache::Cache::new(db.clone()),
        writer: storage::token_writer::TokenWriter::spawn(db.clone()),
        throttle: security::throttle::Throttle::new(db.clone(), clock.clone(), config.throttle),
        watches: sandbox::recorder::Watches::new(db.clone()),
        db,
        clock: clock.clone(),
        keys,
        signing_alg: config.signing_alg,
        passwords,
        issuer,
        pending: Default::default(),
        trust_keys: Default::default(),
        introspected: Default::default(),
        test_issuer: Default::default(),
        outbound: outbound::Outbound::new(config.outbound_policy(), config.outbound_timeout())
            .map_err(StartupError::Config)?,
        csrf: security::csrf::CsrfKey::from_secret(&csrf_key),
        mock: mock_clock.map(|c| Arc::new(mock::Mock::new(c, seeds, seed_has_keys))),
        run_retention: config.run_retention_seconds(),
        workspace_ttl: config.workspace_seconds(),
        site_root: config.site_root.clone(),
        leptos,
    });
    Ok((state, startup))
}

/// The directory a `sqlite://` file URL lives in, so it can be created on first start.
fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_path_buf())
}

/// How often a node looks at what other nodes of its issuer changed without a request here
/// asking: signing keys rotated or retired (the most time before every node signs with a new
/// key; verification reads new keys at once, on the first token whose key it does not know)
/// and keys the failure throttle blocked.
pub const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Every [`WATCH_EVERY`]: reads the signing keys again when their change counter moved, and
/// the failure throttle's blocks.
pub fn spawn_watch(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = state.keys.refresh(&state.db).await {
                tracing::warn!(error = %e, "reading the signing keys again");
            }
            if let Err(e) = state.throttle.refresh().await {
                tracing::warn!(error = %e, "reading the throttle's blocks");
            }
        }
    })
}

/// Runs the collector every `every` in the background: expired tokens, codes, sessions and
/// initial access tokens, runs past their retention, the throttle's spent rows
/// ([`storage::collect`]), and the throttle's ended blocks in memory. A collection that hit
/// its batch bound runs again at once, after yielding.
pub fn spawn_collector(state: AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    /// Batches per table per call: at most 100,000 rows of a table, or 250,000 token rows
    /// examined, before the next call (after a yield).
    const MAX_BATCHES: u32 = 50;
    tokio::spawn(async move {
        let mut collector = storage::collect::Collector::default();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                let now = state.clock.now();
                match collector
                    .collect(&state.db, now, state.run_retention, MAX_BATCHES)
                    .await
                {
                    Ok(done) => {
                        if done.total() > 0 {
                            tracing::debug!(?done, "collected expired rows");
                        }
                        if !done.more {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "collecting expired rows");
                        break;
                    }
                }
            }
            state.throttle.sweep();
        }
    })
}
