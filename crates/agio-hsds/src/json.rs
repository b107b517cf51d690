//! HSDS services as JSON: a list of full services (as `/services?full=true` gives them), one
//! service, or an HSDS page with `contents`; and the checks every import runs on them.

use std::collections::HashSet;
use std::path::Path;

use agio_directory::checks::{service_problems, Known};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::{schemas, ImportProblem, Object};

/// The bytes of a JSON file, or why it cannot be read.
pub fn read_bytes(path: &Path) -> Result<(String, Vec<u8>), ImportProblem> {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| ImportProblem::new(&file, None, None, format!("cannot read: {e}")))?;
    Ok((file, bytes))
}

/// The services of JSON bytes (a file or an upload): a list, an HSDS page (`contents`) or one
/// service, each still as its JSON text (parsed one batch at a time: a file of 100,000
/// services would not fit in memory as parsed values).
pub fn parse_json<'a>(file: &str, bytes: &'a [u8]) -> Result<Vec<&'a RawValue>, ImportProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportProblem::new(file, None, None, format!("not UTF-8 text: invalid byte at offset {}", e.valid_up_to()))
    })?;
    let not_json = |e: serde_json::Error| {
        ImportProblem::new(
            file,
            Some(e.line()),
            None,
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    };
    match text.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(text).map_err(not_json),
        Some(b'{') => {
            let object: std::collections::HashMap<&str, &RawValue> = serde_json::from_str(text).map_err(not_json)?;
            if let Some(contents) = object.get("contents") {
                serde_json::from_str::<Vec<&RawValue>>(contents.get())
                    .map_err(|_| ImportProblem::new(file, None, Some("/contents"), "not a list of services"))
            } else {
                Ok(vec![serde_json::from_str(text).map_err(not_json)?])
            }
        }
        _ => Err(ImportProblem::new(
            file,
            None,
            None,
            "expected a list of HSDS services, one service, or a page with `contents`",
        )),
    }
}

/// The checks of an import, service by service, remembering the ids already seen (an import
/// is checked a batch at a time).
pub struct Checker<'a> {
    file: String,
    known: &'a dyn Known,
    seen: HashSet<String>,
}

impl<'a> Checker<'a> {
    pub fn new(file: &str, known: &'a dyn Known) -> Self {
        Checker { file: file.to_string(), known, seen: HashSet::new() }
    }

    /// Every problem of the service at `row` (from 1): the HSDS schema, AGIO's own checks
    /// (schedules, references, extensions), an id used before. `field` is a JSON pointer.
    pub fn check(&mut self, row: usize, service: &Value) -> Vec<ImportProblem> {
        let file = &self.file;
        let at = |path: &str| if path.is_empty() { None } else { Some(path.to_string()) };
        let mut problems: Vec<ImportProblem> = schemas()
            .check(Object::Service, service)
            .into_iter()
            .map(|p| ImportProblem { file: file.clone(), row: Some(row), field: at(&p.path), message: p.message })
            .collect();
        for p in service_problems(service, self.known) {
            problems.push(ImportProblem { file: file.clone(), row: Some(row), field: at(&p.path), message: p.message });
        }
        if let Some(id) = service.get("id").and_then(Value::as_str) {
            if !self.seen.insert(id.to_lowercase()) {
                problems.push(ImportProblem::new(
                    file,
                    Some(row),
                    Some("/id"),
                    format!("the id {id} is used by an earlier service"),
                ));
            }
        }
        problems
    }
}

/// Every problem of services about to be imported (see [`Checker::check`]).
pub fn check_services(file: &str, services: &[Value], known: &dyn Known) -> Vec<ImportProblem> {
    let mut checker = Checker::new(file, known);
    services.iter().enumerate().flat_map(|(n, s)| checker.check(n + 1, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_json_lists_are_refused_with_where() {
        assert!(parse_json("a.json", b"\xff\xfe").unwrap_err().message.contains("UTF-8"));
        let broken = parse_json("a.json", b"[{\"id\": 1,\n ]").unwrap_err();
        assert_eq!(broken.row, Some(2));
        assert!(parse_json("a.json", b"42").is_err());
        assert_eq!(parse_json("a.json", b"{\"contents\": [{}, {}]}").unwrap().len(), 2);
        assert_eq!(parse_json("a.json", b" {\"id\": \"x\"}").unwrap().len(), 1);
        assert!(parse_json("a.json", b"{\"contents\": 3}").is_err());
    }

    #[test]
    fn every_problem_of_every_service_is_listed() {
        let example: Value =
            serde_json::from_str(include_str!("../../../data/hsds/3.0/examples/service_full.json")).unwrap();
        let mut bad = example.clone();
        bad["id"] = "nope".into();
        bad["service_at_locations"][0]["schedules"][0]["byday"] = "XX".into();
        let problems =
            check_services("s.json", &[example.clone(), bad, example], &agio_directory::checks::NothingKnown);
        let located: Vec<(Option<usize>, Option<&str>)> =
            problems.iter().map(|p| (p.row, p.field.as_deref())).collect();
        assert!(located.contains(&(Some(2), Some("/id"))), "{problems:?}");
        assert!(located.contains(&(Some(2), Some("/service_at_locations/0/schedules/0/byday"))), "{problems:?}");
        assert!(located.contains(&(Some(3), Some("/id"))), "used twice: {problems:?}");
    }
}
