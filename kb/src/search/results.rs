//! What a search is asked, and what it returns: guides with their best sections and snippets.

use std::ops::Range;

use serde::Serialize;

use crate::confidence::Signals;
use crate::guide::Lang;
use crate::index::GuideInfo;

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
    /// The question's embedding by the sentence model (`Kind::Query`), when the caller has one:
    /// ranks by meaning beside words (at [`Tuning::meaning`]) and gives the bot's confidence its
    /// meaning signals. As-you-type searches leave it out and stay lexical.
    pub meaning: Option<&'a [f32]>,
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
            meaning: None,
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
    /// Where its text is: [`crate::KnowledgeBase::text`] reads it without looking the guide up.
    #[serde(skip)]
    pub at: SectionAt,
}

/// A section of the open index, as a search found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SectionAt {
    pub(crate) guide: u32,
    pub(crate) section: u32,
}

impl SectionAt {
    pub(crate) fn new(guide: usize, section: usize) -> SectionAt {
        SectionAt {
            guide: guide as u32,
            section: section as u32,
        }
    }
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
