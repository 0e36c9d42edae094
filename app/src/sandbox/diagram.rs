//! A flow's sequence diagram: the four roles and the flow's named arrows, with the trail of the
//! arrows the run has travelled and the newest one marked. Wide screens get an SVG; narrow ones
//! (and screen readers) get the same diagram as an ordered list, one arrow per line.

use super::catalogue::{ArrowId, Flow, Role};
use leptos::prelude::*;

/// How far the run has come along one arrow.
fn mark(trail: &[ArrowId], id: ArrowId) -> &'static str {
    match trail.last() {
        Some(last) if *last == id => "current",
        _ if trail.contains(&id) => "taken",
        _ => "ahead",
    }
}

fn mark_words(mark: &str) -> &'static str {
    match mark {
        "current" => " (the newest step)",
        "taken" => " (done)",
        _ => "",
    }
}

/// The diagram of `flow`; `trail` lists the arrows travelled so far, oldest first.
#[component]
pub fn SequenceDiagram(flow: Flow, #[prop(into)] trail: Signal<Vec<ArrowId>>) -> impl IntoView {
    let arrows = flow.entry().arrows;
    let col = |r: Role| 90 + r.column() * 180;
    let height = 70 + arrows.len() * 40;
    view! {
        <figure class="sequence-figure" data-diagram=flow.slug()>
            <svg class="sequence" viewBox=format!("0 0 720 {height}") aria-hidden="true">
                {Role::ALL
                    .iter()
                    .map(|r| view! {
                        <g>
                            <text x=col(*r) y="24" text-anchor="middle" class="role">{r.label()}</text>
                            <line x1=col(*r) y1="34" x2=col(*r) y2=height - 10 class="lifeline" />
                        </g>
                    })
                    .collect_view()}
                {arrows
                    .iter()
                    .enumerate()
                    .map(|(n, a)| {
                        let y = 60 + n * 40;
                        let (x1, x2) = (col(a.from), col(a.to));
                        let head = if x2 > x1 { x2 - 8 } else { x2 + 8 };
                        let id = a.id;
                        view! {
                            <g class=move || format!("step {}", trail.with(|t| mark(t, id)))>
                                <line x1=x1 y1=y x2=x2 y2=y />
                                <polygon points=format!("{x2},{y} {head},{} {head},{}", y - 5, y + 5) />
                                <text x=(x1 + x2) / 2 y=y - 8 text-anchor="middle">{format!("{}. {}", n + 1, a.label)}</text>
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption class="visually-hidden">"Sequence diagram of the flow, one arrow per line"</figcaption>
            <ol class="sequence-list" aria-label="Sequence diagram">
                {arrows
                    .iter()
                    .map(|a| {
                        let id = a.id;
                        let state = move || trail.with(|t| mark(t, id));
                        view! {
                            <li class=move || format!("arrow {}", state()) data-arrow=format!("{id:?}")>
                                <span class="who">{a.from.label()} " → " {a.to.label()}</span>
                                <span class="what">{a.label}{move || mark_words(state())}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_arrow_is_current_and_earlier_ones_taken() {
        let trail = [ArrowId::TokenRequest, ArrowId::TokenResponse];
        assert_eq!(mark(&trail, ArrowId::TokenResponse), "current");
        assert_eq!(mark(&trail, ArrowId::TokenRequest), "taken");
        assert_eq!(mark(&trail, ArrowId::ApiCall), "ahead");
        assert_eq!(mark(&[], ArrowId::ApiCall), "ahead");
    }
}
