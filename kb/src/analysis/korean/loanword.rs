//! Hangul loanwords and the Latin words they spell (`마크다운` ↔ `markdown`, `프런트매터` ↔
//! `frontmatter`, `테일윈드` ↔ `tailwind`): both reduced to a consonant skeleton, so a Korean
//! reader who types the Hangul finds pages that write the Latin, and the other way round.
//!
//! Korean writes English loanwords by sound, following the national loanword rules: consonants
//! map to a few classes (b/p/f/v → ㅂ/ㅍ, d/t → ㄷ/ㅌ, g/k/c/q → ㄱ/ㅋ, s/z/j/ch/sh → ㅅ/ㅈ/ㅊ,
//! l/r → ㄹ), an `r` after a vowel is not written (`server` → 서버), vowels and `w`/`y` glides
//! vary too much to compare. The skeleton keeps the consonant classes in order, doubled ones
//! once; two words with the same skeleton of three or more consonants are likely one word.

use crate::analysis::is_hangul;

/// Consonant classes of the 19 leading jamo of a Hangul syllable (ㄱ … ㅎ); `_` is the silent ㅇ.
const LEAD: [char; 19] = [
    'K', 'K', 'N', 'T', 'T', 'L', 'M', 'P', 'P', 'S', 'S', '_', 'S', 'S', 'S', 'K', 'T', 'P', 'H',
];
/// Consonant classes of the 27 trailing jamo (index 1 … 27); a final ㅅ is a t in loanwords
/// (`인터넷` internet), a final ㅇ an n (`링크` link, `라우팅` routing).
const TAIL: [&str; 28] = [
    "", "K", "K", "KS", "N", "NS", "N", "T", "L", "LK", "LM", "LP", "LS", "LT", "LP", "L", "M",
    "P", "PS", "T", "T", "N", "S", "S", "K", "T", "P", "",
];

/// Fewest consonants a skeleton needs to say anything (two match too many words).
pub const MIN_SKELETON: usize = 3;

/// The skeleton of a word written in Hangul, if it is all Hangul syllables.
pub fn hangul_skeleton(word: &str) -> Option<String> {
    let mut out = String::new();
    for c in word.chars() {
        let code = c as u32;
        if !(0xAC00..=0xD7A3).contains(&code) {
            return None;
        }
        let index = code - 0xAC00;
        let lead = LEAD[(index / 588) as usize];
        if lead != '_' {
            out.push(lead);
        }
        out.push_str(TAIL[(index % 28) as usize]);
    }
    Some(collapse(&out))
}

/// The skeleton of a word written in Latin letters, if it is all ASCII letters.
pub fn latin_skeleton(word: &str) -> Option<String> {
    let w: Vec<u8> = word.to_ascii_lowercase().into_bytes();
    if w.is_empty() || !w.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let at = |i: usize| w.get(i).copied().unwrap_or(0);
    let mut out = String::new();
    let mut i = 0;
    while i < w.len() {
        let (b, next) = (w[i], at(i + 1));
        let class = match (b, next) {
            // `ch`, `sh`, `th`: Korean spells them ㅊ, 시, ㅅ/ㄷ; a s is the most common.
            (b'c' | b's' | b't', b'h') => {
                i += 1;
                "S"
            }
            (b'p', b'h') => {
                i += 1;
                "P"
            }
            (b'c', b'k') | (b'q', b'u') => {
                i += 1;
                "K"
            }
            (b'n', b'g') if !vowel(at(i + 2)) => {
                i += 1;
                "N"
            }
            (b'c' | b'g', b'e' | b'i' | b'y') => "S",
            (b'r', _) if i > 0 && vowel(w[i - 1]) && !vowel(next) => "",
            (b'b' | b'p' | b'f' | b'v', _) => "P",
            (b'd' | b't', _) => "T",
            (b'c' | b'g' | b'k' | b'q', _) => "K",
            (b'x', _) => "KS",
            (b's' | b'z' | b'j', _) => "S",
            (b'l' | b'r', _) => "L",
            (b'm', _) => "M",
            (b'n', _) => "N",
            (b'h', _) => "H",
            _ => "",
        };
        out.push_str(class);
        i += 1;
    }
    Some(collapse(&out))
}

/// Runs of one class once: doubled letters (`tt`) and Korean doubled ㄹ (`컬러`) alike.
fn collapse(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    for c in skeleton.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Whether a word could be a Hangul loanword worth matching: two syllables or more.
pub fn is_candidate(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().all(is_hangul)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loanwords_and_their_latin_words_share_a_skeleton() {
        for (hangul, latin) in [
            ("마크다운", "markdown"),
            ("프런트매터", "frontmatter"),
            ("테일윈드", "tailwind"),
            ("타입스크립트", "typescript"),
            ("컴포넌트", "component"),
            ("라우팅", "routing"),
            ("미들웨어", "middleware"),
            ("서버", "server"),
            ("링크", "link"),
            ("컬러", "color"),
            ("인터넷", "internet"),
            ("뷰", "view"),
        ] {
            assert_eq!(
                hangul_skeleton(hangul),
                latin_skeleton(latin),
                "{hangul} / {latin}"
            );
        }
        assert_ne!(hangul_skeleton("마크다운"), latin_skeleton("markup"));
        assert_eq!(hangul_skeleton("배포 "), None);
        assert_eq!(latin_skeleton("c++"), None);
    }
}
