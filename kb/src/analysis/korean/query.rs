//! What a Korean query word becomes before it is searched, asked of the guides' own words: the
//! form of it they use, a typo corrected by one letter, a verb's other conjugations.

use super::jamo;
use super::korean_forms;
use crate::analysis::Vocabulary;
use crate::error::Result;

/// Shortest Korean word (in syllables) corrected for a letter Korean writers confuse.
const MIN_TYPO: usize = 2;
/// Shortest Korean word corrected for any one-letter typo.
const MIN_TYPO_ANY: usize = 3;

/// The forms of a Korean query word the guides use. The analyzer's stem when guides contain it;
/// otherwise the first other form of the word that they contain (less or more stripped); otherwise
/// a split into two words that they contain (`환경변수` → `환경`, `변수`), since Korean writes
/// compounds with or without spaces. A word the guides do not use at all is kept as it is.
/// The flag says whether the guides use the word itself in some form (not only its parts).
pub(crate) fn known_forms(
    stem: &str,
    word: &str,
    vocabulary: &dyn Vocabulary,
) -> Result<(Vec<String>, bool)> {
    let doc_freq = |term: &str| vocabulary.doc_freq(term);
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
    let conjugation = conjugations(stem, vocabulary)?
        .into_iter()
        .max_by_key(|(_, doc_freq)| *doc_freq)
        .map(|(form, _)| form);
    let known = conjugation.is_some();
    Ok((vec![conjugation.unwrap_or_else(|| stem.to_string())], known))
}

/// The most frequent word of the guides one jamo away from an unknown Korean word (`비밀번허` →
/// `비밀번호`; in a two-syllable word only a commonly confused letter, `결쩨` → `결제`), ties
/// to the first in dictionary order. The candidates are spelled out, 65 per syllable, and
/// looked up: cheaper than walking the dictionary with an edit automaton, and no dearer as
/// the dictionary grows. Hangul syllables only.
pub(crate) fn correct(term: &str, vocabulary: &dyn Vocabulary) -> Result<Option<String>> {
    let syllables: Vec<char> = term.chars().collect();
    if syllables.len() < MIN_TYPO || !syllables.iter().all(|&c| jamo::split(c).is_some()) {
        return Ok(None);
    }
    if vocabulary.doc_freq(term)? > 0 {
        return Ok(None);
    }
    let mut candidate = syllables.clone();
    let mut word = String::with_capacity(term.len());
    let mut best: Option<(u64, String)> = None;
    for at in 0..syllables.len() {
        for variant in jamo::one_letter_variants(syllables[at]) {
            candidate[at] = variant;
            word.clear();
            word.extend(&candidate);
            let doc_freq = vocabulary.doc_freq(&word)?;
            if doc_freq > 0
                && best
                    .as_ref()
                    .is_none_or(|(f, w)| doc_freq > *f || doc_freq == *f && word < *w)
                && (syllables.len() >= MIN_TYPO_ANY || jamo::commonly_confused(term, &word))
            {
                best = Some((doc_freq, word.clone()));
            }
        }
        candidate[at] = syllables[at];
    }
    Ok(best.map(|(_, w)| w))
}

/// The words of the guides that may be other conjugations of the Korean word `term`: the same
/// syllables but the last, then a syllable that begins with the same consonant, at most two
/// syllables longer (`걸려` → `걸립`, `걸리`), with their document counts.
pub(crate) fn conjugations(term: &str, vocabulary: &dyn Vocabulary) -> Result<Vec<(String, u64)>> {
    let syllables: Vec<char> = term.chars().collect();
    let Some((&last, stem)) = syllables.split_last() else {
        return Ok(Vec::new());
    };
    let Some(onset) = jamo::initial_consonant(last) else {
        return Ok(Vec::new());
    };
    if stem.is_empty() || !stem.iter().all(|c| jamo::initial_consonant(*c).is_some()) {
        return Ok(Vec::new());
    }
    let prefix: String = stem.iter().collect();
    Ok(vocabulary
        .starting_with(&prefix)?
        .into_iter()
        .filter(|(candidate, _)| {
            let next = candidate[prefix.len()..].chars().next();
            candidate != term
                && candidate.chars().count() <= syllables.len() + 2
                && next.and_then(jamo::initial_consonant) == Some(onset)
        })
        .collect())
}
