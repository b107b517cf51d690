//! The frameworks agendas serve (ADER, PNRR, SDGs) and their items, as the regional
//! administrator edits them; and which public agendas' objectives serve each item.

use agio_domain::edit::{FrameworkEdit, FrameworkTargetEdit};
use agio_domain::model::{Framework, FrameworkItem};
use serde::Serialize;

use super::{Editable, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{codes, col, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

/// An objective of a public agenda with the framework items it serves, and the district its
/// agenda belongs to (none for a regional agenda).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLink {
    pub agenda_slug: String,
    pub agenda_title: String,
    pub district_id: Option<String>,
    pub code: String,
    pub title: String,
    pub targets: Vec<String>,
}

const FRAMEWORK: &str = "SELECT id, name, edition, source_url, version FROM frameworks";
const ITEM: &str = "SELECT id, framework_id, code, parent_code, title, version FROM framework_targets";

fn item(r: &sqlx::any::AnyRow) -> Result<FrameworkItem> {
    Ok(from_row!(r, FrameworkItem { id, code, parent_code, title, version }))
}

fn source_url(r: &sqlx::any::AnyRow) -> Result<Option<String>> {
    Ok(Some(col::<String>(r, "source_url")?).filter(|u| !u.is_empty()))
}

impl Store {
    /// Every framework with its items, in order.
    pub async fn frameworks(&self) -> Result<Vec<Framework>> {
        let sql = Sql::new(&format!("{FRAMEWORK} ORDER BY position"));
        let mut frameworks = sql
            .map_all(&self.pool, |r| {
                Ok(from_row!(r, Framework { id, name, edition, version; source_url: source_url(r)?, items: Vec::new() }))
            })
            .await?;
        let items = Sql::new(&format!("{ITEM} ORDER BY position, code"))
            .map_all(&self.pool, |r| Ok((col::<String>(r, "framework_id")?, item(r)?)))
            .await?;
        for (framework_id, item) in items {
            if let Some(f) = frameworks.iter_mut().find(|f| f.id == framework_id) {
                f.items.push(item);
            }
        }
        Ok(frameworks)
    }

    pub async fn framework_for_edit(&self, id: &str) -> Result<Option<Editable<FrameworkEdit>>> {
        let mut sql = Sql::new(&format!("{FRAMEWORK} WHERE id = "));
        sql.bind(id);
        sql.map_optional(&self.pool, |r| {
            Ok(from_row!(r, Editable {
                id, version;
                label: col(r, "name")?,
                fields: from_row!(r, FrameworkEdit { name, edition; source_url: source_url(r)? }),
            }))
        })
        .await
    }

    pub async fn framework_item_for_edit(
        &self,
        framework_id: &str,
        id: &str,
    ) -> Result<Option<Editable<FrameworkTargetEdit>>> {
        let mut sql = Sql::new(&format!("{ITEM} WHERE framework_id = "));
        sql.bind(framework_id).push(" AND id = ").bind(id);
        sql.map_optional(&self.pool, item_edit).await
    }

    /// The objectives of public agendas that serve at least one framework item.
    pub async fn target_links(&self) -> Result<Vec<TargetLink>> {
        let sql = Sql::new(
            "SELECT a.slug AS agenda_slug, a.title AS agenda_title, o.code, o.title, o.targets, \
             t.id AS t_id, t.kind AS t_kind, p.id AS p_id, p.kind AS p_kind, g.id AS g_id, g.kind AS g_kind \
             FROM objectives o JOIN agendas a ON a.id = o.agenda_id JOIN territories t ON t.id = a.territory_id \
             LEFT JOIN territories p ON p.id = t.parent_id LEFT JOIN territories g ON g.id = p.parent_id \
             WHERE o.archived_at IS NULL AND o.targets <> '[]' AND a.status <> 'draft' ORDER BY a.slug, o.position",
        );
        sql.map_all(&self.pool, |r| {
            let mut district_id = None;
            for prefix in ["t", "p", "g"] {
                if col::<Option<String>>(r, &format!("{prefix}_kind"))?.as_deref() == Some("district") {
                    district_id = col(r, &format!("{prefix}_id"))?;
                }
            }
            Ok(from_row!(r, TargetLink { agenda_slug, agenda_title, code, title; district_id: district_id, targets: codes(r, "targets")? }))
        })
        .await
    }
}

fn item_edit(r: &sqlx::any::AnyRow) -> Result<Editable<FrameworkTargetEdit>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        fields: from_row!(r, FrameworkTargetEdit { code, parent_code, title }),
    }))
}

fn item_columns(edit: &FrameworkTargetEdit) -> Vec<(&'static str, crate::sql::Value)> {
    columns!["code" => edit.code.clone(), "parent_code" => edit.parent_code.clone(), "title" => edit.title.clone()]
}

impl WriteTx {
    pub async fn update_framework(
        &mut self,
        before: &Editable<FrameworkEdit>,
        edit: &FrameworkEdit,
        expected_version: i64,
    ) -> Result<Saved<FrameworkEdit>> {
        let values = columns![
            "name" => edit.name.clone(), "edition" => edit.edition.clone(),
            "source_url" => edit.source_url.clone().unwrap_or_default(),
        ];
        let entity = EntityRef { kind: "framework", id: &before.id, label: &before.label };
        self.update_versioned("frameworks", before, edit, expected_version, values, entity).await
    }

    /// Adds an item to a framework (last); returns its id.
    pub async fn create_framework_item(&mut self, framework_id: &str, edit: &FrameworkTargetEdit) -> Result<String> {
        let position = self.next_in("framework_targets", "position", "framework_id", framework_id).await?;
        let (id, at) = (new_id(), now());
        let mut values = item_columns(edit);
        values.extend(columns![
            "id" => id.clone(), "framework_id" => framework_id, "position" => position,
            "created_at" => at.clone(), "updated_at" => at,
        ]);
        let label = format!("{} {}", edit.code, edit.title);
        let insert = Sql::insert("framework_targets", values);
        self.create_record(vec![insert], EntityRef { kind: "framework_item", id: &id, label: &label }, edit).await?;
        Ok(id)
    }

    pub async fn update_framework_item(
        &mut self,
        before: &Editable<FrameworkTargetEdit>,
        edit: &FrameworkTargetEdit,
        expected_version: i64,
    ) -> Result<Saved<FrameworkTargetEdit>> {
        let entity = EntityRef { kind: "framework_item", id: &before.id, label: &before.label };
        self.update_versioned("framework_targets", before, edit, expected_version, item_columns(edit), entity).await
    }
}
