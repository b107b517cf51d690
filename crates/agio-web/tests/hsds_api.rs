//! `/hsds/` conformance, the way the Open Referral UK validator checks a feed: every answer is
//! validated against the published HSDS 3.0 JSON Schemas (not a copy of them), on the first,
//! a middle and the last page of every list, and every id of those pages is followed to its
//! detail endpoint, which is validated too. Then each parameter of the OpenAPI file is used.

use crate::support::TestApp;
use agio_hsds::{schemas, Object};
use agio_testkit::both_backends;
use serde_json::Value;

/// Asserts a 200 JSON answer and returns it.
async fn json(app: &TestApp, path: &str) -> Value {
    let reply = app.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert!(reply.header("content-type").starts_with("application/json"), "{path}");
    reply.json()
}

#[track_caller]
fn valid(object: Object, value: &Value, what: &str) {
    let problems = schemas().check(object, value);
    assert!(problems.is_empty(), "{what} breaks the HSDS schema: {problems:?}");
}

/// Checks the paging fields of an HSDS page and validates its contents; returns the ids.
#[track_caller]
fn page(value: &Value, item: Object, path: &str) -> Vec<String> {
    let contents = value["contents"].as_array().unwrap_or_else(|| panic!("{path}: no contents"));
    let (total, pages, number) = (
        value["total_items"].as_i64().unwrap(),
        value["total_pages"].as_i64().unwrap(),
        value["page_number"].as_i64().unwrap(),
    );
    assert_eq!(value["size"].as_i64().unwrap(), contents.len() as i64, "{path}");
    assert_eq!(value["first_page"], number == 1, "{path}");
    assert_eq!(value["last_page"], number >= pages, "{path}");
    assert_eq!(value["empty"], contents.is_empty(), "{path}");
    assert!(total >= contents.len() as i64, "{path}");
    contents
        .iter()
        .map(|c| {
            valid(item, c, &format!("{path} item {}", c["id"]));
            c["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// First, middle and last page of a list, each id followed to its detail.
async fn walk(app: &TestApp, list: &str, per_page: usize, item: Object, detail: Object) -> usize {
    let first = json(app, &format!("{list}?per_page={per_page}")).await;
    let pages = first["total_pages"].as_i64().unwrap();
    let mut seen = 0;
    let numbers: std::collections::BTreeSet<i64> = [1, ((pages + 1) / 2).max(1), pages.max(1)].into();
    for number in numbers {
        let path = format!("{list}?per_page={per_page}&page={number}");
        let answer = json(app, &path).await;
        assert_eq!(answer["total_items"], first["total_items"], "{path}");
        for id in page(&answer, item, &path) {
            let one = json(app, &format!("{list}/{id}")).await;
            assert_eq!(one["id"], id.as_str());
            valid(detail, &one, &format!("{list}/{id}"));
            seen += 1;
        }
    }
    seen
}

both_backends!(every_answer_follows_the_hsds_schemas, |backend| async move {
    let app = TestApp::demo(backend).await;
    let root = json(&app, "/hsds/").await;
    assert_eq!(root["version"], "3.0");
    assert!(root["openapi_url"].as_str().unwrap().ends_with("/hsds/openapi.json"));
    let openapi = json(&app, "/hsds/openapi.json").await;
    assert!(openapi["info"]["title"].as_str().unwrap().contains("HSDS 3.0"));
    assert!(openapi["paths"]["/services"]["get"].is_object(), "the published paths");

    assert!(walk(&app, "/hsds/services", 7, Object::ServiceListItem, Object::Service).await >= 15);
    assert!(walk(&app, "/hsds/organizations", 5, Object::OrganizationListItem, Object::Organization).await >= 5);
    assert!(
        walk(&app, "/hsds/service_at_locations", 9, Object::ServiceAtLocationListItem, Object::ServiceAtLocation).await
            >= 18
    );
    assert_eq!(walk(&app, "/hsds/taxonomies", 2, Object::Taxonomy, Object::Taxonomy).await, 3);
    assert!(walk(&app, "/hsds/taxonomy_terms", 10, Object::TaxonomyTerm, Object::TaxonomyTerm).await >= 20);
});

both_backends!(every_parameter_of_the_openapi_file_works, |backend| async move {
    let app = TestApp::demo(backend).await;
    let all = json(&app, "/hsds/services?per_page=100").await;
    let total = all["total_items"].as_i64().unwrap();
    assert!(total >= 150);

    // search: Italian words, through the same index as the pages.
    let found = json(&app, "/hsds/services?search=badante").await;
    let names: Vec<&str> = found["contents"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.iter().any(|n| n.starts_with("Sportello assistenti familiari")), "{names:?}");
    assert!((found["total_items"].as_i64().unwrap()) < total);

    // taxonomy_term_id and taxonomy_id: the needs taxonomy and one of its terms.
    let taxonomies = json(&app, "/hsds/taxonomies").await;
    let needs = taxonomies["contents"].as_array().unwrap().iter().find(|t| t["name"] == "Bisogni").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let terms = json(&app, &format!("/hsds/taxonomy_terms?taxonomy_id={needs}&per_page=100")).await;
    assert_eq!(terms["total_items"], 12, "twelve needs");
    let casa = terms["contents"].as_array().unwrap().iter().find(|t| t["code"] == "casa").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let housing = json(&app, &format!("/hsds/services?taxonomy_term_id={casa}&full=true&per_page=100")).await;
    assert!(housing["total_items"].as_i64().unwrap() >= 2);
    for s in housing["contents"].as_array().unwrap() {
        valid(Object::Service, s, "full service");
        assert!(s["attributes"].as_array().unwrap().iter().any(|a| a["taxonomy_term_id"] == casa.as_str()));
    }
    let by_taxonomy = json(&app, &format!("/hsds/services?taxonomy_id={needs}")).await;
    assert_eq!(by_taxonomy["total_items"].as_i64().unwrap(), total, "every service has a need");
    assert_eq!(
        json(&app, "/hsds/taxonomy_terms?top_only=true&per_page=1").await["total_items"],
        terms["total_items"].as_i64().unwrap() + 5 + 12
    );
    assert_eq!(json(&app, &format!("/hsds/taxonomy_terms?parent_id={casa}")).await["total_items"], 0);

    // organization_id.
    let org = all["contents"][0]["organization"]["id"].as_str().unwrap().to_string();
    let of_org = json(&app, &format!("/hsds/services?organization_id={org}&per_page=100")).await;
    assert!(of_org["contents"].as_array().unwrap().iter().all(|s| s["organization_id"] == org.as_str()));
    let org_detail = json(&app, &format!("/hsds/organizations/{org}")).await;
    assert_eq!(org_detail["services"].as_array().unwrap().len() as i64, of_org["total_items"].as_i64().unwrap());

    // modified_after: as a date-time and as a date.
    assert_eq!(json(&app, "/hsds/services?modified_after=2100-01-01T00:00:00Z").await["total_items"], 0);
    assert_eq!(json(&app, "/hsds/services?modified_after=2000-01-01").await["total_items"], total);

    // minimal: just enough to know what changed, still valid list items.
    let minimal = json(&app, "/hsds/services?minimal=true&per_page=3").await;
    for s in minimal["contents"].as_array().unwrap() {
        valid(Object::ServiceListItem, s, "minimal service");
        assert!(s.get("description").is_none() && s.get("last_modified").is_some());
    }

    // postcode and proximity: Guastalla's postcode, and within 15 km of it.
    let at_postcode = json(&app, "/hsds/service_at_locations?postcode=42016&per_page=100").await;
    assert!(at_postcode["total_items"].as_i64().unwrap() >= 6);
    for sal in at_postcode["contents"].as_array().unwrap() {
        assert_eq!(sal["location"]["addresses"], Value::Null, "list form: no nested lists");
    }
    let near = json(&app, "/hsds/service_at_locations?postcode=42016&proximity=15000&per_page=100").await;
    assert!(
        near["total_items"].as_i64().unwrap() > at_postcode["total_items"].as_i64().unwrap(),
        "neighbouring comuni too"
    );
    let cities: Vec<&str> =
        near["contents"].as_array().unwrap().iter().map(|s| s["location"]["name"].as_str().unwrap()).collect();
    assert!(cities.iter().all(|c| !c.contains("Rimini")), "{cities:?}");

    // format=ndjson: every result, one per line, no paging.
    let lines = app.get("/hsds/services?format=ndjson").await;
    assert_eq!(lines.header("content-type"), "application/x-ndjson");
    assert_eq!(lines.body.lines().count() as i64, total);
    for line in lines.body.lines().take(5) {
        valid(Object::ServiceListItem, &serde_json::from_str(line).unwrap(), "ndjson line");
    }
    // The stream holds the paged list's services in the paged list's order, searches included.
    for query in ["", "&search=spid"] {
        let streamed: Vec<String> = app
            .get(&format!("/hsds/services?format=ndjson{query}"))
            .await
            .body
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
            .collect();
        let mut paged = Vec::new();
        for page in 1.. {
            let list = json(&app, &format!("/hsds/services?per_page=50&page={page}{query}")).await;
            let items = list["contents"].as_array().unwrap().clone();
            paged.extend(items.iter().map(|s| s["id"].as_str().unwrap().to_string()));
            if items.len() < 50 {
                break;
            }
        }
        assert!(!streamed.is_empty(), "{query}");
        assert_eq!(streamed, paged, "{query}");
    }
});

both_backends!(bad_parameters_are_clear_problems, |backend| async move {
    let app = TestApp::demo(backend).await;
    for (path, name) in [
        ("/hsds/services?taxonomy_term_id=casa", "taxonomy_term_id"),
        ("/hsds/services?organization_id=1", "organization_id"),
        ("/hsds/services?modified_after=ieri", "modified_after"),
        ("/hsds/services?minimal=yes", "minimal"),
        ("/hsds/services?per_page=0", "per_page"),
        ("/hsds/services?page=abc", "page"),
        ("/hsds/services?format=xml", "format"),
        ("/hsds/service_at_locations?postcode=42016&proximity=far", "proximity"),
        ("/hsds/taxonomy_terms?top_only=maybe", "top_only"),
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert_eq!(reply.header("content-type"), "application/problem+json", "{path}");
        assert_eq!(reply.json()["invalid_params"][0]["name"], name, "{path}: {}", reply.body);
    }
    // A distance from no postcode is from nothing: 404, naming the postcode.
    let nowhere = app.get("/hsds/service_at_locations?proximity=1000").await;
    assert_eq!(
        (nowhere.status.as_u16(), nowhere.json()["invalid_params"][0]["name"].clone()),
        (404, "postcode".into())
    );
    // A page beyond the end is an empty page that says so.
    let beyond = json(&app, "/hsds/services?page=999").await;
    assert_eq!(
        (beyond["empty"].clone(), beyond["size"].clone(), beyond["last_page"].clone()),
        (Value::Bool(true), 0.into(), Value::Bool(true))
    );
    // Unknown or malformed ids are 404 problems.
    for path in [
        "/hsds/services/not-an-id",
        "/hsds/services/00000000-0000-4000-8000-000000000000",
        "/hsds/organizations/x",
        "/hsds/service_at_locations/x",
        "/hsds/taxonomies/x",
        "/hsds/taxonomy_terms/x",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("content-type"), "application/problem+json", "{path}");
    }
});

both_backends!(the_document_s_schemas_resolve_here_and_its_limits_are_declared, |backend| async move {
    let app = TestApp::demo(backend).await;
    let doc = json(&app, "/hsds/openapi.json").await;
    // Every reference out of the document, and every one inside the files it reaches, is
    // served here (a client resolves them without the network).
    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.push(r.clone());
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }
    let mut outside = Vec::new();
    references(&doc, &mut outside);
    outside.retain(|r| !r.starts_with('#'));
    assert!(outside.contains(&"schema/compiled/service_list.json".to_string()), "{outside:?}");
    assert!(outside.iter().all(|r| r.starts_with("schema/")), "{outside:?}");
    let mut seen = std::collections::BTreeSet::new();
    while let Some(file) = outside.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let reply = app.get(&format!("/hsds/{file}")).await;
        assert_eq!(reply.status, 200, "{file}");
        assert_eq!(reply.header("content-type"), "application/schema+json");
        let mut inner = Vec::new();
        references(&reply.json(), &mut inner);
        let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
        outside.extend(inner.into_iter().filter(|r| !r.starts_with('#')).map(|r| format!("{dir}/{r}")));
    }
    assert!(seen.len() > 10, "the schemas reached: {seen:?}");
    assert_eq!(app.get("/hsds/schema/nothing.json").await.status, 404);
    // Limits, status codes and the streamed form are declared.
    let page = &doc["components"]["parameters"]["per_page"];
    assert_eq!((page["schema"]["maximum"].clone(), page["allowEmptyValue"].clone()), (100.into(), true.into()));
    assert_eq!(doc["components"]["parameters"]["modified_after"]["schema"]["format"], "date-time");
    let services = &doc["paths"]["/services"]["get"]["responses"];
    assert!(
        services["400"].is_object()
            && services["404"].is_object()
            && services["200"]["content"]["application/x-ndjson"].is_object()
    );
    // A streamed list that matches nothing ends cleanly.
    let none = app.get("/hsds/services?format=ndjson&organization_id=00000000-0000-4000-8000-000000000000").await;
    assert_eq!((none.status.as_u16(), none.body.as_str()), (200, ""));
});
