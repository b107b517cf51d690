//! The audit trail: every write goes through a [`WriteTx`], which appends who, when, from where,
//! what and the values before and after, in the same transaction as the change itself. The
//! table is append-only (database triggers refuse UPDATE and DELETE).

use agio_domain::Channel;
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, Result, Store};

/// Who is writing, and through which door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// None for the command line and system jobs.
    pub person_id: Option<String>,
    pub channel: Channel,
    /// Client address (IP) for web requests; empty otherwise.
    pub address: String,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor { person_id: None, channel: Channel::Cli, address: String::new() }
    }

    pub fn import() -> Actor {
        Actor { person_id: None, channel: Channel::Import, address: String::new() }
    }
}

const AUDIT_COLUMNS: [&str; 14] = [
    "id",
    "seq",
    "at",
    "person_id",
    "channel",
    "address",
    "entity_type",
    "entity_id",
    "entity_label",
    "operation",
    "before_json",
    "after_json",
    "after_elsewhere",
    "note",
];

/// One audit record to append (owned: gathered across many writes of an import).
pub(crate) struct AuditRow {
    pub kind: String,
    pub id: String,
    pub label: String,
    pub operation: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The after is not copied (see [`ENTRY_COLUMNS`]).
    pub after_elsewhere: bool,
    pub note: String,
}

/// The entity an audit record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityRef<'a> {
    /// `agenda`, `action`, `organization`, `person`, …
    pub kind: &'a str,
    pub id: &'a str,
    /// A readable name at the time of the change (the entity may later be renamed).
    pub label: &'a str,
}

/// A transaction that records what it writes. Dropping it without `commit` rolls back.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    actor: Actor,
    /// On SQLite, the last audit number once read: it has one writer at a time, so the next
    /// numbers are this transaction's to give (a long import does not ask again).
    last_seq: Option<i64>,
    pub(crate) backend: crate::Backend,
    /// Where the other instances are told of the write once it commits (PostgreSQL).
    pool: sqlx::AnyPool,
    /// Records of this transaction not written yet: a change of many records (a spreadsheet's
    /// 10,000 values) writes them [`AUDIT_BATCH`] at a time, not one statement each.
    pending_audit: Vec<AuditRow>,
}

/// How many audit records one statement writes at most (14 values each: within both
/// databases' limits on bound values).
const AUDIT_BATCH: usize = 500;

impl Store {
    /// Starts a write, counted first (see [`crate::count_write`]). On PostgreSQL writers run
    /// at once: what must not (numbering a parent's list) takes turns per parent, see
    /// [`WriteTx::next_in`].
    pub async fn begin_write(&self, actor: &Actor) -> Result<WriteTx> {
        let mut tx = self.pool.begin().await?;
        crate::count_write(&mut tx).await?;
        Ok(WriteTx {
            tx,
            actor: actor.clone(),
            last_seq: None,
            backend: self.backend,
            pool: self.pool.clone(),
            pending_audit: Vec::new(),
        })
    }
}

impl WriteTx {
    /// Appends one audit record.
    pub async fn record(
        &mut self,
        entity: EntityRef<'_>,
        operation: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
        note: &str,
    ) -> Result<()> {
        let row = AuditRow {
            kind: entity.kind.to_string(),
            id: entity.id.to_string(),
            label: entity.label.to_string(),
            operation: operation.to_string(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            after_elsewhere: false,
            note: note.to_string(),
        };
        self.pending_audit.push(row);
        if self.pending_audit.len() >= AUDIT_BATCH {
            self.write_pending_audit().await?;
        }
        Ok(())
    }

    /// Appends audit records in one statement, after those recorded before, numbered in order.
    pub(crate) async fn record_rows(&mut self, rows: Vec<AuditRow>) -> Result<()> {
        self.write_pending_audit().await?;
        self.insert_audit(rows).await
    }

    async fn write_pending_audit(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.pending_audit);
        self.insert_audit(rows).await
    }

    async fn insert_audit(&mut self, rows: Vec<AuditRow>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let numbers = self.audit_numbers(rows.len() as i64).await?;
        let at = crate::now();
        let values = rows
            .into_iter()
            .zip(numbers)
            .map(|(r, seq)| {
                columns![
                    "id" => new_id(),
                    "seq" => seq,
                    "at" => at.clone(),
                    "person_id" => self.actor.person_id.clone(),
                    "channel" => self.actor.channel.code(),
                    "address" => self.actor.address.clone(),
                    "entity_type" => r.kind,
                    "entity_id" => r.id,
                    "entity_label" => r.label,
                    "operation" => r.operation,
                    "before_json" => r.before,
                    "after_json" => r.after,
                    "after_elsewhere" => r.after_elsewhere as i64,
                    "note" => r.note,
                ]
                .into_iter()
                .map(|(_, v)| v)
                .collect()
            })
            .collect();
        self.execute(Sql::insert_rows("audit_log", &AUDIT_COLUMNS, values)).await
    }

    /// Numbers for `count` new audit records, in order. PostgreSQL's writers run at once, so
    /// they draw them from a sequence; SQLite's one writer counts on from the highest.
    async fn audit_numbers(&mut self, count: i64) -> Result<Vec<i64>> {
        if self.backend == crate::Backend::Postgres {
            let mut draw = Sql::new("SELECT nextval('audit_log_seq') AS seq FROM generate_series(1, ");
            draw.bind(count).push(") ORDER BY seq");
            let rows = draw.query().fetch_all(&mut *self.tx).await?;
            return rows.iter().map(|r| col(r, "seq")).collect();
        }
        let last = match self.last_seq {
            Some(last) => last,
            None => col(
                &sqlx::query("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS seq FROM audit_log")
                    .fetch_one(&mut *self.tx)
                    .await?,
                "seq",
            )?,
        };
        self.last_seq = Some(last + count);
        Ok((last + 1..=last + count).collect())
    }

    /// The next number (or position) in a parent's list: the highest plus one. Two writers
    /// adding to the same parent take turns here (on PostgreSQL, a lock on the parent's key
    /// until commit; SQLite has one writer at a time); writers to other parents do not wait.
    /// `table`, `column` and `parent_column` are ours, never user input.
    pub(crate) async fn next_in(
        &mut self,
        table: &str,
        column: &str,
        parent_column: &str,
        parent: &str,
    ) -> Result<i64> {
        self.take_turns_on(table, parent_column, parent).await?;
        let mut next = Sql::new(&format!(
            "SELECT CAST(COALESCE(MAX({column}), 0) + 1 AS BIGINT) AS n FROM {table} WHERE {parent_column} = "
        ));
        next.bind(parent);
        col(&next.query().fetch_one(&mut *self.tx).await?, "n")
    }

    /// Waits until no other transaction is adding to the list of `parent` in `table`, and keeps
    /// the others waiting until this one ends: on PostgreSQL, a lock on that key until commit;
    /// SQLite has one writer at a time already.
    pub(crate) async fn take_turns_on(&mut self, table: &str, parent_column: &str, parent: &str) -> Result<()> {
        if self.backend == crate::Backend::Postgres {
            let mut lock = Sql::new("SELECT pg_advisory_xact_lock(hashtextextended(");
            lock.bind(format!("{table}.{parent_column}={parent}")).push(", 0))");
            lock.query().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Runs a statement built with [`Sql`] in this transaction, with the placeholders its
    /// database binds fastest (see [`Sql::for_backend`]): what many-row writes go through.
    pub(crate) async fn execute(&mut self, sql: Sql) -> Result<()> {
        sql.for_backend(self.backend).query().execute(&mut *self.tx).await?;
        Ok(())
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub async fn commit(mut self) -> Result<()> {
        self.write_pending_audit().await?;
        self.tx.commit().await?;
        if self.backend == crate::Backend::Postgres {
            crate::tell_instances(&self.pool).await;
        }
        Ok(())
    }
}

/// One audit record, as shown in Cronologia and the log search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub person_id: Option<String>,
    /// The person's name now (or empty for the CLI; closed accounts show as closed).
    pub person_name: String,
    pub channel: Channel,
    pub address: String,
    pub entity_type: String,
    pub entity_id: String,
    pub entity_label: String,
    pub operation: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub note: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Entries matching the filter, in all pages.
    pub total: i64,
    /// The `before` of the next, older page, if there is one.
    pub older: Option<i64>,
}

/// Criteria of the administrators' log search; every field optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of a person's name or email.
    pub person: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive dates, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The columns of an [`AuditEntry`]. The after of a directory service's record is not copied
/// (their documents are large, and an import writes 100,000): a document that changed again is
/// the before of the entity's next record, one that did not is the service's current document.
/// Every change to a service document is recorded in its transaction, so the chain has no gap.
const ENTRY_COLUMNS: &str =
    "SELECT l.seq, l.at, l.person_id, COALESCE(p.name, '') AS person_name, l.channel, l.address, \
    l.entity_type, l.entity_id, l.entity_label, l.operation, l.before_json, \
    CASE WHEN l.after_elsewhere = 1 THEN COALESCE(\
      (SELECT n.before_json FROM audit_log n WHERE n.entity_type = l.entity_type AND n.entity_id = l.entity_id \
       AND n.seq > l.seq AND n.before_json IS NOT NULL ORDER BY n.seq LIMIT 1), \
      (SELECT s.document FROM directory_services s WHERE l.entity_type = 'service' AND s.id = l.entity_id)) \
    ELSE l.after_json END AS after_json, l.note \
    FROM audit_log l LEFT JOIN people p ON p.id = l.person_id WHERE 1 = 1";

fn entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(from_row!(r, AuditEntry {
        seq, at, person_id, person_name, address, entity_type, entity_id, entity_label, operation, before_json,
        after_json, note;
        channel: code(r, "channel")?,
    }))
}

impl AuditFilter {
    fn apply(&self, sql: &mut Sql) {
        if let Some(person) = &self.person {
            crate::read::push_contains(sql, &["p.name", "p.email"], person);
        }
        if let Some(kind) = &self.entity_type {
            sql.push(" AND l.entity_type = ").bind(kind.as_str());
        }
        if let Some(id) = &self.entity_id {
            sql.push(" AND l.entity_id = ").bind(id.as_str());
        }
        if let Some(from) = &self.from {
            sql.push(" AND l.at >= ").bind(from.as_str());
        }
        if let Some(to) = &self.to {
            // Timestamps are RFC 3339 strings: everything on day `to` sorts before `to` + "U".
            sql.push(" AND l.at < ").bind(format!("{to}U"));
        }
    }
}

impl Store {
    /// The history of one entity, newest first.
    pub async fn history(&self, entity_type: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        let filter = AuditFilter {
            entity_type: Some(entity_type.into()),
            entity_id: Some(entity_id.into()),
            ..Default::default()
        };
        Ok(self.search_audit(&filter, None, 500).await?.items)
    }

    /// The history of an agenda and of everything in it (its objectives, actions and their
    /// indicators), newest first: what a coordinator reads to know what changed in the plan.
    pub async fn agenda_history(&self, agenda_id: &str) -> Result<Vec<AuditEntry>> {
        let mut sql = Sql::new(ENTRY_COLUMNS);
        sql.push(" AND ((l.entity_type = 'agenda' AND l.entity_id = ")
            .bind(agenda_id)
            .push(") OR (l.entity_type = 'objective' AND l.entity_id IN (SELECT id FROM objectives WHERE agenda_id = ")
            .bind(agenda_id)
            .push(")) OR (l.entity_type = 'action' AND l.entity_id IN (SELECT id FROM actions WHERE agenda_id = ")
            .bind(agenda_id)
            .push(
                ")) OR (l.entity_type = 'indicator' AND l.entity_id IN (SELECT i.id FROM indicators i \
                JOIN expected_results r ON r.id = i.result_id JOIN actions a ON a.id = r.action_id WHERE a.agenda_id = ",
            )
            .bind(agenda_id)
            .push("))) ORDER BY l.seq DESC LIMIT 500");
        sql.map_all(&self.pool, entry).await
    }

    /// The log, filtered, newest first: `limit` entries older than the entry `before` (a
    /// sequence number; none: from the newest). The log only grows, so it is read from a key,
    /// never by skipping rows: a page deep in it costs what the first one does.
    pub async fn search_audit(&self, filter: &AuditFilter, before: Option<i64>, limit: i64) -> Result<AuditPage> {
        let mut count = Sql::new(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log l LEFT JOIN people p ON p.id = l.person_id WHERE 1 = 1",
        );
        filter.apply(&mut count);
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        let mut sql = Sql::new(ENTRY_COLUMNS);
        filter.apply(&mut sql);
        if let Some(before) = before {
            sql.push(" AND l.seq < ").bind(before);
        }
        // One more than asked: whether there is an older page.
        sql.push(" ORDER BY l.seq DESC LIMIT ").bind(limit + 1);
        let mut items = sql.map_all(&self.pool, entry).await?;
        let older = match items.len() as i64 > limit {
            true => {
                items.truncate(limit as usize);
                items.last().map(|e| e.seq)
            }
            false => None,
        };
        Ok(AuditPage { items, total, older })
    }
}
