//! A bilingual lexicon mined from the guides themselves: which Korean words and which English
//! words stand for the same thing in this docs set (`마크다운` ↔ `markdown`, `프런트매터` ↔
//! `frontmatter`, `배포` ↔ `deploy`).
//!
//! Korean pages of a docs set write many terms either in Hangul or in Latin letters, and readers
//! ask with the other one. A glossary fixes that for one docs set and no other; this reads it off
//! any set that has translated pages, with nothing written for its queries:
//! - **Translated pages.** Guides with the same path in both languages are translations; their
//!   sections mostly correspond one to one. A Korean word and an English word that keep appearing
//!   in the same corresponding sections, and rarely apart, are a pair (Dice coefficient of their
//!   section sets).
//! - **Glosses.** Korean writers put the original term in parentheses: `프런트매터(frontmatter)`,
//!   `환경 변수(environment variables)`. Such a pair counts as seen together several times.
//!
//! - **Loanwords.** A Hangul word and a Latin word with the same consonant skeleton
//!   ([`crate::analysis::korean::loanword`]) that both occur in Korean pages: `마크다운` finds pages that write
//!   `Markdown`, `frontmatter` pages that write `프런트매터`.
//!
//! At search time a query term also searches its pairs, at a lower weight
//! ([`crate::search::Tuning::lexicon`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, is_hangul};
use crate::guide::{Corpus, Guide, Lang};

/// Least number of corresponding sections two words must share to be a pair.
const MIN_TOGETHER: u32 = 3;
/// Least Dice coefficient of a pair.
const MIN_DICE: f32 = 0.4;
/// How many times a gloss counts as the two words seen together.
const GLOSS_WEIGHT: u32 = 3;
/// Most pairs kept per word.
const MAX_PAIRS: usize = 2;
/// Words in more than this share of section pairs say nothing about any one of them.
const MAX_SHARE: f32 = 0.2;

/// Korean term ↔ English term, both as the index stores them, with a strength in 0–1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lexicon {
    /// term → (its pairs in the other language, strength), strongest first.
    pairs: BTreeMap<String, Vec<(String, f32)>>,
    /// consonant skeleton → terms of Korean pages with it (Hangul and Latin), most pages first.
    #[serde(default)]
    loans: BTreeMap<String, Vec<(String, u32)>>,
    /// How many Korean pages each term of the lexicon is on: how Korean readers of this set
    /// see a thing written.
    #[serde(default)]
    korean_pages: BTreeMap<String, u32>,
}

/// What a Korean query term also searches ([`Lexicon::expansions`]): `(term, factor)` pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expansions {
    /// Translation pairs, factor = strength × the Korean pages' preference for the other word.
    pub pairs: Vec<(String, f32)>,
    /// Loanwords of the other script, factor = the Korean pages' preference for them.
    pub loans: Vec<(String, f32)>,
}

/// Most loanword matches kept per skeleton and script.
const MAX_LOANS: usize = 2;

impl Lexicon {
    /// The pairs of `term`, strongest first.
    pub fn of(&self, term: &str) -> &[(String, f32)] {
        self.pairs.get(term).map_or(&[], Vec::as_slice)
    }

    /// The terms of the other script with the same consonant skeleton as `word` (a query word as
    /// typed, or its term), most pages first.
    pub fn loans(&self, word: &str) -> Vec<&str> {
        let hangul = word.starts_with(is_hangul);
        let skeleton = if hangul {
            crate::analysis::korean::loanword::hangul_skeleton(word)
        } else {
            crate::analysis::korean::loanword::latin_skeleton(word)
        };
        let Some(skeleton) = skeleton
            .filter(|s| s.chars().count() >= crate::analysis::korean::loanword::MIN_SKELETON)
        else {
            return Vec::new();
        };
        let Some(terms) = self.loans.get(&skeleton) else {
            return Vec::new();
        };
        let other: Vec<&(String, u32)> = terms
            .iter()
            .filter(|(t, _)| t.starts_with(is_hangul) != hangul)
            .collect();
        // A rare word that happens to share the skeleton of a common one is a coincidence.
        let most = other.first().map_or(0, |(_, n)| *n);
        other
            .into_iter()
            .filter(|(_, n)| *n * 4 >= most)
            .take(MAX_LOANS)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    /// What a query term of a Korean search also searches: its translation pairs and its
    /// loanwords, each with the share of Korean pages that write the other word rather than the
    /// query's (a pair the Korean pages never prefer adds nothing; one they always prefer, all).
    /// Pairs come with their strength folded in: `(term, factor)`, relative to the term's weight.
    /// Loanwords are looked for only when `with_loans` (they cost a skeleton per query word).
    pub fn expansions(&self, term: &str, with_loans: bool) -> Expansions {
        let own = self.korean_pages.get(term).copied().unwrap_or(0) as f32;
        let share = |other: &str| {
            let theirs = self.korean_pages.get(other).copied().unwrap_or(0) as f32;
            if own + theirs == 0.0 {
                0.0
            } else {
                theirs / (own + theirs)
            }
        };
        let pairs = self
            .of(term)
            .iter()
            .map(|(t, strength)| (t.clone(), strength * share(t)))
            .filter(|(_, f)| *f > 0.0)
            .collect();
        let loans = if with_loans {
            self.loans(term)
        } else {
            Vec::new()
        }
        .into_iter()
        .map(|t| (t.to_string(), share(t)))
        .filter(|(_, f)| *f > 0.0)
        .collect();
        Expansions { pairs, loans }
    }

    /// How many words have a pair.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether nothing was mined.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Every pair, Korean side first, for inspection (`kb lexicon`).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, f32)> {
        self.pairs.iter().flat_map(|(from, to)| {
            to.iter()
                .filter(move |_| from.starts_with(is_hangul))
                .map(move |(t, s)| (from.as_str(), t.as_str(), *s))
        })
    }

    /// Mines the lexicon of a corpus.
    pub fn mine(corpus: &Corpus) -> Lexicon {
        let by_stem: HashMap<(&str, Lang), &Guide> = corpus
            .guides
            .iter()
            .map(|g| ((g.stem(), g.lang), g))
            .collect();
        // Term ids, so the pair counts are integer keys.
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut id = |term: String| -> u32 {
            if let Some(&i) = ids.get(&term) {
                return i;
            }
            let i = names.len() as u32;
            ids.insert(term.clone(), i);
            names.push(term);
            i
        };
        // One entry per corresponding section pair (or page pair when sections do not line up):
        // (Korean Hangul terms, English terms).
        let mut units: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
        let mut glosses: HashMap<(u32, u32), u32> = HashMap::new();
        for ko in corpus.guides.iter().filter(|g| g.lang == Lang::Ko) {
            for (hangul, latin) in ko.sections.iter().flat_map(|s| glossed(&s.text)) {
                *glosses.entry((id(hangul), id(latin))).or_default() += GLOSS_WEIGHT;
            }
            let Some(en) = by_stem.get(&(ko.stem(), Lang::En)) else {
                continue;
            };
            let sections_line_up = ko.sections.len() == en.sections.len();
            let texts = |g: &Guide| -> Vec<String> {
                let mut texts: Vec<String> = g
                    .sections
                    .iter()
                    .map(|s| format!("{}\n{}", s.heading, s.text))
                    .collect();
                if let Some(first) = texts.first_mut() {
                    first.push('\n');
                    first.push_str(&g.title);
                }
                texts
            };
            let (ko_texts, en_texts) = (texts(ko), texts(en));
            let pairs: Vec<(String, String)> = if sections_line_up {
                ko_texts.into_iter().zip(en_texts).collect()
            } else {
                vec![(ko_texts.join("\n"), en_texts.join("\n"))]
            };
            for (ko_text, en_text) in pairs {
                let hangul: HashSet<String> = Analyzer::Text
                    .terms(&ko_text)
                    .into_iter()
                    .filter(|t| t.starts_with(is_hangul) && t.chars().count() >= 2)
                    .collect();
                let english: HashSet<String> = Analyzer::Text
                    .terms(&en_text)
                    .into_iter()
                    .filter(|t| {
                        !t.starts_with(is_hangul)
                            && t.len() >= 3
                            && !t.bytes().all(|b| b.is_ascii_digit())
                    })
                    .collect();
                if hangul.is_empty() || english.is_empty() {
                    continue;
                }
                units.push((
                    hangul.into_iter().map(&mut id).collect(),
                    english.into_iter().map(&mut id).collect(),
                ));
            }
        }
        let n = units.len().max(1) as f32;
        let mut df: HashMap<u32, u32> = HashMap::new();
        for (hangul, english) in &units {
            for t in hangul.iter().chain(english) {
                *df.entry(*t).or_default() += 1;
            }
        }
        let informative = |t: &u32| {
            let d = df.get(t).copied().unwrap_or(0);
            d >= MIN_TOGETHER && (d as f32) / n <= MAX_SHARE
        };
        let mut together: HashMap<(u32, u32), u32> = HashMap::new();
        for (hangul, english) in &units {
            let english: Vec<u32> = english.iter().copied().filter(informative).collect();
            for h in hangul.iter().filter(|h| informative(h)) {
                for e in &english {
                    *together.entry((*h, *e)).or_default() += 1;
                }
            }
        }
        for (pair, count) in glosses {
            *together.entry(pair).or_default() += count;
            for t in [pair.0, pair.1] {
                *df.entry(t).or_default() += 0;
            }
        }
        // (hangul → [(english, dice)]) and the reverse.
        let mut scored: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        for ((h, e), count) in together {
            if count < MIN_TOGETHER {
                continue;
            }
            let (dh, de) = (
                df.get(&h).copied().unwrap_or(0),
                df.get(&e).copied().unwrap_or(0),
            );
            let dice = (2 * count) as f32 / (dh + de).max(1) as f32;
            let dice = dice.min(1.0);
            if dice >= MIN_DICE {
                scored.entry(h).or_default().push((e, dice));
                scored.entry(e).or_default().push((h, dice));
            }
        }
        let loans = loans(corpus);
        let mut pairs: BTreeMap<String, Vec<(String, f32)>> = BTreeMap::new();
        for (term, mut to) in scored {
            to.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            to.truncate(MAX_PAIRS);
            pairs.insert(
                names[term as usize].clone(),
                to.into_iter()
                    .map(|(t, s)| (names[t as usize].clone(), (s * 1000.0).round() / 1000.0))
                    .collect(),
            );
        }
        let mut wanted: HashSet<&str> = HashSet::new();
        for (term, to) in &pairs {
            wanted.insert(term);
            wanted.extend(to.iter().map(|(t, _)| t.as_str()));
        }
        for terms in loans.values() {
            wanted.extend(terms.iter().map(|(t, _)| t.as_str()));
        }
        let mut korean_pages: BTreeMap<String, u32> = BTreeMap::new();
        for guide in corpus.guides.iter().filter(|g| g.lang == Lang::Ko) {
            let text: String = std::iter::once(guide.title.clone())
                .chain(
                    guide
                        .sections
                        .iter()
                        .map(|s| format!("{}\n{}", s.heading, s.text)),
                )
                .collect::<Vec<_>>()
                .join("\n");
            let terms: HashSet<String> = Analyzer::Text.terms(&text).into_iter().collect();
            for term in terms.iter().filter(|t| wanted.contains(t.as_str())) {
                *korean_pages.entry(term.clone()).or_default() += 1;
            }
        }
        Lexicon {
            pairs,
            loans,
            korean_pages,
        }
    }
}

/// Skeleton → the terms of Korean pages (Hangul words of two syllables or more, Latin words of
/// three letters or more) that have it, with the number of pages each is on.
fn loans(corpus: &Corpus) -> BTreeMap<String, Vec<(String, u32)>> {
    // (skeleton, term) → pages
    let mut pages: HashMap<(String, String), u32> = HashMap::new();
    for guide in corpus.guides.iter().filter(|g| g.lang == Lang::Ko) {
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let text = guide
            .sections
            .iter()
            .map(|s| format!("{}\n{}", s.heading, s.text));
        for text in std::iter::once(guide.title.clone()).chain(text) {
            for word in text.split(|c: char| !(c.is_alphanumeric())) {
                let skeleton = if crate::analysis::korean::loanword::is_candidate(word) {
                    crate::analysis::korean::loanword::hangul_skeleton(word)
                } else if word.len() >= 3 && word.bytes().all(|b| b.is_ascii_alphabetic()) {
                    crate::analysis::korean::loanword::latin_skeleton(word)
                } else {
                    None
                };
                let Some(skeleton) = skeleton.filter(|s| {
                    s.chars().count() >= crate::analysis::korean::loanword::MIN_SKELETON
                }) else {
                    continue;
                };
                // The term as the index stores it: a Hangul word's stem must keep its skeleton.
                let Some(term) = Analyzer::Text.terms(word).into_iter().next() else {
                    continue;
                };
                if term.starts_with(is_hangul)
                    && crate::analysis::korean::loanword::hangul_skeleton(&term).as_ref()
                        != Some(&skeleton)
                {
                    continue;
                }
                seen.insert((skeleton, term));
            }
        }
        for key in seen {
            *pages.entry(key).or_default() += 1;
        }
    }
    let mut out: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for ((skeleton, term), n) in pages {
        out.entry(skeleton).or_default().push((term, n));
    }
    for terms in out.values_mut() {
        terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    out
}

/// `한글(Latin words)` glosses in Korean text, as (Korean term, English term): the last Hangul
/// word before the parenthesis and the first Latin word inside it, analyzed as the index does.
fn glossed(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let before = &rest[..open];
        let after = &rest[open + 1..];
        rest = after;
        let Some(close) = after.find(')') else { break };
        let inside = &after[..close];
        let word: String = before
            .chars()
            .rev()
            .take_while(|c| is_hangul(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let latin = inside
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .find(|w| w.chars().any(|c| c.is_ascii_alphabetic()));
        let korean = Analyzer::Text.terms(&word).into_iter().next();
        let latin = latin.and_then(|l| Analyzer::Text.terms(l).into_iter().next());
        if let (Some(korean), Some(latin)) = (korean, latin)
            && korean.chars().count() >= 2
            && latin.len() >= 3
            && !latin.starts_with(is_hangul)
        {
            out.push((korean, latin));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glosses_pair_the_word_before_the_parenthesis() {
        let pairs = glossed(
            "파일 상단의 프런트매터(frontmatter)에 제목을, 환경 변수(environment variables)는 .env에",
        );
        assert!(
            pairs.contains(&("프런트매터".into(), "frontmatt".into()))
                || pairs.iter().any(|(k, _)| k == "프런트매터"),
            "{pairs:?}"
        );
        assert!(
            pairs
                .iter()
                .any(|(k, e)| k == "변수" && e.starts_with("environ")),
            "{pairs:?}"
        );
        assert!(glossed("괄호만 (123) 있는 경우").is_empty());
    }
}
