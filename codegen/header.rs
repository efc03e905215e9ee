//! Lays out cbindgen's output as a user reads it: one section per handle,
//! in the order a user learns them, each opening with its summary and the
//! list of its functions.
//!
//! cbindgen groups by kind (constants, then types, then functions); this
//! cuts its text into items (a doc comment and a declaration), finds which
//! `src/ffi` file defines each, and writes them out section by section.
//! A section's text is its file's `//!` module doc.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// The sections, in reading order: (file in src/ffi, title).
pub const SECTIONS: &[(&str, &str)] = &[
    ("code.rs", "Result codes, version and features"),
    ("callbacks.rs", "Callbacks shared by several handles"),
    ("options.rs", "Values of settings"),
    ("request.rs", "Requests"),
    ("send.rs", "Sending one request"),
    ("response.rs", "Responses"),
    ("stream.rs", "Streaming responses"),
    ("session.rs", "Sessions"),
    ("config.rs", "The global config"),
    ("retry.rs", "Retries"),
    ("cookies.rs", "Cookies"),
    ("hooks.rs", "Hooks"),
    ("log.rs", "Logging"),
    ("batch.rs", "Batches"),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Define,
    /// `typedef struct x x;`: a handle.
    Opaque,
    /// `typedef int x;` and other plain typedefs.
    Typedef,
    /// `typedef r (*x)(...);`
    Callback,
    /// `typedef struct { ... } x;`
    Struct,
    Function,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub name: String,
    pub kind: Kind,
    /// The doc comment as cbindgen wrote it (`/** ... */`), or "".
    pub doc: String,
    pub decl: String,
    /// Index into SECTIONS.
    pub section: usize,
}

impl Item {
    /// The doc comment's text, without the comment markers.
    pub fn doc_text(&self) -> String {
        let mut lines = Vec::new();
        for line in self.doc.lines() {
            let line = line.trim();
            let line = line
                .strip_prefix("/**")
                .or_else(|| line.strip_prefix("*/"))
                .or_else(|| line.strip_prefix("* "))
                .or_else(|| line.strip_prefix('*'))
                .unwrap_or(line);
            let line = line.strip_suffix("*/").unwrap_or(line).trim_end();
            lines.push(line.to_string());
        }
        lines.join("\n").trim().to_string()
    }
}

/// The module doc (`//!` lines) at the top of a source file.
fn module_doc(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    text.lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Which section's file defines each exported name.
fn owners(ffi: &Path) -> HashMap<String, usize> {
    let mut owners = HashMap::new();
    for (index, (file, _)) in SECTIONS.iter().enumerate() {
        let text = fs::read_to_string(ffi.join(file)).expect("a section's file exists");
        for line in text.lines() {
            let line = line.trim_start();
            let name = if let Some(rest) = line.strip_prefix("pub const ") {
                rest.split(':').next()
            } else if let Some(rest) = line.strip_prefix("pub type ") {
                rest.split([' ', '=']).next()
            } else if let Some(rest) = line.strip_prefix("pub struct ") {
                rest.split([' ', '{', '(', ';']).next()
            } else if line.starts_with("pub unsafe extern \"C\" fn ")
                || line.starts_with("pub extern \"C\" fn ")
            {
                line.split("fn ").nth(1).and_then(|r| r.split('(').next())
            } else {
                None
            };
            if let Some(name) = name.filter(|n| n.starts_with("reqc_") || n.starts_with("REQC_")) {
                owners.insert(name.to_string(), index);
            }
        }
    }
    owners
}

fn name_of(decl: &str) -> (String, Kind) {
    let first = decl.lines().next().unwrap_or("");
    if let Some(rest) = first.strip_prefix("#define ") {
        return (
            rest.split_whitespace().next().unwrap_or("").into(),
            Kind::Define,
        );
    }
    if decl.starts_with("typedef struct {") {
        let last = decl.lines().last().unwrap_or("");
        let name = last.trim_start_matches('}').trim().trim_end_matches(';');
        return (name.into(), Kind::Struct);
    }
    if let Some(rest) = first.strip_prefix("typedef struct ") {
        let name = rest.split_whitespace().next().unwrap_or("");
        return (name.into(), Kind::Opaque);
    }
    if first.starts_with("typedef ") && first.contains("(*") {
        let name = first.split("(*").nth(1).and_then(|r| r.split(')').next());
        return (name.unwrap_or("").into(), Kind::Callback);
    }
    if first.starts_with("typedef ") {
        let name = first.trim_end_matches(';').split_whitespace().last();
        return (name.unwrap_or("").into(), Kind::Typedef);
    }
    let name = first
        .split('(')
        .next()
        .and_then(|r| r.split([' ', '*']).next_back());
    (name.unwrap_or("").into(), Kind::Function)
}

/// Cuts cbindgen's output (everything after its includes) into items.
pub fn items(generated: &str, ffi: &Path) -> Vec<Item> {
    let owners = owners(ffi);
    let body = generated
        .split_once("#include <stdint.h>\n")
        .map(|(_, rest)| rest)
        .expect("cbindgen wrote the includes");
    let mut items = Vec::new();
    for chunk in body.split("\n\n") {
        let chunk: String = chunk
            .lines()
            .filter(|l| {
                !(l.starts_with("#ifdef __cplusplus")
                    || l.starts_with("#endif")
                    || l.starts_with("extern \"C\" {")
                    || l.starts_with("}  // extern")
                    || *l == "#ifndef REQC_H"
                    || *l == "#define REQC_H")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        let (doc, decl) = match chunk.strip_prefix("/**") {
            Some(_) => {
                let end = chunk.find("*/").expect("a doc comment ends") + 2;
                (chunk[..end].to_string(), chunk[end..].trim().to_string())
            }
            None => (String::new(), chunk.to_string()),
        };
        let (name, kind) = name_of(&decl);
        let section = *owners.get(&name).unwrap_or_else(|| {
            panic!("{name} is exported but defined in no section's file (codegen/header.rs SECTIONS): {chunk:?}")
        });
        items.push(Item {
            name,
            kind,
            doc,
            decl,
            section,
        });
    }
    items
}

/// Wraps `words` into comment lines of at most `width` columns.
fn wrap(words: &[String], prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(prefix);
    for w in words {
        if line.len() + w.len() + 1 > width && line.len() > prefix.len() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(prefix);
        }
        line.push_str(w);
        line.push(' ');
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The header: `preamble`, includes, the handles, then each section.
pub fn layout(preamble: &str, versions: &str, items: &[Item], ffi: &Path) -> String {
    let mut out = String::new();
    out.push_str(preamble);
    out.push_str(
        "\n\n#ifndef REQC_H\n#define REQC_H\n\n#include <stddef.h>\n#include <stdint.h>\n",
    );
    out.push_str("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    // Handles first: every section may name any of them.
    out.push_str(&banner(
        "Handles",
        "Every object is an opaque handle, created by a *_new (or handed out by\n\
         another call) and released by its *_free. Each is described in its\n\
         section below.",
        &[],
    ));
    // (A public struct would go here too, for the same reason.)
    for item in items
        .iter()
        .filter(|i| i.kind == Kind::Opaque || i.kind == Kind::Struct)
    {
        push_item(&mut out, item);
    }
    for (index, (file, title)) in SECTIONS.iter().enumerate() {
        let mine: Vec<&Item> = items
            .iter()
            .filter(|i| i.section == index && !matches!(i.kind, Kind::Opaque | Kind::Struct))
            .collect();
        let functions: Vec<String> = mine
            .iter()
            .filter(|i| i.kind == Kind::Function)
            .map(|i| format!("{},", i.name))
            .collect();
        out.push_str(&banner(title, &module_doc(&ffi.join(file)), &functions));
        if index == 0 {
            out.push_str(versions);
        }
        // Types and constants before the functions that use them.
        for kind in [Kind::Typedef, Kind::Define, Kind::Callback, Kind::Function] {
            for item in mine.iter().filter(|i| i.kind == kind) {
                push_item(&mut out, item);
            }
        }
    }
    out.push_str("\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif /* REQC_H */\n");
    out
}

fn push_item(out: &mut String, item: &Item) {
    out.push('\n');
    if !item.doc.is_empty() {
        out.push_str(&item.doc);
        out.push('\n');
    }
    out.push_str(&item.decl);
    out.push('\n');
}

fn banner(title: &str, text: &str, functions: &[String]) -> String {
    let rule = "/* ".to_string() + &"=".repeat(93) + "\n";
    let mut out = format!("\n\n{rule} * {title}\n *\n");
    for line in text.lines() {
        if line.is_empty() {
            out.push_str(" *\n");
        } else {
            out.push_str(&format!(" * {line}\n"));
        }
    }
    if let Some((last, rest)) = functions.split_last() {
        let mut words: Vec<String> = rest.to_vec();
        words.push(last.trim_end_matches(',').to_string() + ".");
        out.push_str(" *\n * Functions:\n");
        out.push_str(&wrap(&words, " *   ", 100));
    }
    out.push_str(&format!(" * {} */\n", "=".repeat(93)));
    out
}
