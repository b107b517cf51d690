//! Search quality on the demo directory: the labelled queries of
//! `data/directory/query-set.tsv` (typos, synonyms, everyday words, English, near a comune)
//! must each find the expected service in the top 5.

use crate::support::TestApp;
use agio_app::directory::Ask;
use agio_store::Backend;

const QUERIES: &str = include_str!("../../../data/directory/query-set.tsv");

#[tokio::test]
async fn labelled_queries_find_the_expected_service_in_the_top_five() {
    let app = TestApp::demo(Backend::Sqlite).await;
    let directory = &app.state.directory;
    let templates = agio_directory::generate::Templates::demo().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut failures = Vec::new();
    let lines: Vec<&str> = QUERIES.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 40, "at least 40 labelled queries, found {}", lines.len());
    for line in &lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let (query, lang, expected, comune) = (cols[0], cols[1], cols[2], cols.get(3).copied().unwrap_or(""));
        let template =
            templates.templates.iter().find(|t| t.key == expected).unwrap_or_else(|| panic!("no template {expected}"));
        let ask = Ask {
            text: query.to_string(),
            lang: Some(if lang == "en" { agio_search::Lang::En } else { agio_search::Lang::It }),
            comune: (!comune.is_empty()).then(|| comune.to_string()),
            limit: 5,
            ..Default::default()
        };
        let results = directory.search(&ask, now).unwrap();
        let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
        let services = app.state.store.directory_services_by_id(&ids).await.unwrap();
        let names: Vec<&str> = services.iter().map(|s| s.document["name"].as_str().unwrap()).collect();
        let wanted = format!("{} – ", template.name.it);
        let found = names.iter().position(|n| n.starts_with(&wanted));
        // Near a comune, the expected service is the one of that comune (or of its district).
        let placed = match (found, comune.is_empty()) {
            (Some(i), false) => {
                let city = services[i].document["service_at_locations"][0]["location"]["addresses"][0]["city"]
                    .as_str()
                    .unwrap();
                let comune = directory.comuni.get(comune).unwrap();
                template.scope == "district" || city == comune.name
            }
            (found, _) => found.is_some(),
        };
        if !placed {
            failures.push(format!(
                "{query:?} ({lang}{}) → expected {expected}, got {names:?}",
                if comune.is_empty() { String::new() } else { format!(", near {comune}") }
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} queries missed:\n{}", failures.len(), lines.len(), failures.join("\n"));
}
