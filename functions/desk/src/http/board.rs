//! The inquiry board (문의하기), under `/api/board`: the form, leaving an inquiry, the guides it
//! suggests while the customer writes, a guest's sign-in link and session, and a customer's own
//! inquiries. A list or an inquiry is read with `Authorization: Bearer <board session>` or
//! `Bearer <the site's identity token>`; the conversation routes take the same credentials for
//! the owner's conversations (writing again, screenshots).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kb::Lang;
use serde::{Deserialize, Serialize};

use super::conversations::MessageView;
use super::{AppError, AppJson, AppPath, AppQuery, AppState, Bearer, Routes};
use crate::desk::{BoardForm, Inquiry, InquirySummary, MAX_MESSAGE_BYTES, Session};
use crate::model::{BoardStatus, Link, Millis};

/// The board's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/board/form", form)
        .get("/api/board/suggestions", suggestions)
        .post("/api/board/suggestions/opened", opened)
        .post("/api/board/inquiries", submit)
        .get("/api/board/inquiries", list)
        .get("/api/board/inquiries/{id}", read)
        .post("/api/board/sign-in-links", sign_in_link)
        .post("/api/board/sessions", session)
}

async fn form(State(state): State<AppState>) -> Json<BoardForm> {
    Json(state.desk.board_form())
}

/// What the customer has written so far.
#[derive(Debug, Deserialize)]
struct SuggestParams {
    q: String,
    #[serde(default)]
    lang: Option<Lang>,
}

#[derive(Serialize)]
struct Suggested {
    guides: Vec<Link>,
}

/// The guides the bot would show for the text so far: an as-you-type call, in the typing lane
/// like the help center's search, so conversations keep the other cores.
async fn suggestions(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<SuggestParams>,
) -> Result<Json<Suggested>, AppError> {
    if params.q.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::too_large(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let _lane = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.typing_lane.clone().acquire_owned(),
    )
    .await
    .map_err(|_| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "suggestions are busy; keep typing",
        )
    })?
    .map_err(|_| AppError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "shutting down"))?;
    let guides = state.desk.suggest(&params.q, params.lang).await?;
    Ok(Json(Suggested { guides }))
}

/// A suggested guide the reader opened.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Opened {
    form: String,
    guide: String,
}

async fn opened(
    State(state): State<AppState>,
    AppJson(body): AppJson<Opened>,
) -> Result<StatusCode, AppError> {
    state
        .desk
        .suggestion_opened(&body.form, &body.guide)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct Submitted {
    inquiry: InquirySummary,
    /// Opens this inquiry's conversation (screenshots; reading it in this browser).
    secret: String,
}

async fn submit(
    State(state): State<AppState>,
    AppJson(inquiry): AppJson<Inquiry>,
) -> Result<(StatusCode, Json<Submitted>), AppError> {
    if inquiry.text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::too_large(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let submitted = state.desk.submit_inquiry(inquiry).await?;
    let c = &submitted.conversation;
    Ok((
        StatusCode::CREATED,
        Json(Submitted {
            inquiry: InquirySummary {
                id: c.id.clone(),
                title: submitted.title.clone(),
                channel: c.channel.clone(),
                status: BoardStatus::Received,
                created_at: c.created_at,
                updated_at: c.updated_at,
            },
            secret: submitted.secret,
        }),
    ))
}

#[derive(Serialize)]
struct Inquiries {
    inquiries: Vec<InquirySummary>,
}

async fn list(
    State(state): State<AppState>,
    Bearer(credential): Bearer,
) -> Result<Json<Inquiries>, AppError> {
    let owner = state.desk.board_owner(&credential).await?;
    Ok(Json(Inquiries {
        inquiries: state.desk.inquiries(&owner).await?,
    }))
}

#[derive(Serialize)]
struct InquiryView {
    id: String,
    title: String,
    channel: String,
    status: BoardStatus,
    locale: Lang,
    created_at: Millis,
    messages: Vec<MessageView>,
}

/// One inquiry with its messages, for its owner (404 for anyone else, as for an unknown id).
async fn read(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    Bearer(credential): Bearer,
) -> Result<Json<InquiryView>, AppError> {
    let owner = state.desk.board_owner(&credential).await?;
    let (conversation, messages) = state.desk.transcript(&id, &credential).await?;
    if conversation.owner().as_ref() != Some(&owner) {
        return Err(crate::Error::NotFound {
            what: "conversation",
            id,
        }
        .into());
    }
    let status = state.desk.status_of(&conversation, &messages).await?;
    let title = crate::desk::board::title_of(&conversation, &messages);
    Ok(Json(InquiryView {
        id: conversation.id.clone(),
        title,
        channel: conversation.channel.clone(),
        status,
        locale: conversation.locale,
        created_at: conversation.created_at,
        messages: messages.into_iter().map(Into::into).collect(),
    }))
}

/// A guest asks for a sign-in link.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    email: String,
    #[serde(default)]
    locale: Option<Lang>,
}

#[derive(Serialize)]
struct LinkAsked {
    /// The same for every address: whether one was sent is not said.
    message: &'static str,
}

async fn sign_in_link(
    State(state): State<AppState>,
    AppJson(body): AppJson<LinkRequest>,
) -> Result<(StatusCode, Json<LinkAsked>), AppError> {
    state
        .desk
        .send_sign_in_link(&body.email, body.locale.unwrap_or(Lang::Ko))
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(LinkAsked {
            message: "if this address has inquiries, a sign-in link is on its way to it",
        }),
    ))
}

/// A sign-in link's token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenSession {
    token: String,
}

async fn session(
    State(state): State<AppState>,
    AppJson(body): AppJson<OpenSession>,
) -> Result<(StatusCode, Json<Session>), AppError> {
    if body.token.len() > 200 {
        return Err(AppError::unauthorized("not a sign-in link"));
    }
    Ok((
        StatusCode::CREATED,
        Json(state.desk.open_session(&body.token).await?),
    ))
}
