//! The window of a section with the most distinct matched terms, matches marked.

use std::collections::HashSet;
use std::ops::Range;

use super::Snippet;
use crate::analysis::Analyzer;

/// Snippet length in characters.
const SNIPPET_CHARS: usize = 180;
/// Longest prefix of a section that snippets look at: giant reference sections would otherwise
/// cost more to analyze than the whole search.
const SNIPPET_SCAN_BYTES: usize = 8 * 1024;
/// The part of a section looked at first; the rest up to [`SNIPPET_SCAN_BYTES`] only when this
/// part has no match.
const SNIPPET_FIRST_BYTES: usize = 1024;

/// The first words of a section as snippets read them: analysed once per section, on its first
/// hit, and kept (12 bytes and the term per word of the first [`SNIPPET_FIRST_BYTES`]: about 3 KB
/// a section), since the same sections come back in search after search.
#[derive(Debug, Default)]
pub(crate) struct SectionWords {
    /// The words' terms, one after another.
    terms: String,
    /// Per word: where its term ends in `terms`, and the word's byte range in the text.
    words: Vec<(u32, u32, u32)>,
}

impl SectionWords {
    /// The analysed words of the start of `text`.
    pub(crate) fn of(text: &str) -> SectionWords {
        let mut out = SectionWords::default();
        Analyzer::Text.for_each_term_where(
            prefix(text, SNIPPET_FIRST_BYTES),
            |_| true,
            |term, from, to| {
                out.terms.push_str(term);
                out.words
                    .push((out.terms.len() as u32, from as u32, to as u32));
            },
        );
        out.terms.shrink_to_fit();
        out.words.shrink_to_fit();
        out
    }

    /// The words whose term is one of `terms`, in text order.
    fn matching<'a>(&'a self, terms: &HashSet<&str>) -> Vec<(Range<usize>, &'a str)> {
        let mut start = 0;
        let mut matches = Vec::new();
        for &(end, from, to) in &self.words {
            let term = &self.terms[start..end as usize];
            start = end as usize;
            if terms.contains(term) {
                matches.push((from as usize..to as usize, term));
            }
        }
        matches
    }
}

/// The longest prefix of `text` of at most `bytes` bytes that ends on a character.
fn prefix(text: &str, bytes: usize) -> &str {
    &text[..text.floor_char_boundary(bytes)]
}

/// The window of `text` with the most distinct matched terms, with matches marked; `words` are
/// the section's first words ([`SectionWords::of`] of `text`).
pub(super) fn snippet(
    text: &str,
    words: &SectionWords,
    terms: &HashSet<&str>,
    bigrams: &HashSet<&str>,
) -> Snippet {
    // Most sections match early: look at the first part, and at the rest only when it has no match.
    let first = prefix(text, SNIPPET_FIRST_BYTES);
    let text = prefix(text, SNIPPET_SCAN_BYTES);
    let mut matches = words.matching(terms);
    let later = |text: &str| -> Vec<(Range<usize>, String)> {
        // A word's terms begin with its first folded letter: skip the words no query term begins
        // with.
        let mut initials: Vec<char> = terms.iter().filter_map(|t| t.chars().next()).collect();
        initials.sort_unstable();
        initials.dedup();
        let mut matches = Vec::new();
        Analyzer::Text.for_each_term_where(
            text,
            |word| word.chars().next().is_some_and(|c| initials.contains(&c)),
            |term, from, to| {
                if terms.contains(term) {
                    matches.push((from..to, term.to_string()));
                }
            },
        );
        matches
    };
    let owned: Vec<(Range<usize>, String)>;
    if matches.is_empty() && first.len() < text.len() {
        owned = later(text);
        matches = owned.iter().map(|(r, t)| (r.clone(), t.as_str())).collect();
    }
    let bigram_matches: Vec<(Range<usize>, String)>;
    if matches.is_empty() {
        let mut found: Vec<(Range<usize>, String)> = Vec::new();
        Analyzer::Bigram.for_each_term_where(
            text,
            |_| true,
            |bigram, from, to| {
                if bigrams.contains(bigram) && found.last().is_none_or(|(r, _)| r.start != from) {
                    found.push((from..to, bigram.to_string()));
                }
            },
        );
        bigram_matches = found;
        matches = bigram_matches
            .iter()
            .map(|(r, t)| (r.clone(), t.as_str()))
            .collect();
    }
    let window_bytes = SNIPPET_CHARS * 3;
    // The first match of the window that covers the most distinct terms.
    let mut best = (0, 0);
    for (i, (range, _)) in matches.iter().enumerate() {
        let distinct: HashSet<&str> = matches[i..]
            .iter()
            .take_while(|(r, _)| r.end <= range.start + window_bytes)
            .map(|(_, t)| *t)
            .collect();
        if distinct.len() > best.1 {
            best = (i, distinct.len());
        }
    }
    let anchor = matches.get(best.0).map_or(0, |(r, _)| r.start);
    // Start a little before the first match, at a word boundary.
    let lead: usize = text[..anchor]
        .chars()
        .rev()
        .take(40)
        .map(char::len_utf8)
        .sum();
    let mut start = anchor - lead;
    if start > 0
        && let Some(space) = text[start..anchor].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let mut end = start;
    for (count, c) in text[start..].chars().enumerate() {
        if count >= SNIPPET_CHARS {
            break;
        }
        end += c.len_utf8();
    }
    if end < text.len()
        && let Some(space) = text[start..end]
            .rfind(char::is_whitespace)
            .filter(|&s| s > (end - start) / 2)
    {
        end = start + space;
    }

    let mut out = Snippet::default();
    if start > 0 {
        out.text.push('…');
    }
    // Build the text while folding whitespace, mapping source offsets to snippet offsets.
    let mut map = Vec::with_capacity(end - start + 1);
    let mut last_space = true;
    for (offset, c) in text[start..end].char_indices() {
        map.push((start + offset, out.text.len()));
        if c.is_whitespace() {
            if !last_space {
                out.text.push(' ');
            }
            last_space = true;
        } else {
            out.text.push(c);
            last_space = false;
        }
    }
    map.push((end, out.text.trim_end().len()));
    let to_snippet =
        |source: usize| map[map.partition_point(|(s, _)| *s < source).min(map.len() - 1)].1;
    for (range, _) in &matches {
        if range.start >= start && range.end <= end {
            let r = to_snippet(range.start)..to_snippet(range.end);
            if !r.is_empty() && out.highlights.last().is_none_or(|l| l.end <= r.start) {
                out.highlights.push(r);
            }
        }
    }
    let trimmed = out.text.trim_end().len();
    out.text.truncate(trimmed);
    if end < text.len() {
        out.text.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;

    #[test]
    fn snippet_highlights_matches() {
        let text = "Intro line.\nTo change your password, open Settings.\n\nPasswords must be 8 characters.";
        let terms: HashSet<&str> = ["password", "chang"].into_iter().collect();
        let s = snippet(text, &SectionWords::of(text), &terms, &HashSet::new());
        assert_eq!(
            s.marked("[", "]"),
            "Intro line. To [change] your [password], open Settings. [Passwords] must be 8 characters."
        );
        assert_eq!(
            Snippet {
                text: "a<b".into(),
                highlights: vec![Range { start: 2, end: 3 }]
            }
            .html(),
            "a&lt;<mark>b</mark>"
        );
    }

    #[test]
    fn snippet_of_korean_uses_word_forms_then_bigrams() {
        let text = "비밀번호를 변경하려면 설정 메뉴로 가세요.";
        let terms: HashSet<&str> = ["비밀번호", "변경"].into_iter().collect();
        let s = snippet(text, &SectionWords::of(text), &terms, &HashSet::new());
        assert_eq!(
            s.marked("[", "]"),
            "[비밀번호를] [변경하려면] 설정 메뉴로 가세요."
        );
        let bigrams: HashSet<&str> = ["메뉴"].into_iter().collect();
        let s = snippet(text, &SectionWords::of(text), &HashSet::new(), &bigrams);
        assert_eq!(
            s.marked("[", "]"),
            "비밀번호를 변경하려면 설정 [메뉴로] 가세요."
        );
    }

    #[test]
    fn long_text_is_windowed_around_matches() {
        let text = format!(
            "{} needle here {}",
            "word ".repeat(200),
            "tail ".repeat(200)
        );
        let terms: HashSet<&str> = ["needl"].into_iter().collect();
        let s = snippet(&text, &SectionWords::of(&text), &terms, &HashSet::new());
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.marked("[", "]").contains("[needle]"));
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn snippet_runs_alternate_plain_and_marked() {
        let snippet = Snippet {
            text: "환불은 영업일 3~7일이 걸립니다".into(),
            highlights: vec![0..9, 30..42],
        };
        let runs = snippet.runs();
        assert_eq!(runs, ["", "환불은", " 영업일 3~7일이 ", "걸립니다", ""]);
        assert_eq!(runs.concat(), snippet.text);
        let plain = Snippet {
            text: "no match".into(),
            highlights: vec![],
        };
        assert_eq!(plain.runs(), ["no match"]);
    }
}
