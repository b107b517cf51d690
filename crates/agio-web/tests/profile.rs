//! A district's digital-welfare profile: its page, its downloads, who sees its draft, and the
//! form that publishes it. Both backends.

use crate::support::TestApp;
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const GUASTALLA: &str = "/territori/re-guastalla/profilo";
const RIMINI: &str = "/territori/rn-rimini/profilo";

both_backends!(a_published_profile_shows_its_score_matrix_gaps_and_comuni_at_risk, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get(RIMINI).await;
    page.page_with(&[
        "Profilo digitale del distretto di Rimini",
        "Contenuto dimostrativo",
        // The score, with its formula and each component, not a black box.
        "Punteggio di maturità digitale",
        "Punteggio = 50% digitalizzazione + 25% copertura dei bisogni + 25% inclusione.",
        "<th scope=\"row\">Digitalizzazione</th>",
        "<th scope=\"row\">Copertura dei bisogni</th>",
        "<th scope=\"row\">Inclusione</th>",
        // Charts are SVG beside the table that says the same.
        "<svg role=\"img\" aria-hidden=\"true\"",
        "<th scope=\"row\">4 · tutto online, pagamento con pagoPA</th>",
        // The matrix: target groups by life stage.
        "Servizi e livello digitale medio per destinatari e fase della vita",
        "<th scope=\"row\">Persone migranti</th>",
        // The gaps: the inland comuni have no active network yet (ultra-broadband in development).
        "Comuni a rischio di esclusione digitale",
        "<th scope=\"row\">Casteldelci</th>",
        "nessuna rete attiva",
        // The inventory: the directory's services linked, the internal ones marked.
        "Gestione dei posti in emergenza abitativa <span class=\"badge agio-internal-badge\">interno</span>",
        "<a href=\"/servizi/assegno-di-cura-distretto-di-rimini\">",
        "Scarica i servizi (CSV)",
    ]);
    assert!(!page.body.contains("<th scope=\"row\">Rimini</th>"), "the coast is covered by the regional network");
    // In English too.
    app.get_en(RIMINI).await.page_with(&["Digital profile of the Rimini district", "no active network"]);

    // A print sheet, one click away: the same profile without the site's navigation.
    page.page_with(&["href=\"/territori/rn-rimini/profilo/stampa\""]);
    let sheet = app.get(&format!("{RIMINI}/stampa")).await;
    sheet.page_with(&["<main id=\"main\" class=\"agio-print\">", "Punteggio di maturità digitale", "Casteldelci"]);
    assert!(!sheet.body.contains("class=\"navbar\""), "no navigation on paper");

    // The district's page leads to it.
    app.get("/territori/rn-rimini").await.page_with(&["href=\"/territori/rn-rimini/profilo\""]);

    // Downloads: the inventory as CSV, the whole profile as JSON, the same figures as the page.
    let csv = app.get(&format!("{RIMINI}.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("profilo-rn-rimini.csv"));
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some("name,kind,directory_slug,digital_level,target_groups,life_stages,needs,channels,platforms")
    );
    assert!(csv.body.contains("Voucher per i centri estivi,internal,,4,families_in_difficulty"), "{}", csv.body);
    let json = app.get(&format!("{RIMINI}.json")).await;
    assert_eq!(json.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(json["status"], "published");
    let score = json["figures"]["score"].as_f64().unwrap();
    assert!(page.body.contains(&format!("<strong>{}</strong> / 100", score.round())), "the page shows {score}");
    let casteldelci = json["comuni"].as_array().unwrap().iter().find(|c| c["name"] == "Casteldelci").unwrap();
    assert_eq!((casteldelci["connected"].as_bool(), casteldelci["at_risk"].as_bool()), (Some(false), Some(true)));
    let internal = json["services"].as_array().unwrap().iter().filter(|s| s["directory_slug"].is_null()).count();
    assert_eq!(internal, 4);

    // A district with no profile, and a comune: nothing there.
    assert_eq!(app.get("/territori/pc-levante/profilo").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/territori/035024/profilo").await.status, StatusCode::NOT_FOUND);
});

both_backends!(a_draft_profile_is_seen_and_published_only_by_the_territory_s_planners, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let referent = app.sign_in(REFERENT).await;
    let form = format!("{GUASTALLA}/modifica");
    // Outsiders may not even open the form.
    assert_eq!(app.get_as(&form, &referent).await.status, StatusCode::FORBIDDEN);
    let edit = app.get_as(&form, &coordinator).await;
    edit.page_with(&["Profilo digitale di Guastalla", "Distanza massima da un punto di facilitazione (km)"]);
    // Out of range and not a number: a clear message on the field, nothing saved.
    let wrong =
        app.post_as(&form, &coordinator, &[("status", "draft"), ("facilitation_km", "80"), ("version", "1")]).await;
    wrong.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["scrivi un numero tra 1 e 50."]);
    let wrong =
        app.post_as(&form, &coordinator, &[("status", "bozza"), ("facilitation_km", "tre"), ("version", "1")]).await;
    wrong.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["scrivi un numero", "draft, published"]);
    // Back to draft, with a shorter distance (the Italian decimal comma).
    let saved =
        app.post_as(&form, &coordinator, &[("status", "draft"), ("facilitation_km", "2,5"), ("version", "1")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), GUASTALLA);
    // A second save from the old version is refused, with what is stored now.
    let stale =
        app.post_as(&form, &coordinator, &[("status", "published"), ("facilitation_km", "8"), ("version", "1")]).await;
    stale.answer_with(StatusCode::CONFLICT, &["2.5"]);
    // The draft: 404 for the public and for outsiders, exactly like a profile that does not exist.
    for reply in
        [app.get(GUASTALLA).await, app.get_as(GUASTALLA, &referent).await, app.get(&format!("{GUASTALLA}.json")).await]
    {
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
    app.get("/territori/re-guastalla").await.page_with(&["non ha ancora un profilo digitale pubblicato"]);
    let draft = app.get_as(GUASTALLA, &coordinator).await;
    draft.page_with(&["Bozza: la vedono solo le persone che pianificano per questo territorio.", "più di 2,5 km"]);
    // Published again, it is everyone's.
    let published =
        app.post_as(&form, &coordinator, &[("status", "published"), ("facilitation_km", "8"), ("version", "2")]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    app.get(GUASTALLA).await.page_with(&["più di 8 km"]);
    // The change is in the audit log, under readable labels.
    let id = app
        .state
        .store
        .profile_for_edit(&app.state.store.territory("re-guastalla").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let history = app.state.store.history("profile", &id).await.unwrap();
    let count = |operation: &str| history.iter().filter(|e| e.operation == operation).count();
    assert_eq!(count("update"), 2, "withdrawn, then published again");
    assert_eq!(count("publish"), 2, "the demo's first version, then the one published again");
    // The public reads the version published last, dated; its planners, the profile as it stands.
    app.get(GUASTALLA)
        .await
        .page_with(&["Versione pubblicata n. 2 del", "href=\"/territori/re-guastalla/profilo/versioni\""]);
    // Every version stays readable as it was published.
    let versions = app.get(&format!("{GUASTALLA}/versioni")).await;
    versions.page_with(&[
        "Versioni pubblicate",
        "href=\"/territori/re-guastalla/profilo/versioni/1\"",
        "/versioni/2\"",
    ]);
    app.get(&format!("{GUASTALLA}/versioni/1")).await.page_with(&["Versione pubblicata n. 1 del", "più di 8 km"]);
    assert_eq!(app.get(&format!("{GUASTALLA}/versioni/3")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{GUASTALLA}/versioni/uno")).await.status, StatusCode::NOT_FOUND);
    app.get_as(GUASTALLA, &coordinator).await.page_with(&["Il pubblico legge la versione n. 2 del"]);
});

both_backends!(the_region_sees_its_districts_side_by_side, |backend| async move {
    let app = TestApp::demo(backend).await;
    let table = app.get("/profili").await;
    table.page_with(&[
        "Profili digitali dei distretti",
        // The map: districts with a profile are coloured by score and lead to it; the others
        // are pale and lead to their district page.
        "<a href=\"/territori/rn-rimini/profilo\" aria-label=\"Rimini (RN): punteggio ",
        "<a href=\"/territori/pc-levante\" aria-label=\"Levante (PC): nessun profilo pubblicato\"",
        "fill=\"#e6e9f2\"",
        // The legend says what the colours mean.
        "80 e più",
        // The table, sortable by links: every district, the published ones with their figures.
        "<th scope=\"col\" aria-sort=\"ascending\"><a href=\"/profili?ordina=nome&#38;verso=desc\">Distretto</a></th>",
        "<a href=\"/profili?ordina=punteggio&#38;verso=desc\">Punteggio</a>",
        "2 distretti hanno pubblicato il profilo.",
    ]);
    assert_eq!(table.body.matches("<tr><th scope=\"row\">").count(), 38, "every district");
    // Sorted by people at risk, most first: Rimini (its inland comuni have no network yet).
    let by_risk = app.get("/profili?ordina=persone").await;
    let rows: Vec<&str> = by_risk.body.split("<tr><th scope=\"row\"><a href=\"").skip(1).collect();
    assert!(rows[0].starts_with("/territori/rn-rimini/profilo"), "{}", rows[0]);
    assert!(rows[1].starts_with("/territori/re-guastalla/profilo"), "{}", rows[1]);
    assert!(by_risk.body.contains("aria-sort=\"descending\"><a href=\"/profili?ordina=persone&#38;verso=asc\""));
    let ascending = app.get("/profili?ordina=persone&verso=asc").await;
    let rows: Vec<&str> = ascending.body.split("<tr><th scope=\"row\"><a href=\"").skip(1).collect();
    assert!(rows[0].starts_with("/territori/re-guastalla/profilo"), "profiles first, then the others");
    for bad in ["/profili?ordina=altezza", "/profili?verso=su"] {
        app.get(bad)
            .await
            .answer_with(StatusCode::BAD_REQUEST, &[if bad.contains("ordina") { "ordina" } else { "verso" }]);
    }
    app.get_en("/profili").await.page_with(&["Digital profiles of the districts", "no published profile"]);
    app.get("/territori").await.page_with(&["href=\"/profili\""]);

    // Two districts column by column, chosen with a plain form.
    let compare = app.get("/territori/confronto?t=re-guastalla&t=rn-rimini").await;
    compare.page_with(&[
        "Confronto tra distretti",
        "<option value=\"re-guastalla\" selected>Guastalla</option>",
        "<th scope=\"col\"><a href=\"/territori/re-guastalla/profilo\">Guastalla</a></th><th scope=\"col\"><a href=\"/territori/rn-rimini/profilo\">Rimini</a></th>",
        "<th scope=\"row\">Persone a rischio</th>",
        "Casteldelci",
    ]);
    app.get("/territori/confronto").await.page_with(&["Scegli almeno un distretto con il profilo pubblicato."]);
    // A district without a published profile names nothing to compare (404), too many is a 400;
    // both name `t`.
    app.get("/territori/confronto?t=pc-levante").await.answer_with(StatusCode::NOT_FOUND, &["pc-levante"]);
    let five = "/territori/confronto?t=re-guastalla&t=rn-rimini&t=re-guastalla&t=rn-rimini&t=re-guastalla";
    app.get(five).await.answer_with(StatusCode::BAD_REQUEST, &["t"]);
});

both_backends!(a_planner_starts_a_profile_and_lists_its_internal_services, |backend| async move {
    let app = TestApp::demo(backend).await;
    // The Region's administrator plans everywhere: a district with no profile offers to start one.
    let admin = app.sign_in("regione@demo.agio.example").await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let district = app.get_as("/territori/pc-levante", &admin).await;
    district.page_with(&["href=\"/territori/pc-levante/profilo/guida\"", "Avvia il profilo digitale del distretto"]);
    assert!(!app.get_as("/territori/pc-levante", &coordinator).await.body.contains("/profilo/guida"), "not theirs");
    assert!(!app.get("/territori/pc-levante").await.body.contains("/profilo/guida"));
    // The guided self-assessment: the steps, none done, the first one to take.
    let guide = "/territori/pc-levante/profilo/guida";
    assert_eq!(app.get_as(guide, &coordinator).await.status, StatusCode::NOT_FOUND);
    let steps = app.get_as(guide, &admin).await;
    steps.page_with(&[
        "<strong>0 / 6</strong>",
        "<li class=\"agio-step\" aria-current=\"step\">\n    <h2 class=\"h5\">1. Avvia il profilo",
    ]);
    // A profile not started is a draft nobody outside may know of: 404, as for what does not exist.
    assert_eq!(app.get_as("/territori/pc-levante/profilo/modifica", &coordinator).await.status, StatusCode::NOT_FOUND);
    let form = "/territori/pc-levante/profilo/modifica";
    app.get_as(form, &admin).await.page_with(&["Il profilo parte in bozza"]);
    let started = app.post_as(form, &admin, &[("status", "draft"), ("facilitation_km", "12"), ("version", "0")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    // Someone else started it from the same empty form: refused, the first start shown, nothing lost.
    let second =
        app.post_as(form, &admin, &[("status", "published"), ("facilitation_km", "5"), ("version", "0")]).await;
    second.answer_with(StatusCode::CONFLICT, &["Modifiche salvate da un", "<td class=\"agio-pre\">12"]);
    let draft = app.get_as("/territori/pc-levante/profilo", &admin).await;
    draft.page_with(&["Bozza:", "href=\"/territori/pc-levante/profilo/servizi/nuovo\""]);
    assert_eq!(app.get("/territori/pc-levante/profilo").await.status, StatusCode::NOT_FOUND, "a draft");

    // An internal service: ticked boxes for its lists, every problem named at once.
    let new = "/territori/pc-levante/profilo/servizi/nuovo";
    let page = app.get_as(new, &admin).await;
    page.page_with(&[
        "<legend class=\"form-label\">Destinatari <span class=\"agio-required\">",
        "<input type=\"checkbox\" name=\"channels\" value=\"app_io\"> App IO",
    ]);
    let wrong = app
        .post_as(new, &admin, &[("name", ""), ("digital_level", "7"), ("channels", "piccione"), ("version", "0")])
        .await;
    wrong.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &[
            "Nome del servizio",
            "Livello digitale",
            "Destinatari",
            "Fasi della vita",
            "in_person, phone, email, web, app_io",
        ],
    );
    let service = [
        ("name", "Protocollo delle domande di assegno di cura"),
        ("digital_level", "2"),
        ("target_groups", "long_term_care"),
        ("target_groups", "caregivers"),
        ("life_stages", "elderly"),
        ("needs", "anziani"),
        ("channels", "in_person"),
        ("channels", "email"),
        ("platforms", "pdnd"),
        ("description", "Le domande arrivano per posta elettronica e si protocollano a mano."),
        ("version", "0"),
    ];
    let saved = app.post_as(new, &admin, &service).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let profile = app.get_as("/territori/pc-levante/profilo", &admin).await;
    profile.page_with(&[
        "Protocollo delle domande di assegno di cura <span class=\"badge agio-internal-badge\">interno</span>",
        "di persona, e-mail",
        "PDND",
    ]);
    // The guide resumes where the work stopped: started, public services seen, one internal service.
    let steps = app.get_as(guide, &admin).await;
    steps.page_with(&[
        "<strong>3 / 6</strong>",
        "aria-current=\"step\">\n    <h2 class=\"h5\">4. Registra le basi dati",
    ]);
    // Its form comes back with the boxes ticked; a change is saved against its version.
    let edit = profile
        .body
        .split("href=\"/territori/pc-levante/profilo/servizi/")
        .skip(1)
        .map(|rest| format!("/territori/pc-levante/profilo/servizi/{}", &rest[..rest.find('"').unwrap()]))
        .find(|href| href.ends_with("/modifica"))
        .expect("the internal service's form is linked");
    let form = app.get_as(&edit, &admin).await;
    form.page_with(&["value=\"caregivers\" checked", "value=\"email\" checked"]);
    assert!(!form.body.contains("value=\"phone\" checked"));
    let mut changed = service.to_vec();
    changed[1] = ("digital_level", "3");
    changed.retain(|(k, _)| *k != "version");
    changed.push(("version", "1"));
    assert_eq!(app.post_as(&edit, &admin, &changed).await.status, StatusCode::SEE_OTHER);
    let stale = app.post_as(&edit, &admin, &changed).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Only the district's planners: to a coordinator of another territory the draft does not exist.
    assert_eq!(app.get_as(&edit, &coordinator).await.status, StatusCode::NOT_FOUND);
    // The history reads with labels and values as the page shows them.
    let id = app.state.store.territory("pc-levante").await.unwrap().unwrap().id;
    let profile_id = app.state.store.profile(&id).await.unwrap().unwrap().id;
    let history = app.state.store.history("profile", &profile_id).await.unwrap();
    assert_eq!(history.len(), 3, "started, service added, service changed");
});

both_backends!(the_api_gives_the_profiles_and_their_planners_change_them, |backend| async move {
    let app = TestApp::demo(backend).await;
    let list = app.get("/api/v1/profiles").await;
    assert_eq!(list.status, StatusCode::OK);
    let list: serde_json::Value = list.json();
    let slugs: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["territory"]["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["re-guastalla", "rn-rimini"]);
    let rimini: serde_json::Value = app.get("/api/v1/profiles/rn-rimini").await.json();
    assert_eq!(rimini["figures"]["by_level"].as_array().unwrap().len(), 5);
    assert_eq!(rimini["figures"]["matrix"][0]["cells"].as_array().unwrap().len(), 5, "five life stages");
    // Withdrawn to a draft with a token, it is gone for everyone else but its planners.
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    let change = serde_json::json!({ "version": 1, "status": "draft" });
    let r = app.api("PATCH", "/api/v1/profiles/rn-rimini", &token, change).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get("/api/v1/profiles/rn-rimini").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api("GET", "/api/v1/profiles/rn-rimini", &token, serde_json::Value::Null).await.status,
        StatusCode::OK
    );
    let list: serde_json::Value = app.get("/api/v1/profiles").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // A distance out of range: 422 naming the field, nothing saved.
    let r = app
        .api("PATCH", "/api/v1/profiles/rn-rimini", &token, serde_json::json!({ "version": 2, "facilitation_km": 0 }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("facilitation_km"), "{}", r.body);
});

both_backends!(the_piano_di_zona_is_imported_whole_and_links_the_agenda_both_ways, |backend| async move {
    let app = TestApp::demo(backend).await;
    // The demo plan: each sheet lists the actions that carry it forward, and an action leads to its sheet.
    let profile = app.get(GUASTALLA).await;
    profile.page_with(&[
        "Piano di Zona per la salute e il benessere sociale 2024-2026 – Distretto di Guastalla (2024–2026)",
        "<tr id=\"scheda-16\"><th scope=\"row\">16</th><td>Welfare di comunità, partecipazione e invecchiamento attivo</td>",
        "href=\"/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/azioni/A01\">A01 — ",
        "€ 1.850.000,00",
    ]);
    let action = app.get("/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/azioni/A01").await;
    action.page_with(&["<a href=\"/territori/re-guastalla/profilo#scheda-16\">Scheda 16 – Welfare di comunità"]);

    let coordinator = app.sign_in(COORDINATOR).await;
    let referent = app.sign_in(REFERENT).await;
    // An action names a sheet of its district's plan, chosen from a list, not typed.
    let edit = "/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/azioni/A01/modifica";
    app.get_as(edit, &coordinator).await.page_with(&[
        "<select class=\"form-select\" id=\"f-zone_plan_ref\"",
        "<option value=\"Scheda 16 – Welfare di comunità, partecipazione e invecchiamento attivo\" selected>",
    ]);
    let typo = [
        ("title", "Rete dei Punti Pane e Internet"),
        ("term", "short"),
        ("status", "in_progress"),
        ("zone_plan_ref", "Scheda 61"),
        ("version", "1"),
    ];
    let refused = app.post_as(edit, &coordinator, &typo).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["Riferimento al Piano di Zona"]);
    let import = "/territori/re-guastalla/profilo/piano-di-zona";
    assert_eq!(app.get_as(import, &referent).await.status, StatusCode::FORBIDDEN);
    let form = app.get_as(import, &coordinator).await;
    form.page_with(&["Importa il Piano di Zona (CSV)", "value=\"2024\"", "/profilo/piano-di-zona/modello.csv"]);
    let template = app.get(&format!("{import}/modello.csv")).await;
    assert!(template.body.starts_with("numero;titolo;area;destinatari;budget;stato\n"), "{}", template.body);

    // The plan as it stands, to change in a spreadsheet and import again: the same plan back.
    form.page_with(&["/profilo/piano-di-zona/attuale.csv"]);
    let current = app.get_as(&format!("{import}/attuale.csv"), &coordinator).await;
    assert!(current.body.starts_with("numero;titolo;area;destinatari;budget;stato\n"), "{}", current.body);
    assert!(
        current.body.contains("\n16;Welfare di comunità, partecipazione e invecchiamento attivo;"),
        "{}",
        current.body
    );
    assert_eq!(app.get_as(&format!("{import}/attuale.csv"), &referent).await.status, StatusCode::FORBIDDEN);
    let same = [
        ("title", "Piano di Zona per la salute e il benessere sociale 2024-2026 – Distretto di Guastalla"),
        ("period_start", "2024"),
        ("period_end", "2026"),
    ];
    let again =
        app.post_multipart(import, &coordinator, &same, &[("file", "piano.csv", current.body.as_bytes())]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(app.get_as(&format!("{import}/attuale.csv"), &coordinator).await.body, current.body);

    // A file over 1 MB is refused before it is read.
    let big = vec![b'x'; 1024 * 1024 + 1];
    let refused = app.post_multipart(import, &coordinator, &[], &[("file", "piano.csv", big.as_slice())]).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);

    // A file with problems: every one named by row and column, nothing saved.
    let fields = [("title", "Piano di Zona 2027-2029"), ("period_start", "2027"), ("period_end", "2029")];
    let bad = "numero;titolo;area;destinatari;budget;stato\n16;Comunità;;nessuno;molto;in corso\n16;Ancora;;;;forse\n";
    let refused = app.post_multipart(import, &coordinator, &fields, &[("file", "piano.csv", bad.as_bytes())]).await;
    refused.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &[
            "Non è stato salvato nulla.",
            "<td>2</td><td>destinatari</td>",
            "<td>2</td><td>budget</td>",
            "<td>3</td><td>numero</td><td>già usato alla riga 2.</td>",
            "<td>3</td><td>stato</td>",
        ],
    );
    let missing = b"numero,titolo\n1,Uno\n";
    let refused = app.post_multipart(import, &coordinator, &fields, &[("file", "piano.csv", missing)]).await;
    refused.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &["<td>1</td><td>stato</td><td>manca questa colonna del modello.</td>"],
    );
    let latin1 = b"numero,titolo,area,destinatari,budget,stato\n1,Attivit\xe0,,,,conclusa\n";
    let refused = app.post_multipart(import, &coordinator, &fields, &[("file", "piano.csv", latin1)]).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["il file non è testo UTF-8"]);
    let backwards = [("title", "Piano"), ("period_start", "2029"), ("period_end", "2027")];
    let good = "numero,titolo,area,destinatari,budget,stato\n16,Comunità digitale,Comunità,\"caregivers, digital_divide\",\"40.000,00\",pianificata\n";
    let refused = app.post_multipart(import, &coordinator, &backwards, &[("file", "piano.csv", good.as_bytes())]).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["Ultimo anno"]);
    // Nothing of it was saved.
    app.get(GUASTALLA).await.page_with(&["Welfare di comunità, partecipazione e invecchiamento attivo"]);

    // A good file replaces the sheets; the action still finds sheet 16.
    let saved = app.post_multipart(import, &coordinator, &fields, &[("file", "piano.csv", good.as_bytes())]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/territori/re-guastalla/profilo#piano-di-zona");
    // The public reads the published version until the profile is published again.
    app.get(GUASTALLA).await.page_with(&["Piano di Zona per la salute e il benessere sociale 2024-2026"]);
    let republished = app
        .post_as(
            "/territori/re-guastalla/profilo/modifica",
            &coordinator,
            &[("status", "published"), ("facilitation_km", "8"), ("version", "1")],
        )
        .await;
    assert_eq!(republished.status, StatusCode::SEE_OTHER, "{}", republished.body);
    let profile = app.get(GUASTALLA).await;
    profile.page_with(&[
        "Versione pubblicata n. 2",
        "Piano di Zona 2027-2029 (2027–2029)",
        "<td>Comunità digitale</td>",
        "€ 40.000,00",
        "Pianificata",
    ]);
    assert!(!profile.body.contains("Welfare di comunità, partecipazione e invecchiamento attivo"), "replaced");
    let json: serde_json::Value = app.get(&format!("{GUASTALLA}.json")).await.json();
    let sheets = json["zone_plan"]["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0]["target_groups"], serde_json::json!(["caregivers", "digital_divide"]));
    assert_eq!(sheets[0]["actions"][0]["code"], "A01");
});

both_backends!(the_essential_databases_are_registered_never_their_data, |backend| async move {
    let app = TestApp::demo(backend).await;
    let profile = app.get(RIMINI).await;
    profile.page_with(&[
        "<h2 id=\"basi-dati\">Basi dati essenziali</h2>",
        "<th scope=\"row\">Cartella sociale del distretto di Rimini</th>",
        "sì, anche di categorie particolari (art. 9)",
        "<td>dati aperti</td>",
        // A gap: a database nobody else can reach.
        "Basi dati che nessun altro può raggiungere</h3>\n<ul><li>Registro dei posti di accoglienza</li></ul>",
    ]);
    let coordinator = app.sign_in(COORDINATOR).await;
    let new = "/territori/rn-rimini/profilo/basi-dati/nuova";
    assert_eq!(app.get_as(new, &app.sign_in(REFERENT).await).await.status, StatusCode::FORBIDDEN);
    // Special categories in a database said to hold no personal data; an unknown access: named.
    let wrong = [
        ("name", "Registro dei caregiver"),
        ("holder", "Comune di Rimini"),
        ("personal_data", "no"),
        ("special_categories", "yes"),
        ("access", "piccione"),
        ("version", "0"),
    ];
    let refused = app.post_as(new, &coordinator, &wrong).await;
    refused.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &["le categorie particolari sono dati personali", "api, pdnd, open_data, file_exchange, none"],
    );
    let mut good = wrong.to_vec();
    good[2] = ("personal_data", "yes");
    good[4] = ("access", "pdnd");
    let saved = app.post_as(new, &coordinator, &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let profile = app.get_as(RIMINI, &coordinator).await;
    profile.page_with(&["<th scope=\"row\">Registro dei caregiver <a href=\"/territori/rn-rimini/profilo/basi-dati/"]);
    let edit = profile
        .body
        .split("href=\"/territori/rn-rimini/profilo/basi-dati/")
        .skip(1)
        .map(|rest| format!("/territori/rn-rimini/profilo/basi-dati/{}", &rest[..rest.find('"').unwrap()]))
        .find(|href| href.ends_with("/modifica"))
        .unwrap();
    let form = app.get_as(&edit, &coordinator).await;
    form.page_with(&["<option value=\"yes\" selected>"]);
    // Its planners see it at once; the public, once the profile is published again.
    let json: serde_json::Value = app.get_as(&format!("{RIMINI}.json"), &coordinator).await.json();
    let names: Vec<&str> = json["databases"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Registro dei caregiver"), "{names:?}");
});

both_backends!(the_digital_assets_in_use_show_their_reuse_across_territories, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get(GUASTALLA).await.page_with(&[
        "<h2 id=\"asset-in-uso\">Asset digitali in uso</h2>",
        "<th scope=\"row\"><a href=\"/asset-digitali/lepida-rete\">",
        "8 comuni su 8",
    ]);
    // The regional network serves Guastalla's comuni and three of Rimini's: both profiles list it,
    // and its page shows both districts, each leading to its profile.
    app.get(RIMINI).await.page_with(&["3 comuni su 13"]);
    app.get("/asset-digitali/lepida-rete").await.page_with(&[
        "Territori che lo usano",
        "<a href=\"/territori/re-guastalla/profilo\">Guastalla</a> — 8 comuni · nel profilo digitale",
        "<a href=\"/territori/rn-rimini/profilo\">Rimini</a> — 3 comuni",
    ]);
    let json: serde_json::Value = app.get(&format!("{RIMINI}.json")).await.json();
    assert!(json["assets"].as_array().unwrap().iter().any(|a| a["slug"] == "lepida-rete" && a["comuni"] == 3));
});

both_backends!(objectives_and_actions_name_the_profile_s_gaps_and_the_profile_names_them_back, |backend| async move {
    let app = TestApp::demo(backend).await;
    let agenda = "/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028";
    // The demo agenda stands on its profile: what it addresses, what is still open.
    app.get(agenda).await.page_with(&[
        "Le lacune del profilo del distretto",
        "Affrontate da questa agenda",
        "Comune a rischio di esclusione digitale: Casteldelci (373 abitanti) — <a href=\"/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028#obj-O1\">O1 — ",
        "Ancora aperte",
        "Comune a rischio di esclusione digitale: Verucchio (10.052 abitanti)</li>",
    ]);
    // An action that makes a service digital lists the comuni where people risk being left out.
    app.get(&format!("{agenda}/azioni/A03")).await.page_with(&[
        "Le lacune che affronta",
        "<li>Servizio ancora a livello 0–1: Sportello itinerante: il furgone dei servizi nei paesi – Distretto di Rimini</li>",
        "Chi rischia di restare escluso",
        "<th scope=\"row\">Casteldelci</th><td class=\"text-end\">373</td>",
    ]);

    // A coordinator chooses the gaps an action addresses among those the profile found.
    let coordinator = app.sign_in(COORDINATOR).await;
    let form = format!("{agenda}/azioni/A02/lacune");
    assert_eq!(app.get(&form).await.status, StatusCode::SEE_OTHER, "signed-in only");
    app.get_as(&form, &coordinator).await.page_with(&[
        "Lacune affrontate da A02",
        "value=\"comune:099022\"",
        "Comune a rischio di esclusione digitale: Maiolo (801 abitanti)",
        "value=\"service:assegno-di-cura-distretto-di-rimini\"",
    ]);
    app.get_as(&format!("{agenda}/azioni/A02"), &coordinator).await.page_with(&[&format!("href=\"{form}\"")]);
    // A gap the profile does not have: 422 naming the field, nothing saved.
    let refused = app.post_as(&form, &coordinator, &[("gaps", "need:nessuno"), ("version", "1")]).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["Lacune del profilo che affronta"]);
    let saved = app
        .post_as(
            &form,
            &coordinator,
            &[("gaps", "comune:099022"), ("gaps", "service:assegno-di-cura-distretto-di-rimini"), ("version", "1")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Both ways: the action names its gaps, the profile names the action beside each gap.
    app.get(&format!("{agenda}/azioni/A02")).await.page_with(&[
        "<li>Servizio ancora a livello 0–1: Assegno di cura – Distretto di Rimini</li>",
        "<li>Comune a rischio di esclusione digitale: Maiolo (801 abitanti)</li>",
        "Chi rischia di restare escluso",
    ]);
    app.get(RIMINI).await.page_with(&[
        "<th scope=\"row\">Maiolo</th><td>801</td>",
        "<a href=\"/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/azioni/A02\">A02 — ",
        "Assegno di cura – Distretto di Rimini — Affrontata da: <a href=\"/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/azioni/A02\">",
    ]);
    let json: serde_json::Value = app.get(&format!("{RIMINI}.json")).await.json();
    let maiolo = json["gaps"].as_array().unwrap().iter().find(|g| g["key"] == "comune:099022").unwrap();
    assert_eq!(maiolo["kind"], "comune_at_risk");
    let by: Vec<&str> =
        maiolo["addressed_by"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(by, ["O1", "A02"], "objectives first, then actions");
    // Someone saved meanwhile: the second save is refused, nothing lost.
    let stale = app.post_as(&form, &coordinator, &[("gaps", "comune:099021"), ("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    // Objectives too, from the agenda page.
    let objective = format!("{agenda}/obiettivi/O3/lacune");
    app.get_as(agenda, &coordinator).await.page_with(&[&format!("href=\"{objective}\"")]);
    let saved = app.post_as(&objective, &coordinator, &[("gaps", "database:nessuno"), ("version", "1")]).await;
    assert_eq!(saved.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A draft agenda's links stay out of the public profile, as its sheets' actions do.
    app.make_draft("agenda-digitale-sociale-rimini-valmarecchia-2026-2028").await;
    let profile = app.get(RIMINI).await;
    assert!(
        !profile.body.contains("/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/azioni/"),
        "{}",
        profile.body
    );
});

both_backends!(the_api_writes_a_profile_s_services_databases_plan_and_gaps, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    let api = "/api/v1/profiles/rn-rimini";
    let problem_names = |body: &str, what: &str| assert!(body.contains(what), "{what} in {body}");

    // An internal service: every field checked, every problem named.
    let bad = serde_json::json!({ "name": "Prenotazione pasti a domicilio", "digital_level": 7, "target_groups": ["poverty"],
        "life_stages": ["older_adults"], "channels": ["fax"] });
    let r = app.api("POST", &format!("{api}/internal-services"), &token, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for field in ["digital_level", "channels", "life_stages"] {
        problem_names(&r.body, field);
    }
    let service = serde_json::json!({ "name": "Prenotazione pasti a domicilio", "description": "", "digital_level": 1,
        "target_groups": ["long_term_care"], "life_stages": ["elderly"], "needs": [], "channels": ["phone"], "platforms": [] });
    let r = app.api("POST", &format!("{api}/internal-services"), &token, service).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let doc: serde_json::Value = r.json();
    let added =
        doc["services"].as_array().unwrap().iter().find(|s| s["name"] == "Prenotazione pasti a domicilio").unwrap();
    let id = added["internal_id"].as_str().unwrap().to_string();
    assert!(doc["gaps"].as_array().unwrap().iter().any(|g| g["key"] == format!("internal:{id}")), "level 1 is a gap");
    let r = app
        .api(
            "PATCH",
            &format!("{api}/internal-services/{id}"),
            &token,
            serde_json::json!({ "version": 1, "digital_level": 3 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "PATCH",
            &format!("{api}/internal-services/{id}"),
            &token,
            serde_json::json!({ "version": 1, "digital_level": 4 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // A database: special categories need personal data.
    let db = serde_json::json!({ "name": "Anagrafe dei caregiver", "holder": "Comune di Rimini", "contents": "Chi assiste chi",
        "personal_data": false, "special_categories": true, "legal_basis": "", "format": "", "update_frequency": "",
        "access": "none", "used_by": "" });
    let r = app.api("POST", &format!("{api}/databases"), &token, db.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    problem_names(&r.body, "special_categories");
    let mut db = db;
    db["personal_data"] = serde_json::json!(true);
    // A version in a new line's body is no stale save: what is added has none yet.
    db["version"] = serde_json::json!(86);
    let r = app.api("POST", &format!("{api}/databases"), &token, db).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let doc: serde_json::Value = r.json();
    let closed = doc["gaps"].as_array().unwrap().iter().find(|g| g["subject"] == "Anagrafe dei caregiver").unwrap();
    assert_eq!(closed["kind"], "closed_database", "nobody else can reach it");
    let closed = closed["key"].as_str().unwrap().to_string();

    // The Piano di Zona, as the template's CSV: every problem by row and column, nothing saved.
    let plan =
        "/api/v1/profiles/rn-rimini/zone-plan?title=Piano%20di%20Zona%202027-2029&period_start=2027&period_end=2029";
    let put_csv_at = |at: &'static str, csv: &'static str| {
        let request = axum::http::Request::put(at)
            .header("content-type", "text/csv")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(csv))
            .unwrap();
        app.request(request)
    };
    let put_csv = |csv: &'static str| put_csv_at(plan, csv);
    // A query string that cannot be read is named as the API's other problems are.
    let r = put_csv_at("/api/v1/profiles/rn-rimini/zone-plan?title=%FF", "numero;titolo\n").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/problem+json"), "{:?}", r.header("content-type"));
    let r = put_csv("numero;titolo;area;destinatari;budget;stato\n1;Casa;;nessuno;molto;forse\n1;Ancora;;;;\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for at in ["file: row 2, column destinatari", "file: row 2, column budget", "file: row 3, column numero"] {
        problem_names(&r.body, at);
    }
    let before: serde_json::Value = app.get("/api/v1/profiles/rn-rimini").await.json();
    assert_ne!(before["zone_plan"]["title"], "Piano di Zona 2027-2029");
    let r = put_csv("numero;titolo;area;destinatari;budget;stato\n1;Casa e abitare;Casa;;120.000,00;in corso\n").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc: serde_json::Value = r.json();
    assert_eq!(doc["zone_plan"]["title"], "Piano di Zona 2027-2029");
    assert_eq!(doc["zone_plan"]["sheets"].as_array().unwrap().len(), 1);

    // The gaps an action addresses.
    let gaps = "/api/v1/agendas/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/actions/A06/gaps";
    let r = app.api("PATCH", gaps, &token, serde_json::json!({ "version": 1, "gaps": ["need:nessuno"] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    problem_names(&r.body, "gaps");
    // The service went to level 3 above: no longer a gap to address.
    let r =
        app.api("PATCH", gaps, &token, serde_json::json!({ "version": 1, "gaps": [format!("internal:{id}")] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app.api("PATCH", gaps, &token, serde_json::json!({ "version": 1, "gaps": [closed] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["gaps"][0], closed);

    // A referent of an organisation plans for no district: forbidden.
    let referent = app.sign_in(REFERENT).await;
    let theirs = app.create_token(&referent, "write").await;
    let r = app
        .api(
            "PATCH",
            &format!("{api}/internal-services/{id}"),
            &theirs,
            serde_json::json!({ "version": 2, "digital_level": 4 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
});

both_backends!(a_comune_has_its_own_profile_rolled_up_into_its_district_s, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in("regione@demo.agio.example").await;
    let boretto = "/territori/boretto/profilo";
    assert_eq!(app.get(boretto).await.status, StatusCode::NOT_FOUND, "none yet");
    let started = app
        .post_as(
            &format!("{boretto}/modifica"),
            &admin,
            &[("status", "draft"), ("facilitation_km", "8"), ("version", "0")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let service = [
        ("name", "Sportello anagrafe a domicilio"),
        ("digital_level", "0"),
        ("target_groups", "long_term_care"),
        ("life_stages", "elderly"),
        ("channels", "in_person"),
        ("version", "0"),
    ];
    let added = app.post_as(&format!("{boretto}/servizi/nuovo"), &admin, &service).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    // The comune's own profile: its one comune, its services, its own.
    let page = app.get_as(boretto, &admin).await;
    page.page_with(&[
        "Profilo digitale del Comune di Boretto",
        "Sportello anagrafe a domicilio",
        "Trasporto sociale con volontari – Boretto",
    ]);
    assert!(!page.body.contains("Trasporto sociale con volontari – Brescello"), "only the comune's services");
    // Rolled up into the district's: listed there, with where it comes from, edited where it belongs.
    let district = app.get_as(GUASTALLA, &admin).await;
    district.page_with(&["Sportello anagrafe a domicilio (dal profilo di Boretto)"]);
    let at = district.body.find("Sportello anagrafe a domicilio (dal profilo di Boretto)").unwrap();
    let cell = &district.body[at..at + district.body[at..].find("</th>").unwrap()];
    assert!(!cell.contains("/modifica"), "edited on the comune's profile, not the district's: {cell}");
    // Published, the comune's profile is everyone's.
    let published = app
        .post_as(
            &format!("{boretto}/modifica"),
            &admin,
            &[("status", "published"), ("facilitation_km", "8"), ("version", "1")],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    app.get(boretto).await.page_with(&["Versione pubblicata n. 1", "Sportello anagrafe a domicilio"]);
});

both_backends!(a_union_has_its_own_profile_over_its_member_comuni, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in("regione@demo.agio.example").await;
    let members =
        [("name", "Unione Bassa Reggiana Nord"), ("district", "re-guastalla"), ("members", "Boretto\nBrescello")];
    let made = app.post_as("/territori/unioni/nuova", &admin, &members).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let union = "/territori/unioni/unione-bassa-reggiana-nord";
    // Its page offers to start its profile to those who plan for it, and to nobody else.
    let profile = "/territori/unione-bassa-reggiana-nord/profilo";
    app.get_as(union, &admin).await.page_with(&[&format!("href=\"{profile}/guida\"")]);
    assert!(!app.get(union).await.body.contains("/profilo"), "nothing to read yet");
    let started = app
        .post_as(
            &format!("{profile}/modifica"),
            &admin,
            &[("status", "published"), ("facilitation_km", "8"), ("version", "0")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    // Published: its figures are over its two comuni, its services those located in them.
    let page = app.get(profile).await;
    page.page_with(&[
        "Profilo digitale dell&#39;unione Unione Bassa Reggiana Nord",
        "Trasporto sociale con volontari – Boretto",
        "Trasporto sociale con volontari – Brescello",
        "href=\"/territori/unioni/unione-bassa-reggiana-nord\"",
    ]);
    assert!(!page.body.contains("Trasporto sociale con volontari – Luzzara"), "not a member");
    let json: serde_json::Value = app.get(&format!("{profile}.json")).await.json();
    let comuni: Vec<&str> = json["comuni"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(comuni, ["Boretto", "Brescello"]);
    app.get(union).await.page_with(&[&format!("href=\"{profile}\"")]);
});
