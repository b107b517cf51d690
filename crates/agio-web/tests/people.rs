//! Managing people: invitations by email (accepted with or without an account), the agenda's
//! circle for its coordinators, revoking roles, and who may do which. Both backends.

use crate::support::{csrf_of, form, set_cookie_value, TestApp, GUASTALLA};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const ADMIN: &str = "regione@demo.agio.example";
const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const CITIZEN: &str = "cittadino@demo.agio.example";

/// The invitation link of the newest outbox message to `email`.
async fn invitation_link(app: &TestApp, email: &str) -> String {
    let message =
        app.state.store.outbox(50).await.unwrap().into_iter().find(|m| m.recipient == email).expect("an invitation");
    assert_eq!(message.subject, "AGIO: sei stato invitato");
    let at = message.body.find("/accedi/invito?token=").unwrap();
    message.body[at..at + "/accedi/invito?token=".len() + 64].to_string()
}

/// Opens an invitation link and posts the form with `fields`.
async fn accept(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> crate::support::Reply {
    let page = app.get(link).await;
    let cookie = set_cookie_value(&page, "agio_csrf").map(|t| format!("agio_csrf={t}")).unwrap_or_default();
    let mut all = vec![("csrf", csrf_of(&page.body))];
    all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(link, &cookie, form(&pairs)).await
}

both_backends!(an_invited_newcomer_creates_the_account_and_gets_the_role, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in(ADMIN).await;
    app.get_as("/amministrazione/invita", &admin).await.page_with(&["Invita una persona", "name=\"territory\""]);
    let bad =
        app.post_as("/amministrazione/invita", &admin, &[("email", "x@comune.example"), ("role", "referent")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "a referent needs an organisation");
    let sent = app
        .post_as(
            "/amministrazione/invita",
            &admin,
            &[("email", "Nuova@Comune.Example"), ("role", "coordinator"), ("agenda", GUASTALLA)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let link = invitation_link(&app, "nuova@comune.example").await;

    app.get(&link).await.page_with(&[
        "Accetta l&#39;invito",
        "nuova@comune.example",
        "Coordinatore di agenda",
        "autocomplete=\"new-password\"",
    ]);
    let weak = accept(
        &app,
        &link,
        &[("name", "Nuova Coordinatrice"), ("password", "qwerty123456"), ("confirm", "qwerty123456")],
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let strong = "la pianura dopo la pioggia";
    let done = accept(&app, &link, &[("name", "Nuova Coordinatrice"), ("password", strong), ("confirm", strong)]).await;
    assert_eq!((done.status, done.header("location")), (StatusCode::SEE_OTHER, "/area-personale"));
    let cookie = format!("agio_session={}", set_cookie_value(&done, "agio_session").unwrap());
    let area = app
        .request(
            axum::http::Request::get("/area-personale")
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    area.page_with(&["Nuova Coordinatrice", "Coordinatore di agenda", "Agenda Digitale Sociale della Bassa Reggiana"]);
    // Used once.
    let used = app.get(&link).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.body.contains("Invito non valido"));
    // The whole story is in the audit log.
    let log = app.get_as("/amministrazione/registro?entity=person", &admin).await;
    log.page_with(&["nuova@comune.example", "Assegnazione di un ruolo"]);
    app.get_as("/amministrazione/persone?q=nuova", &admin).await.page_with(&["Nuova Coordinatrice", "Revoca il ruolo"]);
});

both_backends!(coordinators_manage_their_agendas_circle_only, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let path = format!("/agende/{GUASTALLA}/persone");
    let page = app.get_as(&path, &coordinator).await;
    page.page_with(&[
        "Persone dell&#39;agenda",
        "Rita Referente (demo)",
        "Carlo Coordinatore (demo)",
        "Invita una persona",
    ]);
    app.get_as(&format!("/agende/{GUASTALLA}"), &coordinator).await.page_with(&[&path]);

    // A referent for an organisation leading one of its actions: yes; for another: no.
    let ok = app
        .post_as(
            &path,
            &coordinator,
            &[("email", CITIZEN), ("role", "referent"), ("organization", "unione-comuni-bassa-reggiana")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let rimini_org = app
        .state
        .store
        .list_organizations(&Default::default(), agio_domain::PageRequest::new(None, Some(100)).unwrap())
        .await
        .unwrap();
    let facts = app.state.store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    let outsider = rimini_org.items.iter().find(|o| !facts.lead_organizations.contains(&o.id)).unwrap();
    let no = app
        .post_as(
            &path,
            &coordinator,
            &[("email", "z@x.example"), ("role", "referent"), ("organization", &outsider.slug)],
        )
        .await;
    assert_eq!(no.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An admin role cannot be offered from an agenda's page.
    let admin_role = app.post_as(&path, &coordinator, &[("email", "z@x.example"), ("role", "admin")]).await;
    assert_eq!(admin_role.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Someone with an account just accepts.
    let link = invitation_link(&app, CITIZEN).await;
    app.get(&link).await.page_with(&["Accetta l&#39;invito"]);
    accept(&app, &link, &[]).await.page_with(&["Invito accettato"]);
    let citizen = app.sign_in(CITIZEN).await;
    app.get_as("/area-personale", &citizen).await.page_with(&["Referente di soggetto", "Unione"]);

    // Revoking the referent of Ponti tra Culture: A02 is no longer theirs to edit.
    let referent = app.sign_in(REFERENT).await;
    assert_eq!(app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02/modifica"), &referent).await.status, StatusCode::OK);
    let page = app.get_as(&path, &coordinator).await;
    let (person_id, role_id) = {
        let (person, _) = app.state.store.person_by_email(REFERENT).await.unwrap().unwrap();
        let role = app.state.store.role_assignments(&person.id).await.unwrap().remove(0);
        (person.id, role.id)
    };
    assert!(page.body.contains(&format!("/persone/{person_id}/ruoli/{role_id}/revoca")));
    let revoke = format!("/persone/{person_id}/ruoli/{role_id}/revoca");
    let r = app.post_as(&revoke, &coordinator, &[("agenda", GUASTALLA), ("next", &path)]).await;
    assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, path.as_str()));
    assert_eq!(
        app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02/modifica"), &referent).await.status,
        StatusCode::FORBIDDEN
    );

    // The administrator's role is out of a coordinator's reach, whatever the form says.
    let (admin, _) = app.state.store.person_by_email(ADMIN).await.unwrap().unwrap();
    let admin_role = app.state.store.role_assignments(&admin.id).await.unwrap().remove(0);
    let r = app
        .post_as(
            &format!("/persone/{}/ruoli/{}/revoca", admin.id, admin_role.id),
            &coordinator,
            &[("agenda", GUASTALLA)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_backends!(only_administrators_see_everyone, |backend| async move {
    let app = TestApp::demo(backend).await;
    for (email, status) in [
        (CITIZEN, StatusCode::FORBIDDEN),
        (REFERENT, StatusCode::FORBIDDEN),
        (COORDINATOR, StatusCode::FORBIDDEN),
        (ADMIN, StatusCode::OK),
    ] {
        let session = app.sign_in(email).await;
        assert_eq!(app.get_as("/amministrazione/persone", &session).await.status, status, "{email}");
        assert_eq!(app.get_as("/amministrazione/invita", &session).await.status, status, "{email}");
    }
    let referent = app.sign_in(REFERENT).await;
    assert_eq!(app.get_as(&format!("/agende/{GUASTALLA}/persone"), &referent).await.status, StatusCode::FORBIDDEN);
    let admin = app.sign_in(ADMIN).await;
    app.get_as("/amministrazione/persone", &admin).await.page_with(&[
        ADMIN,
        COORDINATOR,
        REFERENT,
        CITIZEN,
        "Amministratore regionale",
    ]);
    let made_up = app.get("/accedi/invito?token=nope").await;
    assert_eq!(made_up.status, StatusCode::GONE);
    assert!(made_up.body.contains("Invito non valido"));
});
