//! The directory's search index inside the web server: built from the database at start and
//! kept in step with it (after this instance's writes at once, after other instances' within
//! the data-version poll), and the reading of service documents into indexed services.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use agio_directory::generate::Comune;
use agio_directory::schedule::{parse_date, Schedule};
use agio_directory::taxonomy::DIGITAL_FACILITATION;
use agio_directory::Service;
use agio_domain::model::Term;
use agio_search::{IndexedService, SearchIndex, Synonyms};
use agio_store::{Store, StoredService};

use crate::Error;

/// The synonyms shipped with AGIO; planners may point `AGIO_SYNONYMS_FILE` at their own copy.
pub const DEFAULT_SYNONYMS: &str = include_str!("../../../data/directory/sinonimi.txt");

/// Services indexed per database read while rebuilding.
const BATCH: i64 = 2_000;

pub struct Directory {
    pub index: SearchIndex,
    /// Comuni by ISTAT code, and their codes by folded name (to place an address's city).
    pub comuni: BTreeMap<String, Comune>,
    comune_by_name: HashMap<String, String>,
    /// Labels of the needs, life stages and target groups, by vocabulary code and term code.
    labels: HashMap<(String, String), Term>,
    /// When the index was last brought up to date (RFC 3339, the clock of `updated_at`).
    synced_at: Mutex<String>,
}

impl Directory {
    /// Reads every service of the database into a new index.
    pub async fn build(store: &Store, synonyms: Synonyms) -> Result<Directory, Error> {
        let index = SearchIndex::new(synonyms).map_err(internal)?;
        let comuni: BTreeMap<String, Comune> =
            store.directory_comuni().await?.into_iter().map(|c| (c.istat.clone(), c)).collect();
        let comune_by_name = comuni.values().map(|c| (agio_search::fold(&c.name), c.istat.clone())).collect();
        let mut labels = HashMap::new();
        for ((vocabulary, code), term) in store.directory_term_labels().await? {
            labels.insert((vocabulary.code().to_string(), code), term);
        }
        // Read before the services, so that a write committed while they are read is synced.
        let synced_at = Mutex::new(sync_horizon(store, time::OffsetDateTime::now_utc()).await?);
        let directory = Directory { index, comuni, comune_by_name, labels, synced_at };
        let mut after = String::new();
        loop {
            let batch = store.directory_services_after(&after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.id.clone();
            let indexed: Vec<IndexedService> = batch.iter().filter_map(|s| directory.indexed(s)).collect();
            directory.index.upsert(&indexed).map_err(internal)?;
        }
        Ok(directory)
    }

    /// Re-indexes the services written since the last sync (by any instance).
    pub async fn sync(&self, store: &Store) -> Result<(), Error> {
        self.sync_at(store, time::OffsetDateTime::now_utc()).await
    }

    /// [`Directory::sync`] as if it were `now`.
    pub async fn sync_at(&self, store: &Store, now: time::OffsetDateTime) -> Result<(), Error> {
        let since = self.synced_at.lock().map_err(|_| Error::Internal("directory lock".into()))?.clone();
        let next = sync_horizon(store, now).await?;
        let ids = store.directory_changed_since(&since).await?;
        if !ids.is_empty() {
            let services = store.directory_services_by_id(&ids).await?;
            let indexed: Vec<IndexedService> = services.iter().filter_map(|s| self.indexed(s)).collect();
            self.index.upsert(&indexed).map_err(internal)?;
        }
        *self.synced_at.lock().map_err(|_| Error::Internal("directory lock".into()))? = next;
        Ok(())
    }

    /// The ISTAT code of the comune an address names, if it is one of Emilia-Romagna's.
    pub fn comune_of_city(&self, city: &str) -> Option<&Comune> {
        self.comune_by_name.get(&agio_search::fold(city)).and_then(|code| self.comuni.get(code))
    }

    pub fn label(&self, vocabulary: &str, code: &str) -> Option<&Term> {
        self.labels.get(&(vocabulary.to_string(), code.to_string()))
    }

    /// What the index keeps of a stored service (None if its document cannot be read).
    pub fn indexed(&self, stored: &StoredService) -> Option<IndexedService> {
        let s = Service::from_document(&stored.document).ok()?;
        let mut it = Vec::new();
        let mut en = Vec::new();
        let mut names = vec![s.name.clone()];
        // Typos are forgiven in the words that say what a service is: names, summaries, needs.
        let mut key_words: Vec<String> = s.agio_summary.iter().cloned().collect();
        let mut how: Vec<String> = Vec::new();
        for (lang, fields) in &s.agio_translations {
            for (field, text) in fields {
                let texts = match lang.as_str() {
                    _ if says_how_to_reach(field) => &mut how,
                    "en" => &mut en,
                    _ => &mut it,
                };
                if field == "name" {
                    names.push(text.clone());
                }
                if field == "agio_summary" {
                    key_words.push(text.clone());
                }
                texts.push(text.clone());
            }
        }
        it.extend([&s.description, &s.agio_summary, &s.eligibility_description].into_iter().flatten().cloned());
        how.extend([&s.application_process, &s.fees_description].into_iter().flatten().cloned());
        how.extend(s.agio_access.online.iter().chain(s.agio_access.in_person.iter()).cloned());
        how.extend(s.required_documents.iter().filter_map(|d| d.document.clone()));
        if let Some(o) = &s.organization {
            it.push(o.name.clone());
        }
        let mut filters: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for (dimension, vocabulary) in [("need", "need"), ("stage", "life_stage"), ("group", "target_group")] {
            for code in s.term_codes(vocabulary) {
                if let Some(term) = self.label(vocabulary, &code) {
                    it.push(term.label_it.clone());
                    en.push(term.label_en.clone());
                    key_words.push(format!("{} {}", term.label_it, term.label_en));
                }
                filters.entry(dimension).or_default().push(code);
            }
        }
        let mut position = None;
        for sal in &s.service_at_locations {
            let Some(location) = &sal.location else { continue };
            if position.is_none() {
                position = location.latitude.zip(location.longitude);
            }
            for address in &location.addresses {
                it.push(address.city.clone());
                if let Some(comune) = self.comune_of_city(&address.city) {
                    filters.entry("comune").or_default().push(comune.istat.clone());
                    filters.entry("district").or_default().push(comune.district_code.clone());
                }
            }
        }
        filters.insert("language", s.language_codes());
        let mut channels = Vec::new();
        if s.is_online() {
            channels.push("online".to_string());
        }
        if s.is_in_person() {
            channels.push("in_person".to_string());
        }
        filters.insert("channel", channels);
        if s.is_free() {
            filters.insert("cost", vec!["free".to_string()]);
        }
        for values in filters.values_mut() {
            values.sort();
            values.dedup();
        }
        Some(IndexedService {
            id: stored.id.clone(),
            names,
            text_it: it.join("\n"),
            text_how: how.join("\n"),
            key_words: key_words.join("\n"),
            text_en: en.join("\n"),
            filters,
            open_slots: open_slots(s.all_schedules()),
            closed_days: closed_days(&s),
            position,
        })
    }
}

/// Whether a (translated) field says how to reach a service rather than what it is.
fn says_how_to_reach(field: &str) -> bool {
    ["application_process", "fees_description", "agio_access.", "required_documents.", "service_at_locations."]
        .iter()
        .any(|prefix| field.starts_with(prefix))
}

/// Whether a service is a point of digital facilitation.
pub fn is_facilitation(service: &Service) -> bool {
    service.term_codes("need").iter().any(|c| c == DIGITAL_FACILITATION)
}

/// The weekly half-hours in which a schedule has the service open (a half-hour counts when it
/// starts within the opening hours).
fn open_slots<'a>(schedules: impl Iterator<Item = &'a Schedule>) -> Vec<String> {
    let mut slots = Vec::new();
    for opening in schedules.filter_map(|s| s.opening().ok().flatten()) {
        for day in &opening.days {
            for half_hour in 0..48u8 {
                let start = time::Time::from_hms(half_hour / 2, (half_hour % 2) * 30, 0).expect("valid");
                if opening.opens <= start && start < opening.closes {
                    slots.push(agio_search::slot_code(
                        day.number_days_from_monday(),
                        half_hour / 2,
                        (half_hour % 2) * 30,
                    ));
                }
            }
        }
    }
    slots.sort();
    slots.dedup();
    slots
}

/// The days on which the service says it is closed (at most a year of them).
fn closed_days(service: &Service) -> Vec<String> {
    let mut days = Vec::new();
    for closure in &service.agio_closures {
        let (Some(mut day), Some(to)) = (parse_date(&closure.from), parse_date(&closure.to)) else { continue };
        while day <= to && days.len() < 366 {
            days.push(day.to_string());
            let Some(next) = day.next_day() else { break };
            day = next;
        }
    }
    days
}

fn internal(e: agio_search::SearchError) -> Error {
    Error::Internal(e.to_string())
}

/// Where the sync after one at `now` starts reading `updated_at`. A transaction stamps its writes
/// when it begins but shows them when it commits, so the horizon goes back to the oldest writer
/// still open: a sync that another write set off meanwhile would otherwise pass a long import's
/// services over. A minute more allows for the instances' clocks (re-indexing a few services
/// twice is cheap).
async fn sync_horizon(store: &Store, now: time::OffsetDateTime) -> Result<String, Error> {
    let oldest_open = store.oldest_open_write().await?;
    let from = oldest_open.map_or(now, |began| began.min(now)) - time::Duration::minutes(1);
    from.replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .ok_or_else(|| Error::Internal(format!("cannot write {from} as RFC 3339")))
}

/// What a person asks the directory: words, filters, a place, a page.
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub text: String,
    pub lang: Option<agio_search::Lang>,
    /// Filter values by dimension (need, stage, group, language, channel, cost, district).
    pub filters: BTreeMap<&'static str, String>,
    /// A comune (ISTAT code): results from its district, nearest first.
    pub comune: Option<String>,
    pub open_now: bool,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
}

impl Ask {
    /// Every service located in a comune (its ISTAT code).
    pub fn in_comune(code: &str) -> Ask {
        let mut ask = Ask::in_district("");
        ask.filters = BTreeMap::from([("comune", code.to_string())]);
        ask
    }

    /// Every service of a district (by its code), counted: no words, no page, no facets.
    pub fn in_district(code: &str) -> Ask {
        Ask {
            text: String::new(),
            lang: None,
            filters: BTreeMap::from([("district", code.to_string())]),
            comune: None,
            open_now: false,
            offset: 0,
            limit: 0,
            facets: false,
        }
    }
}

/// The weekly half-hour and the day of a moment, in Italian time, as the index files them;
/// on a public holiday no service counts as open.
pub fn open_at(utc: time::OffsetDateTime) -> (String, String) {
    let local = agio_directory::schedule::italian_time(utc);
    let day = local.date();
    let slot = if agio_directory::schedule::is_public_holiday(day) {
        "holiday".to_string()
    } else {
        agio_search::slot_code(day.weekday().number_days_from_monday(), local.hour(), local.minute())
    };
    (slot, day.to_string())
}

impl Directory {
    /// The search request for what a person asks, at `now`.
    pub fn request(&self, ask: &Ask, now: time::OffsetDateTime) -> agio_search::SearchRequest {
        let mut filters = ask.filters.clone();
        let mut near = None;
        if let Some(comune) = ask.comune.as_ref().and_then(|c| self.comuni.get(c)) {
            filters.insert("district", comune.district_code.clone());
            near = Some((comune.lat, comune.lon));
        }
        agio_search::SearchRequest {
            text: ask.text.clone(),
            lang: ask.lang,
            filters,
            open_at: ask.open_now.then(|| open_at(now)),
            near,
            offset: ask.offset,
            limit: ask.limit,
            facets: ask.facets,
        }
    }

    pub fn search(&self, ask: &Ask, now: time::OffsetDateTime) -> Result<agio_search::SearchResults, Error> {
        self.index.search(&self.request(ask, now)).map_err(internal)
    }
}

/// What the database already holds, for the reference checks of an import.
pub struct KnownRecords {
    terms: std::collections::HashSet<String>,
    organizations: std::collections::HashSet<String>,
}

impl agio_directory::checks::Known for KnownRecords {
    fn taxonomy_term(&self, id: &str) -> bool {
        self.terms.contains(id)
    }
    fn organization(&self, id: &str) -> bool {
        self.organizations.contains(id)
    }
}

impl KnownRecords {
    /// The taxonomy terms and organisations of the directory.
    pub async fn load(store: &Store) -> Result<KnownRecords, agio_store::StoreError> {
        Ok(KnownRecords {
            terms: store.directory_term_ids().await?.into_keys().collect(),
            organizations: store.directory_organization_ids().await?,
        })
    }
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportFailure {
    /// The files break the rules: every problem, located.
    Invalid(Vec<agio_hsds::ImportProblem>),
    Store(agio_store::StoreError),
}

impl From<agio_store::StoreError> for ImportFailure {
    fn from(e: agio_store::StoreError) -> Self {
        ImportFailure::Store(e)
    }
}

/// Services to import: already parsed (a tabular package, an upload), or a JSON file read as
/// it is imported (a file of 100,000 services is 800 MB: it is never held whole).
pub enum Incoming {
    Parsed(Vec<serde_json::Value>),
    Json(Box<dyn std::io::Read + Send>),
}

impl Incoming {
    /// Hands each service to `each`, in order, until it returns false; a JSON file that breaks
    /// off is a problem of the file (where it breaks).
    pub fn each(
        self,
        file: &str,
        mut each: impl FnMut(serde_json::Value) -> bool,
    ) -> Result<(), agio_hsds::ImportProblem> {
        match self {
            Incoming::Parsed(services) => {
                for service in services {
                    if !each(service) {
                        break;
                    }
                }
                Ok(())
            }
            Incoming::Json(reader) => agio_hsds::json::read_services(file, reader, each),
        }
    }
}

/// Services checked and written per round.
const ROUND: usize = 1_000;

/// A round of checked services: how far it goes, and each service (prepared for writing when
/// it has no problem) with its problems.
type Round = (usize, Vec<(Option<agio_store::PreparedService>, Vec<agio_hsds::ImportProblem>)>);

/// Imports services all or nothing: every service is checked (schemas, schedules, references,
/// ids) and, while none has a problem, written in the same transaction; one problem anywhere
/// and the transaction is dropped (nothing written), the checking going on to list them all.
/// Reading, checking and preparing what is written run on a thread of its own, a round ahead
/// of the writing: a JSON file is read as it goes, never whole. Documents identical to the
/// stored ones are left alone, so importing the same file twice changes nothing.
pub async fn import(
    store: &Store,
    file: &str,
    incoming: Incoming,
    actor: &agio_store::Actor,
    mut progress: impl FnMut(usize),
) -> Result<agio_store::DirectoryWrite, ImportFailure> {
    let known = KnownRecords::load(store).await?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Round>(2);
    let name = file.to_string();
    let checking = std::thread::spawn(move || {
        let mut checker = agio_hsds::json::Checker::new(&name, &known);
        let (mut row, mut round) = (0, Vec::with_capacity(ROUND));
        let read = incoming.each(&name, |service| {
            row += 1;
            let problems = checker.check(row, &service);
            let prepared = problems.is_empty().then(|| agio_store::PreparedService::new(&service));
            round.push((prepared, problems));
            // A full round goes to the writer; when it has stopped (an error), nobody is left to check for.
            round.len() < ROUND || sender.blocking_send((row, std::mem::take(&mut round))).is_ok()
        });
        if !round.is_empty() {
            let _ = sender.blocking_send((row, round));
        }
        read
    });
    let mut problems = Vec::new();
    let mut write = store.begin_write(actor).await?;
    let mut writer = write.service_writer(false).await?;
    while let Some((end, round)) = receiver.recv().await {
        for (prepared, found) in round {
            match prepared {
                Some(service) if problems.is_empty() => write.write_service(&mut writer, service).await?,
                _ => problems.extend(found),
            }
        }
        progress(end);
    }
    let read = checking
        .join()
        .map_err(|_| ImportFailure::Store(agio_store::StoreError::InvalidData("the import check failed".into())))?;
    problems.extend(read.err());
    if !problems.is_empty() {
        return Err(ImportFailure::Invalid(problems));
    }
    let report = write.finish_services(writer).await?;
    write.commit().await?;
    Ok(report)
}
