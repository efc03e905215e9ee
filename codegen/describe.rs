//! `include/reqc.json`: the header as data, for binding generators and for
//! the generated tests (tests/gen). Its schema is in docs/c.md ("The
//! machine-readable description"); what it says comes from the header's own
//! declarations and from fixed phrases of the doc comments:
//!
//! - a parameter is nullable when its function's doc says "`name` may be
//!   NULL" (in one sentence), or it is `userdata`/`free_userdata`, or it is
//!   the handle of a `*_free`;
//! - a parameter named `*_out` is an out-parameter; `T **` outs of handles
//!   and `char **` outs transfer ownership to the caller, `const T **` outs
//!   are borrowed from the function's first handle parameter;
//! - a function "may block" when its doc says "May block on the network";
//! - a returned pointer is borrowed from the first handle parameter (or is
//!   static when there is none).

use super::header::{Item, Kind, SECTIONS};
use serde_json::{json, Map, Value};

/// Handle types: `reqc_x` with `reqc_x_free`.
fn handles(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter(|i| i.kind == Kind::Opaque)
        .map(|i| i.name.clone())
        .collect()
}

/// The declaration's return type and name, and its parameters (type, name).
fn signature(decl: &str) -> (String, Vec<(String, String)>) {
    let flat = decl.split_whitespace().collect::<Vec<_>>().join(" ");
    let open = flat.find('(').expect("a function has parameters");
    let head = &flat[..open];
    // "const char *reqc_x" -> "const char *"
    let name_at = head.rfind([' ', '*']).map_or(0, |i| i + 1);
    let ret = head[..name_at].trim().to_string();
    let args = flat[open + 1..flat.rfind(')').expect("parameters close")].trim();
    let mut params = Vec::new();
    if args != "void" && !args.is_empty() {
        for arg in args.split(',') {
            let arg = arg.trim();
            let at = arg.rfind([' ', '*']).map_or(0, |i| i + 1);
            params.push((arg[..at].trim().to_string(), arg[at..].to_string()));
        }
    }
    (ret, params)
}

/// A callback typedef's return type and parameters.
fn callback_signature(decl: &str) -> (String, Vec<(String, String)>) {
    let flat = decl.split_whitespace().collect::<Vec<_>>().join(" ");
    let ret = flat["typedef ".len()..flat.find("(*").expect("a callback")].trim();
    let args_at = flat.find(")(").expect("a callback's parameters") + 1;
    let (_, params) = signature(&format!("x{}", &flat[args_at..]));
    (ret.to_string(), params)
}

/// A struct typedef's fields, as (type, name), in declaration order.
fn struct_fields(decl: &str) -> Vec<(String, String)> {
    let body =
        &decl[decl.find('{').expect("a struct body") + 1..decl.rfind('}').expect("a body closes")];
    let fields = body.trim().trim_end_matches(';').replace(';', ",");
    signature(&format!("x({fields})")).1
}

/// The sentences of a doc text (split at ". " and line ends after a period).
fn sentences(doc: &str) -> Vec<String> {
    doc.replace('\n', " ")
        .split(". ")
        .map(str::to_string)
        .collect()
}

fn says_nullable(doc: &str, name: &str) -> bool {
    let tick = format!("`{name}`");
    sentences(doc)
        .iter()
        .any(|s| s.contains(&tick) && s.contains("may be NULL"))
}

fn base_type(ty: &str) -> String {
    ty.replace("const", "").replace('*', "").trim().to_string()
}

fn codes(doc: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for word in doc.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let is_code = word == "REQC_OK" || word.starts_with("REQC_E_");
        if is_code && !codes.iter().any(|c| c == word) {
            codes.push(word.to_string());
        }
    }
    codes
}

fn function(item: &Item, handles: &[String]) -> Value {
    let doc = item.doc_text();
    let (ret, params) = signature(&item.decl);
    let is_free = item.name.ends_with("_free");
    let owner = params
        .iter()
        .find(|(ty, _)| handles.contains(&base_type(ty)) && ty.matches('*').count() == 1)
        .map(|(_, name)| name.clone());
    let mut out_params = Vec::new();
    for (index, (ty, name)) in params.iter().enumerate() {
        let base = base_type(ty);
        let stars = ty.matches('*').count();
        let is_out = name.ends_with("_out");
        let nullable = says_nullable(&doc, name)
            || name == "userdata"
            || name == "free_userdata"
            || (is_free && index == 0);
        let mut p = Map::new();
        p.insert("name".into(), json!(name));
        p.insert("type".into(), json!(ty));
        p.insert("direction".into(), json!(if is_out { "out" } else { "in" }));
        p.insert("nullable".into(), json!(nullable));
        let pointer = stars > 0 || base.ends_with("_fn");
        p.insert("pointer".into(), json!(pointer));
        let ownership = if is_out && stars == 2 && !ty.starts_with("const") {
            let free = if base == "char" {
                "reqc_string_free".to_string()
            } else {
                format!("{base}_free")
            };
            p.insert("free_with".into(), json!(free));
            "transferred"
        } else if is_free && index == 0 {
            "released"
        } else if says_taken(&doc, name) {
            "transferred"
        } else {
            "borrowed"
        };
        p.insert("ownership".into(), json!(ownership));
        if is_out && stars == 2 && ty.starts_with("const") {
            if let Some(owner) = &owner {
                p.insert("borrowed_from".into(), json!(owner));
            }
        }
        out_params.push(Value::Object(p));
    }
    let mut returns = Map::new();
    returns.insert("type".into(), json!(ret));
    if ret.contains('*') {
        returns.insert(
            "borrowed_from".into(),
            owner.as_ref().map_or(json!(null), |o| json!(o)),
        );
    }
    if ret == "reqc_code" {
        returns.insert("codes".into(), json!(codes(&doc)));
    }
    json!({
        "name": item.name,
        "section": SECTIONS[item.section].1,
        "params": out_params,
        "returns": returns,
        "may_block": doc.contains("May block on the network"),
        "doc": doc,
    })
}

fn says_taken(doc: &str, name: &str) -> bool {
    let tick = format!("`{name}`");
    sentences(doc)
        .iter()
        .any(|s| s.contains(&tick) && s.contains("takes ownership"))
}

fn define_value(decl: &str) -> Value {
    let value = decl.split_whitespace().nth(2).unwrap_or("");
    if let Some(hex) = value.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).map_or(json!(value), |n| json!(n));
    }
    value
        .parse::<i64>()
        .map_or_else(|_| json!(value.trim_matches('"')), |n| json!(n))
}

/// The description as pretty JSON text.
pub fn describe(items: &[Item], version: &str) -> String {
    let handles = handles(items);
    let mut families: Vec<Value> = Vec::new();
    let mut constants: Vec<Value> = Vec::new();
    for item in items.iter().filter(|i| i.kind == Kind::Typedef) {
        let prefix = if item.name == "reqc_code" {
            "REQC_E_".to_string()
        } else {
            format!("{}_", item.name.to_uppercase())
        };
        let members: Vec<Value> = items
            .iter()
            .filter(|c| c.kind == Kind::Define)
            .filter(|c| {
                c.name.starts_with(&prefix) || (item.name == "reqc_code" && c.name == "REQC_OK")
            })
            .map(|c| json!({"name": c.name, "value": define_value(&c.decl), "doc": c.doc_text()}))
            .collect();
        let (ty, _) = signature(&format!("{}(void)", item.decl.trim_end_matches(';')));
        families.push(json!({
            "name": item.name,
            "type": ty.trim_start_matches("typedef").trim(),
            "prefix": prefix,
            "constants": members,
            "doc": item.doc_text(),
        }));
    }
    let in_family = |name: &str| {
        families.iter().any(|f| {
            f["constants"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|c| c["name"] == name))
        })
    };
    for item in items.iter().filter(|i| i.kind == Kind::Define) {
        if !in_family(&item.name) {
            constants.push(json!({"name": item.name, "value": define_value(&item.decl), "doc": item.doc_text()}));
        }
    }
    let callbacks: Vec<Value> = items
        .iter()
        .filter(|i| i.kind == Kind::Callback)
        .map(|i| {
            let (ret, params) = callback_signature(&i.decl);
            json!({
                "name": i.name,
                "returns": ret,
                "params": params.iter().map(|(t, n)| json!({"name": n, "type": t})).collect::<Vec<_>>(),
                "doc": i.doc_text(),
            })
        })
        .collect();
    let structs: Vec<Value> = items
        .iter()
        .filter(|i| i.kind == Kind::Struct)
        .map(|i| {
            let fields = struct_fields(&i.decl)
                .into_iter()
                .map(|(t, n)| json!({"name": n, "type": t}))
                .collect::<Vec<_>>();
            json!({"name": i.name, "fields": fields, "declaration": i.decl, "doc": i.doc_text()})
        })
        .collect();
    let handle_list: Vec<Value> = items
        .iter()
        .filter(|i| i.kind == Kind::Opaque)
        .map(|i| {
            let free = format!("{}_free", i.name);
            let has_free = items.iter().any(|f| f.name == free);
            json!({"name": i.name, "free": if has_free { json!(free) } else { json!(null) }, "doc": i.doc_text()})
        })
        .collect();
    let functions: Vec<Value> = items
        .iter()
        .filter(|i| i.kind == Kind::Function)
        .map(|i| function(i, &handles))
        .collect();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let number = (parts.next().unwrap_or(0) << 16)
        | (parts.next().unwrap_or(0) << 8)
        | parts.next().unwrap_or(0);
    let description = json!({
        "schema": "reqc-api/1 (see docs/c.md, \"The machine-readable description\")",
        "version": version,
        "version_number": number,
        "sections": SECTIONS.iter().map(|(_, title)| title).collect::<Vec<_>>(),
        "handles": handle_list,
        "families": families,
        "constants": constants,
        "callbacks": callbacks,
        "structs": structs,
        "functions": functions,
    });
    let mut text = serde_json::to_string_pretty(&description).expect("JSON serializes");
    text.push('\n');
    text
}
