//! Markdown → sections, anchors and link references.
//!
//! Guides come from many tools (plain CommonMark, MDX from Astro or Docusaurus, Hugo), so the body is
//! first cleaned line by line of what is markup for *those tools* rather than text for readers
//! (MDX `import`/`export`, JSX components, `:::note` admonition fences, Hugo shortcodes, MDX comments),
//! keeping every line break so that reported line numbers stay those of the source file. Raw HTML
//! (and HTML comments) is dropped from the text; rendering to HTML goes through [`render_html`], which
//! sanitizes with ammonia. Titles and headings are plain text, made by one function, [`inline_text`],
//! whichever way they come in (front matter or a heading in the body).

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

/// A title or heading as plain text, and the raw HTML that was dropped from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText {
    /// What a reader sees: text, link text, image alt text and code, whitespace collapsed.
    pub text: String,
    /// The HTML tags dropped, as `<name>`, each once, in order of appearance.
    pub html: Vec<String>,
}

/// A title, heading, question or tag as plain text: see [`inline_text`].
pub fn plain_text(inline: &str) -> String {
    inline_text(inline).text
}

/// Reads one line of inline Markdown (a front matter `title`, a question, a tag) as a reader sees
/// it once rendered: emphasis markers and link syntax go, link text and image alt text stay, code
/// spans keep their text, entities are decoded (`&lt;b&gt;` is the text `<b>`), raw HTML tags are
/// dropped, with the content of `<script>` and `<style>`, and whitespace is collapsed.
pub fn inline_text(inline: &str) -> PlainText {
    // As the content of an ATX heading, the only block whose content is inline and nothing else:
    // read as a paragraph, `1. Setup` would be a list, `---` a rule and `[a]: b` a link definition.
    // The closing ` #` keeps a trailing `#` of the text (`Issue #`) from being taken for one.
    let source = format!("# {} #", inline.replace(['\r', '\n'], " "));
    let mut options = parser_options();
    // `{#id}` at the end of a title is text: the heading it would name exists only here.
    options.remove(Options::ENABLE_HEADING_ATTRIBUTES);
    let mut text = InlineText::default();
    for event in Parser::new_ext(&source, options) {
        text.push(&event);
    }
    text.finish()
}

/// Collects the plain text of inline events: the one place that decides what of a title or heading
/// is text, shared by [`inline_text`] and the headings of [`parse_body`].
#[derive(Default)]
struct InlineText {
    text: String,
    html: Vec<String>,
    /// The `<script>` or `<style>` element being skipped: its content is code, not text.
    raw_element: Option<String>,
}

impl InlineText {
    fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) => self.text(text),
            Event::InlineHtml(html) | Event::Html(html) => self.html(html),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            // Emphasis, links and images only wrap text events; footnote marks are not text.
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.raw_element.is_none() {
            self.text.push_str(text);
        }
    }

    fn html(&mut self, html: &str) {
        // Comments, declarations and processing instructions are dropped without a word: the body
        // drops HTML comments before parsing too, and none of them shows anything to a reader.
        let Some(tag) = HtmlTag::parse(html) else {
            return;
        };
        let name = tag.name.to_ascii_lowercase();
        match &self.raw_element {
            Some(open) if tag.closing && *open == name => self.raw_element = None,
            Some(_) => {}
            None if !tag.closing && !tag.self_closing && (name == "script" || name == "style") => {
                self.raw_element = Some(name.clone());
            }
            None => {}
        }
        // A line break between two words still separates them.
        if name == "br" {
            self.text.push(' ');
        }
        let shown = format!("<{}>", tag.name);
        if !self.html.contains(&shown) {
            self.html.push(shown);
        }
    }

    fn finish(self) -> PlainText {
        PlainText {
            text: collapse_whitespace(&self.text),
            html: self.html,
        }
    }
}

/// An HTML start or end tag as pulldown-cmark reports it (always well formed).
struct HtmlTag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
}

impl<'a> HtmlTag<'a> {
    /// `None` for comments, declarations, CDATA and processing instructions.
    fn parse(html: &'a str) -> Option<HtmlTag<'a>> {
        let rest = html.trim().strip_prefix('<')?;
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        Some(HtmlTag {
            name,
            closing,
            self_closing: html.trim_end().ends_with("/>"),
        })
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
    // A heading's `<script>` is left to the heading's events, which drop it as well and also tell
    // `kb check` that the heading held raw HTML.
    let scripts = !is_atx_heading(line);
    if !line.contains('`') {
        return strip_markup(line, scripts);
    }
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                strip_markup(part, scripts)
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Removes tool markup that pulldown-cmark would otherwise read as text, inline.
fn strip_inline_markup(text: &str) -> String {
    strip_markup(text, true)
}

fn strip_markup(text: &str, scripts: bool) -> String {
    let text = SHORTCODE.replace_all(text, "");
    let text = MDX_COMMENT.replace_all(&text, "");
    let text = HTML_COMMENT.replace_all(&text, "");
    let text = if scripts {
        SCRIPT_STYLE.replace_all(&text, "")
    } else {
        text
    };
    JSX_TAG.replace_all(&text, "").into_owned()
}

/// `## Heading`: up to three spaces of indent, one to six `#`, then a space or the end.
fn is_atx_heading(line: &str) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    indent <= 3
        && (1..=6).contains(&hashes)
        && rest[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

/// Blanks the lines that are markup of a docs tool rather than Markdown, keeping line count.
pub(crate) fn clean_tool_markup(body: &str) -> String {
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

/// Text made safe for HTML text and quoted attribute values (and XML): `& < > " '` escaped.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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
        // In a code span `<Picture />` is the name of the component the section documents, shown
        // to readers as those characters (Astro's reference pages are headed so), and Astro's own
        // anchor is `picture-`: it is text, not markup, and stays. Written bare, a component is
        // something the page renders instead of text, so it is dropped like any other tool markup
        // (silently: in MDX that is how a heading gets a badge, not a mistake worth a warning).
        let b = parse_body("### `<Picture />`\n\nText.\n", 1);
        assert_eq!(b.anchors, ["picture-"]);
        assert_eq!(b.sections[0].heading, "<Picture />");
        assert!(b.heading_html.is_empty());
        let b = parse_body(
            "### Using <Picture /> here <Badge text=\"new\" />\n\nText.\n",
            1,
        );
        assert_eq!(b.anchors, ["using-here"]);
        assert_eq!(b.sections[0].heading, "Using here");
        assert!(b.heading_html.is_empty());
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

    #[test]
    fn plain_text_drops_raw_html_and_its_scripts() {
        let t = inline_text("환불 안내<script>alert(1)</script>");
        assert_eq!(
            t,
            PlainText {
                text: "환불 안내".into(),
                html: vec!["<script>".into()]
            }
        );
        assert_eq!(plain_text("Refund <img src=x onerror=alert(1)>"), "Refund");
        let t = inline_text(
            "<b onclick=\"alert(1)\">Bold</b> and <SCRIPT src=x>x()</SCRIPT> <i>it</i>",
        );
        assert_eq!(t.text, "Bold and it");
        assert_eq!(t.html, ["<b>", "<SCRIPT>", "<i>"]);
        assert_eq!(plain_text("a <style>p { color: red }</style>b"), "a b");
        // An element never closed hides the rest of the line, as a browser would.
        assert_eq!(plain_text("a <script>b c"), "a");
        assert_eq!(plain_text("line<br>break"), "line break");
        // Comments show nothing and are not worth a warning: the body drops them before parsing.
        assert_eq!(
            inline_text("a <!-- note --> b"),
            PlainText {
                text: "a b".into(),
                html: vec![]
            }
        );
    }

    #[test]
    fn plain_text_keeps_what_readers_see() {
        // Entities are text: the reader sees `<b>`, and so does the index.
        assert_eq!(
            inline_text("&lt;b&gt; tags &amp; more"),
            PlainText {
                text: "<b> tags & more".into(),
                html: vec![]
            }
        );
        assert_eq!(
            plain_text("See [the refund guide](refund.md#x)"),
            "See the refund guide"
        );
        assert_eq!(
            plain_text("![Refund *button*](x.png) <https://a.example>"),
            "Refund button https://a.example"
        );
        assert_eq!(
            plain_text("*em* **strong** ~~del~~ _under_"),
            "em strong del under"
        );
        assert_eq!(
            plain_text("The `<Picture />` component"),
            "The <Picture /> component"
        );
        assert_eq!(
            plain_text("`astro:content` \\*literal\\*"),
            "astro:content *literal*"
        );
        for korean in [
            "결제 취소와 환불",
            "비밀번호를 바꾸려면 어떻게 하나요?",
            "카드 수수료 (VAT 별도)",
        ] {
            assert_eq!(plain_text(korean), korean);
        }
        // Read as inline text only: nothing here is a list, a rule, a definition or a heading id.
        for literal in [
            "1. Setup",
            "- item",
            "---",
            "> quoted",
            "[a]: b",
            "Issue #",
            "C#",
            "# Title",
            "Setup {#custom}",
            "Neon Postgres & Astro",
        ] {
            assert_eq!(plain_text(literal), literal);
        }
        assert_eq!(
            plain_text("  two\n lines\t and  spaces "),
            "two lines and spaces"
        );
        assert_eq!(
            inline_text("<script>alert(1)</script>"),
            PlainText {
                text: String::new(),
                html: vec!["<script>".into()]
            }
        );
        assert_eq!(plain_text(""), "");
    }

    #[test]
    fn headings_are_plain_text_with_anchors_from_it() {
        let body = "## Refund <img src=x onerror=alert(1)>\n\nText.\n\n## Fees <script>alert(1)</script>\n\nMore.\n\n\
Limits <b>now</b>\n---\n\nX.\n\n#### Small <i>print</i>\n\nY.\n";
        let b = parse_body(body, 3);
        let headings: Vec<_> = b
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.line))
            .collect();
        assert_eq!(
            headings,
            [
                ("Refund", "refund", 3),
                ("Fees", "fees", 7),
                ("Limits now", "limits-now", 11)
            ]
        );
        assert_eq!(b.anchors, ["refund", "fees", "limits-now", "small-print"]);
        assert_eq!(b.sections[2].text, "X.\nSmall print\nY.");
        let html: Vec<(usize, Vec<&str>)> = b
            .heading_html
            .iter()
            .map(|(line, tags)| (*line, tags.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            html,
            [
                (3, vec!["<img>"]),
                (7, vec!["<script>"]),
                (11, vec!["<b>"]),
                (16, vec!["<i>"])
            ]
        );
        // Outside headings inline scripts are still removed before parsing, as before.
        let b = parse_body("Text <script>alert(1)</script> more.\n", 1);
        assert_eq!(b.sections[0].text, "Text  more.");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{inline_text, plain_text};

        /// One piece of a title: the source, and the text a reader sees of it (`None` for raw HTML,
        /// which shows nothing).
        fn piece() -> impl Strategy<Value = (String, Option<String>)> {
            let word = "[a-zA-Z0-9가-힣]{1,8}".prop_map(|w| (w.clone(), Some(w)));
            let name = prop::sample::select(vec![
                "img", "b", "i", "a", "span", "div", "svg", "iframe", "p", "Card", "x-widget",
            ]);
            let attribute = prop::sample::select(vec![
                "",
                " src=x",
                " onerror=alert(1)",
                " onload=\"alert(1)\"",
                " href='javascript:alert(1)'",
                " class=\"a b\"",
                " hidden",
                " style=\"color:red\"",
            ]);
            let tag = (name, prop::collection::vec(attribute, 0..3), 0..3u8).prop_map(
                |(name, attributes, form)| {
                    let attributes = attributes.concat();
                    let tag = match form {
                        0 => format!("<{name}{attributes}>"),
                        1 => format!("<{name}{attributes} />"),
                        _ => format!("</{name}>"),
                    };
                    (tag, None)
                },
            );
            let element = (
                prop::sample::select(vec!["script", "style", "SCRIPT"]),
                prop::collection::vec(
                    prop_oneof![
                        "[a-z가-힣]{1,6}",
                        Just("alert(1);".to_string()),
                        Just("a<b".to_string()),
                        Just("x > y".to_string())
                    ],
                    0..4,
                ),
            )
                .prop_map(|(name, content)| {
                    (format!("<{name}>{}</{name}>", content.join(" ")), None)
                });
            let comment = "[a-z ]{0,8}".prop_map(|c| (format!("<!--{c}-->"), None));
            let br = Just(("<br>".to_string(), Some(" ".to_string())));
            prop_oneof![4 => word, 3 => tag, 1 => element, 1 => comment, 1 => br]
        }

        proptest! {
            /// Words mixed with raw HTML come out as exactly the words: nothing of a tag (no `<`, no
            /// `onerror=`, no script) is left, and reading the result again changes nothing.
            #[test]
            fn words_survive_and_tags_do_not(
                pieces in prop::collection::vec((piece(), prop::sample::select(vec!["", " ", "  ", "\n"])), 0..12)
            ) {
                let mut source = String::new();
                let mut shown = String::new();
                for ((piece, text), separator) in &pieces {
                    source.push_str(piece);
                    source.push_str(separator);
                    shown.push_str(text.as_deref().unwrap_or(""));
                    shown.push_str(separator);
                }
                let out = inline_text(&source);
                prop_assert_eq!(&out.text, &super::super::collapse_whitespace(&shown));
                prop_assert!(!out.text.contains('<') && !out.text.contains('>'), "{}", out.text);
                prop_assert!(!out.text.contains("onerror="));
                let had_tags = pieces.iter().any(|((p, t), _)| t.is_none() && !p.starts_with("<!--"))
                    || pieces.iter().any(|((p, _), _)| p == "<br>");
                prop_assert_eq!(!out.html.is_empty(), had_tags);
                prop_assert_eq!(plain_text(&out.text), out.text.clone());
            }

            /// Anything at all: no panic, and the result is one trimmed line of single spaces.
            #[test]
            fn any_text_gives_one_clean_line(source in any::<String>()) {
                let out = plain_text(&source);
                prop_assert!(!out.contains(['\n', '\r']) && !out.contains("  "), "{:?}", out);
                prop_assert_eq!(out.trim(), out.as_str());
            }

            /// Markdown punctuation in any mix, as titles are written: no panic, clean line.
            #[test]
            fn markdown_punctuation_gives_one_clean_line(source in "[a<>/=\"'`*_\\[\\]()!#&;\\\\ \n-]{0,40}") {
                let out = plain_text(&source);
                prop_assert!(!out.contains('\n') && !out.contains("  "), "{:?}", out);
            }
        }
    }
}
