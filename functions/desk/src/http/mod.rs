//! The HTTP API: one router per area, the same routers for `baton serve` and the Lambda functions.
//!
//! - [`search::routes`]: `GET /api/search` (the help center's search).
//! - [`conversations::routes`]: customers start a conversation, send messages, read it, ask for a
//!   person. Guarded by the conversation's secret (`Authorization: Bearer <secret>`), or by its
//!   owner's board session or identity token.
//! - [`board::routes`]: the inquiry board: the form, inquiries, a guest's sign-in link and
//!   session, a customer's own inquiries.
//! - [`organisation::routes`]: a business customer's space and its standing line, for the
//!   organisation's people (the site's identity token names their organisation).
//! - [`operator::routes`]: the queue and case operations, under `/api/operator`. Guarded by an
//!   operator token (locally from configuration; in AWS a JWT that API Gateway has checked,
//!   mapped to an operator through an allow-list).
//!
//! Every response, error or not, passes the layers of [`guard`] (one place for security headers,
//! size limits, the request timeout and, under `baton serve`, rate limits), and every error is
//! JSON `{"error": {"code": …, "message": …}}` without internals ([`error`]). `baton serve` runs
//! them on [`serve::serve`] (header-read timeout, a bound on connections), with the web root (help
//! center, widget, console) at every other path ([`pages`]). The API is described in
//! `docs/api.md`.

pub mod board;
pub mod conversations;
pub mod error;
pub mod guard;
pub mod operator;
pub mod organisation;
pub mod pages;
pub mod search;
pub mod serve;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::routing::MethodRouter;

pub use error::{AppError, AppJson, AppPath, AppQuery, OptionalJson};

use crate::Desk;
use crate::config::{Config, OperatorAuthMode};

/// What every handler shares, built once per process or cold start.
#[derive(Clone)]
pub struct AppState {
    /// The desk.
    pub desk: Desk,
    /// How operators are recognized.
    pub operators: Arc<OperatorAuth>,
    /// Per-client rate limits (`baton serve`; in AWS the API's throttling does this).
    pub limits: Option<Arc<guard::RateLimits>>,
    /// Wrong operator tokens per client (`baton serve`).
    pub auth_failures: Option<Arc<guard::AuthFailures>>,
    /// The cores as-you-type searches may use at once: half, so that however many arrive,
    /// conversations keep the rest.
    pub typing_lane: Arc<tokio::sync::Semaphore>,
}

/// How operator requests are authenticated.
#[derive(Debug, Clone)]
pub enum OperatorAuth {
    /// Bearer tokens from configuration: token → operator name (`baton serve`).
    Tokens(HashMap<String, String>),
    /// Behind API Gateway's JWT authorizer, which has already verified the token's signature,
    /// issuer, audience and expiry and put its claims in the request context. The operator is its
    /// `sub`, or its `email` when `email_verified` is true, mapped to a name by the allow-list;
    /// anyone else is refused, and a request without verified claims is unauthorized. Only a
    /// Lambda deployment may choose it (`config` refuses it locally).
    GatewayJwt {
        /// Subject (`sub` or verified e-mail) → operator name.
        operators: BTreeMap<String, String>,
    },
}

impl OperatorAuth {
    /// The operator authentication a configuration describes.
    pub fn from_config(config: &Config) -> OperatorAuth {
        match config.operator_auth {
            OperatorAuthMode::Tokens => OperatorAuth::Tokens(
                config
                    .operator_tokens
                    .iter()
                    .map(|t| (t.token.clone(), t.name.clone()))
                    .collect(),
            ),
            OperatorAuthMode::GatewayJwt => OperatorAuth::GatewayJwt {
                operators: config.operators.clone(),
            },
        }
    }
}

/// What the handlers share: the desk, how operators are recognized, and (under `baton serve`;
/// in AWS the API's throttling does it) per-client rate limits. Built by [`crate::app::App`].
pub fn state(config: &Config, desk: Desk) -> AppState {
    let local = config.deployment == crate::config::Deployment::Local;
    AppState {
        desk,
        operators: Arc::new(OperatorAuth::from_config(config)),
        limits: if local {
            guard::RateLimits::from_config(config).map(Arc::new)
        } else {
            None
        },
        auth_failures: local.then(|| Arc::new(guard::AuthFailures::from_config(config))),
        typing_lane: Arc::new(tokio::sync::Semaphore::new(typing_lane())),
    }
}

/// Half the cores, at least one.
fn typing_lane() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// Every route of every area with the guard layers and rate limits (what `baton serve` mounts).
pub fn app(state: AppState) -> Router {
    finish(
        search::routes()
            .merge(conversations::routes())
            .merge(board::routes())
            .merge(organisation::routes())
            .merge(operator::routes()),
        state,
    )
}

/// The API under `/api` and the web root at every other path, each with its own headers (what
/// `baton serve` runs; in AWS CloudFront does the same split).
pub fn app_with_pages(
    state: AppState,
    web_root: std::path::PathBuf,
    widget_sites: Vec<String>,
) -> Router {
    use tower::ServiceExt;
    let api = app(state);
    let pages = pages::router(web_root, widget_sites);
    // Split by path before either router sees the request, so the API's routes see the
    // path (and path parameters) they were written for.
    Router::new().fallback_service(tower::service_fn(move |request: axum::extract::Request| {
        let path = request.uri().path();
        let router = if path == "/api" || path.starts_with("/api/") {
            api.clone()
        } else {
            pages.clone()
        };
        router.oneshot(request)
    }))
}

/// One area's routes (what its Lambda function mounts) or several, with the fallbacks and layers
/// every deployment shares.
pub fn finish(routes: Routes, state: AppState) -> Router {
    guard::layers(
        routes
            .router
            .fallback(error::not_found)
            .method_not_allowed_fallback(error::method_not_allowed),
        state,
    )
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

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Routes {
        self.add(Method::PUT, path, axum::routing::put(handler))
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
        match state.operators.as_ref() {
            OperatorAuth::Tokens(tokens) => {
                let failures = state.auth_failures.as_deref();
                let client = failures.and_then(|f| f.client(parts).map(|c| (f, c)));
                let slow_down = |seconds: u64| {
                    AppError::new(
                        axum::http::StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        format!(
                            "too many wrong operator tokens from this address; try again in {seconds} s"
                        ),
                    )
                    .retry_after(seconds)
                };
                if let Some(seconds) = client.and_then(|(f, c)| f.refused(c)) {
                    return Err(slow_down(seconds));
                }
                let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
                match tokens.get(&token) {
                    Some(name) => Ok(Operator(name.clone())),
                    None => Err(match client.and_then(|(f, c)| f.failed(c)) {
                        Some(seconds) => slow_down(seconds),
                        None => AppError::unauthorized("unknown operator token"),
                    }),
                }
            }
            OperatorAuth::GatewayJwt { operators } => {
                // Only the claims API Gateway's authorizer verified count: never the raw header,
                // whose payload anyone can write.
                let claims = verified_claims(parts).ok_or_else(|| {
                    AppError::unauthorized("operator routes need a token API Gateway has verified")
                })?;
                let subjects = subjects(claims)
                    .ok_or_else(|| AppError::unauthorized("the token has no sub claim"))?;
                subjects
                    .iter()
                    .find_map(|s| operators.get(s))
                    .map(|name| Operator(name.clone()))
                    .ok_or_else(|| {
                        tracing::warn!(
                            sub = subjects.first().map_or("", String::as_str),
                            "a signed-in user who is not on the operator list"
                        );
                        AppError::forbidden("you are not an operator of this desk")
                    })
            }
        }
    }
}

/// The claims of the JWT that API Gateway's authorizer verified for this request (HTTP API, payload
/// 2.0), if it did.
#[cfg(feature = "aws")]
fn verified_claims(parts: &Parts) -> Option<&HashMap<String, String>> {
    match parts
        .extensions
        .get::<lambda_http::request::RequestContext>()?
    {
        lambda_http::request::RequestContext::ApiGatewayV2(context) => context
            .authorizer
            .as_ref()?
            .jwt
            .as_ref()
            .map(|jwt| &jwt.claims),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Outside Lambda nothing has verified a gateway JWT (`gateway-jwt` is refused by the config).
#[cfg(not(feature = "aws"))]
fn verified_claims(_parts: &Parts) -> Option<&HashMap<String, String>> {
    None
}

/// The subjects verified claims may be listed under: `sub`, then `email` only when
/// `email_verified` is true (API Gateway passes every claim as a string).
fn subjects(claims: &HashMap<String, String>) -> Option<Vec<String>> {
    let mut subjects = vec![claims.get("sub").filter(|s| !s.is_empty())?.clone()];
    if claims.get("email_verified").map(String::as_str) == Some("true")
        && let Some(email) = claims.get("email").filter(|e| !e.is_empty())
    {
        subjects.push(email.clone());
    }
    Some(subjects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn subjects_are_sub_then_a_verified_email() {
        assert_eq!(
            subjects(&claims(&[
                ("sub", "abc"),
                ("email", "minji@example.com"),
                ("email_verified", "true")
            ])),
            Some(vec!["abc".into(), "minji@example.com".into()])
        );
        assert_eq!(
            subjects(&claims(&[("sub", "abc"), ("email", "boss@example.com")])),
            Some(vec!["abc".into()])
        );
        assert_eq!(
            subjects(&claims(&[
                ("sub", "abc"),
                ("email", "boss@example.com"),
                ("email_verified", "false")
            ])),
            Some(vec!["abc".into()])
        );
        assert_eq!(subjects(&claims(&[("email", "m@example.com")])), None);
    }
}
