//! A multipart form with one file (the proof of purchase forms): its text fields and the file's
//! bytes, read within the route's body limit; beyond it, `too_large` (the page says so, 413).

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};

use crate::http::error::ApiError;

#[derive(Default)]
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<Vec<u8>>,
    pub too_large: bool,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads the form; the file is the field named `file` (an empty one counts as none).
pub async fn read(mut form: Multipart) -> Result<Upload, ApiError> {
    let mut upload = Upload::default();
    let too_large = |status: StatusCode| status == StatusCode::PAYLOAD_TOO_LARGE;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if too_large(e.status()) => {
                upload.too_large = true;
                break;
            }
            Err(_) => return Err(ApiError::Malformed("unreadable form".into())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            match field.bytes().await {
                Ok(bytes) => upload.file = Some(bytes.to_vec()).filter(|b| !b.is_empty()),
                Err(e) if too_large(e.status()) => {
                    upload.too_large = true;
                    break;
                }
                Err(_) => return Err(ApiError::Malformed("unreadable form".into())),
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| ApiError::Malformed("unreadable form".into()))?;
            if text.contains('\0') {
                return Err(ApiError::Malformed("a NUL in a form field".into()));
            }
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

/// A form posted either way: `multipart/form-data` (with its file) or URL-encoded (no file).
pub async fn read_any(req: Request) -> Result<Upload, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        let form = Multipart::from_request(req, &())
            .await
            .map_err(|_| ApiError::Malformed("unreadable form".into()))?;
        return read(form).await;
    }
    let axum::Form(fields) = axum::Form::<HashMap<String, String>>::from_request(req, &())
        .await
        .map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::UnsupportedMediaType("send the form as a browser does".into())
            }
            _ => ApiError::Malformed("unreadable form".into()),
        })?;
    Ok(Upload {
        fields,
        ..Upload::default()
    })
}
