//! Errors as the API reports them: always JSON `{"error": {"code": …, "message": …}}`, never
//! internals; and the extractors whose rejections become such errors (bodies, paths, queries).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Largest request body accepted, in bytes. Message text is limited to
/// [`crate::desk::MAX_MESSAGE_BYTES`]; the body may be larger because JSON can escape every
/// character as `\uXXXX`.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// An error as the API reports it.
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl AppError {
    /// An error with a status, a stable code and a message for the client.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// This error, telling the client how many seconds to wait (`Retry-After`).
    pub fn retry_after(mut self, seconds: u64) -> AppError {
        self.retry_after = Some(seconds);
        self
    }

    /// 400 `invalid`.
    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "invalid", message)
    }

    /// 401 `unauthorized`, with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 413 `too_large`.
    pub fn too_large(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
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
        let retry_after = self
            .retry_after
            .or((self.status == StatusCode::SERVICE_UNAVAILABLE).then_some(5));
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
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
            Error::Invalid(message) => AppError::invalid(message),
            Error::Unauthorized(message) => AppError::unauthorized(message),
            Error::Forbidden(message) => AppError::forbidden(message),
            Error::Conflict(message) => AppError::new(StatusCode::CONFLICT, "conflict", message),
            Error::Refused(message) => {
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", message)
            }
            Error::TooMany {
                message,
                retry_after,
            } => AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
                .retry_after(retry_after),
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
                    "the desk is briefly unavailable; nothing was half-written, try again with the same idempotency key",
                )
            }
            Error::Corrupt(_) | Error::Search(_) | Error::Config(_) => {
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
            return AppError::too_large(format!(
                "request body is larger than {MAX_BODY_BYTES} bytes"
            ));
        }
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return AppError::new(
                status,
                "unsupported_media_type",
                "send JSON with content-type: application/json",
            );
        }
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            rejection.body_text(),
        )
    }
}

/// `Json` whose rejections are [`AppError`]s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// A JSON body that may be absent (empty means the defaults of `T`).
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = AppError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::too_large(format!(
                        "request body is larger than {MAX_BODY_BYTES} bytes"
                    ))
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

/// A path parameter whose rejection is a JSON 400.
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| AppPath(value))
            .map_err(|rejection: PathRejection| {
                AppError::invalid(format!("malformed path: {}", rejection.body_text()))
            })
    }
}

/// A query string whose rejection is a JSON 400.
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| AppQuery(value))
            .map_err(|rejection: QueryRejection| {
                AppError::invalid(format!("malformed query: {}", rejection.body_text()))
            })
    }
}

/// The answer for a path no route serves.
pub async fn not_found() -> AppError {
    AppError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// The answer for a route that exists with another method.
pub async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}
