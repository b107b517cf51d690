//! Open data: the `/dati` page describes every file and column; each dataset is CSV and JSON
//! with only what is public; the DCAT-AP_IT catalogue answers in three syntaxes and pySHACL
//! finds it conforms to the EU shapes, the vocabularies and AGIO's Italian shapes — and not
//! once a mandatory property is taken out. Both backends.

use crate::support::TestApp;
use agio_testkit::both_backends;
use axum::body::Body;
use axum::http::{Request, StatusCode};

const GUASTALLA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
const RIMINI: &str = "agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

/// Runs `tests/dcat/validate.py` on a catalogue; returns whether it conforms and its report.
fn shacl(catalogue: &str, syntax: &str) -> (bool, String) {
    let out = crate::support::python_on("dcat/validate.py", catalogue, syntax, &[syntax]);
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), report)
}

async fn accepting(app: &TestApp, accept: &str) -> crate::support::Reply {
    app.request(Request::get("/dati/catalogo").header("accept", accept).body(Body::empty()).unwrap()).await
}

both_backends!(every_public_dataset_is_a_csv_and_a_json_file_described_column_by_column, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get("/dati").await.page_with(&[
        "<h1>Dati aperti</h1>",
        "href=\"/dati/agende.csv\"",
        "href=\"/dati/misure.json\"",
        "<code>valore_obiettivo</code>",
        "rel=\"license\">CC BY 4.0</a>",
        "href=\"/dati/catalogo.ttl\"",
    ]);
    app.get_en("/dati").await.page_with(&["<h1>Open data</h1>", "Resident population"]);
    let agendas = app.get("/dati/agende.csv").await;
    assert_eq!(agendas.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(agendas.header("access-control-allow-origin"), "*");
    // The page cache serves the second answer with the same headers as the first.
    let again = app.get("/dati/agende.csv").await;
    assert_eq!((again.header("access-control-allow-origin"), again.body.as_str()), ("*", agendas.body.as_str()));
    let mut lines = agendas.body.lines();
    assert_eq!(
        lines.next(),
        Some("slug,titolo,territorio,anno_inizio,anno_fine,stato,versione_approvata,avanzamento,indirizzo")
    );
    assert!(agendas.body.contains(&format!("{GUASTALLA},Agenda Digitale Sociale della Bassa Reggiana 2025-2027,")));
    // An agenda read live (in consultation, with no approved version) names its indicators too.
    let indicators = app.get("/dati/indicatori.csv").await.body;
    assert!(indicators.contains(&format!(",{RIMINI},A01,Sale digitali di comunità attive,servizi,")), "{indicators}");
    // Values waiting for approval are not open data: A01's last quarter is waiting.
    let a01 = app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/A01")).await.json();
    let indicator = a01["results"][0]["indicators"][0]["id"].as_str().unwrap().to_string();
    let values = app.get("/dati/misure.csv").await.body;
    assert!(values.contains(&format!("{indicator},{GUASTALLA},A01,2026-Q3,7,")), "an approved value");
    assert!(!values.contains(&format!("{indicator},{GUASTALLA},A01,2026-Q4,")), "a value waiting for approval");
    let json = app.get("/dati/misure.json").await.json();
    assert_eq!(json.as_array().unwrap().len(), values.lines().count() - 1, "the same rows in both files");
    // Each action's milestones and what is committed and paid of each budget line, with its CUP.
    let milestones = app.get("/dati/tappe.csv").await.body;
    assert_eq!(milestones.lines().next(), Some("agenda,azione,tappa,data_prevista,data_effettiva,stato,nota"));
    assert!(milestones
        .contains(&format!("{GUASTALLA},A03,Avvio delle attività con i partner,2025-01-15,2025-01-15,reached,")));
    let spending = app.get("/dati/spesa.json").await.json();
    let a01_pnrr = spending
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["azione"] == "A01" && row["cup"] == "J61B25000230006")
        .expect("A01's PNRR line");
    assert_eq!((a01_pnrr["budget"].clone(), a01_pnrr["dati_al"].clone()), ("96000".into(), "2026-09-30".into()));
    assert!(a01_pnrr["pagato"].as_str().is_some_and(|paid| !paid.is_empty()), "{a01_pnrr}");
    assert_eq!(app.get("/dati/agende").await.status, StatusCode::SEE_OTHER);
    for missing in ["/dati/nulla.csv", "/dati/agende.xlsx", "/dati/servizi.csv", "/dati/catalogo.xml"] {
        assert_eq!(app.get(missing).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
});

both_backends!(the_dcat_ap_it_catalogue_conforms_and_a_missing_mandatory_property_fails, |backend| async move {
    let app = TestApp::demo(backend).await;
    let turtle = accepting(&app, "text/turtle").await;
    assert_eq!(turtle.header("content-type"), "text/turtle; charset=utf-8");
    assert_eq!(turtle.header("vary"), "Accept");
    for (accept, content_type) in
        [("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml")]
    {
        assert_eq!(accepting(&app, accept).await.header("content-type"), content_type);
    }
    for text in [
        "dct:identifier \"r_emiro\"",
        "dct:identifier \"r_emiro:agio-misure\"",
        "<https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40>",
        "<http://publications.europa.eu/resource/authority/frequency/QUARTERLY>",
        "vcard:hasEmail",
    ] {
        assert!(turtle.body.contains(text), "the catalogue lacks {text}");
    }
    for (path, syntax) in
        [("/dati/catalogo.ttl", "turtle"), ("/dati/catalogo.jsonld", "json-ld"), ("/dati/catalogo.rdf", "xml")]
    {
        let (conforms, report) = shacl(&app.get(path).await.body, syntax);
        assert!(conforms, "{path}:\n{report}");
        assert_eq!(report.matches("conforms").count(), 3, "{report}");
    }
    // Without its rights holder, no dataset meets the Italian profile.
    let without: String =
        turtle.body.lines().filter(|l| !l.contains("dct:rightsHolder")).collect::<Vec<_>>().join("\n");
    let (conforms, report) = shacl(&without, "turtle");
    assert!(!conforms, "{report}");
    assert!(report.contains("rightsHolder"), "{report}");
});
