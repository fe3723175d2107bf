//! `GET /api/search`: the help center's search.

use axum::Json;
use axum::extract::State;
use kb::{Lang, SearchRequest, SearchResults};
use serde::Deserialize;

use super::{AppError, AppQuery, AppState, Routes};

/// Most results one search returns.
const MAX_LIMIT: usize = 20;

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
}

/// The search routes.
pub fn routes() -> Routes {
    Routes::new().get("/api/search", search)
}

async fn search(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<SearchParams>,
) -> Result<Json<SearchResults>, AppError> {
    let q = params.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(AppError::invalid("q is required"));
    }
    let limit = params.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    let desk = state.desk.clone();
    let results = tokio::task::spawn_blocking(move || {
        desk.kb().search(&SearchRequest {
            query: &q,
            lang: params.lang,
            area: params.area.as_deref(),
            limit,
            snippets: true,
            context: None,
        })
    })
    .await
    .map_err(|e| crate::Error::Unavailable(format!("search task: {e}")))?
    .map_err(crate::Error::from)?;
    Ok(Json(results))
}
