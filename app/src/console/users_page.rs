//! `/developer/users`: the demo users (resource owners) a developer made for their own testing;
//! for an admin, every account, with promote and disable.

use super::api::{delete_user, list_users, save_user, set_account, whoami};
use super::dashboard::ConsoleFrame;
use super::wire::{UserForm, UserSummary};
use leptos::prelude::*;

/// The page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let users = Resource::new(move || version.get(), |_| list_users());
    let is_admin = Resource::new(|| (), |_| whoami());
    let form = RwSignal::new(UserForm::default());
    let error = RwSignal::new(None::<String>);
    let reload = move || version.update(|v| *v += 1);
    // Runs a change, then shows its error or reloads the list.
    let run = move |fut: Runner| {
        leptos::task::spawn_local(async move {
            match fut.await {
                Ok(()) => {
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        run(Box::pin(async move {
            save_user(f).await.map(|_| form.set(UserForm::default()))
        }));
    };
    let field = move |f: fn(&mut UserForm, String)| {
        move |ev: leptos::ev::Event| form.update(|s| f(s, event_target_value(&ev)))
    };
    let admin = move || {
        is_admin
            .get()
            .and_then(|r| r.ok().flatten())
            .is_some_and(|m| m.is_admin)
    };
    view! {
        <ConsoleFrame title="Users">
            <p class="lead">"Resource owners your flows can sign in as. Passwords are write-only: stored as argon2 hashes and never shown."</p>
            <form class="client-form" on:submit=create>
                <fieldset>
                    <legend>"New demo user"</legend>
                    <label>"Username" <input type="text" required prop:value=move || form.with(|f| f.username.clone()) on:input=field(|f, v| f.username = v) /></label>
                    <label>"Password" <input type="password" required prop:value=move || form.with(|f| f.password.clone()) on:input=field(|f, v| f.password = v) /></label>
                    <label>"Name" <input type="text" prop:value=move || form.with(|f| f.name.clone()) on:input=field(|f, v| f.name = v) /></label>
                    <label>"Email" <input type="email" prop:value=move || form.with(|f| f.email.clone()) on:input=field(|f, v| f.email = v) /></label>
                    <label>"fhirUser (optional: their FHIR resource, for SMART apps)" <input type="text" placeholder="Practitioner/prac-1" prop:value=move || form.with(|f| f.fhir_user.clone()) on:input=field(|f, v| f.fhir_user = v) /></label>
                    <button type="submit" class="primary">"Create the user"</button>
                </fieldset>
            </form>
            {move || error.get().map(|e| view! { <p class="auth-error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) => view! { <p class="auth-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Table, scrolls sideways on a narrow screen"><table class="claims listing">
                            <thead><tr><th scope="col">"Username"</th><th scope="col">"Name"</th><th scope="col">"fhirUser"</th><th scope="col">"Roles"</th><th scope="col">"State"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| view! { <UserRow user=u admin=admin() run /> }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Suspense>
        </ConsoleFrame>
    }
}

/// A change to run from a button: a server call whose failure the page shows.
type Runner =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), super::wire::Failure>>>>;

#[component]
fn UserRow(user: UserSummary, admin: bool, run: impl Fn(Runner) + Copy + 'static) -> impl IntoView {
    let name = user.username.clone();
    let is_admin = user.roles.iter().any(|r| r == "admin");
    let is_dev = user.roles.iter().any(|r| r == "developer");
    let disabled = user.disabled;
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    view! {
        <tr data-user=name.clone()>
            <td><code>{name.clone()}</code></td>
            <td>{user.name.clone().unwrap_or_default()}</td>
            <td>{user.fhir_user.clone().map(|f| view! { <code>{f}</code> })}</td>
            <td>{if user.roles.is_empty() { "resource owner".to_owned() } else { user.roles.join(", ") }}</td>
            <td>{if disabled { "disabled" } else { "active" }}</td>
            <td>
                <button type="button" class="link" on:click=move |_| { let n = n1.clone(); run(Box::pin(async move { delete_user(n).await })) }>"Delete"</button>
                {(admin && (is_dev || is_admin)).then(|| view! {
                    " · "
                    <button type="button" class="link" on:click=move |_| { let n = n2.clone(); run(Box::pin(async move { set_account(n, !is_admin, disabled).await.map(|_| ()) })) }>
                        {if is_admin { "Make developer" } else { "Promote to admin" }}
                    </button>
                    " · "
                    <button type="button" class="link" on:click=move |_| { let n = n3.clone(); run(Box::pin(async move { set_account(n, is_admin, !disabled).await.map(|_| ()) })) }>
                        {if disabled { "Enable" } else { "Disable" }}
                    </button>
                })}
            </td>
        </tr>
    }
}
