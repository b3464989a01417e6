//! A real SMTP server process for tests: `tests/smtp/fault_server.py` (aiosmtpd) on a free
//! loopback port, with faults chosen by the recipient's local part. Received messages are read back
//! from its directory and parsed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub rcpt_to: Vec<String>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("a parsable message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parsed();
        message
            .header_raw(name)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }
}

pub fn python() -> String {
    std::env::var("WARRANTYD_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

impl SmtpServer {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port)
    }

    /// A server on a given port (e.g. the port of one that was stopped).
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/fault_server.py");
        let mut child = Command::new(python())
            .args([script, "--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd is required (scripts/test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP test server did not start (is aiosmtpd installed?)"
        );
        Self { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        let log = std::fs::read_to_string(self.dir.path().join("log.jsonl")).unwrap_or_default();
        let mut out = Vec::new();
        for line in log.lines() {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            let n = entry["n"].as_u64().unwrap();
            let Ok(raw) = std::fs::read_to_string(self.dir.path().join(format!("{n:06}.eml")))
            else {
                continue;
            };
            let rcpt_to = entry["rcpt_tos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect();
            out.push(Received { raw, rcpt_to });
        }
        out
    }

    /// Waits (polling, bounded) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= n || Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
