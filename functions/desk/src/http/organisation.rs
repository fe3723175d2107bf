//! A business customer's space (핫라인), under `/api/org`: read and written by the
//! organisation's people with `Authorization: Bearer <the site's identity token>`, whose `org`
//! claim says which organisation (`org_role: admin` also reads every conversation of its people).
//! Someone the site does not sign, whom an admin invited by address, reads and writes it as a
//! member with the inquiry board's session of that address (`Bearer bs_…`, from a mailed link).
//! A token that names no organisation is 403; anything not the reader's organisation's is 404.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::conversations::MessageView;
use super::{AppError, AppJson, AppPath, AppState, Bearer, Routes};
use crate::desk::organisations::Topic;
use crate::desk::{MAX_MESSAGE_BYTES, Space};

/// The organisation routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/org", space)
        .post("/api/org/threads", open)
        .get("/api/org/threads/{id}", thread)
        .post("/api/org/threads/{id}/messages", write)
        .post("/api/org/invitations", invite)
}

/// An admin invites an address (or takes the invitation back).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    #[serde(default)]
    remove: bool,
}

#[derive(Serialize)]
struct Invited {
    invited: Vec<String>,
}

async fn invite(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    AppJson(body): AppJson<Invite>,
) -> Result<Json<Invited>, AppError> {
    let member = state.desk.member(&token).await?;
    let organisation = state.desk.invite(&member, &body.email, body.remove).await?;
    Ok(Json(Invited {
        invited: organisation.invited,
    }))
}

async fn space(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<Space>, AppError> {
    let member = state.desk.member(&token).await?;
    Ok(Json(state.desk.space(&member).await?))
}

/// A new thread.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Open {
    title: String,
    text: String,
}

async fn open(
    State(state): State<AppState>,
    Bearer(token): Bearer,
    AppJson(body): AppJson<Open>,
) -> Result<(StatusCode, Json<Topic>), AppError> {
    if body.text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::too_large(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let member = state.desk.member(&token).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .desk
                .open_thread(&member, &body.title, &body.text)
                .await?,
        ),
    ))
}

#[derive(Serialize)]
struct ThreadView {
    thread: Topic,
    messages: Vec<LineMessage>,
}

/// A message as the organisation's people see it: who of them wrote it, no bot internals.
#[derive(Serialize)]
struct LineMessage {
    #[serde(flatten)]
    message: MessageView,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<String>,
}

async fn thread(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(token): Bearer,
) -> Result<Json<ThreadView>, AppError> {
    let member = state.desk.member(&token).await?;
    let view = state.desk.thread(&member, &id).await?;
    Ok(Json(ThreadView {
        thread: view.thread,
        messages: view
            .messages
            .into_iter()
            .map(|m| LineMessage {
                member: m.member.clone(),
                message: m.into(),
            })
            .collect(),
    }))
}

/// A member's message in a thread.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Write {
    text: String,
    #[serde(default)]
    idempotency_key: Option<String>,
}

async fn write(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    AppJson(body): AppJson<Write>,
) -> Result<(StatusCode, Json<LineMessage>), AppError> {
    if body.text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::too_large(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let key = super::conversations::idempotency_key(body.idempotency_key, &headers)?;
    let member = state.desk.member(&token).await?;
    let posted = state
        .desk
        .write_in_thread(&member, &id, &body.text, key.as_deref())
        .await?;
    let status = if posted.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(LineMessage {
            member: posted.message.member.clone(),
            message: posted.message.into(),
        }),
    ))
}
