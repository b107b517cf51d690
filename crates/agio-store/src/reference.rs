//! Reference territories of Emilia-Romagna: region, 38 districts, 330 comuni with boundaries.
//! The files are compiled into the program (sources and licences in `data/ATTRIBUTION.md`).

use std::collections::{BTreeMap, HashMap, HashSet};

use agio_domain::slugify;

use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store, StoreError};

const COMUNI_CSV: &str = include_str!("../../../data/er_comuni.csv");
const DISTRICTS_CSV: &str = include_str!("../../../data/er_distretti.csv");
const BOUNDARIES_GEOJSON: &str = include_str!("../../../data/er_comuni.geojson");

pub const REGION_CODE: &str = "er";

struct Comune {
    istat: String,
    name: String,
    province: String,
    province_code: String,
    cadastral_code: String,
    population: Option<i64>,
    lat: f64,
    lon: f64,
}

struct DistrictRow {
    istat: String,
    code: String,
    name: String,
    health_authority: String,
}

/// Splits a CSV line (RFC 4180: fields may be double-quoted, with `""` for a quote).
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields.into_iter().map(|f| f.trim().to_string()).collect())
}

fn fields(line: &str, expected: usize, file: &str, row: usize) -> Result<Vec<String>> {
    match split_csv(line) {
        Some(cols) if cols.len() == expected => Ok(cols),
        Some(cols) => {
            Err(StoreError::InvalidData(format!("{file} row {row}: expected {expected} columns, found {}", cols.len())))
        }
        None => Err(StoreError::InvalidData(format!("{file} row {row}: unterminated quoted field"))),
    }
}

fn parse_comuni() -> Result<Vec<Comune>> {
    let mut out = Vec::new();
    for (i, line) in COMUNI_CSV.lines().enumerate().skip(1).filter(|(_, l)| !l.is_empty()) {
        let c = fields(line, 9, "er_comuni.csv", i + 1)?;
        let number = |idx: usize| {
            c[idx].parse::<f64>().map_err(|_| {
                StoreError::InvalidData(format!("er_comuni.csv row {}: column {} is not a number", i + 1, idx + 1))
            })
        };
        out.push(Comune {
            istat: c[0].clone(),
            name: c[1].clone(),
            province: c[2].clone(),
            province_code: c[3].clone(),
            cadastral_code: c[4].clone(),
            population: if c[6].is_empty() { None } else { Some(number(6)? as i64) },
            lat: number(7)?,
            lon: number(8)?,
        });
    }
    Ok(out)
}

fn parse_districts() -> Result<Vec<DistrictRow>> {
    DISTRICTS_CSV
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, line)| {
            let c = fields(line, 5, "er_distretti.csv", i + 1)?;
            Ok(DistrictRow {
                istat: c[0].clone(),
                code: c[2].clone(),
                name: c[3].clone(),
                health_authority: c[4].clone(),
            })
        })
        .collect()
}

/// GeoJSON geometry of each comune, by ISTAT code, as compact JSON text.
fn parse_boundaries() -> Result<HashMap<String, String>> {
    let doc: serde_json::Value = serde_json::from_str(BOUNDARIES_GEOJSON)
        .map_err(|e| StoreError::InvalidData(format!("er_comuni.geojson: {e}")))?;
    let features = doc["features"].as_array().cloned().unwrap_or_default();
    let mut out = HashMap::new();
    for f in features {
        if let Some(istat) = f["properties"]["istat"].as_str() {
            out.insert(istat.to_string(), f["geometry"].to_string());
        }
    }
    Ok(out)
}

impl Store {
    /// Loads region, districts and comuni unless already there. Returns whether it loaded.
    pub async fn load_reference_territories(&self) -> Result<bool> {
        let present: i64 = col(
            &sqlx::query("SELECT COUNT(*) AS n FROM territories WHERE kind = 'comune'").fetch_one(&self.pool).await?,
            "n",
        )?;
        if present > 0 {
            return Ok(false);
        }
        let comuni = parse_comuni()?;
        let districts = parse_districts()?;
        let boundaries = parse_boundaries()?;
        let district_of: HashMap<&str, &DistrictRow> = districts.iter().map(|d| (d.istat.as_str(), d)).collect();
        let ts = now();

        let mut tx = self.pool.begin().await?;
        let region_id = new_id();
        let total_population: i64 = comuni.iter().filter_map(|c| c.population).sum();
        let insert = Sql::insert(
            "territories",
            columns![
                "id" => region_id.clone(), "kind" => "region", "code" => REGION_CODE, "slug" => "emilia-romagna",
                "name" => "Emilia-Romagna", "population" => total_population, "created_at" => ts.clone(), "updated_at" => ts.clone(),
            ],
        );
        insert.query().execute(&mut *tx).await?;

        // Districts in the order they first appear, with the province and population of their comuni.
        let mut district_ids: BTreeMap<&str, String> = BTreeMap::new();
        for d in &districts {
            if district_ids.contains_key(d.code.as_str()) {
                continue;
            }
            let members: Vec<&Comune> = comuni
                .iter()
                .filter(|c| district_of.get(c.istat.as_str()).map(|m| m.code == d.code).unwrap_or(false))
                .collect();
            let population: i64 = members.iter().filter_map(|c| c.population).sum();
            let province = members.first();
            let id = new_id();
            let insert = Sql::insert(
                "territories",
                columns![
                    "id" => id.clone(), "kind" => "district", "code" => d.code.clone(), "slug" => d.code.clone(),
                    "name" => d.name.clone(), "parent_id" => region_id.clone(),
                    "province" => province.map(|c| c.province.clone()), "province_code" => province.map(|c| c.province_code.clone()),
                    "health_authority" => d.health_authority.clone(), "population" => population,
                    "created_at" => ts.clone(), "updated_at" => ts.clone(),
                ],
            );
            insert.query().execute(&mut *tx).await?;
            district_ids.insert(d.code.as_str(), id);
        }

        let mut slugs: HashSet<String> = HashSet::new();
        for c in &comuni {
            let district = district_of.get(c.istat.as_str()).ok_or_else(|| {
                StoreError::InvalidData(format!("comune {} ({}) has no district in er_distretti.csv", c.name, c.istat))
            })?;
            let mut slug = slugify(&c.name);
            if !slugs.insert(slug.clone()) {
                slug = format!("{slug}-{}", c.istat);
                slugs.insert(slug.clone());
            }
            let insert = Sql::insert(
                "territories",
                columns![
                    "id" => new_id(), "kind" => "comune", "code" => c.istat.clone(), "slug" => slug, "name" => c.name.clone(),
                    "parent_id" => district_ids[district.code.as_str()].clone(), "province" => c.province.clone(),
                    "province_code" => c.province_code.clone(), "cadastral_code" => c.cadastral_code.clone(),
                    "health_authority" => district.health_authority.clone(), "population" => c.population,
                    "lat" => Some(c.lat), "lon" => Some(c.lon), "boundary" => boundaries.get(&c.istat).cloned(),
                    "created_at" => ts.clone(), "updated_at" => ts.clone(),
                ],
            );
            insert.query().execute(&mut *tx).await?;
        }
        crate::count_write(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(comuni = comuni.len(), districts = district_ids.len(), "reference territories loaded");
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields() {
        assert_eq!(split_csv(r#"a,"b, c",d"#).unwrap(), vec!["a", "b, c", "d"]);
        assert_eq!(split_csv(r#""say ""hi""",x"#).unwrap(), vec![r#"say "hi""#, "x"]);
        assert!(split_csv(r#"a,"b"#).is_none());
    }

    #[test]
    fn reference_files_are_complete() {
        let comuni = parse_comuni().unwrap();
        assert_eq!(comuni.len(), 330);
        let districts = parse_districts().unwrap();
        let codes: HashSet<&str> = districts.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), 38);
        let boundaries = parse_boundaries().unwrap();
        assert!(comuni.iter().all(|c| boundaries.contains_key(&c.istat)));
    }
}
