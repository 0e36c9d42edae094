//! The editable request card: before a step runs, its planned request (method, path, headers,
//! body) is a card the learner can change. Run sends what the card holds through the same
//! recorder, and the checks on the new card show what the server made of the edit; Reset
//! returns to the planned request.

use super::api::plan_step;
use super::catalogue::StepKind;
use super::flow::FlowState;
use super::wire::{Outgoing, StepInput};
use leptos::prelude::*;

/// Headers as the card shows them: one `name: value` per line.
pub fn headers_text(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The headers the learner typed; a line without a colon is refused by name.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| format!("the header line {line:?} has no colon"))?;
            Ok((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

/// The card: pick a step, load its planned request, edit it, run it.
#[component]
pub fn RequestCard(
    state: FlowState,
    /// The page's parameters, as for its buttons.
    make: Callback<(), StepInput>,
    /// The steps the card offers, with their labels.
    steps: &'static [(StepKind, &'static str)],
) -> impl IntoView {
    let step = RwSignal::new(steps.first().map(|(s, _)| *s));
    let method = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let headers = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let input_for = move || {
        let mut input = make.run(());
        input.flow = Some(state.flow);
        input.step = step.get_untracked();
        input.run = state.run_id().unwrap_or_default();
        if let Some(t) = state.outside_token.get_untracked() {
            input.token = t;
        }
        input
    };
    let load = move || {
        problem.set(None);
        let input = input_for();
        leptos::task::spawn_local(async move {
            match plan_step(input).await {
                Ok(out) => {
                    method.set(out.method);
                    path.set(out.path);
                    headers.set(headers_text(&out.headers));
                    body.set(out.body);
                    loaded.set(true);
                }
                Err(e) => {
                    loaded.set(false);
                    problem.set(Some(e.to_string()));
                }
            }
        });
    };
    let run = move |_| {
        let parsed = match parse_headers(&headers.get_untracked()) {
            Ok(h) => h,
            Err(e) => return problem.set(Some(e)),
        };
        let mut input = input_for();
        input.edited = Some(Outgoing {
            method: method.get_untracked().trim().to_ascii_uppercase(),
            path: path.get_untracked().trim().to_owned(),
            headers: parsed,
            body: body.get_untracked(),
        });
        state.run(input);
        loaded.set(false);
    };
    let pick = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        step.set(
            steps
                .iter()
                .find(|(s, _)| s.slug() == chosen)
                .map(|(s, _)| *s),
        );
        loaded.set(false);
    };
    view! {
        <details class="request-card">
            <summary>"Edit a request before it runs"</summary>
            <p class="hint">"Load the request a step would send, change anything (the method, the path, a header, the body), and run it: the card it leaves shows what the server made of it."</p>
            <div class="param-grid">
                <label>"Step"
                    <select name="edit-step" on:change=pick>
                        {steps.iter().map(|(s, label)| view! { <option value=s.slug()>{*label}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="step-buttons">
                <button type="button" on:click=move |_| load()>
                    {move || if loaded.get() { "Reset to the planned request" } else { "Load the planned request" }}
                </button>
            </div>
            {move || problem.get().map(|p| view! { <p class="auth-error" role="alert">{p}</p> })}
            <Show when=move || loaded.get()>
                <div class="param-grid request-fields">
                    <label>"Method"
                        <input type="text" name="edit-method" prop:value=method on:input=move |ev| method.set(event_target_value(&ev)) />
                    </label>
                    <label>"Path and query"
                        <input type="text" name="edit-path" spellcheck="false" prop:value=path on:input=move |ev| path.set(event_target_value(&ev)) />
                    </label>
                </div>
                <label class="wide">"Headers (name: value, one per line)"
                    <textarea name="edit-headers" rows="3" spellcheck="false" prop:value=headers on:input=move |ev| headers.set(event_target_value(&ev))></textarea>
                </label>
                <label class="wide">"Body"
                    <textarea name="edit-body" rows="3" spellcheck="false" prop:value=body on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                </label>
                <div class="step-buttons">
                    <button type="button" class="primary" on:click=run disabled=move || state.busy.get()>
                        {move || format!("Run {}: the edited request", state.next_number())}
                    </button>
                </div>
            </Show>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_a_line_without_a_colon_is_named() {
        let h = vec![
            (
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("authorization".to_owned(), "Basic YTpi".to_owned()),
        ];
        assert_eq!(parse_headers(&headers_text(&h)).unwrap(), h);
        assert_eq!(
            parse_headers("Accept: */*\n\n X-Thing :  v ").unwrap(),
            vec![
                ("accept".to_owned(), "*/*".to_owned()),
                ("x-thing".to_owned(), "v".to_owned())
            ]
        );
        assert!(
            parse_headers("no colon here")
                .unwrap_err()
                .contains("no colon")
        );
    }
}
