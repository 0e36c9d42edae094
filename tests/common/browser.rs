//! A cookie-keeping client that drives the authorization server's HTML forms, as a browser
//! would: it reads the hidden fields of the page it got and posts the form back.

use super::{Harness, Reply};
use axum::body::Body;
use axum::http::{Request, header};
use std::collections::HashMap;

pub struct Browser<'a> {
    pub h: &'a Harness,
    pub cookies: HashMap<String, String>,
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The parameters of a redirect's Location: (the URI without them, query params, fragment params).
pub fn location(reply: &Reply) -> (String, HashMap<String, String>, HashMap<String, String>) {
    let loc = reply
        .header("location")
        .unwrap_or_else(|| panic!("no Location: {} {}", reply.status, reply.text()));
    let url = url::Url::parse(loc)
        .unwrap_or_else(|_| url::Url::parse(&format!("http://relative{loc}")).unwrap());
    let query = url.query_pairs().into_owned().collect();
    let fragment = url
        .fragment()
        .map(|f| form_urlencoded::parse(f.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    (base.to_string(), query, fragment)
}

impl<'a> Browser<'a> {
    pub fn new(h: &'a Harness) -> Self {
        Self {
            h,
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, mut req: Request<Body>) -> Reply {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.headers_mut()
                .insert(header::COOKIE, jar.join("; ").parse().unwrap());
        }
        let reply = self.h.send(req).await;
        for set in reply.headers_all("set-cookie") {
            let pair = set.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        reply
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn delete(&mut self, uri: &str) -> Reply {
        self.send(Request::delete(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Signs up for a developer account through the console's form; the console session
    /// cookie is kept.
    pub async fn signup(&mut self, username: &str, password: &str) -> Reply {
        let page = self.get("/developer/signup").await;
        let csrf = hidden(&page.text(), "csrf");
        self.post(
            "/developer/signup",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs in to the developer console through its form.
    pub async fn signin(&mut self, username: &str, password: &str) -> Reply {
        let page = self.get("/developer/signin").await;
        let csrf = hidden(&page.text(), "csrf");
        self.post(
            "/developer/signin",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Calls a server function with a JSON body, as the page's script does.
    pub async fn call(&mut self, path: &str, body: serde_json::Value) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Calls a server function with a form body, as the page's script does.
    pub async fn call_form(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Fills and posts the login form of `page`.
    pub async fn login(&mut self, page: &Reply, username: &str, password: &str) -> Reply {
        let html = page.text();
        let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
        self.post(
            "/auth/login",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Answers the consent page at `consent_location` with `decision`.
    pub async fn consent(&mut self, consent_location: &str, decision: &str) -> Reply {
        let page = self.get(consent_location).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let html = page.text();
        let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
        self.post(
            "/auth/consent",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("decision", decision),
            ],
        )
        .await
    }

    /// Runs authorize → login → consent (approve) and returns the final redirect. A browser
    /// that is already signed in and has consented goes straight back (single sign-on).
    pub async fn authorize(&mut self, query: &str, username: &str, password: &str) -> Reply {
        let page = self.get(&format!("/auth/authorize?{query}")).await;
        if page.status == 302 {
            return page;
        }
        assert_eq!(page.status, 200, "login page expected: {}", page.text());
        let after_login = self.login(&page, username, password).await;
        assert_eq!(after_login.status, 303, "{}", after_login.text());
        let loc = after_login.header("location").unwrap().to_owned();
        if loc.starts_with("/auth/consent") {
            let r = self.consent(&loc, "approve").await;
            assert_eq!(r.status, 303);
            r
        } else {
            after_login
        }
    }
}
