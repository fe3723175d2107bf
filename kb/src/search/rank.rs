//! Scores: each weighted term's postings added into one score per document, the best pages within
//! the filters, and how much of the query each page covers.

use tantivy::schema::{Field, IndexRecordOption};

use super::Tuning;
use crate::error::Result;
use crate::guide::Lang;
use crate::index::KnowledgeBase;

impl KnowledgeBase {
    /// For each page document of `docs`, the IDF-weighted share of `concepts` found in it (text,
    /// path or meta). Each term's postings are read once for all the documents, in doc order.
    pub(super) fn coverages(&self, docs: &[u32], concepts: &[Vec<String>]) -> Result<Vec<f32>> {
        use tantivy::DocSet;
        let f = self.fields;
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| docs[i]);
        let mut found = vec![0f32; docs.len()];
        let mut total = 0f32;
        for concept in concepts {
            let idf = self.idf(&concept[0])?;
            total += idf;
            let mut has = vec![false; docs.len()];
            for term in concept {
                for field in [f.text, f.meta, f.path] {
                    let Some(mut postings) = self.scoring.postings(field, term)? else {
                        continue;
                    };
                    for &i in &order {
                        // `seek` never moves backwards, and the documents come in order.
                        let at = if postings.doc() < docs[i] {
                            postings.seek(docs[i])
                        } else {
                            postings.doc()
                        };
                        if at == tantivy::TERMINATED {
                            break;
                        }
                        has[i] |= at == docs[i];
                    }
                }
            }
            for (i, yes) in has.into_iter().enumerate() {
                if yes {
                    found[i] += idf;
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|x| if total > 0.0 { x / total } else { 0.0 })
            .collect())
    }

    /// How many documents hold a term in the text field (0: the index does not know it).
    pub(super) fn doc_freq(&self, term: &str) -> Result<u64> {
        self.scoring.doc_freq(self.fields.text, term)
    }

    /// The IDF of a term in the text field.
    pub(super) fn idf(&self, term: &str) -> Result<f32> {
        let total_docs = self.searcher.num_docs() as f32;
        let doc_freq = self.doc_freq(term)?;
        Ok((1.0 + total_docs / (doc_freq as f32 + 1.0)).ln())
    }

    /// Whether any term of `concept` occurs in document `doc` in one of `fields`.
    pub(super) fn concept_in(
        &self,
        doc: u32,
        concept: &[String],
        fields: &[Field],
    ) -> Result<bool> {
        use tantivy::DocSet;
        for term in concept {
            for &field in fields {
                // `seek` must not move backwards: check the first posting before seeking.
                if let Some(mut postings) = self.scoring.postings(field, term)?
                    && (postings.doc() == doc || postings.doc() < doc && postings.seek(doc) == doc)
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Whether document `doc` has another conjugation of the Korean verb `term` (`걸려` and
    /// `걸립니다`, `바꿔` and `바꾸`), see [`KnowledgeBase::conjugations`].
    pub(super) fn conjugation_in(&self, doc: u32, term: &str) -> Result<bool> {
        use tantivy::DocSet;
        let inverted = self.scoring.inverted(self.fields.text);
        for (_, info) in self.conjugations(term)? {
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
    /// weight (the page fields a term searches; sections have only text).
    pub(super) fn add_text_scores(
        &self,
        terms: &[(String, f32)],
        tuning: &Tuning,
        scores: &mut [f32],
    ) -> Result<()> {
        let f = self.fields;
        for (term, weight) in terms {
            for (field, field_weight) in [
                (f.text, tuning.text),
                (f.path, tuning.path),
                (f.meta, tuning.meta),
            ] {
                let boost = weight * field_weight;
                if boost > 0.0 {
                    self.scoring.add(field, term, boost, scores)?;
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
