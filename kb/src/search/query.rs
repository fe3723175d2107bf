//! What a query's words become before anything is scored: analysed terms (Korean words in the
//! forms the index knows, split compounds, conjugations the guides use), typo corrections,
//! synonyms, the other script's words mined from the guides, bigrams of unknown Korean words, and
//! the concepts coverage is measured over. Bounded: at most [`MAX_TERMS`] terms and bigrams, no word
//! longer than [`MAX_WORD_CHARS`], no typo lookup for a word longer than [`MAX_TYPO_LETTERS`].

use std::ops::Range;

use tantivy::Term;
use tantivy::query::FuzzyTermQuery;

use super::{MAX_TERMS, Tuning};
use crate::analysis::{Analyzer, Script, Vocabulary, is_hangul, language};
use crate::error::Result;
use crate::guide::Lang;
use crate::index::KnowledgeBase;

/// Longest word looked up as a typo, in letters: real words are shorter, and the cost of a lookup
/// grows with the word (65 candidates per syllable; an edit automaton per letter), so a hostile
/// 256-letter "word" must not buy 25–80 ms of CPU.
const MAX_TYPO_LETTERS: usize = 16;
/// Longest word searched at all, in characters: past it a token is no word of any guide.
const MAX_WORD_CHARS: usize = 48;
/// Weakest lexicon pair that translates a query word for the English side.
const MIN_TRANSLATION: f32 = 0.8;

/// Most typo corrections remembered per index before the memory is cleared.
const REMEMBERED_CORRECTIONS: usize = 4096;

/// The typo corrections an index has looked up, by term (`None`: the term has none). A correction
/// depends only on the term and the index, and an English one builds an edit automaton (a large
/// scratch allocation and a walk of the dictionary): the same misspelling, typed by customer after
/// customer, is looked up once. Bounded: cleared when full.
#[derive(Debug, Default)]
pub(crate) struct Corrections(std::sync::Mutex<rustc_hash::FxHashMap<String, Option<String>>>);

impl Corrections {
    fn get(&self, term: &str) -> Option<Option<String>> {
        self.0.lock().ok()?.get(term).cloned()
    }

    fn remember(&self, term: &str, correction: &Option<String>) {
        if let Ok(mut memo) = self.0.lock() {
            if memo.len() >= REMEMBERED_CORRECTIONS {
                memo.clear();
            }
            memo.insert(term.to_string(), correction.clone());
        }
    }
}

/// The analyzed query, weighted per field.
pub(super) struct Analyzed {
    /// (term, weight relative to its field) for the text, path and meta fields.
    pub(super) text: Vec<(String, f32)>,
    pub(super) bigrams: Vec<String>,
    /// The query in English (its Latin terms, and its Hangul terms' strongest pairs), for the
    /// English translations of Korean pages.
    pub(super) english: Vec<(String, f32)>,
    /// Each word of the query with the terms that stand for it (its typo correction, its
    /// synonyms), for measuring how much of the query a guide covers.
    pub(super) concepts: Vec<Vec<String>>,
}

impl KnowledgeBase {
    /// Analyzes the query: terms, synonyms, typo corrections, bigrams.
    pub(super) fn analyze_query(
        &self,
        query: &str,
        lang: Lang,
        tuning: &Tuning,
        notices: &mut Vec<String>,
    ) -> Result<Analyzed> {
        let (terms, unknown) = self.query_words(query)?;
        let mut text: Vec<(String, f32)> = Vec::new();
        let mut concepts: Vec<Vec<String>> = Vec::new();
        for term in &terms {
            text.push((term.clone(), 1.0));
            let mut concept = vec![term.clone()];
            if let Some(correction) = self.correct(term)? {
                notices.push(format!(
                    "searched for \"{correction}\" as well as \"{term}\""
                ));
                text.push((correction.clone(), tuning.fuzzy));
                concept.push(correction);
            }
            concepts.push(concept);
        }
        for (trigger, alternative) in self.synonyms.expand(&terms) {
            for (term, concept) in terms.iter().zip(concepts.iter_mut()) {
                if trigger.contains(term) {
                    concept.extend(alternative.iter().cloned());
                }
            }
            // An alternative of several words shares the weight among them.
            let weight = tuning.synonym / alternative.len() as f32;
            for term in alternative {
                if !text.iter().any(|(t, _)| *t == term) {
                    text.push((term, weight));
                }
            }
        }
        // The other script's words for the same thing, mined from the guides themselves: only
        // in a Korean search, where pages write a term in Hangul or in Latin letters.
        if lang == Lang::Ko {
            for (term, concept) in terms.iter().zip(concepts.iter_mut()) {
                let crate::lexicon::Expansions { pairs, loans } =
                    self.lexicon.expansions(term, tuning.loan > 0.0);
                let mined = pairs
                    .into_iter()
                    .map(|(t, f)| (t, tuning.lexicon * f))
                    .chain(loans.into_iter().map(|(t, f)| (t, tuning.loan * f)));
                for (other, weight) in mined {
                    if weight <= 0.0 || terms.contains(&other) {
                        continue;
                    }
                    if !concept.contains(&other) {
                        concept.push(other.clone());
                    }
                    match text.iter_mut().find(|(t, _)| *t == other) {
                        Some((_, w)) => *w = w.max(weight),
                        None => text.push((other, weight)),
                    }
                }
            }
        }
        // Bigrams only stand in for the words the index does not know: for known words they
        // mostly add common pairs (`하는`, `에서`) that cost more to search than they help rank.
        let mut bigrams: Vec<String> = Vec::new();
        for word in unknown {
            for bigram in Analyzer::Bigram.terms(&query[word]) {
                if !bigrams.contains(&bigram) && bigrams.len() < MAX_TERMS {
                    bigrams.push(bigram);
                }
            }
        }
        let mut english: Vec<(String, f32)> = Vec::new();
        if lang == Lang::Ko {
            for term in &terms {
                if !term.starts_with(is_hangul) {
                    english.push((term.clone(), 1.0));
                } else if let Some((pair, strength)) = self.lexicon.of(term).first()
                    && !pair.starts_with(is_hangul)
                    && *strength >= MIN_TRANSLATION
                    && !english.iter().any(|(t, _)| t == pair)
                {
                    english.push((pair.clone(), *strength));
                }
            }
        }
        Ok(Analyzed {
            text,
            bigrams,
            english,
            concepts,
        })
    }

    /// The analysed terms of a query, Korean words in the forms the index knows.
    pub(super) fn query_terms(&self, query: &str) -> Result<Vec<String>> {
        Ok(self.query_words(query)?.0)
    }

    /// The analysed terms of a query, and the byte ranges of its Korean words that the index
    /// knows in no form (searched by their bigrams too: a spacing error, an unknown compound).
    pub(super) fn query_words(&self, query: &str) -> Result<(Vec<String>, Vec<Range<usize>>)> {
        let mut terms: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for token in Analyzer::Text.analyze(query) {
            if token.text.chars().nth(MAX_WORD_CHARS).is_some() {
                // Korean written without spaces is still searched by its bigrams (at most
                // MAX_TERMS of them); nothing else that long is a word.
                if token.text.starts_with(is_hangul) {
                    unknown.push(token.offset_from..token.offset_to);
                }
                continue;
            }
            let forms = if crate::analysis::korean::jamo::is_initials(&token.text) {
                let words = self.expand_initials(&token.text);
                if words.is_empty() {
                    vec![token.text]
                } else {
                    words
                }
            } else {
                let word = token.offset_from..token.offset_to;
                let (forms, known) = language(Script::of(&token.text)).query_forms(
                    &token.text,
                    &query[word.clone()],
                    self,
                )?;
                if !known {
                    unknown.push(word);
                }
                forms
            };
            for term in forms {
                if !terms.contains(&term) && terms.len() < MAX_TERMS {
                    terms.push(term);
                }
            }
        }
        Ok((terms, unknown))
    }

    /// The word of the guides that an unknown query term is most likely a typo of, as the
    /// term's language tells (none for a term longer than [`MAX_TYPO_LETTERS`]).
    pub(super) fn correct(&self, term: &str) -> Result<Option<String>> {
        if term.chars().count() > MAX_TYPO_LETTERS {
            return Ok(None);
        }
        if let Some(known) = self.corrections.get(term) {
            return Ok(known);
        }
        let correction = language(Script::of(term)).correct(term, self)?;
        self.corrections.remember(term, &correction);
        Ok(correction)
    }

    /// The indexed words whose initial consonants a query word is (`ㅂㅁㅂㅎ` → `비밀번호`),
    /// from guide titles, headings, tags and questions, most frequent first.
    pub(super) fn expand_initials(&self, word: &str) -> Vec<String> {
        self.initials.get(word).cloned().unwrap_or_default()
    }
}

/// The open index's text field as the guides' words, for each language's query analysis.
impl Vocabulary for KnowledgeBase {
    fn doc_freq(&self, term: &str) -> Result<u64> {
        self.scoring.doc_freq(self.fields.text, term)
    }

    fn starting_with(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        let mut upper = prefix.as_bytes().to_vec();
        if let Some(byte) = upper.last_mut() {
            *byte += 1;
        }
        let mut stream = self
            .scoring
            .inverted(self.fields.text)
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&upper)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut out = Vec::new();
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                out.push((term.to_string(), u64::from(stream.value().doc_freq)));
            }
        }
        Ok(out)
    }

    fn most_frequent_near(&self, term: &str, distance: u8) -> Result<Option<String>> {
        let field = self.fields.text;
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true).automaton()?;
        let mut best: Option<(u32, String)> = None;
        let mut stream = self
            .scoring
            .inverted(field)
            .terms()
            .search(&automaton)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let doc_freq = stream.value().doc_freq;
            if best.as_ref().is_none_or(|(f, _)| doc_freq > *f)
                && let Ok(candidate) = std::str::from_utf8(stream.key())
            {
                best = Some((doc_freq, candidate.to_string()));
            }
        }
        Ok(best.map(|(_, t)| t))
    }
}

#[cfg(test)]
mod tests {
    use crate::KnowledgeBase;

    /// A query's cost is bounded: a 256-character run of Han, kana or Latin letters is no word
    /// and is not searched (a hostile probe spent 25–80 ms on one), a long Hangul run is searched
    /// by at most [`super::MAX_TERMS`] bigrams, and no word past [`super::MAX_TYPO_LETTERS`]
    /// letters is looked up as a typo.
    #[test]
    fn a_querys_words_and_typo_lookups_are_bounded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let kb = KnowledgeBase::from_guides(&root.join("guides")).expect("open");
        for run in ["漢".repeat(256), "カ".repeat(256), "q".repeat(256)] {
            let (terms, unknown) = kb.query_words(&run).expect("words");
            assert!(terms.is_empty() && unknown.is_empty(), "{terms:?}");
        }
        let hangul = "가나다라마바사".repeat(36);
        let (terms, unknown) = kb.query_words(&hangul).expect("words");
        assert!(terms.is_empty());
        assert_eq!(unknown.len(), 1, "searched by its bigrams");
        assert_eq!(kb.correct(&"passwordz".repeat(2)).expect("typo"), None);
        assert_eq!(
            kb.correct("passwrd").expect("typo").as_deref(),
            Some("password")
        );
    }
}
