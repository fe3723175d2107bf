//! The front matter block at the top of a guide (YAML between `---` or TOML between `+++`), found
//! and cut off; parsing it is the guide's business.

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
