//! `GET /api/search`: the help center's search.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kb::{Lang, SearchRequest, SearchResults};
use serde::{Deserialize, Serialize};

use super::{AppError, AppJson, AppQuery, AppState, Routes};

/// Most results one search returns.
const MAX_LIMIT: usize = 20;
/// Longest an as-you-type search waits for its lane.
const TYPING_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Query string of a search.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    /// The words.
    pub q: Option<String>,
    /// `ko` or `en`; detected from the words when absent.
    pub lang: Option<Lang>,
    /// A product area.
    pub area: Option<String>,
    /// How many guides (1–20, default 10).
    pub limit: Option<usize>,
    /// `true` for a search made as the reader types: not recorded (the help center reports the
    /// search it settles on through `POST /api/feedback/search`).
    #[serde(default)]
    pub typing: bool,
}

/// What a page shows of a search: no scores, coverage or file paths (the bot reads those in
/// process), and snippets as text a page can put in the DOM without parsing HTML.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
    /// The query as searched (after capping).
    pub query: String,
    /// The language searched.
    pub lang: Lang,
    /// Things the reader should know (`searched for "password" as well as …`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// Guides, best first.
    pub hits: Vec<Hit>,
}

/// One guide of a search, as a result list shows it.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// Guide id, which is also its path in the help center (`ko/payments/refund`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Product area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Kind of guide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The best matching sections (up to 3), best first; the first with a snippet.
    pub sections: Vec<SectionLink>,
}

/// A section a result links to.
#[derive(Debug, Serialize)]
pub struct SectionLink {
    /// Heading, empty for the introduction.
    pub heading: String,
    /// Anchor, empty for the introduction.
    pub anchor: String,
    /// The snippet as alternating runs, plain first: `["…refunds take ", "3", " days"]` marks
    /// `3`. Text only, never markup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Vec<String>>,
}

impl From<SearchResults> for SearchResponse {
    fn from(results: SearchResults) -> Self {
        SearchResponse {
            query: results.query,
            lang: results.lang,
            notices: results.notices,
            hits: results
                .hits
                .into_iter()
                .map(|hit| Hit {
                    id: hit.guide.id,
                    title: hit.guide.title,
                    area: hit.guide.area,
                    category: hit.guide.category,
                    sections: hit
                        .sections
                        .into_iter()
                        .map(|section| SectionLink {
                            heading: section.heading,
                            anchor: section.anchor,
                            snippet: section.snippet.as_ref().map(|snippet| {
                                snippet.runs().into_iter().map(str::to_string).collect()
                            }),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The search routes: the search, and the search a help center reader settled on (recorded from
/// what the page's search found, kept a while in this process, not searched again).
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/search", search)
        .post("/api/feedback/search", search_settled)
}

/// A help center search the reader stopped typing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettled {
    /// The reader's words.
    pub q: String,
    /// The help center's language.
    #[serde(default)]
    pub lang: Option<kb::Lang>,
}

async fn search_settled(
    State(state): State<AppState>,
    AppJson(body): AppJson<SearchSettled>,
) -> Result<StatusCode, AppError> {
    state.desk.search_settled(&body.q, body.lang).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn search(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<SearchParams>,
) -> Result<Json<SearchResponse>, AppError> {
    let q = params.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(AppError::invalid("q is required"));
    }
    let limit = params.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    // As-you-type searches wait for their lane (a flood of them queues there, not in front of
    // conversations); one that cannot start soon is not worth answering any more.
    let _lane = if params.typing {
        match tokio::time::timeout(TYPING_WAIT, Arc::clone(&state.typing_lane).acquire_owned())
            .await
        {
            Ok(Ok(permit)) => Some(permit),
            _ => {
                return Err(AppError::from(crate::Error::Unavailable(
                    "searches are busy; try again".into(),
                )));
            }
        }
    } else {
        None
    };
    let desk = state.desk.clone();
    let words = q.clone();
    let results = tokio::task::spawn_blocking(move || {
        desk.kb().search(&SearchRequest {
            query: &words,
            lang: params.lang,
            area: params.area.as_deref(),
            limit,
            snippets: true,
            context: None,
            meaning: None,
        })
    })
    .await
    .map_err(|e| crate::Error::Unavailable(format!("search task: {e}")))?
    .map_err(crate::Error::from)?;
    if params.typing {
        // What the help center reports once the reader stops typing: remembered, not searched
        // again.
        state.desk.remember_search(&q, params.lang, &results);
    } else {
        // Search works while the store is down: an unrecorded search costs a count, not an answer.
        if let Err(error) = state
            .desk
            .record_search(&q, &results, crate::events::SOURCE_API)
            .await
        {
            tracing::warn!(%error, "search not recorded");
        }
    }
    Ok(Json(results.into()))
}
