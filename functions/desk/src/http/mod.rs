//! The HTTP API: one router per area, the same routers for `baton serve` and the Lambda functions.
//!
//! - [`search::router`]: `GET /api/search` (the help center's search).
//! - [`conversations::router`]: customers start a conversation, send messages, read it, ask for a
//!   person. Guarded by the conversation's secret (`Authorization: Bearer <secret>`).
//! - [`operator::router`]: the queue and case operations, under `/api/operator`. Guarded by an
//!   operator token (locally from configuration; in AWS a JWT that API Gateway has checked).
//!
//! Errors are JSON `{"error": {"code": …, "message": …}}` and never carry internals: 400 invalid
//! JSON or fields, 401 no or unknown credentials, 404 unknown ids (and another conversation's
//! secret), 409 a lost claim, 413 a body or message over the limit, 503 with `Retry-After` when
//! the store is unavailable. The API is described in `docs/api.md`.

pub mod conversations;
pub mod operator;
pub mod search;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde::Serialize;

use crate::Desk;
use crate::error::Error;

/// Largest request body accepted, in bytes. Message text is limited to
/// [`crate::desk::MAX_MESSAGE_BYTES`]; the body may be larger because JSON can escape every
/// character as `\uXXXX`.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler shares, built once per process or cold start.
#[derive(Clone)]
pub struct AppState {
    /// The desk.
    pub desk: Desk,
    /// How operators are recognized.
    pub operators: Arc<OperatorAuth>,
}

/// How operator requests are authenticated.
#[derive(Debug, Clone)]
pub enum OperatorAuth {
    /// Bearer tokens from configuration: token → operator name (`baton serve`).
    Tokens(HashMap<String, String>),
    /// Behind API Gateway's JWT authorizer, which has already verified the token: the operator is
    /// the token's `email` (or `sub`) claim, read from the unverified payload because verification
    /// happened at the gateway. Never use this where requests do not come through that gateway.
    GatewayJwt,
}

/// Every route of every area (what `baton serve` mounts).
pub fn app(state: AppState) -> Router {
    finish(
        search::routes()
            .merge(conversations::routes())
            .merge(operator::routes()),
        state,
    )
}

/// One area's routes (what its Lambda function mounts) or several, with the layers every
/// deployment shares.
pub fn finish(routes: Routes, state: AppState) -> Router {
    routes
        .router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// A router that remembers its routes, so that a deployment's routes (the SAM template's) can be
/// checked against the ones the code serves.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<Route>,
}

/// One method and path, as axum and API Gateway both write it (`/api/cases/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// `GET`, `POST`.
    pub method: Method,
    /// The path, with `{name}` for a parameter.
    pub path: &'static str,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Routes {
        self.add(Method::GET, path, axum::routing::get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Routes {
        self.add(Method::POST, path, axum::routing::post(handler))
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Routes {
        self.router = self.router.route(path, handler);
        self.list.push(Route { method, path });
        self
    }

    /// These routes and `other`'s.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    /// The routes, in the order they were added.
    pub fn list(&self) -> &[Route] {
        &self.list
    }
}

/// Serves [`app`] on a listener until the process ends (what `baton serve` and tests run).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}

/// An error as the API reports it.
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl AppError {
    /// An error with a status, a stable code and a message for the client.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
        }
    }

    fn unauthorized(message: &str) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = axum::Json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        });
        let mut response = (self.status, body).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> AppError {
        match error {
            Error::NotFound { .. } => {
                AppError::new(StatusCode::NOT_FOUND, "not_found", error.to_string())
            }
            Error::Invalid(message) => AppError::new(StatusCode::BAD_REQUEST, "invalid", message),
            Error::Forbidden(message) => AppError::new(StatusCode::FORBIDDEN, "forbidden", message),
            Error::Conflict(message) => AppError::new(StatusCode::CONFLICT, "conflict", message),
            Error::Stale => AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                "the record changed; try again",
            ),
            Error::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the desk is briefly unavailable; nothing was lost, try again shortly",
                )
            }
            Error::Corrupt(_) | Error::Search(_) => {
                tracing::error!(error = %error, "internal error");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side",
                )
            }
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> AppError {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::new(
                status,
                "too_large",
                format!("request body is larger than {MAX_BODY_BYTES} bytes"),
            );
        }
        let code = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            "unsupported_media_type"
        } else {
            "invalid_json"
        };
        AppError::new(
            if code == "invalid_json" {
                StatusCode::BAD_REQUEST
            } else {
                status
            },
            code,
            rejection.body_text(),
        )
    }
}

/// A JSON body that may be absent (empty means the defaults of `T`).
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = AppError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        format!("request body is larger than {MAX_BODY_BYTES} bytes"),
                    )
                } else {
                    AppError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        rejection.body_text(),
                    )
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(OptionalJson)
            .map_err(|e| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    format!("invalid JSON body: {e}"),
                )
            })
    }
}

/// `Json` whose rejections are [`AppError`]s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// The bearer token of a request.
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| AppError::unauthorized("missing Authorization: Bearer header"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::unauthorized("expected Authorization: Bearer <token>"))?;
        Ok(Bearer(token.to_string()))
    }
}

/// The operator making a request.
pub struct Operator(pub String);

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        match state.operators.as_ref() {
            OperatorAuth::Tokens(tokens) => tokens
                .get(&token)
                .map(|name| Operator(name.clone()))
                .ok_or_else(|| AppError::unauthorized("unknown operator token")),
            OperatorAuth::GatewayJwt => jwt_subject(&token)
                .map(Operator)
                .ok_or_else(|| AppError::unauthorized("token has no email or sub claim")),
        }
    }
}

/// The `email` (else `sub`) claim of a JWT whose signature the gateway has verified.
fn jwt_subject(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("email")
        .or_else(|| claims.get("sub"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_subject_reads_email_then_sub() {
        // {"sub":"abc","email":"minji@example.com"}
        let token = "e30.eyJzdWIiOiJhYmMiLCJlbWFpbCI6Im1pbmppQGV4YW1wbGUuY29tIn0.sig";
        assert_eq!(jwt_subject(token).as_deref(), Some("minji@example.com"));
        // {"sub":"abc"}
        assert_eq!(
            jwt_subject("e30.eyJzdWIiOiJhYmMifQ.sig").as_deref(),
            Some("abc")
        );
        assert_eq!(jwt_subject("not a jwt"), None);
    }
}
