//! Markdown → sections, anchors and link references.
//!
//! Guides come from many tools (plain CommonMark, MDX from Astro or Docusaurus, Hugo), so the body is
//! first cleaned line by line of what is markup for *those tools* rather than text for readers
//! (MDX `import`/`export`, JSX components, `:::note` admonition fences, Hugo shortcodes, MDX comments),
//! keeping every line break so that reported line numbers stay those of the source file. Raw HTML
//! (and HTML comments) is dropped from the text. Titles and headings are plain text, made by one
//! function, [`inline_text`], whichever way they come in (front matter or a heading in the body).
//!
//! One file per concept: `front_matter.rs` (the block at the top, not yet parsed), `sections.rs`
//! (the body as sections, anchors and references), `text.rs` (inline Markdown as plain text, and
//! text made safe for HTML), `tool_markup.rs` (what docs tools add that is not Markdown).

mod front_matter;
mod sections;
mod text;
mod tool_markup;

#[cfg(test)]
mod tests;

use pulldown_cmark::Options;

pub use front_matter::{FrontMatterFormat, RawFrontMatter, Split, split_front_matter};
pub use sections::{Body, Reference, Section, parse_body, slug};
pub use text::{PlainText, collapse_whitespace, escape_html, inline_text, plain_text};
pub(crate) use tool_markup::clean_tool_markup;

/// Every pulldown-cmark option Baton uses, in one place.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}
