//! Inline Markdown read as the plain text a reader sees, and text made safe for HTML.

use pulldown_cmark::{Event, Options, Parser};

use super::parser_options;

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
pub(super) struct InlineText {
    text: String,
    html: Vec<String>,
    /// The `<script>` or `<style>` element being skipped: its content is code, not text.
    raw_element: Option<String>,
}

impl InlineText {
    pub(super) fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) => self.text(text),
            Event::InlineHtml(html) | Event::Html(html) => self.html(html),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            // Emphasis, links and images only wrap text events; footnote marks are not text.
            _ => {}
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        if self.raw_element.is_none() {
            self.text.push_str(text);
        }
    }

    pub(super) fn html(&mut self, html: &str) {
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

    pub(super) fn finish(self) -> PlainText {
        PlainText {
            text: collapse_whitespace(&self.text),
            html: self.html,
        }
    }
}

/// An HTML start or end tag as pulldown-cmark reports it (always well formed).
pub(super) struct HtmlTag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
}

impl<'a> HtmlTag<'a> {
    /// `None` for comments, declarations, CDATA and processing instructions.
    pub(super) fn parse(html: &'a str) -> Option<HtmlTag<'a>> {
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
