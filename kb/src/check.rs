//! `kb check`: every problem in a guide set, as `path:line: message`.

use std::collections::BTreeMap;

use crate::guide::{Corpus, Guide, Problem, Severity};
use crate::links::{self, Target};

/// Validates a loaded set: what loading found plus duplicate ids, empty guides, broken links and
/// anchors, missing images, raw HTML in titles and headings (warnings) and, for strict sets
/// (`kb.toml`), Baton's front matter rules. Sorted by path and line.
pub fn check(corpus: &Corpus) -> Vec<Problem> {
    let mut problems = corpus.problems.clone();
    let lookup = links::Lookup::new(&corpus.guides);
    let mut first_with_id: BTreeMap<&str, &Guide> = BTreeMap::new();

    for guide in &corpus.guides {
        let path = corpus.root.join(&guide.rel_path);
        let mut report = |line: usize, severity: Severity, message: String| {
            problems.push(Problem {
                path: path.clone(),
                line,
                severity,
                message,
            });
        };

        if let Some(first) = first_with_id.get(guide.id.as_str()) {
            report(
                guide.line_of("id"),
                Severity::Error,
                format!(
                    "duplicate id \"{}\" (also {})",
                    guide.id,
                    corpus.root.join(&first.rel_path).display()
                ),
            );
        } else {
            first_with_id.insert(&guide.id, guide);
        }

        if guide.sections.iter().all(|s| s.text.trim().is_empty()) {
            report(
                1,
                Severity::Error,
                "empty guide: no text after the front matter".into(),
            );
        }

        for reference in &guide.references {
            let line = reference.line;
            match links::resolve(&guide.rel_path, &guide.id, &reference.dest) {
                Target::External | Target::Unknown => {}
                Target::SamePage { anchor } => {
                    if !guide.anchors.contains(&anchor) {
                        report(
                            line,
                            Severity::Error,
                            format!(
                                "broken link \"{}\": no heading with anchor \"{anchor}\" in this guide",
                                reference.dest
                            ),
                        );
                    }
                }
                Target::Guide { candidates, anchor } => match lookup.find(&candidates) {
                    None => report(
                        line,
                        Severity::Error,
                        format!("broken link \"{}\": no such guide", reference.dest),
                    ),
                    Some(target) => {
                        if let Some(anchor) = anchor
                            && !target.anchors.contains(&anchor)
                        {
                            report(
                                line,
                                Severity::Error,
                                format!(
                                    "broken link \"{}\": no heading with anchor \"{anchor}\" in {}",
                                    reference.dest, target.id
                                ),
                            );
                        }
                        if target.lang != guide.lang && corpus.config.strict {
                            report(
                                line,
                                Severity::Warning,
                                format!(
                                    "link \"{}\" leads to a guide in another language",
                                    reference.dest
                                ),
                            );
                        }
                    }
                },
                Target::File(file) => {
                    if !corpus.files.contains(&file) {
                        let what = if reference.image {
                            "missing image"
                        } else {
                            "broken link"
                        };
                        report(
                            line,
                            Severity::Error,
                            format!("{what} \"{}\": no such file", reference.dest),
                        );
                    }
                }
            }
        }

        // A warning, not an error: the guide is still indexed correctly, as its text, but the author
        // may have meant the markup to show.
        for raw in &guide.raw_html {
            report(
                raw.line,
                Severity::Warning,
                format!(
                    "{} contains raw HTML ({}); only its text is indexed",
                    raw.what,
                    raw.tags.join(", ")
                ),
            );
        }

        if let Some(of) = &guide.translation_of
            && lookup.by_id(of).is_none()
        {
            report(
                guide.line_of("translation_of"),
                Severity::Error,
                format!("translation_of \"{of}\": no such guide"),
            );
        }

        if corpus.config.strict {
            check_strict(corpus, guide, &mut report);
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Baton's own rules for its guide set.
fn check_strict(corpus: &Corpus, guide: &Guide, report: &mut dyn FnMut(usize, Severity, String)) {
    let config = &corpus.config;
    if let Some(area) = &guide.area
        && !config.areas.is_empty()
        && !config.areas.contains(area)
    {
        report(
            guide.line_of("area"),
            Severity::Error,
            format!(
                "unknown area \"{area}\" (expected one of: {})",
                config.areas.join(", ")
            ),
        );
    }
    if let Some(category) = &guide.category
        && !config.categories.is_empty()
        && !config.categories.contains(category)
    {
        report(
            guide.line_of("category"),
            Severity::Error,
            format!(
                "unknown category \"{category}\" (expected one of: {})",
                config.categories.join(", ")
            ),
        );
    }
    let prefix = format!("{}/", guide.lang.code());
    if !guide.id.starts_with(&prefix) {
        report(
            guide.line_of("id"),
            Severity::Error,
            format!(
                "id \"{}\" must start with its language, \"{prefix}\"",
                guide.id
            ),
        );
    }
    let path_lang = guide
        .rel_path
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    if path_lang.as_deref() != Some(guide.lang.code()) {
        report(
            guide.line_of("lang"),
            Severity::Error,
            format!(
                "lang \"{}\" does not match the folder the guide is in",
                guide.lang
            ),
        );
    }
    if let Some(updated) = &guide.updated
        && !is_date(updated)
    {
        report(
            guide.line_of("updated"),
            Severity::Error,
            format!("updated \"{updated}\" is not a date (YYYY-MM-DD)"),
        );
    }
    if guide.field_lines.contains_key("questions") && guide.questions.is_empty() {
        report(
            guide.line_of("questions"),
            Severity::Error,
            "questions is empty: list how customers ask for this guide".into(),
        );
    }
    let has_translation = corpus
        .guides
        .iter()
        .any(|g| g.lang != guide.lang && g.stem() == guide.stem());
    if !has_translation && guide.translation_of.is_none() {
        report(
            1,
            Severity::Warning,
            format!(
                "no translation: no guide in another language has the stem \"{}\"",
                guide.stem()
            ),
        );
    }
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && [y, m, d].iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && (1..=12).contains(&m.parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&d.parse::<u8>().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::is_date;

    #[test]
    fn dates() {
        assert!(is_date("2026-10-01"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("yesterday"));
    }
}
