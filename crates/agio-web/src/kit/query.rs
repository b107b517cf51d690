//! Query strings: read leniently (unknown parameters are ignored, empty ones mean "not set"),
//! validated strictly (a bad value is a 400 that names the parameter).

use std::collections::HashMap;
use std::str::FromStr;

use agio_domain::model::Term;
use agio_domain::{PageRequest, UnknownCode};
use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;

use crate::kit::error::{AppError, ParamProblem};

/// Longest free-text search accepted.
pub const MAX_TEXT: usize = 200;
/// Longest query string read at all.
pub const MAX_QUERY: usize = 4096;

/// The parameters of a request's query string: the last value of each name, and every value
/// of a name given more than once (a form's repeated select).
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>, Vec<(String, String)>);

fn bad(name: &str, problem: ParamProblem) -> AppError {
    AppError::BadParam { name: name.to_string(), problem }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params, AppError> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state).await.unwrap_or(RawQuery(None));
        Params::parse(raw.as_deref().unwrap_or(""))
    }
}

/// The token of a link sent by e-mail (`?token=…`): an invitation, the confirmation of a
/// registration, a password reset. Empty when missing, and so matching no link.
pub struct LinkToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for LinkToken {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<LinkToken, AppError> {
        let params = Params::from_request_parts(parts, state).await?;
        Ok(LinkToken(params.get("token").unwrap_or_default().to_string()))
    }
}

impl Params {
    pub fn parse(raw: &str) -> Result<Params, AppError> {
        if raw.len() > MAX_QUERY {
            return Err(bad("query", ParamProblem::TooLong { max: MAX_QUERY }));
        }
        if !percent_decodes_to_utf8(raw) {
            return Err(bad("query", ParamProblem::Unreadable));
        }
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw).map_err(|_| bad("query", ParamProblem::Unreadable))?;
        let mut map = HashMap::new();
        let mut all = Vec::new();
        // An empty value is no value (a form's blank field); any other is read as it is, so
        // that what a parameter accepts is exactly what the API document says.
        for (k, v) in pairs {
            if !v.is_empty() {
                map.insert(k.clone(), v.clone());
                all.push((k, v));
            }
        }
        Ok(Params(map, all))
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.1.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Free text, at most [`MAX_TEXT`] characters, without control characters, trimmed.
    pub fn text(&self, name: &str) -> Result<Option<String>, AppError> {
        match self.get(name) {
            Some(v) if v.chars().count() > MAX_TEXT => Err(bad(name, ParamProblem::TooLong { max: MAX_TEXT })),
            Some(v) if v.chars().any(char::is_control) => Err(bad(name, ParamProblem::ControlCharacters)),
            // Spaces around words are not part of them; only spaces are no text.
            v => Ok(v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)),
        }
    }

    /// One of a closed set of codes.
    pub fn code<T: FromStr<Err = UnknownCode>>(&self, name: &str) -> Result<Option<T>, AppError> {
        self.get(name)
            .map(|v| {
                v.parse::<T>().map_err(|e| {
                    bad(
                        name,
                        ParamProblem::NotOneOf {
                            value: e.value,
                            allowed: e.allowed.iter().map(|s| s.to_string()).collect(),
                        },
                    )
                })
            })
            .transpose()
    }

    /// A code of a controlled vocabulary.
    pub fn term(&self, name: &str, terms: &[Term]) -> Result<Option<String>, AppError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if terms.iter().any(|t| t.code == v) => Ok(Some(v.to_string())),
            Some(v) => Err(bad(
                name,
                ParamProblem::NotOneOf {
                    value: v.to_string(),
                    allowed: terms.iter().map(|t| t.code.clone()).collect(),
                },
            )),
        }
    }

    /// One of `allowed`, if given.
    pub fn one_of(&self, name: &str, allowed: &[String]) -> Result<Option<String>, AppError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if allowed.iter().any(|a| a == v) => Ok(Some(v.to_string())),
            Some(v) => Err(bad(name, ParamProblem::NotOneOf { value: v.to_string(), allowed: allowed.to_vec() })),
        }
    }

    /// One of `keys` (the comuni of a territory, say), if given: another names nothing here.
    pub fn key_among(&self, name: &str, keys: &[String]) -> Result<Option<String>, AppError> {
        match self.key(name)? {
            Some(key) if !keys.contains(&key) => Err(bad(name, ParamProblem::NoSuch { value: key })),
            key => Ok(key),
        }
    }

    /// A key (code or slug) of something that exists, e.g. a territory; checked by the caller.
    pub fn key(&self, name: &str) -> Result<Option<String>, AppError> {
        match self.get(name) {
            Some(v) if v.len() > 100 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
                Err(bad(name, ParamProblem::NotAKey { value: v.chars().take(100).collect() }))
            }
            v => Ok(v.map(str::to_string)),
        }
    }

    /// A whole number between `min` and `max`, if given.
    pub fn whole_number(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, AppError> {
        self.get(name)
            .map(|v| {
                let n: i64 =
                    v.parse().map_err(|_| bad(name, ParamProblem::NotAWholeNumber { value: v.to_string() }))?;
                if n < min || n > max {
                    return Err(bad(name, ParamProblem::OutOfRange { value: v.to_string(), min, max }));
                }
                Ok(n)
            })
            .transpose()
    }

    /// A boolean: `true` or `false` (also `1` and `0`); absent is false.
    pub fn flag(&self, name: &str) -> Result<bool, AppError> {
        match self.get(name) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(v) => Err(bad(
                name,
                ParamProblem::NotOneOf {
                    value: v.chars().take(100).collect(),
                    allowed: vec!["true".into(), "false".into()],
                },
            )),
        }
    }

    /// A UUID, as HSDS identifies records.
    pub fn uuid(&self, name: &str) -> Result<Option<String>, AppError> {
        match self.get(name) {
            Some(v) if !agio_directory::ids::is_uuid(v) => {
                Err(bad(name, ParamProblem::NotAUuid { value: v.chars().take(100).collect() }))
            }
            v => Ok(v.map(|v| v.to_lowercase())),
        }
    }

    /// `page` and `per_page`.
    pub fn page(&self) -> Result<PageRequest, AppError> {
        let page = self.whole_number("page", 1, 1_000_000)?;
        let per_page = self.whole_number("per_page", 1, agio_domain::paging::MAX_PER_PAGE as i64)?;
        PageRequest::new(page, per_page).map_err(|_| bad("page", ParamProblem::Unreadable))
    }
}

/// Percent-decodes `raw` into bytes (`+` is left as it is: only the escapes matter here).
fn percent_decode(raw: &str) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                decoded.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    decoded
}

/// Whether the percent-escapes of a query string decode to valid UTF-8 (the form decoder
/// would silently replace invalid bytes, and the search would run on something never typed).
pub(crate) fn percent_decodes_to_utf8(raw: &str) -> bool {
    std::str::from_utf8(&percent_decode(raw)).is_ok()
}

/// Whether a URL path decodes to UTF-8 text without control characters.
pub fn decodes_to_clean_text(raw: &str) -> bool {
    std::str::from_utf8(&percent_decode(raw)).map(|s| !s.chars().any(char::is_control)).unwrap_or(false)
}

/// Percent-encodes a value for a query string.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)]).map(|s| s[1..].to_string()).unwrap_or_default()
}

/// Rebuilds a query string from parameters, leaving out empty ones (for pagination links).
pub fn build(pairs: &[(&str, Option<String>)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use agio_domain::AgendaStatus;

    #[test]
    fn names_the_bad_parameter() {
        let p = Params::parse("status=ok&page=2").unwrap();
        match p.code::<AgendaStatus>("status") {
            Err(AppError::BadParam { name, .. }) => assert_eq!(name, "status"),
            other => panic!("expected a bad status, got {other:?}"),
        }
        assert_eq!(p.page().unwrap().page, 2);
        let p = Params::parse("page=-1").unwrap();
        assert!(matches!(p.page(), Err(AppError::BadParam { name, .. }) if name == "page"));
        let p = Params::parse("per_page=abc").unwrap();
        assert!(matches!(p.page(), Err(AppError::BadParam { name, .. }) if name == "per_page"));
    }

    #[test]
    fn control_characters_are_refused() {
        let p = Params::parse("q=a%00b").unwrap();
        assert!(matches!(p.text("q"), Err(AppError::BadParam { problem: ParamProblem::ControlCharacters, .. })));
        assert!(decodes_to_clean_text("/agende/citt%C3%A0"));
        assert!(!decodes_to_clean_text("/agende/%00"));
        assert!(!decodes_to_clean_text("/agende/%FF"));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(matches!(Params::parse("q=%FF%FE"), Err(AppError::BadParam { name, .. }) if name == "query"));
        assert_eq!(Params::parse("q=citt%C3%A0").unwrap().get("q"), Some("città"));
    }

    #[test]
    fn empty_values_mean_not_set() {
        let p = Params::parse("status=&q=%20").unwrap();
        assert_eq!(p.code::<AgendaStatus>("status").unwrap(), None);
        assert_eq!(p.text("q").unwrap(), None);
    }

    #[test]
    fn encodes_for_links() {
        assert_eq!(encode("/agende?status=approved"), "%2Fagende%3Fstatus%3Dapproved");
        assert_eq!(build(&[("a", Some("x y".into())), ("b", None)]), "a=x+y");
    }
}
