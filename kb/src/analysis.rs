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

use std::cell::RefCell;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

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
    /// per word: what highlighting runs over every result's text.
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
        let term = match script {
            Script::Latin => english_term(word),
            Script::Hangul => korean_term(word).map(str::to_string),
        };
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Hangul,
    Latin,
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

/// Korean words that carry no topic once their endings are gone (`안 돼요` → `안`, `돼`).
const KOREAN_STOP_WORDS: &[&str] = &[
    "안",
    "돼",
    "되",
    "어떻게",
    "왜",
    "좀",
    "수",
    "있",
    "있나",
    "것",
    "거",
    "이",
    "그",
    "저",
    "제",
    "뭐",
    "무엇",
    "하",
    "해",
    "합",
    "할",
    "한",
    "하나",
    "나요",
    "싶",
    "싶어",
    "때",
    "및",
    "등",
    "더",
    "또",
    "또는",
    "경우",
    "위해",
    "통해",
    "대한",
    "있습니다",
    "없",
    "있어",
    "너무",
    "계속",
    "자꾸",
    "그냥",
    "혹시",
    "어떻",
    "어떤",
    "무슨",
    "뭘",
    "뭔가",
    "어디",
    "언제",
    "어떡",
    "해야",
    "하려",
    "싶은",
    "싶다",
    "같은",
    "같이",
    "알려",
    "알려주",
    "주세",
    "해도",
];

/// Particles and endings, stripped from the end of a Hangul word, longest match first.
///
/// Endings marked ambiguous also end ordinary nouns (`추가`, `경로`, `의도`), so they are only
/// stripped when at least two syllables remain.
const KOREAN_ENDINGS: &[(&str, bool)] = &[
    // Verb and adjective endings after 하다/되다 nouns (변경하려면 → 변경).
    ("하려고요", false),
    ("하려면요", false),
    ("하시려면", false),
    ("했는데요", false),
    ("하는데요", false),
    ("되었습니다", false),
    ("되었는데", false),
    ("됐는데요", false),
    ("하려면", false),
    ("하려고", false),
    ("하는데", false),
    ("했는데", false),
    ("했어요", false),
    ("했습니다", false),
    ("합니다", false),
    ("합니까", false),
    ("하세요", false),
    ("하셔야", false),
    ("하시면", false),
    ("하셨나요", false),
    ("할까요", false),
    ("하나요", false),
    ("해주세요", false),
    ("해줘요", false),
    ("했나요", false),
    ("하지만", false),
    ("되나요", false),
    ("되는데", false),
    ("됐어요", false),
    ("됩니다", false),
    ("되어요", false),
    ("되지만", false),
    ("시키려면", false),
    ("하면서", false),
    ("했더니", false),
    ("하더니", false),
    ("했더니만", false),
    ("되더니", false),
    ("해야", false),
    ("해서", false),
    ("해요", false),
    ("하면", false),
    ("하고", false),
    ("하는", false),
    ("하기", false),
    ("하여", false),
    ("하지", false),
    ("한다", false),
    ("했다", false),
    ("하게", false),
    ("되면", false),
    ("되는", false),
    ("되지", false),
    ("되어", false),
    ("되고", false),
    ("돼요", false),
    ("됐다", false),
    ("된다", false),
    ("된", true),
    ("할", true),
    ("한", true),
    ("해", true),
    // Other verb endings.
    ("으려면", false),
    ("려면", false),
    ("는데요", false),
    ("는데", false),
    ("은데", false),
    ("었어요", false),
    ("았어요", false),
    ("었는데", false),
    ("았는데", false),
    ("습니다", false),
    ("습니까", false),
    ("으세요", false),
    ("세요", false),
    ("나요", false),
    ("까요", false),
    ("어요", false),
    ("아요", false),
    ("지만", false),
    ("면서", false),
    ("어서", false),
    ("아서", false),
    ("으면", false),
    ("네요", false),
    ("군요", false),
    ("었더니", false),
    ("았더니", false),
    ("더니", false),
    ("는지", false),
    ("은지", false),
    ("던", true),
    ("죠", true),
    ("고", true),
    ("지", true),
    ("면", true),
    ("기", true),
    ("게", true),
    // Particles.
    ("에서는", false),
    ("에서도", false),
    ("에게서", false),
    ("으로는", false),
    ("으로도", false),
    ("으로서", false),
    ("으로써", false),
    ("이라고", false),
    ("이라는", false),
    ("이라면", false),
    ("까지는", false),
    ("부터는", false),
    ("들에서", false),
    ("들을", false),
    ("들이", false),
    ("들은", false),
    ("들의", false),
    ("들에", false),
    ("들도", false),
    ("들과", false),
    ("들로", false),
    ("에서", false),
    ("에게", false),
    ("한테", false),
    ("으로", false),
    ("까지", false),
    ("부터", false),
    ("처럼", false),
    ("보다", false),
    ("이나", false),
    ("이랑", false),
    ("에는", false),
    ("에도", false),
    ("과는", false),
    ("와는", false),
    ("라고", false),
    ("라는", false),
    ("마다", false),
    ("밖에", false),
    ("조차", false),
    ("이며", false),
    ("이고", false),
    ("이다", false),
    ("입니다", false),
    ("인가요", false),
    ("이에요", false),
    ("예요", false),
    ("만", false),
    ("은", false),
    ("는", false),
    ("을", false),
    ("를", false),
    ("에", false),
    ("와", false),
    ("랑", false),
    ("께", false),
    ("요", false),
    ("이", true),
    ("가", true),
    ("도", true),
    ("로", true),
    ("과", true),
    ("의", true),
    ("나", true),
];

/// The indexed form of a Hangul word, or `None` when it carries no topic: a stop word, a bare
/// form of 하다/되다 (`했더니`, `해야`), or a particle glued to a Latin word (`server로`).
pub fn korean_term(word: &str) -> Option<&str> {
    if KOREAN_STOP_WORDS.contains(&word) || is_ending(word) {
        return None;
    }
    let mut first = word.chars();
    if let Some(c) = first.next()
        && "하해했한할합되돼됐된될됩".contains(c)
    {
        let rest = first.as_str();
        // One-syllable endings that also end nouns (`도`, `지`) make a bare verb only after 하/되
        // (`하면`, `되지`); after 한/해 they are nouns: `한도` (limit), `해지` (cancellation).
        let unambiguous = KOREAN_ENDINGS
            .iter()
            .any(|(e, ambiguous)| *e == rest && !ambiguous)
            || EXTRA_ENDINGS.contains(&rest);
        if rest.is_empty() || unambiguous || ("하되".contains(c) && is_ending(rest)) {
            return None;
        }
    }
    let mut stem = strip_korean(word);
    // 하다/되다 verbs: `검사하면서` leaves `검사하` after its ending; the noun is the topic.
    for light in ["하", "되"] {
        if stem.chars().count() >= 3
            && let Some(noun) = stem.strip_suffix(light)
        {
            stem = noun;
        }
    }
    (!KOREAN_STOP_WORDS.contains(&stem)).then_some(stem)
}

fn is_ending(text: &str) -> bool {
    KOREAN_ENDINGS.iter().any(|(ending, _)| *ending == text) || EXTRA_ENDINGS.contains(&text)
}

/// Endings that only ever follow a stem, never stand as words of their own (checked whole, not
/// stripped): what is left of `했더니` or `바꿨더니` after the first syllable.
const EXTRA_ENDINGS: &[&str] = &["더니", "었더니", "았더니", "야", "서", "니", "냐", "여"];

/// Strips up to two particles/endings from a folded Hangul word, one per round, longest first.
pub fn strip_korean(word: &str) -> &str {
    let once = strip_korean_once(word);
    if once == word {
        word
    } else {
        strip_korean_once(once)
    }
}

/// Every form of a Hangul word the stripper could have meant, most stripped first: the query side
/// picks the first one the index knows, so a wrong strip (or none) still finds the guides' words.
pub fn korean_forms(word: &str) -> Vec<&str> {
    let mut forms = vec![word];
    let mut stem = word;
    for _ in 0..3 {
        let next = strip_korean_once(stem);
        if next == stem {
            break;
        }
        forms.push(next);
        stem = next;
    }
    for light in ["하", "되"] {
        if let Some(noun) = stem.strip_suffix(light).filter(|n| n.chars().count() >= 2) {
            forms.push(noun);
        }
    }
    forms.reverse();
    forms.dedup();
    forms
}

fn strip_korean_once(stem: &str) -> &str {
    let syllables = stem.chars().count();
    KOREAN_ENDINGS
        .iter()
        .find(|(ending, ambiguous)| {
            let min_stem = if *ambiguous { 2 } else { 1 };
            stem.ends_with(ending) && syllables >= ending.chars().count() + min_stem
        })
        .map_or(stem, |(ending, _)| &stem[..stem.len() - ending.len()])
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
    fn korean_stems() {
        let cases = [
            ("비밀번호를", "비밀번호"),
            ("변경하려면", "변경"),
            ("변경이", "변경"),
            ("비밀번호가", "비밀번호"),
            ("추가", "추가"),
            ("경로", "경로"),
            ("경로로", "경로"),
            ("환불해주세요", "환불"),
            ("결제가", "결제"),
            ("설정에서는", "설정"),
            ("송금했는데", "송금"),
            ("계정이", "계정"),
            ("가", "가"),
            ("배포하기", "배포"),
        ];
        for (word, stem) in cases {
            assert_eq!(strip_korean(word), stem, "{word}");
        }
    }

    #[test]
    fn every_form_of_a_word() {
        assert_eq!(korean_forms("검사하면서"), ["검사", "검사하면서"]);
        assert_eq!(korean_forms("환경변수를"), ["환경변수", "환경변수를"]);
        assert_eq!(korean_forms("설정"), ["설정"]);
    }

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
