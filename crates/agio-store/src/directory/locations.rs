//! Reading where services are: service-at-locations, near a place or not.

use std::collections::HashSet;

use agio_domain::{Page, PageRequest};
use sqlx::any::AnyRow;

use super::{push_filter, ServiceFilter, StoredServiceAtLocation};
use crate::read::col;
use crate::sql::Sql;
use crate::{Result, Store};

fn service_at_location(row: &AnyRow, distance_m: Option<f64>) -> Result<StoredServiceAtLocation> {
    Ok(StoredServiceAtLocation {
        id: col(row, "id")?,
        service_id: col(row, "service_id")?,
        position: col::<i64>(row, "position")? as usize,
        distance_m,
    })
}

impl Store {
    /// A page of service-at-locations matching `filter`; with `near` (lat, lon, metres), only
    /// those within the distance, nearest first.
    pub async fn directory_sal_page(
        &self,
        filter: &ServiceFilter,
        postcode: Option<&str>,
        near: Option<(f64, f64, f64)>,
        page: PageRequest,
    ) -> Result<Page<StoredServiceAtLocation>> {
        let from = "FROM directory_service_at_locations l JOIN directory_services s ON s.id = l.service_id WHERE 1 = 1";
        let conditions = |sql: &mut Sql| {
            push_filter(sql, filter);
            match near {
                // Only the box around the circle is read; the circle itself is cut below.
                Some((lat, lon, metres)) => {
                    let dlat = metres / 111_000.0;
                    let dlon = metres / (111_000.0 * lat.to_radians().cos().max(0.01));
                    sql.push(" AND l.latitude BETWEEN ").bind(Some(lat - dlat)).push(" AND ").bind(Some(lat + dlat));
                    sql.push(" AND l.longitude BETWEEN ").bind(Some(lon - dlon)).push(" AND ").bind(Some(lon + dlon));
                }
                None => {
                    if let Some(code) = postcode {
                        sql.push(" AND l.postcode = ").bind(code);
                    }
                }
            }
        };
        let columns = "SELECT l.id, l.service_id, l.position, l.latitude, l.longitude ";
        if near.is_none() && filter.ids.is_none() {
            // The common case is paged by the database.
            let mut count = Sql::new(&format!("SELECT COUNT(*) AS n {from}"));
            conditions(&mut count);
            let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
            let mut sql = Sql::new(&format!("{columns}{from}"));
            conditions(&mut sql);
            sql.push(" ORDER BY s.name, l.position, l.id LIMIT ")
                .bind(page.limit())
                .push(" OFFSET ")
                .bind(page.offset());
            let items = sql.map_all(&self.pool, |r| service_at_location(r, None)).await?;
            return Ok(Page::new(items, page, total));
        }
        // Near a place or among the matches of a search: cut and ordered here.
        let wanted: Option<HashSet<&String>> = filter.ids.as_ref().map(|ids| ids.iter().collect());
        let mut sql = Sql::new(&format!("{columns}{from}"));
        conditions(&mut sql);
        sql.push(" ORDER BY s.name, l.position, l.id");
        let mut rows: Vec<StoredServiceAtLocation> = Vec::new();
        for row in sql.fetch_all(&self.pool).await? {
            let service_id: String = col(&row, "service_id")?;
            if wanted.as_ref().is_some_and(|w| !w.contains(&service_id)) {
                continue;
            }
            let distance_m = match (near, col::<Option<f64>>(&row, "latitude")?, col::<Option<f64>>(&row, "longitude")?)
            {
                (Some((la, lo, _)), Some(lat), Some(lon)) => Some(agio_directory::geo::distance_m(la, lo, lat, lon)),
                _ => None,
            };
            if let Some((_, _, limit)) = near {
                if distance_m.is_none_or(|d| d > limit) {
                    continue;
                }
            }
            rows.push(service_at_location(&row, distance_m)?);
        }
        if near.is_some() {
            rows.sort_by(|a, b| a.distance_m.partial_cmp(&b.distance_m).unwrap_or(std::cmp::Ordering::Equal));
        }
        let total = rows.len() as i64;
        let items = rows.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
        Ok(Page::new(items, page, total))
    }

    pub async fn directory_sal(&self, id: &str) -> Result<Option<StoredServiceAtLocation>> {
        let mut sql =
            Sql::new("SELECT l.id, l.service_id, l.position FROM directory_service_at_locations l WHERE l.id = ");
        sql.bind(id);
        sql.fetch_optional(&self.pool).await?.map(|row| service_at_location(&row, None)).transpose()
    }

    /// The centre of a postcode: the mean position of the locations that have it.
    pub async fn directory_postcode_centre(&self, postcode: &str) -> Result<Option<(f64, f64)>> {
        let mut sql = Sql::new(
            "SELECT AVG(latitude) AS latitude, AVG(longitude) AS longitude FROM directory_service_at_locations \
             WHERE latitude IS NOT NULL AND postcode = ",
        );
        sql.bind(postcode);
        let row = sql.fetch_one(&self.pool).await?;
        Ok(match (col::<Option<f64>>(&row, "latitude")?, col::<Option<f64>>(&row, "longitude")?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    }
}
