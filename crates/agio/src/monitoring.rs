//! `agio monitoring export|import`: an agenda's values through the spreadsheet template, at the
//! command line, with the rights of the person named by `--as` (their changes are theirs in the
//! audit log). The rules are the pages' (`agio_app::monitoring_sheet`).

use std::path::Path;

use agio_app::monitoring_sheet::{self as sheet, CellError, FileProblem, COLUMNS};
use agio_domain::access::Principal;
use agio_domain::Channel;
use agio_store::{Actor, Store};

/// The person acting, with their roles.
async fn principal(store: &Store, email: &str) -> anyhow::Result<Principal> {
    let (person, _) =
        store.person_by_email(email).await?.ok_or_else(|| anyhow::anyhow!("no account with the e-mail {email}"))?;
    let grants = store.grants(&person.id).await?;
    Ok(Principal { person_id: person.id, grants })
}

fn refused(e: agio_app::Error, slug: &str, email: &str) -> anyhow::Error {
    match e {
        agio_app::Error::NotFound => anyhow::anyhow!("no agenda {slug} that {email} may see"),
        agio_app::Error::Forbidden => anyhow::anyhow!("{email} neither enters nor approves the values of {slug}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Writes the template with the stored values: XLSX, or CSV when the file ends in `.csv`.
pub async fn export(store: &Store, slug: &str, email: &str, out: &Path) -> anyhow::Result<()> {
    let who = principal(store, email).await?;
    let (_, rows) = sheet::export(store, Some(&who), slug).await.map_err(|e| refused(e, slug, email))?;
    let csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let bytes = if csv { sheet::csv(&rows) } else { sheet::xlsx(&rows) }.map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(out, bytes)?;
    println!("{}: {} rows (indicator × period)", out.display(), rows.len());
    Ok(())
}

/// Where a problem is, as the messages say it: "Valori, row 5, column H (valore)".
fn place(e: &CellError) -> String {
    let column = e.column.map(|c| {
        let name = COLUMNS.get(c).map(|n| format!(" ({n})")).unwrap_or_default();
        format!(", column {}{name}", (b'A' + (c as u8 % 26)) as char)
    });
    match e.row {
        0 => e.sheet.clone(),
        row => format!("{}, row {row}{}", e.sheet, column.unwrap_or_default()),
    }
}

fn problem(p: &FileProblem) -> String {
    match p {
        FileProblem::Field { problem } => format!("{problem:?}"),
        other => format!("{other:?}"),
    }
}

/// Reads the file and shows what would change; with `apply`, writes it all in one transaction.
pub async fn import(store: &Store, slug: &str, email: &str, file: &Path, apply: bool) -> anyhow::Result<()> {
    let who = principal(store, email).await?;
    let bytes = std::fs::read(file)?;
    let xlsx = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let rows = if xlsx { sheet::read_xlsx(bytes) } else { sheet::read_csv(&bytes) };
    let outcome = match rows {
        Ok(rows) => sheet::plan(store, Some(&who), slug, &rows, &|_| {}).await.map_err(|e| refused(e, slug, email))?,
        Err(errors) => Err(errors),
    };
    let plan = match outcome {
        Ok(plan) => plan,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {}: {}", file.display(), place(e), problem(&e.problem));
            }
            anyhow::bail!("{} problems: nothing was imported", errors.len());
        }
    };
    let new = plan.changes.iter().filter(|c| c.before.is_none()).count();
    println!(
        "{}: {new} new values, {} changed, {} unchanged, {} rows without a value",
        file.display(),
        plan.changes.len() - new,
        plan.unchanged,
        plan.empty
    );
    if !apply {
        println!("nothing written: run again with --apply to save them");
        return Ok(());
    }
    let actor = Actor { person_id: Some(who.person_id.clone()), channel: Channel::Cli, address: String::new() };
    let mut w = store.begin_write(&actor).await?;
    if !sheet::apply(&mut w, &plan).await? {
        anyhow::bail!("a value changed while the file was read: nothing was imported, run it again");
    }
    w.commit().await?;
    println!("saved {} values as drafts", plan.changes.len());
    Ok(())
}
