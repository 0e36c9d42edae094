//! A sequence diagram of the four roles, as SVG, with the current step marked.

use leptos::prelude::*;

/// One arrow of the diagram.
#[derive(Clone, Debug)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub label: &'static str,
}

/// The roles, left to right.
pub const ROLES: [&str; 4] = [
    "Resource owner",
    "Client",
    "Authorization server",
    "Resource server",
];

/// The diagram; `current` is the index of the arrow to mark.
#[component]
pub fn SequenceDiagram(
    arrows: Vec<Arrow>,
    #[prop(into)] current: Signal<Option<usize>>,
) -> impl IntoView {
    let col = |i: usize| 90 + i * 180;
    let height = 70 + arrows.len() * 44;
    view! {
        <svg
            class="sequence"
            viewBox=format!("0 0 720 {height}")
            role="img"
            aria-label="Sequence diagram of the flow; the current step is highlighted"
        >
            {ROLES
                .iter()
                .enumerate()
                .map(|(i, r)| view! {
                    <g>
                        <text x=col(i) y="24" text-anchor="middle" class="role">{*r}</text>
                        <line x1=col(i) y1="34" x2=col(i) y2=height - 10 class="lifeline" />
                    </g>
                })
                .collect_view()}
            {arrows
                .into_iter()
                .enumerate()
                .map(|(n, a)| {
                    let y = 60 + n * 44;
                    let (x1, x2) = (col(a.from), col(a.to));
                    let head = if x2 > x1 { x2 - 8 } else { x2 + 8 };
                    view! {
                        <g class=move || if current.get() == Some(n) { "step current" } else { "step" }>
                            <line x1=x1 y1=y x2=x2 y2=y />
                            <polygon points=format!("{x2},{y} {head},{} {head},{}", y - 5, y + 5) />
                            <text x=(x1 + x2) / 2 y=y - 8 text-anchor="middle">{format!("{}. {}", n + 1, a.label)}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}
