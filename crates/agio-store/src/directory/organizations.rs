//! Reading the directory's organisations, and the AGIO organisations they belong to.

use std::collections::{HashMap, HashSet};

use agio_domain::{Page, PageRequest};
use serde_json::Value;

use super::document;
use crate::read::col;
use crate::sql::Sql;
use crate::{Result, Store};

impl Store {
    /// A page of organisations (their HSDS documents), by name.
    pub async fn directory_organization_page(&self, search: Option<&str>, page: PageRequest) -> Result<Page<Value>> {
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM directory_organizations o WHERE 1 = 1");
        let mut sql = Sql::new("SELECT o.document FROM directory_organizations o WHERE 1 = 1");
        if let Some(text) = search {
            crate::read::push_contains(&mut count, &["o.name"], text);
            crate::read::push_contains(&mut sql, &["o.name"], text);
        }
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        sql.push(" ORDER BY o.name, o.id LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
        let items = sql.map_all(&self.pool, document).await?;
        Ok(Page::new(items, page, total))
    }

    pub async fn directory_organization(&self, id: &str) -> Result<Option<Value>> {
        let mut sql = Sql::new("SELECT o.document FROM directory_organizations o WHERE o.id = ");
        sql.bind(id);
        sql.map_optional(&self.pool, document).await
    }

    /// The ids of every organisation of the directory.
    pub async fn directory_organization_ids(&self) -> Result<HashSet<String>> {
        let rows = Sql::new("SELECT id FROM directory_organizations").fetch_all(&self.pool).await?;
        rows.iter().map(|r| col(r, "id")).collect()
    }

    /// The AGIO organisation (id) linked to each directory organisation among `ids`.
    pub async fn directory_organization_owners(&self, ids: &[String]) -> Result<HashMap<String, Option<String>>> {
        let mut owners = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new("SELECT id, agio_organization_id FROM directory_organizations WHERE id IN (");
            sql.bind_list(chunk.iter().cloned()).push(")");
            for row in sql.fetch_all(&self.pool).await? {
                owners.insert(col(&row, "id")?, col(&row, "agio_organization_id")?);
            }
        }
        Ok(owners)
    }

    /// AGIO organisations by name (a new directory organisation is linked to the one it names).
    pub async fn organization_ids_by_name(&self) -> Result<HashMap<String, String>> {
        let rows = Sql::new("SELECT name, id FROM organizations").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((col(r, "name")?, col(r, "id")?))).collect()
    }
}
