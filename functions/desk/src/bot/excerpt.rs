//! The part of a guide's section an answer quotes.

use std::collections::BTreeSet;

use kb::analysis::Analyzer;

/// The part of a section that answers `query`: the whole section when short, else the lines from
/// the first one that mentions the query, cut at a line end near `max_chars`.
pub fn excerpt(section: &str, query: &str, max_chars: usize) -> String {
    let terms: BTreeSet<String> = Analyzer::Text.terms(query).into_iter().collect();
    excerpt_of(section, &terms, max_chars)
}

/// [`excerpt`] for a query whose terms are read already.
pub(super) fn excerpt_of(section: &str, terms: &BTreeSet<String>, max_chars: usize) -> String {
    let lines: Vec<&str> = section.lines().filter(|l| !l.trim().is_empty()).collect();
    if section.chars().count() <= max_chars {
        return lines.join("\n");
    }
    let start = lines
        .iter()
        .position(|l| Analyzer::Text.terms(l).iter().any(|t| terms.contains(t)))
        .unwrap_or(0);
    let mut out = String::new();
    for line in &lines[start..] {
        let len = out.chars().count();
        if len > 0 && len + line.chars().count() > max_chars {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        if line.chars().count() > max_chars {
            out.extend(line.chars().take(max_chars));
            out.push('…');
            break;
        }
        out.push_str(line);
    }
    out
}
