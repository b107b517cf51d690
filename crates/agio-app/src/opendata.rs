//! AGIO's open data: every public dataset as a table (one CSV and one JSON file each, with
//! stable addresses under `/dati`), and the DCAT-AP_IT catalogue that describes them. Only what
//! the public may read goes in: agendas not in draft, as their latest approved version when
//! they have one, and approved measurements.

use std::collections::HashMap;

use agio_domain::monitoring::AgendaProgress;
use agio_store::OpenTable;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{RdfFormat, RdfSerializer};
use serde_json::Value;

use crate::monitoring::region;
use crate::{Context, Error};

/// A dataset: its file name (Italian, as the addresses are), its columns, the EU data theme and
/// the update frequency the catalogue gives it, and the table that dates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    pub key: &'static str,
    /// Empty for a dataset published in another form (the services, as HSDS).
    pub columns: &'static [&'static str],
    /// Codes of the EU data-theme vocabulary.
    pub themes: &'static [&'static str],
    /// Code of the EU frequency vocabulary.
    pub frequency: &'static str,
    pub dated_by: OpenTable,
}

pub const DATASETS: &[Dataset] = &[
    Dataset {
        key: "territori",
        columns: &["codice", "slug", "nome", "tipo", "codice_superiore", "provincia", "popolazione"],
        themes: &["REGI"],
        frequency: "ANNUAL",
        dated_by: OpenTable::Territories,
    },
    Dataset {
        key: "agende",
        columns: &[
            "slug",
            "titolo",
            "territorio",
            "anno_inizio",
            "anno_fine",
            "stato",
            "versione_approvata",
            "avanzamento",
            "indirizzo",
        ],
        themes: &["SOCI", "GOVE"],
        frequency: "IRREG",
        dated_by: OpenTable::Agendas,
    },
    Dataset {
        key: "obiettivi",
        columns: &["agenda", "codice", "titolo", "descrizione", "avanzamento"],
        themes: &["SOCI", "GOVE"],
        frequency: "IRREG",
        dated_by: OpenTable::Agendas,
    },
    Dataset {
        key: "azioni",
        columns: &[
            "agenda",
            "obiettivo",
            "codice",
            "titolo",
            "durata",
            "stato",
            "inizio",
            "fine",
            "capofila",
            "budget_euro",
            "avanzamento",
            "andamento",
            "indirizzo",
        ],
        themes: &["SOCI", "GOVE"],
        frequency: "IRREG",
        dated_by: OpenTable::Agendas,
    },
    Dataset {
        key: "indicatori",
        columns: &[
            "id",
            "agenda",
            "azione",
            "nome",
            "unita",
            "valore_partenza",
            "anno_partenza",
            "valore_obiettivo",
            "anno_obiettivo",
            "verso",
            "frequenza",
            "peso",
            "ultimo_periodo",
            "ultimo_valore",
            "avanzamento",
        ],
        themes: &["SOCI", "GOVE"],
        frequency: "QUARTERLY",
        dated_by: OpenTable::Measurements,
    },
    Dataset {
        key: "misure",
        columns: &[
            "indicatore",
            "agenda",
            "azione",
            "periodo",
            "valore",
            "numeratore",
            "denominatore",
            "nota",
            "fonte",
        ],
        themes: &["SOCI", "GOVE"],
        frequency: "QUARTERLY",
        dated_by: OpenTable::Measurements,
    },
    Dataset {
        key: "tappe",
        columns: &["agenda", "azione", "tappa", "data_prevista", "data_effettiva", "stato", "nota"],
        themes: &["SOCI", "GOVE"],
        frequency: "IRREG",
        dated_by: OpenTable::Milestones,
    },
    Dataset {
        key: "spesa",
        columns: &["agenda", "azione", "fonte", "descrizione", "cup", "budget", "impegnato", "pagato", "dati_al"],
        themes: &["GOVE", "ECON"],
        frequency: "IRREG",
        dated_by: OpenTable::Spending,
    },
    Dataset {
        key: "soggetti",
        columns: &["slug", "nome", "tipo", "codice_fiscale", "territorio", "sito"],
        themes: &["SOCI"],
        frequency: "IRREG",
        dated_by: OpenTable::Organizations,
    },
    Dataset {
        key: "asset",
        columns: &["slug", "nome", "tipo", "fornitore", "stato", "indirizzo", "comuni_coperti"],
        themes: &["TECH", "GOVE"],
        frequency: "IRREG",
        dated_by: OpenTable::Assets,
    },
    Dataset {
        key: "servizi",
        columns: &[],
        themes: &["SOCI", "HEAL"],
        frequency: "CONT",
        dated_by: OpenTable::Services,
    },
];

pub fn dataset(key: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.key == key)
}

/// A dataset's rows, each the values of its columns in order.
pub struct Table {
    pub dataset: &'static Dataset,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The rows as JSON objects named by column.
    pub fn objects(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                Value::Object(self.dataset.columns.iter().map(|c| c.to_string()).zip(row.iter().cloned()).collect())
            })
            .collect()
    }

    /// The table as CSV: UTF-8, a header of column names, comma-separated, quoted as needed.
    pub fn csv(&self) -> Result<Vec<u8>, Error> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
        out.write_record(self.dataset.columns).map_err(failed)?;
        for row in &self.rows {
            out.write_record(row.iter().map(cell)).map_err(failed)?;
        }
        out.into_inner().map_err(|e| Error::Internal(format!("writing CSV: {e}")))
    }
}

/// A JSON value as a CSV cell: text as is, numbers as written, nothing for null.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text(value: impl Into<String>) -> Value {
    Value::String(value.into())
}

fn opt_text(value: Option<impl Into<String>>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.into()))
}

fn decimal(value: Option<rust_decimal::Decimal>) -> Value {
    opt_text(value.map(|v| v.normalize().to_string()))
}

/// The public agendas, each with the plan the public reads and its progress.
async fn public_agendas(ctx: &impl Context) -> Result<Vec<(agio_store::AgendaSnapshot, AgendaProgress)>, Error> {
    let mut agendas = Vec::new();
    for rollup in region(ctx).await?.agendas {
        let snapshot = match ctx.store().agenda_version(&rollup.agenda.id, None).await? {
            Some((_, snapshot)) => snapshot,
            None => ctx.store().agenda_snapshot(&rollup.agenda.slug).await?.ok_or(Error::NotFound)?,
        };
        agendas.push((snapshot, rollup.progress));
    }
    Ok(agendas)
}

/// The rows of dataset `key` (None when there is no such dataset, or it is published elsewhere).
pub async fn table(ctx: &impl Context, key: &str, base_url: &str) -> Result<Option<Table>, Error> {
    let Some(dataset) = dataset(key).filter(|d| !d.columns.is_empty()) else { return Ok(None) };
    let store = ctx.store();
    let rows = match key {
        "territori" => store.open_territories().await?,
        "soggetti" => store.open_organizations().await?,
        "asset" => store.open_assets().await?,
        "misure" => {
            // Every approved value (the region's rollup keeps the latest of each indicator only).
            let mut values: HashMap<String, Vec<agio_domain::monitoring::Measurement>> = HashMap::new();
            for m in store.measurements(None).await? {
                values.entry(m.indicator_id.clone()).or_default().push(m);
            }
            plan_rows(key, &public_agendas(ctx).await?, &values, base_url)
        }
        "tappe" | "spesa" => delivery_rows(ctx, key, &public_agendas(ctx).await?).await?,
        _ => plan_rows(key, &public_agendas(ctx).await?, &HashMap::new(), base_url),
    };
    Ok(Some(Table { dataset, rows }))
}

/// Euro cents as the files write amounts: euros with a decimal point.
fn euros(cents: i64) -> Value {
    text(rust_decimal::Decimal::new(cents, 2).normalize().to_string())
}

/// The rows of the milestones (`tappe`) and of what is committed and paid of each budget line
/// (`spesa`) of the public actions: the budget lines as the public reads them.
async fn delivery_rows(
    ctx: &impl Context,
    key: &str,
    agendas: &[(agio_store::AgendaSnapshot, AgendaProgress)],
) -> Result<Vec<Vec<Value>>, Error> {
    let mut rows = Vec::new();
    for (snapshot, _) in agendas {
        let agenda = &snapshot.detail.agenda;
        let code_of: HashMap<&str, &str> =
            snapshot.actions.iter().map(|a| (a.summary.id.as_str(), a.summary.code.as_str())).collect();
        if key == "tappe" {
            for m in ctx.store().milestones(&agenda.id).await? {
                let Some(code) = code_of.get(m.action_id.as_str()) else { continue };
                let f = &m.fields;
                rows.push(vec![
                    text(&agenda.slug),
                    text(*code),
                    text(&f.title),
                    text(&f.planned_date),
                    opt_text(f.actual_date.clone()),
                    text(f.status.code()),
                    text(&f.note),
                ]);
            }
            continue;
        }
        let spending: HashMap<String, agio_domain::delivery::SpendingEdit> =
            ctx.store().spending(&agenda.id).await?.into_iter().map(|(line, s)| (line, s.fields)).collect();
        for action in &snapshot.actions {
            for line in &action.budget {
                let recorded = spending.get(&line.id);
                rows.push(vec![
                    text(&agenda.slug),
                    text(&action.summary.code),
                    text(&line.funding_source.code),
                    text(&line.description),
                    opt_text(line.cup.clone()),
                    euros(line.amount_cents),
                    recorded.map_or(Value::Null, |s| euros(s.committed_cents)),
                    recorded.map_or(Value::Null, |s| euros(s.paid_cents)),
                    opt_text(recorded.map(|s| s.as_of.clone())),
                ]);
            }
        }
    }
    Ok(rows)
}

/// The rows of the datasets made from the agendas' plans and measurements.
/// `values`: every approved value by indicator, for `misure`.
fn plan_rows(
    key: &str,
    agendas: &[(agio_store::AgendaSnapshot, AgendaProgress)],
    values: &HashMap<String, Vec<agio_domain::monitoring::Measurement>>,
    base_url: &str,
) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for (snapshot, progress) in agendas {
        let agenda = &snapshot.detail.agenda;
        let actions: HashMap<&str, &agio_domain::monitoring::ActionProgress> =
            progress.objectives.iter().flat_map(|o| &o.actions).map(|a| (a.id.as_str(), a)).collect();
        match key {
            "agende" => rows.push(vec![
                text(&agenda.slug),
                text(&agenda.title),
                text(&agenda.territory.code),
                Value::from(agenda.period_start),
                Value::from(agenda.period_end),
                text(agenda.status.code()),
                Value::from(agenda.status == agio_domain::AgendaStatus::Approved),
                decimal(progress.progress),
                text(format!("{base_url}/agende/{}", agenda.slug)),
            ]),
            "obiettivi" => {
                for o in &snapshot.detail.objectives {
                    let figure =
                        progress.objectives.iter().find(|p| p.code == o.objective.code).and_then(|p| p.progress);
                    rows.push(vec![
                        text(&agenda.slug),
                        text(&o.objective.code),
                        text(&o.objective.title),
                        text(&o.objective.description),
                        decimal(figure),
                    ]);
                }
            }
            "azioni" => {
                for a in &snapshot.actions {
                    let monitored = actions.get(a.summary.id.as_str());
                    rows.push(vec![
                        text(&agenda.slug),
                        text(&a.summary.objective_code),
                        text(&a.summary.code),
                        text(&a.summary.title),
                        text(a.summary.term.code()),
                        text(a.summary.status.code()),
                        opt_text(a.summary.start_date.clone()),
                        opt_text(a.summary.end_date.clone()),
                        opt_text(a.summary.lead.as_ref().map(|l| l.slug.clone())),
                        euros(a.budget_total_cents),
                        decimal(monitored.and_then(|m| m.progress)),
                        opt_text(monitored.map(|m| m.standing.code())),
                        text(format!("{base_url}/agende/{}/azioni/{}", agenda.slug, a.summary.code)),
                    ]);
                }
            }
            "indicatori" | "misure" => {
                for action in actions.values() {
                    for i in &action.indicators {
                        let ind = &i.indicator;
                        if key == "indicatori" {
                            rows.push(vec![
                                text(&ind.id),
                                text(&agenda.slug),
                                text(&action.code),
                                text(&ind.name),
                                text(&ind.unit),
                                ind.baseline_value.map_or(Value::Null, Value::from),
                                ind.baseline_year.map_or(Value::Null, Value::from),
                                ind.target_value.map_or(Value::Null, Value::from),
                                ind.target_year.map_or(Value::Null, Value::from),
                                text(ind.direction.code()),
                                text(ind.frequency.code()),
                                Value::from(ind.weight),
                                opt_text(i.latest_period.clone()),
                                decimal(i.latest_value),
                                decimal(i.progress),
                            ]);
                            continue;
                        }
                        for m in values.get(&ind.id).into_iter().flatten() {
                            rows.push(vec![
                                text(&ind.id),
                                text(&agenda.slug),
                                text(&action.code),
                                text(&m.period),
                                decimal(Some(m.fields.value)),
                                decimal(m.fields.numerator),
                                decimal(m.fields.denominator),
                                text(&m.fields.note),
                                text(&m.fields.source),
                            ]);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // The same order whatever the maps gave: by the first columns.
    rows.sort_by_key(|row| row.iter().take(4).map(cell).collect::<Vec<_>>());
    rows
}

/// Who publishes the catalogue: the public administration running this AGIO.
pub struct Publisher {
    pub name: String,
    /// Its code in the Indice delle Pubbliche Amministrazioni (IPA).
    pub ipa_code: String,
    pub email: String,
}

/// Texts of the catalogue in Italian and English, by key (`opendata.{dataset}.title`, …).
pub type Texts<'a> = &'a (dyn Fn(&str) -> (String, String) + Sync);

/// Namespaces of the catalogue, with the prefixes its Turtle uses.
const PREFIXES: &[(&str, &str)] = &[
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcatapit", "http://dati.gov.it/onto/dcatapit#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// CC BY 4.0 in the Italian licences vocabulary.
const LICENCE: &str = "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40";
const EU: &str = "http://publications.europa.eu/resource/authority/";

fn iri(text: &str) -> Result<NamedNode, Error> {
    NamedNode::new(text).map_err(|e| Error::Internal(format!("{text} is not an IRI: {e}")))
}

/// The catalogue's triples, added one subject at a time.
struct Graph {
    triples: Vec<Triple>,
}

impl Graph {
    fn add(&mut self, subject: &NamedNode, predicate: &str, object: impl Into<Term>) -> Result<(), Error> {
        self.triples.push(Triple::new(NamedOrBlankNode::from(subject.clone()), iri(predicate)?, object.into()));
        Ok(())
    }

    fn link(&mut self, subject: &NamedNode, predicate: &str, object: &str) -> Result<(), Error> {
        self.add(subject, predicate, iri(object)?)
    }

    fn types(&mut self, subject: &NamedNode, types: &[&str]) -> Result<(), Error> {
        for t in types {
            self.add(subject, rdf::TYPE.as_str(), iri(t)?)?;
        }
        Ok(())
    }

    /// An Italian and an English text.
    fn texts(&mut self, subject: &NamedNode, predicate: &str, (it, en): (String, String)) -> Result<(), Error> {
        for (value, lang) in [(it, "it"), (en, "en")] {
            let literal = Literal::new_language_tagged_literal(value, lang)
                .map_err(|e| Error::Internal(format!("language tag: {e}")))?;
            self.add(subject, predicate, literal)?;
        }
        Ok(())
    }

    fn date(&mut self, subject: &NamedNode, predicate: &str, day: &str) -> Result<(), Error> {
        self.add(subject, predicate, Literal::new_typed_literal(day, xsd::DATE))
    }

    fn plain(&mut self, subject: &NamedNode, predicate: &str, value: &str) -> Result<(), Error> {
        self.add(subject, predicate, Literal::new_simple_literal(value))
    }
}

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCATAPIT: &str = "http://dati.gov.it/onto/dcatapit#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";

/// The DCAT-AP_IT catalogue of every dataset, its distributions (CSV and JSON; the services as
/// HSDS JSON), the publisher and rights holder with their IPA code, the contact point, the
/// licence, and each dataset's `dct:modified` from its data.
pub async fn catalogue(
    ctx: &impl Context,
    base_url: &str,
    publisher: &Publisher,
    texts: Texts<'_>,
) -> Result<Vec<Triple>, Error> {
    let mut g = Graph { triples: Vec::new() };
    let here = format!("{base_url}/dati/catalogo");
    let catalog = iri(&format!("{here}#catalogo"))?;
    let agent = iri(&format!("{here}#titolare"))?;
    let contact = iri(&format!("{here}#contatto"))?;
    let licence = iri(LICENCE)?;
    let italian = format!("{EU}language/ITA");

    g.types(&agent, &[&format!("{DCATAPIT}Agent"), &format!("{FOAF}Agent")])?;
    g.plain(&agent, &format!("{FOAF}name"), &publisher.name)?;
    g.plain(&agent, &format!("{DCT}identifier"), &publisher.ipa_code)?;

    g.types(&contact, &[&format!("{DCATAPIT}Organization"), &format!("{VCARD}Organization"), &format!("{VCARD}Kind")])?;
    g.plain(&contact, &format!("{VCARD}fn"), &publisher.name)?;
    g.link(&contact, &format!("{VCARD}hasEmail"), &format!("mailto:{}", publisher.email))?;

    g.types(&licence, &[&format!("{DCT}LicenseDocument")])?;
    g.link(&licence, &format!("{DCT}type"), "http://purl.org/adms/licencetype/Attribution")?;
    g.plain(&licence, &format!("{FOAF}name"), "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)")?;

    let mut latest = String::new();
    for d in DATASETS {
        let modified = ctx.store().last_modified(d.dated_by).await?.unwrap_or_else(|| "2025-01-01".into());
        let day = modified.get(..10).unwrap_or("2025-01-01").to_string();
        latest = latest.max(day.clone());
        let node = iri(&format!("{base_url}/dati/{}", d.key))?;
        g.link(&catalog, &format!("{DCAT}dataset"), node.as_str())?;
        g.types(&node, &[&format!("{DCATAPIT}Dataset"), &format!("{DCAT}Dataset")])?;
        g.plain(&node, &format!("{DCT}identifier"), &format!("{}:agio-{}", publisher.ipa_code, d.key))?;
        g.texts(&node, &format!("{DCT}title"), texts(&format!("opendata.{}.title", d.key)))?;
        g.texts(&node, &format!("{DCT}description"), texts(&format!("opendata.{}.description", d.key)))?;
        g.date(&node, &format!("{DCT}modified"), &day)?;
        for theme in d.themes {
            g.link(&node, &format!("{DCAT}theme"), &format!("{EU}data-theme/{theme}"))?;
        }
        g.link(&node, &format!("{DCT}accrualPeriodicity"), &format!("{EU}frequency/{}", d.frequency))?;
        g.link(&node, &format!("{DCT}language"), &italian)?;
        g.link(&node, &format!("{DCT}publisher"), agent.as_str())?;
        g.link(&node, &format!("{DCT}rightsHolder"), agent.as_str())?;
        g.link(&node, &format!("{DCAT}contactPoint"), contact.as_str())?;
        g.link(&node, &format!("{DCAT}landingPage"), &format!("{base_url}/dati#{}", d.key))?;
        let distributions: Vec<(String, &str, &str)> = if d.columns.is_empty() {
            vec![(format!("{base_url}/hsds/services?format=ndjson"), "JSON", "application/x-ndjson")]
        } else {
            vec![
                (format!("{base_url}/dati/{}.csv", d.key), "CSV", "text/csv"),
                (format!("{base_url}/dati/{}.json", d.key), "JSON", "application/json"),
            ]
        };
        for (address, format, media_type) in distributions {
            let distribution = iri(&format!("{base_url}/dati/{}#{}", d.key, format.to_lowercase()))?;
            g.link(&node, &format!("{DCAT}distribution"), distribution.as_str())?;
            g.types(&distribution, &[&format!("{DCATAPIT}Distribution"), &format!("{DCAT}Distribution")])?;
            g.link(&distribution, &format!("{DCT}format"), &format!("{EU}file-type/{format}"))?;
            g.link(&distribution, &format!("{DCAT}accessURL"), &address)?;
            g.link(&distribution, &format!("{DCAT}downloadURL"), &address)?;
            g.plain(&distribution, &format!("{DCAT}mediaType"), media_type)?;
            g.link(&distribution, &format!("{DCT}license"), LICENCE)?;
            g.date(&distribution, &format!("{DCT}modified"), &day)?;
            let (it, en) = texts(&format!("opendata.{}.title", d.key));
            g.texts(&distribution, &format!("{DCT}title"), (format!("{it} ({format})"), format!("{en} ({format})")))?;
        }
    }
    g.types(&catalog, &[&format!("{DCATAPIT}Catalog"), &format!("{DCAT}Catalog")])?;
    g.texts(&catalog, &format!("{DCT}title"), texts("opendata.catalogue.title"))?;
    g.texts(&catalog, &format!("{DCT}description"), texts("opendata.catalogue.description"))?;
    g.link(&catalog, &format!("{DCT}publisher"), agent.as_str())?;
    g.date(&catalog, &format!("{DCT}modified"), &latest)?;
    g.link(&catalog, &format!("{FOAF}homepage"), &format!("{base_url}/dati"))?;
    g.link(&catalog, &format!("{DCT}language"), &italian)?;
    g.link(&catalog, &format!("{DCAT}themeTaxonomy"), &format!("{EU}data-theme"))?;
    Ok(g.triples)
}

/// The catalogue written in `format` (Turtle, RDF/XML or JSON-LD).
pub fn serialize(triples: &[Triple], format: RdfFormat) -> Result<Vec<u8>, Error> {
    let failed = |e: std::io::Error| Error::Internal(format!("writing the catalogue: {e}"));
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, namespace) in PREFIXES {
        serializer = serializer.with_prefix(*prefix, *namespace).map_err(|e| Error::Internal(e.to_string()))?;
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in triples {
        writer.serialize_triple(triple).map_err(failed)?;
    }
    writer.finish().map_err(failed)
}
