//! A panic in a handler is answered 500 with the RFC error JSON, and neither the answer nor the
//! log carries its message. Its own test binary: it installs the process's panic hook.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::Request;

#[tokio::test]
async fn a_panic_is_a_500_json_error_and_its_message_is_not_logged() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    oauth_sandbox::telemetry::quiet_panics();
    let app = oauth_sandbox::layered(axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            let secret = std::hint::black_box("hunter2-secret-in-a-panic");
            if !secret.is_empty() {
                panic!("leaking {secret}");
            }
            "unreachable"
        }),
    ));
    use tower::ServiceExt;
    let response = app
        .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "server_error");
    let logged = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("panicked"), "{logged}");
    assert!(!logged.contains("hunter2"), "{logged}");
    assert!(!String::from_utf8_lossy(&body).contains("hunter2"));
}
