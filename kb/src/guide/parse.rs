//! One guide file: its front matter (YAML or TOML, strict fields with their lines) and its body.

use crate::markdown::{self, FrontMatterFormat};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use super::config::*;
use super::*;

/// Parses one guide; reports problems through `report(line, message)`. `None` when the guide cannot
/// be indexed (unreadable front matter, unknown language).
pub fn parse_guide(
    rel: &Path,
    source: &str,
    config: &Config,
    report: &mut dyn FnMut(usize, String),
) -> Option<Guide> {
    let split = match markdown::split_front_matter(source) {
        Ok(split) => split,
        Err(message) => {
            report(1, message);
            return None;
        }
    };
    let (front, field_lines) = match &split.front {
        None => (serde_json::Map::new(), BTreeMap::new()),
        Some(raw) => {
            let value = match raw.format {
                FrontMatterFormat::Yaml => {
                    serde_yaml_ng::from_str::<Value>(raw.text).map_err(|e| {
                        let line = e.location().map_or(0, |l| l.line().saturating_sub(1));
                        (raw.first_line + line, e.to_string())
                    })
                }
                FrontMatterFormat::Toml => toml::from_str::<toml::Table>(raw.text)
                    .map(|t| toml_to_json(toml::Value::Table(t)))
                    .map_err(|e| {
                        let line = e
                            .span()
                            .map_or(0, |s| raw.text[..s.start].matches('\n').count());
                        (raw.first_line + line, e.message().to_string())
                    }),
            };
            let map = match value {
                Ok(Value::Object(map)) => map,
                Ok(Value::Null) => serde_json::Map::new(),
                Ok(_) => {
                    report(
                        raw.first_line,
                        "invalid front matter: expected key: value pairs".into(),
                    );
                    return None;
                }
                Err((line, message)) => {
                    report(
                        line,
                        format!("invalid front matter: {}", first_line_lowercase(&message)),
                    );
                    return None;
                }
            };
            (map, field_lines_of(raw.text, raw.first_line))
        }
    };
    let line = |field: &str| field_lines.get(field).copied().unwrap_or(1);
    let mut fields = Fields {
        map: &front,
        line: &line,
        report,
    };

    let body = markdown::parse_body(split.body, split.body_first_line);
    let mut raw_html: Vec<RawHtml> = body
        .heading_html
        .iter()
        .map(|(line, tags)| RawHtml {
            line: *line,
            what: "heading",
            tags: tags.clone(),
        })
        .collect();
    // Front matter text is shown and indexed as it reads, never as markup.
    let mut plain = |field: &str, what: &'static str, text: String| {
        let markdown::PlainText { text, html } = markdown::inline_text(&text);
        if !html.is_empty() {
            raw_html.push(RawHtml {
                line: line(field),
                what,
                tags: html,
            });
        }
        Some(text).filter(|t| !t.is_empty())
    };
    let stem_id = rel.with_extension("").to_string_lossy().replace('\\', "/");
    let id = fields.string("id").unwrap_or(stem_id);
    let front_title = fields
        .string("title")
        .and_then(|t| plain("title", "title", t));
    // The first `#` heading is plain text already: it went through the same reading as a heading.
    let title = front_title.or_else(|| body.h1.clone()).unwrap_or_else(|| {
        rel.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let lang = match fields.string("lang") {
        Some(code) => match Lang::parse(&code) {
            Some(lang) => lang,
            None => {
                (fields.report)(
                    line("lang"),
                    format!("unknown language \"{code}\" (expected ko or en)"),
                );
                return None;
            }
        },
        None => rel
            .components()
            .find_map(|c| {
                Lang::parse(&c.as_os_str().to_string_lossy()).filter(|_| {
                    let seg = c.as_os_str().to_string_lossy();
                    seg.len() == 2 || seg.len() == 5
                })
            })
            .unwrap_or_else(|| {
                let sample: String = body.sections.iter().map(|s| s.text.as_str()).collect();
                Lang::detect(&format!("{title} {sample}"))
            }),
    };
    let area = fields.string("area");
    let category = fields.string("category");
    let tags: Vec<String> = fields
        .list("tags")
        .into_iter()
        .filter_map(|t| plain("tags", "a tag", t))
        .collect();
    let questions: Vec<String> = fields
        .list("questions")
        .into_iter()
        .filter_map(|q| plain("questions", "a question", q))
        .collect();
    let description = fields
        .string("description")
        .and_then(|d| plain("description", "description", d));
    let guide = Guide {
        area,
        category,
        tags,
        questions,
        description,
        updated: fields.string("updated"),
        translation_of: fields.string("translation_of"),
        draft: matches!(front.get("draft"), Some(Value::Bool(true))),
        id,
        rel_path: rel.to_path_buf(),
        lang,
        title,
        sections: body.sections,
        anchors: body.anchors,
        references: body.references,
        field_lines: field_lines.clone(),
        raw_html,
        body: split.body.to_string(),
        body_line: split.body_first_line,
    };
    if config.strict {
        for field in [
            "id",
            "title",
            "lang",
            "area",
            "category",
            "tags",
            "questions",
            "updated",
        ] {
            if !front.contains_key(field) {
                report(1, format!("missing front matter field \"{field}\""));
            }
        }
    }
    Some(guide)
}

pub(super) fn first_line_lowercase(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    // serde_yaml_ng appends " at line N column M", which the path:line prefix already says.
    let first = first.split(" at line ").next().unwrap_or(first);
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c
            .to_lowercase()
            .chain(chars)
            .collect::<String>()
            .trim_end_matches('.')
            .to_string(),
        None => String::new(),
    }
}

/// Reads typed fields from front matter, reporting wrong types.
pub(super) struct Fields<'a> {
    map: &'a serde_json::Map<String, Value>,
    line: &'a dyn Fn(&str) -> usize,
    report: &'a mut dyn FnMut(usize, String),
}

impl Fields<'_> {
    pub(super) fn string(&mut self, field: &str) -> Option<String> {
        match self.map.get(field)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            Value::String(_) => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" is empty"),
                );
                None
            }
            _ => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" must be text"),
                );
                None
            }
        }
    }

    pub(super) fn list(&mut self, field: &str) -> Vec<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            Some(Value::Array(items)) => {
                let strings: Vec<String> = items
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.trim().to_string()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                if strings.len() != items.len() {
                    (self.report)(
                        (self.line)(field),
                        format!("front matter field \"{field}\" must be a list of text"),
                    );
                }
                strings
            }
            Some(_) => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" must be a list of text"),
                );
                Vec::new()
            }
        }
    }
}

/// The 1-based line of each top-level key in a front matter block.
pub(super) fn field_lines_of(text: &str, first_line: usize) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        if let Some(pos) = line.find([':', '=']) {
            let key = line[..pos].trim().trim_matches(['"', '\'']);
            if !key.is_empty() {
                lines.entry(key.to_string()).or_insert(first_line + i);
            }
        }
    }
    lines
}

pub(super) fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}
