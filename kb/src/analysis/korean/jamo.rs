//! Hangul syllables taken apart into their letters (jamo), for what Korean spelling does to
//! words: a verb's last syllable changes with its ending (`걸려`, `걸립니다`), a typo changes one
//! letter of a syllable (`결쩨` for `결제`), and people type only the initial consonants (`ㅂㅁㅂㅎ`
//! for `비밀번호`).

const FIRST: u32 = 0xAC00;
const LAST: u32 = 0xD7A3;
const MEDIALS: u32 = 21;
const FINALS: u32 = 28;

/// The compatibility jamo of the 19 initial consonants, as people type them alone.
const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

/// The initial consonant of a Hangul syllable (0–18), `None` for anything else.
pub fn initial_consonant(c: char) -> Option<u32> {
    let code = c as u32;
    (FIRST..=LAST)
        .contains(&code)
        .then(|| (code - FIRST) / (MEDIALS * FINALS))
}

/// A syllable's (initial, medial, final) indices; final 0 is none.
pub fn split(c: char) -> Option<(u32, u32, u32)> {
    let code = c as u32;
    (FIRST..=LAST).contains(&code).then(|| {
        let offset = code - FIRST;
        (
            offset / (MEDIALS * FINALS),
            offset % (MEDIALS * FINALS) / FINALS,
            offset % FINALS,
        )
    })
}

/// A word as jamo indices, three per syllable (initial, medial + 19, final + 40), other
/// characters kept as they are, so an edit distance over it counts letters, not syllables.
pub fn letters(word: &str) -> Vec<u32> {
    let mut out = Vec::with_capacity(word.len());
    for c in word.chars() {
        match split(c) {
            Some((i, m, f)) => {
                out.push(i);
                out.push(19 + m);
                if f > 0 {
                    out.push(40 + f);
                }
            }
            None => out.push(0x10000 + c as u32),
        }
    }
    out
}

/// Whether two words are at most one jamo apart (one letter substituted, added or dropped).
pub fn one_letter_apart(a: &str, b: &str) -> bool {
    let (a, b) = (letters(a), letters(b));
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let start = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[start + 1.min(short.len() - start)..] == long[start + 1.min(long.len() - start)..]
    } else {
        short[start..] == long[start + 1..]
    }
}

/// Letters Korean writers confuse most: plain and tense consonants (ㄱ/ㄲ, ㄷ/ㄸ, ㅂ/ㅃ, ㅅ/ㅆ,
/// ㅈ/ㅉ as initials) and vowels that sound alike (ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅚ/ㅞ), as [`letters`] numbers them.
const CONFUSED: [(u32, u32); 10] = [
    (0, 1),
    (3, 4),
    (7, 8),
    (9, 10),
    (12, 13),
    (19 + 1, 19 + 5),
    (19 + 3, 19 + 7),
    (19 + 10, 19 + 11),
    (19 + 11, 19 + 15),
    (19 + 10, 19 + 15),
];

/// Whether two words of the same length differ in exactly one letter, and that letter is one
/// Korean writers confuse (`결쩨` for `결제`, `베송` for `배송`) — safe to correct even in a
/// two-syllable word, where any other one-letter edit often lands on another real word (`차트`
/// is not `카트`).
pub fn commonly_confused(a: &str, b: &str) -> bool {
    let (a, b) = (letters(a), letters(b));
    if a.len() != b.len() {
        return false;
    }
    let differing: Vec<(u32, u32)> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (*x.min(y), *x.max(y)))
        .collect();
    matches!(differing[..], [pair] if CONFUSED.contains(&pair))
}

/// The syllables one letter away from `c`: another initial, another medial, or another final
/// (one added or dropped), 65 for any Hangul syllable and none for anything else. A one-letter
/// typo inside one syllable of a word is one of these in its place.
pub fn one_letter_variants(c: char) -> Vec<char> {
    let Some((initial, medial, last)) = split(c) else {
        return Vec::new();
    };
    let syllable = |i: u32, m: u32, f: u32| char::from_u32(FIRST + (i * MEDIALS + m) * FINALS + f);
    let initials = (0..INITIALS.len() as u32)
        .filter(|&i| i != initial)
        .filter_map(|i| syllable(i, medial, last));
    let medials = (0..MEDIALS)
        .filter(|&m| m != medial)
        .filter_map(|m| syllable(initial, m, last));
    let finals = (0..FINALS)
        .filter(|&f| f != last)
        .filter_map(|f| syllable(initial, medial, f));
    initials.chain(medials).chain(finals).collect()
}

/// A word's initial consonants as typed alone (`비밀번호` → `ㅂㅁㅂㅎ`); `None` when any character
/// is not a Hangul syllable.
pub fn initials(word: &str) -> Option<String> {
    word.chars()
        .map(|c| initial_consonant(c).map(|i| INITIALS[i as usize]))
        .collect()
}

/// Whether `text` is only initial consonants (`ㅂㅁㅂㅎ`), at least two.
pub fn is_initials(text: &str) -> bool {
    text.chars().count() >= 2 && text.chars().all(|c| INITIALS.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn syllables_come_apart() {
        assert_eq!(initial_consonant('걸'), initial_consonant('겨'));
        assert_eq!(initial_consonant('려'), initial_consonant('립'));
        assert_eq!(initials("비밀번호").as_deref(), Some("ㅂㅁㅂㅎ"));
        assert_eq!(initials("a비"), None);
        assert!(is_initials("ㅂㅁㅂㅎ"));
        assert!(!is_initials("ㅂ"));
        assert!(one_letter_apart("결제", "결쩨"));
        assert!(one_letter_apart("비밀번호", "비밀번허"));
        assert!(one_letter_apart("환불", "활불"));
        assert!(!one_letter_apart("환불", "결제"));
        assert!(one_letter_apart("배송", "배손"));
        assert!(commonly_confused("결쩨", "결제"));
        assert!(commonly_confused("베송", "배송"));
        assert!(!commonly_confused("차트", "카트"));
        assert!(!commonly_confused("나고", "라고"));
        assert!(one_letter_variants('결').contains(&'졀'));
        assert!(one_letter_variants('a').is_empty());
    }

    proptest! {
        /// The variants are exactly the syllables one letter away, checked against all 11,172.
        #[test]
        fn variants_are_the_syllables_one_letter_away(code in FIRST..=LAST) {
            let c = char::from_u32(code).expect("a syllable");
            let variants = one_letter_variants(c);
            prop_assert_eq!(variants.len(), 65);
            let expected: Vec<char> = (FIRST..=LAST)
                .filter_map(char::from_u32)
                .filter(|&other| other != c && one_letter_apart(&c.to_string(), &other.to_string()))
                .collect();
            let mut sorted = variants.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, expected);
        }

        #[test]
        fn a_word_is_no_letters_from_itself_and_the_relation_is_symmetric(a in "[가-힣]{1,5}", b in "[가-힣]{1,5}") {
            prop_assert!(one_letter_apart(&a, &a));
            prop_assert_eq!(one_letter_apart(&a, &b), one_letter_apart(&b, &a));
        }

        #[test]
        fn one_substituted_letter_is_one_apart(word in "[가-힣]{2,5}", at in 0usize..5, to in 0u32..19) {
            let mut chars: Vec<char> = word.chars().collect();
            let at = at % chars.len();
            let (_, m, f) = split(chars[at]).expect("a syllable");
            chars[at] = char::from_u32(FIRST + (to * MEDIALS + m) * FINALS + f).expect("a syllable");
            let other: String = chars.into_iter().collect();
            prop_assert!(one_letter_apart(&word, &other));
        }
    }
}
