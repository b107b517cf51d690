//! Reading services: one, some, a page, or all of them a batch at a time.

use std::collections::{HashMap, HashSet};

use agio_domain::{Page, PageRequest};
use sqlx::any::AnyRow;

use super::{document, push_filter, ServiceCursor, ServiceFilter, StoredService};
use crate::read::{col, flag, from_row};
use crate::sql::Sql;
use crate::{Result, Store};

const SERVICE_COLUMNS: &str =
    "SELECT s.id, s.slug, s.document, s.is_demo, s.updated_at, s.version FROM directory_services s";

fn stored_service(row: &AnyRow) -> Result<StoredService> {
    Ok(from_row!(row, StoredService {
        id, slug, updated_at, version;
        document: document(row)?,
        is_demo: flag(row, "is_demo")?,
    }))
}

impl Store {
    /// One service by id or slug.
    pub async fn directory_service(&self, key: &str) -> Result<Option<StoredService>> {
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE s.id = ").bind(key).push(" OR s.slug = ").bind(key);
        sql.map_optional(&self.pool, stored_service).await
    }

    /// Services by id, in the order given (missing ids are skipped).
    pub async fn directory_services_by_id(&self, ids: &[String]) -> Result<Vec<StoredService>> {
        let mut found: HashMap<String, StoredService> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(SERVICE_COLUMNS);
            sql.push(" WHERE s.id IN (").bind_list(chunk.iter().cloned()).push(")");
            for row in sql.fetch_all(&self.pool).await? {
                let service = stored_service(&row)?;
                found.insert(service.id.clone(), service);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Every service, `batch` at a time in id order after `after` (to rebuild the search index
    /// without holding the whole directory twice).
    pub async fn directory_services_after(&self, after: &str, batch: i64) -> Result<Vec<StoredService>> {
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE s.id > ").bind(after).push(" ORDER BY s.id LIMIT ").bind(batch);
        sql.map_all(&self.pool, stored_service).await
    }

    pub async fn directory_service_count(&self) -> Result<i64> {
        col(&sqlx::query("SELECT COUNT(*) AS n FROM directory_services").fetch_one(&self.pool).await?, "n")
    }

    /// A page of services matching `filter`, by name; with `filter.ids`, in the order of ids.
    pub async fn directory_service_page(
        &self,
        filter: &ServiceFilter,
        page: PageRequest,
    ) -> Result<Page<StoredService>> {
        if let Some(ids) = &filter.ids {
            // The order is the search's: filter in SQL, then page over the ranked ids.
            let mut kept = HashSet::new();
            for chunk in ids.chunks(500) {
                let mut sql = Sql::new("SELECT s.id FROM directory_services s WHERE s.id IN (");
                sql.bind_list(chunk.iter().cloned()).push(")");
                push_filter(&mut sql, filter);
                for row in sql.fetch_all(&self.pool).await? {
                    kept.insert(col::<String>(&row, "id")?);
                }
            }
            let ranked: Vec<String> = ids.iter().filter(|id| kept.contains(*id)).cloned().collect();
            let total = ranked.len() as i64;
            let slice: Vec<String> =
                ranked.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
            return Ok(Page::new(self.directory_services_by_id(&slice).await?, page, total));
        }
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM directory_services s WHERE 1 = 1");
        push_filter(&mut count, filter);
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        let mut sql = Sql::new(SERVICE_COLUMNS);
        sql.push(" WHERE 1 = 1");
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.name, s.id LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
        let items = sql.map_all(&self.pool, stored_service).await?;
        Ok(Page::new(items, page, total))
    }

    /// The next `batch` services matching `filter` in the order of the paged list (name, id),
    /// after the (name, id) of the last one read: a keyset, so that reading every service
    /// costs the same per batch however far the reader has come. A search's matches come in
    /// the search's order instead, `after` being the position reached in them.
    pub async fn directory_services_batch(
        &self,
        filter: &ServiceFilter,
        after: &ServiceCursor,
        batch: i64,
    ) -> Result<(Vec<StoredService>, ServiceCursor)> {
        if let Some(ids) = &filter.ids {
            let ServiceCursor::Position(from) = after else { return Ok((Vec::new(), ServiceCursor::End)) };
            let mut position = *from;
            let mut found = Vec::new();
            while found.is_empty() && position < ids.len() {
                let slice = &ids[position..(position + batch as usize).min(ids.len())];
                position += slice.len();
                let mut sql = Sql::new("SELECT s.id FROM directory_services s WHERE s.id IN (");
                sql.bind_list(slice.iter().cloned()).push(")");
                push_filter(&mut sql, filter);
                let kept: HashSet<String> = sql.map_all(&self.pool, |r| col(r, "id")).await?.into_iter().collect();
                let wanted: Vec<String> = slice.iter().filter(|id| kept.contains(*id)).cloned().collect();
                found = self.directory_services_by_id(&wanted).await?;
            }
            let next = if position < ids.len() { ServiceCursor::Position(position) } else { ServiceCursor::End };
            return Ok((found, next));
        }
        let mut sql = Sql::new(&SERVICE_COLUMNS.replace(" FROM ", ", s.name AS sort_name FROM "));
        sql.push(" WHERE 1 = 1");
        match after {
            ServiceCursor::Start | ServiceCursor::Position(_) => {}
            ServiceCursor::After { name, id } => {
                sql.push(" AND (s.name, s.id) > (").bind(name.clone()).push(", ").bind(id.clone()).push(")");
            }
            ServiceCursor::End => return Ok((Vec::new(), ServiceCursor::End)),
        }
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.name, s.id LIMIT ").bind(batch);
        let rows = sql.fetch_all(&self.pool).await?;
        let next = match rows.last() {
            Some(last) if rows.len() as i64 == batch => {
                ServiceCursor::After { name: col(last, "sort_name")?, id: col(last, "id")? }
            }
            _ => ServiceCursor::End,
        };
        Ok((rows.iter().map(stored_service).collect::<Result<_>>()?, next))
    }

    /// Id and last modification of every service matching `filter` (HSDS `minimal`).
    pub async fn directory_service_stamps(&self, filter: &ServiceFilter) -> Result<Vec<(String, String)>> {
        let mut sql = Sql::new("SELECT s.id, s.last_modified FROM directory_services s WHERE 1 = 1");
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY s.id");
        sql.map_all(&self.pool, |r| Ok((col(r, "id")?, col(r, "last_modified")?))).await
    }

    /// Ids of the services written at or after `since` (RFC 3339), to bring an index up to date.
    pub async fn directory_changed_since(&self, since: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT id FROM directory_services WHERE updated_at >= ");
        sql.bind(since);
        sql.map_all(&self.pool, |r| col(r, "id")).await
    }
}
