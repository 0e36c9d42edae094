//! A decoded token: header and claims with help for the registered claims, the times in words
//! with a live countdown, and the signature checked against the JWKS.

use super::wire::{ClaimLine, TokenInspection};
use leptos::prelude::*;

#[component]
fn ClaimTable(#[prop(into)] caption: String, lines: Vec<ClaimLine>) -> impl IntoView {
    view! {
        <table class="claims">
            <caption>{caption}</caption>
            <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|l| {
                        let key = l.name.clone();
                        view! {
                        <tr data-claim=key>
                            <th scope="row"><code>{l.name}</code></th>
                            <td><code class="wrap">{l.value}</code>{l.when.map(|w| view! { <div class="when">{w}</div> })}</td>
                            <td>{l.help}</td>
                        </tr>
                    }})
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The token view.
#[component]
pub fn TokenView(inspection: TokenInspection) -> impl IntoView {
    let TokenInspection {
        is_jwt,
        header,
        claims,
        kid,
        alg,
        signature_valid,
        signature_note,
        exp,
        now,
        ..
    } = inspection;
    // The countdown starts from the server's clock and ticks in the browser.
    let (elapsed, set_elapsed) = signal(0i64);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_elapsed.update(|e| *e += 1),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let countdown = move || {
        exp.map(|exp| {
            let left = exp - now - elapsed.get();
            if left > 0 {
                format!("expires in {left} s")
            } else {
                "expired".to_owned()
            }
        })
    };
    if !is_jwt {
        return view! {
            <section class="token-view" aria-label="Token">
                <p>"An opaque token: a reference the client cannot read. Introspection (step 3) tells what it means."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="token-view" aria-label="Decoded access token">
            <p class=if signature_valid { "sig ok" } else { "sig bad" } data-signature=signature_valid.to_string()>
                {if signature_valid { "Signature valid" } else { "Signature NOT valid" }}
                " — " {alg.unwrap_or_default()} " with key " <code>{kid.unwrap_or_default()}</code> ". " {signature_note}
            </p>
            <p class="countdown" aria-live="off">{countdown}</p>
            <ClaimTable caption="Header" lines=header />
            <ClaimTable caption="Claims" lines=claims />
        </section>
    }
    .into_any()
}
