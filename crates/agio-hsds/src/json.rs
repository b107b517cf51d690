//! HSDS services as JSON: a list of full services (as `/services?full=true` gives them), one
//! service, or an HSDS page with `contents`; and the checks every import runs on them.

use std::collections::HashSet;
use std::path::Path;

use agio_directory::checks::{service_problems, Known};
use serde_json::Value;

use crate::{schemas, ImportProblem, Object};

/// The services of a JSON file, or why the file cannot be read as such.
pub fn read_json(path: &Path) -> Result<Vec<Value>, ImportProblem> {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| ImportProblem::new(&file, None, None, format!("cannot read: {e}")))?;
    parse_json(&file, &bytes)
}

/// The services of JSON bytes (an upload, or a file's content).
pub fn parse_json(file: &str, bytes: &[u8]) -> Result<Vec<Value>, ImportProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportProblem::new(file, None, None, format!("not UTF-8 text: invalid byte at offset {}", e.valid_up_to()))
    })?;
    let document: Value = serde_json::from_str(text).map_err(|e| {
        ImportProblem::new(
            file,
            Some(e.line()),
            None,
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })?;
    match document {
        Value::Array(items) => Ok(items),
        Value::Object(mut page) if page.contains_key("contents") => match page.remove("contents") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(ImportProblem::new(file, None, Some("/contents"), "not a list of services")),
        },
        service @ Value::Object(_) => Ok(vec![service]),
        _ => Err(ImportProblem::new(
            file,
            None,
            None,
            "expected a list of HSDS services, one service, or a page with `contents`",
        )),
    }
}

/// Every problem of services about to be imported: the HSDS schema, AGIO's own checks
/// (schedules, references, extensions) and ids used twice. `row` is the service's position
/// (from 1) and `field` the JSON pointer inside it.
pub fn check_services(file: &str, services: &[Value], known: &dyn Known) -> Vec<ImportProblem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (n, service) in services.iter().enumerate() {
        let row = Some(n + 1);
        let at = |path: &str| if path.is_empty() { None } else { Some(path.to_string()) };
        for p in schemas().check(Object::Service, service) {
            problems.push(ImportProblem { file: file.to_string(), row, field: at(&p.path), message: p.message });
        }
        for p in service_problems(service, known) {
            problems.push(ImportProblem { file: file.to_string(), row, field: at(&p.path), message: p.message });
        }
        if let Some(id) = service.get("id").and_then(Value::as_str) {
            if !seen.insert(id.to_lowercase()) {
                problems.push(ImportProblem::new(
                    file,
                    row,
                    Some("/id"),
                    format!("the id {id} is used by an earlier service"),
                ));
            }
        }
    }
    problems
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
