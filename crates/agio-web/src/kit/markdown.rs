//! Markdown from people, rendered inert: raw HTML is shown as text, links only to http(s),
//! mailto or this site, no images (they would load from other hosts), headings kept below the page's.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#')
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H3,
        other => other,
    }
}

pub fn to_html(text: &str) -> String {
    let events =
        Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = if safe_link(&dest_url) { dest_url } else { CowStr::from("#") };
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text(CowStr::from("")),
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
            }
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
            other => other,
        });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_inert() {
        let html = to_html("# Titolo\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![i](https://evil.example/i.png) <b onclick=\"x()\">b</b>");
        assert!(html.contains("<h3>Titolo</h3>"));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains(r##"href="#""##));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b onclick"));
    }

    #[test]
    fn keeps_ordinary_markdown() {
        assert_eq!(
            to_html("Uno **due**\n\n- a\n- b"),
            "<p>Uno <strong>due</strong></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
        );
    }
}
