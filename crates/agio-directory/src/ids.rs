//! Stable identifiers. HSDS wants UUIDs; AGIO's own records (taxonomy terms, demo services)
//! get version-5 UUIDs derived from their codes, so that every build names them the same.

use std::sync::LazyLock;

use uuid::Uuid;

static NAMESPACE: LazyLock<Uuid> =
    LazyLock::new(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://agio.regione.emilia-romagna.it/directory"));

/// The UUID AGIO gives the thing named by `parts` (e.g. `["term", "need", "casa"]`).
pub fn stable_id(parts: &[&str]) -> String {
    Uuid::new_v5(&NAMESPACE, parts.join(":").as_bytes()).to_string()
}

/// Whether `text` is a UUID in the hyphenated form HSDS uses.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36 && Uuid::parse_str(text).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_stable_and_distinct() {
        let a = super::stable_id(&["term", "need", "casa"]);
        assert_eq!(a, super::stable_id(&["term", "need", "casa"]));
        assert_ne!(a, super::stable_id(&["term", "need", "salute"]));
        assert!(super::is_uuid(&a));
        assert!(!super::is_uuid("casa"));
    }
}
