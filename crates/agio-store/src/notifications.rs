//! Who gets the Community Lab's e-mails: every kind is on unless the person turned it off, and
//! closed accounts get none.

use agio_domain::Notification;

use crate::audit::{EntityRef, WriteTx};
use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{Result, Store};

/// Someone to write to: (e-mail, display name).
pub type Recipient = (String, String);

impl Store {
    /// The kinds `person` turned off.
    pub async fn notifications_off(&self, person: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT kind FROM notification_opt_outs WHERE person_id = ");
        sql.bind(person).push(" ORDER BY kind");
        sql.map_all(&self.pool, |r| col(r, "kind")).await
    }

    /// Those of `people` who take `kind` of e-mail, with an open account.
    pub async fn recipients(&self, people: &[String], kind: Notification) -> Result<Vec<Recipient>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT p.email, p.name FROM people p WHERE p.closed_at IS NULL AND p.id IN (");
        sql.bind_list(people.iter().cloned());
        sql.push(") AND NOT EXISTS (SELECT 1 FROM notification_opt_outs o WHERE o.person_id = p.id AND o.kind = ");
        sql.bind(kind.code()).push(") ORDER BY p.email");
        sql.map_all(&self.pool, |r| Ok((col(r, "email")?, col(r, "name")?))).await
    }

    /// Those with a place (a seat or the waiting list) at a meeting.
    pub async fn meeting_people(&self, meeting_id: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT person_id FROM lab_meeting_registrations WHERE meeting_id = ");
        sql.bind(meeting_id);
        sql.map_all(&self.pool, |r| col(r, "person_id")).await
    }
}

impl WriteTx {
    /// Makes `off` the kinds `person` does not want.
    pub async fn set_notifications_off(&mut self, person: &str, label: &str, off: &[Notification]) -> Result<()> {
        let mut clear = Sql::new("DELETE FROM notification_opt_outs WHERE person_id = ");
        clear.bind(person);
        let mut statements = vec![clear];
        statements.extend(
            off.iter()
                .map(|k| Sql::insert("notification_opt_outs", columns!["person_id" => person, "kind" => k.code()])),
        );
        self.run(statements).await?;
        let after = serde_json::json!({ "notifications_off": off.iter().map(|k| k.code()).collect::<Vec<_>>() });
        self.record(EntityRef { kind: "person", id: person, label }, "update", None, Some(&after), "").await
    }
}
