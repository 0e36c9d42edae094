//! What a client page offers for use outside the console: the equivalent admin REST API
//! request, Aidbox-style, and ready-made snippets for its grants.

use super::wire::ClientForm;
use crate::endpoints as ep;

/// The JSON body of `PUT /Client/{id}` for this form (the secret is never part of it).
pub fn rest_body(form: &ClientForm) -> String {
    let mut body = serde_json::json!({
        "client_name": form.client_name,
        "token_endpoint_auth_method": form.token_endpoint_auth_method,
        "grant_types": form.grant_types,
        "redirect_uris": form.redirect_uris,
        "scope": form.scope,
        "first_party": form.first_party,
        "access_token_format": form.access_token_format,
        "access_token_ttl": form.access_token_ttl,
        "refresh_token_ttl": form.refresh_token_ttl,
        "require_pkce": form.require_pkce || form.is_public(),
        "allow_plain_pkce": form.allow_plain_pkce,
        "rotate_refresh_tokens": form.rotate_refresh_tokens || form.is_public(),
    });
    // The key set as JSON when it parses; as the text typed otherwise, so the server names the
    // field that is wrong.
    let jwks = form.jwks.trim();
    if !jwks.is_empty() {
        body["jwks"] = serde_json::from_str(jwks).unwrap_or_else(|_| jwks.into());
    }
    for (name, value) in [
        ("jwks_uri", &form.jwks_uri),
        ("launch_uri", &form.launch_uri),
    ] {
        if !value.trim().is_empty() {
            body[name] = value.trim().into();
        }
    }
    serde_json::to_string_pretty(&body).unwrap_or_default()
}

/// The admin REST API request that makes the same client.
pub fn rest_request(form: &ClientForm) -> String {
    let id = if form.client_id.is_empty() {
        "{id}"
    } else {
        &form.client_id
    };
    format!(
        "PUT /Client/{id}\nContent-Type: application/json\n\n{}",
        rest_body(form)
    )
}

/// curl lines (and a URL to open) for each grant the client holds, against `issuer`.
pub fn snippets(form: &ClientForm, issuer: &str) -> Vec<(&'static str, String)> {
    let id = &form.client_id;
    let has = |g: &str| form.grant_types.iter().any(|x| x == g);
    let auth = if form.is_public() {
        format!("-d client_id={id}")
    } else if form.token_endpoint_auth_method == "client_secret_post" {
        format!("-d client_id={id} -d client_secret=\"$CLIENT_SECRET\"")
    } else {
        format!("-u \"{id}:$CLIENT_SECRET\"")
    };
    let scope = form.scope.replace(' ', "%20");
    let redirect = form.redirect_uris.first().cloned().unwrap_or_default();
    let mut out = vec![(
        "Discovery",
        format!("curl -s {issuer}{}", ep::OAUTH_METADATA),
    )];
    if has("client_credentials") {
        out.push((
            "Client credentials",
            format!(
                "curl -s {auth} \\\n  -d grant_type=client_credentials -d scope=\"{}\" \\\n  {issuer}{}",
                form.scope,
                ep::TOKEN
            ),
        ));
    }
    if has("authorization_code") {
        // SMART App Launch 2.x §2.0.5: a SMART request names the FHIR server it is for; an EHR
        // launch sends back the launch value it was opened with.
        let smart = match crate::sandbox::smart::asks_smart(&form.scope) {
            true => format!("&aud={issuer}{}", ep::FHIR_BASE),
            false => String::new(),
        };
        let launch = match form.scope.split(' ').any(|s| s == "launch") {
            true => "&launch=$LAUNCH",
            false => "",
        };
        out.push((
            "Authorization code: open in a browser",
            format!(
                "{issuer}{}?response_type=code&client_id={id}&redirect_uri={redirect}&scope={scope}&state=$STATE&code_challenge=$CHALLENGE&code_challenge_method=S256{smart}{launch}",
                ep::AUTHORIZE
            ),
        ));
        out.push((
            "Authorization code: redeem the code",
            format!(
                "curl -s {auth} \\\n  -d grant_type=authorization_code -d code=\"$CODE\" \\\n  -d redirect_uri={redirect} -d code_verifier=\"$VERIFIER\" \\\n  {issuer}{}",
                ep::TOKEN
            ),
        ));
    }
    if has("password") {
        out.push((
            "Password (legacy)",
            format!(
                "curl -s {auth} \\\n  -d grant_type=password -d username=alice -d password=alice-password \\\n  {issuer}{}",
                ep::TOKEN
            ),
        ));
    }
    if has("refresh_token") {
        out.push((
            "Refresh",
            format!(
                "curl -s {auth} \\\n  -d grant_type=refresh_token -d refresh_token=\"$REFRESH_TOKEN\" \\\n  {issuer}{}",
                ep::TOKEN
            ),
        ));
    }
    if has("basic") {
        out.push((
            "Basic, straight to the demo API",
            format!(
                "curl -s -u \"{id}:$CLIENT_SECRET\" {issuer}{}",
                ep::PATIENTS
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_smart_app_s_authorization_url_names_the_fhir_server() {
        let form = ClientForm {
            client_id: "app".into(),
            grant_types: vec!["authorization_code".into()],
            redirect_uris: vec!["https://app.example/cb".into()],
            scope: "openid launch patient/*.rs".into(),
            ..Default::default()
        };
        let url = &snippets(&form, "https://as.example")[1].1;
        assert!(
            url.ends_with("&aud=https://as.example/fhir&launch=$LAUNCH"),
            "{url}"
        );
        let plain = ClientForm {
            scope: "openid patient.read".into(),
            ..form
        };
        let url = &snippets(&plain, "https://as.example")[1].1;
        assert!(!url.contains("aud="), "{url}");
    }

    #[test]
    fn snippets_follow_the_grants_and_never_hold_the_secret() {
        let form = ClientForm {
            client_id: "mine".into(),
            grant_types: vec!["client_credentials".into(), "basic".into()],
            ..Default::default()
        };
        let s = snippets(&form, "http://h");
        let names: Vec<_> = s.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "Discovery",
                "Client credentials",
                "Basic, straight to the demo API"
            ]
        );
        assert!(s[1].1.contains("-u \"mine:$CLIENT_SECRET\""));
        assert!(rest_request(&form).starts_with("PUT /Client/mine\n"));
        assert!(!rest_body(&form).contains("secret\":"));
    }
}
