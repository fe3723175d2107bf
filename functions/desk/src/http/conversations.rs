//! The customer side: start a conversation, send messages, read it, ask for a person.
//!
//! The customer holds the conversation's secret (returned once, at start) and sends it as
//! `Authorization: Bearer <secret>`. A wrong secret answers 404, as for an unknown id.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::{AppError, AppJson, AppPath, AppState, Bearer, OptionalJson, Routes};
use crate::attachments::MAX_ATTACHMENT_BYTES;
use crate::desk::{Attention, MAX_MESSAGE_BYTES, Posted, Start};
use crate::model::{Author, CaseStatus, Conversation, ConversationState, Link, Message, Millis};

/// The conversation routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/conversations", start)
        .get("/api/conversations/{id}", read)
        .post("/api/conversations/{id}/messages", send)
        .post("/api/conversations/{id}/handoff", handoff)
        .post("/api/conversations/resume", resume)
        .post("/api/conversations/{id}/rating", rate)
        .post("/api/conversations/{id}/attachments", attach)
        .post("/api/conversations/{id}/uploads", begin_upload)
        .put("/api/conversations/{id}/uploads/{upload}", receive_upload)
        .post(
            "/api/conversations/{id}/uploads/{upload}/complete",
            complete_upload,
        )
        .get(
            "/api/conversations/{id}/attachments/{attachment}",
            attachment,
        )
        .post("/api/feedback", article_feedback)
}

/// "Was this helpful?" under a help center article.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleFeedback {
    /// The guide's id.
    pub guide: String,
    /// Yes or no.
    pub helpful: bool,
    /// The page's language (informational; the guide's own is recorded).
    #[serde(default)]
    pub lang: Option<kb::Lang>,
    /// The reader's last search, if any.
    #[serde(default)]
    pub search: Option<String>,
}

async fn article_feedback(
    State(state): State<AppState>,
    AppJson(body): AppJson<ArticleFeedback>,
) -> Result<StatusCode, AppError> {
    state
        .desk
        .article_feedback(&body.guide, body.helpful, body.search.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A conversation as its customer sees it.
#[derive(Debug, Serialize)]
pub struct ConversationView {
    /// Id.
    pub id: String,
    /// `bot`, `human` or `resolved`.
    pub state: ConversationState,
    /// Language.
    pub locale: kb::Lang,
    /// Created.
    pub created_at: Millis,
}

impl From<&Conversation> for ConversationView {
    fn from(c: &Conversation) -> Self {
        ConversationView {
            id: c.id.clone(),
            state: c.state,
            locale: c.locale,
            created_at: c.created_at,
        }
    }
}

/// A message as the customer sees it: no bot internals.
#[derive(Debug, Serialize)]
pub struct MessageView {
    /// Id.
    pub id: String,
    /// `customer`, `bot` or `operator` (with a name).
    pub author: Author,
    /// Text.
    pub text: String,
    /// Guides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Suggested replies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<String>,
    /// Screenshots.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachments::Attachment>,
    /// When.
    pub created_at: Millis,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        MessageView {
            id: m.id,
            author: m.author,
            text: m.text,
            links: m.links,
            quick_replies: m.quick_replies,
            attachments: m.attachments,
            created_at: m.created_at,
        }
    }
}

#[derive(Serialize)]
struct Started {
    conversation: ConversationView,
    secret: String,
}

impl From<crate::desk::Started> for Started {
    fn from(started: crate::desk::Started) -> Self {
        Started {
            conversation: (&started.conversation).into(),
            secret: started.secret,
        }
    }
}

async fn start(
    State(state): State<AppState>,
    OptionalJson(start): OptionalJson<Start>,
) -> Result<(StatusCode, Json<Started>), AppError> {
    let started = state.desk.start(start).await?;
    Ok((StatusCode::CREATED, Json(started.into())))
}

#[derive(Serialize)]
struct Transcript {
    conversation: ConversationView,
    messages: Vec<MessageView>,
    /// Who on the team is with it ("minji joined", "typing…").
    attention: Attention,
}

async fn read(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
) -> Result<Json<Transcript>, AppError> {
    let (conversation, messages) = state.desk.transcript(&id, &secret).await?;
    let attention = state.desk.attention(&conversation).await?;
    Ok(Json(Transcript {
        conversation: (&conversation).into(),
        messages: messages.into_iter().map(Into::into).collect(),
        attention,
    }))
}

/// A customer message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// The text (at most 4096 bytes).
    pub text: String,
    /// The client's key for this send; also accepted as the `Idempotency-Key` header.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Serialize)]
struct Sent {
    message: MessageView,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<MessageView>,
    /// `open`, `claimed` or `resolved` once people have the conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    case_status: Option<CaseStatus>,
    duplicate: bool,
}

/// A posted message: 201 when new, 200 when a retry found the one already stored.
fn sent(posted: Posted) -> (StatusCode, Json<Sent>) {
    let status = if posted.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(posted.into()))
}

impl From<Posted> for Sent {
    fn from(p: Posted) -> Self {
        Sent {
            message: p.message.into(),
            reply: p.reply.map(Into::into),
            case_status: p.case.map(|c| c.status),
            duplicate: p.duplicate,
        }
    }
}

async fn send(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
    headers: HeaderMap,
    AppJson(body): AppJson<Send>,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    if body.text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::too_large(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let key = idempotency_key(body.idempotency_key, &headers)?;
    let posted = state
        .desk
        .post(&id, &secret, &body.text, key.as_deref())
        .await?;
    Ok(sent(posted))
}

/// The idempotency key of a send: the body's, else the `Idempotency-Key` header's; 1–200 bytes.
pub(super) fn idempotency_key(
    body: Option<String>,
    headers: &HeaderMap,
) -> Result<Option<String>, AppError> {
    let key = body.or_else(|| {
        headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(AppError::invalid("idempotency_key must be 1–200 bytes"));
    }
    Ok(key)
}

#[derive(Serialize)]
struct HandedOff {
    case_status: CaseStatus,
}

async fn handoff(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
) -> Result<Json<HandedOff>, AppError> {
    let case = state.desk.request_human(&id, &secret).await?;
    Ok(Json(HandedOff {
        case_status: case.status,
    }))
}

/// A screenshot: the raw image as the body (its type is read from the bytes), at most
/// [`MAX_ATTACHMENT_BYTES`]; the `Idempotency-Key` header makes a retry the same message.
async fn attach(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    let bytes = body_bytes(body).await?;
    let key = idempotency_key(None, &headers)?;
    let posted = state
        .desk
        .attach(&id, &secret, &bytes, key.as_deref())
        .await?;
    Ok(sent(posted))
}

async fn attachment(
    State(state): State<AppState>,
    AppPath((id, attachment)): AppPath<(String, String)>,
    Bearer(secret): Bearer,
) -> Result<axum::response::Response, AppError> {
    Ok(image_response(
        state.desk.attachment(&id, &secret, &attachment).await?,
    ))
}

/// Where an upload's bytes go: `{"id", "url"}`, `url` absent when it is this API's
/// `PUT …/uploads/{id}`.
async fn begin_upload(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
) -> Result<(StatusCode, Json<crate::desk::Upload>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(state.desk.begin_upload(&id, &secret).await?),
    ))
}

async fn receive_upload(
    State(state): State<AppState>,
    AppPath((id, upload)): AppPath<(String, String)>,
    Bearer(secret): Bearer,
    body: axum::body::Body,
) -> Result<StatusCode, AppError> {
    let bytes = body_bytes(body).await?;
    state
        .desk
        .receive_upload(&id, &secret, &upload, bytes.to_vec())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn complete_upload(
    State(state): State<AppState>,
    AppPath((id, upload)): AppPath<(String, String)>,
    Bearer(secret): Bearer,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    let posted = state.desk.complete_upload(&id, &secret, &upload).await?;
    Ok(sent(posted))
}

/// An image body, at most [`MAX_ATTACHMENT_BYTES`].
async fn body_bytes(body: axum::body::Body) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES)
        .await
        .map_err(|_| {
            AppError::too_large(format!(
                "an attachment is at most {} MB",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ))
        })
}

/// A stored attachment: its bytes as an image that is never a document (its own type, inline,
/// and the API's no-store and `default-src 'none'` headers), or a redirect to the short-lived URL
/// it is read from (S3), which `fetch` follows without the `Authorization` header.
pub(super) fn image_response(stored: crate::desk::Stored) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    match stored {
        crate::desk::Stored::Bytes(attachment, bytes) => (
            [
                (header::CONTENT_TYPE, attachment.kind.code().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "inline; filename=\"{}.{}\"",
                        attachment.id,
                        attachment.kind.extension()
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        crate::desk::Stored::At(_, url) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response()
        }
    }
}

/// A verified customer on a new device.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resume {
    identity_token: String,
}

async fn resume(
    State(state): State<AppState>,
    AppJson(body): AppJson<Resume>,
) -> Result<Json<Started>, AppError> {
    let started = state.desk.resume(&body.identity_token).await?;
    Ok(Json(started.into()))
}

/// A rating of a resolved conversation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

async fn rate(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(secret): Bearer,
    AppJson(body): AppJson<Rate>,
) -> Result<(StatusCode, Json<crate::model::Rating>), AppError> {
    let rating = state
        .desk
        .rate(&id, &secret, body.score, body.comment.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(rating)))
}
