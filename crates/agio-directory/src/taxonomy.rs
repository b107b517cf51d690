//! The directory's taxonomies: needs written for people (casa, salute, …), the life stages and
//! the target groups of the agendas. They are AGIO's controlled vocabularies (table
//! `vocabulary_terms`), published as HSDS taxonomies and taxonomy terms with stable UUIDs.

use agio_domain::model::Term;
use agio_domain::Vocabulary;
use serde_json::{json, Value};

use crate::ids::stable_id;

/// The vocabularies the directory classifies services by, in the order pages show them.
pub const DIRECTORY_VOCABULARIES: [Vocabulary; 3] = [Vocabulary::Need, Vocabulary::LifeStage, Vocabulary::TargetGroup];

/// The need that marks a point of digital facilitation.
pub const DIGITAL_FACILITATION: &str = "facilitazione_digitale";

pub fn taxonomy_id(vocabulary: Vocabulary) -> String {
    stable_id(&["taxonomy", vocabulary.code()])
}

pub fn term_id(vocabulary: Vocabulary, code: &str) -> String {
    stable_id(&["term", vocabulary.code(), code])
}

/// Name and description of a taxonomy, in Italian and English.
fn taxonomy_texts(vocabulary: Vocabulary) -> [&'static str; 4] {
    match vocabulary {
        Vocabulary::Need => [
            "Bisogni",
            "Di che cosa ha bisogno una persona: casa, lavoro, salute, famiglia… (AGIO)",
            "Needs",
            "What a person needs: housing, work, health, family… (AGIO)",
        ],
        Vocabulary::LifeStage => [
            "Fasi della vita",
            "Le fasi della vita a cui un servizio si rivolge (AGIO)",
            "Life stages",
            "The stages of life a service is for (AGIO)",
        ],
        _ => [
            "Destinatari",
            "I gruppi di persone a cui un servizio si rivolge (AGIO)",
            "Target groups",
            "The groups of people a service is for (AGIO)",
        ],
    }
}

/// An HSDS taxonomy object for one of the directory's vocabularies.
pub fn taxonomy_json(vocabulary: Vocabulary) -> Value {
    let [name, description, name_en, description_en] = taxonomy_texts(vocabulary);
    json!({
        "id": taxonomy_id(vocabulary),
        "name": name,
        "description": description,
        "version": "1",
        "agio_code": vocabulary.code(),
        "agio_translations": { "en": { "name": name_en, "description": description_en } },
    })
}

/// An HSDS taxonomy term (Italian labels, English as a translation).
pub fn term_json(vocabulary: Vocabulary, term: &Term) -> Value {
    json!({
        "id": term_id(vocabulary, &term.code),
        "code": term.code,
        "name": term.label_it,
        "description": term.label_it,
        "taxonomy": taxonomy_texts(vocabulary)[0],
        "taxonomy_id": taxonomy_id(vocabulary),
        "language": "it",
        "agio_translations": { "en": { "name": term.label_en, "description": term.label_en } },
    })
}

/// The attribute that links a service to a taxonomy term.
pub fn attribute_json(service_id: &str, vocabulary: Vocabulary, term: &Term) -> Value {
    json!({
        "id": stable_id(&["attribute", service_id, vocabulary.code(), &term.code]),
        "link_id": service_id,
        "link_type": vocabulary.code(),
        "link_entity": "service",
        "taxonomy_term_id": term_id(vocabulary, &term.code),
        "taxonomy_term": term_json(vocabulary, term),
    })
}
