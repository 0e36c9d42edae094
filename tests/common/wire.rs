//! A minimal HTTP/1.1 client over TCP, for tests that run the real binary.

use base64::Engine;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// Sends one request on its own connection and reads the whole response.
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    auth: Option<&str>,
    content_type: &str,
    body: &str,
) -> std::io::Result<Reply> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok(Reply { status, body })
}

/// A Basic authorization header value.
pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// The real binary on `addr` with admin password `admin`, on the database of the test that owns
/// `dir` (`super::database_url`), serving no site, quiet; `extra` are more arguments.
pub fn spawn_server(
    dir: &std::path::Path,
    addr: &str,
    admin: &str,
    extra: &[&str],
) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_oauth-sandbox"))
        .args(["--addr", addr, "--admin-password", admin, "--log", "warn"])
        .arg("--database-url")
        .arg(super::database_url(dir))
        .arg("--site-root")
        .arg(dir.join("no-site"))
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// A free loopback address.
pub fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Starts a server with `start(addr)` on a free address and waits until it answers. If the
/// process exits first (another program took the port between the check and the bind), it tries
/// again on another address, up to three times.
pub async fn start_ready(
    mut start: impl FnMut(&str) -> std::process::Child,
) -> (std::process::Child, String) {
    for _ in 0..3 {
        let addr = free_addr();
        let mut child = start(&addr);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            let reply = http(
                &addr,
                "GET",
                "/.well-known/jwks.json",
                None,
                "text/plain",
                "",
            )
            .await;
            if reply.is_ok_and(|r| r.status == 200) {
                return (child, addr);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("the server did not start on any of three addresses");
}
