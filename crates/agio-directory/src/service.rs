//! An HSDS service document read the way AGIO's pages and search need it.
//!
//! The document (as `/hsds/services/{id}?full=true` gives it) is the source of truth; this view
//! reads the fields people see, AGIO's extensions (`agio_*`) and the per-field translations
//! (`agio_translations.{lang}.{field}`, where a field inside a list is named by its position,
//! e.g. `required_documents.0.document`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::schedule::Schedule;

/// The language the main texts of a document are written in, unless it says otherwise.
pub const BASE_LANGUAGE: &str = "it";

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub eligibility_description: Option<String>,
    #[serde(default)]
    pub application_process: Option<String>,
    #[serde(default)]
    pub fees_description: Option<String>,
    #[serde(default)]
    pub interpretation_services: Option<String>,
    #[serde(default)]
    pub minimum_age: Option<f64>,
    #[serde(default)]
    pub maximum_age: Option<f64>,
    #[serde(default)]
    pub last_modified: Option<String>,
    #[serde(default)]
    pub organization: Option<Organization>,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub service_at_locations: Vec<ServiceAtLocation>,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub cost_options: Vec<CostOption>,
    #[serde(default)]
    pub required_documents: Vec<RequiredDocument>,
    #[serde(default)]
    pub service_areas: Vec<ServiceArea>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// AGIO: 0 information only … 4 fully online including payment.
    #[serde(default)]
    pub agio_digital_level: Option<u8>,
    /// AGIO: digital assets the service uses (`digital_identity`, `online_payment`, `app`).
    #[serde(default)]
    pub agio_assets: Vec<String>,
    /// AGIO: the two ways in, side by side.
    #[serde(default)]
    pub agio_access: Access,
    /// AGIO: the agenda action the service comes from.
    #[serde(default)]
    pub agio_action: Option<ActionRef>,
    /// AGIO: a one-sentence summary for result lists.
    #[serde(default)]
    pub agio_summary: Option<String>,
    /// AGIO: periods when the service is closed (holidays, summer closure).
    #[serde(default)]
    pub agio_closures: Vec<crate::schedule::Closure>,
    #[serde(default = "base_language")]
    pub agio_language: String,
    #[serde(default)]
    pub agio_translations: BTreeMap<String, BTreeMap<String, String>>,
    /// AGIO: fictional content shipped for demonstrations.
    #[serde(default)]
    pub agio_demo: bool,
}

fn base_language() -> String {
    BASE_LANGUAGE.to_string()
}

#[derive(Debug, Clone, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Phone {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Language {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CostOption {
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub option: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequiredDocument {
    #[serde(default)]
    pub document: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceArea {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phones: Vec<Phone>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attribute {
    #[serde(default)]
    pub taxonomy_term_id: Option<String>,
    #[serde(default)]
    pub link_type: Option<String>,
    #[serde(default)]
    pub taxonomy_term: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Access {
    #[serde(default)]
    pub online: Option<String>,
    #[serde(default)]
    pub in_person: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActionRef {
    pub agenda: String,
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceAtLocation {
    pub id: String,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub phones: Vec<Phone>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location_type: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    #[serde(default)]
    pub accessibility: Vec<Accessibility>,
    #[serde(default)]
    pub transportation: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub address_1: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub state_province: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Accessibility {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
}

/// A text in the language it is shown in, which may differ from the one asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized<'a> {
    pub text: &'a str,
    pub lang: &'a str,
}

impl<'a> Localized<'a> {
    /// Whether the text is shown in another language than `wanted` (pages then say so).
    pub fn is_other_than(&self, wanted: &str) -> bool {
        self.lang != wanted
    }
}

impl Service {
    pub fn from_document(document: &Value) -> Result<Service, serde_json::Error> {
        Service::deserialize(document)
    }

    /// The text of `field` in `lang`: its translation when there is one, else the original.
    /// `original` is the field's value in the document's own language.
    pub fn localized<'a>(&'a self, field: &str, original: &'a str, lang: &str) -> Localized<'a> {
        if lang != self.agio_language {
            if let Some((lang, text)) = self.agio_translations.get_key_value(lang).and_then(|(l, t)| {
                t.get(field).filter(|text| !text.trim().is_empty()).map(|text| (l.as_str(), text.as_str()))
            }) {
                return Localized { text, lang };
            }
        }
        Localized { text: original, lang: &self.agio_language }
    }

    /// Like [`Service::localized`] for an optional field: None when the field is empty.
    pub fn translated<'a>(&'a self, field: &str, original: Option<&'a String>, lang: &str) -> Option<Localized<'a>> {
        original.filter(|t| !t.trim().is_empty()).map(|t| self.localized(field, t, lang))
    }

    pub fn name_in<'a>(&'a self, lang: &str) -> Localized<'a> {
        self.localized("name", &self.name, lang)
    }

    /// Codes of the taxonomy terms of one vocabulary (`need`, `life_stage`, `target_group`)
    /// the service carries, read from its attributes.
    pub fn term_codes(&self, vocabulary: &str) -> Vec<String> {
        self.attributes
            .iter()
            .filter(|a| a.link_type.as_deref() == Some(vocabulary))
            .filter_map(|a| a.taxonomy_term.as_ref()?.get("code")?.as_str().map(str::to_string))
            .collect()
    }

    /// Language codes the service is offered in.
    pub fn language_codes(&self) -> Vec<String> {
        self.languages.iter().filter_map(|l| l.code.clone()).collect()
    }

    /// Free of charge: no cost option with an amount above zero.
    pub fn is_free(&self) -> bool {
        !self.cost_options.iter().any(|c| c.amount.is_some_and(|a| a > 0.0))
    }

    /// Whether a person can ask for it online (digital level 2 or more, or a digital channel).
    pub fn is_online(&self) -> bool {
        self.agio_digital_level.is_some_and(|l| l >= 2) || self.agio_access.online.is_some()
    }

    /// Whether it has a place to go to.
    pub fn is_in_person(&self) -> bool {
        self.service_at_locations.iter().any(|s| s.location.as_ref().is_some_and(|l| l.location_type != "virtual"))
    }

    /// Whether using it online needs SPID or CIE (then pages point to digital facilitation).
    pub fn needs_digital_identity(&self) -> bool {
        self.agio_assets.iter().any(|a| a == "digital_identity")
    }

    /// The address of its first location, if any.
    pub fn first_address(&self) -> Option<&Address> {
        self.service_at_locations.iter().filter_map(|s| s.location.as_ref()).find_map(|l| l.addresses.first())
    }

    /// Every schedule of the service: its own and those of its locations.
    pub fn all_schedules(&self) -> impl Iterator<Item = &Schedule> {
        self.schedules.iter().chain(self.service_at_locations.iter().flat_map(|s| s.schedules.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Service {
        Service::from_document(&json!({
            "id": "x", "name": "Sportello sociale", "status": "active",
            "description": "Ti ascoltiamo",
            "cost_options": [{ "id": "c", "amount": 0 }],
            "agio_translations": { "en": { "name": "Social desk", "description": "  " } },
        }))
        .unwrap()
    }

    #[test]
    fn translations_fall_back_to_the_original_and_say_so() {
        let s = sample();
        assert_eq!(s.name_in("en"), Localized { text: "Social desk", lang: "en" });
        assert_eq!(s.name_in("it"), Localized { text: "Sportello sociale", lang: "it" });
        let d = s.translated("description", s.description.as_ref(), "en").unwrap();
        assert!(d.is_other_than("en"));
        assert_eq!(d.text, "Ti ascoltiamo");
        assert!(s.is_free());
        assert!(!s.is_online());
    }
}
