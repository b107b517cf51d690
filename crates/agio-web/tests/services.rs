//! `/servizi` and `/servizi/{slug}`: finding a service by everyday words, filters with their
//! counts, near a comune, in Italian and English, and the service page and its print view.

mod support;

use agio_testkit::both_backends;
use support::TestApp;

/// The slugs of the results on a search page, in order.
fn result_slugs(body: &str) -> Vec<String> {
    body.split("<h2><a href=\"/servizi/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

both_backends!(a_person_finds_a_service_by_everyday_words_near_a_comune, |backend| async move {
    let app = TestApp::demo(backend).await;
    let all = app.get("/servizi").await;
    all.page_with(&["Trova un servizio", "Di che cosa hai bisogno?", "Servizi trovati: <strong>173</strong>", "Casa (", "Facilitazione digitale ("]);
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
    assert!(result_slugs(&housing.body).iter().all(|s| !s.ends_with("guastalla")), "{:?}", result_slugs(&housing.body));
    let free = app.get("/servizi?free=1&need=anziani").await;
    assert!(!free.body.contains("pasti-a-domicilio"), "meals at home cost something");
    let online = app.get("/servizi?channel=online&language=ar").await;
    online.page_with(&["<option value=\"ar\" selected>arabo (12)", "Online (12)"]);

    // In English: the English texts, and a note where a text exists only in Italian.
    let english = app.get_en("/servizi?q=rent+support").await;
    english.page_with(&["Find a service", "Rent"]);
});

both_backends!(bad_searches_say_what_is_wrong, |backend| async move {
    let app = TestApp::demo(backend).await;
    for (path, text) in [
        ("/servizi?need=soldi", "soldi"),
        ("/servizi?place=999999", "999999"),
        ("/servizi?stage=neonati", "neonati"),
        ("/servizi?channel=posta", "posta"),
        ("/servizi?page=abc", "page"),
    ] {
        let reply = app.get(path).await;
        reply.answer_with(axum::http::StatusCode::BAD_REQUEST, &[text]);
    }
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
    assert!(page.body.contains("aperto ora") || page.body.contains("Aperto ora") || page.body.contains("Chiuso ora") || page.body.contains("Chiuso nei prossimi giorni"));
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

    let print = app.get("/servizi/contributo-per-l-affitto-fondo-affitto-guastalla/stampa").await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("class=\"agio-print\"") && !print.body.contains("navbar"), "no navigation in print");
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
