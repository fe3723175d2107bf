//! Intents by example: a message says an intent when its embedding is near one of the intent's
//! example phrasings, nearer than the threshold, and nearer than to any near-miss (the
//! `near_misses` of the file: sentences that sound alike and are not). One phrasing a team adds
//! is a new way of saying it; no regular expression to write.
//!
//! The examples are embedded as queries when the index is built (`intents.bin` beside
//! `embeddings.bin`, cached like the sections), so a desk compares one message with a few hundred
//! vectors: about 0.1 ms.

/// When the nearest example decides: its cosine at least `threshold`, at least `margin` above
/// the nearest near-miss, and at least `over_guides` above the closest guide section (a message
/// more like a question the guides answer than like a way of saying an intent is a question:
/// "delete account" is not an account taken over). Fitted on the dev splits (`kb intents
/// --sweep` for the first two); a team may set its own in its intents file (`[meaning]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeaningRule {
    /// The least cosine to an example.
    pub threshold: f32,
    /// How much nearer than the nearest near-miss.
    pub margin: f32,
    /// How much nearer than the closest guide section (a query-to-passage cosine).
    pub over_guides: f32,
    /// The fewest words a message read by meaning alone has: a word or two ("카카오페이는?",
    /// a follow-up) sits near everything, so words alone read it.
    pub min_words: usize,
}

impl Default for MeaningRule {
    fn default() -> MeaningRule {
        MeaningRule {
            threshold: 0.84,
            margin: 0.02,
            over_guides: 0.03,
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

/// The example vectors of a set of intents, in [`super::Intents::example_texts`] order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Vectors {
    /// The model they came from.
    pub fingerprint: String,
    pub dim: usize,
    /// One unit vector per example, one after another.
    pub vectors: Vec<f32>,
    /// Per example: the intent it says (its index), or `None` for a near-miss.
    pub owners: Vec<Option<usize>>,
}

/// The nearest example of any intent, and the nearest near-miss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// The intent (its index) whose example is nearest.
    pub intent: usize,
    /// That example's cosine.
    pub cosine: f32,
    /// The nearest near-miss's cosine (0 when the file has none).
    pub near_miss: f32,
}

impl Nearest {
    /// Whether `rule` lets this decide, for a message at cosine `guides` to the closest section.
    pub fn decides(&self, rule: MeaningRule, guides: f32) -> bool {
        self.cosine >= rule.threshold
            && self.cosine - self.near_miss >= rule.margin
            && self.cosine - guides >= rule.over_guides
    }
}

impl Vectors {
    /// The nearest example to `meaning`, skipping examples `skip` says to (a measurement leaves a
    /// message's own phrasing out).
    pub fn nearest(&self, meaning: &[f32], skip: impl Fn(usize) -> bool) -> Option<Nearest> {
        if meaning.len() != self.dim {
            return None;
        }
        let mut best: Option<(usize, f32)> = None;
        let mut near_miss = 0f32;
        for (n, (vector, owner)) in self
            .vectors
            .chunks_exact(self.dim)
            .zip(&self.owners)
            .enumerate()
        {
            if skip(n) {
                continue;
            }
            let cosine = encoder::cosine(vector, meaning);
            match owner {
                Some(intent) => {
                    if best.is_none_or(|(_, c)| cosine > c) {
                        best = Some((*intent, cosine));
                    }
                }
                None => near_miss = near_miss.max(cosine),
            }
        }
        best.map(|(intent, cosine)| Nearest {
            intent,
            cosine,
            near_miss,
        })
    }
}
