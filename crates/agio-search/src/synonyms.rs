//! The planners' synonyms: groups of words and phrases that mean the same thing to the people
//! who search (`badante, assistente familiare`), each optionally marked with the need it
//! expresses (`anziani: anziano, anziana, terza età`). Data, not code: one group per line.

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{stop_word, tokens, words};

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
    groups: Vec<Group>,
}

#[derive(Debug, Clone)]
struct Group {
    /// The need (a code of the need taxonomy) the group's expressions speak of, if any.
    need: Option<String>,
    expressions: Vec<Expression>,
}

#[derive(Debug, Clone)]
struct Expression {
    folded: Vec<String>,
    stemmed: Vec<String>,
}

/// One thing a person asks for: a word, or an expression of the synonyms (`assistenza a casa`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Concept {
    /// The query's own words for it, stop words left out.
    pub words: Vec<String>,
    /// The stemmed forms of the other expressions of its group.
    pub alternatives: Vec<Vec<String>>,
    /// The need its group expresses.
    pub need: Option<String>,
}

impl Synonyms {
    /// Reads the file format: `#` starts a comment, blank lines are skipped, every other line
    /// is a group of at least two expressions separated by commas, optionally after a need
    /// code and a colon.
    pub fn parse(text: &str) -> Result<Synonyms, SynonymsError> {
        let mut groups = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let (need, list) = match line.split_once(':') {
                Some((code, list)) => (Some(code.trim()), list),
                None => (None, line),
            };
            if let Some(code) = need.filter(|c| c.is_empty() || !c.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            {
                return Err(SynonymsError { line: n + 1, reason: format!("'{code}' is not a need code (a_z and _)") });
            }
            let expressions: Vec<Expression> = list
                .split(',')
                .map(|e| Expression { folded: words(e), stemmed: Vec::new() })
                .filter(|e| !e.folded.is_empty())
                .collect();
            if expressions.len() < 2 {
                return Err(SynonymsError { line: n + 1, reason: format!("'{line}' has fewer than two expressions") });
            }
            groups.push(Group { need: need.map(str::to_string), expressions });
        }
        Ok(Synonyms { groups })
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The same groups with their stems, for the index's Italian analyzer.
    pub(crate) fn analyzed(mut self, italian: &TextAnalyzer) -> Synonyms {
        for expression in self.groups.iter_mut().flat_map(|g| g.expressions.iter_mut()) {
            expression.stemmed = expression.folded.iter().flat_map(|w| tokens(&mut italian.clone(), w)).collect();
        }
        self
    }

    /// The concepts of a query's folded words, left to right: at each word the longest
    /// expression of the synonyms that starts there, or else the word alone; stop words
    /// outside an expression are dropped (`per mia madre anziana` → `madre`, `anziana`).
    pub(crate) fn concepts(&self, query: &[String]) -> Vec<Concept> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < query.len() {
            let longest = self
                .groups
                .iter()
                .flat_map(|g| g.expressions.iter().enumerate().map(move |(i, e)| (g, i, e)))
                .filter(|(_, _, e)| query[at..].starts_with(&e.folded))
                .max_by_key(|(_, _, e)| e.folded.len());
            match longest {
                Some((group, own, expression)) => {
                    let words = expression.folded.iter().filter(|w| !stop_word(w)).cloned().collect();
                    let alternatives = group
                        .expressions
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != own)
                        .map(|(_, e)| e.stemmed.clone())
                        .collect();
                    out.push(Concept { words, alternatives, need: group.need.clone() });
                    at += expression.folded.len();
                }
                None => {
                    if !stop_word(&query[at]) {
                        out.push(Concept { words: vec![query[at].clone()], alternatives: Vec::new(), need: None });
                    }
                    at += 1;
                }
            }
        }
        out.retain(|c| !c.words.is_empty() || !c.alternatives.is_empty());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_with_their_needs() {
        let s = Synonyms::parse("# commento\nbadante, assistente familiare\n\nanziani: anziani, terza età # nota\n")
            .unwrap();
        assert_eq!(s.group_count(), 2);
        assert_eq!(s.groups[1].need.as_deref(), Some("anziani"));
        assert_eq!(Synonyms::parse("solo").unwrap_err().line, 1);
        assert_eq!(Synonyms::parse("a\nAnziani: vecchi, anziani").unwrap_err().line, 1);
        assert!(Synonyms::parse("x\nAnziani: vecchi, anziani").unwrap_err().reason.contains("fewer"));
        assert_eq!(
            Synonyms::parse("Anziani: vecchi, anziani").unwrap_err().reason,
            "'Anziani' is not a need code (a_z and _)"
        );
    }

    #[test]
    fn a_query_becomes_concepts_longest_expression_first() {
        let italian = crate::analysis::analyzer(Some(tantivy::tokenizer::Language::Italian));
        let s = Synonyms::parse(
            "assistenza domiciliare, assistenza a casa, aiuto a casa\nanziani: anziani, anziana, terza età\nspid, identità digitale",
        )
        .unwrap()
        .analyzed(&italian);
        let stems = |text: &str| tokens(&mut italian.clone(), text);
        let concepts = s.concepts(&words("Assistenza a casa per mia madre anziana"));
        assert_eq!(concepts.len(), 2, "{concepts:?}");
        assert_eq!(concepts[0].words, ["assistenza", "casa"]);
        assert_eq!(concepts[0].alternatives, vec![stems("assistenza domiciliare"), stems("aiuto a casa")]);
        assert_eq!(concepts[1].words, ["anziana"]);
        assert_eq!(concepts[1].need.as_deref(), Some("anziani"));
        assert_eq!(concepts[1].alternatives.len(), 2);
        let plain = Concept { words: vec!["caldo".into()], alternatives: vec![], need: None };
        assert_eq!(s.concepts(&words("un pranzo caldo"))[1], plain);
        assert_eq!(s.concepts(&words("l'identità digitale"))[0].alternatives, vec![stems("spid")]);
        assert!(s.concepts(&words("per la mia")).is_empty());
    }
}
