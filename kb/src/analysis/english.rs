//! English analysis of one folded Latin word: Lucene's stop words and Snowball stemming.

use std::sync::LazyLock;

use super::Vocabulary;
use crate::error::Result;

/// Lucene's English stop words: too frequent in both queries and guides to carry meaning.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", "i", "my", "me", "do", "does", "how", "can",
    "what", "you", "your", "we", "our", "s", "t",
    // What is left of contractions (`didn't` → `didn`, `t`), typed with or without the apostrophe.
    "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "couldn", "won", "wouldn", "shouldn",
    "hasn", "haven", "hadn", "dont", "didnt", "doesnt", "isnt", "wasnt", "cant", "wont", "ve",
    "ll", "re", "d", "m",
];

static STEMMER: LazyLock<rust_stemmers::Stemmer> =
    LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));

/// Stop word removal and Snowball stemming of one folded Latin word; `None` for a stop word.
pub fn english_term(word: &str) -> Option<String> {
    if ENGLISH_STOP_WORDS.contains(&word) {
        return None;
    }
    Some(STEMMER.stem(word).into_owned())
}

/// Shortest English term corrected for a typo: shorter words have too many neighbours.
const MIN_TYPO_LETTERS: usize = 5;
/// Shortest English term corrected for two typos.
const MIN_TWO_TYPOS_LETTERS: usize = 9;

/// For a term of five letters or more that no guide contains, the most common term of the
/// guides within one edit (two for nine letters or more). Latin letters only: the scripts Baton
/// does not analyse (Han, kana) have no typos it could tell.
pub(super) fn correct(term: &str, vocabulary: &dyn Vocabulary) -> Result<Option<String>> {
    let letters = term.chars().count();
    if letters < MIN_TYPO_LETTERS || !term.chars().all(|c| c.is_ascii_alphabetic()) {
        return Ok(None);
    }
    if vocabulary.doc_freq(term)? > 0 {
        return Ok(None);
    }
    let distance = if letters >= MIN_TWO_TYPOS_LETTERS {
        2
    } else {
        1
    };
    vocabulary.most_frequent_near(term, distance)
}
