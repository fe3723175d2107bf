//! The text of a section that is embedded: its guide's title, its heading, and the first words
//! of its text. Short on purpose: the model's cost grows with the text (about 1 ms per token on
//! one core), the opening of a section says what it is about, and a question is matched against
//! what a section is about, not every detail in it.

use crate::guide::Guide;
use crate::markdown::Section;

/// The first characters of a section's text that are embedded (cut at a space).
pub const LEAD_CHARS: usize = 240;

/// The passage embedded for `section` of `guide`.
pub fn passage(guide: &Guide, section: &Section) -> String {
    let mut out = guide.title.clone();
    if !section.heading.is_empty() && section.heading != guide.title {
        out.push_str(" — ");
        out.push_str(&section.heading);
    }
    let text = section
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !text.is_empty() {
        out.push_str(". ");
        out.push_str(lead(&text, LEAD_CHARS));
    }
    out
}

/// At most `chars` characters of `text`, cut at the last space within them when there is one.
fn lead(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        None => text,
        Some((end, _)) => {
            let head = &text[..end];
            head.rfind(' ').map_or(head, |space| &head[..space])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lead;

    #[test]
    fn a_lead_is_cut_at_a_space_within_its_characters() {
        assert_eq!(lead("짧은 글", 10), "짧은 글");
        assert_eq!(
            lead("비밀번호를 잊어버렸을 때 재설정하는 방법", 12),
            "비밀번호를 잊어버렸을"
        );
        assert_eq!(lead("unbrokenwordthatislong", 5), "unbro");
    }
}
