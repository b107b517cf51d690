//! Every query reads its columns by name: each one runs here at least once, on both backends,
//! over the demo data (a missing or misspelt alias fails as "no column found").

use agio_domain::access::Scope;
use agio_domain::model::Action;
use agio_domain::{PageRequest, Role, TokenScope};
use agio_store::{
    Actor, AgendaDetail, Archivable, Backend, Choosable, EntityRef, Published, Saved, ServiceCursor, ServiceFilter,
    Store, TerritoryFilter,
};
use agio_testkit::{both_backends, fresh_store, Seed};

const GUASTALLA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";

fn first_page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

async fn demo(backend: Backend) -> Store {
    fresh_store(backend, Seed::Demo).await
}

both_backends!(public_reads_map_every_column, |backend| async move {
    let store = demo(backend).await;
    assert!(!store.published_agendas().await.unwrap().is_empty());
    let objectives = store.list_objectives(Some(GUASTALLA), first_page()).await.unwrap();
    let code = &objectives.items[0].code;
    assert_eq!(&store.objective(GUASTALLA, code).await.unwrap().unwrap().code, code);
    let territories = store.list_territories(&TerritoryFilter::default(), first_page()).await.unwrap();
    assert!(territories.total > 300);
    assert!(store.territory("er").await.unwrap().unwrap().parent.is_none());
    let places = store.places().await.unwrap();
    assert!(!places.comuni_of("Guastalla").unwrap().is_empty());
    assert!(!store.choices(Choosable::Organizations).await.unwrap().is_empty());
    assert!(!store.choices(Choosable::Assets).await.unwrap().is_empty());
    let organization = &store.list_organizations(&Default::default(), first_page()).await.unwrap().items[0];
    assert!(store.organization_by_id(&organization.id).await.unwrap().is_some());
    assert!(store.data_version().await.unwrap() > 0);
});

both_backends!(directory_reads_map_every_column, |backend| async move {
    let store = demo(backend).await;
    let filter = ServiceFilter::default();
    let (services, _) = store.directory_services_batch(&filter, &ServiceCursor::start(&filter), 2).await.unwrap();
    assert_eq!(services.len(), 2);
    assert!(!store.directory_service_stamps(&filter).await.unwrap().is_empty());
    let organizations = store.directory_organization_page(None, first_page()).await.unwrap();
    let id = organizations.items[0]["id"].as_str().unwrap().to_string();
    assert!(store.directory_organization(&id).await.unwrap().is_some());
    assert!(store.directory_organization_ids().await.unwrap().contains(&id));
    assert!(store.directory_organization_owners(std::slice::from_ref(&id)).await.unwrap().contains_key(&id));
    assert!(!store.organization_ids_by_name().await.unwrap().is_empty());
    assert!(!store.directory_changed_since("2000-01-01T00:00:00Z").await.unwrap().is_empty());
    let locations = store.directory_sal_page(&filter, None, None, first_page()).await.unwrap();
    let location = &locations.items[0];
    assert_eq!(store.directory_sal(&location.id).await.unwrap().unwrap().service_id, location.service_id);
    let comune = &store.directory_comuni().await.unwrap()[0];
    let near = store.directory_sal_page(&filter, None, Some((comune.lat, comune.lon, 50_000.0)), first_page());
    assert!(near.await.unwrap().items.iter().all(|l| l.distance_m.is_some()));
    assert!(store.directory_postcode_centre("00000").await.unwrap().is_none());
    assert!(!store.directory_action_links().await.unwrap().is_empty());
});

both_backends!(editors_read_and_save_every_record, |backend| async move {
    let store = demo(backend).await;
    let agenda = store.agenda(GUASTALLA).await.unwrap().unwrap();
    let facts = store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    assert_eq!(facts.territory_path.len(), 2, "the agenda's district and the region");
    let code = store.objectives_of_agenda(&agenda.id).await.unwrap()[0].code.clone();
    let objective = store.objective_for_edit(GUASTALLA, &code).await.unwrap().unwrap();
    let (action, _) = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap();
    let detail = store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let partner_slug = &detail.partners[0].organization.slug;
    let (partner_id, partner) = store.partner_for_edit(&action.id, partner_slug).await.unwrap().unwrap();
    let line = store.budget_line_for_edit(&action.id, &detail.budget[0].id).await.unwrap().unwrap();
    let result = &detail.results[0];
    let result_edit = store.result_for_edit(&action.id, &result.id).await.unwrap().unwrap();
    let organization = store.organization_for_edit(partner_slug).await.unwrap().unwrap();
    let asset_slug = store.choices(Choosable::Assets).await.unwrap()[0].0.clone();
    let asset = store.asset_for_edit(&asset_slug).await.unwrap().unwrap();

    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    let mut version = action.version;
    for saved in [
        w.update_partner(&action_entity(&action.id), &partner_id, &partner, version).await.unwrap().done(),
        w.update_budget_line(&action_entity(&action.id), &detail.budget[0].id, &line, version + 1)
            .await
            .unwrap()
            .done(),
        w.update_result(&action.id, &result.id, &result_edit, version + 2).await.unwrap().done(),
    ] {
        version += 1;
        assert_eq!(saved, version);
    }
    let indicator = detail.results.iter().find_map(|r| r.indicators.first()).expect("the demo action has indicators");
    let edit = store.indicator_for_edit(&action.id, &indicator.id).await.unwrap().unwrap();
    assert_eq!(w.update_indicator(&action.id, &indicator.id, &edit, version).await.unwrap().done(), version + 1);
    let saved = w.update_objective(&objective.id, &objective.fields, objective.version).await.unwrap();
    assert_eq!(saved.done(), objective.version + 1);
    let saved = w.update_organization(&organization.id, &organization.fields, organization.version).await.unwrap();
    assert_eq!(saved.done(), organization.version + 1);
    let saved = w.update_asset(&asset.id, &asset.fields, asset.version).await.unwrap();
    assert_eq!(saved.done(), asset.version + 1);

    let district = store.territory(&agenda.territory.code).await.unwrap().unwrap();
    let members = store.district_detail(&district.slug).await.unwrap().unwrap().comuni;
    let union = agio_domain::edit::UnionEdit {
        name: "Unione di prova".into(),
        district: district.slug.clone(),
        members: members.iter().take(2).map(|c| c.code.clone()).collect(),
    };
    let union_slug = w.create_union(&district.id, &union).await.unwrap();
    let objective_entity = EntityRef { kind: "objective", id: &objective.id, label: &objective.label };
    assert!(w.set_archived(Archivable::Objective, objective_entity, true, "prova").await.unwrap());
    w.commit().await.unwrap();

    let stored_union = store.union_for_edit(&union_slug).await.unwrap().unwrap();
    assert_eq!(stored_union.fields, union);
    let union_page = store.union_detail(&union_slug).await.unwrap().unwrap();
    assert_eq!(union_page.comuni.len(), 2);
    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    let stale = w.update_union(&stored_union.id, &district.id, &union, stored_union.version - 1).await.unwrap();
    assert!(matches!(stale, Saved::Stale { current, version } if current == union && version == stored_union.version));
    drop(w);
    let archived = store.archived_of_agenda(&agenda.id).await.unwrap();
    assert!(archived.iter().any(|a| !a.is_action && a.code == code));
});

both_backends!(accounts_reads_map_every_column, |backend| async move {
    let store = demo(backend).await;
    let agenda = store.agenda(GUASTALLA).await.unwrap().unwrap();
    let (person, _) = store.person_by_email("referente@demo.agio.example").await.unwrap().unwrap();
    assert!(store.people(Some("referente"), first_page()).await.unwrap().total >= 1);
    let facts = store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    assert!(!store
        .agenda_people(&agenda.id, &facts.territory_path, &facts.lead_organizations)
        .await
        .unwrap()
        .is_empty());

    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    let token = w.create_api_token(&person, "prova", "token-hash", TokenScope::Read, None).await.unwrap();
    w.invite("invite-hash", "nuova@example.org", Role::Coordinator, &Scope::Agenda(agenda.id.clone()), "2999-01-01")
        .await
        .unwrap();
    w.link_identity(&person, "https://idp.example", "subject").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(store.api_tokens(&person.id).await.unwrap(), vec![token.clone()]);
    assert_eq!(store.api_token_by_hash("token-hash").await.unwrap(), Some(token));
    let invitation = store.invitation("invite-hash", "2030-01-01").await.unwrap().unwrap();
    assert_eq!((invitation.scope, invitation.scope_label), (Scope::Agenda(agenda.id.clone()), agenda.title));
    assert_eq!(store.identities(&person.id).await.unwrap()[0].subject, "subject");
    store.offer_identity_link(&person.id, "https://idp.example", "other", "2999-01-01").await.unwrap();
    assert_eq!(store.offered_identity_link(&person.id).await.unwrap().unwrap().1, "other");

    store.create_session("session-hash", &person.id, "csrf", false).await.unwrap();
    assert_eq!(store.session("session-hash").await.unwrap().unwrap().csrf_token, "csrf");
    store.create_password_reset("reset-hash", &person.id, "2999-01-01").await.unwrap();
    assert_eq!(store.password_reset_person("reset-hash", "2030-01-01").await.unwrap(), Some(person.id.clone()));
    store.put_in_outbox("a@example.org", "Oggetto", "Testo", "it").await.unwrap();
    assert_eq!(store.outbox(5).await.unwrap()[0].subject, "Oggetto");

    let versions = store.agenda_versions(&agenda.id).await.unwrap();
    let (latest, snapshot) = store.agenda_version(&agenda.id, None).await.unwrap().unwrap();
    assert_eq!(latest, versions[0]);
    // The parts the public pages read are those of the whole snapshot, with the facts.
    let facts = store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    let (with_page, published) = store
        .agenda_page::<AgendaDetail, serde_json::Value>(GUASTALLA, Published::Agenda)
        .await
        .unwrap()
        .map(|r| (r.facts, r.published))
        .unwrap();
    assert_eq!(with_page, facts);
    assert_eq!(published, Some((latest.clone(), Some(snapshot.detail.clone()))));
    let first = &snapshot.actions[0];
    let code = Published::Action(&first.summary.code);
    let (_, published) = store
        .agenda_page::<Action, serde_json::Value>(GUASTALLA, code)
        .await
        .unwrap()
        .map(|r| (r.facts, r.published))
        .unwrap();
    assert_eq!(published, Some((latest.clone(), Some(first.clone()))));
    let (_, later) = store
        .agenda_page::<Action, serde_json::Value>(GUASTALLA, Published::Action("A99"))
        .await
        .unwrap()
        .map(|r| (r.facts, r.published))
        .unwrap();
    let later = later.unwrap().1;
    assert_eq!(later, None, "an action added after the approval is not in it");
});

// Versions approved before each page had a row of its own get their pages from the migration:
// its statements rebuild what approving writes, page for page.
both_backends!(the_migration_fills_the_pages_of_earlier_versions, |backend| async move {
    let store = demo(backend).await;
    let facts = store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    let (latest, snapshot) = store.agenda_version(&facts.agenda_id, None).await.unwrap().unwrap();
    store.execute_raw("DELETE FROM agenda_version_pages").await.unwrap();
    let (_, gone) = store
        .agenda_page::<AgendaDetail, serde_json::Value>(GUASTALLA, Published::Agenda)
        .await
        .unwrap()
        .map(|r| (r.facts, r.published))
        .unwrap();
    assert_eq!(gone, Some((latest.clone(), None)), "the page is read from its own row");

    let migration = match backend {
        Backend::Sqlite => include_str!("../migrations/sqlite/0016_agenda_version_pages.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0016_agenda_version_pages.sql"),
    };
    let without_comments: String = migration.lines().filter(|l| !l.starts_with("--")).collect::<Vec<_>>().join("\n");
    for insert in without_comments.split(';').map(str::trim).filter(|s| s.starts_with("INSERT")) {
        store.execute_raw(insert).await.unwrap();
    }
    let (_, page) = store
        .agenda_page::<AgendaDetail, serde_json::Value>(GUASTALLA, Published::Agenda)
        .await
        .unwrap()
        .map(|r| (r.facts, r.published))
        .unwrap();
    assert_eq!(page, Some((latest.clone(), Some(snapshot.detail.clone()))));
    for action in &snapshot.actions {
        let code = Published::Action(&action.summary.code);
        let (_, page) = store
            .agenda_page::<Action, serde_json::Value>(GUASTALLA, code)
            .await
            .unwrap()
            .map(|r| (r.facts, r.published))
            .unwrap();
        assert_eq!(page, Some((latest.clone(), Some(action.clone()))), "action {}", action.summary.code);
    }
});

both_backends!(each_part_of_an_action_changes_its_version_once, |backend| async move {
    let store = demo(backend).await;
    let (action, _) = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap();
    let detail = store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let entity = action_entity(&action.id);
    let line = store.budget_line_for_edit(&action.id, &detail.budget[0].id).await.unwrap().unwrap();
    let result = store.result_for_edit(&action.id, &detail.results[0].id).await.unwrap().unwrap();
    let indicator = detail.results.iter().find_map(|r| r.indicators.first()).unwrap();
    let indicator = store.indicator_for_edit(&action.id, &indicator.id).await.unwrap().unwrap();
    let (organization, _) = store.choices(Choosable::Organizations).await.unwrap().remove(0);
    let organization = store.organization(&organization).await.unwrap().unwrap();
    let asset = store.asset_for_edit(&store.choices(Choosable::Assets).await.unwrap()[0].0).await.unwrap().unwrap();
    let partner = agio_domain::edit::NewPartner {
        organization: organization.slug.clone(),
        role: agio_domain::PartnerRole::Partner,
        role_description: "Prova".into(),
    };

    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    let _ = w.remove_partner(&entity, &organization.id, &organization.slug).await.unwrap();
    let _ = w.unlink_asset(&entity, &asset.id, "asset").await.unwrap();
    w.commit().await.unwrap();
    let start = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.version;

    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    w.add_partner(&entity, &organization.id, &partner).await.unwrap();
    assert!(w.remove_partner(&entity, &organization.id, &organization.slug).await.unwrap());
    let line_id = w.add_budget_line(&entity, &line).await.unwrap();
    assert!(w.remove_budget_line(&entity, &line_id).await.unwrap());
    let result_id = w.add_result(&entity, &result).await.unwrap();
    let indicator_id = w.add_indicator(&entity, &result_id, &indicator).await.unwrap();
    assert!(w.remove_indicator(&entity, &indicator_id).await.unwrap());
    w.add_indicator(&entity, &result_id, &indicator).await.unwrap();
    assert!(w.remove_result(&entity, &result_id).await.unwrap());
    w.link_asset(&entity, &asset.id, "asset").await.unwrap();
    assert!(w.unlink_asset(&entity, &asset.id, "asset").await.unwrap());
    assert!(!w.unlink_asset(&entity, &asset.id, "asset").await.unwrap(), "nothing left to unlink");
    w.commit().await.unwrap();

    let (after, _) = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap();
    assert_eq!(after.version, start + 11);
    let history = store.history("action", &action.id).await.unwrap();
    let operations: Vec<&str> = history.iter().take(3).map(|e| e.operation.as_str()).collect();
    assert_eq!(operations, ["unlink_asset", "link_asset", "remove_result"]);
    assert!(history[2].before_json.as_deref().unwrap().contains("indicators"));
});

fn action_entity(id: &str) -> EntityRef<'_> {
    EntityRef { kind: "action", id, label: "A02" }
}

trait Done {
    fn done(self) -> i64;
}

impl<T: std::fmt::Debug> Done for Saved<T> {
    /// The version a save reached; a stale save fails the test.
    fn done(self) -> i64 {
        match self {
            Saved::Done { version } => version,
            stale => panic!("expected a save, got {stale:?}"),
        }
    }
}
