//! `agio bench gen --services N`: a synthetic directory for benchmarks, written as HSDS JSON
//! (a list of full services, what `agio hsds import` reads): the demo templates' realistic
//! Italian texts, at comuni picked all over the region.

use std::io::Write;
use std::path::Path;

use agio_directory::generate::{synthetic_services, Context, Templates};
use agio_store::Store;

pub async fn generate(store: &Store, count: usize, seed: u64, out: &Path) -> anyhow::Result<()> {
    let templates = Templates::demo()?;
    let comuni = store.directory_comuni().await?;
    let terms = store.directory_term_labels().await?;
    let no_action = |_: &str, _: &str| None;
    let context = Context { comuni: &comuni, terms: &terms, action: &no_action };
    let file = std::fs::File::create(out).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    writer.write_all(b"[")?;
    let mut first = true;
    synthetic_services(&templates, &context, count, seed, |service| {
        let separator: &[u8] = if first { b"\n" } else { b",\n" };
        first = false;
        writer
            .write_all(separator)
            .and_then(|_| serde_json::to_writer(&mut writer, &service).map_err(std::io::Error::from))
            .map_err(|e| e.to_string())
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    writer.write_all(b"\n]\n")?;
    writer.flush()?;
    eprintln!("{count} synthetic services over {} comuni written to {}", comuni.len(), out.display());
    Ok(())
}

/// One query of the benchmark mix.
struct BenchQuery {
    text: String,
    need: Option<String>,
    comune: Option<agio_directory::generate::Comune>,
}

/// A fixed mix of queries (the same seed gives the same mix): single words, phrases, words
/// with a need filter, words near a comune, taken from the templates' own vocabulary.
fn query_mix(
    templates: &Templates,
    comuni: &[agio_directory::generate::Comune],
    count: usize,
    seed: u64,
) -> Vec<BenchQuery> {
    let mut words: Vec<String> = templates
        .templates
        .iter()
        .flat_map(|t| {
            agio_search::fold(&format!("{} {}", t.name.it, t.summary.it))
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.len() >= 5 && !agio_search::stop_word(w))
        .collect();
    words.sort();
    words.dedup();
    let needs: Vec<&String> = templates.templates.iter().flat_map(|t| t.needs.iter()).collect();
    let mut random = seed.max(1);
    let mut next = move |n: usize| {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (random % n as u64) as usize
    };
    (0..count)
        .map(|i| {
            let word = words[next(words.len())].clone();
            match i % 5 {
                0 | 1 => BenchQuery { text: word, need: None, comune: None },
                2 => BenchQuery { text: format!("{word} {}", words[next(words.len())]), need: None, comune: None },
                3 => BenchQuery { text: word, need: Some(needs[next(needs.len())].clone()), comune: None },
                _ => BenchQuery { text: word, need: None, comune: Some(comuni[next(comuni.len())].clone()) },
            }
        })
        .collect()
}

/// Latency percentiles and throughput of one engine over the mix.
struct Timings {
    engine: &'static str,
    micros: Vec<u128>,
    total: std::time::Duration,
    matches: usize,
}

impl Timings {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index] as f64 / 1000.0
    }

    fn row(&self) -> String {
        format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {} |",
            self.engine,
            self.micros.len(),
            self.percentile(0.50),
            self.percentile(0.95),
            self.percentile(0.99),
            self.micros.len() as f64 / self.total.as_secs_f64(),
            self.matches
        )
    }
}

/// `agio bench search`: the query mix against AGIO's index (built from this database) and
/// against PostgreSQL full-text search (`tsvector`, `italian`, GIN, `ts_rank`, distance) on the
/// same services, in the same run; prints a Markdown table.
pub async fn search(store: &Store, postgres_url: &str, count: usize, seed: u64) -> anyhow::Result<()> {
    let templates = Templates::demo()?;
    let comuni = store.directory_comuni().await?;
    let queries = query_mix(&templates, &comuni, count, seed);
    let synonyms = agio_search::Synonyms::parse(agio_app::directory::DEFAULT_SYNONYMS)?;
    let started = std::time::Instant::now();
    let directory =
        agio_app::directory::Directory::build(store, synonyms).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eprintln!("AGIO index: {} services in {:.1} s", directory.index.len(), started.elapsed().as_secs_f64());

    let pg = sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(postgres_url).await?;
    load_postgres(store, &directory, &pg).await?;

    // Warm both up on the first queries, then time the whole mix, one query at a time.
    let now = time::OffsetDateTime::now_utc();
    let ask = |q: &BenchQuery| {
        let mut filters = std::collections::BTreeMap::new();
        if let Some(need) = &q.need {
            filters.insert("need", need.clone());
        }
        agio_app::directory::Ask {
            text: q.text.clone(),
            filters,
            comune: q.comune.as_ref().map(|c| c.istat.clone()),
            limit: 10,
            facets: true,
            ..Default::default()
        }
    };
    for q in queries.iter().take(50) {
        directory.search(&ask(q), now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        postgres_query(&pg, q).await?;
    }
    let mut agio =
        Timings { engine: "AGIO (tantivy, in process)", micros: Vec::new(), total: Default::default(), matches: 0 };
    let all = std::time::Instant::now();
    for q in &queries {
        let t = std::time::Instant::now();
        let results = directory.search(&ask(q), now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        agio.micros.push(t.elapsed().as_micros());
        agio.matches += results.total;
    }
    agio.total = all.elapsed();
    let mut postgres = Timings {
        engine: "PostgreSQL (tsvector italian, GIN)",
        micros: Vec::new(),
        total: Default::default(),
        matches: 0,
    };
    let all = std::time::Instant::now();
    for q in &queries {
        let t = std::time::Instant::now();
        let matches = postgres_query(&pg, q).await?;
        postgres.micros.push(t.elapsed().as_micros());
        postgres.matches += matches;
    }
    postgres.total = all.elapsed();

    println!("| engine | queries | p50 ms | p95 ms | p99 ms | queries/s | matches (sum) |");
    println!("|---|---|---|---|---|---|---|");
    println!("{}", agio.row());
    println!("{}", postgres.row());
    println!();
    println!("p50 ratio AGIO / PostgreSQL: {:.3} (target ≤ 0.10)", agio.percentile(0.5) / postgres.percentile(0.5));
    Ok(())
}

/// The same services in PostgreSQL: the Italian texts AGIO indexes, a generated `tsvector`
/// with the `italian` configuration and a GIN index, the needs, the district and the position.
async fn load_postgres(
    store: &Store,
    directory: &agio_app::directory::Directory,
    pg: &sqlx::PgPool,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_services; \
         CREATE TABLE bench_services (id TEXT PRIMARY KEY, body TEXT NOT NULL, needs TEXT[] NOT NULL, district TEXT, \
         lat DOUBLE PRECISION, lon DOUBLE PRECISION, \
         tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('italian', body)) STORED)",
    )
    .execute(pg)
    .await?;
    let mut after = String::new();
    loop {
        let batch = store.directory_services_after(&after, 2_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        let (mut ids, mut bodies, mut needs, mut districts, mut lats, mut lons) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for indexed in batch.iter().filter_map(|s| directory.indexed(s)) {
            ids.push(indexed.id.clone());
            bodies.push(format!("{}\n{}", indexed.names.join("\n"), indexed.text_it));
            needs.push(indexed.filters.get("need").cloned().unwrap_or_default().join(" "));
            districts.push(indexed.filters.get("district").and_then(|d| d.first().cloned()));
            lats.push(indexed.position.map(|p| p.0));
            lons.push(indexed.position.map(|p| p.1));
        }
        sqlx::query(
            "INSERT INTO bench_services (id, body, needs, district, lat, lon) \
             SELECT i, b, string_to_array(n, ' '), d, la, lo \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[]) AS t(i, b, n, d, la, lo)",
        )
        .bind(&ids)
        .bind(&bodies)
        .bind(&needs)
        .bind(&districts)
        .bind(&lats)
        .bind(&lons)
        .execute(pg)
        .await?;
    }
    sqlx::raw_sql(
        "CREATE INDEX bench_services_tsv ON bench_services USING GIN (tsv); \
         CREATE INDEX bench_services_needs ON bench_services USING GIN (needs); \
         CREATE INDEX bench_services_district ON bench_services (district); ANALYZE bench_services",
    )
    .execute(pg)
    .await?;
    eprintln!("PostgreSQL table and indexes: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// One query on PostgreSQL with AGIO's semantics: any of the words (`|`), ranked by
/// `ts_rank`, weighed by distance when near a comune, the top 10 and the count of matches.
async fn postgres_query(pg: &sqlx::PgPool, q: &BenchQuery) -> anyhow::Result<usize> {
    let words: Vec<String> =
        agio_search::fold(&q.text).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
    let mut sql =
        String::from("SELECT id, COUNT(*) OVER () FROM bench_services, to_tsquery('italian', $1) q WHERE tsv @@ q");
    let mut rank = String::from("ts_rank(tsv, q)");
    let mut next = 2;
    if q.need.is_some() {
        sql.push_str(&format!(" AND needs @> ARRAY[${next}]"));
        next += 1;
    }
    if q.comune.is_some() {
        let (d, la, lo) = (next, next + 1, next + 2);
        sql.push_str(&format!(" AND district = ${d}"));
        rank = format!(
            "ts_rank(tsv, q) / (1 + 2 * 6371000 * asin(sqrt(power(sin(radians(lat - ${la}) / 2), 2) \
             + cos(radians(${la})) * cos(radians(lat)) * power(sin(radians(lon - ${lo}) / 2), 2))) / 10000)"
        );
    }
    sql.push_str(&format!(" ORDER BY {rank} DESC LIMIT 10"));
    let mut query = sqlx::query(&sql).bind(words.join(" | "));
    if let Some(need) = &q.need {
        query = query.bind(need.clone());
    }
    if let Some(c) = &q.comune {
        query = query.bind(c.district_code.clone()).bind(c.lat).bind(c.lon);
    }
    let rows = query.fetch_all(pg).await?;
    Ok(rows.first().map(|r| sqlx::Row::get::<i64, _>(r, 1) as usize).unwrap_or(0))
}

/// What `agio bench profiles` puts in each district's profile.
pub struct ProfileLoad {
    pub services: usize,
    pub sheets: usize,
    pub databases: usize,
    pub seed: u64,
}

/// A full published profile for every district (those that have one are left alone): internal
/// services at every digital level across the vocabularies, a Piano di Zona, databases.
pub async fn profiles(store: &Store, load: &ProfileLoad) -> anyhow::Result<()> {
    use agio_domain::edit::{DatabaseEdit, InternalServiceEdit, ProfileEdit};
    use agio_domain::{DatabaseAccess, NationalPlatform, ProfileStatus, ServiceChannel, SheetStatus, Vocabulary};
    let codes = |terms: Vec<agio_domain::model::Term>| terms.into_iter().map(|t| t.code).collect::<Vec<_>>();
    let groups = codes(store.terms(Vocabulary::TargetGroup).await?);
    let stages = codes(store.terms(Vocabulary::LifeStage).await?);
    let needs = codes(store.terms(Vocabulary::Need).await?);
    let mut random = load.seed.max(1);
    let mut next = move |below: usize| {
        // xorshift64, as `synthetic_services`: the same seed gives the same region.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (random % below.max(1) as u64) as usize
    };
    let mut pick = |all: &[String], n: usize| {
        let mut chosen: Vec<String> = (0..n).map(|_| all[next(all.len())].clone()).collect();
        chosen.sort();
        chosen.dedup();
        chosen
    };
    let mut made = 0;
    for district in store.districts().await? {
        if store.profile(&district.id).await?.is_some() {
            continue;
        }
        let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
        let fields = ProfileEdit { status: ProfileStatus::Published, facilitation_km: 8.0 };
        let profile_id = w.create_profile(&district.id, &district.name, &fields).await?;
        for n in 0..load.services {
            let level = (n * 7 + district.name.len()) % 5;
            let service = InternalServiceEdit {
                name: format!("Servizio interno {} n. {}", district.name, n + 1),
                description: String::new(),
                digital_level: level as i64,
                target_groups: pick(&groups, 2),
                life_stages: pick(&stages, 2),
                needs: pick(&needs, 1),
                channels: ServiceChannel::CODES[..1 + level % ServiceChannel::CODES.len()]
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                platforms: NationalPlatform::CODES[..level.min(NationalPlatform::CODES.len())]
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            };
            w.create_internal_service(&profile_id, &service).await?;
        }
        let sheets: Vec<agio_domain::model::ZonePlanSheet> = (0..load.sheets)
            .map(|n| agio_domain::model::ZonePlanSheet {
                number: (n + 1).to_string(),
                title: format!("Scheda di intervento n. {}", n + 1),
                area: String::new(),
                target_groups: pick(&groups, 2),
                budget_cents: Some(1_000_000 * (n as i64 + 1)),
                status: SheetStatus::ALL[n % SheetStatus::ALL.len()],
            })
            .collect();
        let title = format!("Piano di Zona 2024-2026 – {}", district.name);
        let plan = agio_store::NewZonePlan { title: &title, period_start: 2024, period_end: 2026, sheets: &sheets };
        w.replace_zone_plan(&profile_id, &district.name, &plan).await?;
        for n in 0..load.databases {
            let database = DatabaseEdit {
                name: format!("Base dati {} n. {}", district.name, n + 1),
                holder: district.name.clone(),
                contents: "Dati di servizio".into(),
                personal_data: n % 2 == 0,
                special_categories: n % 4 == 0,
                legal_basis: String::new(),
                format: "CSV".into(),
                update_frequency: "mensile".into(),
                access: DatabaseAccess::ALL[n % DatabaseAccess::ALL.len()],
                used_by: String::new(),
            };
            w.create_profile_database(&profile_id, &database).await?;
        }
        w.commit().await?;
        made += 1;
    }
    eprintln!(
        "{made} published profiles written, each with {} internal services, {} Piano di Zona sheets, {} databases",
        load.services, load.sheets, load.databases
    );
    Ok(())
}

/// How many of each `agio bench lab` puts into the Rimini demo's Community Lab.
pub struct LabLoad {
    pub ideas: usize,
    pub supports: usize,
    pub ballots: usize,
    pub seed: u64,
}

const RIMINI: &str = "agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

/// `n` people `{prefix}{i}@bench.agio.example`, without a password (they never sign in); their ids.
async fn bench_people(w: &mut agio_store::WriteTx, prefix: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let new = agio_store::NewPerson {
            email: format!("{prefix}{i}@bench.agio.example"),
            name: format!("Partecipante {prefix} {i}"),
            organization_name: String::new(),
            password_hash: None,
            is_demo: true,
        };
        people.push(w.create_person(&new).await?.id);
    }
    Ok(people)
}

/// Fills the Rimini demo's Community Lab with `load.ballots` people (no password: they never
/// sign in), `load.ideas` ideas, `load.supports` distinct supports and a ballot each on 50
/// admitted ideas (10 points spread over up to three), through the store's own writes.
pub async fn lab(store: &Store, load: &LabLoad) -> anyhow::Result<()> {
    use agio_domain::lab::{AdmittedEdit, IdeaEdit};
    let process = store
        .lab_process(RIMINI)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo process: run `agio seed --demo` first"))?;
    let mut random = load.seed.max(1);
    let mut next = move |below: usize| {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (random % below.max(1) as u64) as usize
    };
    let started = std::time::Instant::now();
    let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
    let people = bench_people(&mut w, "bench", load.ballots.max(1)).await?;
    let groups = ["digital_divide", "migrants", "caregivers", "poverty", "disability"];
    let mut ideas = Vec::with_capacity(load.ideas);
    for n in 0..load.ideas {
        let edit = IdeaEdit {
            title: format!("Idea di prova n. {n}: sportello digitale di quartiere"),
            body: "Un punto di aiuto per i servizi online, vicino a casa, con orari serali.".into(),
            gap_key: None,
            comune: None,
            target_groups: vec![groups[n % groups.len()].to_string()],
            life_stages: Vec::new(),
            on_behalf_of: None,
        };
        let author = &people[next(people.len())];
        ideas.push(w.create_idea(&process.id, Some(author), &edit, true).await?);
    }
    w.commit().await?;
    let ids = store.lab_idea_ids(&process.id).await?;
    let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
    let mut given = 0;
    while given < load.supports {
        let (_, idea) = &ids[next(ids.len())];
        if w.support(idea, &people[next(people.len())]).await? {
            given += 1;
        }
    }
    let admitted: Vec<String> = ids.iter().take(50).map(|(n, _)| n.to_string()).collect();
    let before = agio_store::Editable {
        id: process.id.clone(),
        label: process.title.clone(),
        version: process.version,
        fields: AdmittedEdit { admitted: Vec::new() },
    };
    w.set_admitted(&before, &AdmittedEdit { admitted }, process.version).await?;
    let on_ballot: Vec<&String> = ids.iter().take(50).map(|(_, id)| id).collect();
    for voter in people.iter().take(load.ballots) {
        let first = on_ballot[next(on_ballot.len())].clone();
        let second = on_ballot[next(on_ballot.len())].clone();
        let choices = if first == second { vec![(first, 10)] } else { vec![(first, 6), (second, 4)] };
        w.cast_ballot(&process.id, voter, &choices).await?;
    }
    w.commit().await?;
    eprintln!(
        "{} people, {} ideas, {given} supports, {} ballots written in {:.1} s",
        people.len(),
        ideas.len(),
        load.ballots,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Closes the vote and times its tally (`runs` times, p50 and slowest), then has 200 people
/// support one idea at once, each clicking twice, and checks the count: every support counted
/// once. Prints Markdown rows.
pub async fn lab_close(store: &Store, backend: &str, runs: usize) -> anyhow::Result<()> {
    use agio_domain::lab::ActivePhaseEdit;
    let process = store.lab_process(RIMINI).await?.ok_or_else(|| anyhow::anyhow!("no demo process"))?;
    let before = agio_store::Editable {
        id: process.id.clone(),
        label: process.title.clone(),
        version: process.version,
        fields: ActivePhaseEdit { active_phase: process.active_phase },
    };
    let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
    let to = ActivePhaseEdit { active_phase: Some(agio_domain::PhaseKind::Feedback) };
    w.set_active_phase(&before, &to, process.version).await?;
    w.commit().await?;
    let mut times = Vec::with_capacity(runs);
    let mut ballots = 0;
    for _ in 0..runs.max(1) {
        let started = std::time::Instant::now();
        let (n, tally) = store.lab_tally(&process.id).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        ballots = n;
        anyhow::ensure!(!tally.is_empty(), "an empty tally");
    }
    times.sort_by(f64::total_cmp);
    let (p50, worst) = (times[times.len() / 2], times[times.len() - 1]);
    println!("| the tally at the close ({ballots} ballots), in process | {backend} | {p50:.1} | {worst:.1} | ≤ 1000 |");

    // 200 supporters at once, each clicking twice, on an idea none of them supported.
    let ids = store.lab_idea_ids(&process.id).await?;
    let (_, idea) = ids.iter().max_by_key(|(n, _)| *n).ok_or_else(|| anyhow::anyhow!("no idea"))?;
    let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
    let people = bench_people(&mut w, "clicker", 200).await?;
    w.commit().await?;
    let counted = store.lab_support_rows(idea).await?;
    let started = std::time::Instant::now();
    let mut clicks = tokio::task::JoinSet::new();
    for person in people.iter().chain(people.iter()) {
        let (store, idea, person) = (store.clone(), idea.clone(), person.clone());
        clicks.spawn(async move {
            let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
            let added = w.support(&idea, &person).await?;
            w.commit().await?;
            Ok::<bool, agio_store::StoreError>(added)
        });
    }
    let mut added = 0;
    while let Some(click) = clicks.join_next().await {
        if click?? {
            added += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let rows = store.lab_support_rows(idea).await? - counted;
    let shown =
        store.lab_idea(&process.id, ids.iter().map(|(n, _)| *n).max().unwrap_or(1)).await?.map(|i| i.summary.supports);
    anyhow::ensure!(added == 200 && rows == 200, "200 supporters: {added} counted, {rows} rows");
    anyhow::ensure!(shown == Some(counted + 200), "the idea shows {shown:?}, its rows are {}", counted + 200);
    println!("| 200 supporters clicking twice at once: 400 clicks, 200 supports counted, none lost or doubled | {backend} | {elapsed:.0} (all) | — | exact count |");
    Ok(())
}

/// The region's monitoring at scale (`scripts/bench-monitoring`): an agenda in consultation
/// for every district without one, each with `actions` actions of `indicators` indicators and
/// a value approved for each quarter of its first `periods`; the first one larger, with
/// `large` actions, so that its template has ten thousand rows. Written with plain SQL in
/// batches (generated values only).
pub async fn monitoring(store: &Store, load: &MonitoringLoad) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let at = "2026-01-01T00:00:00Z";
    let districts = store.districts().await?;
    let taken: Vec<String> = store.monitored_agendas().await?.into_iter().map(|a| a.district_slug).collect();
    let periods: Vec<String> = agio_domain::monitoring::Period::all(agio_domain::Frequency::Quarter, 2025, 2027)
        .iter()
        .take(load.periods)
        .map(|p| p.code())
        .collect();
    let mut measurements = 0usize;
    let mut large = None;
    for (n, district) in districts.iter().filter(|d| !taken.contains(&d.slug)).enumerate() {
        let mut statements: Vec<String> = Vec::new();
        let agenda = format!("bench-{}", district.slug);
        statements.push(format!(
            "INSERT INTO agendas (id, slug, territory_id, title, period_start, period_end, status, created_at, updated_at) \
             SELECT '{agenda}', '{agenda}', t.id, 'Agenda di prova {}', 2025, 2027, 'consultation', '{at}', '{at}' \
             FROM territories t WHERE t.slug = '{}'",
            district.slug, district.slug
        ));
        let actions = if n == 0 { load.large } else { load.actions };
        large.get_or_insert_with(|| agenda.clone());
        for o in 0..5 {
            statements.push(format!(
                "INSERT INTO objectives (id, agenda_id, code, position, title, created_at, updated_at) \
                 VALUES ('{agenda}-o{o}', '{agenda}', 'O{}', {o}, 'Obiettivo di prova {}', '{at}', '{at}')",
                o + 1,
                o + 1
            ));
        }
        let mut values = Vec::new();
        for a in 0..actions {
            let action = format!("{agenda}-a{a}");
            statements.push(format!(
                "INSERT INTO actions (id, agenda_id, objective_id, code, position, title, term, start_date, end_date, status, \
                 created_at, updated_at) VALUES ('{action}', '{agenda}', '{agenda}-o{}', 'A{:03}', {a}, 'Azione di prova {a}', \
                 'medium', '2025-01-01', '2027-12-31', 'in_progress', '{at}', '{at}')",
                a % 5,
                a + 1
            ));
            statements.push(format!(
                "INSERT INTO expected_results (id, action_id, position, kind, description) \
                 VALUES ('{action}-r', '{action}', 0, 'output', 'Risultato di prova')"
            ));
            let mut indicators = Vec::new();
            for i in 0..load.indicators {
                let id = format!("{action}-i{i}");
                indicators.push(format!(
                    "('{id}', '{action}-r', {i}, 'Indicatore di prova {i}', 'persone', 10, 2024, {}, 2027, 'increase')",
                    100 + 10 * i
                ));
                for (q, period) in periods.iter().enumerate() {
                    let value = 10 + (q + 1) * (a % 7 + i + 1);
                    values.push(format!(
                        "('{id}-{period}', '{id}', '{period}', '{value}', 'approved', 1, '{at}', '{at}')"
                    ));
                }
            }
            statements.push(format!(
                "INSERT INTO indicators (id, result_id, position, name, unit, baseline_value, baseline_year, target_value, \
                 target_year, direction) VALUES {}",
                indicators.join(", ")
            ));
        }
        measurements += values.len();
        for chunk in values.chunks(500) {
            statements.push(format!(
                "INSERT INTO measurements (id, indicator_id, period, value, status, is_demo, created_at, updated_at) VALUES {}",
                chunk.join(", ")
            ));
        }
        // One transaction per agenda, and a new data version for the running servers.
        let mut script = String::from("BEGIN;\n");
        for s in &statements {
            script.push_str(s);
            script.push_str(";\n");
        }
        script.push_str("UPDATE data_version SET version = version + 1;\nCOMMIT;\n");
        store.execute_raw(&script).await?;
    }
    eprintln!("{measurements} approved values written in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(slug) = large {
        println!("large agenda: {slug}");
    }
    Ok(())
}

/// The size of `agio bench monitoring`'s region.
pub struct MonitoringLoad {
    pub actions: usize,
    pub large: usize,
    pub indicators: usize,
    pub periods: usize,
}

/// `agio bench writers`: how many writes a second one coordinator makes, and `writers`
/// coordinators at once, each adding objectives to the agenda of a district of their own
/// (`scripts/bench-writers`). Writers in different districts share no row, so on PostgreSQL
/// they run side by side; SQLite has one writer at a time, and a write that waits past its
/// busy timeout is refused (the web answers 503): counted, not fatal.
pub async fn writers(store: &Store, writers: usize, seconds: u64) -> anyhow::Result<()> {
    let at = "2026-01-01T00:00:00Z";
    let mut agendas = Vec::new();
    for district in store.districts().await?.into_iter().take(writers) {
        let agenda = format!("bench-writers-{}", district.slug);
        store
            .execute_raw(&format!(
                "INSERT INTO agendas (id, slug, territory_id, title, period_start, period_end, status, created_at, updated_at) \
                 SELECT '{agenda}', '{agenda}', t.id, 'Agenda di prova', 2025, 2027, 'draft', '{at}', '{at}' \
                 FROM territories t WHERE t.slug = '{}' AND NOT EXISTS (SELECT 1 FROM agendas WHERE id = '{agenda}')",
                district.slug
            ))
            .await?;
        agendas.push(agenda);
    }
    anyhow::ensure!(agendas.len() == writers, "only {} districts for {writers} writers", agendas.len());
    println!("| writers | writes | writes/s | against one writer | refused (database busy) |");
    println!("|---:|---:|---:|---:|---:|");
    let mut alone = 0.0;
    for count in [1, writers] {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let tasks: Vec<_> = agendas[..count]
            .iter()
            .map(|agenda| {
                let (store, agenda) = (store.clone(), agenda.clone());
                tokio::spawn(async move {
                    let edit = agio_domain::edit::ObjectiveEdit {
                        title: "Obiettivo di prova".into(),
                        description: String::new(),
                    };
                    let (mut written, mut refused) = (0u64, 0u64);
                    while std::time::Instant::now() < deadline {
                        let write = async {
                            let mut w = store.begin_write(&agio_store::Actor::cli()).await?;
                            w.create_objective(&agenda, &agenda, &edit).await?;
                            w.commit().await
                        };
                        match write.await {
                            Ok(()) => written += 1,
                            Err(e) if e.is_unavailable() => refused += 1,
                            Err(e) => return Err(e.into()),
                        }
                    }
                    anyhow::Ok((written, refused))
                })
            })
            .collect();
        let (mut written, mut refused) = (0, 0);
        for task in tasks {
            let (w, r) = task.await??;
            (written, refused) = (written + w, refused + r);
        }
        let rate = written as f64 / seconds as f64;
        if count == 1 {
            alone = rate;
        }
        println!("| {count} | {written} | {rate:.0} | {:.2}× | {refused} |", rate / alone);
    }
    Ok(())
}
