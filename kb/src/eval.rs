//! `kb eval`: retrieval quality of a query set, with metrics that compare across tools.
//!
//! Per query, results are ranked by guide (each guide once). The first listed relevant id has
//! grade 2, the others grade 1. nDCG@k uses gain 2^g − 1 and discount log2(rank + 1) against the
//! ideal ordering of the grades; recall@k is the relevant guides in the top k over
//! min(k, number relevant); MRR@k is 1/rank of the first relevant guide in the top k.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::guide::Lang;
use crate::index::KnowledgeBase;
use crate::search::{SearchRequest, Tuning};

/// One line of a query set.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Query {
    /// Query id (`ko-001`).
    pub id: String,
    /// Language the query is judged in.
    pub lang: Lang,
    /// The query text.
    pub q: String,
    /// Relevant guide ids, best first.
    pub relevant: Vec<String>,
}

/// Reads a JSONL query set; blank lines and `#` comments are skipped.
pub fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut queries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let query: Query = serde_json::from_str(line).map_err(|e| Error::QuerySet {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if query.relevant.is_empty() {
            return Err(Error::QuerySet {
                path: path.to_path_buf(),
                line: i + 1,
                message: "relevant is empty".into(),
            });
        }
        queries.push(query);
    }
    Ok(queries)
}

/// Metrics of one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Recall at 1.
    pub recall_1: f64,
    /// Recall at 5.
    pub recall_5: f64,
    /// Mean reciprocal rank at k.
    pub mrr: f64,
    /// nDCG at k.
    pub ndcg: f64,
}

/// Scores one ranking (guide ids, best first, each once) against the relevant ids.
pub fn score(ranking: &[String], relevant: &[String], k: usize) -> Scores {
    let grade = |id: &str| match relevant.iter().position(|r| r == id) {
        Some(0) => 2u32,
        Some(_) => 1,
        None => 0,
    };
    let top = &ranking[..ranking.len().min(k)];
    let recall = |n: usize| {
        let found = ranking
            .iter()
            .take(n)
            .filter(|id| relevant.contains(id))
            .count();
        found as f64 / n.min(relevant.len()) as f64
    };
    let mrr = top
        .iter()
        .position(|id| relevant.contains(id))
        .map_or(0.0, |rank| 1.0 / (rank + 1) as f64);
    let gain = |g: u32| f64::from((1u32 << g) - 1);
    let discount = |rank: usize| (rank as f64 + 2.0).log2();
    let dcg: f64 = top
        .iter()
        .enumerate()
        .map(|(i, id)| gain(grade(id)) / discount(i))
        .sum();
    let mut ideal: Vec<u32> = (0..relevant.len())
        .map(|i| if i == 0 { 2 } else { 1 })
        .collect();
    ideal.truncate(k);
    let idcg: f64 = ideal
        .iter()
        .enumerate()
        .map(|(i, &g)| gain(g) / discount(i))
        .sum();
    Scores {
        recall_1: recall(1),
        recall_5: recall(5),
        mrr,
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
    }
}

/// Mean metrics and latency of a group of queries.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Number of queries.
    pub queries: usize,
    /// Mean scores.
    pub mean: Scores,
    /// Median query latency, microseconds.
    pub p50_us: u64,
    /// 99th percentile query latency, microseconds.
    pub p99_us: u64,
}

/// A query's outcome, for `--json` and for finding what to improve.
#[derive(Debug, Clone, Serialize)]
pub struct QueryOutcome {
    /// Query id.
    pub id: String,
    /// Query text.
    pub q: String,
    /// Relevant ids.
    pub relevant: Vec<String>,
    /// The top k guide ids returned.
    pub ranking: Vec<String>,
    /// Its scores.
    pub scores: Scores,
}

/// The result of `kb eval`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Cut-off k.
    pub k: usize,
    /// Per language.
    pub languages: BTreeMap<Lang, Summary>,
    /// All queries.
    pub overall: Summary,
    /// Every query.
    pub queries: Vec<QueryOutcome>,
}

/// Runs every query `repeat` times (latency is over all runs; metrics from the first).
pub fn evaluate(
    kb: &KnowledgeBase,
    queries: &[Query],
    k: usize,
    repeat: usize,
    tuning: &Tuning,
    encoder: Option<&encoder::Encoder>,
) -> Result<Report> {
    let mut outcomes = Vec::with_capacity(queries.len());
    let mut latencies: Vec<(Lang, Duration)> = Vec::new();
    // Embedded before the timed runs: latency here is the search's, the model's is `kb bench`'s.
    let texts: Vec<&str> = queries.iter().map(|q| q.q.as_str()).collect();
    let meanings = match encoder {
        Some(encoder) if kb.dense().is_some() => encoder.embed(encoder::Kind::Query, &texts),
        _ => Vec::new(),
    };
    for (i, query) in queries.iter().enumerate() {
        let request = SearchRequest {
            query: &query.q,
            lang: Some(query.lang),
            area: None,
            limit: k,
            snippets: false,
            context: None,
            meaning: meanings.get(i).map(Vec::as_slice),
        };
        let mut ranking = Vec::new();
        for run in 0..repeat.max(1) {
            let started = Instant::now();
            let results = kb.search_tuned(&request, tuning)?;
            latencies.push((query.lang, started.elapsed()));
            if run == 0 {
                ranking = results.hits.into_iter().map(|h| h.guide.id).collect();
            }
        }
        let scores = score(&ranking, &query.relevant, k);
        outcomes.push(QueryOutcome {
            id: query.id.clone(),
            q: query.q.clone(),
            relevant: query.relevant.clone(),
            ranking,
            scores,
        });
    }
    let summarize = |lang: Option<Lang>| {
        let picked: Vec<&QueryOutcome> = outcomes
            .iter()
            .zip(queries)
            .filter(|(_, q)| lang.is_none_or(|l| q.lang == l))
            .map(|(o, _)| o)
            .collect();
        let n = picked.len().max(1) as f64;
        let mean = Scores {
            recall_1: picked.iter().map(|o| o.scores.recall_1).sum::<f64>() / n,
            recall_5: picked.iter().map(|o| o.scores.recall_5).sum::<f64>() / n,
            mrr: picked.iter().map(|o| o.scores.mrr).sum::<f64>() / n,
            ndcg: picked.iter().map(|o| o.scores.ndcg).sum::<f64>() / n,
        };
        let mut times: Vec<Duration> = latencies
            .iter()
            .filter(|(l, _)| lang.is_none_or(|x| *l == x))
            .map(|(_, d)| *d)
            .collect();
        Summary {
            queries: picked.len(),
            mean,
            p50_us: percentile(&mut times, 50.0),
            p99_us: percentile(&mut times, 99.0),
        }
    };
    let mut languages = BTreeMap::new();
    for lang in Lang::ALL {
        if queries.iter().any(|q| q.lang == lang) {
            languages.insert(lang, summarize(Some(lang)));
        }
    }
    Ok(Report {
        k,
        languages,
        overall: summarize(None),
        queries: outcomes,
    })
}

/// The nearest-rank percentile of durations, in microseconds.
pub fn percentile(times: &mut [Duration], p: f64) -> u64 {
    if times.is_empty() {
        return 0;
    }
    times.sort();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1].as_micros() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hand_computed_metrics() {
        // Best answer at rank 2, the other relevant guide at rank 4.
        let s = score(&ids(&["x", "a", "y", "b"]), &ids(&["a", "b"]), 10);
        let dcg = 3.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 3.0 + 1.0 / 3f64.log2();
        assert_eq!(s.recall_1, 0.0);
        assert_eq!(s.recall_5, 1.0);
        assert_eq!(s.mrr, 0.5);
        assert!((s.ndcg - dcg / idcg).abs() < 1e-12);
        // Perfect single answer.
        assert_eq!(
            score(&ids(&["a"]), &ids(&["a"]), 10),
            Scores {
                recall_1: 1.0,
                recall_5: 1.0,
                mrr: 1.0,
                ndcg: 1.0
            }
        );
        // Nothing relevant in the top k.
        let s = score(&ids(&["x", "y"]), &ids(&["a"]), 10);
        assert_eq!((s.recall_5, s.mrr, s.ndcg), (0.0, 0.0, 0.0));
        // A relevant guide just past k counts for nothing.
        assert_eq!(score(&ids(&["x", "a"]), &ids(&["a"]), 1).mrr, 0.0);
    }

    #[test]
    fn percentiles() {
        let mut t: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        assert_eq!(percentile(&mut t, 50.0), 50);
        assert_eq!(percentile(&mut t, 99.0), 99);
        assert_eq!(percentile(&mut [], 50.0), 0);
    }
}
