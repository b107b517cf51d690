//! AGIO domain: the words of the Agende Digitali Sociali as types, with no I/O.
//!
//! Codes are English identifiers stored in the database and used in URLs and the API;
//! Italian and English labels live in the web layer's i18n catalogue (for fixed enums)
//! or in the `vocabulary_terms` table (for controlled vocabularies that are data).

pub mod access;
pub mod codes;
pub mod credentials;
pub mod decidim;
pub mod delivery;
pub mod document;
pub mod edit;
pub mod lab;
pub mod model;
pub mod monitoring;
pub mod paging;

pub use codes::*;
pub use paging::{Page, PageRequest};

/// A readable URL fragment: lowercase ASCII letters and digits separated by single hyphens.
/// Italian accented letters lose their accent; apostrophes and spaces become hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugify_italian_names() {
        assert_eq!(super::slugify("Sant'Agata Feltria"), "sant-agata-feltria");
        assert_eq!(super::slugify("  Forlì – Cesena "), "forli-cesena");
        assert_eq!(super::slugify("Castelnovo ne' Monti"), "castelnovo-ne-monti");
    }
}
