//! Domain synonyms (`synonyms.toml`): the words customers use for what guides call otherwise.
//!
//! ```toml
//! groups = [
//!   ["비밀번호", "비번", "password"],
//!   ["2단계 인증", "OTP", "two-factor"],
//! ]
//! ```
//! Entries are analyzed like text, so `비밀번호를` in a query finds the group of `비밀번호`, and an
//! entry of several words (`two-factor`) matches when all its terms are in the query.

use std::path::Path;

use crate::analysis::Analyzer;
use crate::error::{Error, IoContext, Result};

/// Synonym groups, as analyzed terms.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    groups: Vec<Vec<String>>,
}

impl Synonyms {
    /// Parses the TOML text of a synonyms file.
    pub fn parse(text: &str) -> std::result::Result<Synonyms, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let groups = file
            .groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|entry| Analyzer::Text.terms(entry))
                    .filter(|terms| !terms.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|group| group.len() > 1)
            .collect();
        Ok(Synonyms { groups })
    }

    /// Reads a synonyms file.
    pub fn load(path: &Path) -> Result<Synonyms> {
        let text = std::fs::read_to_string(path).at(path)?;
        Synonyms::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The alternatives for a query's analyzed terms: for every entry whose terms all occur in the
    /// query, the other entries of its group (each a list of terms to search), paired with the
    /// query terms that called for them.
    pub fn expand(&self, query_terms: &[String]) -> Vec<(Vec<String>, Vec<String>)> {
        let mut out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for group in &self.groups {
            let Some(trigger) = group
                .iter()
                .find(|entry| entry.iter().all(|t| query_terms.contains(t)))
            else {
                continue;
            };
            for entry in group {
                let already = entry.iter().all(|t| query_terms.contains(t));
                if !already && !out.iter().any(|(_, e)| e == entry) {
                    out.push((trigger.clone(), entry.clone()));
                }
            }
        }
        out
    }

    /// `terms` with every synonym entry they contain replaced by its group's concept (`~3`), so
    /// that `환불` and `refund` read as one word: what grouping questions compares. An entry of
    /// several terms replaces all of them; terms in no group stay as they are, in order.
    pub fn concepts(&self, terms: &[String]) -> Vec<String> {
        let mut concept: Vec<Option<usize>> = vec![None; terms.len()];
        for (g, group) in self.groups.iter().enumerate() {
            for entry in group {
                let positions: Option<Vec<usize>> = entry
                    .iter()
                    .map(|t| (0..terms.len()).find(|&i| &terms[i] == t && concept[i].is_none()))
                    .collect();
                if let Some(positions) = positions {
                    for i in positions {
                        concept[i] = Some(g);
                    }
                }
            }
        }
        let mut out: Vec<String> = Vec::with_capacity(terms.len());
        for (term, concept) in terms.iter().zip(concept) {
            let word = concept.map_or_else(|| term.clone(), |g| format!("~{g}"));
            if concept.is_none() || out.last() != Some(&word) {
                out.push(word);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_single_and_multi_word_entries() {
        let s = Synonyms::parse("groups = [[\"비밀번호\", \"비번\", \"password\"], [\"2단계 인증\", \"two-factor\", \"OTP\"]]").expect("parse");
        let q = Analyzer::Text.terms("비번을 잊어버렸어요");
        let alternatives: Vec<Vec<String>> = s.expand(&q).into_iter().map(|(_, a)| a).collect();
        assert_eq!(
            alternatives,
            [vec!["비밀번호".to_string()], vec!["password".to_string()]]
        );
        let q = Analyzer::Text.terms("two factor setup");
        let expanded = s.expand(&q);
        assert!(
            expanded
                .iter()
                .all(|(trigger, _)| trigger == &["two", "factor"])
        );
        assert_eq!(
            expanded.into_iter().map(|(_, a)| a).collect::<Vec<_>>(),
            [
                vec!["2".to_string(), "단계".to_string(), "인증".to_string()],
                vec!["otp".to_string()]
            ]
        );
        assert!(Synonyms::parse("groups = 3").is_err());
    }

    #[test]
    fn concepts_read_synonyms_of_both_languages_as_one_word() {
        let s =
            Synonyms::parse("groups = [[\"환불\", \"refund\"], [\"2단계 인증\", \"two-factor\"]]")
                .expect("parse");
        let concepts = |text: &str| s.concepts(&Analyzer::Text.terms(text));
        assert_eq!(concepts("환불 받고 싶어요")[0], "~0");
        assert_eq!(concepts("refund please")[0], "~0");
        assert_eq!(concepts("two factor reset"), ["~1", "reset"]);
        assert_eq!(concepts("엑셀 다운로드"), ["엑셀", "다운로드"]);
    }
}
