//! BM25 scoring term at a time: each weighted term's postings added into one score per document.
//!
//! Baton's index is small (a help center's pages and sections, thousands of documents) and a
//! query is dozens of weighted term × field clauses whose page and section scores are both
//! needed. Tantivy's `BooleanQuery` builds, per clause and per query, a weight (a 256-entry length
//! table and an explanation with its strings), then a union of scorers intersected with the
//! filters; for an index this size that setup costs more than reading the postings. Here the
//! length tables are built once when the index opens, each posting is read once for pages and
//! sections together, and filters are a look-up in the guide table. The scores are Tantivy's BM25
//! (its idf, its length normalization, clauses summed in order), so rankings do not change.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{InvertedIndexReader, Searcher};

use crate::error::Result;

/// Tantivy's BM25 parameters (`tantivy::query::bm25`).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// One indexed field, ready to score.
struct FieldScoring {
    field: Field,
    inverted: Arc<InvertedIndexReader>,
    norms: FieldNormReader,
    /// `K1 · (1 − B + B · length / average length)` by Tantivy's fieldnorm id.
    length_norm: Box<[f32; 256]>,
}

/// The scored fields of an open, single-segment index.
pub(crate) struct Scoring {
    fields: Vec<FieldScoring>,
    docs: u32,
}

impl Scoring {
    /// Prepares `fields` of the searcher's only segment.
    pub(crate) fn new(searcher: &Searcher, fields: &[Field]) -> Result<Scoring> {
        let segment = searcher.segment_reader(0);
        let docs = segment.max_doc();
        let mut scored = Vec::with_capacity(fields.len());
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let average = inverted.total_num_tokens() as f32 / docs.max(1) as f32;
            let mut length_norm = Box::new([0f32; 256]);
            for (id, slot) in length_norm.iter_mut().enumerate() {
                let length = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
                *slot = K1 * (1.0 - B + B * length / average);
            }
            scored.push(FieldScoring {
                field,
                norms: segment.get_fieldnorms_reader(field)?,
                inverted,
                length_norm,
            });
        }
        Ok(Scoring {
            fields: scored,
            docs,
        })
    }

    /// Number of documents: the length of a score array.
    pub(crate) fn docs(&self) -> usize {
        self.docs as usize
    }

    fn field(&self, field: Field) -> &FieldScoring {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .expect("scoring prepared for every searched field")
    }

    /// The term's entry in a field's dictionary (`None`: no document has it).
    pub(crate) fn term_info(&self, field: Field, term: &str) -> Result<Option<TermInfo>> {
        Ok(self
            .field(field)
            .inverted
            .terms()
            .get(term.as_bytes())
            .map_err(tantivy::TantivyError::from)?)
    }

    /// A field's inverted index, opened once.
    pub(crate) fn inverted(&self, field: Field) -> &InvertedIndexReader {
        &self.field(field).inverted
    }

    /// How many documents hold `term` in `field`.
    pub(crate) fn doc_freq(&self, field: Field, term: &str) -> Result<u64> {
        Ok(self
            .term_info(field, term)?
            .map_or(0, |info| u64::from(info.doc_freq)))
    }

    /// Adds `boost` × BM25 of `term` in `field` to `scores[doc]` for every document holding it.
    pub(crate) fn add(
        &self,
        field: Field,
        term: &str,
        boost: f32,
        scores: &mut [f32],
    ) -> Result<()> {
        self.add_marked(field, term, boost, scores, &mut [], 0)
            .map(|_| ())
    }

    /// [`Scoring::add`], and `marks[doc] |= bits` for every document holding the term in the same
    /// pass over its postings (what a search later asks of a document: which query words it has).
    /// `bits == 0` marks nothing; a zero `boost` only marks. Whether any document holds the term.
    pub(crate) fn add_marked(
        &self,
        field: Field,
        term: &str,
        boost: f32,
        scores: &mut [f32],
        marks: &mut [u64],
        bits: u64,
    ) -> Result<bool> {
        let scoring = self.field(field);
        let Some(info) = self.term_info(field, term)? else {
            return Ok(false);
        };
        if boost <= 0.0 && bits == 0 {
            return Ok(true);
        }
        let doc_freq = info.doc_freq;
        // Tantivy's idf and weight, multiplied in the same order so the scores are its scores.
        let idf = ((self.docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
        let weight = (1.0 + idf).ln() * (1.0 + K1) * boost;
        let mut block = scoring
            .inverted
            .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
            .map_err(tantivy::TantivyError::from)?;
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            if boost > 0.0 {
                for (&doc, &freq) in docs.iter().zip(block.freqs()) {
                    let freq = freq as f32;
                    let norm = scoring.length_norm[scoring.norms.fieldnorm_id(doc) as usize];
                    scores[doc as usize] += weight * (freq / (freq + norm));
                }
            }
            if bits != 0 {
                for &doc in docs {
                    marks[doc as usize] |= bits;
                }
            }
            block.advance();
        }
        Ok(true)
    }
}

/// The `limit` best of `candidates` (score, id), best first, ties by id.
pub(crate) fn best<T: Ord>(mut candidates: Vec<(f32, T)>, limit: usize) -> Vec<(f32, T)> {
    let order = |a: &(f32, T), b: &(f32, T)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if candidates.len() > limit && limit > 0 {
        candidates.select_nth_unstable_by(limit - 1, order);
    }
    candidates.truncate(limit);
    candidates.sort_unstable_by(order);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KnowledgeBase;
    use tantivy::Term;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};

    /// The accumulated scores are the ones Tantivy's own query gives the same clauses.
    #[test]
    fn scores_are_tantivys() {
        let kb = KnowledgeBase::from_guides(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("guides"),
        )
        .expect("open");
        let f = kb.fields;
        let clauses = [
            (f.text, "password", 1.0),
            (f.path, "password", 2.0),
            (f.text, "reset", 0.7),
            (f.meta, "password", 1.0),
            (f.text, "비밀번호", 1.0),
            (f.bigram, "비밀", 0.15),
            (f.text, "nosuchword", 1.0),
        ];
        let mut scores = vec![0f32; kb.scoring.docs()];
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, term, boost) in clauses {
            kb.scoring
                .add(field, term, boost, &mut scores)
                .expect("add");
            let query = TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            );
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), boost)),
            ));
        }
        let theirs = kb
            .searcher
            .search(
                &BooleanQuery::new(should),
                &TopDocs::with_limit(kb.scoring.docs()).order_by_score(),
            )
            .expect("search");
        assert!(!theirs.is_empty());
        let matched = scores.iter().filter(|s| **s > 0.0).count();
        assert_eq!(matched, theirs.len());
        for (score, address) in theirs {
            let ours = scores[address.doc_id as usize];
            assert!(
                (ours - score).abs() <= 1e-5 * score.max(1.0),
                "doc {}: {ours} vs {score}",
                address.doc_id
            );
        }
    }

    #[test]
    fn best_keeps_the_top_in_order() {
        let candidates = vec![(1.0, 5), (3.0, 2), (2.0, 9), (3.0, 1), (0.5, 0)];
        assert_eq!(
            best(candidates.clone(), 3),
            vec![(3.0, 1), (3.0, 2), (2.0, 9)]
        );
        assert_eq!(best(candidates.clone(), 10).len(), 5);
        assert!(best(candidates, 0).is_empty());
    }
}
