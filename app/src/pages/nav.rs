//! The navigation every page of the app shares.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The top navigation: where a learner or a developer goes next.
const LINKS: [(&str, &str); 7] = [
    ("Tutorial", crate::endpoints::TUTORIAL),
    ("Flows", "/#flows"),
    ("Token tools", crate::endpoints::TOKEN_TOOLS),
    ("Runs", crate::endpoints::RUNS),
    ("Console", crate::endpoints::CONSOLE),
    ("Endpoints", "/endpoints"),
    ("Discovery", "/.well-known/openid-configuration"),
];

/// The bar at the top of every page; the current section is marked for screen readers.
#[component]
pub fn TopNav() -> impl IntoView {
    let location = use_location();
    let current = move |href: &'static str| {
        let path = location.pathname.get();
        let here = match href {
            "/#flows" => {
                path == "/"
                    || (path.starts_with("/sandbox/") && !path.starts_with(crate::endpoints::RUNS))
            }
            h => path.starts_with(h),
        };
        here.then_some("page")
    };
    view! {
        <nav class="top-nav" aria-label="Main">
            <a class="brand" href="/">"oauth-sandbox"</a>
            <ul>
                {LINKS.iter().map(|(label, href)| {
                    let external = href.starts_with("/.well-known");
                    view! {
                        <li>
                            <a href=*href aria-current=move || current(href) rel=external.then_some("external")>{*label}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}
