//! HSDS 3.0 as a tabular data package: a folder of CSV files, one per kind of record, described
//! by `datapackage.json`. [`read_package`] assembles full service documents (as `/services/{id}`
//! serves them) from the tables; [`write_package`] flattens documents back into tables.
//!
//! Column types come from the official descriptor embedded here, not from the package's own
//! copy, which may be missing or different (the official example's is a bare symlink path).
//!
//! What a round trip (write, then read) does not keep, because tables cannot say it:
//! - empty strings and empty lists: an empty cell is an absent field (HSDS forbids null);
//! - the columns that nest a row in its parent (`schedules.service_id`, `addresses.location_id`,
//!   `service_at_location.service_id`, ...) and those that embed a record (`services.organization_id`,
//!   `service_at_location.location_id`): the nesting says the same. Attributes keep `link_id`,
//!   `link_entity` and `taxonomy_term_id`, which are what an attribute is (and an attribute
//!   written without `link_entity` gets the kind of record it is nested in);
//! - lists that no table here links: an organization's own lists, metadata, attributes of
//!   anything but a service, a term's `taxonomy_detail`;
//! - differing copies of a record several services share (organization, location, taxonomy
//!   term, or any nested record with the same id): the first one is written;
//! - other columns than the descriptor's: `agio_*` cells that start with `{` or `[` are read as
//!   JSON, `true`/`false` as booleans and `agio_digital_level` as a whole number, the rest (and
//!   any other unknown column) as text, so an `agio_*` number elsewhere comes back as text.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::LazyLock;

use agio_directory::checks::Known;
use agio_directory::ids::is_uuid;
use serde_json::{json, Map, Number, Value};

use crate::ImportProblem;

/// The official descriptor of the HSDS 3.0 tables (CC BY-SA 4.0, see `data/ATTRIBUTION.md`).
const DESCRIPTOR: &str = include_str!("../../../data/hsds/3.0/datapackage.json");

/// A list nested in a record: the rows of `child` whose column `link` holds the parent's id.
struct Nest {
    parent: &'static str,
    field: &'static str,
    child: &'static str,
    link: &'static str,
}

const fn nest(parent: &'static str, field: &'static str, child: &'static str, link: &'static str) -> Nest {
    Nest { parent, field, child, link }
}

/// How the tables nest into a full service document (resource names of the descriptor).
const NESTS: &[Nest] = &[
    nest("service", "phones", "phone", "service_id"),
    nest("service", "schedules", "schedule", "service_id"),
    nest("service", "service_areas", "service_area", "service_id"),
    nest("service", "service_at_locations", "service_at_location", "service_id"),
    nest("service", "languages", "language", "service_id"),
    nest("service", "funding", "funding", "service_id"),
    nest("service", "cost_options", "cost_option", "service_id"),
    nest("service", "required_documents", "required_document", "service_id"),
    nest("service", "contacts", "contact", "service_id"),
    nest("service", "attributes", "attribute", "link_id"),
    nest("service_at_location", "contacts", "contact", "service_at_location_id"),
    nest("service_at_location", "phones", "phone", "service_at_location_id"),
    nest("service_at_location", "schedules", "schedule", "service_at_location_id"),
    nest("location", "languages", "language", "location_id"),
    nest("location", "addresses", "address", "location_id"),
    nest("location", "contacts", "contact", "location_id"),
    nest("location", "accessibility", "accessibility", "location_id"),
    nest("location", "phones", "phone", "location_id"),
    nest("location", "schedules", "schedule", "location_id"),
    nest("contact", "phones", "phone", "contact_id"),
    nest("phone", "languages", "language", "phone_id"),
];

/// A record embedded in another: the row of `target` whose id the parent's column `link` holds.
struct Embed {
    parent: &'static str,
    field: &'static str,
    target: &'static str,
    link: &'static str,
}

const EMBEDS: &[Embed] = &[
    Embed { parent: "service", field: "organization", target: "organization", link: "organization_id" },
    Embed { parent: "service", field: "program", target: "program", link: "program_id" },
    Embed { parent: "service_at_location", field: "location", target: "location", link: "location_id" },
    Embed { parent: "attribute", field: "taxonomy_term", target: "taxonomy_term", link: "taxonomy_term_id" },
];

/// Linking columns that stay in the nested record: an attribute *is* the link between a
/// record and a taxonomy term, and AGIO's attributes say so.
const KEPT_LINKS: &[(&str, &str)] = &[("attribute", "link_id"), ("attribute", "taxonomy_term_id")];

/// The tables a package cannot do without.
const REQUIRED_TABLES: &[&str] = &["service", "organization"];

/// AGIO's extension fields, and those of them that hold whole numbers.
const AGIO: &str = "agio_";
const AGIO_INTEGERS: &[&str] = &["agio_digital_level"];

#[derive(Clone, Copy)]
enum Kind {
    /// Also dates, times and date-times: HSDS's JSON form keeps them as strings.
    Text,
    Number,
    Integer,
    Boolean,
}

/// A column as the descriptor defines it.
struct Field {
    name: String,
    kind: Kind,
    required: bool,
    uuid: bool,
}

/// A table as the descriptor defines it.
struct Resource {
    name: String,
    path: String,
    fields: Vec<Field>,
    foreign_keys: Vec<String>,
}

impl Resource {
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The columns a header must have: those the descriptor requires and, for a table nested
    /// in one kind of record only (addresses in locations, say), the column that says which.
    fn required_columns(&self) -> Vec<&str> {
        let mut columns: Vec<&str> = self.fields.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        if let [only] = self.foreign_keys.as_slice() {
            if NESTS.iter().any(|n| n.child == self.name && n.link == only) && !columns.contains(&only.as_str()) {
                columns.push(only);
            }
        }
        columns
    }
}

static RESOURCES: LazyLock<Vec<Resource>> = LazyLock::new(|| {
    let descriptor: Value = serde_json::from_str(DESCRIPTOR).expect("the embedded descriptor is JSON");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let resources = descriptor["resources"].as_array().expect("the descriptor lists resources");
    resources
        .iter()
        .map(|r| Resource {
            name: text(&r["name"]),
            path: text(&r["path"]),
            fields: r["schema"]["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| Field {
                    name: text(&f["name"]),
                    kind: match f["type"].as_str() {
                        Some("number") => Kind::Number,
                        Some("integer") => Kind::Integer,
                        Some("boolean") => Kind::Boolean,
                        _ => Kind::Text,
                    },
                    required: f["constraints"]["required"] == true,
                    uuid: f["format"] == "uuid",
                })
                .collect(),
            foreign_keys: r["schema"]["foreignKeys"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| text(&k["fields"]))
                .collect(),
        })
        .collect()
});

fn resource_named(name: &str) -> &'static Resource {
    RESOURCES.iter().find(|r| r.name == name).expect("a resource of the descriptor")
}

/// One row of a table: its line in the file and its typed cells (empty ones left out).
struct Row {
    line: usize,
    cells: Map<String, Value>,
}

impl Row {
    fn text(&self, column: &str) -> Option<&str> {
        self.cells.get(column).and_then(Value::as_str)
    }
}

/// A table of the package, rows in file order, indexed by id (ids compare case-insensitively).
struct Table {
    file: &'static str,
    rows: Vec<Row>,
    ids: HashMap<String, usize>,
}

impl Table {
    fn get(&self, id: &str) -> Option<&Row> {
        self.ids.get(&id.to_lowercase()).map(|&i| &self.rows[i])
    }
}

/// The services of the HSDS tabular data package in `dir`, one full document per row of
/// `services.csv`, in file order; or every problem found in the package. References to an
/// organization or taxonomy term that is not in the package are accepted when `known` has it
/// (the document then keeps `organization_id` or `taxonomy_term_id` without embedding it).
/// The documents are not checked against the schemas: the caller does that.
pub fn read_package(dir: &Path, known: &dyn Known) -> Result<Vec<Value>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let read = |name: &str| {
        REQUIRED_TABLES.contains(&name)
            || NESTS.iter().any(|n| n.child == name)
            || EMBEDS.iter().any(|e| e.target == name)
    };
    let tables: HashMap<&str, Table> = RESOURCES
        .iter()
        .filter(|r| read(&r.name))
        .map(|r| (r.name.as_str(), read_table(dir, r, &mut problems)))
        .collect();
    let package = Package::new(tables);
    package.check_references(known, &mut problems);
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.row.cmp(&b.row)));
        return Err(problems);
    }
    Ok(package.tables["service"].rows.iter().map(|row| Value::Object(package.assemble("service", row))).collect())
}

fn read_table(dir: &Path, resource: &'static Resource, problems: &mut Vec<ImportProblem>) -> Table {
    let file = resource.path.as_str();
    let mut table = Table { file, rows: Vec::new(), ids: HashMap::new() };
    let bytes = match std::fs::read(dir.join(file)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if REQUIRED_TABLES.contains(&resource.name.as_str()) {
                problems.push(ImportProblem::new(file, None, None, "missing file"));
            }
            return table;
        }
        Err(e) => {
            problems.push(ImportProblem::new(file, None, None, format!("cannot read: {e}")));
            return table;
        }
    };
    // Rows of another length than the header are reported here, not by the reader, so that
    // reading goes on after them.
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let header = match reader.byte_headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            problems.push(csv_problem(file, &e));
            return table;
        }
    };
    let mut columns: Vec<String> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = utf8(name).unwrap_or_else(|message| {
            problems.push(ImportProblem::new(file, Some(1), None, format!("column {}: {message}", i + 1)));
            ""
        });
        // Spreadsheets save "CSV UTF-8" with a byte-order mark: it is not part of the name.
        let name = name.trim_start_matches('\u{feff}');
        if !name.is_empty() && columns.iter().any(|c| c == name) {
            problems.push(ImportProblem::new(file, Some(1), Some(name), "the column appears twice"));
        }
        columns.push(name.to_string());
    }
    for column in resource.required_columns() {
        if !columns.iter().any(|c| c == column) {
            problems.push(ImportProblem::new(file, Some(1), Some(column), "missing column"));
        }
    }

    let mut lines = Lines { bytes: &bytes, offset: 0, line: 1 };
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.push(csv_problem(file, &e));
                break;
            }
        }
        let line = lines.at(record.position().map_or(0, |p| p.byte() as usize));
        if record.len() != columns.len() {
            let message = format!("the row has {} cells, the header {}", record.len(), columns.len());
            problems.push(ImportProblem::new(file, Some(line), None, message));
            continue;
        }
        let mut cells = Map::new();
        // Columns without a name (a spreadsheet's trailing commas) hold nothing of HSDS.
        for (column, bytes) in columns.iter().zip(record.iter()).filter(|(c, _)| !c.is_empty()) {
            let field = resource.field(column);
            let mut problem =
                |message: String| problems.push(ImportProblem::new(file, Some(line), Some(column), message));
            let cell = match utf8(bytes) {
                Ok(cell) => cell,
                Err(message) => {
                    problem(message);
                    continue;
                }
            };
            if cell.is_empty() {
                if field.is_some_and(|f| f.required) {
                    problem("empty, but a value is required".into());
                }
                continue;
            }
            if field.is_some_and(|f| f.uuid) && !is_uuid(cell) {
                problem(format!("'{cell}' is not a UUID"));
                continue;
            }
            match cell_value(field, column, cell) {
                Ok(value) => {
                    cells.insert(column.clone(), value);
                }
                Err(message) => problem(message),
            }
        }
        if let Some(id) = cells.get("id").and_then(Value::as_str) {
            match table.ids.entry(id.to_lowercase()) {
                Entry::Occupied(first) => {
                    let message = format!("the id {id} is already used on row {}", table.rows[*first.get()].line);
                    problems.push(ImportProblem::new(file, Some(line), Some("id"), message));
                }
                Entry::Vacant(slot) => {
                    slot.insert(table.rows.len());
                }
            }
        }
        table.rows.push(Row { line, cells });
    }
    table
}

/// Line numbers of records, counted here rather than taken from the reader: with CRLF line
/// endings its count lags one line behind (BurntSushi/rust-csv#395).
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the record the reader places at `byte`, which may be the end of the line
    /// before it; records come in file order.
    fn at(&mut self, byte: usize) -> usize {
        let rest = self.bytes.get(byte..).unwrap_or_default();
        let start = byte + rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        self.line += self.bytes[self.offset..start].iter().filter(|&&b| b == b'\n').count();
        self.offset = start;
        self.line
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text: invalid byte at offset {} of the cell", e.valid_up_to()))
}

fn csv_problem(file: &str, e: &csv::Error) -> ImportProblem {
    let line = e.position().map(|p| p.line() as usize);
    ImportProblem::new(file, line, None, format!("not valid CSV: {e}"))
}

/// The JSON value of a non-empty cell, as its column's type says.
fn cell_value(field: Option<&Field>, column: &str, cell: &str) -> Result<Value, String> {
    match field.map(|f| f.kind) {
        Some(Kind::Text) => Ok(Value::String(cell.to_string())),
        Some(Kind::Number) => {
            cell.trim().parse::<Number>().map(Value::Number).map_err(|_| format!("'{cell}' is not a number"))
        }
        Some(Kind::Integer) => whole(cell),
        Some(Kind::Boolean) => boolean(cell).ok_or_else(|| format!("'{cell}' is not true or false")),
        None if column.starts_with(AGIO) => {
            if cell.starts_with(['{', '[']) {
                serde_json::from_str(cell).map_err(|e| format!("not JSON: {e}"))
            } else if let Some(value) = boolean(cell) {
                Ok(value)
            } else if AGIO_INTEGERS.contains(&column) {
                whole(cell)
            } else {
                Ok(Value::String(cell.to_string()))
            }
        }
        None => Ok(Value::String(cell.to_string())),
    }
}

fn whole(cell: &str) -> Result<Value, String> {
    let not_whole = || format!("'{cell}' is not a whole number");
    match cell.trim().parse::<Number>() {
        Ok(n) if n.is_i64() || n.is_u64() => Ok(Value::Number(n)),
        // "3.0" from a spreadsheet is still three.
        Ok(n) => {
            n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| json!(f as i64)).ok_or_else(not_whole)
        }
        Err(_) => Err(not_whole()),
    }
}

fn boolean(cell: &str) -> Option<Value> {
    ["false", "true"].iter().position(|b| cell.eq_ignore_ascii_case(b)).map(|i| Value::Bool(i == 1))
}

/// The tables read, and for each nesting the rows of the child table by parent id.
struct Package {
    tables: HashMap<&'static str, Table>,
    children: HashMap<(&'static str, &'static str), HashMap<String, Vec<usize>>>,
}

/// The parent id a row names in the column `nest.link`; an attribute only describes the kind
/// of record its `link_entity` names.
fn link<'r>(row: &'r Row, nest: &Nest) -> Option<&'r str> {
    if row.text("link_entity").is_some_and(|entity| entity != nest.parent) {
        return None;
    }
    row.text(nest.link)
}

fn kept(resource: &str, column: &str) -> bool {
    KEPT_LINKS.contains(&(resource, column))
}

impl Package {
    fn new(tables: HashMap<&'static str, Table>) -> Package {
        let mut children: HashMap<_, HashMap<String, Vec<usize>>> = HashMap::new();
        for nest in NESTS {
            let index = children.entry((nest.child, nest.link)).or_default();
            for (i, row) in tables[nest.child].rows.iter().enumerate() {
                if let Some(id) = link(row, nest) {
                    index.entry(id.to_lowercase()).or_default().push(i);
                }
            }
        }
        Package { tables, children }
    }

    /// Every reference that names no record. A reference that is not a UUID was reported
    /// as such already.
    fn check_references(&self, known: &dyn Known, problems: &mut Vec<ImportProblem>) {
        let mut missing = |table: &Table, row: &Row, column: &str, target: &str, id: &str| {
            let message = format!("no {} has id {id}", target.replace('_', " "));
            problems.push(ImportProblem::new(table.file, Some(row.line), Some(column), message));
        };
        for nest in NESTS {
            let (child, parent) = (&self.tables[nest.child], &self.tables[nest.parent]);
            for row in &child.rows {
                if let Some(id) = link(row, nest).filter(|id| is_uuid(id) && parent.get(id).is_none()) {
                    missing(child, row, nest.link, nest.parent, id);
                }
            }
        }
        for embed in EMBEDS {
            let (from, target) = (&self.tables[embed.parent], &self.tables[embed.target]);
            let elsewhere = |id: &str| match embed.target {
                "organization" => known.organization(id),
                "taxonomy_term" => known.taxonomy_term(id),
                _ => false,
            };
            for row in &from.rows {
                if let Some(id) = row.text(embed.link).filter(|id| is_uuid(id) && target.get(id).is_none()) {
                    if !elsewhere(id) {
                        missing(from, row, embed.link, embed.target, id);
                    }
                }
            }
        }
    }

    /// The JSON form of `row` (a record of `resource`) with everything nested and embedded in it.
    fn assemble(&self, resource: &str, row: &Row) -> Map<String, Value> {
        let mut object = row.cells.clone();
        // Nesting says what these columns said.
        for nest in NESTS.iter().filter(|n| n.child == resource && !kept(resource, n.link)) {
            object.remove(nest.link);
        }
        for embed in EMBEDS.iter().filter(|e| e.parent == resource) {
            if let Some(target) = row.text(embed.link).and_then(|id| self.tables[embed.target].get(id)) {
                object.insert(embed.field.into(), Value::Object(self.assemble(embed.target, target)));
                if !kept(resource, embed.link) {
                    object.remove(embed.link);
                }
            }
        }
        let Some(id) = row.text("id") else { return object };
        for nest in NESTS.iter().filter(|n| n.parent == resource) {
            let rows = self.children[&(nest.child, nest.link)].get(&id.to_lowercase());
            let table = &self.tables[nest.child];
            let items: Vec<Value> =
                rows.into_iter().flatten().map(|&i| Value::Object(self.assemble(nest.child, &table.rows[i]))).collect();
            if !items.is_empty() {
                object.insert(nest.field.into(), Value::Array(items));
            }
        }
        object
    }
}

/// The rows to write to one table, each record once.
#[derive(Default)]
struct Rows {
    rows: Vec<Map<String, Value>>,
    ids: HashMap<String, usize>,
}

impl Rows {
    /// Adds a row; a record met before (by id) only gains the columns it lacked, such as a
    /// phone nested both in a service and in its location gaining the second link.
    fn add(&mut self, row: Map<String, Value>) {
        let id = row.get("id").and_then(Value::as_str).map(str::to_lowercase);
        match id.as_ref().and_then(|id| self.ids.get(id)) {
            Some(&i) => {
                for (column, value) in row {
                    self.rows[i].entry(column).or_insert(value);
                }
            }
            None => {
                if let Some(id) = id {
                    self.ids.insert(id, self.rows.len());
                }
                self.rows.push(row);
            }
        }
    }
}

/// Writes `services` (full HSDS documents) to `dir` as an HSDS tabular data package: the
/// official `datapackage.json`, with any extra columns added as text, and one CSV file per
/// table, each record once even when several services share it. See the module documentation
/// for what the tables cannot keep.
pub fn write_package(services: &[Value], dir: &Path) -> io::Result<()> {
    let mut tables: HashMap<&str, Rows> = HashMap::new();
    for service in services {
        flatten("service", service, None, &mut tables);
    }
    std::fs::create_dir_all(dir)?;
    let mut descriptor: Value = serde_json::from_str(DESCRIPTOR)?;
    let entries = descriptor["resources"].as_array_mut().expect("the descriptor lists resources");
    // RESOURCES was read from this same list, in this order.
    for (resource, entry) in RESOURCES.iter().zip(entries) {
        let rows = tables.remove(resource.name.as_str()).unwrap_or_default().rows;
        let mut columns: Vec<&str> = resource.fields.iter().map(|f| f.name.as_str()).collect();
        let declared = columns.len();
        for column in rows.iter().flat_map(|row| row.keys()) {
            if !columns.contains(&column.as_str()) {
                columns.push(column);
            }
        }
        let mut out = csv::Writer::from_path(dir.join(&resource.path))?;
        out.write_record(&columns)?;
        for row in &rows {
            out.write_record(columns.iter().map(|c| row.get(*c).map(cell_text).unwrap_or_default()))?;
        }
        out.flush()?;
        if let Some(fields) = entry["schema"]["fields"].as_array_mut() {
            fields.extend(columns[declared..].iter().map(|name| {
                json!({
                    "name": name,
                    "type": "string",
                    "description": "An extension of HSDS; objects and lists are written as JSON.",
                })
            }));
        }
    }
    std::fs::write(dir.join("datapackage.json"), serde_json::to_string_pretty(&descriptor)? + "\n")
}

/// Adds `object`, a record of `resource`, and everything nested or embedded in it to the
/// tables; `parent` is the nesting that holds it and the id of the record it is nested in.
fn flatten(resource: &'static str, object: &Value, parent: Option<(&Nest, &str)>, tables: &mut HashMap<&str, Rows>) {
    let Some(fields) = object.as_object() else { return };
    // Nested records go to their own tables below; other nested lists and objects of HSDS
    // (metadata, an organization's own lists, ...) have no table here.
    let mut row: Map<String, Value> = fields
        .iter()
        .filter(|(name, value)| !(value.is_object() || value.is_array()) || name.starts_with(AGIO))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    if let Some((nest, id)) = parent {
        row.insert(nest.link.into(), id.into());
        if resource_named(resource).field("link_entity").is_some() {
            row.entry("link_entity").or_insert(nest.parent.into());
        }
    }
    for embed in EMBEDS.iter().filter(|e| e.parent == resource) {
        let Some(target) = fields.get(embed.field) else { continue };
        if let Some(id) = target.get("id").and_then(Value::as_str) {
            row.insert(embed.link.into(), id.into());
        }
        flatten(embed.target, target, None, tables);
    }
    if let Some(id) = fields.get("id").and_then(Value::as_str) {
        for nest in NESTS.iter().filter(|n| n.parent == resource) {
            for child in fields.get(nest.field).and_then(Value::as_array).into_iter().flatten() {
                flatten(nest.child, child, Some((nest, id)), tables);
            }
        }
    }
    tables.entry(resource).or_default().add(row);
}

fn cell_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
