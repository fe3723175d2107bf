//! The ranking's weights, measured with `kb eval` and settable by name (`kb eval --tune`).

use serde::Serialize;

/// The weights of the ranking, measured with `kb eval` (see the README's search-quality table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tuning {
    /// Analyzed text (English stems, Korean word forms).
    pub text: f32,
    /// Hangul bigrams.
    pub bigram: f32,
    /// The id's path words.
    pub path: f32,
    /// `questions` and `tags`.
    pub meta: f32,
    /// Synonyms, relative to the term they stand for.
    pub synonym: f32,
    /// Typo corrections, relative to the term they stand for.
    pub fuzzy: f32,
    /// Pairs mined from translated pages (`lexicon`), relative to the term, times the pair's
    /// strength.
    pub lexicon: f32,
    /// Loanwords of the other script (`마크다운` → `markdown`), relative to the term.
    pub loan: f32,
    /// Weight of a guide's best section added to its page score.
    pub section: f32,
    /// Weight of the evidence from a Korean page's English translation, searched with the query
    /// put into English through the lexicon.
    pub cross: f32,
    /// Topic words carried over from the previous question to a short follow-up, relative to
    /// the follow-up's own words.
    pub context: f32,
    /// Weight of meaning in the ranking, when the request carries the question's embedding: a
    /// guide gains this share of the best lexical score for how far its closest section stands
    /// above the typical guide (0 for the typical guide, 1 for the closest).
    pub meaning: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            text: 1.0,
            bigram: 0.15,
            path: 2.0,
            meta: 1.0,
            synonym: 0.3,
            fuzzy: 0.8,
            context: 0.7,
            lexicon: 0.5,
            loan: 0.0,
            section: 0.7,
            cross: 0.3,
            meaning: 0.3,
        }
    }
}

impl Tuning {
    /// Sets one weight by name (`text=1.2`), for experiments from the command line.
    pub fn set(&mut self, assignment: &str) -> std::result::Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected name=value, got \"{assignment}\""))?;
        let value: f32 = value
            .parse()
            .map_err(|_| format!("not a number: \"{value}\""))?;
        let slot = match name {
            "text" => &mut self.text,
            "bigram" => &mut self.bigram,
            "path" => &mut self.path,
            "meta" => &mut self.meta,
            "synonym" => &mut self.synonym,
            "fuzzy" => &mut self.fuzzy,
            "context" => &mut self.context,
            "lexicon" => &mut self.lexicon,
            "loan" => &mut self.loan,
            "section" => &mut self.section,
            "cross" => &mut self.cross,
            "meaning" => &mut self.meaning,
            _ => return Err(format!("unknown weight \"{name}\"")),
        };
        *slot = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuning_is_settable_by_name() {
        let mut t = Tuning::default();
        t.set("bigram=0.5").expect("set");
        assert_eq!(t.bigram, 0.5);
        assert!(t.set("nope=1").is_err());
        assert!(t.set("text").is_err());
    }
}
