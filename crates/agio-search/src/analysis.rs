//! How texts become terms: Italian and English stemming after accent and case folding, and a
//! folded-only form for typo tolerance.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
    TokenizerManager,
};

pub const ITALIAN: &str = "agio_it";
pub const ENGLISH: &str = "agio_en";
pub const FOLDED: &str = "agio_folded";

pub(crate) fn analyzer(language: Option<Language>) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match language {
        Some(language) => builder.filter(Stemmer::new(language)).build(),
        None => builder.build(),
    }
}

pub fn register(manager: &TokenizerManager) {
    manager.register(ITALIAN, analyzer(Some(Language::Italian)));
    manager.register(ENGLISH, analyzer(Some(Language::English)));
    manager.register(FOLDED, analyzer(None));
}

/// The terms an analyzer makes of a text.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// A text folded to lowercase ASCII words (`Città` → `citta`; `l'affitto` → `l`, `affitto`).
pub fn words(text: &str) -> Vec<String> {
    tokens(&mut analyzer(None), text)
}

/// The folded form of a whole text, words joined by single spaces.
pub fn fold(text: &str) -> String {
    words(text).join(" ")
}

/// Italian and English words that say nothing about a need (they would match everything), and
/// the relatives a person searches for ("per mia madre": the need is in the other words).
pub fn stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "a", "ad", "al", "alla", "alle", "allo", "ai", "agli", "che", "chi", "ci", "con", "cosa", "come", "da", "dal",
        "dalla", "dei", "del", "della", "delle", "dello", "di", "e", "ed", "gli", "ho", "i", "il", "in", "io", "l",
        "la", "le", "lo", "ma", "mi", "mia", "mie", "miei", "mio", "ne", "nei", "nel", "nella", "non", "o", "per",
        "piu", "posso", "qui", "se", "si", "sono", "su", "sua", "suo", "sul", "sulla", "ti", "tra", "tu", "un", "una",
        "uno", "vorrei", "voglio", "cerco", "serve", "aiuto", "the", "of", "for", "and", "to", "an", "my", "me", "i",
        "is", "with", "on", "at", "need", "help", "how", "can", "do", "where", "get", "madre", "padre", "marito",
        "moglie", "fratello", "sorella", "suocera", "suocero", "zia", "zio", "mother", "father", "husband", "wife",
        "mum", "mom", "dad", "brother", "sister", "so", "sa", "sai",
    ];
    STOP.contains(&word)
}
