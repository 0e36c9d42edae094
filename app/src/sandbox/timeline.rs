//! What the timeline says around each card: who carried the exchange, and where it sits on the
//! flow's diagram.

use super::catalogue::{Channel, Flow};
use super::wire::RunStep;
use leptos::prelude::*;

/// Who carried an exchange, in words.
pub fn carrier(step: &RunStep) -> &'static str {
    match step.channel {
        Channel::Front => {
            "Front channel, carried by the browser: the person sees this in the address bar, and the client only learns what the redirect back carries."
        }
        Channel::Back => {
            "Back channel, sent by the client straight to the server: the browser never sees it."
        }
        Channel::Admin => {
            "Setup, sent by the developer to the admin REST API before the flow: not part of OAuth itself, so it is not on the diagram."
        }
        Channel::Discovery => {
            "Discovery, fetched by the client before the flow: what the server says it offers, read from its well-known address (RFC 8414 §3). It is not on the diagram."
        }
    }
}

/// The diagram arrows an exchange travelled, as "arrows 5 and 6".
pub fn arrows_text(flow: Option<Flow>, step: &RunStep) -> Option<String> {
    let flow = flow?;
    let numbers: Vec<String> = step
        .arrows
        .iter()
        .filter_map(|a| flow.arrow_number(*a))
        .map(|n| n.to_string())
        .collect();
    match numbers.as_slice() {
        [] => None,
        [one] => Some(format!("arrow {one}")),
        [rest @ .., last] => Some(format!("arrows {} and {last}", rest.join(", "))),
    }
}

/// The line above a card.
#[component]
pub fn ChannelNote(step: RunStep, flow: Option<Flow>) -> impl IntoView {
    let channel = step.channel.slug();
    let arrows = arrows_text(flow, &step).map(|a| format!(" On the diagram: {a}."));
    view! {
        <p class=format!("channel {channel}") data-channel=channel>{carrier(&step)}{arrows}</p>
    }
}

/// One entry of a run's timeline: who carried it, what it teaches, the authorization
/// parameters explained (front channel), and the exchange.
#[component]
pub fn TimelineEntry(step: RunStep, flow: Option<Flow>) -> impl IntoView {
    let class = format!("step {}", step.channel.slug());
    let params = step.params.clone();
    let (caption, first, meaning) = match step.channel {
        Channel::Discovery => ("What the server offers", "Metadata", "What it is for"),
        _ if step.title.contains("comes back") => ("What came back", "Parameter", "What it means"),
        _ => (
            "The authorization request's parameters",
            "Parameter",
            "What it asks for",
        ),
    };
    view! {
        <li class=class>
            <ChannelNote step=step.clone() flow />
            <p class="lesson-text">{step.lesson.clone()}</p>
            {(!params.is_empty()).then(|| view! {
                <table class=if step.channel == Channel::Discovery { "claims params-explained offers" } else { "claims params-explained" }>
                    <caption>{caption}</caption>
                    <thead><tr><th scope="col">{first}</th><th scope="col">"Value"</th><th scope="col" class="meaning">{meaning}</th></tr></thead>
                    <tbody>
                        {params.into_iter().map(|p| {
                            let key = p.name.clone();
                            // Long metadata names may break after an underscore, never mid-word.
                            let name = p.name.replace('_', "_\u{200B}");
                            view! {
                            <tr data-param=key>
                                <th scope="row"><code>{name}</code></th>
                                <td><code class="wrap">{p.value}</code><div class="meaning-inline">{p.meaning.clone()}</div></td>
                                <td class="meaning">{p.meaning}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
            })}
            <super::exchange_card::ExchangeCard title=step.title.clone() exchange=step.exchange.clone() />
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::catalogue::ArrowId;

    #[test]
    fn arrows_are_named_by_their_number_on_the_flows_diagram() {
        let step = RunStep {
            arrows: vec![ArrowId::TokenRequest, ArrowId::TokenResponse],
            ..Default::default()
        };
        assert_eq!(
            arrows_text(Some(Flow::AuthorizationCode), &step).as_deref(),
            Some("arrows 5 and 6")
        );
        assert_eq!(arrows_text(Some(Flow::Basic), &step), None);
    }
}
