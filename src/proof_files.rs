//! Where the bytes of proof of purchase files live: in the database (the default: every API
//! process serves them, on both backends) or in an S3-compatible object store (`proof_store =
//! "s3"`), under `proofs/{sha256}`. The rows (`proof_files`, `registration_proofs`) are always in
//! the database; with an object store their `content` is empty.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path;

use crate::config::Config;

#[derive(Clone, Default)]
pub struct ProofFiles {
    s3: Option<Arc<dyn ObjectStore>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the object store: {0}")]
pub struct FileError(String);

fn key(sha256: &str) -> Path {
    Path::from(format!("proofs/{sha256}"))
}

impl ProofFiles {
    /// The store the configuration names; an incomplete S3 configuration is an error at start.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match config.proof_store.as_str() {
            "database" => Ok(Self::default()),
            "s3" => {
                let need = |v: &Option<String>, name: &str| {
                    v.clone()
                        .filter(|v| !v.trim().is_empty())
                        .ok_or_else(|| anyhow::anyhow!("proof_store = \"s3\" needs {name}"))
                };
                let secret = config
                    .s3_secret_access_key
                    .as_ref()
                    .map(|s| s.expose().to_owned());
                let store = object_store::aws::AmazonS3Builder::new()
                    .with_endpoint(need(&config.s3_endpoint, "s3_endpoint")?)
                    .with_bucket_name(need(&config.s3_bucket, "s3_bucket")?)
                    .with_region(&config.s3_region)
                    .with_access_key_id(need(&config.s3_access_key_id, "s3_access_key_id")?)
                    .with_secret_access_key(need(&secret, "s3_secret_access_key")?)
                    .with_allow_http(
                        config
                            .s3_endpoint
                            .as_deref()
                            .is_some_and(|e| e.starts_with("http://")),
                    )
                    .with_virtual_hosted_style_request(false)
                    .build()?;
                Ok(Self {
                    s3: Some(Arc::new(store)),
                })
            }
            other => anyhow::bail!("proof_store {other:?} is neither \"database\" nor \"s3\""),
        }
    }

    /// Whether the bytes live outside the database.
    pub fn external(&self) -> bool {
        self.s3.is_some()
    }

    /// Keeps the bytes of `sha256` in the object store (nothing to do for the database).
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> Result<(), FileError> {
        if let Some(s3) = &self.s3 {
            s3.put(&key(sha256), bytes.to_vec().into())
                .await
                .map_err(|e| FileError(e.to_string()))?;
        }
        Ok(())
    }

    /// The bytes of `sha256` from the object store.
    pub async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, FileError> {
        let Some(s3) = &self.s3 else {
            return Ok(None);
        };
        match s3.get(&key(sha256)).await {
            Ok(found) => Ok(Some(
                found
                    .bytes()
                    .await
                    .map_err(|e| FileError(e.to_string()))?
                    .to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(FileError(e.to_string())),
        }
    }

    /// Removes the bytes of `sha256` from the object store (erasure).
    pub async fn delete(&self, sha256: &str) -> Result<(), FileError> {
        if let Some(s3) = &self.s3 {
            match s3.delete(&key(sha256)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(FileError(e.to_string())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_object_store_is_refused_at_start_naming_what_is_missing() {
        let mut config = Config {
            proof_store: "s3".into(),
            s3_endpoint: Some("https://s3.example".into()),
            ..Config::default()
        };
        let err = ProofFiles::from_config(&config).err().unwrap().to_string();
        assert!(err.contains("s3_bucket"), "{err}");
        config.proof_store = "disk".into();
        let err = ProofFiles::from_config(&config).err().unwrap().to_string();
        assert!(err.contains("\"disk\""), "{err}");
        assert!(
            !ProofFiles::from_config(&Config::default())
                .unwrap()
                .external()
        );
    }
}
