//! The operator side under `/api/operator`: the queue and what can be done with a case.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::{AppError, AppJson, AppPath, AppQuery, AppState, Operator, OptionalJson, Routes};
use std::collections::BTreeMap;

use crate::desk::{CaseView, Linked, QueuePage, Span};
use crate::insights::Report;
use crate::model::{Case, Category, Message, Note};
use crate::presence::{Activity, Presence};

/// The operator routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/operator/queue", queue)
        .get("/api/operator/cases/{id}", case)
        .post("/api/operator/cases/{id}/claim", claim)
        .post("/api/operator/cases/{id}/release", release)
        .post("/api/operator/cases/{id}/reply", reply)
        .post("/api/operator/cases/{id}/notes", note)
        .post("/api/operator/cases/{id}/contact", contact)
        .post("/api/operator/cases/{id}/resolve", resolve)
        .post("/api/operator/cases/{id}/reopen", reopen)
        .post("/api/operator/cases/{id}/presence", presence)
        .get(
            "/api/operator/cases/{id}/attachments/{attachment}",
            attachment,
        )
        .get("/api/operator/organisations", organisations)
        .post("/api/operator/organisations", save_organisation)
        .get("/api/operator/organisations/{id}", organisation)
        .get("/api/operator/feature-requests", feature_requests)
        .post("/api/operator/feature-requests", triage)
        .get("/api/operator/insights", insights)
        .get("/api/operator/insights/charts", charts)
        .get("/api/operator/health", health)
        .get("/api/operator/me", me)
}

/// Who the console is signed in as.
#[derive(Debug, serde::Serialize)]
struct Me {
    name: String,
}

async fn me(Operator(name): Operator) -> Json<Me> {
    Json(Me { name })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueParams {
    limit: Option<usize>,
    cursor: Option<String>,
    /// Only the cases of this organisation.
    organisation: Option<String>,
}

async fn queue(
    State(state): State<AppState>,
    _: Operator,
    AppQuery(params): AppQuery<QueueParams>,
) -> Result<Json<QueuePage>, AppError> {
    let page = state
        .desk
        .queue_of(
            params.limit.unwrap_or(50),
            params.cursor.as_deref(),
            params.organisation.as_deref(),
        )
        .await?;
    Ok(Json(page))
}

async fn case(
    State(state): State<AppState>,
    _: Operator,
    AppPath(id): AppPath<String>,
) -> Result<Json<CaseView>, AppError> {
    Ok(Json(state.desk.case(&id).await?))
}

#[derive(serde::Serialize)]
struct Organisations {
    organisations: Vec<crate::model::Organisation>,
}

/// The business customers the team recorded.
async fn organisations(
    State(state): State<AppState>,
    _: Operator,
) -> Result<Json<Organisations>, AppError> {
    Ok(Json(Organisations {
        organisations: state.desk.organisations().await?,
    }))
}

/// Records a business customer, or changes its record.
async fn save_organisation(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppJson(body): AppJson<crate::desk::OrganisationInput>,
) -> Result<Json<crate::model::Organisation>, AppError> {
    Ok(Json(state.desk.save_organisation(&name, body).await?))
}

/// A business customer with its open cases and conversations.
async fn organisation(
    State(state): State<AppState>,
    _: Operator,
    AppPath(id): AppPath<String>,
) -> Result<Json<crate::desk::OrganisationView>, AppError> {
    Ok(Json(state.desk.organisation_view(&id).await?))
}

/// The team's list of feature requests: triaged, and asks not yet in any.
async fn feature_requests(
    State(state): State<AppState>,
    _: Operator,
) -> Result<Json<crate::desk::FeatureList>, AppError> {
    Ok(Json(state.desk.feature_requests().await?))
}

/// Creates or changes a feature request; shipped or declined tells everyone who asked, once.
async fn triage(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppJson(body): AppJson<crate::desk::Triage>,
) -> Result<Json<crate::desk::Triaged>, AppError> {
    Ok(Json(state.desk.triage(&name, body).await?))
}

async fn claim(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
) -> Result<Json<Case>, AppError> {
    Ok(Json(state.desk.claim(&id, &name).await?))
}

async fn release(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
) -> Result<Json<Case>, AppError> {
    Ok(Json(state.desk.release(&id, &name).await?))
}

/// A reply body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    text: String,
    /// The console's key for this send (replies only; also the `Idempotency-Key` header).
    #[serde(default)]
    idempotency_key: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
    headers: axum::http::HeaderMap,
    AppJson(body): AppJson<Text>,
) -> Result<(StatusCode, Json<Message>), AppError> {
    let key = super::conversations::idempotency_key(body.idempotency_key, &headers)?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .desk
                .reply(&id, &name, &body.text, key.as_deref())
                .await?,
        ),
    ))
}

/// A note body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    text: String,
}

async fn note(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<NoteBody>,
) -> Result<(StatusCode, Json<Note>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(state.desk.note(&id, &name, &body.text).await?),
    ))
}

/// Whose a mail case's address is: a verified customer's id, or `null` to take it back (the
/// field must be there: an empty body takes nothing back).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactBody {
    #[serde(deserialize_with = "present")]
    customer_id: Option<String>,
}

/// An `Option` field that must be written, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)
}

async fn contact(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<ContactBody>,
) -> Result<Json<Linked>, AppError> {
    Ok(Json(
        state
            .desk
            .link_contact(&id, &name, body.customer_id.as_deref())
            .await?,
    ))
}

/// How a case was resolved.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve {
    #[serde(default)]
    note: String,
    #[serde(default)]
    category: Option<Category>,
    /// What would prevent the next one: a guide to write or a product fix.
    #[serde(default)]
    follow_up: Option<String>,
}

async fn resolve(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
    OptionalJson(body): OptionalJson<Resolve>,
) -> Result<Json<Case>, AppError> {
    Ok(Json(
        state
            .desk
            .resolve(
                &id,
                &name,
                &body.note,
                body.category,
                body.follow_up.as_deref(),
            )
            .await?,
    ))
}

async fn reopen(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
) -> Result<Json<Case>, AppError> {
    Ok(Json(state.desk.reopen(&id, &name).await?))
}

/// A presence heartbeat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Touch {
    activity: Activity,
}

#[derive(Debug, serde::Serialize)]
struct Present {
    presence: Vec<Presence>,
}

async fn presence(
    State(state): State<AppState>,
    Operator(name): Operator,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<Touch>,
) -> Result<Json<Present>, AppError> {
    Ok(Json(Present {
        presence: state.desk.touch(&id, &name, body.activity).await?,
    }))
}

async fn attachment(
    State(state): State<AppState>,
    _: Operator,
    AppPath((id, attachment)): AppPath<(String, String)>,
) -> Result<axum::response::Response, AppError> {
    Ok(super::conversations::image_response(
        state.desk.case_attachment(&id, &attachment).await?,
    ))
}

/// The report of a week (`?week=2026-W49`), a run of days (`?from=…&to=…`) or the last week,
/// in the documented JSON form (`docs/insights.md`).
async fn insights(
    State(state): State<AppState>,
    _: Operator,
    AppQuery(span): AppQuery<Span>,
) -> Result<Json<Report>, AppError> {
    let period = state.desk.period(&span)?;
    Ok(Json(state.desk.report(&period).await?))
}

/// The report and its charts in one answer, what the console's page reads (one computation per
/// view): `{"report": …, "charts": {"volume", "areas", "ledger", "times"}}`, each chart an SVG
/// document the console shows as an image, where an SVG can run nothing.
async fn charts(
    State(state): State<AppState>,
    _: Operator,
    AppQuery(span): AppQuery<Span>,
) -> Result<Json<serde_json::Value>, AppError> {
    let period = state.desk.period(&span)?;
    let report = state.desk.report(&period).await?;
    let charts: BTreeMap<&'static str, String> =
        crate::insights::svg::charts(&report).into_iter().collect();
    Ok(Json(
        serde_json::json!({ "report": report, "charts": charts }),
    ))
}

async fn health(State(state): State<AppState>, _: Operator) -> Result<StatusCode, AppError> {
    state.desk.store().ping().await?;
    Ok(StatusCode::NO_CONTENT)
}
