//! A guide's body as sections (the text under each heading of levels 1–3), every anchor, and the
//! links and images it references.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::parser_options;
use super::text::{InlineText, PlainText};
use super::tool_markup::{clean_tool_markup, strip_inline_markup};

/// One section of a guide: the text under one heading (levels 1–3), or the introduction before the
/// first heading (empty heading and anchor).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// The heading text, empty for the introduction.
    pub heading: String,
    /// Heading level (1–3), 0 for the introduction.
    pub level: u8,
    /// The anchor of the heading, empty for the introduction.
    pub anchor: String,
    /// 1-based line of the heading in the source file.
    pub line: usize,
    /// Plain text: prose, list items, table cells and code, one block per line.
    pub text: String,
}

/// A link or image destination as written in a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The destination, as written.
    pub dest: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// An image rather than a link.
    pub image: bool,
}

/// A body parsed into sections, anchors and references.
#[derive(Debug, Default)]
pub struct Body {
    /// The first level-1 heading, used as the title when front matter has none.
    pub h1: Option<String>,
    /// Sections in document order; the introduction is kept only if it has text.
    pub sections: Vec<Section>,
    /// Every heading anchor (all levels), for link checking.
    pub anchors: Vec<String>,
    /// Links and images.
    pub references: Vec<Reference>,
    /// The raw HTML tags dropped from each heading that had some, with the heading's line.
    pub heading_html: Vec<(usize, Vec<String>)>,
}

/// Parses a guide body (after front matter). `first_line` is the body's line in the file.
pub fn parse_body(body: &str, first_line: usize) -> Body {
    let cleaned = clean_tool_markup(body);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(cleaned.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset) - 1;

    let mut out = Body::default();
    let mut slugs = Slugger::default();
    let mut current = Section {
        heading: String::new(),
        level: 0,
        anchor: String::new(),
        line: first_line,
        text: String::new(),
    };
    // Heading being read: (level, explicit id, text, line).
    let mut heading: Option<(u8, Option<String>, InlineText, usize)> = None;
    let mut in_code = false;

    for (event, range) in Parser::new_ext(&cleaned, parser_options()).into_offset_iter() {
        if let Some((_, _, inline, _)) = heading.as_mut() {
            match &event {
                Event::Text(text) => {
                    inline.text(&strip_inline_markup(text));
                    continue;
                }
                Event::Code(_)
                | Event::InlineHtml(_)
                | Event::Html(_)
                | Event::SoftBreak
                | Event::HardBreak => {
                    inline.push(&event);
                    continue;
                }
                _ => {}
            }
        }
        let sink = &mut current.text;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    heading_level(level),
                    id.map(|id| id.to_string()),
                    InlineText::default(),
                    line_of(range.start),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, id, inline, line)) = heading.take() else {
                    continue;
                };
                let PlainText { text, html } = inline.finish();
                if !html.is_empty() {
                    out.heading_html.push((line, html));
                }
                let anchor = slugs.anchor(id.as_deref().unwrap_or(&text));
                out.anchors.push(anchor.clone());
                if level == 1 && out.h1.is_none() {
                    out.h1 = Some(text.clone());
                }
                if level <= 3 {
                    let next = Section {
                        heading: text,
                        level,
                        anchor,
                        line,
                        text: String::new(),
                    };
                    push_section(&mut out.sections, std::mem::replace(&mut current, next));
                } else {
                    current.text.push_str(&text);
                    current.text.push('\n');
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                if let CodeBlockKind::Fenced(_) = kind {
                    ensure_newline(sink);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                ensure_newline(sink);
            }
            Event::Start(Tag::Link { dest_url, .. }) => out.references.push(Reference {
                dest: dest_url.to_string(),
                line: line_of(range.start),
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => out.references.push(Reference {
                dest: dest_url.to_string(),
                line: line_of(range.start),
                image: true,
            }),
            Event::Text(text) => {
                if in_code {
                    sink.push_str(&text);
                } else {
                    sink.push_str(&strip_inline_markup(&text));
                }
            }
            Event::Code(code) => sink.push_str(&code),
            Event::SoftBreak => sink.push(' '),
            Event::HardBreak => sink.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => ensure_newline(sink),
            Event::End(TagEnd::TableCell) => sink.push_str(" | "),
            // Raw HTML, JSX that survived cleaning, comments, footnote marks: not reader text.
            _ => {}
        }
    }
    push_section(&mut out.sections, current);
    out
}

pub(super) fn push_section(sections: &mut Vec<Section>, mut section: Section) {
    section.text = section
        .text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // An introduction with no text is not a section; a heading with no text still is (it can be
    // linked to and its heading words are searchable).
    if section.level == 0 && section.text.is_empty() {
        return;
    }
    sections.push(section);
}

pub(super) fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

pub(super) fn ensure_newline(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// Turns heading text into an anchor the way GitHub (and github-slugger, used by Astro and
/// Docusaurus) does: lowercase, spaces to `-`, everything but letters, digits, `-` and `_` removed.
pub fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out unique anchors within one page: a repeated heading gets `-1`, `-2`, ….
#[derive(Default)]
pub(super) struct Slugger {
    seen: std::collections::HashMap<String, usize>,
}

impl Slugger {
    pub(super) fn anchor(&mut self, text: &str) -> String {
        let base = slug(text);
        let count = self.seen.entry(base.clone()).or_insert(0);
        let anchor = if *count == 0 {
            base
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        anchor
    }
}
