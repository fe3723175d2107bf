//! Searching the index: query analysis, scoring, grouping by guide, snippets.
//!
//! The query is never parsed as query syntax: it is analyzed into terms exactly as guides were, so
//! `client:load`, `AND(`, quotes or `*` are only words (or nothing). Each weighted term's postings
//! are added into one score per document ([`crate::scoring`]): page documents (all text with title
//! and headings counted twice, path words, `questions` and `tags`, Hangul bigrams of the Korean
//! words the index does not know) and section documents at once. The 100 best pages within the
//! language and area are kept; a guide's score is its page score plus 0.7 of its best section's,
//! and its best sections are shown with highlighted snippets.
//!
//! Each posting is read once: while a term's postings are scored, the documents holding it are
//! marked with the query concepts it stands for (`found.rs`), and coverage and the bot's signals
//! read those marks. A section's text and its analysed first words are read from the index once
//! and kept, and a misspelling is corrected once per index; a hit carries where its sections are
//! ([`SectionAt`]), so the bot quotes the section the search found without looking it up.
//!
//! One file per step: `query.rs` (what the words become: terms, typo corrections, synonyms, the
//! other script's words, bigrams; each language's part behind [`crate::analysis::WordAnalysis`]),
//! `rank.rs` (postings into scores, the best pages), `found.rs` (which documents hold which query
//! concepts), `signals.rs` (what the bot's confidence reads of the best guide), `snippet.rs` (the
//! highlighted window), `results.rs` (the request and what a search returns), `tuning.rs` (the
//! weights).

mod found;
mod meaning;
mod query;
mod rank;
mod results;
mod signals;
mod snippet;
mod tuning;

use std::collections::HashSet;

pub(crate) use query::Corrections;
pub use results::{GuideHit, SearchRequest, SearchResults, SectionAt, SectionHit, Snippet};
pub(crate) use snippet::SectionWords;
pub use tuning::Tuning;

use crate::error::Result;
use crate::function_words::is_function_word;
use crate::guide::Lang;
use crate::index::KnowledgeBase;

/// Longest query searched, in characters; longer ones are cut with a notice.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most distinct terms searched per analysis.
const MAX_TERMS: usize = 32;

/// A guide in the ranking: its index, combined score, and matching sections (index, score).
type Ranked = (usize, f32, Vec<(usize, f32)>);

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
        // The question's meaning, when the caller embedded it and the index has vectors.
        let meaning = request.meaning.zip(self.dense());
        let no_words = analyzed.text.is_empty() && analyzed.bigrams.is_empty();
        if no_words && meaning.is_none() || request.limit == 0 {
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
        let idfs = analyzed
            .concepts
            .iter()
            .map(|concept| self.idf(&concept[0]))
            .collect::<Result<Vec<f32>>>()?;
        let mut found = found::Found::new(&analyzed.concepts, idfs, scores.len());
        self.add_text_scores(&analyzed.text, tuning, &mut scores, Some(&mut found))?;
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
            self.add_text_scores(&analyzed.english, tuning, &mut scores, None)?;
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
        // Every admitted guide by its closest section to the question. Meaning crosses
        // languages: a guide in another language is admitted when it has no translation in the
        // question's, since for that question it is the only version there is.
        let near: Vec<crate::dense::Near> = match meaning {
            Some((question, dense)) => dense.nearest(question, |g| {
                let entry = &self.guides[g];
                let lang_ok = lang_filter
                    .is_none_or(|l| entry.guide.lang == l || self.translations[g].is_none());
                lang_ok
                    && request
                        .area
                        .is_none_or(|a| entry.guide.area.as_deref() == Some(a))
            }),
            None => Vec::new(),
        };
        if tuning.meaning > 0.0 && !near.is_empty() {
            let cross = |g: usize| self.guides[g].guide.lang != lang;
            meaning::fuse(&mut ranked, &near, tuning.meaning, cross);
        }
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
        let top_doc = ranked.first().map(|r| self.guides[r.0].page_doc);
        for (guide, score, mut sections) in ranked {
            let entry = &self.guides[guide];
            if sections.is_empty() && !entry.sections.is_empty() {
                sections.push((0, 0.0));
            }
            sections.truncate(3);
            let mut section_hits = Vec::with_capacity(sections.len());
            for (rank, (section, section_score)) in sections.into_iter().enumerate() {
                let at = SectionAt::new(guide, section);
                let snippet = if request.snippets && rank == 0 {
                    let text = self.text(at)?;
                    let words = self.words[self.doc_of(at) as usize]
                        .get_or_init(|| snippet::SectionWords::of(&text));
                    Some(snippet::snippet(
                        &text,
                        words,
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
                    at,
                });
            }
            let coverage = found.coverage(entry.page_doc);
            results.hits.push(GuideHit {
                guide: entry.guide.clone(),
                score,
                coverage,
                sections: section_hits,
            });
        }
        results.signals = self.signals(&results.hits, top_doc, &analyzed.concepts, &found)?;
        if let (Some(signals), Some(top)) = (results.signals.as_mut(), results.hits.first())
            && !near.is_empty()
        {
            signals.meaning = Some(meaning::signals(self, &near, top));
        }
        Ok(results)
    }
}
