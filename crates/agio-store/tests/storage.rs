//! Storage tests: each runs on SQLite and on PostgreSQL, on its own fresh database.

use agio_domain::{ActionStatus, AgendaStatus, PageRequest, TerritoryKind};
use agio_store::schema::Snapshot;
use agio_store::{
    ActionFilter, AgendaFilter, AssetFilter, Backend, OrganizationFilter, Store, StoreError, TerritoryFilter,
};
use agio_testkit::{both_backends, fresh_store, Seed};

const GUASTALLA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
const RIMINI: &str = "agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

fn page(n: u32, per: u32) -> PageRequest {
    PageRequest::new(Some(n as i64), Some(per as i64)).unwrap()
}

async fn migrated(backend: Backend) -> Store {
    let store = fresh_store(backend, Seed::Nothing).await;
    store.migrate().await.unwrap();
    store
}

#[tokio::test]
async fn migrated_schemas_match_across_backends() {
    let sqlite = migrated(Backend::Sqlite).await.schema_snapshot().await.unwrap();
    let postgres = migrated(Backend::Postgres).await.schema_snapshot().await.unwrap();
    assert!(sqlite.len() >= 15, "expected the foundation tables, got {:?}", sqlite.keys());
    assert_schemas_equal(&sqlite, &postgres);
}

// Instances that start together on one database migrate it once: each migration runs once,
// the others find nothing left to do, and none fails on a table another one just created.
both_backends!(processes_starting_together_migrate_once, |backend| async move {
    let url = agio_testkit::fresh_url(backend, Seed::Nothing).await;
    let mut stores = Vec::new();
    for _ in 0..3 {
        stores.push(Store::connect(&url).await.unwrap());
    }
    let before = stores[0].migration_status().await.unwrap();
    assert_eq!((before.applied, before.unknown.len()), (0, 0));
    assert!(before.pending.len() > 30, "every migration pending on an empty database: {before:?}");
    let (a, b, c) = tokio::join!(stores[0].migrate(), stores[1].migrate(), stores[2].migrate());
    let ran: Vec<usize> = [a, b, c].into_iter().map(|r| r.expect("each instance starts")).collect();
    assert_eq!(ran.iter().sum::<usize>(), before.pending.len(), "each migration once: {ran:?}");
    let after = stores[1].migration_status().await.unwrap();
    assert_eq!((after.applied, after.pending.len()), (before.pending.len(), 0));
    for store in stores {
        store.close().await;
    }
});

// A SQLite file another writer holds past the busy timeout (a long import) is a database that
// is unavailable for now, not an internal error; the write lost nothing and may be tried again.
#[tokio::test]
async fn a_sqlite_file_held_by_another_writer_is_unavailable_not_broken() {
    let url = agio_testkit::fresh_url(Backend::Sqlite, Seed::Nothing).await;
    let (holder, other) = (Store::connect(&url).await.unwrap(), Store::connect(&url).await.unwrap());
    holder.migrate().await.unwrap();
    let held = holder.begin_write(&agio_store::Actor::cli()).await.unwrap();
    let refused = other.begin_write(&agio_store::Actor::cli()).await.err().expect("the file is held");
    assert!(refused.is_unavailable(), "{refused:?}");
    held.commit().await.unwrap();
    other.begin_write(&agio_store::Actor::cli()).await.unwrap().commit().await.unwrap();
}

// A database that a newer AGIO migrated is refused with a message that says so, and nothing
// is changed in it.
both_backends!(a_schema_newer_than_this_build_is_refused, |backend| async move {
    let store = migrated(backend).await;
    store
        .execute_raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', 'x')")
        .await
        .unwrap();
    let status = store.migration_status().await.unwrap();
    assert_eq!((status.pending.len(), status.unknown), (0, vec![(999, "0999_future".to_string())]));
    let refused = store.migrate().await.unwrap_err().to_string();
    assert!(refused.contains("999 (0999_future)") && refused.contains("newer AGIO"), "{refused}");
    // The lock is free again: another start is refused the same way, not left waiting.
    let again = tokio::time::timeout(std::time::Duration::from_secs(60), store.migrate()).await;
    assert!(again.expect("the migration lock was released").is_err());
});

/// The comparison notices drift: an index added on one side only makes it fail.
#[tokio::test]
async fn schema_comparison_detects_drift() {
    let sqlite = migrated(Backend::Sqlite).await;
    sqlite.execute_raw("CREATE INDEX drift_idx ON agendas (title)").await.unwrap();
    let postgres = migrated(Backend::Postgres).await;
    let a = sqlite.schema_snapshot().await.unwrap();
    let b = postgres.schema_snapshot().await.unwrap();
    assert_ne!(a["agendas"].indexes, b["agendas"].indexes);
    assert_eq!(a["agendas"].columns, b["agendas"].columns);
    // A column whose type family differs is caught too.
    postgres.execute_raw("ALTER TABLE indicators ALTER COLUMN unit TYPE BIGINT USING 0").await.unwrap();
    let b = postgres.schema_snapshot().await.unwrap();
    assert_ne!(a["indicators"].columns, b["indicators"].columns);
}

fn assert_schemas_equal(a: &Snapshot, b: &Snapshot) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "tables differ");
    for (name, table) in a {
        let other = &b[name];
        assert_eq!(table.columns, other.columns, "columns of {name} differ");
        assert_eq!(table.indexes, other.indexes, "indexes of {name} differ");
        assert_eq!(table.foreign_keys, other.foreign_keys, "foreign keys of {name} differ");
    }
}

#[tokio::test]
async fn copy_order_names_every_table() {
    let tables: Vec<String> = migrated(Backend::Sqlite).await.schema_snapshot().await.unwrap().into_keys().collect();
    let mut ordered: Vec<String> = agio_store::COPY_ORDER.iter().map(|(t, _)| t.to_string()).collect();
    ordered.extend(agio_store::DERIVED.iter().map(|(t, _)| t.to_string()));
    ordered.sort();
    assert_eq!(ordered, tables);
}

/// `agio migrate --to`: every row of a demo SQLite database arrives unchanged in PostgreSQL.
#[tokio::test]
async fn copy_into_postgres_round_trip() {
    let source = fresh_store(Backend::Sqlite, Seed::Demo).await;
    let target = fresh_store(Backend::Postgres, Seed::Nothing).await;
    // Sessions and throttled attempts are copied too (people stay signed in across the move).
    let (person, _) = source.person_by_email("referente@demo.agio.example").await.unwrap().unwrap();
    source.create_session("token-hash", &person.id, "csrf", false).await.unwrap();
    let policy = agio_store::ThrottlePolicy {
        free: 10,
        window: time::Duration::minutes(15),
        longest_wait: time::Duration::minutes(5),
    };
    source.take_attempt("address:192.0.2.1", &policy, time::OffsetDateTime::now_utc()).await.unwrap();
    let mut w = source.begin_write(&agio_store::Actor::cli()).await.unwrap();
    w.create_api_token(&person, "gestionale", "hash", agio_domain::TokenScope::Write, None).await.unwrap();
    w.link_identity(&person, "https://idp.example", "spid-TINIT-X").await.unwrap();
    w.invite(
        "invitation-hash",
        "nuova@example.org",
        agio_domain::Role::Citizen,
        &agio_domain::access::Scope::Everywhere,
        "2030-01-01T00:00:00Z",
    )
    .await
    .unwrap();
    // A published version of a profile (the application writes its documents; any JSON here).
    let rimini = source.territory("rn-rimini").await.unwrap().unwrap();
    let profile = source.profile(&rimini.id).await.unwrap().unwrap();
    let part = serde_json::json!({ "score": 50.0 });
    let parts = agio_store::PublishedProfile { summary: &part, gaps: &serde_json::json!([]), document: &part };
    w.publish_profile_version(&profile.id, "Rimini", "", parts).await.unwrap();
    w.set_notifications_off(&person.id, &person.name, &[agio_domain::Notification::MeetingChanged]).await.unwrap();
    w.commit().await.unwrap();
    source.create_password_reset("reset-hash", &person.id, "2030-01-01T00:00:00Z").await.unwrap();
    source.put_in_outbox(&person.email, "Oggetto", "Testo", "it").await.unwrap();
    let login = agio_store::PendingLogin {
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        next: "/".into(),
        browser_hash: "b".into(),
    };
    source.create_oidc_login("state-hash", &login, "192.0.2.1", "2030-01-01T00:00:00Z").await.unwrap();
    let registration = agio_store::PendingRegistration {
        email: "nuova@example.org".into(),
        name: "Nuova".into(),
        password_hash: "hash".into(),
    };
    source.create_registration("registration-hash", &registration, "2030-01-01T00:00:00Z").await.unwrap();
    source
        .offer_identity_link(&person.id, "https://idp.example", "spid-TINIT-Y", "2030-01-01T00:00:00Z")
        .await
        .unwrap();
    let report = source.copy_into(&target).await.unwrap();
    let territories = report.tables.iter().find(|(t, _)| t == "territories").unwrap().1;
    assert_eq!(territories, 1 + 38 + 330);

    let schema = source.schema_snapshot().await.unwrap();
    // The derived tables are not copied: the copied rows fill them again, the same.
    for (table, order) in agio_store::COPY_ORDER.iter().chain(agio_store::DERIVED) {
        let columns = &schema[*table].columns;
        let from = source.dump_table(table, columns, order).await.unwrap();
        let to = target.dump_table(table, columns, order).await.unwrap();
        assert!(!from.is_empty() || *table == "union_members", "{table} has no rows to compare");
        assert_eq!(from, to, "rows of {table} differ after the copy");
    }
    // The copy is one transaction into an empty database: a second one is refused.
    match source.copy_into(&target).await {
        Err(StoreError::TargetNotEmpty(table)) => assert_eq!(table, "territories"),
        other => panic!("expected TargetNotEmpty, got {other:?}"),
    }
}

both_backends!(reference_territories_load_once, |backend| async move {
    let store = migrated(backend).await;
    assert!(store.load_reference_territories().await.unwrap());
    assert!(!store.load_reference_territories().await.unwrap(), "second load must do nothing");
    let comuni = store
        .list_territories(&TerritoryFilter { kind: Some(TerritoryKind::Comune), ..Default::default() }, page(1, 1))
        .await
        .unwrap();
    assert_eq!(comuni.total, 330);
    let guastalla = store.district_detail("re-guastalla").await.unwrap().unwrap();
    assert_eq!(guastalla.district.name, "Guastalla");
    assert_eq!(guastalla.district.health_authority.as_deref(), Some("AUSL Reggio Emilia"));
    assert_eq!(guastalla.comuni.len(), 8);
    assert_eq!(guastalla.district.population, Some(guastalla.comuni.iter().filter_map(|c| c.population).sum()));
    let region = store.territory("er").await.unwrap().unwrap();
    assert_eq!(region.comuni_count, 330);
    assert_eq!(store.districts().await.unwrap().len(), 38);
    let comune = store.territory("035024").await.unwrap().unwrap();
    assert_eq!((comune.name.as_str(), comune.parent.unwrap().code.as_str()), ("Guastalla", "re-guastalla"));
    assert_eq!(store.map_shapes().await.unwrap().len(), 330);
});

both_backends!(demo_loads_once, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let again = store.load_demo().await.unwrap();
    assert_eq!(again, agio_store::DemoReport::default(), "second demo load must do nothing");
    let figures = store.key_figures().await.unwrap();
    assert_eq!((figures.districts, figures.comuni, figures.agendas, figures.actions), (38, 330, 2, 24));
    assert!(figures.organizations >= 20 && figures.assets >= 16);
});

both_backends!(demo_directory_covers_every_need_and_life_stage, |backend| async move {
    use agio_domain::Vocabulary;
    let store = fresh_store(backend, Seed::Demo).await;
    let total = store.directory_service_count().await.unwrap();
    assert!(total >= 150, "{total} demo services");
    let filter = agio_store::ServiceFilter::default();
    let mut all = Vec::new();
    for page in 1..=2 {
        let request = agio_domain::PageRequest::new(Some(page), Some(100)).unwrap();
        let page = store.directory_service_page(&filter, request).await.unwrap();
        assert_eq!(page.total, total);
        all.extend(page.items);
    }
    assert_eq!(all.len() as i64, total);
    for vocabulary in [Vocabulary::Need, Vocabulary::LifeStage] {
        for term in store.terms(vocabulary).await.unwrap() {
            let id = agio_directory::taxonomy::term_id(vocabulary, &term.code);
            let filter = agio_store::ServiceFilter { term_ids: Some(vec![id]), ..Default::default() };
            let page = store.directory_service_page(&filter, agio_domain::PageRequest::default()).await.unwrap();
            assert!(page.total >= 2, "{} {} has {} services", vocabulary.code(), term.code, page.total);
        }
    }
    let docs = all.iter().map(|s| &s.document);
    for d in docs.clone() {
        assert_eq!(agio_hsds::schemas().check(agio_hsds::Object::Service, d), vec![], "{}", d["name"]);
    }
    assert!(docs.clone().all(|d| d["agio_demo"] == true), "labelled as demo content");
    assert!(docs.clone().any(|d| d.get("agio_action").is_some()), "some come from agenda actions");
    // Several comuni in both districts, and a second load changes nothing.
    let cities: std::collections::BTreeSet<&str> =
        docs.map(|d| d["service_at_locations"][0]["location"]["addresses"][0]["city"].as_str().unwrap()).collect();
    assert!(cities.contains("Luzzara") && cities.contains("Pennabilli"), "{cities:?}");
    let again = store.load_demo_directory().await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, total as usize));
});

both_backends!(agenda_detail_has_objectives_actions_partners_assets, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let d = store.agenda_detail(GUASTALLA).await.unwrap().unwrap();
    assert_eq!(d.agenda.status, AgendaStatus::Approved);
    assert!(d.agenda.is_demo);
    assert_eq!(d.agenda.territory.code, "re-guastalla");
    assert!(d.objectives.len() >= 4);
    assert_eq!(d.objectives.iter().map(|o| o.actions.len()).sum::<usize>(), 12);
    assert!(d.partners.len() >= 10, "partners: {}", d.partners.len());
    assert_eq!(d.partners.iter().map(|p| p.leads).sum::<i64>(), 12, "one lead per action");
    assert!(d.assets.len() >= 5);
    assert!(store.agenda_detail("no-such-agenda").await.unwrap().is_none());
});

both_backends!(action_detail_is_complete, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let x = store.action(GUASTALLA, "A01").await.unwrap().unwrap();
    assert_eq!(x.summary.code, "A01");
    assert!(x.summary.lead.is_some());
    assert_eq!(x.partners.first().map(|p| p.role), Some(agio_domain::PartnerRole::Lead));
    assert!(!x.target_groups.is_empty() && !x.life_stages.is_empty() && !x.themes.is_empty());
    assert!(!x.budget.is_empty());
    assert_eq!(x.budget_total_cents, x.budget.iter().map(|b| b.amount_cents).sum::<i64>());
    assert!(!x.results.is_empty() && x.results.iter().all(|r| !r.indicators.is_empty()));
    assert!(store.action(GUASTALLA, "Z99").await.unwrap().is_none());
    assert!(store.action(RIMINI, "A01").await.unwrap().is_some());
});

both_backends!(agenda_filters, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let all = store.list_agendas(&AgendaFilter::default(), page(1, 20)).await.unwrap();
    assert_eq!(all.total, 2);
    let approved = store
        .list_agendas(&AgendaFilter { status: Some(AgendaStatus::Approved), ..Default::default() }, page(1, 20))
        .await
        .unwrap();
    assert_eq!(approved.items.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(), vec![GUASTALLA]);
    let rimini = store
        .list_agendas(&AgendaFilter { territory: Some("rn-rimini".into()), ..Default::default() }, page(1, 20))
        .await
        .unwrap();
    assert_eq!(rimini.items[0].slug, RIMINI);
    // A comune finds the agenda of its district.
    let by_comune = store
        .list_agendas(&AgendaFilter { territory: Some("035024".into()), ..Default::default() }, page(1, 20))
        .await
        .unwrap();
    assert_eq!(by_comune.items.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(), vec![GUASTALLA]);
    let by_group = store
        .list_agendas(&AgendaFilter { target_group: Some("homelessness".into()), ..Default::default() }, page(1, 20))
        .await
        .unwrap();
    assert!(by_group.total >= 1);
    let none =
        store.list_agendas(&AgendaFilter { q: Some("%".into()), ..Default::default() }, page(1, 20)).await.unwrap();
    assert_eq!(none.total, 0, "LIKE wildcards in the search text are literal");
    let text = store
        .list_agendas(&AgendaFilter { q: Some("bassa REGGIANA".into()), ..Default::default() }, page(1, 20))
        .await
        .unwrap();
    assert_eq!(text.total, 1);
});

both_backends!(action_list_filters_and_pages, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let first = store.list_actions(&ActionFilter::default(), page(1, 10)).await.unwrap();
    assert_eq!((first.total, first.items.len(), first.total_pages), (24, 10, 3));
    let last = store.list_actions(&ActionFilter::default(), page(3, 10)).await.unwrap();
    assert_eq!(last.items.len(), 4);
    let beyond = store.list_actions(&ActionFilter::default(), page(9, 10)).await.unwrap();
    assert!(beyond.items.is_empty() && beyond.total == 24);
    let in_agenda = store
        .list_actions(&ActionFilter { agenda: Some(RIMINI.into()), ..Default::default() }, page(1, 50))
        .await
        .unwrap();
    assert_eq!(in_agenda.total, 12);
    assert!(in_agenda.items.iter().all(|a| a.agenda_slug == RIMINI));
    let in_progress = store
        .list_actions(&ActionFilter { status: Some(ActionStatus::InProgress), ..Default::default() }, page(1, 50))
        .await
        .unwrap();
    assert!(in_progress.items.iter().all(|a| a.status == ActionStatus::InProgress));
    let lepida = store
        .list_actions(&ActionFilter { asset: Some("lepida-rete".into()), ..Default::default() }, page(1, 50))
        .await
        .unwrap();
    assert!(lepida.total >= 1);
});

both_backends!(organizations_and_assets, |backend| async move {
    let store = fresh_store(backend, Seed::Demo).await;
    let orgs = store.list_organizations(&OrganizationFilter::default(), page(1, 100)).await.unwrap();
    assert!(orgs.total >= 20);
    let lead = orgs.items.iter().find(|o| o.actions_count > 0).unwrap();
    let d = store.organization_detail(&lead.slug).await.unwrap().unwrap();
    assert_eq!(d.actions.len() as i64, lead.actions_count);
    let health = store
        .list_organizations(
            &OrganizationFilter { org_type: Some("health_authority".into()), ..Default::default() },
            page(1, 100),
        )
        .await
        .unwrap();
    assert!(health.items.iter().all(|o| o.org_type.code == "health_authority"));
    let in_guastalla = store
        .list_organizations(
            &OrganizationFilter { territory: Some("re-guastalla".into()), ..Default::default() },
            page(1, 100),
        )
        .await
        .unwrap();
    assert!(in_guastalla.total >= 5);

    let assets = store.list_assets(&AssetFilter::default(), page(1, 100)).await.unwrap();
    assert!(assets.total >= 16);
    let lepida = store.asset_detail("lepida-rete").await.unwrap().unwrap();
    assert_eq!(lepida.comuni.len() as i64, lepida.asset.comuni_covered);
    assert!(!lepida.actions.is_empty());
    let covering = store
        .list_assets(&AssetFilter { comune: Some("035024".into()), ..Default::default() }, page(1, 100))
        .await
        .unwrap();
    assert!(covering.items.iter().any(|a| a.slug == "lepida-rete"));
});

both_backends!(vocabularies_have_both_languages, |backend| async move {
    let store = migrated(backend).await;
    let terms = store.vocabulary_terms(None).await.unwrap();
    assert!(terms.len() >= 40);
    assert!(terms.iter().all(|t| !t.term.label_it.is_empty() && !t.term.label_en.is_empty()));
    let stages = store.terms(agio_domain::Vocabulary::LifeStage).await.unwrap();
    assert_eq!(
        stages.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(),
        ["childhood", "adolescence", "youth", "adults", "elderly"]
    );
});

// Throttled attempts: free ones, then waits; a wait that is over lets the next attempt in;
// old scopes are dropped, so attempts from ever new addresses keep the table bounded.
both_backends!(attempts_are_throttled_and_the_table_stays_bounded, |backend| async move {
    use agio_store::{Attempt, ThrottlePolicy};
    use time::{Duration, OffsetDateTime};
    let store = fresh_store(backend, Seed::Nothing).await;
    store.migrate().await.unwrap();
    let policy = ThrottlePolicy { free: 2, window: Duration::minutes(15), longest_wait: Duration::minutes(5) };
    let t0 = OffsetDateTime::now_utc();
    let take = |at: OffsetDateTime| {
        let store = &store;
        async move { store.take_attempt("address:192.0.2.1", &policy, at).await.unwrap() }
    };
    assert_eq!(take(t0).await, Attempt::Taken { earlier: 0 });
    assert_eq!(take(t0).await, Attempt::Taken { earlier: 1 });
    assert_eq!(take(t0).await, Attempt::Wait(Duration::seconds(1)));
    assert_eq!(take(t0 + Duration::seconds(1)).await, Attempt::Taken { earlier: 2 });
    assert_eq!(take(t0 + Duration::seconds(1)).await, Attempt::Wait(Duration::seconds(2)));
    store.give_back_attempt("address:192.0.2.1").await.unwrap();
    // A window later, the scope starts afresh.
    assert_eq!(take(t0 + Duration::minutes(20)).await, Attempt::Taken { earlier: 0 });

    // 2,000 new addresses over two hours, each failing once: the table holds a window's worth.
    let mut largest = 0;
    for n in 0..2_000i64 {
        let at = t0 + Duration::hours(1) + Duration::milliseconds(n * 3_600);
        store.take_attempt(&format!("address:10.{}.{}.1", n / 250, n % 250), &policy, at).await.unwrap();
        store.forget_old_attempts(at - policy.window).await.unwrap();
        largest = largest.max(store.throttled_scopes().await.unwrap());
    }
    assert!(largest <= 251, "at most one window of scopes is kept: {largest}");
});

// Anonymous starts of an external sign-in keep the table bounded: at most a handful per address,
// at most a few thousand in all, whatever the traffic.
both_backends!(external_sign_ins_under_way_stay_bounded, |backend| async move {
    let store = fresh_store(backend, Seed::Nothing).await;
    store.migrate().await.unwrap();
    let login = |n: i64| agio_store::PendingLogin {
        nonce: format!("n{n}"),
        pkce_verifier: "v".into(),
        next: "/".into(),
        browser_hash: "b".into(),
    };
    let expires = "2999-01-01T00:00:00Z";
    for n in 0..10_000 {
        store.create_oidc_login(&format!("one-{n}"), &login(n), "192.0.2.1", expires).await.unwrap();
    }
    assert_eq!(store.pending_oidc_logins().await.unwrap(), agio_store::PENDING_LOGINS_PER_ADDRESS);
    assert!(store.take_oidc_login("one-9999", "2026-01-01T00:00:00Z").await.unwrap().is_some(), "the newest is kept");
    assert!(store.take_oidc_login("one-0", "2026-01-01T00:00:00Z").await.unwrap().is_none(), "the oldest is gone");
    for n in 0..5_100 {
        let address = format!("10.{}.{}.{}", n / 65_536, (n / 256) % 256, n % 256);
        store.create_oidc_login(&format!("many-{n}"), &login(n), &address, expires).await.unwrap();
    }
    assert!(store.pending_oidc_logins().await.unwrap() <= agio_store::PENDING_LOGINS_AT_MOST);
});

// Reading every service a batch at a time after the last (name, id) read gives the paged list,
// in its order; a search's matches come in the search's order.
both_backends!(services_are_read_a_batch_at_a_time_in_list_order, |backend| async move {
    use agio_store::{ServiceCursor, ServiceFilter};
    let store = fresh_store(backend, Seed::Demo).await;
    let read_all = |filter: ServiceFilter| {
        let store = &store;
        async move {
            let (mut cursor, mut ids) = (ServiceCursor::start(&filter), Vec::new());
            while cursor != ServiceCursor::End {
                let (batch, next) = store.directory_services_batch(&filter, &cursor, 7).await.unwrap();
                assert!(batch.len() <= 7);
                ids.extend(batch.into_iter().map(|s| s.id));
                cursor = next;
            }
            ids
        }
    };
    let all = read_all(ServiceFilter::default()).await;
    let mut paged: Vec<String> = Vec::new();
    for n in 1..=2 {
        let page = PageRequest::new(Some(n), Some(100)).unwrap();
        let list = store.directory_service_page(&ServiceFilter::default(), page).await.unwrap();
        paged.extend(list.items.into_iter().map(|s| s.id));
    }
    assert_eq!(all.len(), 173);
    assert_eq!(all, paged);
    let some: Vec<String> = paged.iter().rev().step_by(3).cloned().collect();
    let searched = read_all(ServiceFilter { ids: Some(some.clone()), ..Default::default() }).await;
    assert_eq!(searched, some, "a search's order");
});
