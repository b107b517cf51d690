//! What the generator of demo services reads (comuni, terms, actions), and the demo directory.

use std::collections::HashMap;

use agio_directory::taxonomy::{term_id, DIRECTORY_VOCABULARIES};

use super::DirectoryWrite;
use crate::read::{col, from_row};
use crate::sql::Sql;
use crate::{Result, Store, StoreError};

impl Store {
    /// The ids of the taxonomy terms of the directory's vocabularies, with their vocabulary.
    pub async fn directory_term_ids(
        &self,
    ) -> Result<HashMap<String, (agio_domain::Vocabulary, agio_domain::model::Term)>> {
        let mut ids = HashMap::new();
        for vocabulary in DIRECTORY_VOCABULARIES {
            for term in self.terms(vocabulary).await? {
                ids.insert(term_id(vocabulary, &term.code), (vocabulary, term));
            }
        }
        Ok(ids)
    }

    /// Every comune with its district, as the service generator places services.
    pub async fn directory_comuni(&self) -> Result<Vec<agio_directory::generate::Comune>> {
        let rows = Sql::new(
            "SELECT c.code AS istat, c.name, COALESCE(c.province, '') AS province, \
             COALESCE(c.province_code, '') AS province_code, c.lat, c.lon, d.code AS district_code, \
             d.name AS district_name, COALESCE(d.health_authority, '') AS health_authority \
             FROM territories c JOIN territories d ON d.id = c.parent_id \
             WHERE c.kind = 'comune' AND d.kind = 'district' AND c.lat IS NOT NULL ORDER BY c.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(from_row!(
                    r,
                    agio_directory::generate::Comune {
                        istat,
                        name,
                        province,
                        province_code,
                        lat,
                        lon,
                        district_code,
                        district_name,
                        health_authority,
                    }
                ))
            })
            .collect()
    }

    /// Labels of the terms of the directory's vocabularies, for the generator.
    pub async fn directory_term_labels(&self) -> Result<agio_directory::generate::TermLabels> {
        let mut labels = HashMap::new();
        for vocabulary in DIRECTORY_VOCABULARIES {
            for term in self.terms(vocabulary).await? {
                labels.insert((vocabulary, term.code.clone()), term);
            }
        }
        Ok(labels)
    }

    /// The actions of the agendas, by district code and title (to link demo services).
    pub async fn directory_action_links(
        &self,
    ) -> Result<HashMap<(String, String), agio_directory::generate::ActionLink>> {
        let rows = Sql::new(
            "SELECT t.code AS district_code, a.title, g.slug AS agenda_slug, a.code FROM actions a \
             JOIN agendas g ON g.id = a.agenda_id \
             JOIN territories t ON t.id = g.territory_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut links = HashMap::new();
        for r in &rows {
            let title: String = col(r, "title")?;
            links.insert(
                (col(r, "district_code")?, title.clone()),
                agio_directory::generate::ActionLink { agenda: col(r, "agenda_slug")?, code: col(r, "code")?, title },
            );
        }
        Ok(links)
    }

    /// The demo directory (services built from `data/directory/demo-services.json` at the demo
    /// districts), written like an import: a second load changes nothing.
    pub async fn load_demo_directory(&self) -> Result<DirectoryWrite> {
        let templates = agio_directory::generate::Templates::demo()
            .map_err(|e| StoreError::InvalidData(format!("data/directory/demo-services.json: {e}")))?;
        let comuni = self.directory_comuni().await?;
        let terms = self.directory_term_labels().await?;
        let links = self.directory_action_links().await?;
        let lookup = |district: &str, title: &str| links.get(&(district.to_string(), title.to_string())).cloned();
        let context = agio_directory::generate::Context { comuni: &comuni, terms: &terms, action: &lookup };
        let documents =
            agio_directory::generate::demo_services(&templates, &context).map_err(StoreError::InvalidData)?;
        let mut write = self.begin_write(&crate::Actor::import()).await?;
        let report = write.save_services(&documents, true, |_| {}).await?;
        if report.changed.is_empty() {
            return Ok(report);
        }
        write.commit().await?;
        Ok(report)
    }
}
