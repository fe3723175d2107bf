//! The HTTP server of `baton serve` (and of the end-to-end tests, through the same function).
//!
//! `axum::serve` has no header-read timeout and no bound on connections: a few hundred clients
//! that open a connection and send nothing hold it forever. This loop serves the same router on
//! hyper's HTTP/1 connection with a header-read timeout (idle keep-alive connections included),
//! a cap on header bytes the parser buffers, and at most `max_connections` connections at once
//! (the rest wait in the listen backlog), and drains connections on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// Most bytes hyper buffers while reading a request head (it reads in chunks, so heads of up to
/// about 100 KiB still get through). Heads over [`super::guard::MAX_HEADER_BYTES`] but under this
/// get the JSON 431; a head far larger is cut off by the parser itself, with a bare 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long shutdown waits for open requests to finish.
const DRAIN: Duration = Duration::from_secs(10);

/// Limits of the server.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Most connections open at once.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, or to start the next request on a
    /// kept-alive connection.
    pub header_timeout: Duration,
}

impl ServeOptions {
    /// The limits a configuration sets.
    pub fn from_config(config: &crate::config::Config) -> ServeOptions {
        ServeOptions {
            max_connections: config.max_connections,
            header_timeout: config.header_timeout,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then waits (up to ten seconds) for
/// open requests. Each request carries `ConnectInfo<SocketAddr>` of its connection.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(addr));
                request.map(axum::body::Body::new)
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(options.header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("shut down with requests still open"),
    }
    Ok(())
}
