//! Search over the directory of welfare services: an in-memory tantivy index, derived from the
//! database (rebuilt at start, updated on every change), that understands Italian: stemming,
//! accent and case folding, typo tolerance on longer words and the planners' synonyms.
//!
//! Filters are exact terms; facet counts (see `facets`) come from the same query (and, for a
//! dimension that is itself filtered, from one more count without that filter, so that its
//! other values still show how many results they would give). When a place is chosen the
//! relevance is weighed by distance.

mod analysis;
mod facets;
mod synonyms;

use std::collections::BTreeMap;
use std::sync::Mutex;

use agio_directory::geo::distance_m;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, TantivyDocument, Term};

pub use analysis::{fold, stop_word};
use synonyms::Concept;
pub use synonyms::{Synonyms, SynonymsError};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: the writer is poisoned")]
    Poisoned,
}

/// The filter dimensions, by the code pages and URLs use, in display order.
pub const DIMENSIONS: [&str; 8] = ["need", "stage", "group", "district", "comune", "language", "channel", "cost"];

/// What the index holds about one service: texts to match, terms to filter, a place.
#[derive(Debug, Clone, Default)]
pub struct IndexedService {
    pub id: String,
    /// The names, in every language the service has.
    pub names: Vec<String>,
    /// Italian texts that say what the service is (descriptions, eligibility, labels of its
    /// needs, places…): a word must be found here, in a name or in `text_en` to match.
    pub text_it: String,
    /// Italian texts on how to reach it (how to apply, channels, documents, fees): they rank
    /// but never match alone, or every service that takes an application with SPID would
    /// answer a search for SPID.
    pub text_how: String,
    /// The words worth forgiving a typo in (names, summaries, needs), in any language.
    pub key_words: String,
    /// English texts (translations and English labels).
    pub text_en: String,
    /// Filter values per dimension (`need` → [`casa`], `comune` → [`035024`], …).
    pub filters: BTreeMap<&'static str, Vec<String>>,
    /// Weekly half-hours when it is open, as `day-slot` (Monday = 0, 08:30 = slot 17).
    pub open_slots: Vec<String>,
    /// Days it is closed although its hours say open (`YYYY-MM-DD`: holidays, summer closure).
    pub closed_days: Vec<String>,
    /// Where it is (its first location).
    pub position: Option<(f64, f64)>,
}

/// The UI language of a search (which analyzer weighs most).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
}

/// A search as a page or the API asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub lang: Option<Lang>,
    /// Chosen filter values, by dimension.
    pub filters: BTreeMap<&'static str, String>,
    /// Only services open at this moment: a weekly half-hour (`day-slot`) on a day
    /// (`YYYY-MM-DD`), e.g. now.
    pub open_at: Option<(String, String)>,
    /// Order by distance from this point (lat, lon), weighed with relevance.
    pub near: Option<(f64, f64)>,
    pub offset: usize,
    pub limit: usize,
    /// Count facet values (pages do; the API does not need them).
    pub facets: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub distance_m: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Count of results per value, per dimension.
    pub facets: BTreeMap<&'static str, BTreeMap<String, u64>>,
    /// No service has every word asked: these are the services with some of them.
    pub relaxed: bool,
}

struct Fields {
    id: Field,
    name: Field,
    text_it: Field,
    text_how: Field,
    text_en: Field,
    folded: Field,
    filter: Field,
    values: Field,
    lat: Field,
    lon: Field,
}

pub struct SearchIndex {
    italian: TextAnalyzer,
    english: TextAnalyzer,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    synonyms: Synonyms,
    numbers: facets::ValueNumbers,
}

/// How much each language's texts weigh, by the language of the search.
#[derive(Debug, Clone, Copy)]
struct Weights {
    it: f32,
    en: f32,
}

/// What a service of the need the words express gains (a strong match of one word scores 2–6).
const NEED_BOOST: f32 = 1.5;

/// A weekly half-hour slot code (`day-slot`; Monday is day 0).
pub fn slot_code(weekday_from_monday: u8, hour: u8, minute: u8) -> String {
    format!("{weekday_from_monday}-{}", hour as u32 * 2 + (minute as u32 >= 30) as u32)
}

impl SearchIndex {
    /// An empty index in memory, with the given synonyms.
    pub fn new(synonyms: Synonyms) -> Result<SearchIndex, SearchError> {
        let mut builder = Schema::builder();
        let text = |tokenizer: &str, positions: bool| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
            )
        };
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            name: builder.add_text_field("name", text(analysis::ITALIAN, false)),
            text_it: builder.add_text_field("text_it", text(analysis::ITALIAN, true)),
            text_how: builder.add_text_field("text_how", text(analysis::ITALIAN, false)),
            text_en: builder.add_text_field("text_en", text(analysis::ENGLISH, false)),
            folded: builder.add_text_field("folded", text(analysis::FOLDED, false)),
            filter: builder.add_text_field("filter", STRING),
            values: builder.add_u64_field(facets::FIELD, FAST),
            lat: builder.add_f64_field("lat", FAST),
            lon: builder.add_f64_field("lon", FAST),
        };
        let index = Index::create_in_ram(builder.build());
        analysis::register(index.tokenizers());
        // One indexing thread and a small arena: the index lives beside a web server.
        let writer = index.writer_with_num_threads(1, 15_000_000)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let italian = index.tokenizers().get(analysis::ITALIAN).expect("registered");
        let english = index.tokenizers().get(analysis::ENGLISH).expect("registered");
        let synonyms = synonyms.analyzed(&italian);
        Ok(SearchIndex {
            italian,
            english,
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms,
            numbers: Default::default(),
        })
    }

    /// Adds or replaces services (by id) and makes the change visible to searches.
    pub fn upsert(&self, services: &[IndexedService]) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for service in services {
            writer.delete_term(Term::from_field_text(self.fields.id, &service.id));
            writer.add_document(self.document(service))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes services by id.
    pub fn remove(&self, ids: &[String]) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of services in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, s: &IndexedService) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &s.id);
        for name in &s.names {
            doc.add_text(f.name, name);
            doc.add_text(f.folded, name);
        }
        doc.add_text(f.text_it, &s.text_it);
        doc.add_text(f.text_how, &s.text_how);
        doc.add_text(f.text_en, &s.text_en);
        doc.add_text(f.folded, &s.key_words);
        for (dimension, values) in &s.filters {
            for value in values {
                doc.add_text(f.filter, format!("{dimension}:{value}"));
                doc.add_u64(f.values, self.numbers.number(dimension, value));
            }
        }
        for slot in &s.open_slots {
            doc.add_text(f.filter, format!("open:{slot}"));
        }
        for day in &s.closed_days {
            doc.add_text(f.filter, format!("closed:{day}"));
        }
        if let Some((lat, lon)) = s.position {
            doc.add_f64(f.lat, lat);
            doc.add_f64(f.lon, lon);
        }
        doc
    }

    /// The query for the words a person typed, made of its concepts (see `Synonyms::concepts`):
    /// at least `required` of them must be found. Services of the needs the words express, and
    /// words found in how to reach a service, rank higher.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        concepts: &[Concept],
        lang: Option<Lang>,
        required: usize,
    ) -> Box<dyn Query> {
        let weights = match lang {
            Some(Lang::En) => Weights { it: 0.6, en: 1.0 },
            _ => Weights { it: 1.0, en: 0.4 },
        };
        let mut found: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in concepts {
            found.push((Occur::Should, self.concept_query(searcher, concept, weights)));
            if let Some(need) = &concept.need {
                let of_the_need = ConstScoreQuery::new(self.term(&format!("need:{need}")), NEED_BOOST);
                clauses.push((Occur::Should, Box::new(of_the_need)));
            }
            for word in &concept.words {
                for stem in analysis::tokens(&mut self.italian.clone(), word) {
                    let how = Term::from_field_text(self.fields.text_how, &stem);
                    clauses.push(boosted(TermQuery::new(how, IndexRecordOption::WithFreqs), 0.2 * weights.it));
                }
            }
        }
        if required == concepts.len() {
            // Every concept: an intersection, which skips through the lists (the common case).
            clauses.extend(found.into_iter().map(|(_, concept)| (Occur::Must, concept)));
        } else {
            clauses.push((Occur::Must, Box::new(BooleanQuery::with_minimum_required_clauses(found, required))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One concept: all its own words, or any other expression of its group.
    fn concept_query(&self, searcher: &tantivy::Searcher, concept: &Concept, weights: Weights) -> Box<dyn Query> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let own: Vec<(Occur, Box<dyn Query>)> = concept
            .words
            .iter()
            .map(|word| (Occur::Must, self.word_query(searcher, word, weights) as Box<dyn Query>))
            .collect();
        if !own.is_empty() {
            alternatives.push((Occur::Should, Box::new(BooleanQuery::new(own))));
        }
        for phrase in &concept.alternatives {
            let terms: Vec<Term> = phrase.iter().map(|stem| Term::from_field_text(self.fields.text_it, stem)).collect();
            let query: Box<dyn Query> = match terms.len() {
                1 => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs)),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(query, 0.8 * weights.it))));
        }
        Box::new(BooleanQuery::new(alternatives))
    }

    /// One word, in a name (weighed most), in the texts of either language, or with a typo.
    fn word_query(&self, searcher: &tantivy::Searcher, word: &str, weights: Weights) -> Box<BooleanQuery> {
        let f = &self.fields;
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for stem in analysis::tokens(&mut self.italian.clone(), word) {
            let in_name = TermQuery::new(Term::from_field_text(f.name, &stem), IndexRecordOption::WithFreqs);
            alternatives.push(boosted(in_name, 2.0 * weights.it));
            let in_text = TermQuery::new(Term::from_field_text(f.text_it, &stem), IndexRecordOption::WithFreqs);
            alternatives.push(boosted(in_text, weights.it));
        }
        for stem in analysis::tokens(&mut self.english.clone(), word) {
            let in_text = TermQuery::new(Term::from_field_text(f.text_en, &stem), IndexRecordOption::WithFreqs);
            alternatives.push(boosted(in_text, weights.en));
        }
        // A word the index knows as written needs no typo search (the costly part).
        let known = searcher.doc_freq(&Term::from_field_text(f.folded, word)).unwrap_or(0) > 0;
        let distance = match word.chars().count() {
            _ if known => 0,
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        if distance > 0 {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.folded, word), distance, true);
            alternatives.push(boosted(fuzzy, 0.3));
        }
        Box::new(BooleanQuery::new(alternatives))
    }

    /// The words' query for a request: every concept required when some service (within the
    /// filters) has them all, else all but one (any one), and so on, with `true` when relaxed
    /// so. `None` when the words are only stop words; `Some((None, false))` when there are no
    /// words.
    #[allow(clippy::type_complexity)]
    fn words_that_find(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
    ) -> Result<Option<(Option<Box<dyn Query>>, bool)>, SearchError> {
        if request.text.trim().is_empty() {
            return Ok(Some((None, false)));
        }
        let concepts = self.synonyms.concepts(&analysis::words(&request.text));
        if concepts.is_empty() {
            return Ok(None);
        }
        let mut required = concepts.len();
        loop {
            let query = Some(self.text_query(searcher, &concepts, request.lang, required));
            let found = searcher.search(&self.combined(&query, self.filter_clauses(request, None)), &Count)?;
            if found > 0 || required == 1 {
                return Ok(Some((query, required < concepts.len())));
            }
            required -= 1;
        }
    }

    /// The filter clauses of a request, leaving out one dimension (for its own counts).
    fn filter_clauses(&self, request: &SearchRequest, except: Option<&str>) -> Vec<(Occur, Box<dyn Query>)> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = request
            .filters
            .iter()
            .filter(|(dimension, _)| Some(**dimension) != except)
            .map(|(dimension, value)| (Occur::Must, self.term(&format!("{dimension}:{value}"))))
            .collect();
        if let Some((slot, day)) = &request.open_at {
            clauses.push((Occur::Must, self.term(&format!("open:{slot}"))));
            clauses.push((Occur::MustNot, self.term(&format!("closed:{day}"))));
        }
        clauses
    }

    fn term(&self, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(self.fields.filter, value), IndexRecordOption::Basic))
    }

    /// The words (ranking) and the filters (which only select, adding nothing to the score).
    fn combined(&self, text: &Option<Box<dyn Query>>, filters: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
        if text.is_none() && filters.is_empty() {
            return Box::new(AllQuery);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = filters
            .into_iter()
            .map(|(occur, q)| (occur, Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>))
            .collect();
        if let Some(q) = text {
            clauses.push((Occur::Must, q.box_clone()));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The services for a request: with words, those that have every concept of them, or, when
    /// none has, all but one, and so on (`relaxed`). Each try that finds nothing costs little.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        if request.text.trim().is_empty() {
            return self.search_with(&searcher, request, None);
        }
        let concepts = self.synonyms.concepts(&analysis::words(&request.text));
        let mut required = concepts.len();
        while required > 0 {
            let text = self.text_query(&searcher, &concepts, request.lang, required);
            let mut results = self.search_with(&searcher, request, Some(text))?;
            if results.total > 0 || required == 1 {
                results.relaxed = required < concepts.len();
                return Ok(results);
            }
            required -= 1;
        }
        // Only stop words: nothing to look for.
        Ok(SearchResults::default())
    }

    fn search_with(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        text: Option<Box<dyn Query>>,
    ) -> Result<SearchResults, SearchError> {
        let query = self.combined(&text, self.filter_clauses(request, None));
        let limit = request.limit.max(1);
        let facets = self.numbers.counter();
        let has_text = text.is_some();
        let near = request.near;
        // Near a place, relevance halves every 10 km; without words, the nearest come first.
        let collector = TopDocs::with_limit(limit).and_offset(request.offset).tweak_score(
            move |segment: &tantivy::SegmentReader| {
                let lats = segment.fast_fields().f64("lat").ok();
                let lons = segment.fast_fields().f64("lon").ok();
                move |doc, score: Score| {
                    let Some((lat, lon)) = near else { return score as f64 };
                    let d = match (lats.as_ref().and_then(|c| c.first(doc)), lons.as_ref().and_then(|c| c.first(doc))) {
                        (Some(a), Some(b)) => distance_m(lat, lon, a, b),
                        _ => 1.0e7,
                    };
                    if has_text {
                        score as f64 / (1.0 + d / 10_000.0)
                    } else {
                        -d
                    }
                }
            },
        );
        let (ranked, total, facet_counts) = if request.facets {
            let (top, count, counts) = searcher.search(&query, &(collector, Count, facets))?;
            (top, count, Some(counts))
        } else {
            let (top, count) = searcher.search(&query, &(collector, Count))?;
            (top, count, None)
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(self.fields.id).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let distance_m = request
                .near
                .and_then(|(lat, lon)| self.position(searcher, address).map(|(a, b)| distance_m(lat, lon, a, b)));
            hits.push(Hit { id, score: score as f32, distance_m });
        }
        let mut results = SearchResults { total, hits, ..Default::default() };
        if let Some(counts) = facet_counts {
            let mut all = self.numbers.by_dimension(&counts);
            for dimension in DIMENSIONS {
                let counts = if request.filters.contains_key(dimension) {
                    // Counts for the other values of a chosen filter: the search without it.
                    let query = self.combined(&text, self.filter_clauses(request, Some(dimension)));
                    let own = searcher.search(&query, &self.numbers.counter())?;
                    self.numbers.by_dimension(&own).remove(dimension)
                } else {
                    all.remove(dimension)
                };
                results.facets.insert(dimension, counts.unwrap_or_default());
            }
        }
        Ok(results)
    }

    /// How many results a request would have if only services open at `open_at` counted
    /// (the number beside "open now").
    pub fn count_open(&self, request: &SearchRequest, open_at: (String, String)) -> Result<u64, SearchError> {
        let request = SearchRequest { open_at: Some(open_at), ..request.clone() };
        let searcher = self.reader.searcher();
        let Some((text, _)) = self.words_that_find(&searcher, &request)? else { return Ok(0) };
        let query = self.combined(&text, self.filter_clauses(&request, None));
        Ok(searcher.search(&query, &Count)? as u64)
    }

    fn position(&self, searcher: &tantivy::Searcher, address: DocAddress) -> Option<(f64, f64)> {
        let segment = searcher.segment_reader(address.segment_ord);
        let lat = segment.fast_fields().f64("lat").ok()?.first(address.doc_id)?;
        let lon = segment.fast_fields().f64("lon").ok()?.first(address.doc_id)?;
        Some((lat, lon))
    }
}

fn boosted(query: impl Query, boost: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost)))
}
