//! The Community Lab: the process page, the ideas with their supports, comments, moderation and
//! answers, the phase rules and the agenda's actions showing where they came from. Both backends.

use crate::support::{Session, TestApp};
use agio_domain::access::Scope;
use agio_domain::Role;
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
const CITIZEN: &str = "cittadino@demo.agio.example";
const GUASTALLA: &str = "/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027";
const RIMINI: &str = "/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

/// The number of supports an idea's page shows.
fn supports(page: &str) -> i64 {
    let at = page.find("<dt>Sostegni</dt><dd>").expect("the supports figure") + 21;
    page[at..at + page[at..].find('<').unwrap()].parse().unwrap()
}

/// Proposes an idea in Rimini's open collection; returns the reply.
async fn propose(app: &TestApp, who: &Session, title: &str, body: &str) -> crate::support::Reply {
    let fields = [("title", title), ("body", body), ("target_groups", "migrants"), ("version", "0")];
    app.post_as(&format!("{RIMINI}/percorso/idee/nuova"), who, &fields).await
}

both_backends!(the_demo_process_shows_its_phases_ideas_answers_and_the_actions_they_became, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get(&format!("{GUASTALLA}/percorso")).await.page_with(&[
        "<h1>Community Lab della Bassa Reggiana</h1>",
        "<dt>Fase attiva</dt><dd>Patti di collaborazione</dd>",
        "<dt>Idee</dt><dd>5</dd>",
        "<dt>Sostegni</dt><dd>10</dd>",
        "id=\"fase-working_day\"",
        "Giornata di lavoro alla Biblioteca Maldotti",
        "aria-current=\"step\"",
    ]);
    // The list filters and sorts without JavaScript; the most supported comes first.
    let list = app.get(&format!("{GUASTALLA}/percorso/idee")).await;
    list.page_with(&["Risultati: <strong>5</strong>"]);
    assert!(list.body.find("Un punto dove farsi aiutare").unwrap() < list.body.find("Ragazzi che insegnano").unwrap());
    let accepted = app.get(&format!("{GUASTALLA}/percorso/idee?answer=accepted&sort=recent")).await;
    accepted.page_with(&["Risultati: <strong>3</strong>"]);
    assert!(!accepted.body.contains("app regionale unica"), "a rejected idea is filtered out");
    app.get(&format!("{GUASTALLA}/percorso/idee?comune=035028")).await.page_with(&["Risultati: <strong>1</strong>"]);
    let bad = app.get(&format!("{GUASTALLA}/percorso/idee?sort=caso")).await;
    bad.answer_with(StatusCode::BAD_REQUEST, &["sort"]);
    // Each idea has a stable address, with its answer and where it went.
    app.get(&format!("{GUASTALLA}/percorso/idee/1")).await.page_with(&[
        "Idea n. 1: Un punto dove farsi aiutare con SPID vicino a casa",
        "Marta B. (demo)",
        "<strong>in paese</strong>",
        "<strong>Accolta</strong>",
        "La realizza l&#39;azione <a href=\"",
        "/azioni/A01\">A01 — Rete dei Punti Pane e Internet",
        "Come associazione abbiamo volontari",
    ]);
    app.get(&format!("{GUASTALLA}/percorso/idee/3"))
        .await
        .page_with(&["Confluita nell&#39;idea", "/percorso/idee/2\">n. 2"]);
    app.get(&format!("{GUASTALLA}/percorso/idee/5"))
        .await
        .page_with(&["Non accolta", "non è nelle competenze del distretto"]);
    // The agenda and its actions show where they came from.
    app.get(GUASTALLA).await.page_with(&[
        "Da quali idee vengono le azioni",
        "n. 4 — Moduli dei servizi sociali",
        "discusse in <a href=\"/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/incontri/1\">",
    ]);
    app.get(&format!("{GUASTALLA}/azioni/A01")).await.page_with(&[
        "Idee da cui nasce l&#39;azione",
        "n. 1 — Un punto dove farsi aiutare con SPID vicino a casa (4 sostegni)",
        "Discusse in questi incontri:",
        "/percorso/incontri/1\">Tavoli tematici alla Biblioteca Maldotti</a>",
    ]);
    app.get_en(&format!("{GUASTALLA}/percorso")).await.page_with(&["Active phase", "Collaboration pacts"]);
    app.get(&format!("{GUASTALLA}/percorso/idee/99")).await.answer_with(StatusCode::NOT_FOUND, &[]);
    // A draft agenda's process is as hidden as the agenda.
    app.make_draft("agenda-digitale-sociale-rimini-valmarecchia-2026-2028").await;
    app.get(&format!("{RIMINI}/percorso")).await.answer_with(StatusCode::NOT_FOUND, &[]);
    app.get(&format!("{RIMINI}/percorso/idee/1")).await.answer_with(StatusCode::NOT_FOUND, &[]);
});

both_backends!(a_citizen_proposes_supports_and_comments_while_the_collection_is_open, |backend| async move {
    let app = TestApp::demo(backend).await;
    let citizen = app.sign_in(CITIZEN).await;
    let form = app.get_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen).await;
    form.page_with(&["Proponi un&#39;idea", "Lacuna del profilo digitale", "Persone migranti"]);
    // Anonymous visitors are asked to sign in; nobody posts without being signed in.
    app.get(&format!("{RIMINI}/percorso")).await.page_with(&["Accedi per proporre un&#39;idea"]);
    // Bad input: every problem named, nothing saved.
    let fields = [("title", ""), ("body", ""), ("comune", "035024"), ("version", "0")];
    let bad = app.post_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen, &fields).await;
    bad.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-title\"", "href=\"#f-body\"", "href=\"#f-comune\""]);
    let long = "x".repeat(20_001);
    propose(&app, &citizen, "Troppo lunga", &long).await.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["f-body"]);
    // HTML in an idea shows as text.
    let saved = propose(&app, &citizen, "Sportello <b>mobile</b>", "<script>alert(1)</script> nei paesi").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let idea = format!("{RIMINI}/percorso/idee/3");
    assert_eq!(saved.header("location"), idea);
    let page = app.get_as(&idea, &citizen).await;
    page.page_with(&["Sportello &#60;b&#62;mobile&#60;/b&#62;", "Ciro Cittadino (demo)"]);
    assert!(!page.body.contains("<script>alert"), "no script from an idea");
    assert_eq!(supports(&page.body), 0);
    // One support per person: a second one counts nothing; withdrawing takes it back.
    let support = format!("{idea}/sostieni");
    assert_eq!(app.post_as(&support, &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&support, &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    let page = app.get_as(&idea, &citizen).await;
    assert_eq!(supports(&page.body), 1);
    page.page_with(&["Ritira il sostegno"]);
    app.post_as(&format!("{idea}/ritira-sostegno"), &citizen, &[]).await;
    assert_eq!(supports(&app.get(&idea).await.body), 0);
    // A comment, one level deep; an empty one is refused with the text kept.
    let comment = format!("{idea}/commenta");
    app.post_as(&comment, &citizen, &[("body", "   ")])
        .await
        .answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["obbligatori"]);
    assert_eq!(app.post_as(&comment, &citizen, &[("body", "Anche a Talamello")]).await.status, StatusCode::SEE_OTHER);
    app.get(&idea).await.page_with(&["Commenti (1)", "Anche a Talamello"]);
    // A flood of ideas from one account: the sixth in an hour is refused, and says why.
    for n in 0..4 {
        assert_eq!(propose(&app, &citizen, &format!("Idea {n}"), "testo").await.status, StatusCode::SEE_OTHER);
    }
    let flood = propose(&app, &citizen, "Idea di troppo", "testo").await;
    flood.answer_with(StatusCode::TOO_MANY_REQUESTS, &["molte idee nell&#39;ultima ora"]);
    app.get(&format!("{RIMINI}/percorso")).await.page_with(&["<dt>Idee</dt><dd>7</dd>"]);
});

both_backends!(the_phase_opens_and_closes_what_participants_may_do, |backend| async move {
    let app = TestApp::demo(backend).await;
    let citizen = app.sign_in(CITIZEN).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    // Guastalla's process is at its pacts: no new ideas, no supports.
    let closed = app
        .post_as(
            &format!("{GUASTALLA}/percorso/idee/nuova"),
            &citizen,
            &[("title", "T"), ("body", "B"), ("version", "0")],
        )
        .await;
    closed.answer_with(StatusCode::CONFLICT, &["La fase attiva del percorso non lo consente"]);
    let support = format!("{GUASTALLA}/percorso/idee/1/sostieni");
    app.post_as(&support, &citizen, &[]).await.answer_with(StatusCode::CONFLICT, &["fase attiva"]);
    assert_eq!(supports(&app.get(&format!("{GUASTALLA}/percorso/idee/1")).await.body), 4);
    // Only the coordinators move the phase, audited.
    let phase = format!("{GUASTALLA}/percorso/fase");
    assert_eq!(
        app.post_as(&phase, &citizen, &[("active_phase", "ideas"), ("version", "1")]).await.status,
        StatusCode::FORBIDDEN
    );
    let form = app.get_as(&phase, &coordinator).await;
    form.page_with(&["Cambia la fase attiva", "Raccolta delle idee"]);
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let moved = app.post_as(&phase, &coordinator, &[("active_phase", "ideas"), ("version", &version)]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    app.get(&format!("{GUASTALLA}/percorso")).await.page_with(&["<dt>Fase attiva</dt><dd>Raccolta delle idee</dd>"]);
    let unsupported = format!("{GUASTALLA}/percorso/idee/5");
    assert_eq!(app.post_as(&format!("{unsupported}/sostieni"), &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(supports(&app.get(&unsupported).await.body), 1);
    let bad = app.post_as(&phase, &coordinator, &[("active_phase", "voto"), ("version", &version)]).await;
    bad.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["f-active_phase"]);
    // A phase's dates: the end may not come before the start.
    let dates = format!("{GUASTALLA}/percorso/fasi/working_day/modifica");
    let wrong = app
        .post_as(&dates, &coordinator, &[("starts_on", "2024-12-07"), ("ends_on", "2024-12-01"), ("version", "1")])
        .await;
    wrong.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["f-ends_on"]);
    assert_eq!(
        app.get_as(&format!("{GUASTALLA}/percorso/fasi/nessuna/modifica"), &coordinator).await.status,
        StatusCode::NOT_FOUND
    );
});

both_backends!(a_coordinator_starts_a_process_and_answers_ideas_into_actions, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    // Rimini's agenda page offers the process to its coordinators.
    app.get_as(RIMINI, &coordinator).await.page_with(&["/percorso/modifica\">Percorso partecipativo"]);
    let edit = format!("{RIMINI}/percorso/modifica");
    assert_eq!(app.get_as(&edit, &citizen).await.status, StatusCode::FORBIDDEN);
    let points = app
        .post_as(
            &edit,
            &coordinator,
            &[("title", "Lab"), ("vote_method", "points"), ("vote_points", "500"), ("version", "1")],
        )
        .await;
    points.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["f-vote_points"]);
    // Answers: accepted needs its action, not accepted its reason.
    let answer = format!("{RIMINI}/percorso/idee/2/risposta");
    assert_eq!(
        app.post_as(&answer, &citizen, &[("answer", "accepted"), ("version", "1")]).await.status,
        StatusCode::FORBIDDEN
    );
    app.get_as(&answer, &coordinator).await.page_with(&["Risposta all&#39;idea n. 2", "A04 — Lavoro stagionale"]);
    let missing = app.post_as(&answer, &coordinator, &[("answer", "accepted"), ("version", "1")]).await;
    missing.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-action_code\""]);
    let no_reason = app.post_as(&answer, &coordinator, &[("answer", "rejected"), ("version", "1")]).await;
    no_reason.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-answer_note\""]);
    let saved = app
        .post_as(
            &answer,
            &coordinator,
            &[("answer", "accepted"), ("action_code", "A04"), ("answer_note", "Nella A04."), ("version", "1")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get(&format!("{RIMINI}/azioni/A04"))
        .await
        .page_with(&["Idee da cui nasce l&#39;azione", "n. 2 — Contratti stagionali"]);
    // A second answer from the same version is a conflict: nothing lost.
    let stale =
        app.post_as(&answer, &coordinator, &[("answer", "rejected"), ("answer_note", "No"), ("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    app.get(&format!("{RIMINI}/percorso/idee/2")).await.page_with(&["<strong>Accolta</strong>"]);
});

both_backends!(reports_hiding_and_withdrawing_change_what_shows_and_are_refused_to_others, |backend| async move {
    let app = TestApp::demo(backend).await;
    let citizen = app.sign_in(CITIZEN).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let idea = format!("{RIMINI}/percorso/idee/1");
    // Anyone signed in reports, once; the moderators read the reports.
    assert_eq!(
        app.post_as(&format!("{idea}/segnala"), &citizen, &[("reason", "Spam")]).await.status,
        StatusCode::SEE_OTHER
    );
    app.get_as(&idea, &citizen).await.page_with(&["Hai segnalato questa idea"]);
    app.get_as(&idea, &coordinator).await.page_with(&["Moderazione", "Spam"]);
    // A citizen may not hide; a moderator hides with a reason shown in place of the text.
    let hide = format!("{idea}/nascondi");
    assert_eq!(app.post_as(&hide, &citizen, &[("hidden_reason", "No")]).await.status, StatusCode::FORBIDDEN);
    app.post_as(&hide, &coordinator, &[("hidden_reason", "")]).await.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &[]);
    assert_eq!(
        app.post_as(&hide, &coordinator, &[("hidden_reason", "Dati personali nel testo")]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&idea).await;
    page.page_with(&["Nascosto dai moderatori: Dati personali nel testo"]);
    assert!(!page.body.contains("40 km di curve"), "the hidden text is not shown");
    // Nothing more happens to a hidden idea: no support, no comment.
    app.post_as(&format!("{idea}/sostieni"), &citizen, &[])
        .await
        .answer_with(StatusCode::CONFLICT, &["ritirata o nascosta"]);
    app.post_as(&format!("{idea}/commenta"), &citizen, &[("body", "ciao")])
        .await
        .answer_with(StatusCode::CONFLICT, &[]);
    // An author withdraws their own idea, and only theirs.
    let own = propose(&app, &citizen, "La mia idea", "Da ritirare").await;
    let own = own.header("location").to_string();
    let other = app.sign_in("referente@demo.agio.example").await;
    assert_eq!(app.post_as(&format!("{own}/ritira"), &other, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_as(&format!("{own}/ritira"), &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    app.get(&own).await.page_with(&["L&#39;autore ha ritirato questa idea."]);
    // Acts that do not exist, or on ideas that do not, are 404s.
    assert_eq!(app.post_as(&format!("{idea}/vota"), &citizen, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post_as(&format!("{RIMINI}/percorso/idee/99/sostieni"), &citizen, &[]).await.status,
        StatusCode::NOT_FOUND
    );
});

both_backends!(supports_clicked_at_once_count_once_each, |backend| async move {
    let app = TestApp::demo(backend).await;
    let mut people = Vec::new();
    for n in 0..8 {
        let email = format!("sostenitore{n}@demo.agio.example");
        app.add_person(&email, &format!("Sostenitore {n}"), Role::Citizen, Scope::Everywhere).await;
        people.push(app.sign_in(&email).await);
    }
    let support = format!("{RIMINI}/percorso/idee/2/sostieni");
    // Each person clicks twice at once.
    let clicks = people.iter().chain(people.iter()).map(|who| app.post_as(&support, who, &[]));
    for reply in futures_util::future::join_all(clicks).await {
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    // One before (the demo's) and one per person: the stored count agrees with the rows.
    let page = app.get(&format!("{RIMINI}/percorso/idee/2")).await;
    assert_eq!(supports(&page.body), 9);
    let process =
        app.state.store.lab_process("agenda-digitale-sociale-rimini-valmarecchia-2026-2028").await.unwrap().unwrap();
    let idea = app.state.store.lab_idea(&process.id, 2).await.unwrap().unwrap();
    assert_eq!(app.state.store.lab_support_rows(&idea.id).await.unwrap(), 9);
});

both_backends!(the_api_reads_the_process_its_ideas_and_each_idea, |backend| async move {
    let app = TestApp::demo(backend).await;
    let api = "/api/v1/agendas/agenda-digitale-sociale-bassa-reggiana-2025-2027/process";
    let process = app.get(api).await.json();
    assert_eq!(process["active_phase"], "pacts");
    assert_eq!(process["phases"].as_array().unwrap().len(), 6);
    assert_eq!((process["ideas"].as_i64(), process["supports"].as_i64()), (Some(5), Some(10)));
    let accepted = app.get(&format!("{api}/ideas?answer=accepted&sort=recent")).await.json();
    assert_eq!(accepted["total"], 3);
    assert_eq!(accepted["items"][0]["number"], 4, "the most recent first");
    let bad = app.get(&format!("{api}/ideas?answer=forse")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.header("content-type"), "application/problem+json");
    let idea = app.get(&format!("{api}/ideas/1")).await.json();
    assert_eq!(idea["action"]["code"], "A01");
    assert_eq!(idea["supports"], 4);
    assert_eq!(idea["comment_list"].as_array().unwrap().len(), 2);
    assert!(
        idea.get("author_id").is_none() && idea["comment_list"][0].get("author_id").is_none(),
        "only names are public"
    );
    // A hidden idea's text is not in the API either.
    let coordinator = app.sign_in(COORDINATOR).await;
    app.post_as(&format!("{RIMINI}/percorso/idee/1/nascondi"), &coordinator, &[("hidden_reason", "Prova")]).await;
    let hidden =
        app.get("/api/v1/agendas/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/process/ideas/1").await.json();
    assert_eq!((hidden["state"].as_str(), hidden["body"].as_str()), (Some("hidden"), Some("")));
    assert_eq!(hidden["hidden_reason"], "Prova");
    assert_eq!(app.get(&format!("{api}/ideas/99")).await.status, StatusCode::NOT_FOUND);
});

/// Moves a process's active phase as its coordinator.
async fn move_phase(app: &TestApp, agenda: &str, coordinator: &Session, to: &str) {
    let form = app.get_as(&format!("{agenda}/percorso/fase"), coordinator).await;
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let moved = app
        .post_as(&format!("{agenda}/percorso/fase"), coordinator, &[("active_phase", to), ("version", &version)])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
}

both_backends!(the_closed_vote_publishes_its_full_tally_with_one_ballot_per_voter, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get(&format!("{GUASTALLA}/percorso/voto")).await;
    page.page_with(&["Schede: <strong>5</strong>", "Ogni persona ha una sola scheda", "Approvazioni"]);
    // The most approved first: idea 1 (4 approvals), then 2 and 4 (3 each), then 5 (none).
    let at = |n: &str| page.body.find(&format!("/percorso/idee/{n}\">n. {n}")).unwrap();
    assert!(at("1") < at("2") && at("2") < at("4") && at("4") < at("5"));
    assert!(!page.body.contains("/percorso/idee/3\">"), "an idea not admitted has no result");
    let results =
        app.get("/api/v1/agendas/agenda-digitale-sociale-bassa-reggiana-2025-2027/process/results").await.json();
    assert_eq!((results["published"].as_bool(), results["ballots"].as_i64()), (Some(true), Some(5)));
    assert_eq!((results["tally"][0]["number"].as_i64(), results["tally"][0]["points"].as_i64()), (Some(1), Some(4)));
    // Nobody votes once the vote is closed.
    let citizen = app.sign_in(CITIZEN).await;
    let late = app.post_as(&format!("{GUASTALLA}/percorso/voto"), &citizen, &[("ideas", "5")]).await;
    late.answer_with(StatusCode::CONFLICT, &["fase attiva"]);
});

both_backends!(a_ballot_is_cast_changed_and_counted_once_and_no_result_shows_before_the_close, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    let vote = format!("{RIMINI}/percorso/voto");
    // Before the prioritisation: no ballot; the coordinators admit ideas.
    app.get_as(&vote, &citizen).await.page_with(&["Il voto si apre nella fase di prioritizzazione"]);
    app.post_as(&vote, &citizen, &[("points_1", "3")]).await.answer_with(StatusCode::CONFLICT, &[]);
    let admitted = format!("{vote}/ammesse");
    assert_eq!(app.get_as(&admitted, &citizen).await.status, StatusCode::FORBIDDEN);
    app.get_as(&admitted, &coordinator).await.page_with(&["n. 1 — Il medico in video", "n. 2 — Contratti stagionali"]);
    let saved = app.post_as(&admitted, &coordinator, &[("admitted", "1"), ("admitted", "2"), ("version", "1")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    move_phase(&app, RIMINI, &coordinator, "prioritisation").await;
    // Ten points to distribute: more is refused, naming the total; nothing is saved.
    let form = app.get_as(&vote, &citizen).await;
    form.page_with(&["Distribuisci i tuoi punti", "name=\"points_1\"", "name=\"points_2\""]);
    let over = app.post_as(&vote, &citizen, &[("points_1", "8"), ("points_2", "5")]).await;
    over.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["10"]);
    assert_eq!(
        app.post_as(&vote, &citizen, &[("points_1", "7"), ("points_2", "3")]).await.status,
        StatusCode::SEE_OTHER
    );
    // Changed before the close: still one ballot, with the new points.
    assert_eq!(
        app.post_as(&vote, &citizen, &[("points_1", "2"), ("points_2", "8")]).await.status,
        StatusCode::SEE_OTHER
    );
    app.get_as(&vote, &citizen).await.page_with(&["Cambia la tua scheda", "id=\"points-2\" value=\"8\""]);
    let other = app.sign_in("referente@demo.agio.example").await;
    assert_eq!(app.post_as(&vote, &other, &[("points_1", "10")]).await.status, StatusCode::SEE_OTHER);
    // Nothing of the results before the close, for anyone: pages and API.
    for page in [app.get(&vote).await, app.get_as(&vote, &coordinator).await] {
        page.page_with(&["I risultati restano nascosti"]);
        assert!(!page.body.contains("Schede:"), "no tally before the close");
    }
    let api = "/api/v1/agendas/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/process/results";
    let hidden = app.get(api).await.json();
    assert_eq!(hidden["published"], false);
    assert!(hidden["ballots"].is_null() && hidden["tally"].as_array().unwrap().is_empty());
    // Closed: the full tally, two ballots for two voters.
    move_phase(&app, RIMINI, &coordinator, "feedback").await;
    let results = app.get(api).await.json();
    assert_eq!(results["ballots"], 2);
    assert_eq!((results["tally"][0]["number"].as_i64(), results["tally"][0]["points"].as_i64()), (Some(1), Some(12)));
    assert_eq!((results["tally"][1]["points"].as_i64(), results["tally"][1]["voters"].as_i64()), (Some(8), Some(1)));
});

both_backends!(meetings_take_registrations_up_to_their_seats_then_a_waiting_list, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    let other = app.sign_in("referente@demo.agio.example").await;
    // The demo's working day, with its minutes, ideas discussed and how many came.
    app.get(&format!("{GUASTALLA}/percorso/incontri/1")).await.page_with(&[
        "Giornata di lavoro — Tavoli tematici alla Biblioteca Maldotti",
        "Biblioteca Maldotti, corso Garibaldi 54",
        "4 iscritti su 60 posti",
        "<dt>Presenti</dt><dd>3</dd>",
        "/percorso/idee/4\">n. 4",
        "Verbale",
    ]);
    app.get(&format!("{GUASTALLA}/percorso/incontri/2")).await.page_with(&[
        "Componenti del tavolo",
        "Associazione Filò (demo)",
        "Decisioni del tavolo",
        "Un punto di facilitazione in ogni comune",
    ]);
    // An idea's path names the meetings where it was discussed and its place in the vote.
    app.get(&format!("{GUASTALLA}/percorso/idee/1")).await.page_with(&[
        "Il percorso dell&#39;idea",
        "Discussa in «Tavoli tematici alla Biblioteca Maldotti»",
        "Nel voto delle priorità: 4 approvazioni, al posto 1 su 4",
    ]);
    // A past meeting takes no registration.
    let past = app.post_as(&format!("{GUASTALLA}/percorso/incontri/1/iscriviti"), &citizen, &[]).await;
    past.answer_with(StatusCode::CONFLICT, &["si è già tenuto"]);
    // The coordinator plans a meeting with one seat; bad input is named.
    let new = format!("{RIMINI}/percorso/incontri/nuovo");
    assert_eq!(app.get_as(&new, &citizen).await.status, StatusCode::FORBIDDEN);
    let bad = app
        .post_as(
            &new,
            &coordinator,
            &[("kind", "meeting"), ("title", "Incontro"), ("date", "2099-13-01"), ("starts", "9"), ("version", "0")],
        )
        .await;
    bad.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-date\"", "href=\"#f-starts\"", "href=\"#f-place\""]);
    let fields = [
        ("kind", "meeting"),
        ("title", "Incontro a Pennabilli"),
        ("date", "2099-03-01"),
        ("starts", "18:00"),
        ("place", "Sala civica"),
        ("capacity", "1"),
        ("ideas", "1"),
        ("version", "0"),
    ];
    let created = app.post_as(&new, &coordinator, &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let meeting = created.header("location").to_string();
    assert!(meeting.ends_with("/percorso/incontri/2"), "{meeting}");
    // One seat: the first registers, the second waits; a second click changes nothing.
    assert_eq!(app.post_as(&format!("{meeting}/iscriviti"), &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&format!("{meeting}/iscriviti"), &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&format!("{meeting}/iscriviti"), &other, &[]).await.status, StatusCode::SEE_OTHER);
    app.get_as(&meeting, &citizen).await.page_with(&["1 iscritti su 1 posti, 1 in lista d&#39;attesa", "Sei iscritto"]);
    app.get_as(&meeting, &other).await.page_with(&["sei in lista d&#39;attesa, al posto n. 1"]);
    // The first cancels: the waiting one gets the seat.
    assert_eq!(app.post_as(&format!("{meeting}/annulla"), &citizen, &[]).await.status, StatusCode::SEE_OTHER);
    app.get_as(&meeting, &other).await.page_with(&["1 iscritti su 1 posti", "Sei iscritto"]);
    // Attendance is the coordinators' and shows only as a number.
    let attendance = format!("{meeting}/presenze");
    assert_eq!(app.get_as(&attendance, &citizen).await.status, StatusCode::FORBIDDEN);
    app.get_as(&attendance, &coordinator).await.page_with(&["Rita Referente (demo)"]);
    assert!(!app.get(&meeting).await.body.contains("Rita Referente"), "who registered is not public");
    assert_eq!(app.post_as(&format!("{meeting}/iscrizione"), &citizen, &[]).await.status, StatusCode::NOT_FOUND);
});

both_backends!(collaboration_pacts_name_their_parties_and_the_action_they_carry_out, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    app.get(&format!("{GUASTALLA}/percorso/patti/1")).await.page_with(&[
        "Patto n. 1: Punti Pane e Internet nelle biblioteche",
        "<dt>Stato</dt><dd>Sottoscritto</dd>",
        "Associazione Filò (demo) — volontari della facilitazione",
        "<strong>L'Unione</strong>",
        "Otto punti aperti su otto",
        "/azioni/A01\">A01 — Rete dei Punti Pane e Internet",
    ]);
    app.get(&format!("{GUASTALLA}/azioni/A01"))
        .await
        .page_with(&["Patti di collaborazione", "Patto n. 1 — Punti Pane e Internet nelle biblioteche"]);
    app.get(&format!("{GUASTALLA}/percorso"))
        .await
        .page_with(&["Patto n. 2: Tutor digitali tra generazioni</a> — Proposto"]);
    // Recorded by the coordinators only; two parties at least, dates in order.
    let new = format!("{RIMINI}/percorso/patti/nuovo");
    assert_eq!(app.get_as(&new, &citizen).await.status, StatusCode::FORBIDDEN);
    let bad = app
        .post_as(
            &new,
            &coordinator,
            &[
                ("title", "Patto"),
                ("status", "signed"),
                ("parties", "Solo il Comune"),
                ("object", "x"),
                ("starts_on", "2027-05-01"),
                ("ends_on", "2027-01-01"),
                ("reporting_dates", "31/12/2027"),
                ("version", "0"),
            ],
        )
        .await;
    bad.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &["href=\"#f-parties\"", "href=\"#f-ends_on\"", "href=\"#f-reporting_dates\""],
    );
    let fields = [
        ("title", "Sale digitali di comunità"),
        ("status", "proposed"),
        ("parties", "Comune di Pennabilli — amministrazione\nPro loco — volontari"),
        ("object", "Aprire la sala civica il sabato."),
        ("action_code", "A01"),
        ("reporting_dates", "2027-12-31"),
        ("version", "0"),
    ];
    let created = app.post_as(&new, &coordinator, &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let pact = created.header("location").to_string();
    assert!(pact.ends_with("/percorso/patti/1"), "{pact}");
    // Its status moves and its reports accumulate.
    let report = format!("{pact}/rendiconti/nuovo");
    app.post_as(&report, &coordinator, &[("date", ""), ("text", ""), ("version", "1")])
        .await
        .answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-date\""]);
    let added = app
        .post_as(&report, &coordinator, &[("date", "2027-06-30"), ("text", "Aperta 20 sabati."), ("version", "1")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    app.get(&pact).await.page_with(&["30/06/2027", "Aperta 20 sabati."]);
    app.get(&format!("{RIMINI}/azioni/A01")).await.page_with(&["Patto n. 1 — Sale digitali di comunità"]);
});

both_backends!(the_final_document_gathers_the_whole_path_and_exports_it, |backend| async move {
    let app = TestApp::demo(backend).await;
    let doc = format!("{GUASTALLA}/percorso/documento");
    app.get(&doc).await.page_with(&[
        "Documento finale del percorso partecipativo: Community Lab della Bassa Reggiana",
        "<dt>Schede</dt><dd>5</dd>",
        "<dt>Presenti</dt><dd>3</dd>",
        "Un punto dove farsi aiutare con SPID vicino a casa</a></th><td>4</td><td>4</td><td>Accolta</td>",
        "Tavoli tematici alla Biblioteca Maldotti",
        "Patto n. 1: Punti Pane e Internet nelle biblioteche</a> — Sottoscritto",
    ]);
    let csv = app.get(&format!("{doc}.csv")).await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    let rows: Vec<&str> = csv.body.lines().collect();
    assert_eq!(rows.len(), 1 + 5, "a header and a row per idea");
    assert!(
        rows[1].starts_with("1,Un punto dove farsi aiutare con SPID vicino a casa,Marta B. (demo),"),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains(",4,accepted,"), "the vote and the answer: {}", rows[1]);
    let json = app.get(&format!("{doc}.json")).await.json();
    assert_eq!(json["ideas"].as_array().unwrap().len(), 5);
    assert_eq!(json["pacts"][0]["reports"][0]["date"], "2025-12-31");
    let api = app.get("/api/v1/agendas/agenda-digitale-sociale-bassa-reggiana-2025-2027/process/document").await.json();
    assert_eq!(api["meetings"][1]["members"].as_array().unwrap().len(), 4);
    // While the vote is open, the exports say nothing of it either.
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    app.post_as(&format!("{RIMINI}/percorso/voto/ammesse"), &coordinator, &[("admitted", "1"), ("version", "1")]).await;
    move_phase(&app, RIMINI, &coordinator, "prioritisation").await;
    app.post_as(&format!("{RIMINI}/percorso/voto"), &citizen, &[("points_1", "10")]).await;
    let open = format!("{RIMINI}/percorso/documento");
    let csv = app.get_as(&format!("{open}.csv"), &coordinator).await;
    let first: Vec<&str> = csv.body.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((first[0], first[8]), ("1", ""), "no vote column before the close: {}", csv.body);
    let json = app.get_as(&format!("{open}.json"), &coordinator).await.json();
    assert_eq!((json["results"]["published"].as_bool(), json["ballots"].is_null()), (Some(false), true));
    app.get(&open).await.page_with(&["I risultati restano nascosti"]);
});

both_backends!(authors_and_registrants_are_told_by_mail_unless_they_turned_it_off, |backend| async move {
    let sink = crate::support::SmtpSink::start();
    let app = TestApp::demo_with_smtp(backend, &sink).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let citizen = app.sign_in(CITIZEN).await;
    let mails = || -> Vec<String> {
        sink.messages().iter().map(|m| crate::password_reset::decode_quoted_printable(m)).collect()
    };
    let idea = propose(&app, &citizen, "Sportello mobile", "Nei paesi").await.header("location").to_string();
    // A comment by someone else, and the answer, reach the author; their own comment does not.
    app.post_as(&format!("{idea}/commenta"), &citizen, &[("body", "Aggiungo: il sabato")]).await;
    assert!(mails().is_empty(), "no mail for one's own comment");
    app.post_as(&format!("{idea}/commenta"), &coordinator, &[("body", "Buona idea")]).await;
    let answer = format!("{idea}/risposta");
    app.post_as(&answer, &coordinator, &[("answer", "accepted"), ("action_code", "A03"), ("version", "1")]).await;
    let sent = mails();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|m| m.contains("To: cittadino@demo.agio.example")));
    let answered = sent.iter().find(|m| m.contains("ha una risposta")).expect("the answer's mail");
    assert!(
        answered.contains("Accolta") && answered.contains(&format!("https://agio.example.org{idea}")),
        "{answered}"
    );
    assert!(!answered.contains("token="), "links sign nobody in");
    // Turned off, the kind is not sent any more; the others still are.
    let settings = "/area-personale/notifiche";
    app.get_as(settings, &citizen).await.page_with(&["Scrivimi quando", "checked"]);
    let saved = app
        .post_as(settings, &citizen, &[("on", "idea_commented"), ("on", "idea_hidden"), ("on", "meeting_changed")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let version = app
        .get_as(&answer, &coordinator)
        .await
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    app.post_as(
        &answer,
        &coordinator,
        &[("answer", "rejected"), ("answer_note", "Ci ripensiamo"), ("version", &version)],
    )
    .await;
    assert_eq!(mails().len(), 2, "no mail of a kind turned off");
    app.post_as(&format!("{idea}/nascondi"), &coordinator, &[("hidden_reason", "Prova di moderazione")]).await;
    let hidden = mails().into_iter().find(|m| m.contains("nascosto")).expect("the hiding's mail");
    assert!(hidden.contains("Prova di moderazione"));
    // A meeting that changes is told to everyone with a place.
    let meeting = format!("{RIMINI}/percorso/incontri/1");
    app.post_as(&format!("{meeting}/iscriviti"), &citizen, &[]).await;
    let form = app.get_as(&format!("{meeting}/modifica"), &coordinator).await;
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let fields = [
        ("kind", "working_day"),
        ("title", "Tavoli sulle idee a Novafeltria"),
        ("date", "2027-02-20"),
        ("starts", "10:00"),
        ("place", "Teatro Sociale, Novafeltria"),
        ("capacity", "40"),
        ("version", version.as_str()),
    ];
    let changed = app.post_as(&format!("{meeting}/modifica"), &coordinator, &fields).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let told: Vec<String> = mails().into_iter().filter(|m| m.contains("a cui sei iscritto è cambiato")).collect();
    assert_eq!(told.len(), 2, "the citizen and the demo participant");
    assert!(told.iter().any(|m| m.contains("To: marta@demo.agio.example") && m.contains("20/02/2027, 10:00")));
});

both_backends!(representatives_ask_coordinators_confirm_and_ideas_name_the_organisation, |backend| async move {
    let app = TestApp::demo(backend).await;
    // The demo: a confirmed representative's idea names the organisation.
    app.get(&format!("{RIMINI}/percorso/idee/1"))
        .await
        .page_with(&["Marta B. (demo) per Associazione Colline in Rete ODV"]);
    let form = format!("{RIMINI}/percorso/rappresento");
    assert_ne!(app.get(&form).await.status, StatusCode::OK, "only signed-in participants ask");

    let citizen = app.sign_in(CITIZEN).await;
    app.get_as(&format!("{RIMINI}/percorso"), &citizen).await.page_with(&[&format!("href=\"{form}\"")]);
    app.get_as(&form, &citizen).await.page_with(&["Partecipa per un&#39;organizzazione", "Mare d&#39;Inverno APS"]);
    // Before a coordinator confirms, an idea cannot be proposed for the organisation.
    let idea_form = app.get_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen).await;
    assert!(!idea_form.body.contains("name=\"on_behalf_of\""));
    let asked = app
        .post_as(&form, &citizen, &[("organization", "aps-mare-d-inverno"), ("role", "Socio"), ("version", "0")])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let again = app.get_as(&form, &citizen).await;
    again.page_with(&["Hai chiesto di rappresentare Mare d&#39;Inverno APS: in attesa di conferma."]);
    assert!(!again.body.contains("value=\"aps-mare-d-inverno\""), "an organisation is asked for once");
    let twice = app
        .post_as(&form, &citizen, &[("organization", "aps-mare-d-inverno"), ("role", "Socio"), ("version", "0")])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let early =
        [("title", "Per l'associazione"), ("body", "Testo"), ("on_behalf_of", "aps-mare-d-inverno"), ("version", "0")];
    let refused = app.post_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen, &early).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "not a representative yet");

    // The coordinators see the requests; nobody else does.
    let requests = format!("{RIMINI}/percorso/rappresentanti");
    let forbidden = app.get_as(&requests, &citizen).await.status;
    assert!(matches!(forbidden, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND));
    let coordinator = app.sign_in(COORDINATOR).await;
    let page = app.get_as(&requests, &coordinator).await;
    page.page_with(&[
        "Ciro Cittadino (demo)",
        "Mare d&#39;Inverno APS",
        "Socio",
        "in attesa di conferma",
        "Giorgio P. (demo)",
    ]);
    let row = page.body.find("Ciro Cittadino (demo)").unwrap();
    let action = &page.body[row..];
    let at = action.find("/conferma\"").unwrap();
    let confirm = &action[action[..at].rfind("action=\"").unwrap() + 8..at + 9];
    let stolen = app.post_as(confirm, &citizen, &[("version", "1")]).await;
    assert!(
        matches!(stolen.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "a citizen cannot confirm themselves"
    );
    let confirmed = app.post_as(confirm, &coordinator, &[("version", "1")]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    assert_eq!(
        app.post_as(confirm, &coordinator, &[("version", "1")]).await.status,
        StatusCode::CONFLICT,
        "decided once"
    );
    let unknown = app.post_as(&format!("{requests}/nessuna/conferma"), &coordinator, &[("version", "1")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Confirmed: the idea form offers the organisation, and the idea names it.
    let idea_form = app.get_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen).await;
    assert!(idea_form.body.contains("name=\"on_behalf_of\""));
    let proposed = app.post_as(&format!("{RIMINI}/percorso/idee/nuova"), &citizen, &early).await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let idea = app.get(proposed.header("location")).await;
    idea.page_with(&["Ciro Cittadino (demo) per Mare d&#39;Inverno APS"]);
    let api = app
        .get(&format!(
            "/api/v1{}",
            proposed.header("location").replace("/agende/", "/agendas/").replace("/percorso/idee/", "/process/ideas/")
        ))
        .await;
    assert_eq!(api.json()["organization"], "Mare d'Inverno APS", "{}", api.body);
});

both_backends!(coordinators_upload_a_meetings_documents_and_anyone_downloads_them, |backend| async move {
    let app = TestApp::demo(backend).await;
    let meeting = format!("{GUASTALLA}/percorso/incontri/1");
    // The demo's working day has its attendance sheet and a summary.
    let page = app.get(&meeting).await;
    page.page_with(&["Foglio presenze giornata di lavoro (demo).csv", "Sintesi dei tavoli (demo).txt"]);
    assert!(!page.body.contains("enctype=\"multipart/form-data\""), "only coordinators upload");
    let at = page.body.find(&format!("{meeting}/documenti/")).unwrap();
    let href = &page.body[at..at + page.body[at..].find('"').unwrap()];
    let sheet = app.get(href).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(sheet.header("content-type"), "text/csv; charset=utf-8");
    assert!(sheet.header("content-disposition").starts_with("attachment; filename=\"Foglio presenze"));
    assert!(sheet.body.starts_with("tipo di partecipante;presenti"));
    assert_eq!(app.get(&format!("{meeting}/documenti/nessuno")).await.status, StatusCode::NOT_FOUND);

    let coordinator = app.sign_in(COORDINATOR).await;
    let upload = format!("{meeting}/documenti");
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let added = app.post_multipart(&upload, &coordinator, &[], &[("file", "Verbale finale.pdf", pdf)]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = app.get_as(&meeting, &coordinator).await;
    page.page_with(&["Verbale finale.pdf", "(1 kB)"]);
    let at = page.body.find("Verbale finale.pdf").unwrap();
    let start = page.body[..at].rfind(&format!("{meeting}/documenti/")).unwrap();
    let href = page.body[start..start + page.body[start..].find('"').unwrap()].to_string();
    let file = app.get(&href).await;
    assert_eq!((file.header("content-type"), file.body.as_bytes()), ("application/pdf", &pdf[..]));

    // A page, a script, an empty file, one too large: refused with the reason, nothing kept.
    for (name, bytes, says) in [
        ("pagina.html", &b"<script>alert(1)</script>"[..], "Questo tipo di file non si può caricare"),
        ("disegno.svg", &b"<svg onload=alert(1)>"[..], "Sono ammessi: pdf, odt"),
        ("vuoto.pdf", &b""[..], "Il file è vuoto"),
    ] {
        let refused = app.post_multipart(&upload, &coordinator, &[], &[("file", name, bytes)]).await;
        refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &[says]);
    }
    let large = vec![b'a'; agio_domain::document::DOCUMENT_MAX_BYTES + 1];
    let refused = app.post_multipart(&upload, &coordinator, &[], &[("file", "grande.pdf", &large)]).await;
    assert!(
        matches!(refused.status, StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY),
        "{}",
        refused.status
    );
    let page = app.get(&meeting).await;
    assert!(!page.body.contains("pagina.html") && !page.body.contains("grande.pdf"));

    // Nobody else adds or removes; the coordinators remove.
    let citizen = app.sign_in(CITIZEN).await;
    let by_citizen = app.post_multipart(&upload, &citizen, &[], &[("file", "mio.pdf", pdf)]).await;
    assert!(matches!(by_citizen.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND));
    let by_citizen = app.post_as(&format!("{href}/elimina"), &citizen, &[]).await;
    assert!(matches!(by_citizen.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND));
    let removed = app.post_as(&format!("{href}/elimina"), &coordinator, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&href).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_as(&format!("{href}/elimina"), &coordinator, &[]).await.status, StatusCode::NOT_FOUND);
});
