//! English analysis of one folded Latin word: Lucene's stop words and Snowball stemming.

use std::sync::LazyLock;

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
