//! Controlled vocabularies (data, loaded by migration).

use agio_domain::model::{Term, VocabularyTerm};
use agio_domain::Vocabulary;

use super::{code, col, term};
use crate::sql::Sql;
use crate::{Result, Store};

impl Store {
    /// Terms of one vocabulary, or of all, in their display order.
    pub async fn vocabulary_terms(&self, vocabulary: Option<Vocabulary>) -> Result<Vec<VocabularyTerm>> {
        let mut sql =
            Sql::new("SELECT vocabulary, code, label_it, label_en, position FROM vocabulary_terms WHERE 1 = 1");
        if let Some(v) = vocabulary {
            sql.push(" AND vocabulary = ").bind(v.code());
        }
        sql.push(" ORDER BY vocabulary, position");
        sql.map_all(&self.pool, |r| {
            Ok(VocabularyTerm { vocabulary: code(r, "vocabulary")?, term: term(r, "")?, position: col(r, "position")? })
        })
        .await
    }

    /// Terms of one vocabulary as plain terms (for filter menus and validation).
    pub async fn terms(&self, vocabulary: Vocabulary) -> Result<Vec<Term>> {
        Ok(self.vocabulary_terms(Some(vocabulary)).await?.into_iter().map(|t| t.term).collect())
    }
}
