//! Intents by example: a message says an intent when the examples, read as one classifier
//! (`head.rs`: every intent's phrasings against the `near_misses` of the file, sentences that
//! sound alike and are not), score it clearly above "none", and it is near one of the intent's
//! phrasings. One phrasing a team adds
//! is a new way of saying it; no regular expression to write.
//!
//! The examples are embedded as queries when the index is built (`intents.bin` beside
//! `embeddings.bin`, cached like the sections), so a desk compares one message with a few hundred
//! vectors: about 0.1 ms.

use std::sync::OnceLock;

use super::head::Head;

/// When the examples decide: the head's best intent scores at least `margin` above "none" (the
/// near-misses), the nearest example of that intent is at cosine `threshold` or more, and at
/// least `over_guides` above the closest guide section (a message
/// more like a question the guides answer than like a way of saying an intent is a question:
/// "delete account" is not an account taken over). Fitted on the dev splits (`kb intents
/// --sweep` for the first two); a team may set its own in its intents file (`[meaning]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeaningRule {
    /// The least cosine to an example.
    pub threshold: f32,
    /// How much the intent's score is above the score of "none" (the near-misses).
    pub margin: f32,
    /// How much nearer than the closest guide section (a query-to-passage cosine).
    pub over_guides: f32,
    /// How far "none" must score above every intent for the examples to veto what the words
    /// read (a lookalike in an intent's words); requests for a person are never vetoed.
    pub words_veto: f32,
    /// The fewest words a message read by meaning alone has: a word or two ("카카오페이는?",
    /// a follow-up) sits near everything, so words alone read it.
    pub min_words: usize,
}

impl Default for MeaningRule {
    fn default() -> MeaningRule {
        MeaningRule {
            threshold: 0.84,
            margin: 0.2,
            over_guides: 0.03,
            words_veto: 0.2,
            min_words: 3,
        }
    }
}

/// A message's meaning, as intents read it: its embedding as a query, and its cosine to the
/// closest section of the guides ([`crate::KnowledgeBase::meaning_of`]; 1 when there are no
/// guides to compare with, so no message reads as an intent by meaning alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Meaning {
    /// The embedding.
    pub vector: Vec<f32>,
    /// Cosine to the closest guide section.
    pub guides: f32,
}

/// How many folds a measurement fits heads on, to read a split the examples came from as if it
/// were new (an example is read by the head fitted without its fold).
const FOLDS: usize = 5;

/// The example vectors of a set of intents, in [`super::Intents::example_texts`] order, and the
/// head fitted to them.
#[derive(Debug, Clone)]
pub(super) struct Vectors {
    /// The model they came from.
    pub fingerprint: String,
    pub dim: usize,
    /// One unit vector per example, one after another.
    pub vectors: Vec<f32>,
    /// Per example: the intent it says (its index), or `None` for a near-miss.
    pub owners: Vec<Option<usize>>,
    /// How many intents there are (the head's last class, "none", is this index).
    intents: usize,
    head: Option<Head>,
    /// Heads fitted without one fold of the examples each, made when a measurement asks.
    folds: std::sync::Arc<OnceLock<Vec<Option<Head>>>>,
}

impl PartialEq for Vectors {
    fn eq(&self, other: &Vectors) -> bool {
        self.fingerprint == other.fingerprint
            && self.dim == other.dim
            && self.vectors == other.vectors
            && self.owners == other.owners
    }
}

/// What the examples say of a message: the intent the head scores highest, how far above "none",
/// and the cosine of that intent's nearest example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The intent (its index).
    pub intent: usize,
    /// Its score less the score of "none".
    pub margin: f32,
    /// The cosine of its nearest example.
    pub cosine: f32,
}

impl Reading {
    /// Whether `rule` lets this decide, for a message at cosine `guides` to the closest section.
    pub fn decides(&self, rule: MeaningRule, guides: f32) -> bool {
        self.cosine >= rule.threshold
            && self.margin >= rule.margin
            && self.cosine - guides >= rule.over_guides
    }
}

impl Vectors {
    /// The vectors of `owners.len()` examples of `intents` intents, with their head fitted.
    pub fn new(
        fingerprint: &str,
        dim: usize,
        vectors: Vec<f32>,
        owners: Vec<Option<usize>>,
        intents: usize,
    ) -> Vectors {
        let labels: Vec<usize> = owners.iter().map(|o| o.unwrap_or(intents)).collect();
        let head = Head::fit(&vectors, dim, &labels, intents + 1, |_| false);
        Vectors {
            fingerprint: fingerprint.to_string(),
            dim,
            vectors,
            owners,
            intents,
            head,
            folds: Default::default(),
        }
    }

    /// What the examples say of `meaning`, leaving out the examples `skip` names (a measurement
    /// leaves a message's own phrasing out: the head fitted without its fold reads it).
    pub fn read(&self, meaning: &[f32], skip: impl Fn(usize) -> bool) -> Option<Reading> {
        if meaning.len() != self.dim {
            return None;
        }
        let skipped = (0..self.owners.len()).find(|&n| skip(n));
        let head = match skipped {
            None => self.head.as_ref()?,
            Some(n) => self.folds.get_or_init(|| self.fold_heads())[n % FOLDS].as_ref()?,
        };
        let scores = head.scores(meaning)?;
        let (intent, best) = scores[..self.intents]
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let cosine = self
            .vectors
            .chunks_exact(self.dim)
            .zip(&self.owners)
            .enumerate()
            .filter(|(n, (_, owner))| **owner == Some(intent) && !skip(*n))
            .map(|(_, (vector, _))| encoder::cosine(vector, meaning))
            .fold(f32::MIN, f32::max);
        Some(Reading {
            intent,
            margin: best - scores[self.intents],
            cosine,
        })
    }

    fn fold_heads(&self) -> Vec<Option<Head>> {
        let labels: Vec<usize> = self
            .owners
            .iter()
            .map(|o| o.unwrap_or(self.intents))
            .collect();
        (0..FOLDS)
            .map(|fold| {
                Head::fit(&self.vectors, self.dim, &labels, self.intents + 1, |n| {
                    n % FOLDS == fold
                })
            })
            .collect()
    }
}
