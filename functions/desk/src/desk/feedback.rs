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
use crate::pii;
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

    /// Records a help center search once it settled (the reader stopped typing), searching again
    /// so the hits and the best guide are the desk's, not what a page says. Returns the number of
    /// guides found.
    pub async fn search_settled(&self, query: &str, lang: Option<Lang>) -> Result<usize> {
        let query = events::words(query);
        if query.is_empty() {
            return Err(Error::Invalid("q is required".into()));
        }
        let query = self.mask(&query);
        let kb = Arc::clone(&self.kb);
        // The words as stored, searched as the bot searches a masked message.
        let words = pii::without_masks(&query);
        let hits = tokio::task::spawn_blocking(move || {
            kb.search(&kb::SearchRequest {
                query: &words,
                lang,
                area: None,
                limit: 10,
                snippets: false,
                context: None,
            })
        })
        .await
        .map_err(|e| Error::Unavailable(format!("search task: {e}")))??;
        let found = hits.hits.len();
        let top = hits.hits.first().map(|h| h.guide.id.as_str());
        let probability = self.probability(&hits);
        self.record_masked_search(
            query,
            lang,
            found,
            top,
            probability,
            events::SOURCE_HELP_CENTER,
        )
        .await?;
        Ok(found)
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
        self.store
            .commit(&Commit {
                events: vec![event],
                ..Commit::default()
            })
            .await?;
        Ok(())
    }
}
