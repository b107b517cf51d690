//! Decidim's rich texts are HTML written by its editor. AGIO never renders another site's HTML:
//! it keeps the words, one paragraph or list item per line, and escapes them like any text.

/// The text of an HTML fragment: tags dropped, block ends turned into line breaks, the usual
/// entities decoded, runs of blank lines and spaces folded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                // A lone '<' is text.
                out.push('<');
                rest = &rest[1..];
                continue;
            };
            let tag = rest[1..end].trim_start_matches('/').to_ascii_lowercase();
            let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
            if matches!(name, "p" | "br" | "li" | "div" | "h1" | "h2" | "h3" | "h4" | "tr" | "ul" | "ol") {
                out.push('\n');
            }
            rest = &rest[end + 1..];
        } else {
            let (decoded, used) = entity(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    let lines: Vec<String> =
        out.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    lines.join("\n")
}

/// The character an entity at the start of `s` stands for, and its length; a '&' that starts
/// no known entity is itself.
fn entity(s: &str) -> (String, usize) {
    // Entities are short: the ';' must come within the first 12 bytes (counted as bytes, so
    // that a multi-byte character there cannot split a slice).
    let Some(end) = s.bytes().take(12).position(|b| b == b';') else { return ("&".into(), 1) };
    let name = &s[1..end];
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => None,
    };
    let numeric = || {
        let n = name.strip_prefix('#')?;
        let code = match n.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => n.parse().ok()?,
        };
        char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')
    };
    match named.or_else(numeric) {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::plain_text;

    #[test]
    fn paragraphs_and_items_become_lines() {
        let html = "<p>Il Community Lab raccoglie bisogni.</p><ul><li>Fase 1: ascolto</li><li>Fase 2: tavolo</li></ul>";
        assert_eq!(plain_text(html), "Il Community Lab raccoglie bisogni.\nFase 1: ascolto\nFase 2: tavolo");
    }

    #[test]
    fn markup_and_scripts_lose_their_tags_and_entities_are_decoded() {
        assert_eq!(
            plain_text("<script>alert(1)</script>a &lt;b&gt; &amp; l&#39;uso&nbsp;x"),
            "alert(1)a <b> & l'uso x"
        );
        assert_eq!(plain_text("1 < 2 & 3 &unknown; &#0;"), "1 < 2 & 3 &unknown; &#0;");
        assert_eq!(plain_text("<a href=\"javascript:x\" onclick='y'>link</a>"), "link");
        // A bare '&' before accented text is text, whatever falls at the 12th byte.
        assert_eq!(plain_text("Cura & àààààààà;"), "Cura & àààààààà;");
        assert_eq!(plain_text("&àààààà"), "&àààààà");
    }
}
