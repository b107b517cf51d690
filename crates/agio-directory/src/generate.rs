//! Services built from templates: the demo directory (each template at the comuni or districts
//! it names, `data/directory/demo-services.json`) and synthetic directories of any size for
//! benchmarks (`agio bench gen`), with locations spread over all the comuni.

use std::collections::{BTreeMap, HashMap, HashSet};

use agio_domain::model::Term;
use agio_domain::Vocabulary;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::ids::stable_id;
use crate::taxonomy::attribute_json;

/// The demo templates, compiled into the program.
pub const DEMO_TEMPLATES: &str = include_str!("../../../data/directory/demo-services.json");

/// A text in Italian with its English translation.
#[derive(Debug, Clone, Deserialize)]
pub struct Text {
    pub it: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TextList {
    pub it: Vec<String>,
    pub en: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Cost {
    pub amount: f64,
    pub it: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Hours {
    pub days: String,
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    pub key: String,
    pub scope: String,
    #[serde(default)]
    pub districts: Option<Vec<String>>,
    #[serde(default)]
    pub r#where: BTreeMap<String, String>,
    pub provider: String,
    #[serde(default)]
    pub provider_name: BTreeMap<String, String>,
    pub name: Text,
    pub summary: Text,
    pub description: Text,
    pub who: Text,
    pub steps: TextList,
    pub online: Option<Text>,
    pub in_person: Option<Text>,
    #[serde(default)]
    pub documents: Vec<Text>,
    pub cost: Option<Cost>,
    pub needs: Vec<String>,
    pub life_stages: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
    pub digital_level: u8,
    #[serde(default)]
    pub assets: Vec<String>,
    pub languages: Vec<String>,
    pub schedule: Vec<Hours>,
    pub closed_note: Option<Text>,
    pub accessibility: Text,
    pub phone_suffix: String,
    pub email_local: String,
    #[serde(default)]
    pub action: BTreeMap<String, String>,
    #[serde(default)]
    pub facilitation: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComuneExtra {
    pub postcode: String,
    pub phone_prefix: String,
    pub streets: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Templates {
    pub comuni: BTreeMap<String, ComuneExtra>,
    pub templates: Vec<Template>,
}

impl Templates {
    pub fn demo() -> Result<Templates, serde_json::Error> {
        serde_json::from_str(DEMO_TEMPLATES)
    }
}

/// A comune as the generator places services in it.
#[derive(Debug, Clone)]
pub struct Comune {
    pub istat: String,
    pub name: String,
    pub province: String,
    pub province_code: String,
    pub lat: f64,
    pub lon: f64,
    /// Code and name of its district (`re-guastalla`, `Guastalla`).
    pub district_code: String,
    pub district_name: String,
    pub health_authority: String,
}

/// The agenda action a service comes from, as AGIO addresses it.
#[derive(Debug, Clone)]
pub struct ActionLink {
    pub agenda: String,
    pub code: String,
    pub title: String,
}

/// Labels of the vocabulary terms the templates use, by vocabulary and code.
pub type TermLabels = HashMap<(Vocabulary, String), Term>;

/// What a generator needs from the database.
pub struct Context<'a> {
    pub comuni: &'a [Comune],
    pub terms: &'a TermLabels,
    /// The action of a district with this title, if the demo agenda has it.
    pub action: &'a dyn Fn(&str, &str) -> Option<ActionLink>,
}

const LANGUAGE_NAMES: [(&str, &str); 11] = [
    ("it", "Italiano"),
    ("en", "English"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("ro", "Română"),
    ("uk", "Українська"),
    ("zh", "中文"),
    ("ur", "اردو"),
    ("sq", "Shqip"),
    ("es", "Español"),
    ("de", "Deutsch"),
];

/// Postal code of a comune the templates do not list: the provincial capital's (synthetic data).
fn province_postcode(code: &str) -> &'static str {
    match code {
        "PC" => "29121",
        "PR" => "43121",
        "RE" => "42121",
        "MO" => "41121",
        "BO" => "40121",
        "FE" => "44121",
        "RA" => "48121",
        "FC" => "47121",
        _ => "47921",
    }
}

fn province_prefix(code: &str) -> &'static str {
    match code {
        "PC" => "0523",
        "PR" => "0521",
        "RE" => "0522",
        "MO" => "059",
        "BO" => "051",
        "FE" => "0532",
        "RA" => "0544",
        "FC" => "0543",
        _ => "0541",
    }
}

/// One service to build: a template at a comune, with a variant number for synthetic copies.
struct Instance<'a> {
    template: &'a Template,
    comune: &'a Comune,
    /// The district-level instance (named after the district) rather than a comune's.
    district_wide: bool,
    variant: usize,
}

/// The demo directory: every template at the comuni (scope `comune`) or in the districts
/// (scope `district`) of the demo agendas.
pub fn demo_services(templates: &Templates, context: &Context) -> Result<Vec<Value>, String> {
    let mut instances = Vec::new();
    for t in &templates.templates {
        let districts: Vec<String> =
            t.districts.clone().unwrap_or_else(|| vec!["re-guastalla".into(), "rn-rimini".into()]);
        for district in &districts {
            let comuni: Vec<&Comune> = context.comuni.iter().filter(|c| &c.district_code == district).collect();
            if comuni.is_empty() {
                return Err(format!("template {}: no comuni in district {district}", t.key));
            }
            if t.scope == "district" {
                let at = t.r#where.get(district);
                let main = comuni
                    .iter()
                    .find(|c| at.is_some_and(|a| *a == c.istat))
                    .or_else(|| comuni.iter().find(|c| c.name == c.district_name))
                    .unwrap_or(&comuni[0]);
                instances.push(Instance { template: t, comune: main, district_wide: true, variant: 0 });
            } else {
                instances.extend(comuni.iter().map(|c| Instance {
                    template: t,
                    comune: c,
                    district_wide: false,
                    variant: 0,
                }));
            }
        }
    }
    let mut slugs = HashSet::new();
    instances.iter().map(|i| build(i, templates, context, true, &mut slugs)).collect()
}

/// `count` synthetic services: templates in turn, each at a comune picked by a fixed
/// pseudo-random sequence (the same `seed` gives the same directory).
pub fn synthetic_services(
    templates: &Templates,
    context: &Context,
    count: usize,
    seed: u64,
    mut emit: impl FnMut(Value) -> Result<(), String>,
) -> Result<(), String> {
    let mut random = seed.max(1);
    let mut next = move || {
        // xorshift64: enough to spread services, no dependency for it.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut slugs = HashSet::new();
    for n in 0..count {
        let template = &templates.templates[n % templates.templates.len()];
        let comune = &context.comuni[(next() % context.comuni.len() as u64) as usize];
        let instance = Instance { template, comune, district_wide: false, variant: n + 1 };
        emit(build(&instance, templates, context, false, &mut slugs)?)?;
    }
    Ok(())
}

fn build(
    instance: &Instance,
    templates: &Templates,
    context: &Context,
    demo: bool,
    slugs: &mut HashSet<String>,
) -> Result<Value, String> {
    let Instance { template: t, comune: c, district_wide, variant } = *instance;
    let place_label = if district_wide { format!("Distretto di {}", c.district_name) } else { c.name.clone() };
    let place_label_en = if district_wide { format!("{} district", c.district_name) } else { c.name.clone() };
    let key = if variant == 0 {
        format!("{}:{}:{}", t.key, c.istat, district_wide)
    } else {
        format!("{}:{}:{variant}", t.key, c.istat)
    };
    let id = stable_id(&["service", &key]);
    let mut name = format!("{} – {place_label}", t.name.it);
    let mut name_en = format!("{} – {place_label_en}", t.name.en);
    if variant > 0 {
        name = format!("{name} ({variant})");
        name_en = format!("{name_en} ({variant})");
    }
    let mut slug = agio_domain::slugify(&name);
    while !slugs.insert(slug.clone()) {
        slug.push_str("-2");
    }
    let extra = templates.comuni.get(&c.istat);
    let postcode = extra.map(|e| e.postcode.as_str()).unwrap_or_else(|| province_postcode(&c.province_code));
    let prefix = extra.map(|e| e.phone_prefix.as_str()).unwrap_or_else(|| province_prefix(&c.province_code));
    let street = extra
        .and_then(|e| e.streets.get((variant + t.key.len()) % e.streets.len().max(1)))
        .cloned()
        .unwrap_or_else(|| format!("Piazza del Municipio {}", 1 + variant % 40));
    let (org_name, org_domain) = provider(t, c);
    let org_id = stable_id(&["organization", &org_name]);
    let town = agio_domain::slugify(&c.name).replace('-', "");
    let email = format!("{}@{}", t.email_local, org_domain.replace("{town}", &town));
    let phone = format!("+39 {prefix} {}", t.phone_suffix);
    // A few hundred metres around the town centre, so that locations in a town differ.
    let offset = |salt: &str| (stable_id(&[&key, salt]).as_bytes()[0] as f64 - 100.0) / 30_000.0;
    let (lat, lon) = (c.lat + offset("lat"), c.lon + offset("lon"));
    let location_id = stable_id(&["location", &key]);

    let schedules: Vec<Value> = t
        .schedule
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut schedule = json!({
                "id": stable_id(&["schedule", &key, &i.to_string()]),
                "freq": "WEEKLY",
                "byday": h.days,
                "opens_at": h.opens,
                "closes_at": h.closes,
            });
            if let Some(note) = &t.closed_note {
                schedule["description"] = json!(note.it);
            }
            schedule
        })
        .collect();
    let languages: Vec<Value> = t
        .languages
        .iter()
        .map(|code| {
            let name = LANGUAGE_NAMES.iter().find(|(c, _)| c == code).map(|(_, n)| *n).unwrap_or(code);
            json!({ "id": stable_id(&["language", &key, code]), "name": name, "code": code })
        })
        .collect();
    let mut attributes = Vec::new();
    for (vocabulary, codes) in [
        (Vocabulary::Need, &t.needs),
        (Vocabulary::LifeStage, &t.life_stages),
        (Vocabulary::TargetGroup, &t.target_groups),
    ] {
        for code in codes {
            let term = context
                .terms
                .get(&(vocabulary, code.clone()))
                .ok_or_else(|| format!("template {}: unknown {} '{code}'", t.key, vocabulary.code()))?;
            attributes.push(attribute_json(&id, vocabulary, term));
        }
    }
    let mut en = Map::new();
    let mut translate = |field: String, text: &str| {
        en.insert(field, Value::String(text.to_string()));
    };
    translate("name".into(), &name_en);
    translate("description".into(), &t.description.en);
    translate("agio_summary".into(), &t.summary.en);
    translate("eligibility_description".into(), &t.who.en);
    translate("application_process".into(), &numbered(&t.steps.en));
    if let Some(online) = &t.online {
        translate("agio_access.online".into(), &online.en);
    }
    if let Some(in_person) = &t.in_person {
        translate("agio_access.in_person".into(), &in_person.en);
    }
    if let Some(cost) = &t.cost {
        translate("fees_description".into(), &cost.en);
    }
    for (i, d) in t.documents.iter().enumerate() {
        translate(format!("required_documents.{i}.document"), &d.en);
    }
    translate("service_at_locations.0.location.accessibility.0.description".into(), &t.accessibility.en);
    if let Some(note) = &t.closed_note {
        for i in 0..t.schedule.len() {
            translate(format!("service_at_locations.0.schedules.{i}.description"), &note.en);
        }
    }

    let mut service = json!({
        "id": id,
        "name": name,
        "description": t.description.it,
        "email": email,
        "status": "active",
        "eligibility_description": t.who.it,
        "application_process": numbered(&t.steps.it),
        "last_modified": format!("2026-{:02}-{:02}T09:00:00Z", 9 + (t.key.len() % 3), 1 + (c.istat.len() + variant) % 28),
        "phones": [{ "id": stable_id(&["phone", &key]), "number": phone, "type": "voice" }],
        "service_areas": [{
            "id": stable_id(&["area", &key]),
            "name": place_label,
            "extent_type": "other",
        }],
        "service_at_locations": [{
            "id": stable_id(&["service_at_location", &key]),
            "schedules": schedules,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "name": format!("{} – {}", org_name, c.name),
                "latitude": round(lat),
                "longitude": round(lon),
                "addresses": [{
                    "id": stable_id(&["address", &key]),
                    "address_1": street,
                    "city": c.name,
                    "state_province": c.province,
                    "postal_code": postcode,
                    "country": "IT",
                    "address_type": "physical",
                }],
                "accessibility": [{ "id": stable_id(&["accessibility", &key]), "description": t.accessibility.it }],
            },
        }],
        "languages": languages,
        "organization": {
            "id": org_id,
            "name": org_name,
            "description": format!("{org_name}: servizi sociali e sanitari del territorio."),
            "email": format!("info@{}", org_domain.replace("{town}", &town)),
        },
        "required_documents": t.documents.iter().enumerate().map(|(i, d)| json!({
            "id": stable_id(&["document", &key, &i.to_string()]),
            "document": d.it,
        })).collect::<Vec<_>>(),
        "attributes": attributes,
        "agio_summary": t.summary.it,
        "agio_digital_level": t.digital_level,
        "agio_access": {
            "online": t.online.as_ref().map(|o| o.it.clone()),
            "in_person": t.in_person.as_ref().map(|o| o.it.clone()),
        },
        "agio_language": "it",
        "agio_translations": { "en": en },
    });
    let object = service.as_object_mut().expect("built as an object");
    if let Some(cost) = &t.cost {
        object.insert("fees_description".into(), json!(cost.it));
        if cost.amount > 0.0 {
            object.insert(
                "cost_options".into(),
                json!([{ "id": stable_id(&["cost", &key]), "amount": cost.amount, "currency": "EUR", "option": cost.it }]),
            );
        }
    }
    if !t.assets.is_empty() {
        object.insert("agio_assets".into(), json!(t.assets));
    }
    if t.languages.len() > 1 {
        object.insert("interpretation_services".into(), json!("Mediazione linguistica su richiesta"));
    }
    // An empty list says nothing (and a CSV export could not tell it from an absent one).
    object.retain(|_, v| !matches!(v, Value::Array(items) if items.is_empty()));
    // HSDS forbids null where a type is given: drop the channels a template has not.
    if let Some(access) = object.get_mut("agio_access").and_then(Value::as_object_mut) {
        access.retain(|_, v| !v.is_null());
    }
    if demo {
        object.insert("agio_demo".into(), json!(true));
        if let Some(link) = t.action.get(&c.district_code).and_then(|title| (context.action)(&c.district_code, title)) {
            object
                .insert("agio_action".into(), json!({ "agenda": link.agenda, "code": link.code, "title": link.title }));
        }
    }
    Ok(service)
}

fn round(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0
}

fn numbered(steps: &[String]) -> String {
    steps.iter().enumerate().map(|(i, s)| format!("{}. {s}", i + 1)).collect::<Vec<_>>().join("\n")
}

/// Who runs a template's service at a comune, and the domain of its email addresses.
fn provider(t: &Template, c: &Comune) -> (String, String) {
    match t.provider.as_str() {
        "comune" => (format!("Comune di {}", c.name), format!("comune.{{town}}.{}.it", c.province_code.to_lowercase())),
        "ausl" => {
            (c.health_authority.clone(), format!("{}.it", agio_domain::slugify(&c.health_authority).replace('-', "")))
        }
        "union" => {
            let name = format!("Servizi sociali del Distretto di {}", c.district_name);
            (name, format!("distretto{}.it", agio_domain::slugify(&c.district_name).replace('-', "")))
        }
        _ => {
            let name = t
                .provider_name
                .get(&c.district_code)
                .cloned()
                .unwrap_or_else(|| format!("Rete del terzo settore di {}", c.district_name));
            let domain = format!("{}.it", agio_domain::slugify(&name).replace('-', ""));
            (name, domain)
        }
    }
}
