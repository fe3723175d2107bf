//! The HTTP server of `baton serve` (and of the end-to-end tests, through the same function).
//!
//! `axum::serve` has no header-read timeout and no bound on connections: a few hundred clients
//! that open a connection and send nothing hold it forever. This loop serves the same router on
//! hyper's HTTP/1 connection with a header-read timeout (idle keep-alive connections included),
//! a cap on header bytes the parser buffers, at most `max_connections` connections at once (the
//! rest wait in the listen backlog), and at most `max_per_client` from one client address (an
//! IPv6 client counts by its /64): one address trickling headers on a thousand sockets holds at
//! most its share, and everyone else still gets in. Shutdown drains open connections.
//!
//! A request line longer than the API accepts is answered here, in the API's JSON, before hyper
//! sees it: hyper's own answer to a target past the `http` crate's limit is a bare 414.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// Most bytes hyper buffers while reading a request head (it reads in chunks, so heads of up to
/// about 100 KiB still get through). Heads over [`super::guard::MAX_HEADER_BYTES`] but under this
/// get the JSON 431; a head far larger is cut off by the parser itself, with a bare 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long shutdown waits for open requests to finish.
const DRAIN: Duration = Duration::from_secs(10);
/// How much of a new connection's first bytes is looked at for its request line.
const FIRST_LOOK: usize = 16 * 1024;

/// Limits of the server.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Most connections open at once from one client address (an IPv6 /64).
    pub max_per_client: usize,
    /// How long a client may take to send a request's headers, or to start the next request on a
    /// kept-alive connection.
    pub header_timeout: Duration,
}

impl ServeOptions {
    /// The limits a configuration sets.
    pub fn from_config(config: &crate::config::Config) -> ServeOptions {
        ServeOptions {
            max_connections: config.max_connections,
            max_per_client: config.max_connections_per_client,
            header_timeout: config.header_timeout,
        }
    }
}

/// Connections open per client address.
#[derive(Default)]
struct PerClient {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One client's hold on a connection slot, given back when dropped.
struct ClientSlot {
    clients: Arc<PerClient>,
    client: IpAddr,
}

impl PerClient {
    fn take(self: &Arc<Self>, client: IpAddr, most: usize) -> Option<ClientSlot> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: Arc::clone(self),
            client,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// The next connection, with one of `permits` held for it; `None` once `shutdown` resolves. Out
/// of permits it waits (the client waits in the backlog); when accepting fails (out of file
/// descriptors and the like) it waits too, never spins.
pub(crate) async fn next_connection(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    mut shutdown: std::pin::Pin<&mut (impl Future<Output = ()> + Send)>,
) -> Option<(tokio::sync::OwnedSemaphorePermit, TcpStream, SocketAddr)> {
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(permits).acquire_owned() => permit.ok()?,
            () = &mut shutdown => return None,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => return Some((permit, stream, addr)),
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => return None,
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
    let clients = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some((permit, stream, addr)) =
        next_connection(&listener, &permits, shutdown.as_mut()).await
    {
        // A client over its share is closed at once, before it costs a task or a buffer.
        let Some(slot) = clients.take(
            super::guard::client_of(addr.ip()),
            options.max_per_client.max(1),
        ) else {
            tracing::debug!(client = %addr.ip(), "too many connections from one client");
            drop(stream);
            continue;
        };
        let service = router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(addr));
                request.map(axum::body::Body::new)
            },
        );
        let watcher = graceful.watcher();
        let header_timeout = options.header_timeout;
        tokio::spawn(async move {
            let _held = (permit, slot);
            let Some(stream) = first_request_line(stream, header_timeout).await else {
                return;
            };
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("shut down with requests still open"),
    }
    Ok(())
}

/// Looks once at what a new connection has sent: a request line already longer than the API
/// accepts is answered with the API's JSON 414 and closed; one that sends nothing within
/// `header_timeout` is closed; anything else goes on to hyper untouched (the bytes are only
/// peeked).
async fn first_request_line(stream: TcpStream, header_timeout: Duration) -> Option<TcpStream> {
    // The header timeout holds from the first byte on: a client that sends nothing is closed
    // after it, as hyper closes one that stops sending its headers.
    let mut buf = vec![0u8; FIRST_LOOK];
    let seen = match tokio::time::timeout(header_timeout, stream.peek(&mut buf)).await {
        Ok(Ok(n)) => n,
        Ok(Err(_)) | Err(_) => return None,
    };
    let line = &buf[..seen];
    let too_long = match line.iter().position(|&b| b == b'\n') {
        Some(end) => end > super::guard::MAX_URI_BYTES + 32,
        None => seen > super::guard::MAX_URI_BYTES + 32,
    };
    if !too_long {
        return Some(stream);
    }
    let body = format!(
        r#"{{"error":{{"code":"uri_too_long","message":"the request target is longer than {} bytes"}}}}"#,
        super::guard::MAX_URI_BYTES
    );
    let response = format!(
        "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\ncache-control: no-store\r\n\
         content-security-policy: default-src 'none'; frame-ancestors 'none'\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = stream;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        // Read what the client is still sending, so closing does not reset the connection
        // before it has read the answer.
        let mut sink = [0u8; 8192];
        let mut drained = 0;
        while drained < 1024 * 1024 {
            match tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
    None
}
