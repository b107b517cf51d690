//! The Community Lab's meetings: the working day, open meetings and negotiation tables; their
//! registrations with a capacity and a waiting list, attendance, minutes, and the ideas
//! discussed.

use agio_domain::document::Document;
use agio_domain::lab::{AttendanceEdit, IdeaRef, Meeting, MeetingEdit, MeetingSummary, Registration};
use agio_domain::Seat;
use sqlx::any::AnyRow;

use super::{json_codes, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, codes, col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

const MEETING: &str = "SELECT m.id, m.number, m.kind, m.title, m.date, m.starts, m.ends, m.place, m.online_url, \
     m.capacity, m.agenda, m.minutes, m.decisions, m.members, m.is_demo, m.version, \
     (SELECT COUNT(*) FROM lab_meeting_registrations r WHERE r.meeting_id = m.id AND r.seat = 'registered') AS registered, \
     (SELECT COUNT(*) FROM lab_meeting_registrations r WHERE r.meeting_id = m.id AND r.seat = 'waiting') AS waiting, \
     (SELECT COUNT(*) FROM lab_meeting_registrations r WHERE r.meeting_id = m.id AND r.attended = 1) AS attended \
     FROM lab_meetings m";

fn summary(r: &AnyRow) -> Result<MeetingSummary> {
    Ok(from_row!(r, MeetingSummary {
        number, title, date, starts, ends, place, online_url, capacity;
        kind: code(r, "kind")?,
        registered: col::<i64>(r, "registered")?,
        waiting: col::<i64>(r, "waiting")?,
        attended: col::<i64>(r, "attended")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

fn edit_of(m: &Meeting) -> MeetingEdit {
    let s = &m.summary;
    MeetingEdit {
        kind: s.kind,
        title: s.title.clone(),
        date: s.date.clone(),
        starts: s.starts.clone(),
        ends: s.ends.clone(),
        place: s.place.clone(),
        online_url: s.online_url.clone(),
        agenda: m.agenda.clone(),
        capacity: s.capacity,
        minutes: m.minutes.clone(),
        decisions: m.decisions.clone(),
        members: m.members.clone(),
        ideas: m.ideas.iter().map(|i| i.number.to_string()).collect(),
    }
}

/// A meeting as its form edits it.
pub fn meeting_for_edit(m: &Meeting) -> Editable<MeetingEdit> {
    Editable { id: m.id.clone(), label: m.summary.title.clone(), version: m.version, fields: edit_of(m) }
}

fn columns_of(edit: &MeetingEdit) -> Vec<(&'static str, crate::sql::Value)> {
    columns![
        "kind" => edit.kind.code(), "title" => edit.title.clone(), "date" => edit.date.clone(),
        "starts" => edit.starts.clone(), "ends" => edit.ends.clone(), "place" => edit.place.clone(),
        "online_url" => edit.online_url.clone(), "agenda" => edit.agenda.clone(), "capacity" => edit.capacity,
        "minutes" => edit.minutes.clone(), "decisions" => edit.decisions.clone(),
        "members" => json_codes(&edit.members),
    ]
}

impl Store {
    /// The process's meetings, by date.
    pub async fn lab_meetings(&self, process_id: &str) -> Result<Vec<MeetingSummary>> {
        let mut sql = Sql::new(&format!("{MEETING} WHERE m.process_id = "));
        sql.bind(process_id).push(" ORDER BY m.date, m.starts, m.number");
        sql.map_all(&self.pool, summary).await
    }

    /// Meeting `number` of the process, with the ideas discussed.
    pub async fn lab_meeting(&self, process_id: &str, number: i64) -> Result<Option<Meeting>> {
        let mut sql = Sql::new(&format!("{MEETING} WHERE m.process_id = "));
        sql.bind(process_id).push(" AND m.number = ").bind(number);
        let Some(mut meeting) = sql
            .map_optional(&self.pool, |r| {
                Ok(from_row!(r, Meeting {
                    id, agenda, minutes, decisions, version;
                    summary: summary(r)?,
                    members: codes(r, "members")?,
                    ideas: Vec::new(),
                    documents: Vec::new(),
                }))
            })
            .await?
        else {
            return Ok(None);
        };
        let mut ideas = Sql::new(
            "SELECT i.number, i.title FROM lab_meeting_ideas x JOIN lab_ideas i ON i.id = x.idea_id WHERE x.meeting_id = ",
        );
        ideas.bind(meeting.id.clone()).push(" ORDER BY i.number");
        meeting.ideas = ideas.map_all(&self.pool, |r| Ok(from_row!(r, IdeaRef { number, title }))).await?;
        let mut documents =
            Sql::new("SELECT id, name, content_type, size, created_at FROM lab_meeting_documents WHERE meeting_id = ");
        documents.bind(meeting.id.clone()).push(" ORDER BY created_at, name");
        meeting.documents = documents
            .map_all(&self.pool, |r| Ok(from_row!(r, Document { id, name, content_type, size, created_at })))
            .await?;
        Ok(Some(meeting))
    }

    /// A document of a meeting, with its bytes.
    pub async fn lab_meeting_document(&self, meeting_id: &str, id: &str) -> Result<Option<(Document, Vec<u8>)>> {
        let mut sql = Sql::new(
            "SELECT id, name, content_type, size, created_at, data FROM lab_meeting_documents WHERE meeting_id = ",
        );
        sql.bind(meeting_id).push(" AND id = ").bind(id);
        sql.map_optional(&self.pool, |r| {
            Ok((from_row!(r, Document { id, name, content_type, size, created_at }), col(r, "data")?))
        })
        .await
    }

    /// The meetings where an idea was discussed: (number, title, date).
    pub async fn lab_meetings_of_idea(&self, idea_id: &str) -> Result<Vec<(i64, String, String)>> {
        let mut sql = Sql::new(
            "SELECT m.number, m.title, m.date FROM lab_meeting_ideas x JOIN lab_meetings m ON m.id = x.meeting_id \
             WHERE x.idea_id = ",
        );
        sql.bind(idea_id).push(" ORDER BY m.date, m.number");
        sql.map_all(&self.pool, |r| Ok((col(r, "number")?, col(r, "title")?, col(r, "date")?))).await
    }

    /// Where `person` stands for the meeting, if registered.
    pub async fn lab_registration(&self, meeting_id: &str, person: &str) -> Result<Option<Registration>> {
        let mut sql = Sql::new("SELECT seat, created_at FROM lab_meeting_registrations WHERE meeting_id = ");
        sql.bind(meeting_id).push(" AND person_id = ").bind(person);
        let Some((seat, at)) =
            sql.map_optional(&self.pool, |r| Ok((code::<Seat>(r, "seat")?, col::<String>(r, "created_at")?))).await?
        else {
            return Ok(None);
        };
        let waiting_at = match seat {
            Seat::Waiting => {
                let mut ahead = Sql::new(
                    "SELECT COUNT(*) AS n FROM lab_meeting_registrations WHERE seat = 'waiting' AND meeting_id = ",
                );
                ahead.bind(meeting_id).push(" AND (created_at < ").bind(at.clone());
                ahead.push(" OR (created_at = ").bind(at).push(" AND person_id < ").bind(person).push("))");
                Some(col::<i64>(&ahead.fetch_one(&self.pool).await?, "n")? + 1)
            }
            Seat::Registered => None,
        };
        Ok(Some(Registration { seat, waiting_at }))
    }

    /// Those with a seat, for the attendance form: (person id, display name), and who came.
    pub async fn lab_attendance(&self, meeting_id: &str) -> Result<(Vec<(String, String)>, Vec<String>)> {
        let mut sql = Sql::new(
            "SELECT r.person_id, p.name, r.attended FROM lab_meeting_registrations r JOIN people p ON p.id = r.person_id \
             WHERE r.seat = 'registered' AND r.meeting_id = ",
        );
        sql.bind(meeting_id).push(" ORDER BY p.name, r.person_id");
        let rows = sql
            .map_all(&self.pool, |r| {
                Ok((col::<String>(r, "person_id")?, col::<String>(r, "name")?, flag(r, "attended")?))
            })
            .await?;
        let came = rows.iter().filter(|(_, _, came)| *came).map(|(id, _, _)| id.clone()).collect();
        Ok((rows.into_iter().map(|(id, name, _)| (id, name)).collect(), came))
    }
}

impl WriteTx {
    /// Adds a document to a meeting (`meeting`: its id and title) under a name made safe, with
    /// the type its kind is served as; returns its id.
    pub async fn add_meeting_document(
        &mut self,
        meeting: (&str, &str),
        name: &str,
        content_type: &str,
        data: Vec<u8>,
    ) -> Result<String> {
        let (id, size) = (new_id(), data.len() as i64);
        let insert = Sql::insert(
            "lab_meeting_documents",
            columns![
                "id" => id.clone(), "meeting_id" => meeting.0, "name" => name, "content_type" => content_type,
                "size" => size, "data" => data, "created_at" => now(),
            ],
        );
        self.run(vec![insert]).await?;
        let entity = EntityRef { kind: "lab_meeting", id: meeting.0, label: meeting.1 };
        let after = serde_json::json!({ "document": name });
        self.record(entity, "add_document", None, Some(&after), "").await?;
        Ok(id)
    }

    /// Removes a document of a meeting; false when it has no such document.
    pub async fn remove_meeting_document(&mut self, meeting: &Meeting, document: &Document) -> Result<bool> {
        let mut gone = Sql::new("DELETE FROM lab_meeting_documents WHERE meeting_id = ");
        gone.bind(meeting.id.clone()).push(" AND id = ").bind(document.id.clone());
        if gone.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let entity = EntityRef { kind: "lab_meeting", id: &meeting.id, label: &meeting.summary.title };
        let before = serde_json::json!({ "document": document.name });
        self.record(entity, "remove_document", Some(&before), None, "").await?;
        Ok(true)
    }

    /// Adds a meeting to the process; returns its number.
    pub async fn create_meeting(
        &mut self,
        process_id: &str,
        edit: &MeetingEdit,
        idea_ids: &[String],
        is_demo: bool,
    ) -> Result<i64> {
        let number = self.next_in("lab_meetings", "number", "process_id", process_id).await?;
        let (id, at) = (new_id(), now());
        let mut values = columns_of(edit);
        values.extend(columns![
            "id" => id.clone(), "process_id" => process_id, "number" => number, "is_demo" => is_demo as i64,
            "created_at" => at.clone(), "updated_at" => at,
        ]);
        let mut statements = vec![Sql::insert("lab_meetings", values)];
        statements.extend(link_ideas(&id, idea_ids));
        self.create_record(statements, EntityRef { kind: "lab_meeting", id: &id, label: &edit.title }, edit).await?;
        Ok(number)
    }

    pub async fn update_meeting(
        &mut self,
        before: &Editable<MeetingEdit>,
        edit: &MeetingEdit,
        idea_ids: &[String],
        expected_version: i64,
    ) -> Result<Saved<MeetingEdit>> {
        let mut statements = vec![Sql::update("lab_meetings", columns_of(edit), &before.id)];
        statements.extend(link_ideas(&before.id, idea_ids));
        let entity = EntityRef { kind: "lab_meeting", id: &before.id, label: &before.label };
        let guard = Guard { table: "lab_meetings", id: &before.id, expected: expected_version };
        self.versioned_update(guard, before.fields.clone(), statements, Audit::update(entity, &before.fields, edit))
            .await
    }

    /// Registers `person`: a seat while there is one, else the waiting list. None when already
    /// registered (the primary key decides, so a double click registers once).
    pub async fn register_for_meeting(
        &mut self,
        meeting_id: &str,
        capacity: Option<i64>,
        person: &str,
    ) -> Result<Option<Seat>> {
        // Seats are counted, then taken: two registrations at once take turns on the meeting.
        self.take_turns_on("lab_meeting_registrations", "meeting_id", meeting_id).await?;
        let mut taken =
            Sql::new("SELECT COUNT(*) AS n FROM lab_meeting_registrations WHERE seat = 'registered' AND meeting_id = ");
        taken.bind(meeting_id);
        let taken: i64 = col(&taken.query().fetch_one(&mut *self.tx).await?, "n")?;
        let seat = match capacity {
            Some(seats) if taken >= seats => Seat::Waiting,
            _ => Seat::Registered,
        };
        let mut insert = Sql::insert(
            "lab_meeting_registrations",
            columns!["meeting_id" => meeting_id, "person_id" => person, "seat" => seat.code(), "created_at" => now()],
        );
        insert.push(" ON CONFLICT DO NOTHING");
        let added = insert.query().execute(&mut *self.tx).await?.rows_affected() == 1;
        Ok(added.then_some(seat))
    }

    /// Cancels `person`'s registration; a seat they free goes to the first waiting. False when
    /// they were not registered.
    pub async fn cancel_meeting_registration(&mut self, meeting_id: &str, person: &str) -> Result<bool> {
        self.take_turns_on("lab_meeting_registrations", "meeting_id", meeting_id).await?;
        let mut seat = Sql::new("SELECT seat FROM lab_meeting_registrations WHERE meeting_id = ");
        seat.bind(meeting_id).push(" AND person_id = ").bind(person);
        let Some(seat) = seat.map_optional(&mut *self.tx, |r| code::<Seat>(r, "seat")).await? else {
            return Ok(false);
        };
        let mut delete = Sql::new("DELETE FROM lab_meeting_registrations WHERE meeting_id = ");
        delete.bind(meeting_id).push(" AND person_id = ").bind(person);
        let mut statements = vec![delete];
        if seat == Seat::Registered {
            let mut promote = Sql::new("UPDATE lab_meeting_registrations SET seat = 'registered' WHERE meeting_id = ");
            promote.bind(meeting_id).push(" AND person_id = (SELECT person_id FROM lab_meeting_registrations WHERE seat = 'waiting' AND meeting_id = ");
            promote.bind(meeting_id).push(" ORDER BY created_at, person_id LIMIT 1)");
            statements.push(promote);
        }
        self.run(statements).await?;
        Ok(true)
    }

    /// Records who came, among those with a seat.
    pub async fn record_attendance(
        &mut self,
        meeting: &Editable<AttendanceEdit>,
        edit: &AttendanceEdit,
        expected_version: i64,
    ) -> Result<Saved<AttendanceEdit>> {
        let mut none = Sql::new("UPDATE lab_meeting_registrations SET attended = 0 WHERE meeting_id = ");
        none.bind(meeting.id.clone());
        let mut statements = vec![none];
        if !edit.attended.is_empty() {
            let mut came = Sql::new(
                "UPDATE lab_meeting_registrations SET attended = 1 WHERE seat = 'registered' AND meeting_id = ",
            );
            came.bind(meeting.id.clone())
                .push(" AND person_id IN (")
                .bind_list(edit.attended.iter().cloned())
                .push(")");
            statements.push(came);
        }
        // Who came is personal: the audit keeps how many.
        let count = |e: &AttendanceEdit| serde_json::json!({ "attended": e.attended.len() });
        let entity = EntityRef { kind: "lab_meeting", id: &meeting.id, label: &meeting.label };
        let audit = Audit::of(vec![(entity, "update")], &count(&meeting.fields), &count(edit));
        let guard = Guard { table: "lab_meetings", id: &meeting.id, expected: expected_version };
        self.versioned_update(guard, meeting.fields.clone(), statements, audit).await
    }
}

/// The statements that make `idea_ids` the ideas discussed at the meeting.
fn link_ideas(meeting_id: &str, idea_ids: &[String]) -> Vec<Sql> {
    let mut clear = Sql::new("DELETE FROM lab_meeting_ideas WHERE meeting_id = ");
    clear.bind(meeting_id);
    let mut statements = vec![clear];
    if !idea_ids.is_empty() {
        let rows = idea_ids.iter().map(|idea| vec![meeting_id.into(), idea.clone().into()]).collect();
        statements.push(Sql::insert_rows("lab_meeting_ideas", &["meeting_id", "idea_id"], rows));
    }
    statements
}
