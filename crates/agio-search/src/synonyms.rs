//! The planners' synonyms: groups of words and phrases that mean the same thing to the people
//! who search (`badante, assistente familiare`). Data, not code: one group per line.

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{tokens, words};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("synonyms, line {line}: {reason}")]
pub struct SynonymsError {
    pub line: usize,
    pub reason: String,
}

/// Groups of equivalent expressions, each kept folded (to recognise it in a query) and
/// stemmed (to look for it in the index).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Expression>>,
}

#[derive(Debug, Clone)]
struct Expression {
    folded: Vec<String>,
    stemmed: Vec<String>,
}

impl Synonyms {
    /// Reads the file format: `#` starts a comment, blank lines are skipped, every other line
    /// is a group of at least two expressions separated by commas.
    pub fn parse(text: &str) -> Result<Synonyms, SynonymsError> {
        let mut groups = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let group: Vec<Expression> = line
                .split(',')
                .map(|e| Expression { folded: words(e), stemmed: Vec::new() })
                .filter(|e| !e.folded.is_empty())
                .collect();
            if group.len() < 2 {
                return Err(SynonymsError { line: n + 1, reason: format!("'{line}' has fewer than two expressions") });
            }
            groups.push(group);
        }
        Ok(Synonyms { groups })
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The same groups with their stems, for the index's Italian analyzer.
    pub(crate) fn analyzed(mut self, italian: &TextAnalyzer) -> Synonyms {
        for expression in self.groups.iter_mut().flatten() {
            expression.stemmed = expression.folded.iter().flat_map(|w| tokens(&mut italian.clone(), w)).collect();
        }
        self
    }

    /// For the folded words of a query: the stemmed forms of every other expression of each
    /// group the query contains (a word or a run of words).
    pub(crate) fn expansions(&self, query: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for group in &self.groups {
            let present: Vec<usize> = (0..group.len())
                .filter(|&i| query.windows(group[i].folded.len()).any(|w| w == group[i].folded))
                .collect();
            if present.is_empty() {
                continue;
            }
            for (i, e) in group.iter().enumerate() {
                if !present.contains(&i) && !out.contains(&e.stemmed) {
                    out.push(e.stemmed.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_and_expanded() {
        let italian = crate::analysis::analyzer(Some(tantivy::tokenizer::Language::Italian));
        let s = Synonyms::parse("# commento\nbadante, assistente familiare\n\nanziani, terza età # nota\n").unwrap();
        assert_eq!(s.group_count(), 2);
        let s = s.analyzed(&italian);
        let stems = |text: &str| tokens(&mut italian.clone(), text);
        assert_eq!(s.expansions(&words("cerco una badante")), vec![stems("assistente familiare")]);
        assert_eq!(stems("assistente familiare"), ["assistent", "famil"]);
        assert_eq!(s.expansions(&words("Terza Età")), vec![stems("anziani")]);
        assert_eq!(Synonyms::parse("solo").unwrap_err().line, 1);
    }
}
