//! What docs tools add to Markdown that is not text for readers: MDX `import`/`export` and JSX
//! components, `:::note` fences, Hugo shortcodes, MDX and HTML comments, inline scripts and styles.
//! Blanked line by line, so line numbers stay those of the source file.

use std::sync::LazyLock;

use regex::Regex;

pub(super) static JSX_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"</?[A-Z][\w.]*(?:\s[^<>]*?)?/?>|<>|</>").expect("valid jsx regex")
});
pub(super) static SHORTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[<%].*?[%>]\}\}").expect("valid shortcode regex"));
pub(super) static MDX_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{/\*.*?\*/\}").expect("valid comment regex"));
pub(super) static HTML_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--.*?-->").expect("valid comment regex"));
/// Inline `<script>`/`<style>` elements: their content is code, and would otherwise reach the text
/// between the two raw HTML tags.
pub(super) static SCRIPT_STYLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>")
        .expect("valid script regex")
});

/// Removes tool markup from a source line, leaving inline code spans (`` `<Picture />` ``) alone.
pub(super) fn strip_line_markup(line: &str) -> String {
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
pub(super) fn strip_inline_markup(text: &str) -> String {
    strip_markup(text, true)
}

pub(super) fn strip_markup(text: &str, scripts: bool) -> String {
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
pub(super) fn is_atx_heading(line: &str) -> bool {
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

pub(super) enum Skip {
    /// Depth of `{`, `(`, `[` in an import/export statement.
    Brackets(i32),
    /// Until the line that closes a multi-line JSX tag.
    UntilTagEnd,
}

impl Skip {
    /// Consumes one line; true when the construct ends on it.
    pub(super) fn feed(&mut self, line: &str) -> bool {
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
