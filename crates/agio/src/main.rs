//! `agio`: the command line. A thin dispatcher; the work is in the libraries.

mod allocator;
mod bench;
mod config;
mod hsds;
mod monitoring;
mod user;

use std::process::ExitCode;

use agio_store::{redact_url, Store};
use agio_web::{Application, ServeOptions};
use clap::{Parser, Subcommand};

use config::{Config, ConfigArgs, LogFormat};

// mimalloc instead of glibc's malloc: pages render with many short allocations across threads
// (the uncached agenda page serves a quarter more requests), and glibc kept a grown arena per
// thread after a burst of sign-ins (see docs/benchmarks.md). Its options are set in `main`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// AGIO — the platform of the Agende Digitali Sociali of Emilia-Romagna.
#[derive(Parser)]
#[command(name = "agio", version, about)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, load reference territories (and the demo with --demo), serve the web application.
    Serve {
        /// Also load the demo agendas (shown as "Contenuto dimostrativo").
        #[arg(long)]
        demo: bool,
        /// Keep nothing in memory between requests (pages, read models, sessions): every
        /// answer comes from the database. For measuring and for finding a stale-cache bug.
        #[arg(long)]
        no_cache: bool,
    },
    /// Apply the database migrations; with --to, copy this whole database into an empty one
    /// (SQLite to PostgreSQL as a district joins the regional installation, or back).
    Migrate {
        /// URL of an empty database to copy everything into: postgres://… or sqlite://FILE.
        #[arg(long)]
        to: Option<String>,
        /// Change nothing: say which migrations would run. Exits 0 when the schema is up to
        /// date, 1 when migrations are pending or the schema is newer than this AGIO.
        #[arg(long, conflicts_with = "to")]
        check: bool,
    },
    /// Load the reference territories and, with --demo, the demo agendas.
    Seed {
        /// Load the demo agendas.
        #[arg(long)]
        demo: bool,
    },
    /// Check the configuration and that the database is reachable; the exit code says which.
    Check,
    /// Copy the SQLite database, while AGIO serves it, into a new file (PostgreSQL: scripts/pg-backup).
    Backup {
        /// The backup file to write; it must not exist.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Copy a backup made by `agio backup` into the configured database, which must be empty
    /// (SQLite or PostgreSQL; a backup of an older AGIO is migrated on the way, the file untouched).
    Restore {
        /// The backup file to read.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Benchmark data.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Work with Open Referral HSDS 3.0 files.
    Hsds {
        #[command(subcommand)]
        command: HsdsCommand,
    },
    /// An agenda's monitoring values through the spreadsheet template (XLSX or CSV).
    Monitoring {
        #[command(subcommand)]
        command: MonitoringCommand,
    },
}

#[derive(Subcommand)]
enum MonitoringCommand {
    /// Write the template with the stored values: one row per indicator and period.
    Export {
        /// Slug of the agenda.
        #[arg(long)]
        agenda: String,
        /// E-mail of the person exporting: the indicators whose values they enter.
        #[arg(long = "as")]
        person: String,
        /// The file to write: XLSX, or CSV when it ends in .csv.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Read a filled template (XLSX or CSV): every problem is printed with its sheet, row and
    /// column, or what would change; with --apply it is all written in one transaction.
    Import {
        /// Slug of the agenda.
        #[arg(long)]
        agenda: String,
        /// E-mail of the person importing: their rights apply and the audit log names them.
        #[arg(long = "as")]
        person: String,
        /// Write the values (without it, only what would change is shown).
        #[arg(long)]
        apply: bool,
        /// The file to read.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum HsdsCommand {
    /// Check a file of HSDS services (JSON: a list, one service, or a page) against the
    /// published HSDS 3.0 schemas; every problem is printed with its service and field.
    Check {
        /// The JSON file, or the folder of a tabular data package.
        file: std::path::PathBuf,
    },
    /// Import HSDS services (JSON or a tabular data package): everything is checked first, then
    /// written in one transaction, or nothing is. Unchanged services are left alone.
    Import {
        /// The JSON file, or the folder of a tabular data package.
        file: std::path::PathBuf,
    },
    /// Export every service: HSDS JSON (a list of full services) or a tabular data package.
    Export {
        /// `json` (default) or `csv` (a folder with datapackage.json and CSV files).
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
        /// Where to write: a file for JSON (default: standard output), a folder for CSV.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Write a synthetic directory of N services as HSDS JSON, spread over the 330 comuni.
    Gen {
        /// How many services.
        #[arg(long)]
        services: usize,
        /// The same seed gives the same directory.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The JSON file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// A full published profile for every district that has none (`scripts/bench-profile`).
    Profiles {
        #[arg(long, default_value_t = 300)]
        services: usize,
        #[arg(long, default_value_t = 50)]
        sheets: usize,
        #[arg(long, default_value_t = 40)]
        databases: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Fill the Rimini demo's Community Lab with many ideas, supports and ballots
    /// (`scripts/bench-lab`).
    Lab {
        #[arg(long, default_value_t = 5000)]
        ideas: usize,
        #[arg(long, default_value_t = 100_000)]
        supports: usize,
        #[arg(long, default_value_t = 20_000)]
        ballots: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Writes a second by one writer and by several at once, each in a district of its own
    /// (`scripts/bench-writers`).
    Writers {
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// How long each of the two runs lasts.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// An agenda with values for every district without one: the region's monitoring at scale
    /// (`scripts/bench-monitoring`).
    Monitoring {
        /// Actions per agenda.
        #[arg(long, default_value_t = 40)]
        actions: usize,
        /// Actions of the first (large) agenda, whose template is the 10,000-row import.
        #[arg(long, default_value_t = 170)]
        large: usize,
        /// Indicators per action.
        #[arg(long, default_value_t = 5)]
        indicators: usize,
        /// Approved quarters per indicator.
        #[arg(long, default_value_t = 12)]
        periods: usize,
    },
    /// Close the Rimini demo's vote and time its tally, then check that 200 supporters clicking
    /// at once are each counted once; prints Markdown rows (`scripts/bench-lab`).
    LabClose {
        /// The database's name in the rows.
        #[arg(long)]
        backend: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time a fixed mix of searches on AGIO's index and on PostgreSQL full-text search over
    /// the services of this database; prints a table.
    Search {
        /// The PostgreSQL server to compare with (a scratch database: a table is created).
        #[arg(long)]
        postgres: String,
        #[arg(long, default_value_t = 1000)]
        queries: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with one role; the password is read from the first line of standard input.
    Create(user::CreateUser),
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AGIO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Human => builder.init(),
    }
}

async fn connect(config: &Config) -> anyhow::Result<Store> {
    Store::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(&config.database_url)))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::resolve(&cli.config)?;
    init_tracing(config.log_format);
    match cli.command {
        Command::Serve { demo, no_cache } => {
            allocator::spawn_purger();
            let options = ServeOptions {
                database_url: config.database_url.clone(),
                listen: config.listen.clone(),
                base_url: config.base_url.clone(),
                smtp_url: config.smtp_url.clone(),
                smtp_ca_file: config.smtp_ca_file.clone(),
                synonyms_file: config.synonyms_file.clone(),
                mail_from: config.mail_from.clone(),
                contact_email: config.contact_email.clone(),
                oidc: config.oidc.clone(),
                trusted_proxies: config.trusted_proxies.clone(),
                decidim_hosts: config.decidim_hosts.clone(),
                publisher: config.publisher.clone(),
                metrics_token: config.metrics_token.clone(),
                demo,
                no_cache,
            };
            let app = Application::build(&options).await?;
            tracing::info!(address = %app.local_addr(), base_url = %config.base_url, "AGIO is serving");
            app.run().await
        }
        Command::Migrate { check: true, .. } => {
            let store = Store::connect_existing(&config.database_url)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(&config.database_url)))?;
            let status = store.migration_status().await?;
            println!("database: {}", redact_url(&config.database_url));
            println!("migrations applied: {}", status.applied);
            if let Some((version, name)) = status.unknown.last() {
                anyhow::bail!(
                    "the database has migration {version} ({name}), newer than this AGIO knows: upgrade AGIO first"
                );
            }
            if status.pending.is_empty() {
                println!("nothing to apply: the schema is up to date");
                return Ok(());
            }
            println!("would apply {} migrations:", status.pending.len());
            for (_, name) in &status.pending {
                println!("  {name}");
            }
            anyhow::bail!("{} migrations pending (`agio migrate` applies them)", status.pending.len())
        }
        Command::Migrate { to, .. } => {
            let store = connect(&config).await?;
            let ran = store.migrate().await?;
            println!("migrations applied: {ran}");
            if let Some(target_url) = to {
                let target = Store::connect(&target_url)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot open the target database {}: {e}", redact_url(&target_url)))?;
                let report = store.copy_into(&target).await?;
                for (table, rows) in &report.tables {
                    println!("{table:<24} {rows:>8} rows");
                }
                println!("copied into {}", redact_url(&target_url));
            }
            Ok(())
        }
        Command::Seed { demo } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            let loaded = store.load_reference_territories().await?;
            println!("reference territories: {}", if loaded { "loaded" } else { "already present" });
            if demo {
                let r = store.load_demo().await?;
                println!(
                    "demo: {} agendas, {} actions, {} organisations, {} assets, {} accounts, {} participatory processes, {} services loaded",
                    r.agendas, r.actions, r.organizations, r.assets, r.people, r.processes, r.services
                );
            }
            Ok(())
        }
        Command::User { command: UserCommand::Create(args) } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            store.load_reference_territories().await?;
            user::create(&store, &args).await
        }
        Command::Bench { command: BenchCommand::Gen { services, seed, out } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            store.load_reference_territories().await?;
            bench::generate(&store, services, seed, &out).await
        }
        Command::Bench { command: BenchCommand::Profiles { services, sheets, databases, seed } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            store.load_reference_territories().await?;
            bench::profiles(&store, &bench::ProfileLoad { services, sheets, databases, seed }).await
        }
        Command::Bench { command: BenchCommand::Lab { ideas, supports, ballots, seed } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            bench::lab(&store, &bench::LabLoad { ideas, supports, ballots, seed }).await
        }
        Command::Bench { command: BenchCommand::Monitoring { actions, large, indicators, periods } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            bench::monitoring(&store, &bench::MonitoringLoad { actions, large, indicators, periods }).await
        }
        Command::Bench { command: BenchCommand::Writers { writers, seconds } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            store.load_reference_territories().await?;
            bench::writers(&store, writers, seconds).await
        }
        Command::Bench { command: BenchCommand::LabClose { backend, runs } } => {
            let store = connect(&config).await?;
            bench::lab_close(&store, &backend, runs).await
        }
        Command::Bench { command: BenchCommand::Search { postgres, queries, seed } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            bench::search(&store, &postgres, queries, seed).await
        }
        Command::Hsds { command: HsdsCommand::Check { file } } => hsds::check(&file),
        Command::Hsds { command: HsdsCommand::Import { file } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            store.load_reference_territories().await?;
            let imported = hsds::import(&store, &file).await;
            // Closing folds SQLite's write-ahead log into the database and removes it: after a
            // large import it is as large as what was written, and the next start would read it.
            store.close().await;
            imported
        }
        Command::Hsds { command: HsdsCommand::Export { format, out } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            hsds::export(&store, format == "csv", out.as_deref()).await
        }
        Command::Monitoring { command: MonitoringCommand::Export { agenda, person, out } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            monitoring::export(&store, &agenda, &person, &out).await
        }
        Command::Monitoring { command: MonitoringCommand::Import { agenda, person, apply, file } } => {
            let store = connect(&config).await?;
            store.migrate().await?;
            let imported = monitoring::import(&store, &agenda, &person, &file, apply).await;
            store.close().await;
            imported
        }
        Command::Backup { out } => {
            let store = Store::connect_existing(&config.database_url)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(&config.database_url)))?;
            store.backup_to(&out).await?;
            let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!("backed up {} into {} ({} kB)", redact_url(&config.database_url), out.display(), bytes / 1024);
            Ok(())
        }
        Command::Restore { from } => restore(&config, &from).await,
        Command::Check => {
            println!(
                "configuration: ok{}",
                config.file.as_ref().map(|p| format!(" (file {})", p.display())).unwrap_or_default()
            );
            println!("database: {}", redact_url(&config.database_url));
            let store = Store::connect_existing(&config.database_url)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact_url(&config.database_url)))?;
            store.ping().await?;
            println!("database reachable: ok");
            Ok(())
        }
    }
}

/// `agio restore`: the backup is copied to a scratch file first, so that migrating it (a backup
/// of an older AGIO) leaves the backup itself as it was.
async fn restore(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    if !from.is_file() {
        anyhow::bail!("no backup file at {}", from.display());
    }
    // A private folder of its own (0700, a random name that must not exist yet): nobody else
    // can put a file, a link or a write-ahead log where the copy goes.
    use std::os::unix::fs::DirBuilderExt;
    let folder = std::env::temp_dir().join(format!("agio-restore-{}", &agio_domain::credentials::new_token()[..16]));
    std::fs::DirBuilder::new().mode(0o700).create(&folder)?;
    let scratch = folder.join("backup.sqlite");
    if let Err(e) = std::fs::copy(from, &scratch) {
        let _ = std::fs::remove_dir_all(&folder);
        anyhow::bail!("cannot read {}: {e}", from.display());
    }
    let copied = async {
        let backup = Store::connect_existing(&format!("sqlite://{}", scratch.display())).await?;
        backup.migrate().await?;
        let target = connect(config).await?;
        let report = backup.copy_into(&target).await;
        backup.close().await;
        target.close().await;
        anyhow::Ok(report?)
    }
    .await;
    let _ = std::fs::remove_dir_all(&folder);
    let report = copied?;
    let rows: usize = report.tables.iter().map(|(_, rows)| rows).sum();
    println!(
        "restored {} into {}: {} tables, {rows} rows",
        from.display(),
        redact_url(&config.database_url),
        report.tables.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    allocator::configure();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(allocator::collect_when_idle)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
