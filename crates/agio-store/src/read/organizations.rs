//! Organisations (soggetti) and the actions they lead or join.

use agio_domain::model::{ActionSummary, Organization};
use agio_domain::{Page, PageRequest, PartnerRole};
use sqlx::any::AnyRow;

use super::{
    actions::ActionFilter, code, col, flag, from_row, paged, push_code_or_slug, push_contains, term, territory_ref_opt,
};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM organizations g \
    JOIN vocabulary_terms v ON v.vocabulary = g.org_type_vocabulary AND v.code = g.org_type \
    LEFT JOIN territories t ON t.id = g.territory_id WHERE 1 = 1";
const COLUMNS: &str = "SELECT g.id, g.slug, g.name, v.code AS org_type_code, v.label_it AS org_type_label_it, \
    v.label_en AS org_type_label_en, g.tax_code, t.code AS territory_code, t.slug AS territory_slug, \
    t.name AS territory_name, t.kind AS territory_kind, g.description, g.website, g.is_demo, \
    (SELECT COUNT(*) FROM action_organizations ao JOIN actions x ON x.id = ao.action_id \
        WHERE ao.organization_id = g.id AND x.archived_at IS NULL) AS actions_count, \
    g.created_at, g.updated_at, g.version, g.archived_at";

fn organization(r: &AnyRow) -> Result<Organization> {
    Ok(from_row!(r, Organization {
        id, slug, name, tax_code, description, website, actions_count, created_at, updated_at, version, archived_at;
        org_type: term(r, "org_type_")?,
        territory: territory_ref_opt(r, "territory_")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub org_type: Option<String>,
    /// Code or slug of the territory where it is based, or of its district.
    pub territory: Option<String>,
    pub q: Option<String>,
}

impl OrganizationFilter {
    fn apply(&self, sql: &mut Sql) {
        sql.push(" AND g.archived_at IS NULL");
        if let Some(v) = &self.org_type {
            sql.push(" AND g.org_type = ").bind(v.clone());
        }
        if let Some(v) = &self.territory {
            sql.push(" AND (");
            push_code_or_slug(sql, "t", v).push(" OR t.parent_id IN (SELECT d.id FROM territories d WHERE ");
            push_code_or_slug(sql, "d", v).push("))");
        }
        if let Some(q) = &self.q {
            push_contains(sql, &["g.name", "g.description"], q);
        }
    }
}

/// An organisation and the actions it takes part in, with its role in each.
#[derive(Debug, Clone)]
pub struct OrganizationDetail {
    pub organization: Organization,
    pub actions: Vec<(ActionSummary, PartnerRole)>,
}

impl Store {
    pub async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        page: PageRequest,
    ) -> Result<Page<Organization>> {
        paged(&self.pool, COLUMNS, FROM, |s| filter.apply(s), "g.name", page, organization).await
    }

    pub async fn organization(&self, slug: &str) -> Result<Option<Organization>> {
        self.organization_where("g.slug", slug).await
    }

    pub async fn organization_by_id(&self, id: &str) -> Result<Option<Organization>> {
        self.organization_where("g.id", id).await
    }

    async fn organization_where(&self, column: &str, value: &str) -> Result<Option<Organization>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM} AND {column} = "));
        sql.bind(value);
        sql.map_optional(&self.pool, organization).await
    }

    pub async fn organization_detail(&self, slug: &str) -> Result<Option<OrganizationDetail>> {
        let Some(organization) = self.organization(slug).await? else { return Ok(None) };
        let actions =
            self.actions_where(&ActionFilter { organization: Some(slug.to_string()), ..Default::default() }).await?;
        let mut sql = Sql::new("SELECT ao.action_id, ao.role FROM action_organizations ao WHERE ao.organization_id = ");
        sql.bind(organization.id.clone());
        let roles: Vec<(String, PartnerRole)> =
            sql.map_all(&self.pool, |r| Ok((col(r, "action_id")?, code(r, "role")?))).await?;
        let actions = actions
            .into_iter()
            .map(|a| {
                let role = roles.iter().find(|(id, _)| *id == a.id).map(|(_, r)| *r).unwrap_or(PartnerRole::Partner);
                (a, role)
            })
            .collect();
        Ok(Some(OrganizationDetail { organization, actions }))
    }
}
