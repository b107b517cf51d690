//! HSDS services as JSON: a list of full services (as `/services?full=true` gives them), one
//! service, or an HSDS page with `contents`; and the checks every import runs on them.

use std::collections::HashSet;

use std::io::Read;
use std::marker::PhantomData;

use agio_directory::checks::{service_problems, Known};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{schemas, ImportProblem, Object};

/// Counts the services of a JSON file (see [`read_services`]) without keeping any: a first
/// pass that finds a broken file before anything is written, and gives a progress bar its end.
pub fn count_services(file: &str, reader: impl Read) -> Result<usize, ImportProblem> {
    let mut count = 0;
    each_service(file, reader, |_: IgnoredAny| {
        count += 1;
        true
    })?;
    Ok(count)
}

/// Reads the services of a JSON file (or an upload): a list, an HSDS page (`contents`) or one
/// service. Each is handed to `each` as soon as it is parsed, so that memory holds one service,
/// not the file (a file of 100,000 services is 800 MB); `each` returns false to stop reading.
pub fn read_services(file: &str, reader: impl Read, each: impl FnMut(Value) -> bool) -> Result<(), ImportProblem> {
    each_service(file, reader, each)
}

fn each_service<T: DeserializeOwned>(
    file: &str,
    reader: impl Read,
    mut each: impl FnMut(T) -> bool,
) -> Result<(), ImportProblem> {
    let mut checked = Utf8Checked { inner: reader, offset: 0, carried: Vec::new(), invalid_at: None };
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(&mut checked));
    let read = deserializer.deserialize_any(TopLevel { each: &mut each, _services: PhantomData });
    let read = read.and_then(|()| deserializer.end());
    if let Some(offset) = checked.invalid_at {
        return Err(ImportProblem::new(file, None, None, format!("not UTF-8 text: invalid byte at offset {offset}")));
    }
    match read {
        Ok(()) => Ok(()),
        Err(e) if e.to_string().starts_with(STOPPED) => Ok(()),
        Err(e) if e.is_io() => Err(ImportProblem::new(file, None, None, format!("cannot read: {e}"))),
        // JSON, but not the shape of services (serde_json's message already says where).
        Err(e) if e.is_data() => Err(ImportProblem::new(file, Some(e.line()), None, format!("not HSDS services: {e}"))),
        Err(e) => Err(ImportProblem::new(
            file,
            Some(e.line()),
            None,
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )),
    }
}

/// The error that stops reading when `each` asks to (not a problem of the file).
const STOPPED: &str = "reading stopped";

/// What the file holds at its top: a list of services, or an object (a page or one service).
struct TopLevel<'a, T, F> {
    each: &'a mut F,
    _services: PhantomData<T>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> bool> Visitor<'de> for TopLevel<'_, T, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of HSDS services, one service, or a page with `contents`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Services { each: self.each, _services: PhantomData }.visit_seq(seq)
    }

    /// A page's `contents` are read as a list; an object without them is one service.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut one = serde_json::Map::new();
        let mut page = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "contents" {
                page = true;
                map.next_value_seed(Services { each: &mut *self.each, _services: PhantomData })?;
            } else {
                one.insert(key, map.next_value()?);
            }
        }
        if !page {
            let service = T::deserialize(Value::Object(one)).map_err(de::Error::custom)?;
            if !(self.each)(service) {
                return Err(de::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

/// A list of services, handed over one by one.
struct Services<'a, T, F> {
    each: &'a mut F,
    _services: PhantomData<T>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> bool> DeserializeSeed<'de> for Services<'_, T, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> bool> Visitor<'de> for Services<'_, T, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of services")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(service) = seq.next_element::<T>()? {
            if !(self.each)(service) {
                return Err(de::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

/// Passes bytes on while checking that they are UTF-8, and stops at the first invalid one,
/// remembering its offset (the JSON parser would call it a broken string, or not see it at
/// all in a value it skips).
struct Utf8Checked<R> {
    inner: R,
    /// Bytes passed on so far.
    offset: usize,
    /// The start of a character cut by the end of the last read.
    carried: Vec<u8>,
    invalid_at: Option<usize>,
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.invalid_at.is_some() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        let mut checked = std::mem::take(&mut self.carried);
        checked.extend_from_slice(&buf[..n]);
        let start = self.offset - (checked.len() - n); // where `checked` begins in the file
        match std::str::from_utf8(&checked) {
            Ok(_) => {}
            // A character cut by the end of this read: checked with the next one, unless the file ends.
            Err(e) if e.error_len().is_none() && n > 0 => self.carried = checked[e.valid_up_to()..].to_vec(),
            Err(e) => {
                self.invalid_at = Some(start + e.valid_up_to());
                return Ok(0);
            }
        }
        self.offset += n;
        Ok(n)
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

    fn read_all(bytes: &[u8]) -> Result<Vec<Value>, ImportProblem> {
        let mut services = Vec::new();
        read_services("a.json", bytes, |s| {
            services.push(s);
            true
        })?;
        assert_eq!(count_services("a.json", bytes).unwrap(), services.len(), "the count agrees");
        Ok(services)
    }

    #[test]
    fn files_that_are_not_json_lists_are_refused_with_where() {
        let not_utf8 = read_all(b"[{\"name\": \"Citt\xe0\"}]").unwrap_err().message;
        assert_eq!(not_utf8, "not UTF-8 text: invalid byte at offset 15");
        let broken = read_all(b"[{\"id\": 1,\n ]").unwrap_err();
        assert_eq!(broken.row, Some(2));
        let wrong_shape = read_all(b"42").unwrap_err().message;
        assert!(
            wrong_shape.starts_with("not HSDS services: ") && wrong_shape.contains("expected a list of HSDS services")
        );
        assert!(read_all(b"[{}] [").unwrap_err().message.contains("trailing characters"));
        assert_eq!(read_all(b"{\"total_items\": 2, \"contents\": [{}, {\"id\": \"b\"}]}").unwrap().len(), 2);
        assert_eq!(
            read_all(b" {\"id\": \"x\", \"name\": \"Sportello\"}").unwrap(),
            vec![serde_json::json!({"id": "x", "name": "Sportello"})]
        );
        assert!(read_all(b"{\"contents\": 3}").unwrap_err().message.contains("expected a list of services"));
    }

    // A character cut by the end of one read is whole in the next; the offset of a bad byte
    // counts from the file's start whatever the reads.
    #[test]
    fn utf8_is_checked_across_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let good = "[{\"name\": \"Città è già più\"}]".as_bytes();
        let mut names = Vec::new();
        read_services("a.json", Trickle(good), |s| {
            names.push(s["name"].as_str().unwrap().to_string());
            true
        })
        .unwrap();
        assert_eq!(names, ["Città è già più"]);
        let bad = read_services("a.json", Trickle(b"[{\"name\": \"\xc3\xa0\xff\"}]"), |_| true).unwrap_err();
        assert_eq!(bad.message, "not UTF-8 text: invalid byte at offset 13");
    }

    #[test]
    fn reading_stops_when_asked() {
        let mut seen = 0;
        read_services("a.json", &b"[{}, {}, {}, ]"[..], |_| {
            seen += 1;
            seen < 2
        })
        .unwrap();
        assert_eq!(seen, 2, "the broken end is never read");
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
