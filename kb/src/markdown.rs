//! Markdown → sections, anchors and link references.
//!
//! Guides come from many tools (plain CommonMark, MDX from Astro or Docusaurus, Hugo), so the body is
//! first cleaned line by line of what is markup for *those tools* rather than text for readers
//! (MDX `import`/`export`, JSX components, `:::note` admonition fences, Hugo shortcodes, MDX comments),
//! keeping every line break so that reported line numbers stay those of the source file. Raw HTML
//! (and HTML comments) is dropped from the text; rendering to HTML goes through [`render_html`], which
//! sanitizes with ammonia.

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use regex::Regex;

/// Every pulldown-cmark option Baton uses, in one place.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Front matter as found at the top of a file, not yet parsed.
#[derive(Debug, Clone)]
pub struct RawFrontMatter<'a> {
    /// YAML (`---`) or TOML (`+++`).
    pub format: FrontMatterFormat,
    /// The text between the fences.
    pub text: &'a str,
    /// 1-based line of the first line of `text`.
    pub first_line: usize,
}

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatterFormat {
    /// `---` fenced YAML.
    Yaml,
    /// `+++` fenced TOML.
    Toml,
}

/// A file split into front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    /// The front matter, if the file has one.
    pub front: Option<RawFrontMatter<'a>>,
    /// Everything after the front matter.
    pub body: &'a str,
    /// 1-based line number of the body's first line.
    pub body_first_line: usize,
}

/// Splits off a leading `---` YAML or `+++` TOML block.
///
/// An opening fence without a closing one is an error (line 1), because silently treating the whole
/// guide as front matter, or the front matter as text, would both index garbage.
pub fn split_front_matter(source: &str) -> Result<Split<'_>, String> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let first = source.lines().next().unwrap_or("");
    let (fence, format) = match first.trim_end() {
        "---" => ("---", FrontMatterFormat::Yaml),
        "+++" => ("+++", FrontMatterFormat::Toml),
        _ => {
            return Ok(Split {
                front: None,
                body: source,
                body_first_line: 1,
            });
        }
    };
    let start = first.len() + usize::from(source[first.len()..].starts_with('\n'));
    let mut offset = start;
    for (line_no, line) in (2..).zip(source[start..].split_inclusive('\n')) {
        if line.trim_end() == fence {
            let end = offset + line.len();
            return Ok(Split {
                front: Some(RawFrontMatter {
                    format,
                    text: &source[start..offset],
                    first_line: 2,
                }),
                body: &source[end..],
                body_first_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(format!(
        "front matter opened with `{fence}` on line 1 is never closed"
    ))
}

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
    let mut heading: Option<(u8, Option<String>, String, usize)> = None;
    let mut in_code = false;

    for (event, range) in Parser::new_ext(&cleaned, parser_options()).into_offset_iter() {
        let sink = match heading.as_mut() {
            Some((_, _, text, _)) => text,
            None => &mut current.text,
        };
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    heading_level(level),
                    id.map(|id| id.to_string()),
                    String::new(),
                    line_of(range.start),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, id, text, line)) = heading.take() else {
                    continue;
                };
                let text = collapse_whitespace(&text);
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

fn push_section(sections: &mut Vec<Section>, mut section: Section) {
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

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn ensure_newline(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
struct Slugger {
    seen: std::collections::HashMap<String, usize>,
}

impl Slugger {
    fn anchor(&mut self, text: &str) -> String {
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

static JSX_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"</?[A-Z][\w.]*(?:\s[^<>]*?)?/?>|<>|</>").expect("valid jsx regex")
});
static SHORTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[<%].*?[%>]\}\}").expect("valid shortcode regex"));
static MDX_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{/\*.*?\*/\}").expect("valid comment regex"));
static HTML_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--.*?-->").expect("valid comment regex"));
/// Inline `<script>`/`<style>` elements: their content is code, and would otherwise reach the text
/// between the two raw HTML tags.
static SCRIPT_STYLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>")
        .expect("valid script regex")
});

/// Removes tool markup from a source line, leaving inline code spans (`` `<Picture />` ``) alone.
fn strip_line_markup(line: &str) -> String {
    if !line.contains('`') {
        return strip_inline_markup(line);
    }
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                strip_inline_markup(part)
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Removes tool markup that pulldown-cmark would otherwise read as text, inline.
fn strip_inline_markup(text: &str) -> String {
    let text = SHORTCODE.replace_all(text, "");
    let text = MDX_COMMENT.replace_all(&text, "");
    let text = HTML_COMMENT.replace_all(&text, "");
    let text = SCRIPT_STYLE.replace_all(&text, "");
    JSX_TAG.replace_all(&text, "").into_owned()
}

/// Blanks the lines that are markup of a docs tool rather than Markdown, keeping line count.
fn clean_tool_markup(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    // Open brackets of a multi-line `import`/`export` statement or JSX tag being skipped.
    let mut skipping: Option<Skip> = None;
    for line in body.split_inclusive('\n') {
        let newline = if line.ends_with('\n') { "\n" } else { "" };
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();

        if let Some((ch, len)) = fence {
            let run = trimmed.chars().take_while(|&c| c == ch).count();
            if run >= len && trimmed[run * ch.len_utf8()..].trim().is_empty() {
                fence = None;
                // Fences are written at column 0: in MDX, indentation inside JSX is not
                // significant, while CommonMark would read an indented fence as code and let one
                // unbalanced fence swallow the rest of the page.
                out.push_str(trimmed);
                out.push_str(newline);
            } else {
                out.push_str(line);
            }
            continue;
        }
        if let Some(skip) = skipping.as_mut() {
            if skip.feed(content) {
                skipping = None;
            }
            out.push_str(newline);
            continue;
        }
        if let Some(ch) = ['`', '~'].into_iter().find(|&c| trimmed.starts_with(c)) {
            let run = trimmed.chars().take_while(|&c| c == ch).count();
            if run >= 3 {
                fence = Some((ch, run));
                out.push_str(trimmed);
                out.push_str(newline);
                continue;
            }
        }
        let starts_statement = (trimmed.starts_with("import ") || trimmed.starts_with("export "))
            && content.len() == trimmed.len();
        if starts_statement {
            let mut skip = Skip::Brackets(0);
            if !skip.feed(content) {
                skipping = Some(skip);
            }
            out.push_str(newline);
            continue;
        }
        if trimmed.starts_with(":::") {
            out.push_str(newline);
            continue;
        }
        // A JSX tag whose attributes run over several lines: `<Card\n  title="…"\n/>`.
        if trimmed.starts_with('<')
            && trimmed[1..].starts_with(|c: char| c.is_ascii_uppercase())
            && !trimmed.contains('>')
        {
            skipping = Some(Skip::UntilTagEnd);
            out.push_str(newline);
            continue;
        }
        let cleaned = strip_line_markup(content);
        // A line holding only a JSX expression such as `{frontmatter.title}` is code, not text.
        let cleaned_trim = cleaned.trim();
        if cleaned_trim.starts_with('{')
            && cleaned_trim.ends_with('}')
            && content.len() == trimmed.len()
        {
            out.push_str(newline);
            continue;
        }
        out.push_str(&cleaned);
        out.push_str(newline);
    }
    out
}

enum Skip {
    /// Depth of `{`, `(`, `[` in an import/export statement.
    Brackets(i32),
    /// Until the line that closes a multi-line JSX tag.
    UntilTagEnd,
}

impl Skip {
    /// Consumes one line; true when the construct ends on it.
    fn feed(&mut self, line: &str) -> bool {
        match self {
            Skip::Brackets(depth) => {
                for c in line.chars() {
                    match c {
                        '{' | '(' | '[' => *depth += 1,
                        '}' | ')' | ']' => *depth -= 1,
                        _ => {}
                    }
                }
                *depth <= 0
            }
            Skip::UntilTagEnd => line.contains('>'),
        }
    }
}

/// Renders Markdown to HTML for display, sanitized with ammonia: raw HTML in guides can never
/// inject scripts, event handlers or styles into Baton's pages.
pub fn render_html(markdown: &str) -> String {
    let cleaned = clean_tool_markup(markdown);
    let mut html = String::with_capacity(cleaned.len() * 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&cleaned, parser_options()));
    ammonia::Builder::default()
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("카드 수수료 (VAT 별도)"), "카드-수수료-vat-별도");
        assert_eq!(
            slug("Error PAY-1001: limit exceeded"),
            "error-pay-1001-limit-exceeded"
        );
        assert_eq!(slug("`astro:content`"), "astrocontent");
        assert_eq!(slug("snake_case & more"), "snake_case--more");
        let b = parse_body("### `<Picture />`\n\nText.\n", 1);
        assert_eq!(b.anchors, ["picture-"]);
        assert_eq!(b.sections[0].heading, "<Picture />");
        // An MDX tab whose fences are indented unevenly must not swallow the next heading.
        let b = parse_body(
            "<Tabs>\n  <TabItem>\n    ```ts\n    code\n\n    more\n  ```\n  </TabItem>\n</Tabs>\n\n### Next\n\nText.\n",
            1,
        );
        assert_eq!(b.anchors, ["next"]);
    }

    #[test]
    fn front_matter_yaml_toml_none_and_unclosed() {
        let s = split_front_matter("---\ntitle: a\n---\nbody\n").expect("yaml");
        assert_eq!(s.front.as_ref().map(|f| f.text), Some("title: a\n"));
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_first_line, 4);
        let s = split_front_matter("+++\ntitle = 'a'\n+++\nbody").expect("toml");
        assert_eq!(s.front.map(|f| f.format), Some(FrontMatterFormat::Toml));
        let s = split_front_matter("# Title\n").expect("none");
        assert!(s.front.is_none());
        assert!(split_front_matter("---\ntitle: a\nbody\n").is_err());
    }

    #[test]
    fn sections_anchors_and_lines() {
        let body = "Intro text.\n\n## First step\n\nDo [this](other.md#x).\n\n### Detail\n\nMore.\n\n## First step\n\n![shot](img.png)\n";
        let b = parse_body(body, 5);
        let headings: Vec<_> = b
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.line))
            .collect();
        assert_eq!(
            headings,
            [
                ("", "", 5),
                ("First step", "first-step", 7),
                ("Detail", "detail", 11),
                ("First step", "first-step-1", 15)
            ]
        );
        assert_eq!(b.sections[1].text, "Do this.");
        assert_eq!(
            b.references[0],
            Reference {
                dest: "other.md#x".into(),
                line: 9,
                image: false
            }
        );
        assert_eq!(b.references[1].line, 17);
        assert!(b.references[1].image);
    }

    #[test]
    fn tool_markup_does_not_leak() {
        let body = "import Tabs from '@astrojs/starlight/components';\nexport const meta = {\n  a: 1,\n};\n\n\
<!-- hidden comment -->\n:::note[Heads up]\nKeep this text.\n:::\n\n<Tabs>\n<TabItem label=\"npm\">\n\nRun it {/* mdx comment */} now.\n\n</TabItem>\n</Tabs>\n\n\
{{< figure src=\"x.png\" >}}\nHugo text.\n\n<Card\n  title=\"x\"\n/>\n\n```js\nimport x from 'y';\n```\n";
        let b = parse_body(body, 1);
        let text: String = b
            .sections
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            text,
            "Keep this text.\nRun it  now.\nHugo text.\nimport x from 'y';"
        );
    }

    #[test]
    fn rendered_html_is_sanitized() {
        let html = render_html(
            "## Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))",
        );
        assert!(
            html.contains("<h2>Hi</h2>") || html.contains("<h2 id"),
            "{html}"
        );
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
