//! Every public page, on both backends: status and content.

use crate::support::{TestApp, GUASTALLA, RIMINI};
use agio_testkit::both_backends;
use axum::http::StatusCode;

both_backends!(home_page, |backend| async move {
    let app = TestApp::demo(backend).await;
    let r = app.get("/").await;
    r.page_with(&[
        "<html lang=\"it\"",
        "Agende Digitali Sociali",
        "Contenuto dimostrativo",
        "Agenda Digitale Sociale della Bassa Reggiana",
        "href=\"#main\"",
    ]);
    // The map: one link per district, and the same districts as a text list.
    let svg = &r.body[r.body.find("<svg class=\"agio-map-svg\"").expect("the map")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<a href=\"/territori/").count(), 38);
    assert!(svg.contains("<title>Sud-Est (FE)</title>") && svg.contains("<title>Sud-Est (PR)</title>"));
    assert!(r.body.contains("<li><a href=\"/territori/re-guastalla\">Guastalla</a> (RE) · con agenda</li>"));
    assert!(r.body.contains("<dd class=\"agio-figure-value\">330</dd>"), "number of comuni among the key figures");
    assert!(r.body.contains("openpolis/geojson-italy (CC BY 4.0)"), "sources credited");
});

both_backends!(territories_pages, |backend| async move {
    let app = TestApp::demo(backend).await;
    let r = app.get("/territori").await;
    r.page_with(&["Territori", "Guastalla", "AUSL Reggio Emilia", "Reno, Lavino e Samoggia", "ISTAT"]);
    assert_eq!(r.body.matches("<a href=\"/territori/").count(), 38);
    app.get("/territori/re-guastalla").await.page_with(&[
        "Distretto di Guastalla",
        "Boretto",
        "035005",
        "Reggiolo",
        GUASTALLA,
        "Contenuto dimostrativo",
        "breadcrumb",
    ]);
    let other = app.get("/territori/pc-ponente").await;
    other.page_with(&["Distretto di Ponente", "Agazzano", "non ha ancora un&#39;agenda"]);
    assert!(!other.body.contains("Contenuto dimostrativo"), "no demo content, no banner");
    assert_eq!(app.get("/territori/035024").await.status, StatusCode::NOT_FOUND, "a comune is not a district page");
    let missing = app.get("/territori/nessuno").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Pagina non trovata"));
});

both_backends!(agenda_list_and_filters, |backend| async move {
    let app = TestApp::demo(backend).await;
    let all = app.get("/agende").await;
    all.page_with(&[
        "Agende digitali sociali",
        GUASTALLA,
        RIMINI,
        "<strong>2</strong>",
        "name=\"target_group\"",
        "Disabilità",
    ]);
    let approved = app.get("/agende?status=approved").await;
    approved.page_with(&[GUASTALLA, "<option value=\"approved\" selected>"]);
    assert!(!approved.body.contains(RIMINI));
    let by_comune = app.get("/agende?territory=035024").await;
    by_comune.page_with(&[GUASTALLA, "<option value=\"035024\" selected>Guastalla (RE)</option>"]);
    let by_territory = app.get("/agende?territory=rn-rimini&life_stage=&theme=").await;
    by_territory.page_with(&[RIMINI]);
    assert!(!by_territory.body.contains(GUASTALLA));
    let none = app.get("/agende?q=nessuna+agenda+con+questo+testo").await;
    none.page_with(&["Nessun risultato"]);
    let beyond = app.get("/agende?page=40").await;
    beyond.page_with(&["Nessun risultato", "href=\"/agende?page=1\">Pagina precedente"]);
});

both_backends!(bad_query_strings_are_400_naming_the_parameter, |backend| async move {
    let app = TestApp::demo(backend).await;
    for (path, param) in [
        ("/agende?status=ok", "status"),
        ("/agende?page=-1", "page"),
        ("/agende?page=abc", "page"),
        ("/agende?per_page=1000", "per_page"),
        ("/agende?target_group=aliens", "target_group"),
        ("/soggetti?type=bank", "type"),
        ("/asset-digitali?kind=satellite", "kind"),
        ("/agende?q=%FF%FE", "query"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.body.contains("Richiesta non valida"), "{path}: Italian title");
        assert!(r.body.contains(&format!("Il parametro «{param}» non è valido")), "{path}: names {param}: {}", r.body);
    }
    // A key naming nothing answers 404, like an address naming nothing, and says which.
    let nothing = app.get("/agende?territory=zzz").await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND);
    assert!(nothing.body.contains("Il parametro «territory» non è valido"), "{}", nothing.body);
    let nul = app.get("/agende?q=a%00b").await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST);
    assert!(nul.body.contains("caratteri di controllo"));
    let long = format!("/agende?q={}", "a".repeat(300));
    assert_eq!(app.get(&long).await.status, StatusCode::BAD_REQUEST);
    let huge = format!("/agende?q={}", "a".repeat(10_000));
    assert_eq!(app.get(&huge).await.status, StatusCode::BAD_REQUEST);
});

both_backends!(agenda_page, |backend| async move {
    let app = TestApp::demo(backend).await;
    let r = app.get(&format!("/agende/{GUASTALLA}")).await;
    r.page_with(&[
        "Agenda Digitale Sociale della Bassa Reggiana 2025-2027",
        "Visione",
        "Obiettivi condivisi e azioni",
        "id=\"obj-O1\"",
        &format!("/agende/{GUASTALLA}/azioni/A01"),
        &format!("/agende/{GUASTALLA}/azioni/A12"),
        "Soggetti partner",
        "Asset digitali riutilizzati",
        "/asset-digitali/lepida-rete",
        "2025–2027",
        "Approvata",
        "Contenuto dimostrativo",
    ]);
    assert!(r.body.contains("<p>"), "vision rendered from Markdown");
    assert_eq!(app.get("/agende/nessuna").await.status, StatusCode::NOT_FOUND);
});

both_backends!(action_page, |backend| async move {
    let app = TestApp::demo(backend).await;
    let r = app.get(&format!("/agende/{GUASTALLA}/azioni/A01")).await;
    r.page_with(&[
        "A01 — ",
        "Capofila",
        "01/02/2025",
        "Budget per fonte di finanziamento",
        "Totale",
        "€ ",
        "Risultati attesi e indicatori",
        "Valore di partenza",
        "Fragilità",
        "Contenuto dimostrativo",
    ]);
    let store = &app.state.store;
    let action = store.action(GUASTALLA, "A01").await.unwrap().unwrap();
    let total = agio_web::kit::i18n::euros(agio_web::kit::i18n::Lang::It, action.budget_total_cents);
    assert!(r.body.contains(&total), "total {total} shown");
    for indicator in action.results.iter().flat_map(|r| &r.indicators) {
        assert!(r.body.contains(&askama_escape(&indicator.name)), "indicator {} shown", indicator.name);
    }
    assert_eq!(app.get(&format!("/agende/{GUASTALLA}/azioni/Z99")).await.status, StatusCode::NOT_FOUND);
});

fn askama_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

both_backends!(organization_pages, |backend| async move {
    let app = TestApp::demo(backend).await;
    let list = app.get("/soggetti").await;
    list.page_with(&["Soggetti", "Azienda sanitaria", "Contenuto dimostrativo"]);
    let health = app.get("/soggetti?type=health_authority").await;
    health.page_with(&["Azienda sanitaria"]);
    assert!(!health.body.contains("Organizzazione di volontariato (ODV)</td>"));
    let org = app
        .state
        .store
        .list_organizations(&Default::default(), agio_domain::PageRequest::default())
        .await
        .unwrap()
        .items;
    let leader = org.iter().find(|o| o.actions_count > 0).unwrap();
    app.get(&format!("/soggetti/{}", leader.slug)).await.page_with(&[
        &askama_escape(&leader.name),
        "Azioni a cui partecipa",
        "/azioni/",
    ]);
    assert_eq!(app.get("/soggetti/nessuno").await.status, StatusCode::NOT_FOUND);
});

both_backends!(asset_pages, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get("/asset-digitali").await.page_with(&["Catalogo degli asset digitali", "lepida-rete", "Rete"]);
    let only_networks = app.get("/asset-digitali?kind=network").await;
    only_networks.page_with(&["Rete"]);
    assert!(!only_networks.body.contains("<td>Base dati</td>"));
    app.get("/asset-digitali/lepida-rete").await.page_with(&[
        "Agende e azioni che lo riutilizzano",
        "Dove è in uso",
        "Guastalla (035024)",
        GUASTALLA,
    ]);
    assert_eq!(app.get("/asset-digitali/nessuno").await.status, StatusCode::NOT_FOUND);
});

both_backends!(english_ui, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get_en("/agende").await.page_with(&[
        "<html lang=\"en\"",
        "Social digital agendas",
        "Demo content",
        "Apply filters",
        "Disability",
    ]);
    let bad = app.get_en("/agende?status=ok").await;
    assert!(bad.body.contains("The parameter &#39;status&#39; is not valid"), "{}", bad.body);
    app.get_en("/nope").await;
    assert!(app.get_en("/nope").await.body.contains("Page not found"));
    let r = app.get("/lingua/en?next=/agende%3Fstatus%3Dapproved").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/agende?status=approved");
    assert!(r.header("set-cookie").starts_with("lang=en;") && r.header("set-cookie").contains("HttpOnly"));
    for next in ["//evil.example", "/%09/evil.example", "/%0d%0aX:1", "https://evil.example"] {
        let r = app.get(&format!("/lingua/en?next={next}")).await;
        assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, "/"), "no open redirect with next={next}");
    }
    assert_eq!(app.get("/lingua/fr").await.status, StatusCode::NOT_FOUND);
});

both_backends!(api_docs_page, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get("/api/docs").await.page_with(&[
        "API di AGIO",
        "GET /api/v1/agendas",
        "GET /api/v1/agendas/{slug}/actions/{code}",
        "target_group",
        "/api/v1/openapi.json",
        // The document's English texts are marked as such on the Italian page (WCAG 3.1.2).
        "<div class=\"agio-prose\" lang=\"en\">",
        "<span lang=\"en\">",
    ]);
    let english = app.get_en("/api/docs").await;
    assert!(!english.body.contains(" lang=\"en\">") || english.body.contains("<html lang=\"en\">"));
    assert!(!english.body.contains("<div class=\"agio-prose\" lang=\"en\">"), "one language on the English page");
});

both_backends!(operations_and_headers, |backend| async move {
    let app = TestApp::demo(backend).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.json()["database"].as_str()), (StatusCode::OK, Some("ok")));
    let page = app.get("/").await;
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'") && !csp.contains("unsafe-inline")
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "strict-origin-when-cross-origin");
    // The database going away makes the service not ready, with a clear answer.
    app.state.store.close().await;
    let down = app.get("/readyz").await;
    assert_eq!((down.status, down.json()["database"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unreachable")));
});

both_backends!(assets_are_hashed_and_cached, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get("/").await;
    let css =
        page.body.split("rel=\"stylesheet\" href=\"/assets/").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(css.starts_with("agio.") && css.ends_with(".css"));
    let r = app.get(&format!("/assets/{css}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/css"));
    assert_eq!(r.header("cache-control"), "public, max-age=31536000, immutable");
    assert!(r.body.contains("Titillium"));
    assert_eq!(app.get("/assets/agio.css").await.status, StatusCode::NOT_FOUND, "only hashed names are served");
});

both_backends!(page_cache_follows_the_data_version, |backend| async move {
    let app = TestApp::demo(backend).await;
    // Rimini is in consultation: its public pages show the live agenda (no approved version).
    let path = format!("/agende/{RIMINI}");
    app.get(&path).await.page_with(&["Rimini"]);
    let store = &app.state.store;
    store.execute_raw(&format!("UPDATE agendas SET title = 'Titolo nuovo' WHERE slug = '{RIMINI}'")).await.unwrap();
    store.execute_raw("UPDATE data_version SET version = version + 1").await.unwrap();
    // Until the version is seen, the rendered page is served from the cache…
    assert!(!app.get(&path).await.body.contains("Titolo nuovo"));
    // …a request from a signed-in browser (any cookie but lang) is never served from it…
    let fresh = app
        .request(
            axum::http::Request::get(&path)
                .header("cookie", "lang=it; session=x")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    fresh.page_with(&["Titolo nuovo"]);
    // …and once the new version is seen, everyone gets the new page.
    app.state.cache.set_version(store.data_version().await.unwrap() as u64);
    app.get(&path).await.page_with(&["Titolo nuovo"]);
    let api = app.get(&format!("/api/v1/agendas/{RIMINI}")).await;
    assert_eq!(api.json()["title"], "Titolo nuovo");
});

both_backends!(unreadable_paths_and_methods, |backend| async move {
    let app = TestApp::demo(backend).await;
    for path in ["/agende/%FF", "/agende/%00", "/soggetti/a%0Ab", "/api/v1/agendas/%FF"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(app.get("/agende/%00").await.body.contains("Pagina non trovata"));
    assert_eq!(app.get("/api/v1/agendas/%00").await.header("content-type"), "application/problem+json");
    let post =
        app.request(axum::http::Request::post("/api/v1/vocabularies").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.header("content-type"), "application/problem+json");
    assert_eq!(post.json()["title"], "Method Not Allowed");
    assert!(post.header("allow").contains("GET"));
    let page = app.request(axum::http::Request::delete("/agende").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.body.contains("Metodo non consentito"));
});

both_backends!(filters_name_districts_unambiguously_and_survive_the_switch, |backend| async move {
    let app = TestApp::demo(backend).await;
    let r = app.get("/agende?status=approved").await;
    r.page_with(&[
        "<option value=\"fe-sud-est\">Sud-Est (FE)</option>",
        "<option value=\"pr-sud-est\">Sud-Est (PR)</option>",
    ]);
    assert!(r.body.contains("/lingua/en?next=%2Fagende%3Fstatus%3Dapproved"));
    let o = app.get("/soggetti?type=odv").await;
    assert!(o.body.contains("/lingua/en?next=%2Fsoggetti%3Ftype%3Dodv"));
    let a = app.get("/asset-digitali?comune=035024&page=1").await;
    assert!(a.body.contains("/lingua/en?next=%2Fasset-digitali%3Fcomune%3D035024%26page%3D1"), "{}", a.body);
});

// What a public administration's site says about itself: the accessibility statement, legal
// notes and contacts, each linked from every page's footer, with the mailbox the deployment names.
both_backends!(the_accessibility_statement_legal_notes_and_contacts, |backend| async move {
    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let state = agio_web::AppState::new(store, "http://127.0.0.1:8080").await.unwrap();
    let app = TestApp::of(state.with_contact("urp@regione.example").unwrap());
    let home = app.get("/").await;
    home.page_with(&[
        "<a href=\"/accessibilita\">Dichiarazione di accessibilità</a>",
        "<a href=\"/note-legali\">Note legali</a>",
        "<a href=\"/contatti\">Contatti</a>",
        "<a href=\"/privacy\">",
        "<a href=\"/hsds/\">",
        "<span class=\"agio-region\">Regione Emilia-Romagna</span>",
        // The services search, in the header and on the home page.
        "<form class=\"agio-header-search d-none d-md-flex\" method=\"get\" action=\"/servizi\" role=\"search\"",
        "id=\"home-q\" name=\"q\"",
    ]);
    app.get("/accessibilita").await.page_with(&[
        "<h1>Dichiarazione di accessibilità</h1>",
        "legge 9 gennaio 2004, n. 4",
        "parzialmente conforme",
        "WCAG 2.1",
        "scrivi a urp@regione.example",
        "Difensore civico per il digitale",
        "<a href=\"mailto:urp@regione.example\">",
    ]);
    app.get_en("/accessibilita").await.page_with(&["<h1>Accessibility statement</h1>", "Digital Ombudsman"]);
    app.get("/note-legali").await.page_with(&["<h1>Note legali</h1>", "CC BY 4.0", "EUPL-1.2"]);
    app.get("/contatti").await.page_with(&["<h1>Contatti</h1>", "urp@regione.example", "in consultazione"]);
    // An agenda in consultation says where comments go; a district links its services.
    app.get(&format!("/agende/{RIMINI}")).await.page_with(&[
        "L&#39;agenda è in consultazione",
        "<a href=\"mailto:urp@regione.example\">urp@regione.example</a>",
    ]);
    assert!(!app.get(&format!("/agende/{GUASTALLA}")).await.body.contains("agio-consultation"), "approved");
    let district = app.get("/territori/re-guastalla").await;
    district
        .page_with(&["<a href=\"/servizi?place=re-guastalla\">I servizi sociali, sanitari e di aiuto del distretto ("]);
    let count = district.body.split("del distretto (").nth(1).unwrap().split(')').next().unwrap();
    let listed = app.get("/servizi?place=re-guastalla").await;
    assert!(
        listed.body.contains(&format!("<strong>{count}</strong> servizi trovati")),
        "the count matches the list: {count}"
    );
});

// A public agenda page reads everything it shows in one statement: the same district gaps and
// Decidim process as the reads of their own, and the Lab's origins in the pages' order.
both_backends!(the_agenda_page_reads_all_it_shows_at_once, |backend| async move {
    use agio_domain::lab::OriginKind;
    use agio_store::{AgendaDetail, Published};
    // The application publishes the demo districts' profiles as it starts.
    let app = TestApp::demo(backend).await;
    let store = &app.state.store;
    let page = |slug: &'static str| store.agenda_page::<AgendaDetail, serde_json::Value>(slug, Published::Agenda);
    let guastalla = page(GUASTALLA).await.unwrap().unwrap();
    let alone = store.published_profile_gaps::<serde_json::Value>(&guastalla.facts.territory_path).await.unwrap();
    assert_eq!((&guastalla.district, &guastalla.decidim_title), (&alone, &None), "no published profile, no Decidim");
    let (title, origins) = guastalla.origins.expect("the demo agenda has a Community Lab");
    assert!(!title.is_empty());
    for kind in [OriginKind::Idea, OriginKind::Meeting, OriginKind::Pact] {
        assert!(origins.iter().any(|o| o.kind == kind), "{kind:?}: the demo has one at least");
    }
    // Each action's origins together, ideas then meetings then pacts, each by number.
    let mut seen: Vec<&str> = Vec::new();
    for pair in origins.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.action_code == b.action_code {
            assert!((a.kind as u8, a.number) < (b.kind as u8, b.number), "{a:?} before {b:?}");
        } else {
            seen.push(&a.action_code);
            assert!(!seen.contains(&b.action_code.as_str()), "{}'s origins apart: {origins:?}", b.action_code);
        }
    }

    let rimini = page(RIMINI).await.unwrap().unwrap();
    let alone = store.published_profile_gaps::<serde_json::Value>(&rimini.facts.territory_path).await.unwrap();
    assert!(alone.is_some(), "the demo district of Rimini has a published profile");
    assert_eq!(rimini.district, alone);
    let source = store.decidim_source(&rimini.facts.agenda_id).await.unwrap().expect("the demo's Decidim source");
    let expected = if source.process_title.is_empty() { source.process_slug } else { source.process_title };
    assert_eq!(rimini.decidim_title, Some(expected));
    assert!(page("no-such-agenda").await.unwrap().is_none());
});

// Every answer carries its request's id: the one the proxy gave when it is a plain token,
// a new one otherwise (an id goes into log lines as it is).
both_backends!(every_answer_carries_its_request_id, |backend| async move {
    let app = TestApp::demo(backend).await;
    let with_id = |path: &str, id: &str| {
        let request = axum::http::Request::get(path).header("x-request-id", id);
        request.body(axum::body::Body::empty()).unwrap()
    };
    let mut seen = Vec::new();
    for path in ["/", "/", "/agende", "/nessuna-pagina", "/api/v1/agendas/nessuna", "/readyz"] {
        let id = app.get(path).await.header("x-request-id").to_string();
        let (prefix, counter) = id.split_once('-').expect("prefix-counter");
        assert!(prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        assert!(u64::from_str_radix(counter, 16).is_ok(), "{path}: {id}");
        assert!(!seen.contains(&id), "{path}: {id} given twice");
        seen.push(id);
    }
    assert_eq!(app.request(with_id("/agende", "nginx-4f2a_1.b")).await.header("x-request-id"), "nginx-4f2a_1.b");
    for hostile in ["a b", "\"quoted\"", "x;y=1", &"a".repeat(65), "{\"json\":1}"] {
        let given = app.request(with_id("/", hostile)).await.header("x-request-id").to_string();
        assert!(given != hostile && given.split_once('-').is_some_and(|(p, _)| p.len() == 12), "{hostile}: {given}");
    }
});
