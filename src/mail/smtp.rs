//! SMTP sending on connections we own: TCP_NODELAY set (lettre 0.11 leaves it off, which costs
//! ~40 ms per message), a bound on concurrent sessions, and a deadline per conversation after which
//! the connection is dropped, never returned to the pool half-used. Reply codes are checked.

use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::{Mutex, Semaphore};

use super::SendError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    None,
    /// STARTTLS, required.
    StartTls,
    /// STARTTLS when offered.
    Opportunistic,
    /// TLS from the first byte (smtps, port 465).
    Implicit,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub credentials: Option<Credentials>,
}

impl SmtpSettings {
    /// `smtp://[user:pass@]host[:port][?tls=none|starttls|required|opportunistic]` or
    /// `smtps://[user:pass@]host[:port]`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the URL has no host")?
            .to_owned();
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
            ("smtps", None) => (Tls::Implicit, 465),
            ("smtp", None | Some("none")) => (Tls::None, 25),
            ("smtp", Some("starttls" | "required")) => (Tls::StartTls, 587),
            ("smtp", Some("opportunistic")) => (Tls::Opportunistic, 587),
            (scheme, tls) => return Err(format!("unsupported scheme {scheme:?} with tls={tls:?}")),
        };
        let decode = |s: &str| percent_decode(s);
        let credentials = (!url.username().is_empty()).then(|| {
            Credentials::new(decode(url.username()), decode(url.password().unwrap_or("")))
        });
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            credentials,
        })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

pub struct SmtpSender {
    settings: SmtpSettings,
    hello: ClientId,
    permits: Semaphore,
    idle: Mutex<Vec<Idle>>,
    timeout: Duration,
}

/// A parked connection older than this is checked with NOOP before reuse (servers close idle ones).
const IDLE_CHECK_AFTER: Duration = Duration::from_secs(5);
/// Parked connections older than this are closed instead of reused.
const IDLE_MAX: Duration = Duration::from_secs(50);

impl SmtpSender {
    pub fn new(
        settings: SmtpSettings,
        hello_domain: &str,
        concurrency: usize,
        timeout: Duration,
    ) -> Self {
        Self {
            settings,
            hello: ClientId::Domain(hello_domain.to_owned()),
            permits: Semaphore::new(concurrency.max(1)),
            idle: Mutex::new(Vec::new()),
            timeout,
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let s = &self.settings;
        let mut conn = if s.tls == Tls::Implicit {
            let tls = TlsParameters::new(s.host.clone())?;
            AsyncSmtpConnection::connect_tokio1(
                (s.host.as_str(), s.port),
                Some(self.timeout),
                &self.hello,
                Some(tls),
                None,
            )
            .await?
        } else {
            let stream = tokio::net::TcpStream::connect((s.host.as_str(), s.port))
                .await
                .map_err(network)?;
            stream.set_nodelay(true).map_err(network)?;
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
            let offered = conn.can_starttls();
            if s.tls == Tls::StartTls || (s.tls == Tls::Opportunistic && offered) {
                conn.starttls(TlsParameters::new(s.host.clone())?, &self.hello)
                    .await?;
            }
            conn
        };
        if let Some(credentials) = &s.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }

    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let parked = self.idle.lock().await.pop();
            let Some(Idle { mut conn, since }) = parked else {
                break;
            };
            let age = since.elapsed();
            if age > IDLE_MAX || conn.has_broken() {
                drop(conn);
                continue;
            }
            if age < IDLE_CHECK_AFTER || conn.test_connected().await {
                return Ok(conn);
            }
        }
        self.connect().await
    }

    /// Sends one message with at most the configured number of concurrent sessions.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<u16, SendError> {
        let _permit = self.permits.acquire().await.expect("never closed");
        let conversation = async {
            let mut conn = self.checkout().await?;
            let result = conn.send(envelope, raw).await;
            Ok::<_, SendError>((conn, result))
        };
        match tokio::time::timeout(self.timeout, conversation).await {
            Err(_) => Err(SendError::Transient {
                code: None,
                detail: format!("no answer within {} s", self.timeout.as_secs()),
            }),
            Ok(Err(e)) => Err(e),
            Ok(Ok((conn, Ok(response)))) => {
                let code = u16::from(response.code());
                if response.is_positive() {
                    self.idle.lock().await.push(Idle {
                        conn,
                        since: Instant::now(),
                    });
                    Ok(code)
                } else {
                    // A negative reply that lettre did not turn into an error: do not reuse.
                    Err(by_code(
                        code,
                        response.message().collect::<Vec<_>>().join(" "),
                    ))
                }
            }
            // lettre aborts the connection itself on SMTP errors; a broken one is dropped here.
            Ok(Ok((_conn, Err(e)))) => Err(classify(&e)),
        }
    }

    pub async fn close_idle(&self) {
        let parked: Vec<Idle> = std::mem::take(&mut *self.idle.lock().await);
        for Idle { mut conn, .. } in parked {
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
        }
    }
}

fn network(e: std::io::Error) -> SendError {
    SendError::Transient {
        code: None,
        detail: format!("connection failed: {e}"),
    }
}

fn by_code(code: u16, detail: String) -> SendError {
    if (500..600).contains(&code) {
        SendError::Permanent {
            code: Some(code),
            detail,
        }
    } else {
        SendError::Transient {
            code: Some(code),
            detail,
        }
    }
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        classify(&e)
    }
}

fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(u16::from);
    let detail = e.to_string();
    match code {
        Some(code) => by_code(code, detail),
        None if e.is_permanent() => SendError::Permanent { code: None, detail },
        // Network failures, timeouts, TLS and protocol trouble: worth another try later.
        None => SendError::Transient { code: None, detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_tls_and_ports() {
        let s = SmtpSettings::parse("smtp://mail.example.com").unwrap();
        assert_eq!(
            (s.tls, s.port, s.credentials.is_none()),
            (Tls::None, 25, true)
        );
        let s = SmtpSettings::parse("smtp://u%40x:p%2Fw@mail.example.com?tls=starttls").unwrap();
        assert_eq!((s.tls, s.port), (Tls::StartTls, 587));
        assert!(s.credentials.is_some());
        assert_eq!(
            SmtpSettings::parse("smtps://mail.example.com").unwrap().tls,
            Tls::Implicit
        );
        assert_eq!(
            SmtpSettings::parse("smtp://127.0.0.1:2525").unwrap().port,
            2525
        );
        assert!(SmtpSettings::parse("http://mail.example.com").is_err());
        assert!(SmtpSettings::parse("smtp://mail.example.com?tls=maybe").is_err());
    }
}
