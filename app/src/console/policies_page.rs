//! `/developer/policies`: the access policies of the demo API (SPEC "AccessPolicy") for your
//! clients, and a debugger that tells which policy allows or denies a request, and why.

use super::api::{delete_policy, list_policies, save_policy, test_request};
use super::dashboard::ConsoleFrame;
use super::wire::{DebugRequest, DebugResult, PolicyForm};
use leptos::prelude::*;

/// A list as the forms show it.
pub fn csv(items: &[String]) -> String {
    items.join(", ")
}

/// A list as typed in a form: separated by commas or spaces.
pub fn parse_csv(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The last cell of a listing's row: edit the row in the form above, or delete it.
#[component]
pub fn RowActions(edit: Callback<()>, delete: Callback<()>) -> impl IntoView {
    view! {
        <td>
            <button type="button" class="link" on:click=move |_| edit.run(())>"Edit"</button> " · "
            <button type="button" class="link" on:click=move |_| delete.run(())>"Delete"</button>
        </td>
    }
}

/// The page.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let policies = Resource::new(move || version.get(), |_| list_policies());
    let form = RwSignal::new(PolicyForm {
        methods: vec!["GET".into()],
        path: "/fhir/*".into(),
        auth: "bearer".into(),
        ..Default::default()
    });
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        leptos::task::spawn_local(async move {
            match save_policy(f).await {
                Ok(_) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            match delete_policy(id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let text = move |f: fn(&mut PolicyForm, String)| {
        move |ev: leptos::ev::Event| form.update(|s| f(s, event_target_value(&ev)))
    };
    view! {
        <ConsoleFrame title="Access policies">
            <p class="lead">
                "The demo API denies by default. A policy allows a request when every field it sets matches; "
                "any one matching policy is enough. Your policies name your own clients, or the issuers you trust."
            </p>
            <form class="client-form" on:submit=save>
                <fieldset>
                    <legend>"Policy"</legend>
                    <label>"Id" <input type="text" required prop:value=move || form.with(|f| f.id.clone()) on:input=text(|f, v| f.id = v) /></label>
                    <label>"Description" <input type="text" prop:value=move || form.with(|f| f.description.clone()) on:input=text(|f, v| f.description = v) /></label>
                    <label>"Methods (comma-separated; empty: any)" <input type="text" prop:value=move || form.with(|f| csv(&f.methods)) on:change=text(|f, v| f.methods = parse_csv(&v.to_ascii_uppercase())) /></label>
                    <label>"Path (a glob: * within a segment, ** across)" <input type="text" prop:value=move || form.with(|f| f.path.clone()) on:input=text(|f, v| f.path = v) /></label>
                    <label>"Client ids" <input type="text" prop:value=move || form.with(|f| csv(&f.client_ids)) on:change=text(|f, v| f.client_ids = parse_csv(&v)) /></label>
                    <label>"Usernames (empty: any)" <input type="text" prop:value=move || form.with(|f| csv(&f.usernames)) on:change=text(|f, v| f.usernames = parse_csv(&v)) /></label>
                    <label>"Scopes the token must hold (empty: none needed)" <input type="text" prop:value=move || form.with(|f| csv(&f.scopes)) on:change=text(|f, v| f.scopes = parse_csv(&v)) /></label>
                    <label>"Issuers (outside iss values whose tokens it admits; empty: this server's own only)" <input type="text" prop:value=move || form.with(|f| csv(&f.issuers)) on:change=text(|f, v| f.issuers = parse_csv(&v)) /></label>
                    <label>"Authentication"
                        <select prop:value=move || form.with(|f| f.auth.clone()) on:change=text(|f, v| f.auth = v)>
                            <option value="">"either"</option>
                            <option value="bearer">"bearer: an access token"</option>
                            <option value="basic">"basic: the client's id and secret"</option>
                        </select>
                    </label>
                    <button type="submit" class="primary">"Save the policy"</button>
                </fieldset>
            </form>
            {move || error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || policies.get().map(|r| match r {
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No policies yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Table, scrolls sideways on a narrow screen"><table class="claims listing">
                            <thead><tr><th scope="col">"Id"</th><th scope="col">"Methods"</th><th scope="col">"Path"</th><th scope="col">"Clients"</th><th scope="col">"Scopes"</th><th scope="col">"Auth"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|p| {
                                    let (edit, id) = (p.clone(), p.id.clone());
                                    view! {
                                        <tr data-policy=p.id.clone()>
                                            <td><code>{p.id.clone()}</code></td>
                                            <td>{csv(&p.methods)}</td>
                                            <td><code>{p.path.clone()}</code></td>
                                            <td>{csv(&p.client_ids)}</td>
                                            <td>{csv(&p.scopes)}</td>
                                            <td>{p.auth.clone()}</td>
                                            <RowActions
                                                edit=Callback::new(move |()| form.set(edit.clone()))
                                                delete=Callback::new(move |()| remove(id.clone()))
                                            />
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Suspense>
            <Debugger />
        </ConsoleFrame>
    }
}

/// Test a request: which policy allows or denies it, field by field.
#[component]
fn Debugger() -> impl IntoView {
    let request = RwSignal::new(DebugRequest {
        method: "GET".into(),
        path: "/fhir/Patient".into(),
        authorization: String::new(),
    });
    let result = RwSignal::new(None::<Result<DebugResult, String>>);
    let test = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = request.get_untracked();
        leptos::task::spawn_local(async move {
            result.set(Some(test_request(r).await.map_err(|e| e.to_string())));
        });
    };
    let text = move |f: fn(&mut DebugRequest, String)| {
        move |ev: leptos::ev::Event| request.update(|s| f(s, event_target_value(&ev)))
    };
    view! {
        <section class="card" aria-labelledby="debug-title">
            <h2 id="debug-title">"Test a request"</h2>
            <form class="client-form" on:submit=test>
                <label>"Method"
                    <select prop:value=move || request.with(|r| r.method.clone()) on:change=text(|r, v| r.method = v)>
                        {["GET", "POST", "PUT", "DELETE"].map(|m| view! { <option value=m>{m}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Path" <input type="text" prop:value=move || request.with(|r| r.path.clone()) on:input=text(|r, v| r.path = v) /></label>
                <label>"Authorization header (Bearer <token> or Basic <base64>)"
                    <input type="text" prop:value=move || request.with(|r| r.authorization.clone()) on:input=text(|r, v| r.authorization = v) />
                </label>
                <button type="submit" class="primary">"Test"</button>
            </form>
            {move || result.get().map(|r| match r {
                Err(e) => view! { <p class="auth-error" role="alert">{e}</p> }.into_any(),
                Ok(d) => view! {
                    <div class="debug-result" data-allowed=d.allowed.to_string()>
                        <p class=if d.allowed { "sig ok" } else { "sig bad" }>
                            {format!("{} — the demo API would answer {}", d.summary, d.status)}
                        </p>
                        {d.verdicts.into_iter().map(|v| view! {
                            <h3>{format!("{}: {}", v.policy_id, if v.allowed { "allows" } else { "does not match" })}</h3>
                            <ul class="remarks">
                                {v.fields.into_iter().map(|f| view! {
                                    <li class=if f.matched { "check ok" } else { "check bad" }>
                                        <span>{if f.matched { "✓ " } else { "✗ " }}</span><code>{f.field}</code> " " {f.detail}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }).collect_view()}
                    </div>
                }.into_any(),
            })}
        </section>
    }
}
