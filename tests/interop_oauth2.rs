//! Interop: the independent `oauth2` crate drives client_credentials, password, refresh,
//! introspection and revocation against the router, in process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use axum::body::Body;
use common::*;
use http_body_util::BodyExt;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, ClientSecret, IntrospectionUrl, ResourceOwnerPassword,
    ResourceOwnerUsername, RevocationUrl, Scope, StandardRevocableToken,
    TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use tower::ServiceExt;

/// The oauth2 crate refuses a plain-http revocation URL, so these tests run with an https issuer.
const HTTPS: &str = "https://sandbox.test";

async fn https_harness() -> Harness {
    harness_with(&["--issuer", HTTPS]).await
}

/// The oauth2 crate's HTTP client: any async function from request to response. This one hands
/// the request to the router.
fn in_process(
    router: axum::Router,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, std::io::Error>>>> {
    move |request: oauth2::HttpRequest| {
        let router = router.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let request = axum::http::Request::from_parts(parts, Body::from(body));
            let response = router
                .oneshot(request)
                .await
                .map_err(std::io::Error::other)?;
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(std::io::Error::other)?
                .to_bytes()
                .to_vec();
            Ok(oauth2::HttpResponse::from_parts(parts, bytes))
        })
    }
}

#[tokio::test]
async fn client_credentials_with_basic_and_post_auth() {
    let h = https_harness().await;
    let http = in_process(h.router.clone());
    for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
        let client = BasicClient::new(ClientId::new("service-client".into()))
            .set_client_secret(ClientSecret::new("service-secret".into()))
            .set_token_uri(TokenUrl::new(format!("{HTTPS}/auth/token")).unwrap())
            .set_auth_type(auth.clone());
        let token = client
            .exchange_client_credentials()
            .add_scope(Scope::new("patient.read".into()))
            .request_async(&http)
            .await
            .unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
        assert_eq!(token.scopes().unwrap()[0].as_str(), "patient.read");
        assert!(token.refresh_token().is_none());
        let r = h
            .get(
                "/fhir/Patient",
                Some(&format!("Bearer {}", token.access_token().secret())),
            )
            .await;
        assert_eq!(r.status, 200);
    }
}

#[tokio::test]
async fn wrong_secret_surfaces_as_a_parsed_rfc_error() {
    let h = https_harness().await;
    let http = in_process(h.router.clone());
    let client = BasicClient::new(ClientId::new("service-client".into()))
        .set_client_secret(ClientSecret::new("wrong".into()))
        .set_token_uri(TokenUrl::new(format!("{HTTPS}/auth/token")).unwrap());
    let err = client
        .exchange_client_credentials()
        .request_async(&http)
        .await
        .unwrap_err();
    match err {
        oauth2::RequestTokenError::ServerResponse(e) => {
            assert_eq!(
                e.error(),
                &oauth2::basic::BasicErrorResponseType::InvalidClient
            );
        }
        other => panic!("expected a server response, got {other:?}"),
    }
}

#[tokio::test]
async fn password_refresh_introspect_revoke() {
    let h = https_harness().await;
    let http = in_process(h.router.clone());
    let client = BasicClient::new(ClientId::new("password-client".into()))
        .set_client_secret(ClientSecret::new("password-secret".into()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(format!("{HTTPS}/auth/token")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(format!("{HTTPS}/auth/introspect")).unwrap())
        .set_revocation_url(RevocationUrl::new(format!("{HTTPS}/auth/revoke")).unwrap());
    let username = ResourceOwnerUsername::new("alice".into());
    let password = ResourceOwnerPassword::new("alice-password".into());
    let first = client
        .exchange_password(&username, &password)
        .add_scope(Scope::new("patient.read".into()))
        .request_async(&http)
        .await
        .unwrap();
    let refresh = first.refresh_token().unwrap().clone();

    let second = client
        .exchange_refresh_token(&refresh)
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        second.access_token().secret(),
        first.access_token().secret()
    );
    assert_ne!(
        second.refresh_token().unwrap().secret(),
        refresh.secret(),
        "rotated"
    );

    let info = client
        .introspect(second.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(info.active());
    assert_eq!(info.username(), Some("alice"));
    assert_eq!(
        info.client_id().map(|c| c.as_str()),
        Some("password-client")
    );

    let revocable: StandardRevocableToken = second.refresh_token().unwrap().clone().into();
    client
        .revoke_token(revocable)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    let info = client
        .introspect(second.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        !info.active(),
        "revoking the refresh token revoked its access token"
    );
}

/// The oauth2 crate builds the authorization URL with PKCE; the browser part goes through the
/// real login and consent forms; the oauth2 crate redeems the code and refreshes.
#[tokio::test]
async fn authorization_code_with_pkce() {
    use common::browser::{Browser, location};
    use oauth2::{AuthUrl, AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl};
    let h = https_harness().await;
    let http = in_process(h.router.clone());
    let callback = format!("{HTTPS}/sandbox/callback");
    let client = BasicClient::new(ClientId::new("web-client".into()))
        .set_client_secret(ClientSecret::new("web-secret".into()))
        .set_auth_uri(AuthUrl::new(format!("{HTTPS}/auth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(format!("{HTTPS}/auth/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(callback.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("patient.read".into()))
        .set_pkce_challenge(challenge)
        .url();
    let query = url.query().unwrap().to_owned();

    let mut browser = Browser::new(&h);
    let back = browser.authorize(&query, "alice", "alice-password").await;
    let (base, params, _) = location(&back);
    assert_eq!(base, callback);
    assert_eq!(&params["state"], csrf_state.secret());
    assert_eq!(params["iss"], HTTPS);

    let token = client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(token.token_type(), &oauth2::basic::BasicTokenType::Bearer);
    let r = h
        .get(
            "/fhir/Patient",
            Some(&format!("Bearer {}", token.access_token().secret())),
        )
        .await;
    assert_eq!(r.status, 200);
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().unwrap())
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.access_token().secret(),
        token.access_token().secret()
    );
}
