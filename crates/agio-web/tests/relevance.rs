//! The judged relevance set of `data/directory/relevance.tsv` on the demo directory: for each
//! everyday query, the services that must be in the top five and those that must not appear at
//! all. The figures (precision at 5, recall at 10, the median number of results) are printed
//! for `docs/benchmarks.md` and held to a floor. Recall is counted twice: of the services a
//! query must find, and of every service judged relevant to it (the groups of the set are
//! broad on purpose, so this one stays low while the search narrows).

use std::collections::{BTreeMap, BTreeSet};

use crate::support::TestApp;
use agio_app::directory::Ask;
use agio_store::Backend;

const SET: &str = include_str!("../../../data/directory/relevance.tsv");

/// The floors: a change to the search that loses ground fails here.
const MIN_TOP5_MET: f64 = 0.95;
const MIN_PRECISION_AT_5: f64 = 0.85;
const MIN_RECALL_AT_10: f64 = 0.95;
const MIN_RECALL_OF_ALL_RELEVANT_AT_10: f64 = 0.30;
const MAX_MEDIAN_RESULTS: f64 = 15.0;

struct Judged {
    query: String,
    lang: String,
    comune: String,
    top5: BTreeSet<String>,
    relevant: BTreeSet<String>,
    never: BTreeSet<String>,
}

fn read_set() -> Vec<Judged> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut judged = Vec::new();
    for line in SET.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with("query\t")) {
        let cols: Vec<&str> = line.split('\t').collect();
        if let Some(name) = cols[0].strip_prefix('=') {
            groups.insert(name.to_string(), cols[1].split(',').map(str::to_string).collect());
            continue;
        }
        assert_eq!(cols.len(), 6, "six columns: {line:?}");
        let keys = |column: &str| -> BTreeSet<String> {
            column
                .split(',')
                .filter(|k| !k.is_empty())
                .flat_map(|k| match k.strip_prefix('@') {
                    Some(group) => groups.get(group).unwrap_or_else(|| panic!("no group {group}")).clone(),
                    None => vec![k.to_string()],
                })
                .collect()
        };
        let top5 = keys(cols[3]);
        let relevant = top5.union(&keys(cols[4])).cloned().collect();
        judged.push(Judged {
            query: cols[0].to_string(),
            lang: cols[1].to_string(),
            comune: cols[2].to_string(),
            top5,
            relevant,
            never: keys(cols[5]),
        });
    }
    judged
}

#[tokio::test]
async fn the_judged_queries_find_what_they_mean() {
    let app = TestApp::demo(Backend::Sqlite).await;
    let directory = &app.state.directory;
    let templates = agio_directory::generate::Templates::demo().unwrap().templates;
    for key in read_set().iter().flat_map(|j| j.relevant.iter().chain(&j.never)) {
        assert!(templates.iter().any(|t| &t.key == key), "no template {key}");
    }
    // A service's template, by its name ("<template name> – <place>"); the longest name wins.
    let key_of = |name: &str| -> String {
        let found = templates.iter().filter(|t| name.starts_with(&format!("{} – ", t.name.it)));
        found.max_by_key(|t| t.name.it.len()).map(|t| t.key.clone()).unwrap_or_else(|| panic!("{name}"))
    };
    let now = time::OffsetDateTime::now_utc();
    let keys_of = |ask: &Ask| {
        let ids: Vec<String> = directory.search(ask, now).unwrap().hits.into_iter().map(|h| h.id).collect();
        let store = app.state.store.clone();
        async move {
            let services = store.directory_services_by_id(&ids).await.unwrap();
            services.iter().map(|s| key_of(s.document["name"].as_str().unwrap())).collect::<Vec<String>>()
        }
    };
    let set = read_set();
    assert!(set.len() >= 80, "at least 80 judged queries, found {}", set.len());
    let (mut top5_met, mut precision, mut counts) = (0, 0.0, Vec::new());
    let (mut recall, mut recall_of_all) = (0.0, 0.0);
    let mut misses = Vec::new();
    for judged in &set {
        let ask = Ask {
            text: judged.query.clone(),
            lang: Some(if judged.lang == "en" { agio_search::Lang::En } else { agio_search::Lang::It }),
            comune: (!judged.comune.is_empty()).then(|| judged.comune.clone()),
            limit: 500,
            ..Default::default()
        };
        let found = keys_of(&ask).await;
        let here: BTreeSet<String> = keys_of(&Ask { text: String::new(), ..ask.clone() }).await.into_iter().collect();
        counts.push(found.len() as f64);
        let top5: BTreeSet<&String> = found.iter().take(5).collect();
        let wanted_here: Vec<&String> = judged.top5.iter().filter(|k| here.contains(*k)).collect();
        if wanted_here.iter().all(|k| top5.contains(k)) {
            top5_met += 1;
        } else {
            misses.push(format!(
                "{:?}: wanted {wanted_here:?} in the top 5, got {:?}",
                judged.query,
                &found[..found.len().min(5)]
            ));
        }
        let unwanted: Vec<&String> = found.iter().filter(|k| judged.never.contains(*k)).collect();
        if !unwanted.is_empty() {
            misses.push(format!("{:?}: must not find {unwanted:?}", judged.query));
        }
        let shown = found.len().min(5);
        if shown > 0 {
            precision += found.iter().take(5).filter(|k| judged.relevant.contains(*k)).count() as f64 / shown as f64;
        }
        let ten: BTreeSet<&String> = found.iter().take(10).collect();
        recall += share(wanted_here.iter().filter(|k| ten.contains(**k)).count(), wanted_here.len());
        let relevant_here = judged.relevant.iter().filter(|k| here.contains(*k)).count().min(10);
        recall_of_all += share(judged.relevant.iter().filter(|k| ten.contains(k)).count(), relevant_here);
    }
    let n = set.len() as f64;
    counts.sort_by(f64::total_cmp);
    let median = counts[counts.len() / 2];
    let (top5_share, precision, recall, recall_of_all) =
        (top5_met as f64 / n, precision / n, recall / n, recall_of_all / n);
    println!(
        "relevance set: {} queries; top-5 wishes met {top5_met} ({:.0}%); precision@5 {precision:.2}; recall@10 {recall:.2} (of every relevant service {recall_of_all:.2}); median results {median}",
        set.len(),
        top5_share * 100.0
    );
    println!("{}", misses.join("\n"));
    assert!(top5_share >= MIN_TOP5_MET, "top-5 wishes met {top5_share:.2} < {MIN_TOP5_MET}:\n{}", misses.join("\n"));
    assert!(precision >= MIN_PRECISION_AT_5, "precision@5 {precision:.2} < {MIN_PRECISION_AT_5}");
    assert!(recall >= MIN_RECALL_AT_10, "recall@10 {recall:.2} < {MIN_RECALL_AT_10}");
    let floor = MIN_RECALL_OF_ALL_RELEVANT_AT_10;
    assert!(recall_of_all >= floor, "recall@10 of every relevant service {recall_of_all:.2} < {floor}");
    assert!(median <= MAX_MEDIAN_RESULTS, "median results {median} > {MAX_MEDIAN_RESULTS}");
    assert!(!misses.iter().any(|m| m.contains("must not find")), "{}", misses.join("\n"));
}

/// `part` of `whole`, 1 when there is nothing to find.
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}
