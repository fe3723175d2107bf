//! Searching the index: query analysis, scoring, grouping by guide, snippets.
//!
//! The query is never parsed as query syntax: it is analyzed into terms exactly as guides were, so
//! `client:load`, `AND(`, quotes or `*` are only words (or nothing). Terms search the page documents
//! (all text with title and headings counted twice, path words, `questions` and `tags`, Hangul
//! bigrams of the Korean words the index does not know), then the section documents of the 100
//! best pages' guides; a guide's score is its page score plus 0.7 of its best section's, and its
//! best sections are shown with highlighted snippets.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Serialize;
use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzer, is_hangul, korean_forms};
use crate::confidence::Signals;
use crate::error::Result;
use crate::function_words::is_function_word;
use crate::guide::Lang;
use crate::index::{GuideInfo, KIND_PAGE, KnowledgeBase};

/// Longest query searched, in characters; longer ones are cut with a notice.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most distinct terms searched per analysis.
const MAX_TERMS: usize = 32;
/// Shortest Korean word (in syllables) corrected for a letter Korean writers confuse.
const MIN_KOREAN_TYPO: usize = 2;
/// Shortest Korean word corrected for any one-letter typo.
const MIN_KOREAN_TYPO_ANY: usize = 3;
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
        self.render("<mark>", "</mark>", |s| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        })
    }

    fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(
            self.text.len() + self.highlights.len() * (open.len() + close.len()),
        );
        let mut at = 0;
        for range in &self.highlights {
            out.push_str(&escape(&self.text[at..range.start]));
            out.push_str(open);
            out.push_str(&escape(&self.text[range.clone()]));
            out.push_str(close);
            at = range.end;
        }
        out.push_str(&escape(&self.text[at..]));
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
        let mut page_should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut section_should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, weight) in &analyzed.text {
            for (field, field_weight, on_sections) in [
                (f.text, tuning.text, true),
                (f.path, tuning.path, false),
                (f.meta, tuning.meta, false),
            ] {
                let boost = weight * field_weight;
                if boost > 0.0 {
                    page_should.push(term_clause(field, term, boost));
                    if on_sections {
                        section_should.push(term_clause(field, term, boost));
                    }
                }
            }
        }
        if tuning.bigram > 0.0 {
            for bigram in &analyzed.bigrams {
                page_should.push(term_clause(f.bigram, bigram, tuning.bigram));
                section_should.push(term_clause(f.bigram, bigram, tuning.bigram));
            }
        }

        let pages = self.top(KIND_PAGE, page_should, lang_filter, request.area, 100)?;
        let sections = self.section_scores(section_should, &pages)?;

        // guide index → (page score, sections as (section index, score) best first)
        let mut by_guide: BTreeMap<usize, (f32, Vec<(usize, f32)>)> = BTreeMap::new();
        for (score, doc) in pages {
            if let Some((guide, None)) = self.locate(doc) {
                by_guide.entry(guide).or_default().0 = score;
            }
        }
        for (score, doc) in sections {
            if let Some((guide, Some(section))) = self.locate(doc) {
                by_guide.entry(guide).or_default().1.push((section, score));
            }
        }
        for (_, sections) in by_guide.values_mut() {
            sections.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        // A Korean page's English translation, searched with the query put into English.
        if lang_filter == Some(Lang::Ko) && tuning.cross > 0.0 && !analyzed.english.is_empty() {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (term, weight) in &analyzed.english {
                should.push(term_clause(f.text, term, *weight * tuning.text));
                should.push(term_clause(f.path, term, *weight * tuning.path));
                should.push(term_clause(f.meta, term, *weight * tuning.meta));
            }
            // On the Korean ranking's scale: the best translation counts as much as the best page.
            let english_pages = self.top(KIND_PAGE, should, Some(Lang::En), request.area, 100)?;
            let korean_best = by_guide.values().map(|(p, _)| *p).fold(0.0f32, f32::max);
            let english_best = english_pages.first().map_or(0.0, |(s, _)| *s);
            let scale = if english_best > 0.0 {
                korean_best / english_best
            } else {
                0.0
            };
            for (score, doc) in english_pages {
                let score = score * scale;
                if let Some((guide, None)) = self.locate(doc)
                    && let Some(ko) = self.translations[guide]
                    // Evidence for pages the Korean words found, never a page of its own.
                    && let Some(entry) = by_guide.get_mut(&ko)
                {
                    entry.0 += tuning.cross * score;
                }
            }
        }
        let mut ranked: Vec<Ranked> = by_guide
            .into_iter()
            .map(|(guide, (page, sections))| {
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
                let crate::lexicon::Expansions { pairs, loans } = self.lexicon.expansions(term);
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
        let segment = self.searcher.segment_reader(0);
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
                    let Some(mut postings) = segment
                        .inverted_index(field)?
                        .read_postings(
                            &Term::from_field_text(field, term),
                            IndexRecordOption::Basic,
                        )
                        .map_err(tantivy::TantivyError::from)?
                    else {
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
        Ok(self
            .searcher
            .doc_freq(&Term::from_field_text(self.fields.text, term))?)
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
        let segment = self.searcher.segment_reader(0);
        for term in concept {
            for &field in fields {
                let postings = segment
                    .inverted_index(field)?
                    .read_postings(
                        &Term::from_field_text(field, term),
                        IndexRecordOption::Basic,
                    )
                    .map_err(tantivy::TantivyError::from)?;
                // `seek` must not move backwards: check the first posting before seeking.
                if let Some(mut postings) = postings
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
        let inverted = self
            .searcher
            .segment_reader(0)
            .inverted_index(self.fields.text)?;
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
        let inverted = self
            .searcher
            .segment_reader(0)
            .inverted_index(self.fields.text)?;
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
                        known |= self
                            .searcher
                            .doc_freq(&Term::from_field_text(field, term))?
                            > 0;
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
        let korean = term.chars().all(|c| crate::jamo::split(c).is_some());
        if korean && letters >= MIN_KOREAN_TYPO {
            return self.correct_korean(term);
        }
        if letters < 5 || term.chars().any(|c| is_hangul(c) || c.is_ascii_digit()) {
            return Ok(None);
        }
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let distance = if letters >= 9 { 2 } else { 1 };
        self.most_frequent_near(term, distance, true, |_| true)
    }

    /// The most frequent indexed word one jamo away from an unknown Korean word (`비밀번허` →
    /// `비밀번호`; in a two-syllable word only a commonly confused letter, `결쩨` → `결제`):
    /// candidates one syllable away, kept when a single letter of that syllable differs.
    fn correct_korean(&self, term: &str) -> Result<Option<String>> {
        if self.doc_freq(term)? > 0 {
            return Ok(None);
        }
        let syllables = term.chars().count();
        self.most_frequent_near(term, 1, false, |candidate| {
            candidate.chars().count() == syllables
                && (syllables >= MIN_KOREAN_TYPO_ANY
                    && crate::jamo::one_letter_apart(term, candidate)
                    || crate::jamo::commonly_confused(term, candidate))
        })
    }

    /// The most frequent indexed word within `distance` edits of `term` that `keep` accepts.
    fn most_frequent_near(
        &self,
        term: &str,
        distance: u8,
        transpositions: bool,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Option<String>> {
        let field = self.fields.text;
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, term), distance, transpositions)
                .automaton()?;
        let mut best: Option<(u32, String)> = None;
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let doc_freq = stream.value().doc_freq;
                if best.as_ref().is_none_or(|(f, _)| doc_freq > *f)
                    && let Ok(candidate) = std::str::from_utf8(stream.key())
                    && keep(candidate)
                {
                    best = Some((doc_freq, candidate.to_string()));
                }
            }
        }
        Ok(best.map(|(_, t)| t))
    }

    /// The indexed words whose initial consonants a query word is (`ㅂㅁㅂㅎ` → `비밀번호`),
    /// from guide titles, headings, tags and questions, most frequent first.
    fn expand_initials(&self, word: &str) -> Vec<String> {
        self.initials.get(word).cloned().unwrap_or_default()
    }

    /// Top `limit` documents of one kind matching any of `should`, within the filters.
    /// The sections of the guides of `pages` that `should` matches, with their scores: only
    /// the candidates' sections are scored, each guide's being a run of doc ids after its page.
    fn section_scores(
        &self,
        should: Vec<(Occur, Box<dyn Query>)>,
        pages: &[(f32, u32)],
    ) -> Result<Vec<(f32, u32)>> {
        use tantivy::DocSet;
        if should.is_empty() || pages.is_empty() {
            return Ok(Vec::new());
        }
        let weight = BooleanQuery::new(should).weight(
            tantivy::query::EnableScoring::enabled_from_searcher(&self.searcher),
        )?;
        let mut scorer = weight.scorer(self.searcher.segment_reader(0), 1.0)?;
        let mut ranges: Vec<(u32, u32)> = pages
            .iter()
            .filter_map(|&(_, doc)| {
                let (guide, _) = self.locate(doc)?;
                let entry = &self.guides[guide];
                Some((
                    entry.page_doc + 1,
                    entry.page_doc + 1 + entry.sections.len() as u32,
                ))
            })
            .collect();
        ranges.sort_unstable();
        let mut out = Vec::new();
        for (start, end) in ranges {
            let mut doc = scorer.doc();
            if doc < start {
                doc = scorer.seek(start);
            }
            while doc < end {
                out.push((scorer.score(), doc));
                doc = scorer.advance();
            }
            if doc == tantivy::TERMINATED {
                break;
            }
        }
        Ok(out)
    }

    fn top(
        &self,
        kind: &str,
        should: Vec<(Occur, Box<dyn Query>)>,
        lang: Option<Lang>,
        area: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(f32, u32)>> {
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let filter = |field: Field, value: &str| -> (Occur, Box<dyn Query>) {
            let query = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(query), 0.0)),
            )
        };
        let mut clauses = vec![
            filter(f.kind, kind),
            (
                Occur::Must,
                Box::new(BooleanQuery::new(should)) as Box<dyn Query>,
            ),
        ];
        if let Some(lang) = lang {
            clauses.push(filter(f.lang, lang.code()));
        }
        if let Some(area) = area {
            clauses.push(filter(f.area, area));
        }
        let top = self.searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        Ok(top
            .into_iter()
            .map(|(score, address)| (score, address.doc_id))
            .collect())
    }
}

fn term_clause(field: Field, term: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let query = TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    );
    (
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(query), boost)),
    )
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
    let initials: HashSet<char> = terms.iter().filter_map(|t| t.chars().next()).collect();
    let matching = |text: &str| -> Vec<(Range<usize>, String)> {
        Analyzer::Text
            .analyze_where(text, |word| {
                word.chars().next().is_some_and(|c| initials.contains(&c))
            })
            .into_iter()
            .filter(|t| terms.contains(t.text.as_str()))
            .map(|t| (t.offset_from..t.offset_to, t.text))
            .collect()
    };
    // Most sections match early: look at the first part, and at the rest only when it has no match.
    let first = prefix(SNIPPET_FIRST_BYTES);
    let text = prefix(SNIPPET_SCAN_BYTES);
    let mut matches = matching(first);
    if matches.is_empty() && first.len() < text.len() {
        matches = matching(text);
    }
    if matches.is_empty() {
        matches = Analyzer::Bigram
            .analyze(text)
            .into_iter()
            .filter(|t| bigrams.contains(t.text.as_str()))
            .map(|t| (t.offset_from..t.offset_to, t.text))
            .collect();
        matches.dedup_by(|a, b| a.0 == b.0);
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
    fn tuning_is_settable_by_name() {
        let mut t = Tuning::default();
        t.set("bigram=0.5").expect("set");
        assert_eq!(t.bigram, 0.5);
        assert!(t.set("nope=1").is_err());
        assert!(t.set("text").is_err());
    }
}
