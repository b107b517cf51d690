//! The Community Lab's collaboration pacts: the coordinators record them (parties, object,
//! commitments, duration, reporting dates, the action they carry out), move their status
//! (proposed, signed, concluded) and add their reports over time.

use std::sync::Mutex;

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::Reader;
use agio_domain::lab::{Pact, PactEdit, PactReportEdit, Process};
use agio_domain::PactStatus;
use agio_store::{pact_for_edit, Editable, Saved, WriteTx};

use crate::editors::Editor;
use crate::{require, Context, Error};

/// Pact `number` of the agenda's process, visible to `who`.
pub async fn pact(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    number: i64,
) -> Result<(AgendaFacts, Process, Pact), Error> {
    let (facts, process) = crate::lab::process(ctx, who, slug).await?;
    let pact = ctx.store().lab_pacts(&process.id).await?.into_iter().find(|p| p.number == number);
    Ok((facts, process, pact.ok_or(Error::NotFound)?))
}

/// A pact: a new one (`stored.id` empty) or one to edit.
pub struct PactEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    pub stored: Editable<PactEdit>,
    /// The agenda's actions: (code, id, title).
    pub actions: Vec<(String, String, String)>,
    /// The pact's number (or the new one's, once created).
    pub number: Mutex<Option<i64>>,
}

impl PactEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        number: Option<i64>,
    ) -> Result<PactEditor, Error> {
        let (facts, process) = crate::lab::process(ctx, who, slug).await?;
        let stored = match number {
            Some(n) => pact_for_edit(&pact(ctx, who, slug, n).await?.2),
            None => Editable {
                id: String::new(),
                label: String::new(),
                version: 0,
                fields: PactEdit {
                    title: String::new(),
                    object: String::new(),
                    good: String::new(),
                    parties: Vec::new(),
                    commitments: String::new(),
                    starts_on: None,
                    ends_on: None,
                    reporting_dates: Vec::new(),
                    status: PactStatus::Proposed,
                    action_code: None,
                },
            },
        };
        let actions = ctx.store().lab_action_choices(&facts.agenda_id).await?;
        Ok(PactEditor { slug: slug.into(), facts, process, stored, actions, number: Mutex::new(number) })
    }

    pub fn is_new(&self) -> bool {
        self.stored.id.is_empty()
    }

    pub fn number(&self) -> Option<i64> {
        *self.number.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn action_id(&self, fields: &PactEdit) -> Option<&str> {
        let code = fields.action_code.as_ref()?;
        self.actions.iter().find(|(c, _, _)| c == code).map(|(_, id, _)| id.as_str())
    }
}

impl Editor for PactEditor {
    type Fields = PactEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<PactEdit> {
        let codes: Vec<String> = self.actions.iter().map(|(code, _, _)| code.clone()).collect();
        PactEdit::read(reader, &codes)
    }

    async fn save(&self, w: &mut WriteTx, fields: &PactEdit, version: i64) -> agio_store::Result<Saved<PactEdit>> {
        let action = self.action_id(fields);
        if self.is_new() {
            let number = w.create_pact(&self.process.id, fields, action, false).await?;
            *self.number.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(number);
            return Ok(Saved::Done { version: 1 });
        }
        w.update_pact(&self.stored, fields, action, version).await
    }

    fn current(&self) -> (&PactEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// A new report on a pact.
pub struct PactReportEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub pact: Pact,
    pub stored: Editable<PactReportEdit>,
}

impl PactReportEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        number: i64,
    ) -> Result<PactReportEditor, Error> {
        let (facts, _, pact) = pact(ctx, who, slug, number).await?;
        let stored = Editable {
            id: pact.id.clone(),
            label: pact.title.clone(),
            version: pact.version,
            fields: PactReportEdit { date: String::new(), text: String::new() },
        };
        Ok(PactReportEditor { slug: slug.into(), facts, pact, stored })
    }
}

impl Editor for PactReportEditor {
    type Fields = PactReportEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<PactReportEdit> {
        PactReportEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &PactReportEdit,
        version: i64,
    ) -> agio_store::Result<Saved<PactReportEdit>> {
        w.add_pact_report(&self.stored, fields, version).await
    }

    fn current(&self) -> (&PactReportEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}
