//! `baton insights --drafts DIR`: a stub guide per top group of questions nobody could answer,
//! with the front matter filled and the customers' wordings as its `questions`, ready for a
//! writer to answer and a pull request. A stub is `draft: true`: `kb check` checks it (and warns
//! that it is a draft), the index and the help center leave it out until a writer answers it
//! and removes the flag, so no customer is ever answered from a stub.

use std::path::PathBuf;

use super::Topic;

/// One stub guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Its path under the guides directory (`ko/orders/draft-….md`).
    pub path: PathBuf,
    /// Its Markdown.
    pub text: String,
}

/// What a stub needs to know of the guide set.
#[derive(Debug, Clone)]
pub struct Set<'a> {
    /// The areas the set allows (`kb.toml`); empty allows any.
    pub areas: &'a [String],
    /// The categories it allows; empty allows any.
    pub categories: &'a [String],
    /// Guide ids already taken.
    pub taken: &'a [String],
    /// Today (`2026-12-07`), the stub's `updated`.
    pub today: &'a str,
    /// The report's period, named in the stub.
    pub period: &'a str,
}

/// Stubs for the first `count` topics.
pub fn drafts(topics: &[Topic], set: &Set<'_>, count: usize) -> Vec<Draft> {
    let mut taken: Vec<String> = set.taken.to_vec();
    let mut out = Vec::new();
    for topic in topics.iter().take(count) {
        let lang = kb::Lang::detect(&topic.words).code();
        let area = topic
            .area
            .clone()
            .filter(|a| set.areas.is_empty() || set.areas.contains(a))
            .or_else(|| set.areas.first().cloned())
            .unwrap_or_else(|| "general".into());
        let category = ["faq", "how-to"]
            .iter()
            .map(|c| c.to_string())
            .find(|c| set.categories.is_empty() || set.categories.contains(c))
            .or_else(|| set.categories.first().cloned())
            .unwrap_or_else(|| "faq".into());
        // A path segment whatever the data says.
        let folder: String = area
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let folder = if folder.is_empty() {
            "general".to_string()
        } else {
            folder
        };
        let base = format!("{lang}/{folder}/draft-{}", slug(topic));
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        taken.push(id.clone());
        out.push(Draft {
            path: PathBuf::from(format!("{id}.md")),
            text: text(topic, &id, lang, &area, &category, set),
        });
    }
    out
}

/// ASCII words of the first English wording, else a short hash of the name.
fn slug(topic: &Topic) -> String {
    let english = topic
        .examples
        .iter()
        .find(|e| kb::Lang::detect(e) == kb::Lang::En);
    if let Some(words) = english {
        let slug: Vec<String> = words
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(6)
            .map(str::to_ascii_lowercase)
            .collect();
        if !slug.is_empty() {
            return slug.join("-");
        }
    }
    let hash = blake3::hash(topic.words.as_bytes());
    hash.as_bytes()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A YAML double-quoted scalar: JSON's string escapes are YAML's, and every character YAML
/// does not print (DEL, C1 controls, non-characters) is escaped too.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || ('\u{fdd0}'..='\u{fdef}').contains(&c)
                || (c as u32) & 0xfffe == 0xfffe =>
            {
                if (c as u32) > 0xffff {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                } else {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn text(topic: &Topic, id: &str, lang: &str, area: &str, category: &str, set: &Set<'_>) -> String {
    let mut questions = String::new();
    for example in &topic.examples {
        questions.push_str(&format!("  - {}\n", quoted(example)));
    }
    let closest = topic.closest.as_ref().map_or(String::new(), |c| {
        format!(
            "The guide that came closest was \"{}\" (`{}`): answer there instead if it belongs there.\n",
            c.title, c.guide
        )
    });
    format!(
        "---\nid: {id}\ntitle: {title}\nlang: {lang}\narea: {area}\ncategory: {category}\ntags: []\nquestions:\n{questions}updated: {today}\ndraft: true\n---\n\n\
         <!-- Draft from the support report for {period}: {customers} customer(s) asked this \
         {asked} time(s) and the desk had no answer. Write the answer, check the title, area and \
         category, and remove this comment. -->\n\n{closest}\n## {heading}\n\nTODO: the answer.\n",
        title = quoted(&topic.words),
        area = quoted(area),
        category = quoted(category),
        today = set.today,
        period = set.period,
        customers = topic.customers,
        asked = topic.asked,
        // Customer words stay in the quoted front matter, never in Markdown that renders.
        heading = if lang == "ko" { "답변" } else { "Answer" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever customers typed, the quoted scalar is one line of valid YAML that reads back
        /// as exactly the words.
        #[test]
        fn quoted_words_read_back_as_written(words in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\\u{fffe}\\u{ffff}\"\\\\:#&*!|>'%@`-]{0,40}") {
            let yaml = format!("title: {}\n", quoted(&words));
            prop_assert!(!yaml.trim_end().contains('\n'));
            let value: std::collections::BTreeMap<String, String> =
                serde_yaml_ng::from_str(&yaml).map_err(|e| TestCaseError::fail(format!("{e}: {yaml}")))?;
            prop_assert_eq!(&value["title"], &words);
        }
    }
}
