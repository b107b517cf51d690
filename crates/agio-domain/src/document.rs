//! Files people attach to records: what is taken, under which name, served as what.

use serde::Serialize;
use utoipa::ToSchema;

/// A file attached to a record (a meeting's minutes, the evidence of a measured value), kept in
/// the database and served as a download.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Document {
    pub id: String,
    /// The file's name as uploaded (made safe).
    pub name: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub created_at: String,
}

/// The largest document taken.
pub const DOCUMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of documents taken, by extension: what they are served as (nothing a browser
/// would run: no HTML, no SVG).
const DOCUMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("csv", "text/csv; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
];

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentProblem {
    Empty,
    TooLarge,
    /// Not one of the kinds taken (the allowed extensions).
    NotAllowed(Vec<&'static str>),
}

/// A file's name made safe to keep and to send back (letters, digits, spaces, `.-_()`, at most
/// 120 characters), and the type it is served as; or why it is refused.
pub fn checked(file_name: &str, size: usize) -> Result<(String, &'static str), DocumentProblem> {
    if size == 0 {
        return Err(DocumentProblem::Empty);
    }
    if size > DOCUMENT_MAX_BYTES {
        return Err(DocumentProblem::TooLarge);
    }
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let not_allowed = || DocumentProblem::NotAllowed(DOCUMENT_TYPES.iter().map(|(e, _)| *e).collect());
    let (stem, extension) = base.rsplit_once('.').ok_or_else(not_allowed)?;
    let extension = extension.to_ascii_lowercase();
    let content_type = DOCUMENT_TYPES.iter().find(|(e, _)| *e == extension).map(|(_, t)| *t).ok_or_else(not_allowed)?;
    // The stem is cut, never the kind.
    let stem: String =
        stem.chars().map(|c| if c.is_alphanumeric() || " .-_()".contains(c) { c } else { '_' }).take(120).collect();
    let stem = stem.trim().trim_start_matches('.').trim();
    match stem.is_empty() {
        true => Err(not_allowed()),
        false => Ok((format!("{stem}.{extension}"), content_type)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_are_made_safe_and_their_kind_decides_their_type() {
        assert_eq!(checked("Verbale 12-02.PDF", 10), Ok(("Verbale 12-02.pdf".into(), "application/pdf")));
        let long = format!("{}.pdf", "a".repeat(150));
        assert_eq!(checked(&long, 10).unwrap().0, format!("{}.pdf", "a".repeat(120)));
        let (name, _) = checked("../../etc/\"x\";.odt", 10).unwrap();
        assert_eq!(name, "_x__.odt");
        assert_eq!(checked("C:\\temp\\slide.pptx", 10).unwrap().0, "slide.pptx");
        assert!(matches!(checked("pagina.html", 10), Err(DocumentProblem::NotAllowed(_))));
        assert!(matches!(checked("script.svg", 10), Err(DocumentProblem::NotAllowed(_))));
        assert!(matches!(checked(".pdf", 10), Err(DocumentProblem::NotAllowed(_))));
        assert_eq!(checked("a.pdf", 0), Err(DocumentProblem::Empty));
        assert_eq!(checked("a.pdf", DOCUMENT_MAX_BYTES + 1), Err(DocumentProblem::TooLarge));
    }
}
