//! Words every question has whatever it asks: question words, "please", the generic verbs and
//! auxiliaries of a request. They say nothing about which guide answers, so the bot's confidence
//! measures how much of the rest of the question a guide covers. These are properties of the two
//! languages, not of any docs set, and are matched against analysed terms (what
//! [`crate::analysis::Analyzer::Text`] makes of a word).

/// Korean: question words and the stems of the verbs and endings of asking (`어떻게 해야 되나요`,
/// `알려 주세요`, `~하고 싶은데요`).
const KOREAN: &[&str] = &[
    "어떻게",
    "어떻",
    "어떤",
    "어떡",
    "어째",
    "왜",
    "언제",
    "어디",
    "어디서",
    "어디에",
    "어디로",
    "뭐",
    "뭔",
    "뭘",
    "무엇",
    "무슨",
    "무엇인",
    "얼마",
    "얼마나",
    "며칠",
    "몇",
    "몇일",
    "누가",
    "누구",
    "어느",
    "혹시",
    "좀",
    "제발",
    "방법",
    "법",
    "가능",
    "가능한",
    "수",
    "것",
    "거",
    "게",
    "건",
    "걸",
    "하",
    "해",
    "했",
    "할",
    "한",
    "함",
    "해야",
    "하려",
    "하려면",
    "하고",
    "하는",
    "되",
    "돼",
    "됨",
    "됩",
    "되나",
    "되는",
    "될",
    "된",
    "있",
    "있나",
    "있는",
    "있어",
    "없",
    "없나",
    "없어",
    "싶",
    "싶어",
    "싶은",
    "주세",
    "주세요",
    "알려",
    "알려주",
    "궁금",
    "궁금해",
    "문의",
    "질문",
    "요",
    "네",
    "안녕",
    "안녕하세요",
    "그럼",
    "그러면",
    "근데",
    "그런데",
    "그리고",
    "저",
    "제",
    "내",
    "나",
    "우리",
    "지금",
    "이거",
    "그거",
    "이",
    "그",
    "저거",
    "다시",
    "계속",
    "진짜",
    "너무",
    "그냥",
    "ㅠㅠ",
    "ㅜㅜ",
];

/// English words the analyzer keeps that carry no topic (it drops the usual stop words).
const ENGLISH: &[&str] = &[
    "how", "what", "why", "when", "where", "which", "who", "long", "much", "mani", "way",
    "possibl", "abl", "need", "want", "help", "pleas", "anyon", "someth", "thing", "get", "make",
    "use", "know", "tell", "hi", "hello", "thank", "thanks", "ok", "okay", "also", "still", "just",
    "realli", "now", "again", "tri", "doe", "can", "could", "would", "should", "im", "ive", "dont",
    "cant", "wont", "isnt", "doesnt", "didnt", "hey", "question", "wonder", "anyway",
];

/// Words that open a follow-up to the previous question (`그럼 체크카드는요?`, `and on Android?`).
const CONTINUATIONS: &[&str] = &[
    "그럼",
    "그러면",
    "그리고",
    "근데",
    "그런데",
    "그건",
    "그거",
    "저건",
    "그럴",
    "아 그럼",
    "and",
    "what about",
    "how about",
    "also",
    "same for",
    "what if",
    "then",
    "or",
    "but",
    "ok and",
    "okay and",
];

/// Whether a message opens as a follow-up.
pub fn continues(text: &str) -> bool {
    let lower = text.trim_start().to_lowercase();
    CONTINUATIONS.iter().any(|c| {
        lower.strip_prefix(c).is_some_and(|rest| {
            // A whole word: `그럼` but not `그럼에도`… only when Latin, where words run on.
            rest.is_empty() || !rest.starts_with(|ch: char| ch.is_ascii_alphabetic())
        })
    })
}

/// Whether an analysed term is a function word of either language.
pub fn is_function_word(term: &str) -> bool {
    KOREAN.contains(&term) || ENGLISH.contains(&term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    #[test]
    fn a_question_keeps_its_topic_words_only() {
        let content = |q: &str| -> Vec<String> {
            Analyzer::Text
                .terms(q)
                .into_iter()
                .filter(|t| !is_function_word(t))
                .collect()
        };
        assert_eq!(content("환불은 며칠 걸려요?"), ["환불", "걸려"]);
        assert_eq!(
            content("how long does a refund take, can I do it myself?"),
            ["refund", "take", "myself"]
        );
        assert_eq!(
            content("결제수단 바꾸는 방법 알려주세요"),
            ["결제수단", "바꾸"]
        );
    }
}
