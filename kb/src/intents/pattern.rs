//! Word patterns: groups of alternatives that must all occur within a window of words, in any
//! order, read over a message's Latin words and its spaceless Hangul (see the module above).

use crate::analysis::is_hangul;

/// Shortest Latin alternative matched as a prefix (`declin` → `declined`); shorter ones match
/// whole words only.
const MIN_PREFIX: usize = 4;
/// Words a pattern's groups may span, unless an intent sets its own.
pub(super) const DEFAULT_WINDOW: usize = 8;

/// Groups of alternatives that must all occur within the window, in any order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pattern {
    groups: Vec<Vec<Alternative>>,
}

/// One alternative: Hangul matched inside the spaceless text, or Latin words matched by prefix.
#[derive(Debug, Clone, PartialEq)]
enum Alternative {
    Hangul(String),
    Latin(Vec<String>),
}

/// A message as the matcher reads it: its words, and its Hangul without spaces with the word
/// each character belongs to.
pub(super) struct Words {
    latin: Vec<(usize, String)>,
    hangul: String,
    hangul_word: Vec<usize>,
}

impl Words {
    /// How many words the message has.
    pub(super) fn count(&self) -> usize {
        let last_latin = self.latin.last().map(|(p, _)| p + 1);
        let last_hangul = self.hangul_word.last().map(|p| p + 1);
        last_latin.max(last_hangul).unwrap_or(0)
    }

    pub(super) fn of(text: &str) -> Words {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '\'' | '’' | '`'))
            .collect();
        let mut latin = Vec::new();
        let mut hangul = String::new();
        let mut hangul_word = Vec::new();
        for (position, word) in crate::analysis::word_runs(&cleaned).into_iter().enumerate() {
            // Numbers belong to both: `2번` is one Hangul term, `502` one Latin word.
            let number = word.chars().all(|c| c.is_ascii_digit());
            if number || word.starts_with(is_hangul) {
                for c in word.chars() {
                    hangul.push(c);
                    hangul_word.push(position);
                }
            }
            if !word.starts_with(is_hangul) {
                latin.push((position, word));
            }
        }
        Words {
            latin,
            hangul,
            hangul_word,
        }
    }

    /// The word positions where `alternative` occurs.
    fn positions(&self, alternative: &Alternative) -> Vec<usize> {
        match alternative {
            Alternative::Hangul(term) => {
                let length = term.chars().count();
                self.hangul
                    .match_indices(term.as_str())
                    .filter_map(|(byte, _)| {
                        let start = self.hangul[..byte].chars().count();
                        let word = self.hangul_word[start];
                        // Across a space only from a word's start: `결제 안` is not `제안`.
                        let one_word = self.hangul_word[start + length - 1] == word;
                        let at_start = start == 0 || self.hangul_word[start - 1] != word;
                        (one_word || at_start).then_some(word)
                    })
                    .collect()
            }
            Alternative::Latin(words) => (0..self.latin.len())
                .filter(|&i| {
                    let first = self.latin[i].0;
                    words.iter().enumerate().all(|(k, w)| {
                        self.latin.get(i + k).is_some_and(|(p, word)| {
                            // Short words match whole (`ty` is not `type`), longer ones by prefix.
                            *p == first + k
                                && if w.len() >= MIN_PREFIX {
                                    word.starts_with(w.as_str())
                                } else {
                                    word == w
                                }
                        })
                    })
                })
                .map(|i| self.latin[i].0)
                .collect(),
        }
    }
}

impl Pattern {
    pub(super) fn parse(text: &str) -> std::result::Result<Pattern, String> {
        let mut groups = Vec::new();
        for group in text.split('+') {
            let mut alternatives = Vec::new();
            for alternative in group.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                let folded = crate::analysis::word_runs(
                    &alternative
                        .chars()
                        .filter(|c| !matches!(c, '\'' | '’'))
                        .collect::<String>(),
                );
                if folded.is_empty() {
                    return Err(format!("\"{alternative}\" has no letters or digits"));
                }
                let hangul = folded.iter().any(|w| w.starts_with(is_hangul));
                let latin = folded
                    .iter()
                    .any(|w| !w.starts_with(is_hangul) && !w.chars().all(|c| c.is_ascii_digit()));
                alternatives.push(match (hangul, latin) {
                    (true, false) => Alternative::Hangul(folded.concat()),
                    (false, _) => Alternative::Latin(folded),
                    (true, true) => {
                        return Err(format!("\"{alternative}\" mixes Hangul and Latin letters"));
                    }
                });
            }
            if alternatives.is_empty() {
                return Err(format!("\"{text}\" has an empty group"));
            }
            groups.push(alternatives);
        }
        Ok(Pattern { groups })
    }

    /// Whether every group occurs, all within `window` words of each other.
    pub(super) fn matches(&self, words: &Words, window: usize) -> bool {
        let positions: Vec<Vec<usize>> = self
            .groups
            .iter()
            .map(|group| {
                let mut all: Vec<usize> = group.iter().flat_map(|a| words.positions(a)).collect();
                all.sort_unstable();
                all.dedup();
                all
            })
            .collect();
        if positions.iter().any(Vec::is_empty) {
            return false;
        }
        // Some choice of one position per group spans at most `window`: try each position as the
        // leftmost and take, per group, the nearest position at or after it.
        positions.iter().flatten().any(|&start| {
            positions
                .iter()
                .all(|group| group.iter().any(|&p| p >= start && p - start <= window))
        })
    }
}
