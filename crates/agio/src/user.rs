//! `agio user create`: accounts from the command line (the first administrator above all).

use std::io::BufRead;

use agio_domain::access::Scope;
use agio_domain::credentials::{check_password, hash_password};
use agio_domain::Role;
use agio_store::{Actor, NewPerson, Store};
use clap::Args;

#[derive(Args)]
pub struct CreateUser {
    /// Email address (the sign-in name).
    #[arg(long)]
    email: String,
    /// Full name; defaults to the part of the email before '@'.
    #[arg(long)]
    name: Option<String>,
    /// Organisation the person works for (free text).
    #[arg(long, default_value = "")]
    organization_name: String,
    /// admin, coordinator, referent or citizen.
    #[arg(long)]
    role: Role,
    /// For a coordinator: the agenda (slug) they coordinate…
    #[arg(long)]
    agenda: Option<String>,
    /// …or the territory (ISTAT code or slug) whose agendas they coordinate.
    #[arg(long)]
    territory: Option<String>,
    /// For a referent: the organisation (slug) they speak for.
    #[arg(long)]
    organization: Option<String>,
}

/// Reads the password from the first line of standard input (nothing: no password, sign-in
/// then needs a reset link or an external identity).
fn read_password() -> anyhow::Result<Option<String>> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    Ok(Some(password).filter(|p| !p.is_empty()))
}

async fn scope(store: &Store, args: &CreateUser) -> anyhow::Result<Scope> {
    let given = [args.agenda.is_some(), args.territory.is_some(), args.organization.is_some()];
    let wanted = match args.role {
        Role::Admin | Role::Citizen => [false, false, false],
        Role::Referent => [false, false, true],
        Role::Coordinator if args.territory.is_some() => [false, true, false],
        Role::Coordinator => [true, false, false],
    };
    if given != wanted {
        anyhow::bail!(
            "--role {}: {}",
            args.role,
            match args.role {
                Role::Admin | Role::Citizen => "takes no --agenda, --territory or --organization",
                Role::Coordinator => "needs exactly one of --agenda or --territory",
                Role::Referent => "needs --organization (and nothing else)",
            }
        );
    }
    Ok(match (&args.agenda, &args.territory, &args.organization) {
        (Some(slug), _, _) => {
            let facts = store.agenda_facts(slug).await?.ok_or_else(|| anyhow::anyhow!("no agenda '{slug}'"))?;
            Scope::Agenda(facts.agenda_id)
        }
        (_, Some(key), _) => {
            let t = store.territory(key).await?.ok_or_else(|| anyhow::anyhow!("no territory '{key}'"))?;
            Scope::Territory(t.id)
        }
        (_, _, Some(slug)) => {
            let o = store.organization(slug).await?.ok_or_else(|| anyhow::anyhow!("no organisation '{slug}'"))?;
            Scope::Organization(o.id)
        }
        _ => Scope::Everywhere,
    })
}

pub async fn create(store: &Store, args: &CreateUser) -> anyhow::Result<()> {
    let scope = scope(store, args).await?;
    let email = agio_store::normalize_email(&args.email);
    if !email.contains('@') || email.len() > 254 || email.chars().any(char::is_whitespace) {
        anyhow::bail!("--email '{}' is not an email address", args.email);
    }
    let password = read_password()?;
    if let Some(p) = &password {
        check_password(p, &email).map_err(|problem| anyhow::anyhow!("password refused: {problem}"))?;
    }
    let name = args.name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
    let mut write = store.begin_write(&Actor::cli()).await?;
    let person = write
        .create_person(&NewPerson {
            email,
            name,
            organization_name: args.organization_name.clone(),
            password_hash: password.as_deref().map(hash_password),
            is_demo: false,
        })
        .await?;
    write.grant_role(&person, args.role, &scope).await?;
    write.commit().await?;
    println!(
        "created {} ({}){}",
        person.email,
        args.role,
        if password.is_none() { ", without a password" } else { "" }
    );
    Ok(())
}
