//! Scores: each weighted term's postings added into one score per document, the best pages within
//! the filters, and how much of the query each page covers.

use tantivy::schema::IndexRecordOption;

use super::Tuning;
use super::found::Found;
use crate::analysis::{Script, language};
use crate::error::Result;
use crate::guide::Lang;
use crate::index::KnowledgeBase;

impl KnowledgeBase {
    /// The IDF of a term in the text field.
    pub(super) fn idf(&self, term: &str) -> Result<f32> {
        let total_docs = self.searcher.num_docs() as f32;
        let doc_freq = self.scoring.doc_freq(self.fields.text, term)?;
        Ok((1.0 + total_docs / (doc_freq as f32 + 1.0)).ln())
    }

    /// Whether document `doc` has another form of the word `term` that its language knows (a
    /// Korean verb's other conjugation: `걸려` and `걸립니다`, `바꿔` and `바꾸`).
    pub(super) fn variant_in(&self, doc: u32, term: &str) -> Result<bool> {
        use tantivy::DocSet;
        let inverted = self.scoring.inverted(self.fields.text);
        for (variant, _) in language(Script::of(term)).variants(term, self)? {
            let Some(info) = self.scoring.term_info(self.fields.text, &variant)? else {
                continue;
            };
            let mut postings = inverted
                .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?;
            if postings.doc() == doc || postings.doc() < doc && postings.seek(doc) == doc {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Adds the scores of weighted terms in the text, path and meta fields, each at its field's
    /// weight (the page fields a term searches; sections have only text). With `found`, the same
    /// pass marks which documents hold which of the query's concepts.
    pub(super) fn add_text_scores(
        &self,
        terms: &[(String, f32)],
        tuning: &Tuning,
        scores: &mut [f32],
        mut found: Option<&mut Found>,
    ) -> Result<()> {
        let f = self.fields;
        for (term, weight) in terms {
            let bits = found.as_ref().map_or(0, |found| found.bits_of(term));
            for (field, field_weight) in [
                (f.text, tuning.text),
                (f.path, tuning.path),
                (f.meta, tuning.meta),
            ] {
                let boost = weight * field_weight;
                match found.as_deref_mut() {
                    Some(found) if bits != 0 => {
                        let known = self.scoring.add_marked(
                            field,
                            term,
                            boost,
                            scores,
                            &mut found.marks,
                            bits,
                        )?;
                        if known && field != f.path {
                            found.known |= bits;
                        }
                    }
                    _ if boost > 0.0 => self.scoring.add(field, term, boost, scores)?,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The `limit` best-scoring page documents within the filters, as (score, guide index),
    /// best first, ties by document.
    pub(super) fn best_pages(
        &self,
        scores: &[f32],
        lang: Option<Lang>,
        area: Option<&str>,
        limit: usize,
    ) -> Vec<(f32, usize)> {
        // Guides are in doc order, so ties by guide index are ties by document.
        let candidates: Vec<(f32, usize)> = self
            .pages
            .iter()
            .enumerate()
            .filter(|(_, (_, page_lang))| lang.is_none_or(|lang| *page_lang == lang))
            .map(|(guide, (doc, _))| (scores[*doc as usize], guide))
            .filter(|(score, guide)| {
                *score > 0.0
                    && area
                        .is_none_or(|area| self.guides[*guide].guide.area.as_deref() == Some(area))
            })
            .collect();
        crate::scoring::best(candidates, limit)
    }
}
