//! Which of the query's concepts each document holds, marked while their postings are scored:
//! coverage and the bot's signals read these marks instead of reading the postings again.

/// Most concepts a search marks (one bit each); a query has at most [`super::MAX_TERMS`] words.
const MAX_CONCEPTS: usize = u64::BITS as usize;

/// The query's concepts (a word with its typo correction, synonyms and other-script forms) and
/// the documents found to hold each.
#[derive(Debug)]
pub(super) struct Found {
    /// Bit `i` set: the document holds concept `i` in its text, path or meta.
    pub(super) marks: Vec<u64>,
    /// Bit `i` set: some document holds concept `i` in its text or meta (a clear bit is a word
    /// the guides never use).
    pub(super) known: u64,
    /// Each term of a concept with the concepts it stands for.
    terms: Vec<(String, u64)>,
    /// Each concept's IDF (its first term's, in the text field).
    idfs: Vec<f32>,
    total: f32,
}

impl Found {
    /// Nothing found yet, for `docs` documents.
    pub(super) fn new(concepts: &[Vec<String>], idfs: Vec<f32>, docs: usize) -> Found {
        debug_assert!(concepts.len() <= MAX_CONCEPTS);
        let mut terms: Vec<(String, u64)> = Vec::new();
        for (i, concept) in concepts.iter().take(MAX_CONCEPTS).enumerate() {
            for term in concept {
                match terms.iter_mut().find(|(t, _)| t == term) {
                    Some((_, bits)) => *bits |= 1 << i,
                    None => terms.push((term.clone(), 1 << i)),
                }
            }
        }
        Found {
            marks: vec![0; docs],
            known: 0,
            terms,
            total: idfs.iter().sum(),
            idfs,
        }
    }

    /// The concepts `term` stands for (0: none, as for a follow-up's context words).
    pub(super) fn bits_of(&self, term: &str) -> u64 {
        self.terms
            .iter()
            .find(|(t, _)| t == term)
            .map_or(0, |(_, bits)| *bits)
    }

    /// Whether document `doc` holds concept `i`.
    pub(super) fn has(&self, doc: u32, i: usize) -> bool {
        i < MAX_CONCEPTS && self.marks[doc as usize] & (1 << i) != 0
    }

    /// Whether some document holds concept `i` in its text or meta.
    pub(super) fn known(&self, i: usize) -> bool {
        i < MAX_CONCEPTS && self.known & (1 << i) != 0
    }

    /// Concept `i`'s IDF.
    pub(super) fn idf(&self, i: usize) -> f32 {
        self.idfs[i]
    }

    /// The sum of the concepts' IDFs.
    pub(super) fn total(&self) -> f32 {
        self.total
    }

    /// The IDF-weighted share of the concepts document `doc` holds, 0–1.
    pub(super) fn coverage(&self, doc: u32) -> f32 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let found: f32 = (0..self.idfs.len())
            .filter(|&i| self.has(doc, i))
            .map(|i| self.idfs[i])
            .sum();
        found / self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_of_two_concepts_marks_both() {
        let concepts = vec![
            vec!["refund".to_string(), "money".to_string()],
            vec!["return".to_string(), "money".to_string()],
        ];
        let mut found = Found::new(&concepts, vec![1.0, 3.0], 4);
        assert_eq!(found.bits_of("money"), 0b11);
        assert_eq!(found.bits_of("return"), 0b10);
        assert_eq!(found.bits_of("context"), 0);
        found.marks[2] |= found.bits_of("return");
        assert!(found.has(2, 1) && !found.has(2, 0));
        assert_eq!(found.coverage(2), 0.75);
        assert_eq!(found.coverage(0), 0.0);
        assert_eq!(found.total(), 4.0);
    }

    /// What a search marks while scoring is what reading each concept's postings again for each
    /// hit gives (the way coverage was measured before): every query of Baton's eval sets.
    #[test]
    fn marks_agree_with_the_postings() {
        use tantivy::DocSet;
        use tantivy::schema::IndexRecordOption;

        use crate::KnowledgeBase;
        use crate::search::{SearchRequest, Tuning};

        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let kb = KnowledgeBase::from_guides(&root.join("guides")).expect("open");
        let f = kb.fields;
        let holds = |doc: u32, term: &str| -> bool {
            [f.text, f.meta, f.path].into_iter().any(|field| {
                let Some(info) = kb.scoring.term_info(field, term).expect("term") else {
                    return false;
                };
                let mut postings = kb
                    .scoring
                    .inverted(field)
                    .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
                    .expect("postings");
                postings.doc() == doc || postings.doc() < doc && postings.seek(doc) == doc
            })
        };
        let mut checked = 0;
        for file in [
            "account-security",
            "payments-transfers",
            "orders-store-billing",
        ] {
            let text =
                std::fs::read_to_string(root.join(format!("eval/{file}.jsonl"))).expect("eval set");
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let value: serde_json::Value = serde_json::from_str(line).expect("json");
                let query = value["q"].as_str().expect("q");
                let results = kb.search(&SearchRequest::new(query)).expect("search");
                let analyzed = kb
                    .analyze_query(
                        &results.query,
                        results.lang,
                        &Tuning::default(),
                        &mut Vec::new(),
                    )
                    .expect("analyze");
                let idfs: Vec<f32> = analyzed
                    .concepts
                    .iter()
                    .map(|c| kb.idf(&c[0]).expect("idf"))
                    .collect();
                let total: f32 = idfs.iter().sum();
                for hit in &results.hits {
                    let doc = kb.guide(&hit.guide.id).expect("guide").page_doc;
                    let found: f32 = analyzed
                        .concepts
                        .iter()
                        .zip(&idfs)
                        .filter(|(concept, _)| concept.iter().any(|t| holds(doc, t)))
                        .map(|(_, idf)| idf)
                        .sum();
                    let expected = if total > 0.0 { found / total } else { 0.0 };
                    assert!(
                        (hit.coverage - expected).abs() < 1e-6,
                        "{query:?} {}: {} vs {expected}",
                        hit.guide.id,
                        hit.coverage
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300, "{checked} hits checked");
    }
}
