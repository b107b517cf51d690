//! Embeds the built front end (`web/dist`, made by `npm run build`) with content-hashed names,
//! so that every asset can be cached for a year. Font URLs inside the CSS are rewritten to their
//! hashed names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100000001b3))
}

fn hashed(name: &str, bytes: &[u8]) -> String {
    let hash = format!("{:016x}", fnv1a(bytes));
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{}.{ext}", &hash[..10]),
        None => format!("{name}.{}", &hash[..10]),
    }
}

/// Stops the build with a message for people (a panic would bury it under a backtrace).
fn fail(message: &str) -> ! {
    eprintln!("\n\nerror: {message}\n\n");
    std::process::exit(1)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())))
}

fn files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let listing = std::fs::read_dir(dir).unwrap_or_else(|e| fail(&format!("cannot list {}: {e}", dir.display())));
    let mut entries: Vec<_> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            files(&path, &format!("{name}/"), out);
        } else {
            out.push((name, path));
        }
    }
}

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.join("agio.css").exists() {
        fail(&format!(
            "the front end is not built: {} has no agio.css.\nRun `npm ci && npm run build` at the project root (scripts/run and scripts/test do it for you).",
            dist.display()
        ));
    }
    let mut list = Vec::new();
    files(&dist, "", &mut list);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    // Everything but the CSS first: the CSS refers to their hashed names.
    let mut entries: Vec<(String, String, PathBuf)> = Vec::new();
    for (name, path) in list.iter().filter(|(n, _)| !n.ends_with(".css")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = read(path);
        entries.push((name.clone(), hashed(name, &bytes), path.clone()));
    }
    for (name, path) in list.iter().filter(|(n, _)| n.ends_with(".css")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let mut css = String::from_utf8_lossy(&read(path)).into_owned();
        for (original, hashed_name, _) in &entries {
            css = css.replace(&format!("url({original})"), &format!("url({hashed_name})"));
            css = css.replace(&format!("url(\"{original}\")"), &format!("url(\"{hashed_name}\")"));
            css = css.replace(&format!("url('{original}')"), &format!("url('{hashed_name}')"));
        }
        let rewritten = out_dir.join(name.replace('/', "_"));
        std::fs::write(&rewritten, &css).unwrap();
        entries.push((name.clone(), hashed(name, css.as_bytes()), rewritten));
    }

    let mut code =
        String::from("/// (logical name, hashed name, bytes)\npub static FILES: &[(&str, &str, &[u8])] = &[\n");
    for (name, hashed_name, path) in &entries {
        writeln!(
            code,
            "    ({name:?}, {hashed_name:?}, include_bytes!({:?})),",
            path.canonicalize().unwrap().display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("assets.rs"), code).unwrap();
}
