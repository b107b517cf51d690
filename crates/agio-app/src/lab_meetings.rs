//! The Community Lab's meetings: the coordinators plan them (the working day, open meetings,
//! negotiation tables), people register — a seat while there is one, the waiting list after —
//! and after the meeting its minutes, decisions, attendance and the ideas discussed are
//! recorded, with its documents.

use std::sync::Mutex;

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::document::{self, DocumentProblem};
use agio_domain::edit::Reader;
use agio_domain::lab::{AttendanceEdit, Meeting, MeetingEdit, Process, Refusal};
use agio_domain::{MeetingKind, Seat};
use agio_store::{meeting_for_edit, Actor, Editable, Saved, WriteTx};

use crate::editors::Editor;
use crate::{require, Context, Error};

/// Meeting `number` of the agenda's process, visible to `who`.
pub async fn meeting(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    number: i64,
) -> Result<(AgendaFacts, Process, Meeting), Error> {
    let (facts, process) = crate::lab::process(ctx, who, slug).await?;
    let meeting = ctx.store().lab_meeting(&process.id, number).await?.ok_or(Error::NotFound)?;
    Ok((facts, process, meeting))
}

/// A meeting of the process: a new one (`stored.id` empty) or one to edit.
pub struct MeetingEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    pub stored: Editable<MeetingEdit>,
    /// The process's ideas: (number, id, title).
    pub ideas: Vec<(String, String, String)>,
    /// The number the meeting has (or got, once created).
    pub number: Mutex<Option<i64>>,
}

impl MeetingEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        number: Option<i64>,
    ) -> Result<MeetingEditor, Error> {
        let (facts, process) = crate::lab::process(ctx, who, slug).await?;
        let stored = match number {
            Some(n) => meeting_for_edit(&ctx.store().lab_meeting(&process.id, n).await?.ok_or(Error::NotFound)?),
            None => Editable {
                id: String::new(),
                label: String::new(),
                version: 0,
                fields: MeetingEdit {
                    kind: MeetingKind::Meeting,
                    title: String::new(),
                    date: String::new(),
                    starts: None,
                    ends: None,
                    place: None,
                    online_url: None,
                    agenda: String::new(),
                    capacity: None,
                    minutes: String::new(),
                    decisions: String::new(),
                    members: Vec::new(),
                    ideas: Vec::new(),
                },
            },
        };
        let titles = ctx.store().lab_idea_titles(&process.id).await?;
        let ideas = titles.into_iter().map(|(n, id, title)| (n.to_string(), id, title)).collect();
        Ok(MeetingEditor { slug: slug.into(), facts, process, stored, ideas, number: Mutex::new(number) })
    }

    pub fn is_new(&self) -> bool {
        self.stored.id.is_empty()
    }

    pub fn number(&self) -> Option<i64> {
        *self.number.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn idea_ids(&self, fields: &MeetingEdit) -> Vec<String> {
        self.ideas.iter().filter(|(n, _, _)| fields.ideas.contains(n)).map(|(_, id, _)| id.clone()).collect()
    }
}

impl Editor for MeetingEditor {
    type Fields = MeetingEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<MeetingEdit> {
        let numbers: Vec<String> = self.ideas.iter().map(|(n, _, _)| n.clone()).collect();
        MeetingEdit::read(reader, &numbers)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &MeetingEdit,
        version: i64,
    ) -> agio_store::Result<Saved<MeetingEdit>> {
        let ideas = self.idea_ids(fields);
        if self.is_new() {
            let number = w.create_meeting(&self.process.id, fields, &ideas, false).await?;
            *self.number.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(number);
            return Ok(Saved::Done { version: 1 });
        }
        w.update_meeting(&self.stored, fields, &ideas, version).await
    }

    fn current(&self) -> (&MeetingEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// Who came to a meeting, recorded by the coordinators among those with a seat.
pub struct AttendanceEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub meeting: Meeting,
    pub stored: Editable<AttendanceEdit>,
    /// Those with a seat: (person id, display name).
    pub registered: Vec<(String, String)>,
}

impl AttendanceEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        number: i64,
    ) -> Result<AttendanceEditor, Error> {
        let (facts, _, meeting) = meeting(ctx, who, slug, number).await?;
        let (registered, attended) = ctx.store().lab_attendance(&meeting.id).await?;
        let stored = Editable {
            id: meeting.id.clone(),
            label: meeting.summary.title.clone(),
            version: meeting.version,
            fields: AttendanceEdit { attended },
        };
        Ok(AttendanceEditor { slug: slug.into(), facts, meeting, stored, registered })
    }
}

impl Editor for AttendanceEditor {
    type Fields = AttendanceEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<AttendanceEdit> {
        let ids: Vec<String> = self.registered.iter().map(|(id, _)| id.clone()).collect();
        AttendanceEdit::read(reader, &ids)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &AttendanceEdit,
        version: i64,
    ) -> agio_store::Result<Saved<AttendanceEdit>> {
        w.record_attendance(&self.stored, fields, version).await
    }

    fn current(&self) -> (&AttendanceEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// Registers `who` for the meeting, or (`cancel`) takes their registration back, giving their
/// seat to the first waiting. The seat they got, if any. A meeting whose day is past takes
/// neither.
pub async fn register(
    ctx: &impl Context,
    who: &Principal,
    actor: &Actor,
    slug: &str,
    number: i64,
    today: &str,
    cancel: bool,
) -> Result<Option<Seat>, Error> {
    let (facts, _, meeting) = meeting(ctx, Some(who), slug, number).await?;
    require(Some(who), Operation::Participate, &Target::Agenda(&facts))?;
    if meeting.summary.date.as_str() < today {
        return Err(Error::Refused(Refusal::MeetingPast));
    }
    let mut w = ctx.store().begin_write(actor).await?;
    let seat = match cancel {
        true => {
            w.cancel_meeting_registration(&meeting.id, &who.person_id).await?;
            None
        }
        false => w.register_for_meeting(&meeting.id, meeting.summary.capacity, &who.person_id).await?,
    };
    w.commit().await?;
    ctx.after_write().await?;
    Ok(seat)
}

/// Adds a document to meeting `number` (the agenda's coordinators): refused, with the reason,
/// when empty, too large or not a kind a meeting takes.
pub async fn add_document(
    ctx: &impl Context,
    who: Option<&Principal>,
    actor: &Actor,
    slug: &str,
    number: i64,
    file_name: &str,
    data: Vec<u8>,
) -> Result<Result<String, DocumentProblem>, Error> {
    let (facts, _, meeting) = meeting(ctx, who, slug, number).await?;
    require(who, Operation::Edit, &Target::Agenda(&facts))?;
    let (name, content_type) = match document::checked(file_name, data.len()) {
        Ok(kind) => kind,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut w = ctx.store().begin_write(actor).await?;
    let id = w.add_meeting_document((&meeting.id, &meeting.summary.title), &name, content_type, data).await?;
    w.commit().await?;
    ctx.after_write().await?;
    Ok(Ok(id))
}

/// Removes document `id` of meeting `number` (the agenda's coordinators).
pub async fn remove_document(
    ctx: &impl Context,
    who: Option<&Principal>,
    actor: &Actor,
    slug: &str,
    number: i64,
    id: &str,
) -> Result<(), Error> {
    let (facts, _, meeting) = meeting(ctx, who, slug, number).await?;
    require(who, Operation::Edit, &Target::Agenda(&facts))?;
    let document = meeting.documents.iter().find(|d| d.id == id).ok_or(Error::NotFound)?;
    let mut w = ctx.store().begin_write(actor).await?;
    if !w.remove_meeting_document(&meeting, document).await? {
        return Err(Error::NotFound);
    }
    w.commit().await?;
    ctx.after_write().await?;
    Ok(())
}
