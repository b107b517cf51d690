//! Write-side tests: audited writes, optimistic concurrency, accounts. Both backends.

use agio_domain::access::Scope;
use agio_domain::edit::AgendaEdit;
use agio_domain::{ActionStatus, AgendaStatus, Channel, Role};
use agio_store::{Actor, AuditFilter, NewPerson, Saved, Store, StoreError};
use agio_testkit::{both_backends, fresh_store, Seed};

const GUASTALLA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
const REFERENT_EMAIL: &str = "referente@demo.agio.example";

fn editor(person_id: &str) -> Actor {
    Actor { person_id: Some(person_id.into()), channel: Channel::Form, address: "192.0.2.7".into() }
}

async fn demo(backend: agio_store::Backend) -> Store {
    fresh_store(backend, Seed::Demo).await
}

both_backends!(two_editors_cannot_overwrite_each_other, |backend| async move {
    let store = demo(backend).await;
    let (action, _) = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap();
    // Both open the form at the same version.
    let mut first = action.fields.clone();
    first.title = "Prima modifica".into();
    let mut second = action.fields.clone();
    second.status = ActionStatus::Suspended;

    let mut w = store.begin_write(&editor("one")).await.unwrap();
    assert_eq!(
        w.update_action(&action.id, &first, action.version).await.unwrap(),
        Saved::Done { version: action.version + 1 }
    );
    w.commit().await.unwrap();

    let mut w = store.begin_write(&editor("two")).await.unwrap();
    match w.update_action(&action.id, &second, action.version).await.unwrap() {
        Saved::Stale { current, version } => {
            assert_eq!(current.title, "Prima modifica", "the second editor is shown the first one's change");
            assert_eq!(version, action.version + 1);
        }
        other => panic!("expected a stale save, got {other:?}"),
    }
    drop(w);
    let (now, _) = store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap();
    assert_eq!((now.fields.title.as_str(), now.fields.status), ("Prima modifica", action.fields.status));

    let history = store.history("action", &action.id).await.unwrap();
    assert_eq!(history.len(), 1, "the stale save wrote nothing, not even an audit record");
    let entry = &history[0];
    assert_eq!(
        (entry.operation.as_str(), entry.channel, entry.address.as_str()),
        ("update", Channel::Form, "192.0.2.7")
    );
    assert!(entry.before_json.as_deref().unwrap().contains(&action.fields.title));
    assert!(entry.after_json.as_deref().unwrap().contains("Prima modifica"));
});

both_backends!(the_audit_log_is_append_only, |backend| async move {
    let store = demo(backend).await;
    let entries = store.search_audit(&AuditFilter::default(), None, 20).await.unwrap();
    assert!(entries.total >= 2, "the demo import is audited");
    for statement in ["UPDATE audit_log SET note = 'x'", "DELETE FROM audit_log"] {
        let refused = store.execute_raw(statement).await;
        assert!(refused.is_err(), "{statement} must be refused");
    }
    let after = store.search_audit(&AuditFilter::default(), None, 20).await.unwrap();
    assert_eq!(after.total, entries.total);
});

both_backends!(agenda_moves_and_edits_are_versioned_and_recorded, |backend| async move {
    let store = demo(backend).await;
    let (agenda, status) = store.agenda_for_edit(GUASTALLA).await.unwrap().unwrap();
    assert_eq!(status, AgendaStatus::Approved);
    let mut w = store.begin_write(&editor("coordinator")).await.unwrap();
    let saved = w.move_agenda(&agenda.id, AgendaStatus::Archived, "Fine del triennio", agenda.version).await.unwrap();
    assert_eq!(saved, Saved::Done { version: agenda.version + 1 });
    w.commit().await.unwrap();
    let edit = AgendaEdit { title: "Nuovo titolo".into(), ..agenda.fields.clone() };
    let mut w = store.begin_write(&editor("coordinator")).await.unwrap();
    assert!(matches!(w.update_agenda(&agenda.id, &edit, agenda.version).await.unwrap(), Saved::Stale { .. }));
    drop(w);
    let history = store.history("agenda", &agenda.id).await.unwrap();
    assert_eq!(history[0].operation, "status");
    assert_eq!(history[0].note, "Fine del triennio");
    assert!(history[0].after_json.as_deref().unwrap().contains("archived"));
    assert_eq!(history.last().unwrap().operation, "import");
});

both_backends!(accounts_have_unique_emails_and_scoped_roles, |backend| async move {
    let store = demo(backend).await;
    let (referent, hash) = store.person_by_email("  Referente@Demo.AGIO.example ").await.unwrap().unwrap();
    assert!(hash.unwrap().starts_with("$argon2id$"));
    let grants = store.grants(&referent.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, Role::Referent);
    assert!(matches!(&grants[0].scope, Scope::Organization(_)));
    let assignments = store.role_assignments(&referent.id).await.unwrap();
    assert_eq!(assignments[0].scope_label, "Ponti tra Culture APS");

    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    let again = NewPerson {
        email: "REFERENTE@demo.agio.example".into(),
        name: "Doppione".into(),
        organization_name: String::new(),
        password_hash: None,
        is_demo: false,
    };
    assert!(matches!(w.create_person(&again).await, Err(StoreError::Conflict(_))));
    drop(w);
    // A coordinator's scope must name exactly one agenda or territory: the database agrees.
    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    assert!(w.grant_role(&referent, Role::Coordinator, &Scope::Everywhere).await.is_err());
});

both_backends!(external_sign_ins_are_single_use_and_short_lived, |backend| async move {
    let store = demo(backend).await;
    let login = agio_store::PendingLogin {
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        next: "/agende".into(),
        browser_hash: "b".into(),
    };
    store.create_oidc_login("fresh", &login, "192.0.2.1", "2030-01-01T00:00:00Z").await.unwrap();
    store.create_oidc_login("stale", &login, "192.0.2.1", "2020-01-01T00:00:00Z").await.unwrap();
    let now = "2026-01-01T00:00:00Z";
    assert_eq!(store.take_oidc_login("fresh", now).await.unwrap(), Some(login.clone()));
    assert_eq!(store.take_oidc_login("fresh", now).await.unwrap(), None, "a state serves once");
    assert_eq!(store.take_oidc_login("stale", now).await.unwrap(), None, "an expired state serves never");
    assert_eq!(store.take_oidc_login("unknown", now).await.unwrap(), None);

    let (person, _) = store.person_by_email("cittadino@demo.agio.example").await.unwrap().unwrap();
    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    w.link_identity(&person, "https://idp.example", "spid-TINIT-X").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(store.person_by_identity("https://idp.example", "spid-TINIT-X").await.unwrap().unwrap().id, person.id);
    assert!(
        store.person_by_identity("https://other.example", "spid-TINIT-X").await.unwrap().is_none(),
        "keyed by issuer too"
    );
    // The same identity cannot belong to two people.
    let (other, _) = store.person_by_email(REFERENT_EMAIL).await.unwrap().unwrap();
    let mut w = store.begin_write(&Actor::cli()).await.unwrap();
    assert!(w.link_identity(&other, "https://idp.example", "spid-TINIT-X").await.is_err());
});

both_backends!(a_service_history_shows_every_version_though_each_is_stored_once, |backend| async move {
    let store = demo(backend).await;
    let original = store.directory_services_after("", 1).await.unwrap().remove(0);
    let mut version = original.version;
    let mut documents = vec![original.document.clone()];
    for description in ["Prima versione nuova", "Seconda versione nuova"] {
        let mut document = documents.last().unwrap().clone();
        document["description"] = description.into();
        let mut w = store.begin_write(&editor("one")).await.unwrap();
        version = w.update_service(&document, version).await.unwrap().expect("not stale");
        w.commit().await.unwrap();
        documents.push(document);
    }
    let history = store.history("service", &original.id).await.unwrap();
    let operations: Vec<&str> = history.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(operations, ["update", "update", "create"], "newest first");
    let json = |text: &Option<String>| serde_json::from_str::<serde_json::Value>(text.as_deref().unwrap()).unwrap();
    // Each record's after is the next one's before, and the last one's is the current document.
    assert_eq!(json(&history[2].after_json), documents[0]);
    assert_eq!(json(&history[1].before_json), documents[0]);
    assert_eq!(json(&history[1].after_json), documents[1]);
    assert_eq!(json(&history[0].before_json), documents[1]);
    assert_eq!(json(&history[0].after_json), documents[2]);
    assert_eq!(store.directory_service(&original.id).await.unwrap().unwrap().document, documents[2]);
});

/// Each indicator's latest approved value and count as `indicator_latest` keeps them, and as
/// every approved value says they are.
async fn latest_kept_and_recounted(
    store: &Store,
) -> (Vec<(String, String, String, i64)>, Vec<(String, String, String, i64)>) {
    let mut kept: Vec<(String, String, String, i64)> = store
        .latest_approved()
        .await
        .unwrap()
        .into_iter()
        .map(|(m, n)| (m.indicator_id, m.period, m.fields.value.normalize().to_string(), n))
        .collect();
    kept.sort();
    let mut recounted: std::collections::BTreeMap<String, (String, String, i64)> = Default::default();
    for m in store.measurements(None).await.unwrap() {
        let entry = recounted.entry(m.indicator_id.clone()).or_insert((String::new(), String::new(), 0));
        entry.2 += 1;
        if m.period > entry.0 {
            (entry.0, entry.1) = (m.period.clone(), m.fields.value.normalize().to_string());
        }
    }
    let recounted = recounted.into_iter().map(|(id, (period, value, n))| (id, period, value, n)).collect();
    (kept, recounted)
}

// The regional dashboard reads each indicator's latest approved value from a table that
// triggers keep: it follows a value approved, returned, changed and deleted, and an indicator
// deleted, on both databases.
both_backends!(latest_approved_values_follow_every_change, |backend| async move {
    let store = demo(backend).await;
    let (kept, recounted) = latest_kept_and_recounted(&store).await;
    assert!(kept.len() > 10, "the demo has approved values");
    assert_eq!(kept, recounted);
    // An indicator with at least three approved values.
    let (indicator, latest, _, n) = kept.iter().find(|(_, _, _, n)| *n >= 3).unwrap().clone();
    let changes = [
        format!(
            "UPDATE measurements SET status = 'returned' WHERE indicator_id = '{indicator}' AND period = '{latest}'"
        ),
        format!("UPDATE measurements SET value = '123.45' WHERE indicator_id = '{indicator}' AND status = 'approved'"),
        format!(
            "UPDATE measurements SET status = 'approved' WHERE indicator_id = '{indicator}' AND period = '{latest}'"
        ),
        format!("DELETE FROM measurements WHERE indicator_id = '{indicator}' AND period = '{latest}'"),
    ];
    for change in &changes {
        store.execute_raw(change).await.unwrap();
        let (kept, recounted) = latest_kept_and_recounted(&store).await;
        assert_eq!(kept, recounted, "after {change}");
    }
    let (kept, _) = latest_kept_and_recounted(&store).await;
    let now = kept.iter().find(|(id, ..)| *id == indicator).unwrap();
    assert!(now.1 < latest && now.2 == "123.45" && now.3 == n - 1, "{now:?}");
    store.execute_raw(&format!("DELETE FROM indicators WHERE id = '{indicator}'")).await.unwrap();
    let (kept, recounted) = latest_kept_and_recounted(&store).await;
    assert_eq!(kept, recounted);
    assert!(kept.iter().all(|(id, ..)| *id != indicator), "a deleted indicator keeps no latest value");
});

// Two transactions on PostgreSQL returning two approved values of one indicator at once: the
// second waits for the first before working out the indicator's latest value, so the kept row
// holds both changes (computed from its own snapshot, it would miss the first one's).
#[tokio::test]
async fn two_reviews_of_one_indicator_at_once_keep_its_latest_value_right() {
    use sqlx::Connection;
    let url = agio_testkit::fresh_url(agio_store::Backend::Postgres, agio_testkit::Seed::Demo).await;
    let store = Store::connect(&url).await.unwrap();
    let (kept, _) = latest_kept_and_recounted(&store).await;
    let (indicator, latest, _, _) = kept.iter().find(|(_, _, _, n)| *n >= 3).unwrap().clone();
    let mut periods: Vec<String> = store
        .measurements(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.indicator_id == indicator)
        .map(|m| m.period)
        .collect();
    periods.sort();
    let earlier = periods.iter().rev().find(|p| **p < latest).unwrap().clone();
    let returned = |period: &str| {
        format!(
            "UPDATE measurements SET status = 'returned' WHERE indicator_id = '{indicator}' AND period = '{period}'"
        )
    };
    let (mut first, mut second) =
        (sqlx::PgConnection::connect(&url).await.unwrap(), sqlx::PgConnection::connect(&url).await.unwrap());
    let mut watcher = sqlx::PgConnection::connect(&url).await.unwrap();
    let second_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut second).await.unwrap();
    sqlx::raw_sql(&format!("BEGIN; {}", returned(&latest))).execute(&mut first).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut second).await.unwrap();
    let waits = async {
        sqlx::raw_sql(&returned(&earlier)).execute(&mut second).await.unwrap();
        sqlx::raw_sql("COMMIT").execute(&mut second).await.unwrap();
    };
    // The first commits only once the second waits for it (on a lock), whatever it waits on.
    let commits = async {
        let waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'";
        while sqlx::query_scalar::<_, i64>(waiting).bind(second_pid).fetch_one(&mut watcher).await.unwrap() == 0 {
            tokio::task::yield_now().await;
        }
        sqlx::raw_sql("COMMIT").execute(&mut first).await.unwrap();
    };
    not_stuck("two reviews", async { tokio::join!(waits, commits) }).await;
    let (kept, recounted) = latest_kept_and_recounted(&store).await;
    assert_eq!(kept, recounted);
}

/// Waits at most long enough to tell a write that goes on from one stuck behind another.
async fn not_stuck<T>(what: &str, write: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(30), write)
        .await
        .unwrap_or_else(|_| panic!("{what} waited for another transaction"))
}

// On PostgreSQL writers no longer take turns on one row: while an import of the directory is
// open (its rows written, not committed), coordinators of two districts edit their agendas at
// the same time, and every write is counted once in the data version. SQLite has one writer at a
// time by design (see a_sqlite_file_held_by_another_writer_is_unavailable_not_broken).
#[tokio::test]
async fn an_open_import_and_edits_in_two_districts_do_not_wait_for_each_other() {
    const RIMINI: &str = "agenda-digitale-sociale-rimini-valmarecchia-2026-2028";
    let store = demo(agio_store::Backend::Postgres).await;
    let version = store.data_version().await.unwrap();
    let renamed: Vec<serde_json::Value> = store
        .directory_services_after("", 40)
        .await
        .unwrap()
        .iter()
        .map(|s| {
            let mut document = s.document.clone();
            document["name"] = format!("{} (importato)", document["name"].as_str().unwrap()).into();
            document
        })
        .collect();
    assert_eq!(renamed.len(), 40);
    let mut import = store.begin_write(&Actor::import()).await.unwrap();
    let written = import.save_services(&renamed, false, |_| {}).await.unwrap();
    assert_eq!(written.updated, 40, "{written:?}");

    let mut edits = Vec::new();
    for (slug, person) in [(GUASTALLA, "coordinator-re"), (RIMINI, "coordinator-rn")] {
        let (agenda, _) = store.agenda_for_edit(slug).await.unwrap().unwrap();
        let edit = AgendaEdit { title: format!("{} (modificata)", agenda.fields.title), ..agenda.fields.clone() };
        let mut w = not_stuck("an edit's start", store.begin_write(&editor(person))).await.unwrap();
        let saved = not_stuck("an agenda edit", w.update_agenda(&agenda.id, &edit, agenda.version)).await.unwrap();
        assert_eq!(saved, Saved::Done { version: agenda.version + 1 });
        edits.push(w);
    }
    // Both edits are open at once; each commits while the import and the other edit are open.
    for w in edits {
        not_stuck("an edit's commit", w.commit()).await.unwrap();
    }
    assert_eq!(store.data_version().await.unwrap(), version + 2, "the edits are counted, the open import not yet");
    import.commit().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), version + 3);

    for slug in [GUASTALLA, RIMINI] {
        let (agenda, _) = store.agenda_for_edit(slug).await.unwrap().unwrap();
        assert!(agenda.fields.title.ends_with("(modificata)"), "{}", agenda.fields.title);
    }
    let first = store.directory_services_after("", 1).await.unwrap();
    assert!(first[0].document["name"].as_str().unwrap().ends_with("(importato)"));
    // Audit numbers drawn by writers at once are all different, and every record is there.
    let log = store.search_audit(&AuditFilter::default(), None, 100).await.unwrap();
    let mut numbers: Vec<i64> = log.items.iter().map(|e| e.seq).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), log.items.len());
    assert!(log.items.iter().filter(|e| e.entity_type == "agenda").count() >= 2);

    // Folding the counted writes keeps the data version.
    store.fold_data_writes().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), version + 3);
}

// Two people adding ideas to one Lab process at once: the second waits for the first's number
// instead of taking the same one (which the database would refuse).
both_backends!(ideas_added_at_once_to_one_process_get_the_next_numbers, |backend| async move {
    let store = demo(backend).await;
    let process = store.lab_process(GUASTALLA).await.unwrap().expect("the demo Lab process");
    let before = store.lab_idea_ids(&process.id).await.unwrap().len() as i64;
    let idea = |n: usize| agio_domain::lab::IdeaEdit {
        title: format!("Idea scritta insieme n. {n}"),
        body: "Un punto di aiuto per i servizi online.".into(),
        gap_key: None,
        comune: None,
        target_groups: Vec::new(),
        life_stages: Vec::new(),
        on_behalf_of: None,
    };
    let add = |n: usize| {
        let (store, process_id) = (store.clone(), process.id.clone());
        async move {
            let mut w = store.begin_write(&editor(&format!("citizen-{n}"))).await?;
            let number = w.create_idea(&process_id, None, &idea(n), false).await?;
            w.commit().await?;
            Ok::<i64, StoreError>(number)
        }
    };
    let (one, two) = not_stuck("two ideas", async { tokio::join!(add(1), add(2)) }).await;
    let mut numbers = vec![one.unwrap(), two.unwrap()];
    numbers.sort();
    assert_eq!(numbers, vec![before + 1, before + 2]);
});
