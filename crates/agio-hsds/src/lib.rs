//! The Open Referral HSDS 3.0 schemas, as published (embedded from `data/hsds/3.0/schema`,
//! CC BY-SA 4.0, see `data/ATTRIBUTION.md`), and the validation of HSDS documents against
//! them. Every HSDS document AGIO imports or serves goes through [`Schemas::check`], so that
//! what it accepts and what it publishes is exactly what the specification says.

pub mod json;
pub mod tabular;

use std::collections::HashMap;
use std::sync::LazyLock;

use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

/// Where the specification publishes its schemas: the files are registered under these
/// addresses, so their relative `$ref`s (`"organization.json"`) resolve without a network.
pub const BASE: &str = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/";

macro_rules! schema_files {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../../data/hsds/3.0/schema/", $name)))),+]
    };
}

/// Every object schema of HSDS 3.0, by file name.
const FILES: &[(&str, &str)] = schema_files![
    "accessibility.json",
    "address.json",
    "attribute.json",
    "contact.json",
    "cost_option.json",
    "funding.json",
    "language.json",
    "location.json",
    "meta_table_description.json",
    "metadata.json",
    "organization.json",
    "organization_identifier.json",
    "phone.json",
    "program.json",
    "required_document.json",
    "schedule.json",
    "service.json",
    "service_area.json",
    "service_at_location.json",
    "taxonomy.json",
    "taxonomy_term.json",
    "compiled/organization_list.json",
    "compiled/service_at_location_list.json",
    "compiled/service_list.json",
];

/// The text of a published schema file (`service.json`, `compiled/service_list.json`), as
/// embedded here.
pub fn file(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The HSDS objects a document can be checked as (those the API serves on their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Object {
    Service,
    Organization,
    Location,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    /// An item of a list of services (`/services`): the service without its nested lists.
    ServiceListItem,
    OrganizationListItem,
    ServiceAtLocationListItem,
}

impl Object {
    pub const ALL: &'static [Object] = &[
        Object::Service,
        Object::Organization,
        Object::Location,
        Object::ServiceAtLocation,
        Object::Taxonomy,
        Object::TaxonomyTerm,
        Object::ServiceListItem,
        Object::OrganizationListItem,
        Object::ServiceAtLocationListItem,
    ];

    fn file(self) -> &'static str {
        match self {
            Object::Service => "service.json",
            Object::Organization => "organization.json",
            Object::Location => "location.json",
            Object::ServiceAtLocation => "service_at_location.json",
            Object::Taxonomy => "taxonomy.json",
            Object::TaxonomyTerm => "taxonomy_term.json",
            Object::ServiceListItem => "compiled/service_list.json",
            Object::OrganizationListItem => "compiled/organization_list.json",
            Object::ServiceAtLocationListItem => "compiled/service_at_location_list.json",
        }
    }
}

/// One way a document departs from the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the document, as a JSON pointer (`/service_at_locations/0/location/name`);
    /// empty for the document itself (a required field missing, say).
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.path.as_str() {
            "" => write!(f, "{}", self.message),
            path => write!(f, "{path}: {}", self.message),
        }
    }
}

/// One thing wrong in a file to import, located so that a person can find it: the file, the
/// row (CSV: the line number, the header being line 1) or record (JSON: its position in the
/// list, from 1), the field (a CSV column, or a JSON pointer inside the record) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: String,
    pub row: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl ImportProblem {
    pub fn new(file: impl Into<String>, row: Option<usize>, field: Option<&str>, message: impl Into<String>) -> Self {
        ImportProblem { file: file.into(), row, field: field.map(str::to_string), message: message.into() }
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the HSDS schema {file} cannot be used: {reason}")]
pub struct SchemaError {
    file: &'static str,
    reason: String,
}

/// The compiled schemas, one validator per object.
pub struct Schemas {
    validators: HashMap<Object, Validator>,
}

impl Schemas {
    /// Compiles the embedded schemas (about 50 ms; use [`schemas`] for the shared copy).
    pub fn compile() -> Result<Schemas, SchemaError> {
        let parse = |(file, text): &(&'static str, &str)| {
            serde_json::from_str::<Value>(text)
                .map(|v| (format!("{BASE}{file}"), v))
                .map_err(|e| SchemaError { file, reason: e.to_string() })
        };
        let resources = FILES.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .extend(resources.iter().map(|(uri, value)| (uri.as_str(), value)))
            .and_then(|r| r.prepare())
            .map_err(|e| SchemaError { file: "(registry)", reason: e.to_string() })?;
        let mut validators = HashMap::new();
        for object in Object::ALL {
            let file = object.file();
            let schema = &resources.iter().find(|(uri, _)| uri.ends_with(file)).expect("every object has a file").1;
            let validator = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_base_uri(format!("{BASE}{file}"))
                .with_registry(&registry)
                .offline()
                .should_validate_formats(true)
                .build(schema)
                .map_err(|e| SchemaError { file, reason: e.to_string() })?;
            validators.insert(*object, validator);
        }
        Ok(Schemas { validators })
    }

    /// Every way `document` departs from the schema of `object` (none when it is valid).
    pub fn check(&self, object: Object, document: &Value) -> Vec<Problem> {
        self.validators[&object]
            .iter_errors(document)
            .map(|e| Problem { path: e.instance_path().as_str().to_string(), message: e.to_string() })
            .collect()
    }
}

/// The schemas, compiled once for the whole process.
pub fn schemas() -> &'static Schemas {
    static SCHEMAS: LazyLock<Schemas> =
        LazyLock::new(|| Schemas::compile().expect("the embedded HSDS schemas compile (checked by the tests)"));
    &SCHEMAS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Value {
        let path = format!("{}/../../data/hsds/3.0/examples/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_published_examples_are_valid() {
        let schemas = Schemas::compile().unwrap();
        for (object, file) in [
            (Object::Service, "service_full.json"),
            (Object::Organization, "organization_full.json"),
            (Object::Location, "location.json"),
            (Object::ServiceAtLocation, "service_at_location_full.json"),
            (Object::Taxonomy, "taxonomy.json"),
            (Object::TaxonomyTerm, "taxonomy_term.json"),
        ] {
            assert_eq!(schemas.check(object, &example(file)), vec![], "{file}");
        }
    }

    #[test]
    fn problems_say_where_and_what() {
        let mut service = example("service_full.json");
        service["id"] = "not-a-uuid".into();
        service["status"] = "sometimes".into();
        service["service_at_locations"][0]["location"]["location_type"] = Value::Null;
        service["schedules"][0]["freq"] = "DAILY".into();
        service.as_object_mut().unwrap().remove("name");
        let problems = schemas().check(Object::Service, &service);
        let at = |path: &str| problems.iter().find(|p| p.path == path).map(|p| p.message.clone());
        assert!(at("/id").is_some_and(|m| m.contains("uuid")), "{problems:?}");
        assert!(at("/status").is_some_and(|m| m.contains("sometimes")), "{problems:?}");
        assert!(at("/service_at_locations/0/location/location_type").is_some(), "{problems:?}");
        assert!(at("/schedules/0/freq").is_some_and(|m| m.contains("DAILY")), "{problems:?}");
        assert!(at("").is_some_and(|m| m.contains("\"name\"")), "a missing field is named: {problems:?}");
        // A null where an enum is expected breaks two rules: the type and the list of values.
        assert_eq!(problems.len(), 6, "{problems:?}");
    }
}
