//! Korean analysis of one folded Hangul word, without a dictionary: particles and endings
//! stripped from the end (`비밀번호를` → `비밀번호`, `변경하려면` → `변경`), the bare forms of
//! 하다/되다 and topic-less words dropped, and every form the stripper could have meant for the
//! query side to choose from.

pub mod jamo;
pub mod loanword;
pub(crate) mod query;

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
}
