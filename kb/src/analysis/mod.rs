//! Text analysis for Korean and English, offline and dictionary-free.
//!
//! Text is folded (NFKC, so full-width `ＡＢＣ１` becomes `abc1`; lowercase; Latin diacritics removed)
//! and split into runs of one script. Latin/digit runs get the English analysis (stop words, Snowball
//! stemming) whatever the document's language, because Korean guides are full of English product
//! words. Hangul runs get two analyses, indexed as two fields:
//! - [`Analyzer::Text`]: the word with particles and endings stripped (`비밀번호를` → `비밀번호`,
//!   `변경하려면` → `변경`), which matches a morphological analyzer on real docs without a dictionary;
//! - [`Analyzer::Bigram`]: overlapping syllable bigrams, which catch compounds written without spaces
//!   (`비밀번호변경`) and stems the stripper gets wrong.
//!
//! Tokens carry byte offsets into the original text so snippets can highlight exactly what matched.
//! Folding, script runs and the tokenizer live here; what one word of each language becomes lives
//! behind one seam, [`WordAnalysis`], chosen per script by [`language`]: [`english`] (one file)
//! and [`korean`] (a folder: particles and endings, `jamo` for typos and initials, `loanword` for
//! Hangul spellings of Latin words, `query` for what a query word becomes: the form the guides
//! use, a typo fixed, a verb's other conjugations). The query side asks the guides' words through
//! [`Vocabulary`], which the open index answers. A third language is a folder of its own, a
//! [`Script`] it is written in, and one line in [`language`].

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use crate::error::Result;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

pub mod english;
pub mod korean;

pub use english::english_term;
pub use korean::{korean_forms, korean_term, strip_korean};

/// The guides' words, as a language's query analysis may ask of them (the open index answers).
pub trait Vocabulary {
    /// How many documents hold `term` in their text (0: the guides never use it).
    fn doc_freq(&self, term: &str) -> Result<u64>;
    /// The terms that begin with `prefix`, in order, with their document counts.
    fn starting_with(&self, prefix: &str) -> Result<Vec<(String, u64)>>;
    /// The most frequent term within `distance` edits of `term` (a transposition is one).
    fn most_frequent_near(&self, term: &str, distance: u8) -> Result<Option<String>>;
}

/// What one language does to one folded word of its script: the seam every language sits behind.
/// `term` is what guides and queries are indexed and searched by; the rest is what a query word
/// of the language becomes before it is searched, asked of the guides' own words.
pub trait WordAnalysis: Sync {
    /// The indexed term of `word`, or `None` when the word carries no topic (a stop word, an
    /// ending alone).
    fn term(&self, word: &str) -> Option<String>;

    /// The forms of a query word (`term`, analysed from `word` as written) that the guides use,
    /// and whether they use the word itself in some form (not only its parts): by default the
    /// term as it is, taken as known.
    fn query_forms(
        &self,
        term: &str,
        _word: &str,
        _vocabulary: &dyn Vocabulary,
    ) -> Result<(Vec<String>, bool)> {
        Ok((vec![term.to_string()], true))
    }

    /// The word of the guides that an unknown query term is most likely a typo of.
    fn correct(&self, _term: &str, _vocabulary: &dyn Vocabulary) -> Result<Option<String>> {
        Ok(None)
    }

    /// Other forms of the same word that the guides use (a verb's other conjugations), with
    /// their document counts.
    fn variants(&self, _term: &str, _vocabulary: &dyn Vocabulary) -> Result<Vec<(String, u64)>> {
        Ok(Vec::new())
    }
}

/// English: Lucene's stop words and Snowball stemming; typos corrected by edit distance.
struct English;

impl WordAnalysis for English {
    fn term(&self, word: &str) -> Option<String> {
        english_term(word)
    }

    fn correct(&self, term: &str, vocabulary: &dyn Vocabulary) -> Result<Option<String>> {
        english::correct(term, vocabulary)
    }
}

/// Korean: particles and endings stripped, without a dictionary; query words matched to the forms
/// the guides use, typos by letter, conjugations by their stem.
struct Korean;

impl WordAnalysis for Korean {
    fn term(&self, word: &str) -> Option<String> {
        korean_term(word).map(str::to_string)
    }

    fn query_forms(
        &self,
        term: &str,
        word: &str,
        vocabulary: &dyn Vocabulary,
    ) -> Result<(Vec<String>, bool)> {
        korean::query::known_forms(term, word, vocabulary)
    }

    fn correct(&self, term: &str, vocabulary: &dyn Vocabulary) -> Result<Option<String>> {
        korean::query::correct(term, vocabulary)
    }

    fn variants(&self, term: &str, vocabulary: &dyn Vocabulary) -> Result<Vec<(String, u64)>> {
        korean::query::conjugations(term, vocabulary)
    }
}

/// The analysis of the language written in `script` (Latin letters, and the scripts Baton does
/// not analyse, are read as English words).
pub fn language(script: Script) -> &'static dyn WordAnalysis {
    match script {
        Script::Latin => &English,
        Script::Hangul => &Korean,
    }
}

/// The analyses Baton indexes, each registered with Tantivy under [`Analyzer::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyzer {
    /// English stems for Latin runs, stripped word forms for Hangul runs.
    Text,
    /// Hangul syllable bigrams only (Latin runs are ignored: the text field has them).
    Bigram,
}

impl Analyzer {
    /// The tokenizer name stored in the index schema.
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::Text => "baton_text",
            Analyzer::Bigram => "baton_bigram",
        }
    }

    /// Analyzes `text` into tokens with offsets into `text`.
    pub fn analyze(self, text: &str) -> Vec<Token> {
        self.analyze_where(text, |_| true)
    }

    /// Analyzes only the words `wanted` accepts, given a word's folded text: the others are
    /// neither stemmed nor stripped. A word's terms begin with its first folded letter (stems and
    /// stripped forms are prefixes), so a caller looking for known terms can skip the words that
    /// cannot be one, which is most of the cost of highlighting.
    pub fn analyze_where(self, text: &str, wanted: impl Fn(&str) -> bool) -> Vec<Token> {
        let mut tokens = Vec::new();
        self.for_each_term_where(text, wanted, |term, from, to| {
            push(&mut tokens, term.to_string(), from, to)
        });
        tokens
    }

    /// Calls `found` with each term of the words `wanted` accepts and the word's byte range in
    /// `text`, as [`Analyzer::analyze_where`] would return them but without allocating a token
    /// per word: what highlighting runs over every result's text. `found` runs while this
    /// thread's word memo is borrowed, so it must not analyze text itself.
    pub fn for_each_term_where(
        self,
        text: &str,
        wanted: impl Fn(&str) -> bool,
        mut found: impl FnMut(&str, usize, usize),
    ) {
        for_each_run(text, |script, word, from, to| {
            if !wanted(word) {
                return;
            }
            match (self, script) {
                (Analyzer::Text, script) => {
                    with_word_term(script, word, |term| {
                        if let Some(term) = term {
                            found(term, from, to);
                        }
                    });
                }
                (Analyzer::Bigram, Script::Hangul) => {
                    let mut chars = word.char_indices().peekable();
                    if word.chars().nth(1).is_none() {
                        found(word, from, to);
                    }
                    // Offsets of a bigram are those of its whole word: a run's characters may map to
                    // more or fewer source bytes after folding.
                    while let Some((start, _)) = chars.next() {
                        if let Some(&(second, c)) = chars.peek() {
                            found(&word[start..second + c.len_utf8()], from, to);
                        }
                    }
                }
                (Analyzer::Bigram, Script::Latin) => {}
            }
        });
    }

    /// The analyzed terms of `text`, without offsets.
    pub fn terms(self, text: &str) -> Vec<String> {
        self.analyze(text).into_iter().map(|t| t.text).collect()
    }
}

/// Words whose analysis each thread remembers before it starts over (about 0.4 MB at most per
/// thread, and `baton serve`'s blocking pool may hold hundreds): a help center's frequent words fit,
/// and stemming or stripping a word costs more than a lookup. 4,096 measured as fast as 65,536.
const REMEMBERED_WORDS: usize = 1 << 12;

thread_local! {
    static WORD_TERMS: RefCell<FxHashMap<String, Option<String>>> = RefCell::new(FxHashMap::default());
}

/// Calls `with` on the term of one folded word of `script`, remembered per thread.
fn with_word_term<R>(script: Script, word: &str, with: impl FnOnce(Option<&str>) -> R) -> R {
    WORD_TERMS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(term) = memo.get(word) {
            return with(term.as_deref());
        }
        let term = language(script).term(word);
        if memo.len() >= REMEMBERED_WORDS {
            memo.clear();
        }
        let out = with(term.as_deref());
        memo.insert(word.to_string(), term);
        out
    })
}

fn push(tokens: &mut Vec<Token>, text: String, from: usize, to: usize) {
    let position = tokens.len();
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    });
}

/// The scripts text is split into runs of, each analysed by its language ([`language`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Hangul syllables and jamo: Korean.
    Hangul,
    /// Latin letters, digits, and every other letter: English.
    Latin,
}

impl Script {
    /// The script of a folded word (one run: its first letter tells).
    pub fn of(word: &str) -> Script {
        if word.starts_with(is_hangul) {
            Script::Hangul
        } else {
            Script::Latin
        }
    }
}

/// The words of `text` as folded runs of one script (NFKC, lowercase, diacritics removed; a Hangul
/// run and a Latin run touching are two words), with nothing stripped or dropped: what intent
/// patterns match against.
pub fn word_runs(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_run(text, |_, word, _, _| words.push(word.to_string()));
    words
}

/// True for Hangul syllables and jamo (compatibility jamo included).
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Splits folded text into script runs, calling `run` with each one's script, folded text and
/// byte range in `text`; one buffer serves every run. Any other letter or digit (CJK ideographs,
/// Cyrillic …) joins the Latin analysis, which keeps it as one lowercase word.
fn for_each_run(text: &str, mut run: impl FnMut(Script, &str, usize, usize)) {
    let mut word = String::new();
    let mut current: Option<(Script, usize, usize)> = None;
    let mut folded = String::new();
    let mut step = |c: char, offset: usize, end: usize| {
        let script = if is_hangul(c) {
            Some(Script::Hangul)
        } else if c.is_alphanumeric() {
            Some(Script::Latin)
        } else {
            None
        };
        match (script, current.as_mut()) {
            (Some(script), Some((current_script, _, to))) if *current_script == script => {
                word.push(c);
                *to = end;
            }
            (Some(script), _) => {
                if let Some((script, from, to)) = current.replace((script, offset, end)) {
                    run(script, &word, from, to);
                }
                word.clear();
                word.push(c);
            }
            (None, _) => {
                if let Some((script, from, to)) = current.take() {
                    run(script, &word, from, to);
                }
                word.clear();
            }
        }
    };
    for (offset, original) in text.char_indices() {
        let end = offset + original.len_utf8();
        // ASCII and Hangul, nearly all of a guide, fold to one letter without normalizing.
        if original.is_ascii() {
            step(original.to_ascii_lowercase(), offset, end);
        } else if is_hangul(original) {
            step(original, offset, end);
        } else {
            folded.clear();
            fold_char(original, &mut folded);
            for c in folded.chars() {
                step(c, offset, end);
            }
        }
    }
    if let Some((script, from, to)) = current {
        run(script, &word, from, to);
    }
}

/// NFKC, lowercase, and Latin diacritics removed (`é` → `e`); Hangul is left composed.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_hangul(c) {
        // NFKC keeps syllables composed and maps compatibility jamo to conjoining jamo, which would
        // split a run; leave Hangul untouched.
        out.push(c);
        return;
    }
    for n in std::iter::once(c).nfkc() {
        for lower in n.to_lowercase() {
            if lower.is_ascii() || is_hangul(lower) {
                out.push(lower);
            } else {
                decompose_canonical(lower, |d| {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                });
            }
        }
    }
}

/// The language a text is written in, by its share of Hangul letters.
pub fn looks_korean(text: &str) -> bool {
    let (mut hangul, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        hangul += usize::from(is_hangul(c));
    }
    // Korean docs carry many English words; a modest share of Hangul already means Korean.
    letters > 0 && hangul * 5 >= letters
}

/// An [`Analyzer`] as a Tantivy tokenizer.
#[derive(Clone)]
pub struct BatonTokenizer(pub Analyzer);

/// The tokens of one analyzed text.
pub struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for BatonTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens {
            tokens: self.0.analyze(text),
            next: 0,
        }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Registers Baton's analyzers with an index.
pub fn register(index: &tantivy::Index) {
    for analyzer in [Analyzer::Text, Analyzer::Bigram] {
        index
            .tokenizers()
            .register(analyzer.name(), BatonTokenizer(analyzer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_text_and_offsets() {
        let text = "API키를 ＴＡＩＬＷＩＮＤ로 Café 설치하려면";
        let tokens = Analyzer::Text.analyze(text);
        let terms: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(terms, ["api", "키", "tailwind", "cafe", "설치"]);
        assert_eq!(
            &text[tokens[2].offset_from..tokens[2].offset_to],
            "ＴＡＩＬＷＩＮＤ"
        );
        assert_eq!(
            &text[tokens[4].offset_from..tokens[4].offset_to],
            "설치하려면"
        );
    }

    #[test]
    fn english_stems_and_stop_words() {
        assert_eq!(
            Analyzer::Text.terms("How do I deploy the sites?"),
            ["deploy", "site"]
        );
        assert_eq!(
            Analyzer::Text.terms("Refunds refunded"),
            ["refund", "refund"]
        );
    }

    #[test]
    fn bigrams() {
        assert_eq!(
            Analyzer::Bigram.terms("비밀번호변경 a 돈"),
            ["비밀", "밀번", "번호", "호변", "변경", "돈"]
        );
    }

    #[test]
    fn stop_words_in_korean_question() {
        assert_eq!(
            Analyzer::Text.terms("비밀번호 변경이 안 돼요"),
            ["비밀번호", "변경"]
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "",
            "\u{0}\u{1}\u{7f}",
            "😀🙈",
            "AND( * \"",
            "ﬁﬂ",
            "\u{3131}\u{314f}",
            "é\u{301}",
        ] {
            let _ = Analyzer::Text.analyze(text);
            let _ = Analyzer::Bigram.analyze(text);
        }
        let tokens = Analyzer::Text.analyze("ﬁle");
        assert_eq!(tokens[0].text, "file");
    }

    #[test]
    fn language_detection() {
        assert!(looks_korean("Astro 프로젝트를 Netlify에 배포하기"));
        assert!(!looks_korean("Deploy your Astro site"));
        assert!(!looks_korean("1234"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Highlighting skips the words whose first letter starts no wanted term: that is
            /// only sound if every term starts with its word's first folded letter.
            #[test]
            fn filtering_by_first_letter_loses_no_term(
                text in "([a-zA-Zé0-9]{1,12}|[가-힣]{1,6}|[ .,:()Ａ-Ｚ]){0,40}"
            ) {
                let all = Analyzer::Text.analyze(&text);
                let spans = |tokens: &[Token]| -> Vec<(String, usize, usize)> {
                    tokens.iter().map(|t| (t.text.clone(), t.offset_from, t.offset_to)).collect()
                };
                for initial in all.iter().filter_map(|t| t.text.chars().next()) {
                    let kept = Analyzer::Text
                        .analyze_where(&text, |word| word.starts_with(initial));
                    let expected: Vec<Token> = all
                        .iter()
                        .filter(|t| t.text.starts_with(initial))
                        .cloned()
                        .collect();
                    prop_assert_eq!(spans(&kept), spans(&expected));
                }
            }
        }
    }
}
