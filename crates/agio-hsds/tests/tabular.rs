//! HSDS tabular data packages: the official example, AGIO documents through a round trip, and
//! broken packages whose every problem is found where it is.

use std::fs;
use std::path::{Path, PathBuf};

use agio_directory::checks::{service_problems, Known};
use agio_directory::ids::stable_id;
use agio_hsds::tabular::{read_package, write_package};
use agio_hsds::{schemas, ImportProblem, Object};
use serde_json::{json, Value};

/// What AGIO already holds: the ids listed.
struct Knows(&'static [&'static str]);

impl Known for Knows {
    fn taxonomy_term(&self, id: &str) -> bool {
        self.0.contains(&id)
    }
    fn organization(&self, id: &str) -> bool {
        self.0.contains(&id)
    }
}

const NOTHING: Knows = Knows(&[]);

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("agio-tabular-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn with_files(name: &str, files: &[(&str, &[u8])]) -> TempDir {
        let dir = TempDir::new(name);
        for (file, content) in files {
            fs::write(dir.0.join(file), content).unwrap();
        }
        dir
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/hsds/3.0/examples/csv")
}

fn located(problems: &[ImportProblem]) -> Vec<(&str, Option<usize>, Option<&str>)> {
    problems.iter().map(|p| (p.file.as_str(), p.row, p.field.as_deref())).collect()
}

fn assert_valid(services: &[Value]) {
    for service in services {
        assert_eq!(schemas().check(Object::Service, service), vec![], "{service:#}");
    }
}

/// The contact row of the official example names a service_at_location that is not in it.
const EXAMPLE_DANGLING_SAL: &str = "93eaf18d-1cd2-4ec7-bffb-3c9172ee5070";

/// The official example with the contact's dangling reference pointing at the example's one
/// service_at_location, where the published `service_full.json` has that contact.
fn fixed_example(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    for entry in fs::read_dir(example_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = fs::read_to_string(&path)
                .unwrap()
                .replace(EXAMPLE_DANGLING_SAL, "e94c9f38-1e8f-4564-91d4-d53501ab1765");
            fs::write(dir.0.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    dir
}

#[test]
fn the_official_example_names_a_service_at_location_it_lacks() {
    let problems = read_package(&example_dir(), &NOTHING).unwrap_err();
    // Its files end lines with CRLF: the row is still the line.
    assert_eq!(located(&problems), [("contacts.csv", Some(2), Some("service_at_location_id"))]);
    assert_eq!(problems[0].message, format!("no service at location has id {EXAMPLE_DANGLING_SAL}"));
}

fn remove_everywhere(value: &mut Value, field: &str) {
    match value {
        Value::Object(object) => {
            object.remove(field);
            object.values_mut().for_each(|v| remove_everywhere(v, field));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remove_everywhere(v, field)),
        _ => {}
    }
}

#[test]
fn the_official_example_assembles_as_its_published_full_service() {
    let dir = fixed_example("example");
    let mut services = read_package(&dir.0, &NOTHING).unwrap();
    assert_eq!(services.len(), 1);
    assert_valid(&services);
    let read = &mut services[0];
    let path = example_dir().join("../service_full.json");
    let mut published: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    // What the tables do not link here: its one attribute describes a `link_entity` called
    // "link_entity", with a `link_id` that is no record of the package; metadata; the
    // organization's own lists.
    let service = published.as_object_mut().unwrap();
    service.remove("attributes");
    service.remove("metadata");
    service["organization"].as_object_mut().unwrap().retain(|_, v| !v.is_array());
    // What the tables hold and the published document leaves out: the organization's tax_id,
    // and organization_id on records that are not nested in their organization.
    read["organization"].as_object_mut().unwrap().remove("tax_id");
    remove_everywhere(read, "organization_id");
    assert_eq!(*read, published);
}

#[test]
fn the_official_example_survives_a_round_trip() {
    let dir = fixed_example("example-trip");
    let services = read_package(&dir.0, &NOTHING).unwrap();
    let out = TempDir::new("example-trip-out");
    write_package(&services, &out.0).unwrap();
    assert_eq!(read_package(&out.0, &NOTHING).unwrap(), services);
}

fn id(parts: &[&str]) -> String {
    stable_id(&["tabular-test"].iter().chain(parts).copied().collect::<Vec<_>>())
}

fn term(code: &str, name: &str, name_en: &str) -> Value {
    json!({
        "id": id(&["term", code]),
        "code": code,
        "name": name,
        "description": name,
        "taxonomy": "Bisogni",
        "taxonomy_id": id(&["taxonomy", "need"]),
        "language": "it",
        "agio_translations": { "en": { "name": name_en, "description": name_en } },
    })
}

fn attribute(service: &str, term: &Value) -> Value {
    let term_id = term["id"].as_str().unwrap();
    json!({
        "id": id(&["attribute", service, term_id]),
        "link_id": id(&["service", service]),
        "link_type": "need",
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": term,
    })
}

fn location(key: &str, name: &str, lat: f64, lon: f64, street: &str) -> Value {
    json!({
        "id": id(&["location", key]),
        "location_type": "physical",
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "addresses": [{
            "id": id(&["address", key]),
            "address_1": street,
            "city": "Bologna",
            "state_province": "BO",
            "postal_code": "40121",
            "country": "IT",
            "address_type": "physical",
        }],
        "accessibility": [{ "id": id(&["accessibility", key]), "description": "Ingresso senza gradini, ascensore" }],
    })
}

fn weekly(key: &str, days: &str, opens: &str, closes: &str) -> Value {
    json!({ "id": id(&["schedule", key]), "freq": "WEEKLY", "byday": days, "opens_at": opens, "closes_at": closes })
}

/// Three services shaped as AGIO builds them: two share an organization, a location and a
/// taxonomy term; the third has a program, funding, contacts and phones at every level.
fn agio_services() -> Vec<Value> {
    let comune = json!({
        "id": id(&["organization", "bologna"]),
        "name": "Comune di Bologna",
        "description": "Comune di Bologna: servizi sociali e sanitari del territorio.",
        "email": "info@comune.bologna.it",
    });
    let casa = term("casa", "Casa", "Housing");
    let soldi = term("soldi", "Aiuti economici", "Money");
    let sportello = location("sportello", "Sportello sociale – Bologna", 44.49381, 11.34262, "Piazza Maggiore 6");
    let mut a = json!({
        "id": id(&["service", "a"]),
        "name": "Contributo affitto, \"emergenza casa\"",
        "description": "Un aiuto per pagare l'affitto.\nPer chi ha perso il lavoro; anche stranieri.",
        "email": "casa@comune.bologna.it",
        "url": "https://www.comune.bologna.it/casa",
        "status": "active",
        "eligibility_description": "Residenti con ISEE sotto 35.000 €",
        "application_process": "1. Prenota\n2. Porta i documenti",
        "minimum_age": 18,
        "last_modified": "2026-09-01T09:00:00Z",
        "phones": [{ "id": id(&["phone", "a"]), "number": "+39 051 219 1111", "type": "voice" }],
        "service_areas": [{ "id": id(&["area", "a"]), "name": "Bologna", "extent_type": "other" }],
        "service_at_locations": [
            {
                "id": id(&["sal", "a1"]),
                "description": "Su appuntamento",
                "schedules": [weekly("a1-1", "MO,WE", "09:00", "12:30"), weekly("a1-2", "TH", "14:30", "17:00")],
                "location": sportello,
            },
            {
                "id": id(&["sal", "a2"]),
                "schedules": [weekly("a2-1", "FR", "09:00", "13:00")],
                "location": location("navile", "Quartiere Navile", 44.5123, 11.3401, "Via Marco Polo 51"),
            },
        ],
        "languages": [
            { "id": id(&["language", "a", "it"]), "name": "Italiano", "code": "it" },
            { "id": id(&["language", "a", "ar"]), "name": "العربية", "code": "ar", "note": "il martedì" },
        ],
        "cost_options": [
            { "id": id(&["cost", "a", "1"]), "amount": 12.5, "currency": "EUR", "option": "Marca da bollo" },
            { "id": id(&["cost", "a", "2"]), "amount": 20, "currency": "EUR", "option": "Diritti di segreteria" },
        ],
        "required_documents": [
            { "id": id(&["document", "a", "0"]), "document": "Documento d'identità, tessera sanitaria" },
            { "id": id(&["document", "a", "1"]), "document": "Contratto d'affitto registrato", "uri": "https://example.org/contratto" },
        ],
        "attributes": [attribute("a", &casa), attribute("a", &soldi)],
        "agio_summary": "Un aiuto per l'affitto",
        "agio_digital_level": 3,
        "agio_assets": ["spid", "pagopa"],
        "agio_access": { "online": "Con SPID sul portale", "in_person": "Allo sportello" },
        "agio_language": "it",
        "agio_demo": true,
        "agio_closures": [{ "from": "2026-08-10", "to": "2026-08-21", "reason": "Ferie" }],
        "agio_action": { "agenda": "bologna-2026", "code": "A1.2", "title": "Casa digitale" },
        "agio_translations": { "en": {
            "name": "Rent support",
            "service_at_locations.0.description": "By appointment",
            "agio_access.online": "With SPID on the portal",
        } },
    });
    a["organization"] = comune.clone();
    let b = json!({
        "id": id(&["service", "b"]),
        "name": "Sportello casa",
        "status": "temporarily closed",
        "organization": comune,
        "service_at_locations": [{ "id": id(&["sal", "b1"]), "location": sportello }],
        "contacts": [{
            "id": id(&["contact", "b"]),
            "name": "Ufficio casa",
            "email": "ufficio.casa@comune.bologna.it",
            "phones": [{ "id": id(&["phone", "b-contact"]), "number": "+39 051 219 2222", "extension": 12 }],
        }],
        "attributes": [attribute("b", &casa)],
        "agio_digital_level": 0,
        "agio_access": {},
        "agio_demo": false,
    });
    let ausl = id(&["organization", "ausl"]);
    let c = json!({
        "id": id(&["service", "c"]),
        "name": "Centro per le famiglie",
        "status": "active",
        "organization": { "id": ausl, "name": "AUSL di Bologna", "description": "Azienda sanitaria", "year_incorporated": 1994 },
        "program": { "id": id(&["program", "c"]), "organization_id": ausl, "name": "Famiglie al centro", "description": "Sostegno alla genitorialità" },
        "funding": [{ "id": id(&["funding", "c"]), "source": "Fondo sociale regionale" }],
        "service_at_locations": [{
            "id": id(&["sal", "c1"]),
            "phones": [{ "id": id(&["phone", "c-sal"]), "number": "+39 051 000 0000" }],
            "contacts": [{ "id": id(&["contact", "c-sal"]), "title": "Coordinatrice" }],
            "location": {
                "id": id(&["location", "c"]),
                "location_type": "virtual",
                "url": "https://famiglie.example.org",
                "languages": [{ "id": id(&["language", "c", "en"]), "name": "English", "code": "en" }],
                "phones": [{
                    "id": id(&["phone", "c-location"]),
                    "number": "800 000 000",
                    "languages": [{ "id": id(&["language", "c-phone", "uk"]), "name": "Українська", "code": "uk" }],
                }],
            },
        }],
        "agio_digital_level": 4,
    });
    vec![a, b, c]
}

#[test]
fn agio_services_come_back_the_same_through_a_package() {
    let services = agio_services();
    assert_valid(&services);
    let dir = TempDir::new("agio");
    write_package(&services, &dir.0).unwrap();
    let read = read_package(&dir.0, &NOTHING).unwrap();
    assert_eq!(read, services);
    assert_valid(&read);
    for service in &read {
        assert_eq!(service_problems(service, &NOTHING), vec![]);
    }

    // Shared records are written once; extension columns are declared.
    let lines = |file: &str| fs::read_to_string(dir.0.join(file)).unwrap().lines().count();
    assert_eq!(lines("organizations.csv"), 1 + 2);
    assert_eq!(lines("locations.csv"), 1 + 3);
    assert_eq!(lines("taxonomy_terms.csv"), 1 + 2);
    assert_eq!(lines("attributes.csv"), 1 + 3);
    assert_eq!(lines("metadata.csv"), 1, "every table of the descriptor is there, if only as a header");
    let header = fs::read_to_string(dir.0.join("services.csv")).unwrap().lines().next().unwrap().to_string();
    for column in ["agio_summary", "agio_digital_level", "agio_assets", "agio_access", "agio_translations"] {
        assert!(header.split(',').any(|c| c == column), "{column} in {header}");
    }
    let descriptor: Value = serde_json::from_str(&fs::read_to_string(dir.0.join("datapackage.json")).unwrap()).unwrap();
    let fields = |resource: &str| -> Vec<String> {
        let resource = descriptor["resources"].as_array().unwrap().iter().find(|r| r["name"] == resource).unwrap();
        resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(fields("service").contains(&"agio_translations".to_string()));
    assert!(fields("taxonomy_term").contains(&"agio_translations".to_string()));
}

#[test]
fn empty_values_and_nesting_ids_do_not_come_back() {
    let mut service = agio_services().swap_remove(1);
    service["description"] = "".into();
    service["languages"] = json!([]);
    service["organization_id"] = service["organization"]["id"].clone();
    service["service_at_locations"][0]["service_id"] = service["id"].clone();
    let dir = TempDir::new("normalised");
    write_package(&[service], &dir.0).unwrap();
    assert_eq!(read_package(&dir.0, &NOTHING).unwrap(), [agio_services().swap_remove(1)]);
}

const ORG: &str = "6f1c1c52-0000-4000-8000-000000000001";
const S1: &str = "6f1c1c52-0000-4000-8000-000000000011";
const S2: &str = "6f1c1c52-0000-4000-8000-000000000012";
const L1: &str = "6f1c1c52-0000-4000-8000-000000000021";
const SAL1: &str = "6f1c1c52-0000-4000-8000-000000000031";
const TERM: &str = "6f1c1c52-0000-4000-8000-000000000041";
const NOWHERE: &str = "6f1c1c52-0000-4000-8000-00000000dead";

fn organizations() -> (&'static str, &'static [u8]) {
    (
        "organizations.csv",
        b"id,name,description\n6f1c1c52-0000-4000-8000-000000000001,Comune di Imola,Servizi sociali\n",
    )
}

#[test]
fn every_problem_of_a_broken_package_is_found_where_it_is() {
    let services = format!(
        "id,organization_id,name,description\n\
         {S1},{ORG},Sportello sociale,\"Ascolto\ne orientamento\"\n\
         {S2},{NOWHERE},Sportello casa,Alloggi\n"
    );
    let mut locations = format!("id,location_type,name,latitude,longitude\n{L1},physical,Sede ").into_bytes();
    locations.extend_from_slice(b"\xff\xfe di Imola,abc,11.71\n");
    let sal = format!("id,service_id,location_id\n{SAL1},{S1},{L1}\n");
    let schedules = format!(
        "id,service_at_location_id,freq,byday,opens_at,closes_at\n\
         6f1c1c52-0000-4000-8000-000000000051,{SAL1},WEEKLY,MO,09:00,12:00\n\
         6f1c1c52-0000-4000-8000-000000000052,{NOWHERE},WEEKLY,TU,09:00,12:00\n"
    );
    let addresses = format!(
        "id,location_id,address_1,city,state_province,postal_code,country,address_type\n\
         not-a-uuid,{L1},Via Emilia 1,Imola,BO,40026,IT,physical\n"
    );
    let phones = format!(
        "id,service_id,number\n\
         6f1c1c52-0000-4000-8000-000000000061,{S1},0542 1\n\
         6f1c1c52-0000-4000-8000-000000000061,{S1},0542 2\n"
    );
    let dir = TempDir::with_files(
        "broken",
        &[
            organizations(),
            ("services.csv", services.as_bytes()),
            ("locations.csv", &locations),
            ("service_at_location.csv", sal.as_bytes()),
            ("schedules.csv", schedules.as_bytes()),
            ("addresses.csv", addresses.as_bytes()),
            ("phones.csv", phones.as_bytes()),
        ],
    );
    let problems = read_package(&dir.0, &NOTHING).unwrap_err();
    let problem = |file: &str, row: usize, field: &str, message: String| {
        ImportProblem::new(file, Some(row), Some(field), message)
    };
    assert_eq!(
        problems,
        [
            problem("addresses.csv", 2, "id", "'not-a-uuid' is not a UUID".into()),
            problem("locations.csv", 2, "name", "not UTF-8 text: invalid byte at offset 5 of the cell".into()),
            problem("locations.csv", 2, "latitude", "'abc' is not a number".into()),
            problem(
                "phones.csv",
                3,
                "id",
                "the id 6f1c1c52-0000-4000-8000-000000000061 is already used on row 2".into()
            ),
            problem("schedules.csv", 3, "service_at_location_id", format!("no service at location has id {NOWHERE}")),
            problem("services.csv", 1, "status", "missing column".into()),
            // The quoted description of the row before spans two lines.
            problem("services.csv", 4, "organization_id", format!("no organization has id {NOWHERE}")),
        ]
    );
}

#[test]
fn a_package_needs_its_services_and_rows_as_long_as_the_header() {
    let dir = TempDir::with_files(
        "ragged",
        &[("organizations.csv", b"id,name,description\n6f1c1c52-0000-4000-8000-000000000001,Comune di Imola\n")],
    );
    let problems = read_package(&dir.0, &NOTHING).unwrap_err();
    assert_eq!(
        problems,
        [
            ImportProblem::new("organizations.csv", Some(2), None, "the row has 2 cells, the header 3"),
            ImportProblem::new("services.csv", None, None, "missing file"),
        ]
    );
}

#[test]
fn a_taxonomy_term_may_be_known_outside_the_package() {
    let services = format!("id,organization_id,name,status\n{S1},{ORG},Sportello sociale,active\n");
    // As a spreadsheet saves it: a byte-order mark, CRLF line endings.
    let attributes =
        format!("\u{feff}id,link_id,taxonomy_term_id,link_entity\r\n6f1c1c52-0000-4000-8000-000000000071,{S1},{TERM},service\r\n");
    let dir = TempDir::with_files(
        "terms",
        &[organizations(), ("services.csv", services.as_bytes()), ("attributes.csv", attributes.as_bytes())],
    );
    let problems = read_package(&dir.0, &NOTHING).unwrap_err();
    assert_eq!(located(&problems), [("attributes.csv", Some(2), Some("taxonomy_term_id"))]);
    assert_eq!(problems[0].message, format!("no taxonomy term has id {TERM}"));

    let services = read_package(&dir.0, &Knows(&[TERM])).unwrap();
    assert_valid(&services);
    assert_eq!(services[0]["attributes"][0]["taxonomy_term_id"], TERM);
    assert_eq!(services[0]["attributes"][0].get("taxonomy_term"), None);
}

#[test]
fn extension_columns_are_typed_and_checked() {
    let services = format!(
        "id,organization_id,name,status,agio_digital_level,agio_access,agio_demo,agio_language\n\
         {S1},{ORG},Uno,active,2,\"{{\"\"online\"\":\"\"SPID\"\"}}\",true,it\n\
         {S2},{ORG},Due,active,tre,{{online,maybe,en\n"
    );
    let dir = TempDir::with_files("extensions", &[organizations(), ("services.csv", services.as_bytes())]);
    let problems = read_package(&dir.0, &NOTHING).unwrap_err();
    assert_eq!(
        located(&problems),
        [("services.csv", Some(3), Some("agio_digital_level")), ("services.csv", Some(3), Some("agio_access"))]
    );
    assert_eq!(problems[0].message, "'tre' is not a whole number");
    assert!(problems[1].message.starts_with("not JSON: "), "{}", problems[1].message);

    let fixed = services.replace(",tre,{online,maybe,", ",,,maybe,");
    fs::write(dir.0.join("services.csv"), fixed).unwrap();
    let read = read_package(&dir.0, &NOTHING).unwrap();
    assert_eq!(read[0]["agio_digital_level"], 2);
    assert_eq!(read[0]["agio_access"], json!({ "online": "SPID" }));
    assert_eq!(read[0]["agio_demo"], true);
    assert_eq!(read[1]["agio_demo"], "maybe", "an unknown extension value stays text");
}
