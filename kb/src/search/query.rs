//! What a query's words become before anything is scored: analysed terms (Korean words in the
//! forms the index knows, split compounds, conjugations the guides use), typo corrections,
//! synonyms, the other script's words mined from the guides, bigrams of unknown Korean words, and
//! the concepts coverage is measured over. Bounded: at most [`MAX_TERMS`] terms and bigrams, no word
//! longer than [`MAX_WORD_CHARS`], no typo lookup for a word longer than [`MAX_TYPO_LETTERS`].

use std::ops::Range;

use tantivy::Term;
use tantivy::query::FuzzyTermQuery;

use super::{MAX_TERMS, Tuning};
use crate::analysis::{Analyzer, is_hangul, korean_forms};
use crate::error::Result;
use crate::guide::Lang;
use crate::index::KnowledgeBase;

/// Shortest Korean word (in syllables) corrected for a letter Korean writers confuse.
const MIN_KOREAN_TYPO: usize = 2;
/// Shortest Korean word corrected for any one-letter typo.
const MIN_KOREAN_TYPO_ANY: usize = 3;
/// Longest word looked up as a typo, in letters: real words are shorter, and the cost of a lookup
/// grows with the word (65 candidates per syllable; an edit automaton per letter), so a hostile
/// 256-letter "word" must not buy 25–80 ms of CPU.
const MAX_TYPO_LETTERS: usize = 16;
/// Longest word searched at all, in characters: past it a token is no word of any guide.
const MAX_WORD_CHARS: usize = 48;
/// Weakest lexicon pair that translates a query word for the English side.
const MIN_TRANSLATION: f32 = 0.8;

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
            } else if token.text.starts_with(is_hangul) {
                let word = token.offset_from..token.offset_to;
                let (forms, known) = self.known_korean_forms(&token.text, &query[word.clone()])?;
                if !known {
                    unknown.push(word);
                }
                forms
            } else {
                vec![token.text]
            };
            for term in forms {
                if !terms.contains(&term) && terms.len() < MAX_TERMS {
                    terms.push(term);
                }
            }
        }
        Ok((terms, unknown))
    }

    /// The indexed forms of a Korean query word. The analyzer's stem when guides contain it;
    /// otherwise the first other form of the word that they contain (less or more stripped); otherwise
    /// a split into two words that they contain (`환경변수` → `환경`, `변수`), since Korean writes
    /// compounds with or without spaces. A word the index does not know at all is kept as it is.
    /// The flag says whether the index knows the word itself in some form (not only its parts).
    pub(super) fn known_korean_forms(&self, stem: &str, word: &str) -> Result<(Vec<String>, bool)> {
        let doc_freq = |term: &str| self.doc_freq(term);
        if doc_freq(stem)? > 0 {
            return Ok((vec![stem.to_string()], true));
        }
        for form in korean_forms(word) {
            if form != stem && doc_freq(form)? > 0 {
                return Ok((vec![form.to_string()], true));
            }
        }
        let chars: Vec<(usize, char)> = stem.char_indices().collect();
        let mut best: Option<(u64, usize)> = None;
        for &(at, _) in chars.iter().take(chars.len().saturating_sub(1)).skip(2) {
            let weakest = doc_freq(&stem[..at])?.min(doc_freq(&stem[at..])?);
            if weakest > 0 && best.is_none_or(|(f, _)| weakest > f) {
                best = Some((weakest, at));
            }
        }
        if let Some((_, at)) = best {
            return Ok((vec![stem[..at].to_string(), stem[at..].to_string()], false));
        }
        // A verb in a conjugation the guides never use (`걸려요` where they say `걸립니다`).
        let conjugation = self
            .conjugations(stem)?
            .into_iter()
            .max_by_key(|(_, info)| info.doc_freq)
            .map(|(form, _)| form);
        let known = conjugation.is_some();
        Ok((vec![conjugation.unwrap_or_else(|| stem.to_string())], known))
    }

    /// For a Latin term of five letters or more that no guide contains, the most common indexed
    /// term within one edit (two for nine letters or more).
    pub(super) fn correct(&self, term: &str) -> Result<Option<String>> {
        let letters = term.chars().count();
        if letters > MAX_TYPO_LETTERS {
            return Ok(None);
        }
        let korean = term
            .chars()
            .all(|c| crate::analysis::korean::jamo::split(c).is_some());
        if korean && letters >= MIN_KOREAN_TYPO {
            return self.correct_korean(term);
        }
        // English stems only: the scripts Baton does not analyse (Han, kana) have no typos it
        // could tell.
        if letters < 5 || !term.chars().all(|c| c.is_ascii_alphabetic()) {
            return Ok(None);
        }
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let distance = if letters >= 9 { 2 } else { 1 };
        self.most_frequent_near(term, distance)
    }

    /// The most frequent indexed word one jamo away from an unknown Korean word (`비밀번허` →
    /// `비밀번호`; in a two-syllable word only a commonly confused letter, `결쩨` → `결제`), ties
    /// to the first in dictionary order. The candidates are spelled out, 65 per syllable, and
    /// looked up: cheaper than walking the dictionary with an edit automaton, and no dearer as
    /// the dictionary grows.
    pub(super) fn correct_korean(&self, term: &str) -> Result<Option<String>> {
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let syllables: Vec<char> = term.chars().collect();
        let mut candidate = syllables.clone();
        let mut word = String::with_capacity(term.len());
        let mut best: Option<(u64, String)> = None;
        for at in 0..syllables.len() {
            for variant in crate::analysis::korean::jamo::one_letter_variants(syllables[at]) {
                candidate[at] = variant;
                word.clear();
                word.extend(&candidate);
                let doc_freq = self.doc_freq(&word)?;
                if doc_freq > 0
                    && best
                        .as_ref()
                        .is_none_or(|(f, w)| doc_freq > *f || doc_freq == *f && word < *w)
                    && (syllables.len() >= MIN_KOREAN_TYPO_ANY
                        || crate::analysis::korean::jamo::commonly_confused(term, &word))
                {
                    best = Some((doc_freq, word.clone()));
                }
            }
            candidate[at] = syllables[at];
        }
        Ok(best.map(|(_, w)| w))
    }

    /// The most frequent indexed word within `distance` edits of `term` (a transposition is one).
    pub(super) fn most_frequent_near(&self, term: &str, distance: u8) -> Result<Option<String>> {
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

    /// The indexed words whose initial consonants a query word is (`ㅂㅁㅂㅎ` → `비밀번호`),
    /// from guide titles, headings, tags and questions, most frequent first.
    pub(super) fn expand_initials(&self, word: &str) -> Vec<String> {
        self.initials.get(word).cloned().unwrap_or_default()
    }

    /// The indexed words that may be other conjugations of the Korean word `term`: the same
    /// syllables but the last, then a syllable that begins with the same consonant, at most two
    /// syllables longer (`걸려` → `걸립`, `걸리`), with their postings.
    pub(super) fn conjugations(
        &self,
        term: &str,
    ) -> Result<Vec<(String, tantivy::postings::TermInfo)>> {
        let syllables: Vec<char> = term.chars().collect();
        let Some((&last, stem)) = syllables.split_last() else {
            return Ok(Vec::new());
        };
        let Some(onset) = crate::analysis::korean::jamo::initial_consonant(last) else {
            return Ok(Vec::new());
        };
        if stem.is_empty()
            || !stem
                .iter()
                .all(|c| crate::analysis::korean::jamo::initial_consonant(*c).is_some())
        {
            return Ok(Vec::new());
        }
        let prefix: String = stem.iter().collect();
        let inverted = self.scoring.inverted(self.fields.text);
        let mut upper = prefix.clone().into_bytes();
        if let Some(byte) = upper.last_mut() {
            *byte += 1;
        }
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&upper)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut out = Vec::new();
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let next = candidate[prefix.len()..].chars().next();
            if candidate != term
                && candidate.chars().count() <= syllables.len() + 2
                && next.and_then(crate::analysis::korean::jamo::initial_consonant) == Some(onset)
            {
                out.push((candidate.to_string(), stream.value().clone()));
            }
        }
        Ok(out)
    }
}
