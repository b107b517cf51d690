//! Organisations' representatives in a Community Lab (see migration 0030).

use agio_domain::lab::{Representation, RepresentationEdit};
use agio_domain::RepresentationStatus;
use sqlx::any::AnyRow;

use super::{Editable, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

const REPRESENTATION: &str = "SELECT r.id, p.name AS person, o.name AS organization, o.slug AS organization_slug, \
     r.role, r.status, r.created_at, r.version FROM lab_representatives r \
     JOIN people p ON p.id = r.person_id JOIN organizations o ON o.id = r.organization_id WHERE r.process_id = ";

fn representation(r: &AnyRow) -> Result<Representation> {
    Ok(from_row!(r, Representation {
        id, person, organization, organization_slug, role, created_at, version;
        status: code(r, "status")?,
    }))
}

impl Store {
    /// The process's requests, those waiting first, then by date.
    pub async fn lab_representations(&self, process_id: &str) -> Result<Vec<Representation>> {
        let mut sql = Sql::new(REPRESENTATION);
        sql.bind(process_id).push(" ORDER BY CASE r.status WHEN 'pending' THEN 0 ELSE 1 END, r.created_at, o.name");
        sql.map_all(&self.pool, representation).await
    }

    /// The requests `person` made in the process.
    pub async fn lab_representations_of(&self, process_id: &str, person_id: &str) -> Result<Vec<Representation>> {
        let mut sql = Sql::new(REPRESENTATION);
        sql.bind(process_id).push(" AND r.person_id = ").bind(person_id).push(" ORDER BY o.name");
        sql.map_all(&self.pool, representation).await
    }
}

impl WriteTx {
    /// Asks, for `person`, to take part for an organisation (by slug); it waits for the
    /// coordinators. A second request for the same organisation breaks the table's key (409).
    pub async fn request_representation(
        &mut self,
        process_id: &str,
        person_id: &str,
        edit: &RepresentationEdit,
    ) -> Result<()> {
        let mut org = Sql::new("SELECT id FROM organizations WHERE slug = ");
        org.bind(edit.organization.as_str());
        let organization_id = org.map_one(&mut *self.tx, |r| col::<String>(r, "id")).await?;
        let (id, at) = (new_id(), now());
        let insert = Sql::insert(
            "lab_representatives",
            columns![
                "id" => id.clone(), "process_id" => process_id, "person_id" => person_id,
                "organization_id" => organization_id, "role" => edit.role.clone(),
                "status" => RepresentationStatus::Pending.code(), "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        let label = edit.organization.clone();
        self.create_record(vec![insert], EntityRef { kind: "lab_representative", id: &id, label: &label }, edit).await
    }

    /// The coordinators' decision on a request, from the version they read.
    pub async fn decide_representation(
        &mut self,
        request: &Representation,
        status: RepresentationStatus,
        expected_version: i64,
    ) -> Result<Saved<serde_json::Value>> {
        let label = format!("{} — {}", request.person, request.organization);
        let fields = serde_json::json!({ "status": request.status.code() });
        let before = Editable { id: request.id.clone(), label: label.clone(), version: request.version, fields };
        let values = columns!["status" => status.code(), "decided_at" => now()];
        let entity = EntityRef { kind: "lab_representative", id: &request.id, label: &label };
        let after = serde_json::json!({ "status": status.code() });
        self.update_versioned("lab_representatives", &before, &after, expected_version, values, entity).await
    }
}
