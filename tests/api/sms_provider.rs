//! A fake SMS provider process for tests: `tests/sms/fake_provider.py` on a free loopback port,
//! speaking Twilio's or Vonage's Messages API, recording what it took, answering with planned
//! statuses, and posting status callbacks and inbound texts to the service signed by the
//! providers' own libraries (twilio's RequestValidator, PyJWT).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "twilio-auth-token-for-tests";
pub const SIGNATURE_SECRET: &str = "vonage-signature-secret-for-tests";
/// The service's number (texts come from it, inbound texts go to it).
pub const NUMBER: &str = "+15005550006";

pub struct FakeProvider {
    child: Child,
    pub url: String,
    http: reqwest::Client,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FakeProvider {
    /// Starts one of `flavor` (`twilio`, `vonage`) that posts to the service at `app` (where it
    /// listens), signing for `public` (the address the service is known by).
    pub fn start(flavor: &str, app: &str, public: &str) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sms/fake_provider.py");
        let mut child = Command::new(crate::smtp::python())
            .args([
                script,
                "--flavor",
                flavor,
                "--app",
                app,
                "--public",
                public,
                "--account",
                ACCOUNT,
                "--token",
                TOKEN,
                "--signature-secret",
                SIGNATURE_SECRET,
                "--number",
                NUMBER,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with twilio and PyJWT is required (scripts/test installs them)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the fake SMS provider did not start: {line:?}"))
            .to_owned();
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    /// The configuration that sends texts to this provider.
    pub fn configure(&self, flavor: &str, config: &mut warrantyd::config::Config) {
        config.sms_provider = Some(flavor.into());
        config.sms_api_url = Some(self.url.clone());
        config.sms_account = Some(ACCOUNT.into());
        // Twilio's auth token, or Vonage's API secret.
        config.sms_auth_token = Some(warrantyd::config::Secret::new(TOKEN));
        config.sms_signature_secret = Some(warrantyd::config::Secret::new(SIGNATURE_SECRET));
        config.sms_from = Some(NUMBER.into());
        config.sms_timeout_secs = 1;
    }

    /// Every text it took, in order.
    pub async fn messages(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/_messages", self.url))
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// Answers for the next sends, in order.
    pub async fn plan(&self, answers: Value) {
        let resp = self
            .http
            .post(format!("{}/_plan", self.url))
            .json(&answers)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
    }

    async fn post(&self, path: &str, body: Value) -> (u16, String) {
        let answer: Value = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            answer["status"].as_u64().unwrap() as u16,
            answer["body"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Has the provider post a signed status callback about text `id`: (the service's status,
    /// its body).
    pub async fn status(
        &self,
        id: &str,
        status: &str,
        error_code: Option<u32>,
        iat: i64,
    ) -> (u16, String) {
        self.post(
            "/_status",
            json!({"id": id, "status": status, "error_code": error_code, "iat": iat}),
        )
        .await
    }

    /// Has the provider post a signed inbound text from `from`.
    pub async fn inbound(&self, from: &str, body: &str, iat: i64) -> (u16, String) {
        self.post("/_inbound", json!({"from": from, "body": body, "iat": iat}))
            .await
    }

    /// Like `inbound`, signed with the wrong key.
    pub async fn forged_inbound(&self, from: &str, body: &str, iat: i64) -> (u16, String) {
        self.post(
            "/_inbound",
            json!({"from": from, "body": body, "iat": iat, "bad_signature": true}),
        )
        .await
    }
}
