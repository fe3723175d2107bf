//! Searching the index: query analysis, scoring, grouping by guide, snippets.
//!
//! The query is never parsed as query syntax: it is analyzed into terms exactly as guides were, so
//! `client:load`, `AND(`, quotes or `*` are only words (or nothing). Each weighted term's postings
//! are added into one score per document ([`crate::scoring`]): page documents (all text with title
//! and headings counted twice, path words, `questions` and `tags`, Hangul bigrams of the Korean
//! words the index does not know) and section documents at once. The 100 best pages within the
//! language and area are kept; a guide's score is its page score plus 0.7 of its best section's,
//! and its best sections are shown with highlighted snippets.

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;
use tantivy::Term;
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzer, is_hangul, korean_forms};
use crate::confidence::Signals;
use crate::error::Result;
use crate::function_words::is_function_word;
use crate::guide::Lang;
use crate::index::{GuideInfo, KnowledgeBase};

/// Longest query searched, in characters; longer ones are cut with a notice.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most distinct terms searched per analysis.
const MAX_TERMS: usize = 32;
/// Shortest Korean word (in syllables) corrected for a letter Korean writers confuse.
const MIN_KOREAN_TYPO: usize = 2;
/// Shortest Korean word corrected for any one-letter typo.
const MIN_KOREAN_TYPO_ANY: usize = 3;
/// Longest word looked up as a typo, in letters: real words are shorter, and the cost of a lookup
/// grows with the word (65 candidates per syllable; an edit automaton per letter), so a hostile
/// 256-letter "word" must not buy 25–80 ms of CPU.
const MAX_TYPO_LETTERS: usize = 16;
/// Longest word searched at all, in characters: past it a token is no word of any guide.
const MAX_WORD_CHARS: usize = 48;
/// Weakest lexicon pair that translates a query word for the English side.
const MIN_TRANSLATION: f32 = 0.8;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 180;

/// The weights of the ranking, measured with `kb eval` (see the README's search-quality table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tuning {
    /// Analyzed text (English stems, Korean word forms).
    pub text: f32,
    /// Hangul bigrams.
    pub bigram: f32,
    /// The id's path words.
    pub path: f32,
    /// `questions` and `tags`.
    pub meta: f32,
    /// Synonyms, relative to the term they stand for.
    pub synonym: f32,
    /// Typo corrections, relative to the term they stand for.
    pub fuzzy: f32,
    /// Pairs mined from translated pages (`lexicon`), relative to the term, times the pair's
    /// strength.
    pub lexicon: f32,
    /// Loanwords of the other script (`마크다운` → `markdown`), relative to the term.
    pub loan: f32,
    /// Weight of a guide's best section added to its page score.
    pub section: f32,
    /// Weight of the evidence from a Korean page's English translation, searched with the query
    /// put into English through the lexicon.
    pub cross: f32,
    /// Topic words carried over from the previous question to a short follow-up, relative to
    /// the follow-up's own words.
    pub context: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            text: 1.0,
            bigram: 0.15,
            path: 2.0,
            meta: 1.0,
            synonym: 0.3,
            fuzzy: 0.8,
            context: 0.7,
            lexicon: 0.5,
            loan: 0.0,
            section: 0.7,
            cross: 0.3,
        }
    }
}

impl Tuning {
    /// Sets one weight by name (`text=1.2`), for experiments from the command line.
    pub fn set(&mut self, assignment: &str) -> std::result::Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected name=value, got \"{assignment}\""))?;
        let value: f32 = value
            .parse()
            .map_err(|_| format!("not a number: \"{value}\""))?;
        let slot = match name {
            "text" => &mut self.text,
            "bigram" => &mut self.bigram,
            "path" => &mut self.path,
            "meta" => &mut self.meta,
            "synonym" => &mut self.synonym,
            "fuzzy" => &mut self.fuzzy,
            "context" => &mut self.context,
            "lexicon" => &mut self.lexicon,
            "loan" => &mut self.loan,
            "section" => &mut self.section,
            "cross" => &mut self.cross,
            _ => return Err(format!("unknown weight \"{name}\"")),
        };
        *slot = value;
        Ok(())
    }
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// The customer's words, any content.
    pub query: &'a str,
    /// Only guides in this language; detected from the query when `None`.
    pub lang: Option<Lang>,
    /// Only guides of this product area.
    pub area: Option<&'a str>,
    /// Most guides returned.
    pub limit: usize,
    /// Load section text and build snippets (not needed for ranking-only callers such as eval).
    pub snippets: bool,
    /// The conversation's topic so far (the previous question), for a short follow-up: its
    /// content words are searched too, at [`Tuning::context`] weight, and do not count toward
    /// the follow-up's coverage.
    pub context: Option<&'a str>,
}

impl<'a> SearchRequest<'a> {
    /// A request with defaults: detected language, any area, 10 guides, with snippets.
    pub fn new(query: &'a str) -> Self {
        SearchRequest {
            query,
            lang: None,
            area: None,
            limit: 10,
            snippets: true,
            context: None,
        }
    }
}

/// Search results, best guide first.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as searched (after capping).
    pub query: String,
    /// The language searched.
    pub lang: Lang,
    /// Things the user should know (`query truncated …`, `searched for "password" …`).
    pub notices: Vec<String>,
    /// Guides, best first.
    pub hits: Vec<GuideHit>,
    /// What the search knows about its best guide, for the bot's confidence; not sent to pages.
    #[serde(skip)]
    pub signals: Option<Signals>,
}

/// One guide in the results.
#[derive(Debug, Clone, Serialize)]
pub struct GuideHit {
    /// The guide.
    #[serde(flatten)]
    pub guide: GuideInfo,
    /// Ranking score: comparable within one search, not across searches.
    pub score: f32,
    /// How much of the query the guide covers, 0–1: the share of the query's words (weighted by
    /// rarity, IDF) that the guide contains as written, as a typo correction or as a synonym.
    /// Comparable across searches, which makes it the basis of the bot's confidence.
    pub coverage: f32,
    /// The best matching sections (up to 3), best first.
    pub sections: Vec<SectionHit>,
}

/// A section of a guide that matched.
#[derive(Debug, Clone, Serialize)]
pub struct SectionHit {
    /// Heading, empty for the introduction.
    pub heading: String,
    /// Anchor, empty for the introduction.
    pub anchor: String,
    /// Section score (0 when only the page matched).
    pub score: f32,
    /// A window of the section's text around the matches: only on a guide's best section, since a
    /// result shows one snippet and links to its other sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

/// Plain text with the byte ranges that matched the query.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Snippet {
    /// The text (whitespace folded to single spaces, `…` where cut).
    pub text: String,
    /// Byte ranges of matched words in `text`.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The text with each match wrapped in `open` … `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        self.render(open, close, |s| s.to_string())
    }

    /// HTML-escaped text with matches in `<mark>`.
    pub fn html(&self) -> String {
        self.render("<mark>", "</mark>", crate::markdown::escape_html)
    }

    /// The text as alternating plain and matched runs, plain first and last (either may be
    /// empty): `["…refunds take ", "3", " days"]` marks `3`.
    pub fn runs(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(self.highlights.len() * 2 + 1);
        let mut at = 0;
        for range in &self.highlights {
            out.push(&self.text[at..range.start]);
            out.push(&self.text[range.clone()]);
            at = range.end;
        }
        out.push(&self.text[at..]);
        out
    }

    fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(
            self.text.len() + self.highlights.len() * (open.len() + close.len()),
        );
        for (i, run) in self.runs().into_iter().enumerate() {
            if i % 2 == 1 {
                out.push_str(open);
                out.push_str(&escape(run));
                out.push_str(close);
            } else {
                out.push_str(&escape(run));
            }
        }
        out
    }
}

/// A guide in the ranking: its index, combined score, and matching sections (index, score).
type Ranked = (usize, f32, Vec<(usize, f32)>);

/// The analyzed query, weighted per field.
struct Analyzed {
    /// (term, weight relative to its field) for the text, path and meta fields.
    text: Vec<(String, f32)>,
    bigrams: Vec<String>,
    /// The query in English (its Latin terms, and its Hangul terms' strongest pairs), for the
    /// English translations of Korean pages.
    english: Vec<(String, f32)>,
    /// Each word of the query with the terms that stand for it (its typo correction, its
    /// synonyms), for measuring how much of the query a guide covers.
    concepts: Vec<Vec<String>>,
}

impl KnowledgeBase {
    /// Searches with the default tuning.
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<SearchResults> {
        self.search_tuned(request, &Tuning::default())
    }

    /// Searches with explicit weights (`kb eval --tune`).
    pub fn search_tuned(
        &self,
        request: &SearchRequest<'_>,
        tuning: &Tuning,
    ) -> Result<SearchResults> {
        let mut notices = Vec::new();
        let cleaned: String = request
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let query = if cleaned.chars().count() > MAX_QUERY_CHARS {
            notices.push(format!(
                "query truncated to its first {MAX_QUERY_CHARS} characters"
            ));
            cleaned.chars().take(MAX_QUERY_CHARS).collect()
        } else {
            cleaned
        };
        let lang = request.lang.unwrap_or_else(|| Lang::detect(&query));
        let mut results = SearchResults {
            query,
            lang,
            notices,
            hits: Vec::new(),
            signals: None,
        };
        let mut analyzed =
            self.analyze_query(&results.query, lang, tuning, &mut results.notices)?;
        if let Some(context) = request.context.filter(|_| tuning.context > 0.0) {
            for term in self.query_terms(context)? {
                if !is_function_word(&term) && !analyzed.text.iter().any(|(t, _)| *t == term) {
                    analyzed.text.push((term, tuning.context));
                }
            }
        }
        if analyzed.text.is_empty() && analyzed.bigrams.is_empty() || request.limit == 0 {
            return Ok(results);
        }
        let lang_filter = self
            .guides
            .iter()
            .any(|g| g.guide.lang == lang)
            .then_some(lang);

        let f = self.fields;
        // One score per document: the text and bigram terms score pages and sections alike
        // (sections have no path or meta), in the clauses' order.
        let mut scores = vec![0f32; self.scoring.docs()];
        self.add_text_scores(&analyzed.text, tuning, &mut scores)?;
        if tuning.bigram > 0.0 {
            for bigram in &analyzed.bigrams {
                self.scoring
                    .add(f.bigram, bigram, tuning.bigram, &mut scores)?;
            }
        }
        // The 100 best pages, then the matching sections of their guides only.
        let pages = self.best_pages(&scores, lang_filter, request.area, 100);
        // Page scores for now; the best section is added below.
        let mut by_guide: Vec<Ranked> = pages
            .into_iter()
            .map(|(score, guide)| {
                let entry = &self.guides[guide];
                let mut sections: Vec<(usize, f32)> = (0..entry.sections.len())
                    .map(|s| (s, scores[entry.page_doc as usize + 1 + s]))
                    .filter(|(_, score)| *score > 0.0)
                    .collect();
                sections.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                (guide, score, sections)
            })
            .collect();
        // A Korean page's English translation, searched with the query put into English.
        if lang_filter == Some(Lang::Ko) && tuning.cross > 0.0 && !analyzed.english.is_empty() {
            scores.fill(0.0);
            self.add_text_scores(&analyzed.english, tuning, &mut scores)?;
            // On the Korean ranking's scale: the best translation counts as much as the best page.
            let english_pages = self.best_pages(&scores, Some(Lang::En), request.area, 100);
            let korean_best = by_guide.iter().map(|g| g.1).fold(0.0f32, f32::max);
            let english_best = english_pages.first().map_or(0.0, |(s, _)| *s);
            let scale = if english_best > 0.0 {
                korean_best / english_best
            } else {
                0.0
            };
            let korean_at: std::collections::HashMap<usize, usize> = by_guide
                .iter()
                .enumerate()
                .map(|(at, g)| (g.0, at))
                .collect();
            for (score, guide) in english_pages {
                // Evidence for pages the Korean words found, never a page of its own.
                if let Some(ko) = self.translations[guide]
                    && let Some(&at) = korean_at.get(&ko)
                {
                    by_guide[at].1 += tuning.cross * score * scale;
                }
            }
        }
        let mut ranked: Vec<Ranked> = by_guide
            .into_iter()
            .map(|(guide, page, sections)| {
                let best = sections.first().map_or(0.0, |s| s.1);
                (guide, page + tuning.section * best, sections)
            })
            .collect();
        // Ties break by id so results are deterministic.
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.guides[a.0].guide.id.cmp(&self.guides[b.0].guide.id))
        });
        ranked.truncate(request.limit);

        let highlight_terms: HashSet<&str> =
            analyzed.text.iter().map(|(t, _)| t.as_str()).collect();
        let highlight_bigrams: HashSet<&str> =
            analyzed.bigrams.iter().map(String::as_str).collect();
        let page_docs: Vec<u32> = ranked.iter().map(|r| self.guides[r.0].page_doc).collect();
        let coverages = self.coverages(&page_docs, &analyzed.concepts)?;
        for (rank, (guide, score, mut sections)) in ranked.into_iter().enumerate() {
            let entry = &self.guides[guide];
            if sections.is_empty() && !entry.sections.is_empty() {
                sections.push((0, 0.0));
            }
            sections.truncate(3);
            let mut section_hits = Vec::with_capacity(sections.len());
            for (rank, (section, section_score)) in sections.into_iter().enumerate() {
                let snippet = if request.snippets && rank == 0 {
                    Some(snippet(
                        &self.section_text(guide, section)?,
                        &highlight_terms,
                        &highlight_bigrams,
                    ))
                } else {
                    None
                };
                let meta = &entry.sections[section];
                section_hits.push(SectionHit {
                    heading: meta.heading.clone(),
                    anchor: meta.anchor.clone(),
                    score: section_score,
                    snippet,
                });
            }
            let coverage = coverages[rank];
            results.hits.push(GuideHit {
                guide: entry.guide.clone(),
                score,
                coverage,
                sections: section_hits,
            });
        }
        results.signals = self.signals(&results.hits, &analyzed.concepts)?;
        Ok(results)
    }

    /// Analyzes the query: terms, synonyms, typo corrections, bigrams.
    fn analyze_query(
        &self,
        query: &str,
        lang: Lang,
        tuning: &Tuning,
        notices: &mut Vec<String>,
    ) -> Result<Analyzed> {
        let (terms, unknown) = self.query_words(query)?;
        let mut text: Vec<(String, f32)> = Vec::new();
        let mut concepts: Vec<Vec<String>> = Vec::new();
        for term in &terms {
            text.push((term.clone(), 1.0));
            let mut concept = vec![term.clone()];
            if let Some(correction) = self.correct(term)? {
                notices.push(format!(
                    "searched for \"{correction}\" as well as \"{term}\""
                ));
                text.push((correction.clone(), tuning.fuzzy));
                concept.push(correction);
            }
            concepts.push(concept);
        }
        for (trigger, alternative) in self.synonyms.expand(&terms) {
            for (term, concept) in terms.iter().zip(concepts.iter_mut()) {
                if trigger.contains(term) {
                    concept.extend(alternative.iter().cloned());
                }
            }
            // An alternative of several words shares the weight among them.
            let weight = tuning.synonym / alternative.len() as f32;
            for term in alternative {
                if !text.iter().any(|(t, _)| *t == term) {
                    text.push((term, weight));
                }
            }
        }
        // The other script's words for the same thing, mined from the guides themselves: only
        // in a Korean search, where pages write a term in Hangul or in Latin letters.
        if lang == Lang::Ko {
            for (term, concept) in terms.iter().zip(concepts.iter_mut()) {
                let crate::lexicon::Expansions { pairs, loans } =
                    self.lexicon.expansions(term, tuning.loan > 0.0);
                let mined = pairs
                    .into_iter()
                    .map(|(t, f)| (t, tuning.lexicon * f))
                    .chain(loans.into_iter().map(|(t, f)| (t, tuning.loan * f)));
                for (other, weight) in mined {
                    if weight <= 0.0 || terms.contains(&other) {
                        continue;
                    }
                    if !concept.contains(&other) {
                        concept.push(other.clone());
                    }
                    match text.iter_mut().find(|(t, _)| *t == other) {
                        Some((_, w)) => *w = w.max(weight),
                        None => text.push((other, weight)),
                    }
                }
            }
        }
        // Bigrams only stand in for the words the index does not know: for known words they
        // mostly add common pairs (`하는`, `에서`) that cost more to search than they help rank.
        let mut bigrams: Vec<String> = Vec::new();
        for word in unknown {
            for bigram in Analyzer::Bigram.terms(&query[word]) {
                if !bigrams.contains(&bigram) && bigrams.len() < MAX_TERMS {
                    bigrams.push(bigram);
                }
            }
        }
        let mut english: Vec<(String, f32)> = Vec::new();
        if lang == Lang::Ko {
            for term in &terms {
                if !term.starts_with(is_hangul) {
                    english.push((term.clone(), 1.0));
                } else if let Some((pair, strength)) = self.lexicon.of(term).first()
                    && !pair.starts_with(is_hangul)
                    && *strength >= MIN_TRANSLATION
                    && !english.iter().any(|(t, _)| t == pair)
                {
                    english.push((pair.clone(), *strength));
                }
            }
        }
        Ok(Analyzed {
            text,
            bigrams,
            english,
            concepts,
        })
    }

    /// The analysed terms of a query, Korean words in the forms the index knows.
    fn query_terms(&self, query: &str) -> Result<Vec<String>> {
        Ok(self.query_words(query)?.0)
    }

    /// The analysed terms of a query, and the byte ranges of its Korean words that the index
    /// knows in no form (searched by their bigrams too: a spacing error, an unknown compound).
    fn query_words(&self, query: &str) -> Result<(Vec<String>, Vec<Range<usize>>)> {
        let mut terms: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for token in Analyzer::Text.analyze(query) {
            if token.text.chars().nth(MAX_WORD_CHARS).is_some() {
                // Korean written without spaces is still searched by its bigrams (at most
                // MAX_TERMS of them); nothing else that long is a word.
                if token.text.starts_with(is_hangul) {
                    unknown.push(token.offset_from..token.offset_to);
                }
                continue;
            }
            let forms = if crate::jamo::is_initials(&token.text) {
                let words = self.expand_initials(&token.text);
                if words.is_empty() {
                    vec![token.text]
                } else {
                    words
                }
            } else if token.text.starts_with(is_hangul) {
                let word = token.offset_from..token.offset_to;
                let (forms, known) = self.known_korean_forms(&token.text, &query[word.clone()])?;
                if !known {
                    unknown.push(word);
                }
                forms
            } else {
                vec![token.text]
            };
            for term in forms {
                if !terms.contains(&term) && terms.len() < MAX_TERMS {
                    terms.push(term);
                }
            }
        }
        Ok((terms, unknown))
    }

    /// For each page document of `docs`, the IDF-weighted share of `concepts` found in it (text,
    /// path or meta). Each term's postings are read once for all the documents, in doc order.
    fn coverages(&self, docs: &[u32], concepts: &[Vec<String>]) -> Result<Vec<f32>> {
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
    fn doc_freq(&self, term: &str) -> Result<u64> {
        self.scoring.doc_freq(self.fields.text, term)
    }

    /// The IDF of a term in the text field.
    fn idf(&self, term: &str) -> Result<f32> {
        let total_docs = self.searcher.num_docs() as f32;
        let doc_freq = self.doc_freq(term)?;
        Ok((1.0 + total_docs / (doc_freq as f32 + 1.0)).ln())
    }

    /// Whether any term of `concept` occurs in document `doc` in one of `fields`.
    fn concept_in(&self, doc: u32, concept: &[String], fields: &[Field]) -> Result<bool> {
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
    fn conjugation_in(&self, doc: u32, term: &str) -> Result<bool> {
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

    /// The indexed words that may be other conjugations of the Korean word `term`: the same
    /// syllables but the last, then a syllable that begins with the same consonant, at most two
    /// syllables longer (`걸려` → `걸립`, `걸리`), with their postings.
    fn conjugations(&self, term: &str) -> Result<Vec<(String, tantivy::postings::TermInfo)>> {
        let syllables: Vec<char> = term.chars().collect();
        let Some((&last, stem)) = syllables.split_last() else {
            return Ok(Vec::new());
        };
        let Some(onset) = crate::jamo::initial_consonant(last) else {
            return Ok(Vec::new());
        };
        if stem.is_empty()
            || !stem
                .iter()
                .all(|c| crate::jamo::initial_consonant(*c).is_some())
        {
            return Ok(Vec::new());
        }
        let prefix: String = stem.iter().collect();
        let inverted = self.scoring.inverted(self.fields.text);
        let mut upper = prefix.clone().into_bytes();
        if let Some(byte) = upper.last_mut() {
            *byte += 1;
        }
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&upper)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut out = Vec::new();
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let next = candidate[prefix.len()..].chars().next();
            if candidate != term
                && candidate.chars().count() <= syllables.len() + 2
                && next.and_then(crate::jamo::initial_consonant) == Some(onset)
            {
                out.push((candidate.to_string(), stream.value().clone()));
            }
        }
        Ok(out)
    }

    /// What the search knows about its best guide, for the bot's confidence
    /// ([`crate::confidence`]).
    fn signals(&self, hits: &[GuideHit], concepts: &[Vec<String>]) -> Result<Option<Signals>> {
        let Some(top) = hits.first() else {
            return Ok(None);
        };
        let Ok(guide) = self
            .guides
            .binary_search_by(|g| g.guide.id.as_str().cmp(top.guide.id.as_str()))
        else {
            return Ok(None);
        };
        let doc = self.guides[guide].page_doc;
        let f = self.fields;
        let words =
            |text: &str| -> HashSet<String> { Analyzer::Text.terms(text).into_iter().collect() };
        let title = words(&top.guide.title);
        let heading = words(top.sections.first().map_or("", |s| s.heading.as_str()));
        let (mut total, mut content, mut covered, mut unknown) = (0f32, 0f32, 0f32, 0f32);
        let (mut in_title, mut in_heading) = (0f32, 0f32);
        let mut content_words = 0usize;
        for concept in concepts {
            let idf = self.idf(&concept[0])?;
            total += idf;
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
            if self.concept_in(doc, concept, &[f.text, f.meta, f.path])?
                || self.conjugation_in(doc, &concept[0])?
            {
                covered += idf;
            } else {
                let mut known = false;
                for term in concept {
                    for field in [f.text, f.meta] {
                        known |= self.scoring.doc_freq(field, term)? > 0;
                    }
                }
                if !known {
                    unknown += idf;
                }
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
        }))
    }

    /// The indexed forms of a Korean query word. The analyzer's stem when guides contain it;
    /// otherwise the first other form of the word that they contain (less or more stripped); otherwise
    /// a split into two words that they contain (`환경변수` → `환경`, `변수`), since Korean writes
    /// compounds with or without spaces. A word the index does not know at all is kept as it is.
    /// The flag says whether the index knows the word itself in some form (not only its parts).
    fn known_korean_forms(&self, stem: &str, word: &str) -> Result<(Vec<String>, bool)> {
        let doc_freq = |term: &str| self.doc_freq(term);
        if doc_freq(stem)? > 0 {
            return Ok((vec![stem.to_string()], true));
        }
        for form in korean_forms(word) {
            if form != stem && doc_freq(form)? > 0 {
                return Ok((vec![form.to_string()], true));
            }
        }
        let chars: Vec<(usize, char)> = stem.char_indices().collect();
        let mut best: Option<(u64, usize)> = None;
        for &(at, _) in chars.iter().take(chars.len().saturating_sub(1)).skip(2) {
            let weakest = doc_freq(&stem[..at])?.min(doc_freq(&stem[at..])?);
            if weakest > 0 && best.is_none_or(|(f, _)| weakest > f) {
                best = Some((weakest, at));
            }
        }
        if let Some((_, at)) = best {
            return Ok((vec![stem[..at].to_string(), stem[at..].to_string()], false));
        }
        // A verb in a conjugation the guides never use (`걸려요` where they say `걸립니다`).
        let conjugation = self
            .conjugations(stem)?
            .into_iter()
            .max_by_key(|(_, info)| info.doc_freq)
            .map(|(form, _)| form);
        let known = conjugation.is_some();
        Ok((vec![conjugation.unwrap_or_else(|| stem.to_string())], known))
    }

    /// For a Latin term of five letters or more that no guide contains, the most common indexed
    /// term within one edit (two for nine letters or more).
    fn correct(&self, term: &str) -> Result<Option<String>> {
        let letters = term.chars().count();
        if letters > MAX_TYPO_LETTERS {
            return Ok(None);
        }
        let korean = term.chars().all(|c| crate::jamo::split(c).is_some());
        if korean && letters >= MIN_KOREAN_TYPO {
            return self.correct_korean(term);
        }
        // English stems only: the scripts Baton does not analyse (Han, kana) have no typos it
        // could tell.
        if letters < 5 || !term.chars().all(|c| c.is_ascii_alphabetic()) {
            return Ok(None);
        }
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let distance = if letters >= 9 { 2 } else { 1 };
        self.most_frequent_near(term, distance)
    }

    /// The most frequent indexed word one jamo away from an unknown Korean word (`비밀번허` →
    /// `비밀번호`; in a two-syllable word only a commonly confused letter, `결쩨` → `결제`), ties
    /// to the first in dictionary order. The candidates are spelled out, 65 per syllable, and
    /// looked up: cheaper than walking the dictionary with an edit automaton, and no dearer as
    /// the dictionary grows.
    fn correct_korean(&self, term: &str) -> Result<Option<String>> {
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let syllables: Vec<char> = term.chars().collect();
        let mut candidate = syllables.clone();
        let mut word = String::with_capacity(term.len());
        let mut best: Option<(u64, String)> = None;
        for at in 0..syllables.len() {
            for variant in crate::jamo::one_letter_variants(syllables[at]) {
                candidate[at] = variant;
                word.clear();
                word.extend(&candidate);
                let doc_freq = self.doc_freq(&word)?;
                if doc_freq > 0
                    && best
                        .as_ref()
                        .is_none_or(|(f, w)| doc_freq > *f || doc_freq == *f && word < *w)
                    && (syllables.len() >= MIN_KOREAN_TYPO_ANY
                        || crate::jamo::commonly_confused(term, &word))
                {
                    best = Some((doc_freq, word.clone()));
                }
            }
            candidate[at] = syllables[at];
        }
        Ok(best.map(|(_, w)| w))
    }

    /// The most frequent indexed word within `distance` edits of `term` (a transposition is one).
    fn most_frequent_near(&self, term: &str, distance: u8) -> Result<Option<String>> {
        let field = self.fields.text;
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true).automaton()?;
        let mut best: Option<(u32, String)> = None;
        let mut stream = self
            .scoring
            .inverted(field)
            .terms()
            .search(&automaton)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let doc_freq = stream.value().doc_freq;
            if best.as_ref().is_none_or(|(f, _)| doc_freq > *f)
                && let Ok(candidate) = std::str::from_utf8(stream.key())
            {
                best = Some((doc_freq, candidate.to_string()));
            }
        }
        Ok(best.map(|(_, t)| t))
    }

    /// The indexed words whose initial consonants a query word is (`ㅂㅁㅂㅎ` → `비밀번호`),
    /// from guide titles, headings, tags and questions, most frequent first.
    fn expand_initials(&self, word: &str) -> Vec<String> {
        self.initials.get(word).cloned().unwrap_or_default()
    }

    /// Adds the scores of weighted terms in the text, path and meta fields, each at its field's
    /// weight (the page fields a term searches; sections have only text).
    fn add_text_scores(
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
    fn best_pages(
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

/// Longest prefix of a section that snippets look at: giant reference sections would otherwise
/// cost more to analyze than the whole search.
const SNIPPET_SCAN_BYTES: usize = 8 * 1024;
/// The part of a section looked at first; the rest up to [`SNIPPET_SCAN_BYTES`] only when this
/// part has no match.
const SNIPPET_FIRST_BYTES: usize = 1024;

/// The window of `text` with the most distinct matched terms, with matches marked.
fn snippet(text: &str, terms: &HashSet<&str>, bigrams: &HashSet<&str>) -> Snippet {
    let prefix = |bytes: usize| {
        let mut cut = text.len().min(bytes);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        &text[..cut]
    };
    // A word's terms begin with its first folded letter: skip the words no query term begins with.
    let mut initials: Vec<char> = terms.iter().filter_map(|t| t.chars().next()).collect();
    initials.sort_unstable();
    initials.dedup();
    let matching = |text: &str| -> Vec<(Range<usize>, String)> {
        let mut matches = Vec::new();
        Analyzer::Text.for_each_term_where(
            text,
            |word| word.chars().next().is_some_and(|c| initials.contains(&c)),
            |term, from, to| {
                if terms.contains(term) {
                    matches.push((from..to, term.to_string()));
                }
            },
        );
        matches
    };
    // Most sections match early: look at the first part, and at the rest only when it has no match.
    let first = prefix(SNIPPET_FIRST_BYTES);
    let text = prefix(SNIPPET_SCAN_BYTES);
    let mut matches = matching(first);
    if matches.is_empty() && first.len() < text.len() {
        matches = matching(text);
    }
    if matches.is_empty() {
        Analyzer::Bigram.for_each_term_where(
            text,
            |_| true,
            |bigram, from, to| {
                if bigrams.contains(bigram) && matches.last().is_none_or(|(r, _)| r.start != from) {
                    matches.push((from..to, bigram.to_string()));
                }
            },
        );
    }
    let window_bytes = SNIPPET_CHARS * 3;
    // The first match of the window that covers the most distinct terms.
    let mut best = (0, 0);
    for (i, (range, _)) in matches.iter().enumerate() {
        let distinct: HashSet<&str> = matches[i..]
            .iter()
            .take_while(|(r, _)| r.end <= range.start + window_bytes)
            .map(|(_, t)| t.as_str())
            .collect();
        if distinct.len() > best.1 {
            best = (i, distinct.len());
        }
    }
    let anchor = matches.get(best.0).map_or(0, |(r, _)| r.start);
    // Start a little before the first match, at a word boundary.
    let lead: usize = text[..anchor]
        .chars()
        .rev()
        .take(40)
        .map(char::len_utf8)
        .sum();
    let mut start = anchor - lead;
    if start > 0
        && let Some(space) = text[start..anchor].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let mut end = start;
    for (count, c) in text[start..].chars().enumerate() {
        if count >= SNIPPET_CHARS {
            break;
        }
        end += c.len_utf8();
    }
    if end < text.len()
        && let Some(space) = text[start..end]
            .rfind(char::is_whitespace)
            .filter(|&s| s > (end - start) / 2)
    {
        end = start + space;
    }

    let mut out = Snippet::default();
    if start > 0 {
        out.text.push('…');
    }
    // Build the text while folding whitespace, mapping source offsets to snippet offsets.
    let mut map = Vec::with_capacity(end - start + 1);
    let mut last_space = true;
    for (offset, c) in text[start..end].char_indices() {
        map.push((start + offset, out.text.len()));
        if c.is_whitespace() {
            if !last_space {
                out.text.push(' ');
            }
            last_space = true;
        } else {
            out.text.push(c);
            last_space = false;
        }
    }
    map.push((end, out.text.trim_end().len()));
    let to_snippet =
        |source: usize| map[map.partition_point(|(s, _)| *s < source).min(map.len() - 1)].1;
    for (range, _) in &matches {
        if range.start >= start && range.end <= end {
            let r = to_snippet(range.start)..to_snippet(range.end);
            if !r.is_empty() && out.highlights.last().is_none_or(|l| l.end <= r.start) {
                out.highlights.push(r);
            }
        }
    }
    let trimmed = out.text.trim_end().len();
    out.text.truncate(trimmed);
    if end < text.len() {
        out.text.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_highlights_matches() {
        let text = "Intro line.\nTo change your password, open Settings.\n\nPasswords must be 8 characters.";
        let terms: HashSet<&str> = ["password", "chang"].into_iter().collect();
        let s = snippet(text, &terms, &HashSet::new());
        assert_eq!(
            s.marked("[", "]"),
            "Intro line. To [change] your [password], open Settings. [Passwords] must be 8 characters."
        );
        assert_eq!(
            Snippet {
                text: "a<b".into(),
                highlights: vec![Range { start: 2, end: 3 }]
            }
            .html(),
            "a&lt;<mark>b</mark>"
        );
    }

    #[test]
    fn snippet_of_korean_uses_word_forms_then_bigrams() {
        let text = "비밀번호를 변경하려면 설정 메뉴로 가세요.";
        let terms: HashSet<&str> = ["비밀번호", "변경"].into_iter().collect();
        let s = snippet(text, &terms, &HashSet::new());
        assert_eq!(
            s.marked("[", "]"),
            "[비밀번호를] [변경하려면] 설정 메뉴로 가세요."
        );
        let bigrams: HashSet<&str> = ["메뉴"].into_iter().collect();
        let s = snippet(text, &HashSet::new(), &bigrams);
        assert_eq!(
            s.marked("[", "]"),
            "비밀번호를 변경하려면 설정 [메뉴로] 가세요."
        );
    }

    #[test]
    fn long_text_is_windowed_around_matches() {
        let text = format!(
            "{} needle here {}",
            "word ".repeat(200),
            "tail ".repeat(200)
        );
        let terms: HashSet<&str> = ["needl"].into_iter().collect();
        let s = snippet(&text, &terms, &HashSet::new());
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.marked("[", "]").contains("[needle]"));
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn snippet_runs_alternate_plain_and_marked() {
        let snippet = Snippet {
            text: "환불은 영업일 3~7일이 걸립니다".into(),
            highlights: vec![0..9, 30..42],
        };
        let runs = snippet.runs();
        assert_eq!(runs, ["", "환불은", " 영업일 3~7일이 ", "걸립니다", ""]);
        assert_eq!(runs.concat(), snippet.text);
        let plain = Snippet {
            text: "no match".into(),
            highlights: vec![],
        };
        assert_eq!(plain.runs(), ["no match"]);
    }

    #[test]
    fn tuning_is_settable_by_name() {
        let mut t = Tuning::default();
        t.set("bigram=0.5").expect("set");
        assert_eq!(t.bigram, 0.5);
        assert!(t.set("nope=1").is_err());
        assert!(t.set("text").is_err());
    }
}
