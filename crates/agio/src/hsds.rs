//! `agio hsds check|import|export`: Open Referral HSDS 3.0 files in and out of the directory.
//! A file is HSDS JSON (a list of full services as `/services?full=true` gives them, one
//! service, or a page) or a tabular data package (a folder with `datapackage.json` and CSV
//! files). An import checks everything first and writes all or nothing.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use agio_directory::checks::{EverythingKnown, Known};
use agio_hsds::ImportProblem;
use agio_store::Store;
use serde_json::Value;

/// At most this many problems are printed; the count says how many there are in all.
const SHOWN: usize = 200;

/// What a path holds: the services of a tabular package (a folder), or a JSON file (its name
/// and path: read as it is used, never whole).
enum Source {
    Package(Vec<Value>),
    Json(String, PathBuf),
}

impl Source {
    fn read(path: &Path, known: &dyn Known) -> Result<Source, Vec<ImportProblem>> {
        if path.is_dir() {
            return agio_hsds::tabular::read_package(path, known).map(Source::Package);
        }
        let file =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        Ok(Source::Json(file, path.to_path_buf()))
    }

    /// The name problems are reported under.
    fn file(&self, label: &str) -> String {
        match self {
            Source::Json(file, _) => file.clone(),
            Source::Package(_) => label.to_string(),
        }
    }

    /// How many services there are: a JSON file is read through once, keeping nothing, which
    /// also finds a file that is not JSON before anything is written. None for what can be read
    /// only once (a pipe, `/dev/stdin`): its import goes without a total.
    fn count(&self) -> Result<Option<usize>, Vec<ImportProblem>> {
        match self {
            Source::Package(services) => Ok(Some(services.len())),
            Source::Json(_, path) if !path.is_file() => Ok(None),
            Source::Json(file, path) => {
                agio_hsds::json::count_services(file, open(file, path)?).map(Some).map_err(|p| vec![p])
            }
        }
    }

    fn incoming(self) -> Result<agio_app::directory::Incoming, Vec<ImportProblem>> {
        match self {
            Source::Package(services) => Ok(agio_app::directory::Incoming::Parsed(services)),
            Source::Json(file, path) => Ok(agio_app::directory::Incoming::Json(Box::new(open(&file, &path)?))),
        }
    }
}

fn open(file: &str, path: &Path) -> Result<std::fs::File, Vec<ImportProblem>> {
    std::fs::File::open(path).map_err(|e| vec![ImportProblem::new(file, None, None, format!("cannot read: {e}"))])
}

/// Prints the problems (the first [`SHOWN`]) and fails with their count.
fn refuse(problems: &[ImportProblem], what: &str) -> anyhow::Result<()> {
    for problem in problems.iter().take(SHOWN) {
        println!("{problem}");
    }
    if problems.len() > SHOWN {
        println!("… and {} more", problems.len() - SHOWN);
    }
    anyhow::bail!("{} problems: {what}", problems.len())
}

pub fn check(path: &Path) -> anyhow::Result<()> {
    let label = path.display().to_string();
    let source = match Source::read(path, &EverythingKnown) {
        Ok(source) => source,
        Err(problems) => return refuse(&problems, "the file cannot be read as HSDS services"),
    };
    let file = source.file(&label);
    let mut checker = agio_hsds::json::Checker::new(&file, &EverythingKnown);
    let (mut count, mut problems) = (0, Vec::new());
    let read = source.incoming().and_then(|services| {
        services
            .each(&file, |service| {
                count += 1;
                problems.extend(checker.check(count, &service));
                true
            })
            .map_err(|p| vec![p])
    });
    if let Err(problems) = read {
        return refuse(&problems, "the file cannot be read as HSDS services");
    }
    if !problems.is_empty() {
        return refuse(&problems, "nothing would be imported");
    }
    println!("{label}: {count} services, all valid HSDS 3.0");
    Ok(())
}

pub async fn import(store: &Store, path: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let label = path.display().to_string();
    let known = agio_app::directory::KnownRecords::load(store).await?;
    let source = match Source::read(path, &known) {
        Ok(source) => source,
        Err(problems) => return refuse(&problems, "nothing was imported"),
    };
    let file = source.file(&label);
    let total = match source.count() {
        Ok(total) => total,
        Err(problems) => return refuse(&problems, "nothing was imported"),
    };
    let services = match source.incoming() {
        Ok(services) => services,
        Err(problems) => return refuse(&problems, "nothing was imported"),
    };
    match total {
        Some(total) => eprintln!(
            "{label}: {total} services counted in {:.1} s; checking and writing them",
            started.elapsed().as_secs_f64()
        ),
        None => eprintln!("{label}: checking and writing the services as they come"),
    }
    let mut bar = Progress::new(total);
    let actor = agio_store::Actor::import();
    match agio_app::directory::import(store, &file, services, &actor, |done| bar.show(done)).await {
        Ok(report) => {
            bar.finish();
            println!(
                "{label}: {} services: {} created, {} updated, {} unchanged ({:.1} s)",
                report.created + report.updated + report.unchanged,
                report.created,
                report.updated,
                report.unchanged,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(agio_app::directory::ImportFailure::Invalid(problems)) => {
            bar.finish();
            refuse(&problems, "nothing was imported")
        }
        Err(agio_app::directory::ImportFailure::Store(e)) => Err(e.into()),
    }
}

/// Every service of the directory, as full HSDS documents, in id order.
async fn all_services(store: &Store) -> anyhow::Result<Vec<Value>> {
    let mut services = Vec::new();
    let mut after = String::new();
    loop {
        let batch = store.directory_services_after(&after, 2_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        services.extend(batch.into_iter().map(|s| s.document));
    }
    Ok(services)
}

pub async fn export(store: &Store, csv: bool, out: Option<&Path>) -> anyhow::Result<()> {
    let services = all_services(store).await?;
    match (csv, out) {
        (true, Some(dir)) => {
            std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            agio_hsds::tabular::write_package(&services, dir)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dir.display()))?;
            eprintln!("{} services written to {} (datapackage.json and CSV files)", services.len(), dir.display());
        }
        (true, None) => anyhow::bail!("a tabular package is a folder: give it with --out"),
        (false, Some(file)) => {
            let text = serde_json::to_string(&services)?;
            std::fs::write(file, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
            eprintln!("{} services written to {}", services.len(), file.display());
        }
        (false, None) => {
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer(&mut stdout, &services)?;
            writeln!(stdout)?;
        }
    }
    Ok(())
}

/// A progress bar on standard error: drawn in place on a terminal, a line every tenth
/// otherwise (logs).
struct Progress {
    /// None when the services could not be counted first (a pipe).
    total: Option<usize>,
    shown: usize,
    terminal: bool,
}

impl Progress {
    fn new(total: Option<usize>) -> Progress {
        Progress { total, shown: 0, terminal: std::io::stderr().is_terminal() }
    }

    fn show(&mut self, done: usize) {
        let Some(total) = self.total else {
            // Without a total: a line every 10,000 services.
            if done / 10_000 > self.shown {
                self.shown = done / 10_000;
                eprintln!("{done} services");
            }
            return;
        };
        let steps = if self.terminal { 50 } else { 10 };
        let step = done * steps / total.max(1);
        if step == self.shown && done != total {
            return;
        }
        self.shown = step;
        if self.terminal {
            let bar: String = (0..steps).map(|i| if i < step { '#' } else { ' ' }).collect();
            eprint!("\r[{bar}] {done}/{total}");
        } else {
            eprintln!("{done}/{total} services");
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
