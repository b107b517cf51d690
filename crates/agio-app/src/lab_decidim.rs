//! The Decidim source of an agenda: its coordinators name the instance and the process; an
//! import reads them (the host does the reading, through `agio-decidim`) and keeps what it read,
//! all or nothing. Anyone who may read the agenda sees what was imported.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::decidim::{DecidimImport, DecidimSnapshot, DecidimSource, DecidimSourceEdit, SyncReport};
use agio_domain::edit::Reader;
use agio_store::{decidim_source_for_edit, Actor, Editable, Saved, WriteTx};

use crate::editors::{facts, Editor};
use crate::{require, Context, Error};

/// What the agenda's Decidim source has imported, for `who`.
pub async fn import_of(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(AgendaFacts, DecidimImport), Error> {
    let facts = facts(ctx, slug).await?;
    require(who, Operation::ReadDraft, &Target::Agenda(&facts))?;
    let import = ctx.store().decidim_import(&facts.agenda_id).await?.ok_or(Error::NotFound)?;
    Ok((facts, import))
}

/// The source to import from, when `who` may import it.
pub async fn source_to_import(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(AgendaFacts, DecidimSource), Error> {
    let facts = facts(ctx, slug).await?;
    require(who, Operation::Edit, &Target::Agenda(&facts))?;
    let nothing_to_import = Error::Refused(agio_domain::lab::Refusal::NoDecidimSource);
    let source = ctx.store().decidim_source(&facts.agenda_id).await?.ok_or(nothing_to_import)?;
    Ok((facts, source))
}

/// Keeps what an import read, or notes why it failed (`code`, `detail`); what earlier imports
/// read stays either way.
pub async fn record_import(
    ctx: &impl Context,
    actor: &Actor,
    source: &DecidimSource,
    outcome: Result<DecidimSnapshot, (&str, String)>,
) -> Result<Result<SyncReport, (String, String)>, Error> {
    let mut w = ctx.store().begin_write(actor).await?;
    let result = match outcome {
        Ok(snapshot) => Ok(w.apply_decidim_snapshot(source, &snapshot).await?),
        Err((code, detail)) => {
            w.record_decidim_failure(source, code, &detail).await?;
            Err((code.to_string(), detail))
        }
    };
    w.commit().await?;
    ctx.after_write().await?;
    Ok(result)
}

/// The agenda's Decidim source: a new one (`stored.id` empty) or one to point elsewhere.
pub struct DecidimSourceEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub stored: Editable<DecidimSourceEdit>,
    /// The instances this platform may read from (its configuration).
    pub allowed_hosts: Vec<String>,
}

impl DecidimSourceEditor {
    pub async fn load(ctx: &impl Context, slug: &str, allowed_hosts: &[String]) -> Result<DecidimSourceEditor, Error> {
        let facts = facts(ctx, slug).await?;
        let stored = match ctx.store().decidim_source(&facts.agenda_id).await? {
            Some(source) => decidim_source_for_edit(&source),
            None => Editable {
                id: String::new(),
                label: String::new(),
                version: 0,
                fields: DecidimSourceEdit { instance_url: String::new(), process_slug: String::new() },
            },
        };
        Ok(DecidimSourceEditor { slug: slug.into(), facts, stored, allowed_hosts: allowed_hosts.to_vec() })
    }

    pub fn is_new(&self) -> bool {
        self.stored.id.is_empty()
    }
}

impl Editor for DecidimSourceEditor {
    type Fields = DecidimSourceEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<DecidimSourceEdit> {
        DecidimSourceEdit::read(reader, &self.allowed_hosts)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &DecidimSourceEdit,
        version: i64,
    ) -> agio_store::Result<Saved<DecidimSourceEdit>> {
        if self.is_new() {
            w.create_decidim_source(&self.facts.agenda_id, fields, false).await?;
            return Ok(Saved::Done { version: 1 });
        }
        w.update_decidim_source(&self.stored, fields, version).await
    }

    fn current(&self) -> (&DecidimSourceEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}
