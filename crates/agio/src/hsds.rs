//! `agio hsds check FILE`: whether a file of HSDS 3.0 services (as `/services?full=true` gives
//! them) meets the published schemas, with every problem located by service and field. It is
//! the first half of an import, which writes nothing unless the whole file passes.

use std::path::Path;

use agio_hsds::{schemas, Object};
use serde_json::Value;

/// At most this many problems are printed; the count says how many there are in all.
const SHOWN: usize = 200;

/// The services of a file: a list of services, one service, or an HSDS page (`contents`).
fn services(document: Value) -> anyhow::Result<Vec<Value>> {
    match document {
        Value::Array(items) => Ok(items),
        Value::Object(mut page) if page.contains_key("contents") => match page.remove("contents") {
            Some(Value::Array(items)) => Ok(items),
            _ => anyhow::bail!("`contents` is not a list of services"),
        },
        service @ Value::Object(_) => Ok(vec![service]),
        _ => anyhow::bail!("expected a list of HSDS services, one service, or a page with `contents`"),
    }
}

pub fn check(path: &Path) -> anyhow::Result<()> {
    let name = path.display();
    let text = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?;
    let text = String::from_utf8(text).map_err(|e| {
        anyhow::anyhow!("{name} is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())
    })?;
    let document: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{name}: not JSON at line {}, column {}: {e}", e.line(), e.column()))?;
    let services = services(document).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let (mut problems, mut invalid) = (0, 0);
    for (n, service) in services.iter().enumerate() {
        let found = schemas().check(Object::Service, service);
        if found.is_empty() {
            continue;
        }
        invalid += 1;
        let id = service.get("id").and_then(Value::as_str).unwrap_or("no id");
        for problem in found {
            problems += 1;
            if problems <= SHOWN {
                println!("{name}: service {} ({id}): {problem}", n + 1);
            }
        }
    }
    if problems > SHOWN {
        println!("… and {} more", problems - SHOWN);
    }
    match invalid {
        0 => {
            println!("{name}: {} services, all valid HSDS 3.0", services.len());
            Ok(())
        }
        _ => anyhow::bail!("{name}: {problems} problems in {invalid} of {} services", services.len()),
    }
}
