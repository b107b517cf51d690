//! `/servizi` and `/servizi/{slug}`: finding a service by everyday words, filters with their
//! counts, near a comune, in Italian and English, and the service page and its print view.

use crate::support::TestApp;
use agio_app::Context;
use agio_testkit::both_backends;

/// The slugs of the results on a search page, in order.
fn result_slugs(body: &str) -> Vec<String> {
    body.split("<h2><a href=\"/servizi/").skip(1).map(|s| s.split(['"', '?']).next().unwrap().to_string()).collect()
}

both_backends!(a_person_finds_a_service_by_everyday_words_near_a_comune, |backend| async move {
    let app = TestApp::demo(backend).await;
    let all = app.get("/servizi").await;
    all.page_with(&[
        "Trova un servizio",
        "Di che cosa hai bisogno?",
        "<strong>173</strong> servizi trovati</p>",
        "Casa (",
        "Facilitazione digitale (",
    ]);
    assert_eq!(result_slugs(&all.body).len(), 10, "ten a page");

    // A synonym: "badante" finds the help desk for family assistants.
    let badante = app.get("/servizi?q=badante").await;
    badante.page_with(&["Sportello assistenti familiari"]);
    // Near Luzzara: the district of Guastalla, nearest first, distances shown.
    let near = app.get("/servizi?q=pasti+a+domicilio&place=035026").await;
    near.page_with(&["Luzzara (", "a 0,"]);
    let first = &result_slugs(&near.body)[0];
    assert_eq!(first, "pasti-a-domicilio-luzzara", "the comune's own service comes first");
    assert!(!near.body.contains("Rimini –"), "other districts are left out");

    // Filters narrow, and each value shows its count.
    let housing = app.get("/servizi?need=casa&place=rn-rimini").await;
    housing.page_with(&["<option value=\"casa\" selected>Casa ("]);
    // After a search the filters fold away and the summary names each one, with a link that drops it.
    assert!(all.body.contains("<details class=\"agio-more-filters\" open>"), "nothing asked yet: the filters are open");
    housing.page_with(&[
        "<details class=\"agio-more-filters\">",
        "<summary>Filtri (2)</summary>",
        "<a href=\"/servizi?need=casa\">Dove: Distretto di Rimini<span class=\"visually-hidden\"> — togli il filtro</span>",
        "<a href=\"/servizi?place=rn-rimini\">Bisogno: Casa<span",
    ]);
    assert!(result_slugs(&housing.body).iter().all(|s| !s.ends_with("guastalla")), "{:?}", result_slugs(&housing.body));
    let free = app.get("/servizi?free=1&need=anziani").await;
    assert!(!free.body.contains("pasti-a-domicilio"), "meals at home cost something");
    let online = app.get("/servizi?channel=online&language=ar").await;
    online.page_with(&["<option value=\"ar\" selected>arabo (12)", "Online (12)"]);

    // A search narrows: every word counts, and the page says when none has them all.
    let spid = app.get("/servizi?q=aiuto+con+lo+SPID&place=035024").await;
    spid.page_with(&["Punto Digitale Facile"]);
    let about_spid = result_slugs(&spid.body).iter().all(|slug| slug.contains("spid"));
    assert!(about_spid, "only the services about SPID: {:?}", result_slugs(&spid.body));
    let found: usize =
        spid.body.split("role=\"status\"><strong>").nth(1).and_then(|r| r.split('<').next()).unwrap().parse().unwrap();
    assert!((5..=20).contains(&found), "a dozen, not every service of the district: {found}");
    assert!(!spid.body.contains("Nessun servizio con tutte le parole"));
    let some = app.get("/servizi?q=pasti+a+domicilio+zzzxqy&place=035024").await;
    some.page_with(&[
        "Nessun servizio con tutte le parole cercate; ecco quelli che ne hanno alcune.",
        "Pasti a domicilio",
    ]);

    // In English: the English texts, and a note where a text exists only in Italian.
    let english = app.get_en("/servizi?q=rent+support").await;
    english.page_with(&["Find a service", "Rent"]);
});

both_backends!(bad_searches_say_what_is_wrong, |backend| async move {
    let app = TestApp::demo(backend).await;
    for (path, text) in [
        ("/servizi?need=soldi", "soldi"),
        ("/servizi?stage=neonati", "neonati"),
        ("/servizi?channel=posta", "posta"),
        ("/servizi?page=abc", "page"),
    ] {
        let reply = app.get(path).await;
        reply.answer_with(axum::http::StatusCode::BAD_REQUEST, &[text]);
    }
    // A comune that does not exist answers like an address naming nothing.
    app.get("/servizi?place=999999").await.answer_with(axum::http::StatusCode::NOT_FOUND, &["999999"]);
    let long = format!("/servizi?q={}", "a".repeat(10 * 1024));
    assert_eq!(app.get(&long).await.status, 400);
    app.get("/servizi?q=qwertyuiop").await.page_with(&["Nessun servizio corrisponde alla ricerca"]);
    app.get("/servizi?page=40").await.page_with(&["La pagina 40 non esiste: i risultati occupano 18 pagine."]);
});

both_backends!(a_service_page_says_what_who_how_when_where, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get("/servizi/contributo-per-l-affitto-fondo-affitto-guastalla").await;
    page.page_with(&[
        "Che cos&#39;è",
        "Per chi è",
        "Come accedere",
        "Online",
        "Di persona",
        "Passo dopo passo",
        "Documenti da portare",
        "Orari",
        "Accessibilità",
        "href=\"tel:+39",
        "href=\"mailto:",
        "Lingue",
        "Ultimo aggiornamento",
        "Contenuto dimostrativo",
        "/servizi/contributo-per-l-affitto-fondo-affitto-guastalla/stampa",
    ]);
    assert!(
        page.body.contains("aperto ora")
            || page.body.contains("Aperto ora")
            || page.body.contains("Chiuso ora")
            || page.body.contains("Chiuso nei prossimi giorni")
    );
    // At a glance, right under the name: open or not, the address, the phone, how to reach it.
    let glance = page.body.split("<div class=\"agio-glance\">").nth(1).unwrap().split("</div>").next().unwrap();
    for part in ["class=\"agio-open\"", "Guastalla", "Telefono: <a href=\"tel:+39", "Come: Online · Di persona"] {
        assert!(
            glance.contains(part) || (part.contains("agio-open") && glance.contains("agio-closed")),
            "{part}: {glance}"
        );
    }
    // It asks for SPID: the points of digital facilitation nearby are on the page.
    page.page_with(&["Ti serve aiuto con SPID o CIE?"]);
    let help = page.body.split("id=\"help-title\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(help.matches("<li><a href=\"/servizi/").count() >= 2, "{help}");
    assert!(help.contains("Guastalla"), "nearby: {help}");
    // It comes from an agenda action, linked.
    page.page_with(&["Nasce dall&#39;azione dell&#39;agenda", "href=\"/agende/"]);

    let english = app.get_en("/servizi/contributo-per-l-affitto-fondo-affitto-guastalla").await;
    english.page_with(&["What it is", "Rent"]);
    assert!(!english.body.contains("Text only available in"), "the demo texts are translated");

    // A cost is said with its conditions, never as a bare amount beside a text giving a range;
    // the holiday closing is said once.
    let search = app.get("/servizi?q=assistenza+domiciliare&place=035024").await;
    let slug = result_slugs(&search.body).into_iter().find(|s| s.starts_with("assistenza-domiciliare")).unwrap();
    // Found near a comune, its link carries the comune and its page says how far it is.
    search.page_with(&[&format!("href=\"/servizi/{slug}?place=035024\"")]);
    let near = app.get(&format!("/servizi/{slug}?place=035024")).await;
    let glance = near.body.split("<div class=\"agio-glance\">").nth(1).unwrap().split("</div>").next().unwrap();
    assert!(glance.contains(" km da Guastalla</p>"), "{glance}");
    let unknown = app.get(&format!("/servizi/{slug}?place=999999")).await;
    unknown.answer_with(axum::http::StatusCode::NOT_FOUND, &["place", "999999"]);
    let home_care = app.get(&format!("/servizi/{slug}")).await;
    assert!(!home_care.body.contains(" km da "), "no place asked, no distance");
    home_care.page_with(&["Da 0 a 16 euro l&#39;ora in base all&#39;ISEE."]);
    assert!(!home_care.body.contains("<p>€ 16,00</p>"), "no bare amount");
    let closed = home_care.body.matches("festivi").count();
    assert_eq!(closed, 1, "the holiday closing said once");

    let print = app.get("/servizi/contributo-per-l-affitto-fondo-affitto-guastalla/stampa").await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("class=\"agio-print\"") && !print.body.contains("navbar"), "no navigation in print");
    assert!(print.body.contains("<link rel=\"icon\""), "the print view names its icon too");
    assert_eq!(app.get("/servizi/nessun-servizio").await.status, 404);
});

both_backends!(a_text_without_translation_is_marked_in_english, |backend| async move {
    let app = TestApp::demo(backend).await;
    let stored = app.state.store.directory_service("sportello-sociale-guastalla").await.unwrap().unwrap();
    let mut document = stored.document.clone();
    document["agio_translations"]["en"].as_object_mut().unwrap().remove("description");
    document["description"] = "Ti ascoltiamo e ti orientiamo.".into();
    let mut write = app.state.store.begin_write(&agio_store::Actor::cli()).await.unwrap();
    write.save_services(&[document], true, |_| {}).await.unwrap();
    write.commit().await.unwrap();
    app.state.after_write().await.unwrap();
    let page = app.get_en("/servizi/sportello-sociale-guastalla").await;
    page.page_with(&["<p lang=\"it\">Ti ascoltiamo e ti orientiamo.</p>", "Text only available in Italian"]);
    // The index follows the write: the new words are found at once.
    let found = app.get("/servizi?q=orientiamo").await;
    assert_eq!(result_slugs(&found.body)[0], "sportello-sociale-guastalla");
});

/// Posts files as `multipart/form-data`, as the upload form does.
async fn upload(app: &TestApp, session: &crate::support::Session, files: &[(&str, &[u8])]) -> crate::support::Reply {
    let files: Vec<(&str, &str, &[u8])> = files.iter().map(|(name, bytes)| ("files", *name, *bytes)).collect();
    app.post_multipart("/servizi/importa", session, &[], &files).await
}

both_backends!(referents_upload_the_services_of_their_organisation_only, |backend| async move {
    let app = TestApp::demo(backend).await;
    assert_eq!(app.get("/servizi/importa").await.status, 303, "signed out: to the sign-in page");
    let referent = app.sign_in("referente@demo.agio.example").await;
    let form = app
        .request(
            axum::http::Request::get("/servizi/importa")
                .header("cookie", &referent.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    form.page_with(&["Importa servizi", "enctype=\"multipart/form-data\"", "name=\"files\""]);

    // Their own service (Ponti tra Culture APS runs the immigration desk in Guastalla), changed.
    let slug = "sportello-immigrazione-e-mediazione-linguistica-distretto-di-guastalla";
    let mut own = app.state.store.directory_service(slug).await.unwrap().unwrap().document;
    assert_eq!(own["organization"]["name"], "Ponti tra Culture APS");
    own["description"] = "Ti aiutiamo con il permesso di soggiorno, anche il sabato.".into();
    let file = serde_json::to_vec(&vec![own.clone()]).unwrap();
    let done = upload(&app, &referent, &[("servizi.json", &file)]).await;
    done.page_with(&["Importazione riuscita: 1 servizi, 0 nuovi, 1 aggiornati, 0 già uguali."]);
    app.get(&format!("/servizi/{slug}")).await.page_with(&["anche il sabato"]);
    let again = upload(&app, &referent, &[("servizi.json", &file)]).await;
    again.page_with(&["0 aggiornati, 1 già uguali"]);
    let log = app.state.store.history("service", own["id"].as_str().unwrap()).await.unwrap();
    assert!(log.iter().any(|e| e.person_name == "Rita Referente (demo)" && e.operation == "update"), "{log:?}");

    // Someone else's service: refused whole, with the row that is not theirs.
    let other = app.state.store.directory_service("sportello-sociale-guastalla").await.unwrap().unwrap().document;
    let mixed = serde_json::to_vec(&vec![own.clone(), other]).unwrap();
    let refused = upload(&app, &referent, &[("servizi.json", &mixed)]).await;
    refused.answer_with(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &["Non è stato importato nulla", "<td>2</td>", "Comune di Guastalla"],
    );

    // Broken files: the problems, located; nothing written.
    let broken = upload(&app, &referent, &[("servizi.json", b"[{\"id\": ")]).await;
    broken.answer_with(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &["servizi.json", "not JSON"]);
    let mut bad = own.clone();
    bad["service_at_locations"][0]["schedules"][0]["opens_at"] = "25:00".into();
    bad["id"] = "not-a-uuid".into();
    let bad = upload(&app, &referent, &[("servizi.json", &serde_json::to_vec(&vec![bad]).unwrap())]).await;
    bad.answer_with(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &["/id", "/service_at_locations/0/schedules/0/opens_at"],
    );
    app.get(&format!("/servizi/{slug}")).await.page_with(&["anche il sabato"]);

    // A citizen manages no organisation's services; a missing form token is refused.
    let citizen = app.sign_in("cittadino@demo.agio.example").await;
    let theirs = upload(&app, &citizen, &[("servizi.json", &file)]).await;
    assert_eq!(theirs.status, 422, "{}", theirs.body);
    let forged = crate::support::Session { cookie: referent.cookie.clone(), csrf: "forged".into() };
    assert_eq!(upload(&app, &forged, &[("servizi.json", &file)]).await.status, 403);

    // Over the size limit: a page that says the limit, and nothing imported.
    let huge = vec![b' '; 33 * 1024 * 1024];
    let too_large = upload(&app, &referent, &[("servizi.json", &huge)]).await;
    too_large.answer_with(axum::http::StatusCode::PAYLOAD_TOO_LARGE, &["File troppo grande", "32 MB"]);
});

both_backends!(referents_edit_their_services_in_a_form_with_history_and_conflicts, |backend| async move {
    let app = TestApp::demo(backend).await;
    let slug = "sportello-immigrazione-e-mediazione-linguistica-distretto-di-guastalla";
    let form_path = format!("/servizi/{slug}/modifica");
    assert_eq!(app.get(&form_path).await.status, 303, "signed out: to the sign-in page");
    let referent = app.sign_in("referente@demo.agio.example").await;
    get(&app, format!("/servizi/{slug}"), &referent).await.page_with(&["Modifica il servizio", &form_path]);
    let form = get(&app, form_path.clone(), &referent).await;
    form.page_with(&["Nome del servizio", "name=\"description_en\"", "Livello digitale", "name=\"version\""]);
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    let fields = |description: &str, version: &str| -> Vec<(String, String)> {
        vec![
            ("version".into(), version.into()),
            ("name".into(), "Sportello immigrazione – Distretto di Guastalla".into()),
            ("description".into(), description.into()),
            ("eligibility".into(), "Persone straniere e le loro famiglie.".into()),
            ("application_process".into(), "Prendi appuntamento\nPorta i documenti".into()),
            ("in_person".into(), "In via Roma 1, il martedì.".into()),
            ("digital_level".into(), "2".into()),
            ("hours".into(), "lun-ven 9-13\nmar 15-18 su appuntamento per la mediazione".into()),
            (
                "closures".into(),
                "3/8/2099 al 21/08/2099 Ferie estive dello sportello\n01/01/2020 Chiusura passata".into(),
            ),
            ("name_en".into(), "Immigration desk – Guastalla district".into()),
        ]
    };
    let saved = post(&app, &form_path, &referent, &fields("Ti aiutiamo con il permesso di soggiorno.", &version)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = app.get(&format!("/servizi/{slug}")).await;
    page.page_with(&[
        "Ti aiutiamo con il permesso di soggiorno.",
        "<li>Prendi appuntamento</li>",
        "2 · domanda online",
        "Ferie estive dello sportello",
        "15:00–18:00",
        "su appuntamento per la mediazione",
    ]);
    assert!(!page.body.contains("Chiusura passata"), "a closure that has ended is not shown");
    // The form shows the closures again as a referent writes them.
    get(&app, form_path.clone(), &referent)
        .await
        .page_with(&["03/08/2099 - 21/08/2099 Ferie estive dello sportello", "lun-ven 09:00-13:00"]);
    // The English page shows the English name, and the Italian description with a note.
    app.get_en(&format!("/servizi/{slug}")).await.page_with(&["Immigration desk – Guastalla district"]);
    // The index follows the edit.
    assert!(result_slugs(&app.get("/servizi?q=permesso+soggiorno").await.body).contains(&slug.to_string()));
    // History: who changed what.
    let stored = app.state.store.directory_service(slug).await.unwrap().unwrap();
    let log = app.state.store.history("service", &stored.id).await.unwrap();
    assert!(log.iter().any(|e| e.person_name == "Rita Referente (demo)" && e.channel == agio_domain::Channel::Form));

    // Cronologia: who changed which field, from what to what.
    let history = get(&app, format!("/servizi/{slug}/cronologia"), &referent).await;
    history.page_with(&["Rita Referente (demo)", "description", "Ti aiutiamo con il permesso di soggiorno."]);
    assert_eq!(get(&app, "/servizi/sportello-sociale-guastalla/cronologia".to_string(), &referent).await.status, 403);

    // A save from the old version is a conflict: nothing written, both versions shown.
    let stale = post(&app, &form_path, &referent, &fields("Testo vecchio", &version)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    app.get(&format!("/servizi/{slug}")).await.page_with(&["Ti aiutiamo con il permesso di soggiorno."]);
    // Bad input: every field named.
    let mut bad = fields("", &stored.version.to_string());
    bad.push(("email".into(), "non una mail".into()));
    bad.retain(|(k, _)| k != "digital_level" && k != "closures" && k != "hours");
    bad.push(("closures".into(), "24/12/2026 Vigilia\nad agosto".into()));
    bad.push(("hours".into(), "la mattina".into()));
    let refused = post(&app, &form_path, &referent, &bad).await;
    refused.answer_with(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &[
            "href=\"#f-description\"",
            "href=\"#f-email\"",
            "href=\"#f-digital_level\"",
            "href=\"#f-closures\"",
            "righe 2: scrivi un giorno",
            "ad agosto",
            "href=\"#f-hours\"",
            "righe 1: scrivi i giorni",
        ],
    );

    // Not theirs: forbidden, and no edit button.
    let other = "sportello-sociale-guastalla";
    assert_eq!(get(&app, format!("/servizi/{other}/modifica"), &referent).await.status, 403);
    assert!(!get(&app, format!("/servizi/{other}"), &referent).await.body.contains("Modifica il servizio"));
    let citizen = app.sign_in("cittadino@demo.agio.example").await;
    assert_eq!(get(&app, form_path.clone(), &citizen).await.status, 403);
    let admin = app.sign_in("regione@demo.agio.example").await;
    assert_eq!(get(&app, format!("/servizi/{other}/modifica"), &admin).await.status, 200);
});

async fn get(app: &TestApp, path: String, session: &crate::support::Session) -> crate::support::Reply {
    app.request(
        axum::http::Request::get(path).header("cookie", &session.cookie).body(axum::body::Body::empty()).unwrap(),
    )
    .await
}

async fn post(
    app: &TestApp,
    path: &str,
    session: &crate::support::Session,
    pairs: &[(String, String)],
) -> crate::support::Reply {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_as(path, session, &borrowed).await
}
