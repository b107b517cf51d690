//! UI text in Italian (first) and English, from `locales/*.txt` (`key = text` lines).
//! Labels of controlled vocabularies come from the database instead.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The UI language of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, offered by the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::It => Lang::En,
            Lang::En => Lang::It,
        }
    }

    pub fn catalogue(self) -> &'static Catalogue {
        match self {
            Lang::It => &IT,
            Lang::En => &EN,
        }
    }
}

/// The texts of one language.
#[derive(Debug)]
pub struct Catalogue {
    texts: HashMap<&'static str, &'static str>,
}

fn parse(source: &'static str) -> Catalogue {
    let texts = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), unescape(v.trim())))
        .collect();
    Catalogue { texts }
}

/// `\n` in a text is a line break (email bodies). The catalogue lives for the whole program,
/// so the few texts that need a new string are leaked once.
fn unescape(text: &'static str) -> &'static str {
    if text.contains("\\n") {
        Box::leak(text.replace("\\n", "\n").into_boxed_str())
    } else {
        text
    }
}

static IT: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../../locales/it.txt")));
static EN: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../../locales/en.txt")));

impl Catalogue {
    /// The text for `key`; a missing key shows as itself (and fails the catalogue test).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.texts.get(key).copied().unwrap_or(key)
    }

    /// The label for a computed key (a status or kind: `agenda_status.approved`); empty when
    /// missing (a test checks every code has one). Literal keys go through [`Catalogue::t`].
    pub fn label(&self, key: &str) -> &'static str {
        self.texts.get(key).copied().unwrap_or("")
    }

    /// The text for `key` with `{name}` placeholders replaced.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.texts.get(key).copied().unwrap_or(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn keys(&self) -> impl Iterator<Item = &&'static str> {
        self.texts.keys()
    }
}

/// A date (or the date part of a timestamp) as 01/02/2025 in Italian, 2025-02-01 in English;
/// a dash for anything that does not begin with a `YYYY-MM-DD` date.
pub fn date(lang: Lang, text: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Some(date) = text.get(..10).and_then(|d| time::Date::parse(d, &format).ok()) else {
        return "—".to_string();
    };
    match lang {
        Lang::It => format!("{:02}/{:02}/{}", date.day(), u8::from(date.month()), date.year()),
        Lang::En => format!("{}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
    }
}

/// A wait as people say it: "30 secondi", "5 minuti" (rounded up to the minute past one).
pub fn wait(lang: Lang, wait: time::Duration) -> String {
    let seconds = wait.whole_seconds().max(1);
    let (n, unit) = match seconds {
        1..=59 => (seconds, if seconds == 1 { "second" } else { "seconds" }),
        _ => ((seconds + 59) / 60, if seconds <= 60 { "minute" } else { "minutes" }),
    };
    let word = match (lang, unit) {
        (Lang::It, "second") => "secondo",
        (Lang::It, "seconds") => "secondi",
        (Lang::It, "minute") => "minuto",
        (Lang::It, _) => "minuti",
        (Lang::En, unit) => unit,
    };
    format!("{n} {word}")
}

/// A file's size as people read it: "1,2 MB", "830 kB".
pub fn size(lang: Lang, bytes: i64) -> String {
    match bytes >= 1_000_000 {
        true => format!("{} MB", decimal(lang, (bytes as f64 / 100_000.0).round() / 10.0)),
        false => format!("{} kB", (bytes + 999) / 1000),
    }
}

/// Formats an integer with Italian or English thousands separators.
pub fn number(lang: Lang, n: i64) -> String {
    let sep = if lang == Lang::It { '.' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Formats an amount in euro cents as "€ 1.234,56" (it) or "€1,234.56" (en).
pub fn euros(lang: Lang, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let whole = number(lang, (cents / 100).abs());
    let rest = (cents % 100).abs();
    match lang {
        Lang::It => format!("{sign}€ {whole},{rest:02}"),
        Lang::En => format!("{sign}€{whole}.{rest:02}"),
    }
}

/// Formats an indicator value: no decimals when whole.
pub fn decimal(lang: Lang, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        number(lang, v as i64)
    } else {
        let s = format!("{v:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        if lang == Lang::It {
            s.replace('.', ",")
        } else {
            s
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn dates_and_amounts_never_panic_on_odd_text() {
        assert_eq!(date(Lang::It, "2025-02-01T10:00:00Z"), "01/02/2025");
        assert_eq!(date(Lang::En, "2025-02-01"), "2025-02-01");
        for odd in ["", "2025", "2025-0é-01", "20€5-01-01xx", "ééééééééééé", "2025-13-40"] {
            assert_eq!(date(Lang::It, odd), "—", "{odd:?}");
        }
        assert_eq!(euros(Lang::It, -50), "-€ 0,50");
        assert_eq!(euros(Lang::En, 123_456), "€1,234.56");
    }
    use std::collections::BTreeSet;

    #[test]
    fn catalogues_have_the_same_keys() {
        let it: BTreeSet<_> = IT.keys().collect();
        let en: BTreeSet<_> = EN.keys().collect();
        assert_eq!(it.difference(&en).collect::<Vec<_>>(), Vec::<&&&str>::new(), "keys missing in en");
        assert_eq!(en.difference(&it).collect::<Vec<_>>(), Vec::<&&&str>::new(), "keys missing in it");
    }

    /// Every `t("…")` used by a template or the code has a text in both catalogues.
    #[test]
    fn every_used_key_exists() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sources: Vec<(String, String)> = source_files(&src)
            .into_iter()
            .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        let mut missing = vec![];
        for (file, text) in &sources {
            for part in text.split("t(\"").skip(1).chain(text.split("fmt(\"").skip(1)) {
                let key = part.split('"').next().unwrap();
                if key.contains('.') && !key.contains('{') && !key.ends_with('.') && !IT.texts.contains_key(key) {
                    missing.push(format!("{file}: {key}"));
                }
            }
        }
        assert!(missing.is_empty(), "keys without text: {missing:#?}");
    }

    /// Every file below `dir`: the code and templates of every feature folder.
    pub(crate) fn source_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = vec![];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            match path.is_dir() {
                true => files.extend(source_files(&path)),
                false => files.push(path),
            }
        }
        files
    }

    /// Every label of a closed code set (statuses, kinds) has a text in both languages.
    #[test]
    fn every_code_has_a_label() {
        use agio_domain::*;
        let mut keys: Vec<String> = vec![];
        keys.extend(TerritoryKind::ALL.iter().map(|c| c.label_key()));
        keys.extend(AgendaStatus::ALL.iter().map(|c| c.label_key()));
        keys.extend(ActionStatus::ALL.iter().map(|c| c.label_key()));
        keys.extend(ActionTerm::ALL.iter().map(|c| c.label_key()));
        keys.extend(PartnerRole::ALL.iter().map(|c| c.label_key()));
        keys.extend(ResultKind::ALL.iter().map(|c| c.label_key()));
        keys.extend(Direction::ALL.iter().map(|c| c.label_key()));
        keys.extend(AssetKind::ALL.iter().map(|c| c.label_key()));
        keys.extend(AssetStatus::ALL.iter().map(|c| c.label_key()));
        keys.extend(Vocabulary::ALL.iter().map(|c| c.label_key()));
        for key in keys {
            assert!(!IT.label(&key).is_empty() && !EN.label(&key).is_empty(), "no label for {key}");
        }
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(number(Lang::It, 1234567), "1.234.567");
        assert_eq!(number(Lang::En, 999), "999");
        assert_eq!(euros(Lang::It, 4500050), "€ 45.000,50");
        assert_eq!(euros(Lang::En, 4500050), "€45,000.50");
        assert_eq!(decimal(Lang::It, 12.5), "12,5");
        assert_eq!(decimal(Lang::En, 300.0), "300");
    }
}
