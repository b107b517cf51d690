//! The one check for "a path on this site", used by every redirect whose target comes from the
//! request (`next`, `return_to`, the language switch).
//!
//! Browsers are lenient with `Location`: they drop tabs and line breaks, read `\` as `/`, and
//! take `//host` as another site. So the target is parsed, not pattern-matched: it is refused
//! when it (or its percent-decoded form, for servers and proxies that decode once more) holds a
//! control character, white space or a backslash, or begins with `//`; what remains is resolved
//! against this site with the WHATWG URL parser and kept only if it is still on this site. The
//! answer is the parser's serialisation (path, query, fragment), so it is always a valid header.

use percent_encoding::percent_decode_str;
use url::Url;

/// Any origin serves: only whether the target leaves it matters.
const THIS_SITE: &str = "http://agio.invalid/";

/// `raw` as a local path to redirect to, or `None` when it could lead elsewhere.
pub fn local_path(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8_lossy();
    if [raw, decoded.as_ref()].iter().any(|s| !plain_absolute_path(s)) {
        return None;
    }
    let base = Url::parse(THIS_SITE).expect("a valid base URL");
    let target = base.join(raw).ok()?;
    if target.origin() != base.origin() || target.username() != "" || target.password().is_some() {
        return None;
    }
    let mut local = target.path().to_string();
    if let Some(query) = target.query() {
        local.push('?');
        local.push_str(query);
    }
    if let Some(fragment) = target.fragment() {
        local.push('#');
        local.push_str(fragment);
    }
    // Dot segments are resolved now: `/.//host` has become `//host`.
    plain_absolute_path(&local).then_some(local)
}

/// `raw` as a local path, or `fallback`.
pub fn local_path_or(raw: Option<&str>, fallback: &str) -> String {
    raw.and_then(local_path).unwrap_or_else(|| fallback.to_string())
}

/// One leading slash, then nothing a browser could read as a second slash or a scheme.
fn plain_absolute_path(s: &str) -> bool {
    s.starts_with('/')
        && !s.starts_with("//")
        && !s.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace() || is_slash_like(c))
}

/// Characters some software folds into `/` (fullwidth solidus, division slash, fraction slash…).
fn is_slash_like(c: char) -> bool {
    matches!(c, '\u{2044}' | '\u{2215}' | '\u{FF0F}' | '\u{29F8}' | '\u{FE68}' | '\u{FF3C}' | '\u{2216}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept_and_normalised() {
        assert_eq!(local_path("/agende/x").as_deref(), Some("/agende/x"));
        assert_eq!(local_path("/agende?status=approvata#a").as_deref(), Some("/agende?status=approvata#a"));
        assert_eq!(local_path("/servizi?q=città").as_deref(), Some("/servizi?q=citt%C3%A0"));
        assert_eq!(local_path("/a/../b").as_deref(), Some("/b"));
    }

    #[test]
    fn anything_that_could_leave_is_refused() {
        for bad in [
            "",
            "evil.example",
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nLocation: x",
            "/\u{0B}/x",
            "/\\evil.example",
            "\\/evil.example",
            "/%2f/evil.example",
            "/%5cevil.example",
            "/%09/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\u{FF0F}evil.example",
            "/ /x",
            "/.//evil.example",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path_or(Some("//x"), "/area-personale"), "/area-personale");
    }
}
