//! Questions that ask the same thing, grouped: what turns "the bot could not answer 240 times"
//! into "write a guide about exporting orders to Excel, 31 customers asked".
//!
//! A question becomes a bag of weighted features: its analysed terms without function words
//! ([`kb::function_words`]), each synonym entry replaced by its group
//! ([`kb::synonyms::Synonyms::concepts`]: `환불` and `refund` read as one word), each term's
//! pairs in the other language mined from the set's translated guides ([`kb::lexicon`]), a
//! loanword's consonant skeleton ([`kb::loanword`]: `엑셀` meets `excel`), the syllable bigrams of
//! Korean terms (`정산계좌` meets `정산 계좌`), and the family of the guide a search finds first
//! (a guide and its translation are one family, so a Korean and an English wording answered by
//! the same pair meet). Features shared by many of the questions weigh less (idf over the
//! questions grouped). Distinct wordings are then merged by average linkage while the mean
//! cosine similarity of two groups stays at or above [`MERGE_AT`].
//!
//! With the sentence model, meaning joins the words: two wordings' similarity is a blend of the
//! features' cosine and their embeddings' ([`Grouping`]), so `dark mode` and `다크 모드`, which
//! share no term, can meet.
//!
//! Nothing here knows a docs set: synonyms, pairs and guides are whatever the knowledge base
//! ships. The weights and the threshold were tuned on the dev split of a blind-written
//! paraphrase set (`tests/data/paraphrases-dev.toml`); the test split is only reported
//! (`cargo test -p desk --test topics -- --nocapture`).

use std::collections::{BTreeMap, HashMap, HashSet};

use kb::analysis::{Analyzer, is_hangul};
use kb::{KnowledgeBase, SearchRequest};
use serde::Serialize;

/// Two groups merge while their wordings' mean similarity is at least this (tuned on the dev
/// split: `cargo test -p desk --test topics -- --nocapture` prints both splits).
pub const MERGE_AT: f32 = 0.3;
/// How wordings are compared and merged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grouping {
    /// Two groups merge while their mean similarity is at least this.
    pub merge_at: f32,
    /// The share of meaning in a similarity (the rest is the features' cosine).
    pub meaning: f32,
    /// An embeddings' cosine at or below this counts as unrelated (0), 1 as the same: the
    /// model's cosines of unrelated questions run high.
    pub floor: f32,
}

impl Grouping {
    /// By words alone.
    pub const WORDS: Grouping = Grouping {
        merge_at: MERGE_AT,
        meaning: 0.0,
        floor: 0.0,
    };

    /// With the sentence model, tuned on the dev split like [`MERGE_AT`] (`BATON_SWEEP=1 cargo
    /// test -p desk --test desk topics::by_meaning -- --nocapture`): not the best dev F1 (0.840
    /// at 0.2 / 0.6 / 0.75, beside settings that merge everything) but the best whose
    /// neighbours hold (0.809; within 0.03 of it when any one value moves a step).
    pub const MEANING: Grouping = Grouping {
        merge_at: 0.25,
        meaning: 0.4,
        floor: 0.75,
    };

    fn similarity(&self, a: &Wording, b: &Wording) -> f32 {
        let words = cosine(&a.features, &b.features);
        match (&a.meaning, &b.meaning) {
            (Some(x), Some(y)) if self.meaning > 0.0 => {
                let close =
                    ((encoder::cosine(x, y) - self.floor) / (1.0 - self.floor)).clamp(0.0, 1.0);
                (1.0 - self.meaning) * words + self.meaning * close
            }
            _ => words,
        }
    }
}

/// Weight of a Korean term's syllable bigram, against 1 for a term.
const BIGRAM_WEIGHT: f32 = 0.4;
/// Weight of a word's pair in the other language, times the pair's strength.
const PAIR_WEIGHT: f32 = 0.8;
/// Weight of a loanword's consonant skeleton.
const SKELETON_WEIGHT: f32 = 0.7;
/// Weight of the closest guide's family (the next ones weigh half as much each).
const GUIDE_WEIGHT: f32 = 1.5;
/// Guides a wording's search compares.
const GUIDES_COMPARED: usize = 1;
/// Distinct wordings grouped at most (the most asked), so a flood cannot make the report slow:
/// average linkage is quadratic in memory and cubic in time.
pub const MAX_WORDINGS: usize = 600;
/// Example wordings kept per group.
const EXAMPLES: usize = 5;

/// Where a question the desk could not answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A search that found nothing.
    ZeroResults,
    /// A search whose best guide the bot would not even have offered (its probability below the
    /// bot's `clarify_at`): what a search engine that always finds something hides.
    WeakResults,
    /// A conversation handed off because the bot was not confident.
    LowConfidence,
    /// A bot answer the customer said did not help.
    NotHelpful,
    /// A "no" vote on an article, with the search the reader came from.
    ArticleNo,
    /// A conversation the team filed as a feature request.
    FeatureRequest,
}

/// One question as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The customer's words (masked).
    pub words: String,
    /// Who asked: a customer key, else a conversation id, else the event's id, so one customer
    /// asking five times counts once.
    pub asker: String,
    /// Where it came from.
    pub source: Source,
    /// The product area the desk had for it.
    pub area: Option<String>,
}

/// A group of questions that ask the same thing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// The wording asked most: the group's name.
    pub words: String,
    /// Distinct customers who asked (the rank).
    pub customers: usize,
    /// Times asked.
    pub asked: usize,
    /// Up to five wordings, most asked first (the name among them).
    pub examples: Vec<String>,
    /// Languages asked in (`en`, `ko`).
    pub langs: Vec<String>,
    /// How many came from each source.
    pub sources: BTreeMap<Source, usize>,
    /// The product area most of them had, else the closest guide's.
    pub area: Option<String>,
    /// The guide that came closest, if any search found one.
    pub closest: Option<Closest>,
}

/// A guide a group's questions came close to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closest {
    /// Guide id.
    pub guide: String,
    /// Its title.
    pub title: String,
}

/// One distinct wording (case and spacing folded).
struct Wording {
    words: String,
    count: usize,
    askers: HashSet<String>,
    sources: BTreeMap<Source, usize>,
    areas: BTreeMap<String, usize>,
    closest: Vec<String>,
    features: HashMap<String, f32>,
    /// Its embedding, with the sentence model.
    meaning: Option<Vec<f32>>,
}

impl Wording {
    fn new(words: String, count: usize) -> Wording {
        Wording {
            words,
            count,
            askers: HashSet::new(),
            sources: BTreeMap::new(),
            areas: BTreeMap::new(),
            closest: Vec::new(),
            features: HashMap::new(),
            meaning: None,
        }
    }
}

/// Finds each wording's closest guides, its weighted features and, with `encoder`, its
/// embedding, ready to compare.
fn prepare(
    kb: Option<&KnowledgeBase>,
    encoder: Option<&encoder::Encoder>,
    wordings: &mut [Wording],
) {
    for w in wordings.iter_mut() {
        w.closest = kb.map_or_else(Vec::new, |kb| closest(kb, &w.words));
        w.features = features(kb, &w.words, &w.closest);
    }
    if let Some(encoder) = encoder {
        let texts: Vec<&str> = wordings.iter().map(|w| w.words.as_str()).collect();
        let vectors = kb::dense::queries(encoder, &texts);
        for (w, v) in wordings.iter_mut().zip(vectors) {
            w.meaning = Some(v);
        }
    }
    weigh(wordings);
}

/// Groups `questions`, most customers first (ties: most asked, then by name). With a knowledge
/// base, synonyms and the closest guides join the comparison and each group names its closest
/// guide; without one, only analysed terms do; with `encoder`, meaning too.
pub fn group(
    kb: Option<&KnowledgeBase>,
    encoder: Option<&encoder::Encoder>,
    questions: &[Question],
) -> Vec<Topic> {
    let mut wordings = distinct(questions);
    prepare(kb, encoder, &mut wordings);
    let grouping = if encoder.is_some() {
        Grouping::MEANING
    } else {
        Grouping::WORDS
    };
    let groups = average_linkage(&wordings, grouping);
    let mut topics: Vec<Topic> = groups
        .into_iter()
        .map(|members| topic(kb, &wordings, &members))
        .collect();
    topics.sort_by(|a, b| {
        b.customers
            .cmp(&a.customers)
            .then(b.asked.cmp(&a.asked))
            .then_with(|| a.words.cmp(&b.words))
    });
    topics
}

/// The members of each group, as indices into `texts`: what the paraphrase evaluation scores.
pub fn clusters(
    kb: Option<&KnowledgeBase>,
    encoder: Option<&encoder::Encoder>,
    texts: &[&str],
    grouping: Grouping,
) -> Vec<Vec<usize>> {
    let mut wordings: Vec<Wording> = texts
        .iter()
        .map(|t| Wording::new(t.to_string(), 1))
        .collect();
    prepare(kb, encoder, &mut wordings);
    average_linkage(&wordings, grouping)
}

fn fold(words: &str) -> String {
    words
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn distinct(questions: &[Question]) -> Vec<Wording> {
    let mut by_words: HashMap<String, Wording> = HashMap::new();
    for q in questions.iter().filter(|q| !q.words.trim().is_empty()) {
        let w = by_words.entry(fold(&q.words)).or_insert_with(|| {
            Wording::new(q.words.split_whitespace().collect::<Vec<_>>().join(" "), 0)
        });
        w.count += 1;
        w.askers.insert(q.asker.clone());
        *w.sources.entry(q.source).or_default() += 1;
        if let Some(area) = &q.area {
            *w.areas.entry(area.clone()).or_default() += 1;
        }
    }
    let mut wordings: Vec<Wording> = by_words.into_values().collect();
    wordings.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.words.cmp(&b.words)));
    wordings.truncate(MAX_WORDINGS);
    wordings
}

/// The best guide a search finds for `words`, as its family (the smaller id of it and its
/// translation).
fn closest(kb: &KnowledgeBase, words: &str) -> Vec<String> {
    let Ok(results) = kb.search(&SearchRequest {
        query: words,
        lang: None,
        area: None,
        limit: GUIDES_COMPARED,
        snippets: false,
        context: None,
        meaning: None,
    }) else {
        return Vec::new();
    };
    results
        .hits
        .iter()
        .map(|hit| family(kb, &hit.guide.id))
        .collect()
}

fn family(kb: &KnowledgeBase, id: &str) -> String {
    match kb.guide(id).and_then(|g| g.guide.translation.clone()) {
        Some(other) if other.as_str() < id => other,
        _ => id.to_string(),
    }
}

fn features(kb: Option<&KnowledgeBase>, words: &str, closest: &[String]) -> HashMap<String, f32> {
    let terms: Vec<String> = Analyzer::Text
        .terms(words)
        .into_iter()
        .filter(|t| !kb::function_words::is_function_word(t))
        .collect();
    let concepts = match kb {
        Some(kb) => kb.synonyms().concepts(&terms),
        None => terms,
    };
    let mut features: HashMap<String, f32> = HashMap::new();
    let mut add = |feature: String, weight: f32| {
        let w = features.entry(feature).or_default();
        *w = w.max(weight);
    };
    for concept in &concepts {
        add(concept.clone(), 1.0);
        if concept.starts_with('~') {
            continue;
        }
        // The same thing in the other language: pairs mined from the set's translated guides,
        // and loanwords by their consonant skeleton (`엑셀` and `excel`).
        if let Some(kb) = kb {
            for (pair, strength) in kb.lexicon().of(concept) {
                for c in kb.synonyms().concepts(std::slice::from_ref(pair)) {
                    add(c, PAIR_WEIGHT * strength);
                }
            }
        }
        let skeleton = if concept.starts_with(is_hangul) {
            kb::analysis::korean::loanword::is_candidate(concept)
                .then(|| kb::analysis::korean::loanword::hangul_skeleton(concept))
                .flatten()
        } else {
            kb::analysis::korean::loanword::latin_skeleton(concept)
        };
        if let Some(sk) =
            skeleton.filter(|s| s.chars().count() >= kb::analysis::korean::loanword::MIN_SKELETON)
        {
            add(format!("sound:{sk}"), SKELETON_WEIGHT);
        }
        let chars: Vec<char> = concept.chars().collect();
        if chars.len() > 2 && chars.iter().all(|c| is_hangul(*c)) {
            for pair in chars.windows(2) {
                add(format!("{}{}", pair[0], pair[1]), BIGRAM_WEIGHT);
            }
        }
    }
    let mut weight = GUIDE_WEIGHT;
    for guide in closest {
        add(format!("guide:{guide}"), weight);
        weight /= 2.0;
    }
    features
}

/// Scales each feature by how rare it is among these wordings, and each wording to length one.
fn weigh(wordings: &mut [Wording]) {
    let mut df: HashMap<String, usize> = HashMap::new();
    for w in wordings.iter() {
        for f in w.features.keys() {
            *df.entry(f.clone()).or_default() += 1;
        }
    }
    let n = wordings.len() as f32;
    for w in wordings.iter_mut() {
        for (f, weight) in w.features.iter_mut() {
            *weight *= 1.0 + ((n + 1.0) / (df[f] as f32 + 1.0)).ln();
        }
        let norm = w.features.values().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for weight in w.features.values_mut() {
                *weight /= norm;
            }
        }
    }
}

fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(f, w)| large.get(f).map(|v| w * v))
        .sum()
}

/// Merges the two groups of highest mean similarity while it is at least `merge_at`
/// (Lance–Williams update, so each merge costs one pass over the groups).
fn average_linkage(wordings: &[Wording], grouping: Grouping) -> Vec<Vec<usize>> {
    let merge_at = grouping.merge_at;
    let n = wordings.len();
    let mut sim = vec![vec![0f32; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let s = grouping.similarity(&wordings[i], &wordings[j]);
            sim[i][j] = s;
            sim[j][i] = s;
        }
    }
    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    loop {
        let mut best: Option<(usize, usize, f32)> = None;
        for i in (0..n).filter(|&i| members[i].is_some()) {
            for j in (i + 1..n).filter(|&j| members[j].is_some()) {
                if sim[i][j] >= merge_at && best.is_none_or(|(_, _, s)| sim[i][j] > s) {
                    best = Some((i, j, sim[i][j]));
                }
            }
        }
        let Some((i, j, _)) = best else { break };
        let taken = members[j].take().unwrap_or_default();
        let (size_i, size_j) = (
            members[i].as_ref().map_or(0, Vec::len) as f32,
            taken.len() as f32,
        );
        for k in (0..n).filter(|&k| k != i && members[k].is_some()) {
            let s = (size_i * sim[i][k] + size_j * sim[j][k]) / (size_i + size_j);
            sim[i][k] = s;
            sim[k][i] = s;
        }
        if let Some(m) = members[i].as_mut() {
            m.extend(taken);
        }
    }
    members.into_iter().flatten().collect()
}

fn topic(kb: Option<&KnowledgeBase>, wordings: &[Wording], members: &[usize]) -> Topic {
    let mut members: Vec<&Wording> = members.iter().map(|&i| &wordings[i]).collect();
    members.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.words.cmp(&b.words)));
    let mut askers: HashSet<&str> = HashSet::new();
    let mut sources: BTreeMap<Source, usize> = BTreeMap::new();
    let mut areas: BTreeMap<&str, usize> = BTreeMap::new();
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let mut langs: Vec<String> = Vec::new();
    for w in &members {
        askers.extend(w.askers.iter().map(String::as_str));
        for (source, n) in &w.sources {
            *sources.entry(*source).or_default() += n;
        }
        for (area, n) in &w.areas {
            *areas.entry(area).or_default() += n;
        }
        if let Some(f) = w.closest.first() {
            *families.entry(f).or_default() += w.count;
        }
        let lang = kb::Lang::detect(&w.words).code().to_string();
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    }
    langs.sort();
    let most = |counts: BTreeMap<&str, usize>| {
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, _)| k.to_string())
    };
    let words = members[0].words.clone();
    // The closest guide in the language the group was asked in most.
    let closest = most(families).and_then(|family| {
        let kb = kb?;
        let lang = kb::Lang::detect(&words);
        let entry = kb.guide(&family)?;
        let entry = match &entry.guide.translation {
            Some(other) if entry.guide.lang != lang => kb.guide(other).unwrap_or(entry),
            _ => entry,
        };
        Some(Closest {
            guide: entry.guide.id.clone(),
            title: entry.guide.title.clone(),
        })
    });
    let area = most(areas).or_else(|| {
        let id = &closest.as_ref()?.guide;
        kb?.guide(id)?.guide.area.clone()
    });
    Topic {
        customers: askers.len(),
        asked: members.iter().map(|w| w.count).sum(),
        examples: members
            .iter()
            .take(EXAMPLES)
            .map(|w| w.words.clone())
            .collect(),
        words,
        langs,
        sources,
        area,
        closest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(words: &str, asker: &str, source: Source) -> Question {
        Question {
            words: words.into(),
            asker: asker.into(),
            source,
            area: None,
        }
    }

    #[test]
    fn one_customer_asking_twice_counts_once_and_spacing_and_case_fold() {
        let topics = group(
            None,
            None,
            &[
                q("Export orders  to Excel", "a", Source::ZeroResults),
                q("export orders to excel", "a", Source::ZeroResults),
                q("export orders to excel", "b", Source::LowConfidence),
                q("dark mode for the dashboard", "c", Source::FeatureRequest),
            ],
        );
        assert_eq!(topics.len(), 2);
        assert_eq!(topics[0].customers, 2);
        assert_eq!(topics[0].asked, 3);
        assert_eq!(topics[0].examples, ["Export orders to Excel"]);
        assert_eq!(topics[0].sources[&Source::ZeroResults], 2);
        assert_eq!(topics[1].words, "dark mode for the dashboard");
    }

    #[test]
    fn nothing_to_group_is_no_topic() {
        assert!(group(None, None, &[q("  ", "a", Source::ZeroResults)]).is_empty());
        assert!(group(None, None, &[]).is_empty());
    }
}
