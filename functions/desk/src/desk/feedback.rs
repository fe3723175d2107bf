//! What readers and searchers tell the desk outside a conversation: "was this helpful?" under
//! an article, and the searches of the help center and the API, recorded as events for the
//! weekly insights (`docs/events.md`).

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::Lang;

use super::{Desk, MAX_FEEDBACK_SEARCH_CHARS};
use crate::error::{Error, Result};
use crate::events;
use crate::model::{Event, EventKind};
use crate::store::Commit;

impl Desk {
    /// Records a reader's "was this helpful?" under a help center article: the guide (which must
    /// exist), the verdict, and the reader's last search, masked like every stored text.
    pub async fn article_feedback(
        &self,
        guide: &str,
        helpful: bool,
        search: Option<&str>,
    ) -> Result<Event> {
        let entry = self
            .kb
            .guide(guide)
            .ok_or_else(|| Error::Invalid(format!("no guide {guide:?}")))?;
        let mut data = BTreeMap::from([
            (events::GUIDE.to_string(), entry.guide.id.clone()),
            (events::HELPFUL.to_string(), helpful.to_string()),
            (
                events::LANG.to_string(),
                entry.guide.lang.code().to_string(),
            ),
        ]);
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let search: String = search.chars().take(MAX_FEEDBACK_SEARCH_CHARS).collect();
            data.insert(events::SEARCH.into(), self.mask(&search));
        }
        let mut event = Event::new(
            EventKind::ArticleFeedback,
            "",
            None,
            entry.guide.area.clone(),
            [],
        );
        event.data = data;
        self.store
            .commit(&Commit {
                events: vec![event.clone()],
                ..Commit::default()
            })
            .await?;
        Ok(event)
    }

    /// Remembers what an as-you-type search found, so that the search the reader settles on is
    /// recorded from it ([`Desk::search_settled`]) rather than searched again.
    pub fn remember_search(&self, query: &str, lang: Option<Lang>, results: &kb::SearchResults) {
        let found = Found {
            hits: results.hits.len(),
            top: results.hits.first().map(|h| h.guide.id.clone()),
            probability: self.probability(results),
            lang: results.lang,
        };
        self.recent_searches
            .remember(recent_key(query, lang), found);
    }

    /// Records a help center search once it settled (the reader stopped typing): what the page's
    /// own search found, remembered by this process; searched again only when it was not (another
    /// Lambda instance served the page's search, or it was forgotten). Returns the number of
    /// guides found.
    pub async fn search_settled(&self, query: &str, lang: Option<Lang>) -> Result<usize> {
        let words = events::words(query);
        if words.is_empty() {
            return Err(Error::Invalid("q is required".into()));
        }
        let masked = self.mask(&words);
        let found = match self.recent_searches.get(&recent_key(query, lang)) {
            Some(found) => found,
            None => {
                let kb = Arc::clone(&self.kb);
                // The words as stored, searched as the bot searches a masked message.
                let words = pii::without_masks(&masked);
                let results = tokio::task::spawn_blocking(move || {
                    kb.search(&kb::SearchRequest {
                        query: &words,
                        lang,
                        area: None,
                        limit: 10,
                        snippets: false,
                        context: None,
                        meaning: None,
                    })
                })
                .await
                .map_err(|e| Error::Unavailable(format!("search task: {e}")))??;
                Found {
                    hits: results.hits.len(),
                    top: results.hits.first().map(|h| h.guide.id.clone()),
                    probability: self.probability(&results),
                    lang: results.lang,
                }
            }
        };
        self.record_masked_search(
            masked,
            Some(found.lang),
            found.hits,
            found.top.as_deref(),
            found.probability,
            events::SOURCE_HELP_CENTER,
        )
        .await?;
        Ok(found.hits)
    }

    /// How likely a search's best guide answers it, by the knowledge base's confidence model (what
    /// the bot decides on).
    pub fn probability(&self, results: &kb::SearchResults) -> Option<f32> {
        results
            .signals
            .as_ref()
            .map(|s| self.kb.confidence().probability(s))
    }

    /// Records a search already made (`query` as the caller received it; masked here).
    pub async fn record_search(
        &self,
        query: &str,
        results: &kb::SearchResults,
        source: &str,
    ) -> Result<()> {
        let query = self.mask(&events::words(query));
        let top = results.hits.first().map(|h| h.guide.id.as_str());
        self.record_masked_search(
            query,
            Some(results.lang),
            results.hits.len(),
            top,
            self.probability(results),
            source,
        )
        .await
    }

    /// Records a search whose words are cut and masked already.
    async fn record_masked_search(
        &self,
        query: String,
        lang: Option<Lang>,
        hits: usize,
        top_guide: Option<&str>,
        probability: Option<f32>,
        source: &str,
    ) -> Result<()> {
        let lang = lang.unwrap_or_else(|| Lang::detect(&pii::without_masks(&query)));
        let event = Event::new(
            EventKind::Search,
            "",
            None,
            top_guide
                .and_then(|id| self.kb.guide(id))
                .and_then(|g| g.guide.area.clone()),
            [
                (events::QUERY, query),
                (events::LANG, lang.code().to_string()),
                (events::HITS, hits.to_string()),
                (events::TOP_GUIDE, top_guide.unwrap_or_default().to_string()),
                (events::SOURCE, source.to_string()),
                (
                    events::PROBABILITY,
                    format!("{:.3}", probability.unwrap_or(0.0)),
                ),
            ],
        );
        let event = match &self.search_log {
            Some(log) => match log.write(event).await {
                Ok(written) => return written,
                Err(event) => event,
            },
            None => event,
        };
        self.store
            .commit(&Commit {
                events: vec![event],
                ..Commit::default()
            })
            .await?;
        Ok(())
    }
}

/// What a search found, as much as recording it needs.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    hits: usize,
    top: Option<String>,
    probability: Option<f32>,
    lang: Lang,
}

/// A search's words and the language asked for, as the page sends them both times, hashed: what
/// a reader typed is not kept in memory, not even masked.
fn recent_key(query: &str, lang: Option<Lang>) -> String {
    let words: Vec<&str> = query.split_whitespace().collect();
    let key = format!("{}\u{0}{}", lang.map_or("", |l| l.code()), words.join(" "));
    blake3::hash(key.as_bytes()).to_hex().to_string()
}

/// The last searches made as readers typed, by their words: at most [`RECENT_SEARCHES`], the
/// oldest forgotten first. Only the counts and the best guide are kept, never anyone's address.
#[derive(Debug, Default)]
pub(crate) struct RecentSearches {
    inner: std::sync::Mutex<(
        std::collections::HashMap<String, Found>,
        std::collections::VecDeque<String>,
    )>,
}

/// How many as-you-type searches a process remembers.
const RECENT_SEARCHES: usize = 4096;

impl RecentSearches {
    fn remember(&self, key: String, found: Found) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (map, order) = &mut *inner;
        if map.insert(key.clone(), found).is_none() {
            order.push_back(key);
            while order.len() > RECENT_SEARCHES {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
    }

    fn get(&self, key: &str) -> Option<Found> {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.0.get(key).cloned()
    }
}
