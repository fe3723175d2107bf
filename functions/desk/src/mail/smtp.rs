//! `baton serve`'s SMTP listener (`BATON_SMTP_ADDR`), for a relay or the team's MTA to deliver
//! the support address's mail to. It takes mail for the support address (and its `+token` forms)
//! only, never relays, and bounds what a client may cost: the message size (announced in `EHLO`
//! and enforced while reading), the recipients of a message, the line length, the connections at
//! once, and how long a client may wait between commands.
//!
//! A message is answered only after the desk has it: `250` once stored, `550` when it can never
//! be taken (not a mail, too large), `451` when the desk cannot store it now (the sending MTA
//! keeps it and tries again, so nothing is lost). Written here because no maintained crate serves
//! SMTP (lettre and mail-send are clients); the protocol part that matters (RFC 5321 §4.1, §4.5.2
//! dot-unstuffing, §4.5.3.1 limits) is small.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::is_support;

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTaken {
    /// Never (the client should bounce it): `550`.
    Refused(String),
    /// Not now (the client keeps it and tries again): `451`.
    Later(String),
}

/// Where the listener hands a message.
#[async_trait]
pub trait Deliver: Send + Sync + 'static {
    /// Takes `raw`, sent to `recipients` (the envelope's).
    async fn deliver(&self, raw: Vec<u8>, recipients: Vec<String>) -> Result<(), NotTaken>;
}

/// What the listener accepts.
#[derive(Debug, Clone)]
pub struct Options {
    /// The support address: mail is taken for it and its `+token` forms only.
    pub support: String,
    /// The name the listener greets with.
    pub hostname: String,
    /// Largest message, in bytes.
    pub max_bytes: usize,
    /// Most recipients of one message.
    pub max_recipients: usize,
    /// Most connections at once (more wait in the backlog).
    pub max_connections: usize,
    /// Longest wait for a client's next command or line.
    pub timeout: Duration,
}

impl Options {
    /// The defaults for `support`: 25 MiB messages, 50 recipients, 32 connections, 5 minutes.
    pub fn new(support: &str) -> Options {
        Options {
            support: support.to_string(),
            hostname: support
                .rsplit_once('@')
                .map_or("baton", |(_, d)| d)
                .to_string(),
            max_bytes: 25 * 1024 * 1024,
            max_recipients: 50,
            max_connections: 32,
            timeout: Duration::from_secs(300),
        }
    }
}

/// Longest command line (RFC 5321 §4.5.3.1.4 says 512; some clients send more).
const MAX_COMMAND: usize = 2048;
/// Longest line inside a message (§4.5.3.1.6 says 1000; longer ones are kept, to this bound).
const MAX_TEXT_LINE: usize = 64 * 1024;

/// Serves SMTP on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    options: Options,
    deliver: Arc<dyn Deliver>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let options = Arc::new(options);
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some((permit, stream, peer)) =
        crate::http::serve::next_connection(&listener, &permits, shutdown.as_mut()).await
    {
        let (options, deliver) = (Arc::clone(&options), Arc::clone(&deliver));
        tokio::spawn(async move {
            let _permit = permit;
            let (read, write) = stream.into_split();
            if let Err(error) = session(read, write, &options, deliver.as_ref()).await {
                tracing::debug!(%error, %peer, "smtp session ended");
            }
        });
    }
    Ok(())
}

/// One client's session, on any reader and writer (a socket, or bytes in a test).
pub async fn session(
    read: impl AsyncRead + Unpin,
    mut write: impl AsyncWrite + Unpin,
    options: &Options,
    deliver: &dyn Deliver,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("220 {} Baton ESMTP\r\n", options.hostname).as_bytes())
        .await?;
    let mut from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    loop {
        let Some(line) = read_line(&mut reader, MAX_COMMAND, options.timeout).await? else {
            return Ok(());
        };
        let Line::Text(line) = line else {
            write.write_all(b"500 5.5.2 Line too long\r\n").await?;
            return Ok(());
        };
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, rest) = command.split_once(' ').unwrap_or((command, ""));
        let answer = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => format!(
                "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 SMTPUTF8",
                options.hostname, options.max_bytes
            ),
            "HELO" => format!("250 {}", options.hostname),
            "MAIL" => match path(rest, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
                Some((_, params)) if size_over(params, options.max_bytes) => {
                    format!("552 5.3.4 Messages are at most {} bytes", options.max_bytes)
                }
                Some((address, _)) => {
                    from = Some(address);
                    recipients.clear();
                    "250 2.1.0 OK".into()
                }
            },
            "RCPT" => match (path(rest, "TO:"), &from) {
                (_, None) => "503 5.5.1 MAIL first".into(),
                (None, _) => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
                (Some(_), _) if recipients.len() >= options.max_recipients => {
                    "452 4.5.3 Too many recipients".into()
                }
                (Some((address, _)), _) if is_support(&address, &options.support) => {
                    recipients.push(address);
                    "250 2.1.5 OK".into()
                }
                // Never a relay: mail for anyone else is refused.
                (Some(_), _) => "550 5.7.1 Relaying denied".into(),
            },
            "DATA" if from.is_none() || recipients.is_empty() => {
                "503 5.5.1 MAIL and RCPT first".into()
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let message = read_data(&mut reader, options).await?;
                let answer = match message {
                    None => format!("552 5.3.4 Messages are at most {} bytes", options.max_bytes),
                    Some(raw) => match deliver
                        .deliver(with_return_path(from.as_deref(), raw), recipients.clone())
                        .await
                    {
                        Ok(()) => "250 2.0.0 OK: taken".into(),
                        Err(NotTaken::Refused(why)) => format!("550 5.6.0 {}", one_line(&why)),
                        Err(NotTaken::Later(why)) => format!("451 4.3.0 {}", one_line(&why)),
                    },
                };
                from = None;
                recipients.clear();
                answer
            }
            "RSET" => {
                from = None;
                recipients.clear();
                "250 2.0.0 OK".into()
            }
            "NOOP" => "250 2.0.0 OK".into(),
            "VRFY" => "252 2.1.5 Cannot verify".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".into(),
        };
        write.write_all(format!("{answer}\r\n").as_bytes()).await?;
    }
}

/// The message with the envelope's sender on top as `Return-Path` (RFC 5321 §4.4), as the final
/// delivery writes it: a null sender (`MAIL FROM:<>`, a bounce or an auto-reply) is then seen by
/// the desk, which never answers one.
fn with_return_path(from: Option<&str>, raw: Vec<u8>) -> Vec<u8> {
    // A command line has no line break, but may hide a bare CR: no control character goes in.
    let from: String = from
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let mut out = format!("Return-Path: <{from}>\r\n").into_bytes();
    out.extend(raw);
    out
}

/// A line read, or one longer than the bound (read to its end and dropped).
enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// The next line (with its ending), `None` at the end of the stream; a wait past `timeout` is an
/// error.
async fn read_line(
    reader: &mut (impl AsyncBufReadExt + Unpin),
    max: usize,
    timeout: Duration,
) -> std::io::Result<Option<Line>> {
    let mut line = Vec::new();
    tokio::time::timeout(timeout, async {
        let n = (&mut *reader)
            .take(max as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == max && !line.ends_with(b"\n") {
            // Drop the rest of this line, in bounded pieces.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let m = (&mut *reader)
                    .take(max as u64)
                    .read_until(b'\n', &mut rest)
                    .await?;
                if m == 0 || rest.ends_with(b"\n") {
                    return Ok::<_, std::io::Error>(Some(Line::TooLong));
                }
            }
        }
        Ok(if n == 0 { None } else { Some(Line::Text(line)) })
    })
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "client too slow"))?
}

/// The message after `DATA`, dot-unstuffed; `None` when it grew past the size limit (it is read
/// to its end all the same, so the session goes on).
async fn read_data(
    reader: &mut (impl AsyncBufReadExt + Unpin),
    options: &Options,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut over = false;
    // Whether the text so far ends in CRLF: only `<CRLF>.<CRLF>` ends a message. A bare LF
    // before or after the dot does not (SMTP smuggling: a second message hidden in the first).
    let mut after_crlf = true;
    loop {
        let line = match read_line(reader, MAX_TEXT_LINE, options.timeout).await? {
            None => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the message ended without its final dot",
                ));
            }
            Some(Line::TooLong) => {
                over = true;
                continue;
            }
            Some(Line::Text(line)) => line,
        };
        if line == b".\r\n" && after_crlf {
            return Ok((!over).then_some(message));
        }
        after_crlf = line.ends_with(b"\r\n");
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + line.len() > options.max_bytes {
            over = true;
        }
        if !over {
            message.extend_from_slice(line);
        }
    }
}

/// The address of `MAIL FROM:<…>` or `RCPT TO:<…>` (lowercased) and what follows it.
fn path<'a>(rest: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some((rest[..end].trim().to_ascii_lowercase(), &rest[end + 1..]))
}

/// Whether `MAIL FROM` parameters announce a `SIZE=` over `max`.
fn size_over(params: &str, max: usize) -> bool {
    params.split_whitespace().any(|p| {
        p.get(..5).is_some_and(|k| k.eq_ignore_ascii_case("SIZE="))
            && p[5..].parse::<usize>().is_ok_and(|n| n > max)
    })
}

fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Kept(Mutex<Vec<(Vec<u8>, Vec<String>)>>);

    #[async_trait]
    impl Deliver for Kept {
        async fn deliver(&self, raw: Vec<u8>, recipients: Vec<String>) -> Result<(), NotTaken> {
            if raw.windows(14).any(|w| w == b"Subject: later") {
                return Err(NotTaken::Later("the store is down".into()));
            }
            self.0.lock().expect("kept").push((raw, recipients));
            Ok(())
        }
    }

    async fn talk(input: &str, options: &Options) -> (String, Kept) {
        let kept = Kept::default();
        let mut out = Vec::new();
        session(input.as_bytes(), &mut out, options, &kept)
            .await
            .expect("session");
        (String::from_utf8(out).expect("utf-8"), kept)
    }

    fn options() -> Options {
        let mut options = Options::new("support@baton.example");
        options.max_bytes = 200;
        options.max_recipients = 2;
        options
    }

    #[tokio::test]
    async fn a_message_for_the_support_address_is_taken_dot_unstuffed() {
        let (out, kept) = talk(
            "EHLO client\r\nMAIL FROM:<a@example.com> SIZE=100\r\nRCPT TO:<Support+abc@baton.example>\r\nDATA\r\nSubject: hi\r\n\r\n..a line with a dot\r\n.\r\nQUIT\r\n",
            &options(),
        )
        .await;
        assert!(out.contains("250-SIZE 200"), "{out}");
        assert!(out.contains("250 2.0.0 OK: taken"), "{out}");
        let kept = kept.0.lock().expect("kept");
        assert_eq!(
            kept[0].0,
            b"Return-Path: <a@example.com>\r\nSubject: hi\r\n\r\n.a line with a dot\r\n"
        );
        assert_eq!(kept[0].1, ["support+abc@baton.example"]);
    }

    #[tokio::test]
    async fn the_envelopes_sender_is_written_on_top_so_a_null_one_is_never_answered() {
        let (_, kept) = talk(
            "MAIL FROM:<>\r\nRCPT TO:<support@baton.example>\r\nDATA\r\nReturn-Path: <someone@example.com>\r\nFrom: robot@example.com\r\n\r\nI am away.\r\n.\r\nMAIL FROM:<a\rInjected: yes@x>\r\nRCPT TO:<support@baton.example>\r\nDATA\r\nFrom: a@x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
            &options(),
        )
        .await;
        let kept = kept.0.lock().expect("kept");
        let null = crate::mail::parse(&kept[0].0, &crate::mail::Limits::default()).expect("a mail");
        assert_eq!(
            null.automatic,
            Some(crate::model::Automatic::NullReturnPath)
        );
        assert!(
            kept[1]
                .0
                .starts_with(b"Return-Path: <ainjected: yes@x>\r\nFrom"),
            "{}",
            String::from_utf8_lossy(&kept[1].0)
        );
    }

    #[tokio::test]
    async fn it_never_relays_and_bounds_size_recipients_and_lines() {
        let (out, kept) = talk(
            "HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<victim@elsewhere.example>\r\nRCPT TO:<support@baton.example.evil>\r\nDATA\r\nQUIT\r\n",
            &options(),
        )
        .await;
        assert_eq!(out.matches("550 5.7.1 Relaying denied").count(), 2, "{out}");
        assert!(out.contains("503 5.5.1 MAIL and RCPT first"), "{out}");
        assert!(kept.0.lock().expect("kept").is_empty());

        let (out, _) = talk(
            "MAIL FROM:<a@example.com> SIZE=999999\r\nQUIT\r\n",
            &options(),
        )
        .await;
        assert!(out.contains("552 5.3.4"), "{out}");

        let big = "x".repeat(300);
        let (out, kept) = talk(
            &format!("MAIL FROM:<a@x>\r\nRCPT TO:<support@baton.example>\r\nDATA\r\n{big}\r\n.\r\nMAIL FROM:<a@x>\r\nRCPT TO:<support@baton.example>\r\nRCPT TO:<support+1@baton.example>\r\nRCPT TO:<support+2@baton.example>\r\nQUIT\r\n"),
            &options(),
        )
        .await;
        assert!(
            out.contains("552 5.3.4"),
            "too large, and the session goes on: {out}"
        );
        assert!(out.contains("452 4.5.3 Too many recipients"), "{out}");
        assert!(kept.0.lock().expect("kept").is_empty());

        let (out, _) = talk(&format!("{}\r\n", "A".repeat(5000)), &options()).await;
        assert!(out.contains("500 5.5.2 Line too long"), "{out}");
    }

    #[tokio::test]
    async fn a_bare_newline_never_ends_a_message_so_none_is_smuggled_in() {
        let (out, kept) = talk(
            "MAIL FROM:<a@x>\r\nRCPT TO:<support@baton.example>\r\nDATA\r\nSubject: one\n.\r\nMAIL FROM:<b@x>\r\n.\n\r\n.\r\nQUIT\r\n",
            &options(),
        )
        .await;
        assert_eq!(out.matches("250 2.0.0 OK: taken").count(), 1, "{out}");
        let kept = kept.0.lock().expect("kept");
        assert_eq!(kept.len(), 1);
        assert!(
            String::from_utf8_lossy(&kept[0].0).contains("MAIL FROM:<b@x>"),
            "the smuggled command stays text of the one message"
        );
    }

    #[tokio::test]
    async fn a_desk_that_cannot_store_now_says_try_later() {
        let (out, _) = talk(
            "MAIL FROM:<a@x>\r\nRCPT TO:<support@baton.example>\r\nDATA\r\nSubject: later\r\n\r\nx\r\n.\r\nQUIT\r\n",
            &options(),
        )
        .await;
        assert!(out.contains("451 4.3.0 the store is down"), "{out}");
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic_the_session(input in proptest::collection::vec(any::<u8>(), 0..600)) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let kept = Kept::default();
                let mut out = Vec::new();
                let _ = session(&input[..], &mut out, &options(), &kept).await;
                assert!(out.starts_with(b"220 "));
            });
        }
    }
}
