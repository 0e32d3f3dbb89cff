//! Fetching over IMAP. The mailbox is opened read-only (`EXAMINE`) and bodies are read with
//! `BODY.PEEK`, so a digest never marks anything as read.

use std::collections::HashMap;
use std::fmt::Debug;

use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::server::{Protocol, Security, Server};
use super::{Failure, Outcome, Request, Summary, fetch_options, fetched};
use crate::workflow::ErrorKind;

/// Reads up to `limit` messages, newest first, from `folder` (default INBOX).
pub async fn fetch(request: &Request) -> Outcome {
    let server = Server::from_request(request, Protocol::Imap)?;
    let (limit, unread_only) = fetch_options(request);
    let mailbox = request.str("folder").filter(|f| !f.is_empty()).unwrap_or("INBOX");
    let work = connect(&server, mailbox, limit, unread_only);
    let messages = match request.deadline {
        Some(deadline) => tokio::time::timeout_at(deadline.into(), work)
            .await
            .map_err(|_| Failure::kind(format!("{server}: timed out"), ErrorKind::Timeout))??,
        None => work.await?,
    };
    fetched(messages)
}

async fn connect(server: &Server, mailbox: &str, limit: usize, unread_only: bool) -> Result<Vec<Summary>, Failure> {
    let network = |e: std::io::Error| Failure::kind(format!("{server}: {e}"), ErrorKind::Network);
    let tcp = TcpStream::connect((server.host.as_str(), server.port)).await.map_err(network)?;
    match server.security {
        Security::Implicit => {
            let tls = handshake(server, tcp).await?;
            read(server, greeted(server, tls).await?, mailbox, limit, unread_only).await
        }
        Security::StartTls => {
            let mut client = greeted(server, tcp).await?;
            client.run_command_and_check_ok("STARTTLS", None).await.map_err(|e| protocol(server, "STARTTLS", e))?;
            let tls = handshake(server, client.into_inner()).await?;
            read(server, async_imap::Client::new(tls), mailbox, limit, unread_only).await
        }
        Security::None => read(server, greeted(server, tcp).await?, mailbox, limit, unread_only).await,
    }
}

async fn handshake(server: &Server, tcp: TcpStream) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Failure> {
    let name = rustls::pki_types::ServerName::try_from(server.host.clone())
        .map_err(|e| Failure::new(format!("{server}: `{}` is not a valid host name: {e}", server.host)))?;
    tokio_rustls::TlsConnector::from(server.tls_config()?)
        .connect(name, tcp)
        .await
        .map_err(|e| Failure::kind(format!("{server}: TLS handshake failed: {e}"), ErrorKind::Network))
}

/// A client that has read the server's greeting.
async fn greeted<S>(server: &Server, stream: S) -> Result<async_imap::Client<S>, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    match client.read_response().await {
        Ok(Some(_)) => Ok(client),
        Ok(None) => Err(Failure::kind(format!("{server}: closed the connection before greeting"), ErrorKind::Network)),
        Err(e) => Err(Failure::kind(format!("{server}: {e}"), ErrorKind::Network)),
    }
}

async fn read<S>(
    server: &Server,
    client: async_imap::Client<S>,
    mailbox: &str,
    limit: usize,
    unread_only: bool,
) -> Result<Vec<Summary>, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let (user, password) = server.credentials()?;
    let mut session = client
        .login(user, password)
        .await
        .map_err(|(e, _)| Failure::new(format!("{server}: login as {user} failed: {e}")))?;
    session.examine(mailbox).await.map_err(|e| protocol(server, &format!("opening {mailbox}"), e))?;
    let query = if unread_only { "UNSEEN" } else { "ALL" };
    let mut uids: Vec<u32> =
        session.uid_search(query).await.map_err(|e| protocol(server, "SEARCH", e))?.into_iter().collect();
    uids.sort_unstable_by(|a, b| b.cmp(a));
    uids.truncate(limit);
    if uids.is_empty() {
        let _ = session.logout().await;
        return Ok(Vec::new());
    }
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let mut by_uid = HashMap::new();
    {
        let fetches = session
            .uid_fetch(&set, "(UID BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.4096>)")
            .await
            .map_err(|e| protocol(server, "FETCH", e))?;
        let fetches: Vec<_> = fetches.try_collect().await.map_err(|e| protocol(server, "FETCH", e))?;
        for fetch in &fetches {
            let head = String::from_utf8_lossy(fetch.header().unwrap_or_default());
            let body = String::from_utf8_lossy(fetch.text().unwrap_or_default());
            by_uid.insert(fetch.uid.unwrap_or_default(), Summary::parse(&head, &body));
        }
    }
    let _ = session.logout().await;
    Ok(uids.iter().filter_map(|uid| by_uid.remove(uid)).collect())
}

fn protocol(server: &Server, what: &str, error: async_imap::error::Error) -> Failure {
    Failure::new(format!("{server}: {what} failed: {error}"))
}
