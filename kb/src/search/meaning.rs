//! Meaning in the ranking and in the bot's signals: the question's embedding against every
//! admitted guide's closest section ([`crate::dense`]).

use super::{GuideHit, Ranked};
use crate::confidence::MeaningSignals;
use crate::dense::Near;
use crate::index::KnowledgeBase;

/// Guides found by meaning alone that may join the ranking.
const MEANING_ONLY: usize = 20;

/// Adds meaning to lexical scores: a guide gains `weight` × the best lexical score × how far
/// its closest section stands above the typical admitted guide (0 at the mean cosine, 1 for the
/// closest). Scale-free on both sides, so one weight serves any docs set; guides that no word
/// found can enter, which is how a Korean question finds an English-only guide. A guide in
/// another language than the question (`cross`) is weighed by meaning alone at full weight:
/// words shared across languages (a product name, a code word) say little about it.
pub(super) fn fuse(
    ranked: &mut Vec<Ranked>,
    near: &[Near],
    weight: f32,
    cross: impl Fn(usize) -> bool,
) {
    let best = near[0].cosine;
    let mean = near.iter().map(|n| n.cosine).sum::<f32>() / near.len() as f32;
    let spread = (best - mean).max(1e-6);
    let lift = |cosine: f32| ((cosine - mean) / spread).max(0.0);
    let top = ranked.iter().map(|r| r.1).fold(0.0f32, f32::max);
    let unit = if top > 0.0 { top } else { 1.0 };
    let at: std::collections::HashMap<usize, &Near> = near.iter().map(|n| (n.guide, n)).collect();
    for r in ranked.iter_mut() {
        if let Some(n) = at.get(&r.0) {
            let w = if cross(r.0) { 1.0 } else { weight };
            r.1 += w * unit * lift(n.cosine);
        }
    }
    let known: std::collections::HashSet<usize> = ranked.iter().map(|r| r.0).collect();
    for n in near.iter().take(MEANING_ONLY) {
        if !known.contains(&n.guide) && lift(n.cosine) > 0.0 {
            let w = if cross(n.guide) { 1.0 } else { weight };
            ranked.push((n.guide, w * unit * lift(n.cosine), vec![(n.section, 0.0)]));
        }
    }
}

/// What meaning says about the best guide of a search.
pub(super) fn signals(kb: &KnowledgeBase, near: &[Near], top: &GuideHit) -> MeaningSignals {
    let index = |id: &str| {
        kb.guides
            .binary_search_by(|g| g.guide.id.as_str().cmp(id))
            .ok()
    };
    let top_guide = index(&top.guide.id);
    let translation = top_guide.and_then(|g| kb.translations[g]);
    let cosine_of = |g: Option<usize>| near.iter().find(|n| Some(n.guide) == g).map(|n| n.cosine);
    let top_cosine = cosine_of(top_guide).unwrap_or(0.0);
    let other = near
        .iter()
        .find(|n| Some(n.guide) != top_guide && Some(n.guide) != translation);
    let closest = near[0].guide;
    MeaningSignals {
        top: top_cosine,
        best: near[0].cosine,
        margin: top_cosine - other.map_or(0.0, |n| n.cosine),
        agrees: Some(closest) == top_guide || Some(closest) == translation,
        typical: near.iter().map(|n| n.cosine).sum::<f32>() / near.len() as f32,
    }
}
