//! What the search knows about its best guide, for the bot's confidence ([`crate::confidence`]).

use std::collections::HashSet;

use super::GuideHit;
use super::found::Found;
use crate::analysis::Analyzer;
use crate::confidence::Signals;
use crate::error::Result;
use crate::function_words::is_function_word;
use crate::index::KnowledgeBase;

impl KnowledgeBase {
    /// What the search knows about its best guide, for the bot's confidence
    /// ([`crate::confidence`]).
    pub(super) fn signals(
        &self,
        hits: &[GuideHit],
        top_doc: Option<u32>,
        concepts: &[Vec<String>],
        found: &Found,
    ) -> Result<Option<Signals>> {
        let (Some(top), Some(doc)) = (hits.first(), top_doc) else {
            return Ok(None);
        };
        let words =
            |text: &str| -> HashSet<String> { Analyzer::Text.terms(text).into_iter().collect() };
        let title = words(&top.guide.title);
        let heading = words(top.sections.first().map_or("", |s| s.heading.as_str()));
        let total = found.total();
        let (mut content, mut covered, mut unknown) = (0f32, 0f32, 0f32);
        let (mut in_title, mut in_heading) = (0f32, 0f32);
        let mut content_words = 0usize;
        for (i, concept) in concepts.iter().enumerate() {
            let idf = found.idf(i);
            if is_function_word(&concept[0]) {
                continue;
            }
            content_words += 1;
            content += idf;
            if concept.iter().any(|t| title.contains(t)) {
                in_title += idf;
            }
            if concept.iter().any(|t| heading.contains(t)) {
                in_heading += idf;
            }
            if found.has(doc, i) || self.variant_in(doc, &concept[0])? {
                covered += idf;
            } else if !found.known(i) {
                unknown += idf;
            }
        }
        let share = |part: f32| if content > 0.0 { part / content } else { 0.0 };
        let runner_up = hits.get(1).map_or(0.0, |h| h.score);
        Ok(Some(Signals {
            coverage: top.coverage,
            content_coverage: share(covered),
            title_coverage: share(in_title),
            heading_coverage: share(in_heading),
            unknown: share(unknown),
            score_per_idf: if total > 0.0 { top.score / total } else { 0.0 },
            margin: if top.score > 0.0 {
                ((top.score - runner_up) / top.score).clamp(0.0, 1.0)
            } else {
                0.0
            },
            section_share: top.sections.first().map_or(0.0, |s| {
                if top.score > 0.0 {
                    (s.score / top.score).min(1.0)
                } else {
                    0.0
                }
            }),
            content_words: content_words as f32,
            meaning: None,
        }))
    }
}
