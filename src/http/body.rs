//! Request bodies: size-limited, media-type-checked, and decoded with the path of the first bad
//! field, so that every decoding failure is a problem document naming what was wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::FieldError;

/// The raw body, with a 413 problem when over the limit.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::TooLarge),
            Err(e) => Err(ApiError::Malformed(format!("could not read the body: {e}"))),
        }
    }
}

/// The essence of the Content-Type header (`application/json`), lower-cased.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

pub fn is_json(media: Option<&str>) -> bool {
    media.is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

/// A JSON body decoded into `T` (which should deny unknown fields).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(media_type(req.headers()).as_deref()) {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".into(),
            ));
        }
        let Body(bytes) = Body::from_request(req, state).await?;
        decode_json(&bytes).map(Json)
    }
}

/// Decodes JSON, mapping syntax errors to 400 and shape errors to 422 with the field's path. Text
/// that no database can store (a NUL character) is refused as a 422 naming each field.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if may_hold_nul(bytes) {
        let value: serde_json::Value = decode_json_unchecked(bytes)?;
        let errors = nul_fields(&value, "");
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    decode_json_unchecked(bytes)
}

/// JSON can carry a NUL only as the escape `\u0000`: when the body has none, no walk is needed.
fn may_hold_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

const NUL_MESSAGE: &str = "must not contain a NUL character";

/// The fields of a JSON value whose text (or name) holds a NUL character, with their paths.
pub fn nul_fields(value: &serde_json::Value, path: &str) -> Vec<FieldError> {
    use serde_json::Value;
    let mut errors = Vec::new();
    match value {
        Value::String(text) if text.contains('\0') => errors.push(FieldError::new(
            if path.is_empty() { "body" } else { path },
            "invalid_text",
            NUL_MESSAGE,
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                errors.extend(nul_fields(item, &format!("{path}[{i}]")));
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if name.contains('\0') {
                    errors.push(FieldError::new(
                        child.replace('\0', "\\0"),
                        "invalid_text",
                        NUL_MESSAGE,
                    ));
                } else {
                    errors.extend(nul_fields(item, &child));
                }
            }
        }
        _ => {}
    }
    errors
}

/// Text that no database can store, in a query string or form: the names of the offending fields.
pub fn nul_pairs(encoded: &[u8]) -> Vec<FieldError> {
    form_urlencoded::parse(encoded)
        .filter(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| FieldError::new(name.replace('\0', "\\0"), "invalid_text", NUL_MESSAGE))
        .collect()
}

/// Decodes JSON without the NUL check (batches check each row on its own).
pub fn decode_json_unchecked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ApiError::Malformed(format!(
                "the body is not valid JSON (line {}, column {})",
                inner.line(),
                inner.column()
            ))
        } else {
            ApiError::Validation(vec![shape_error(&path, &inner.to_string())])
        }
    })?;
    de.end().map_err(|e| {
        ApiError::Malformed(format!(
            "unexpected data after the JSON value (line {})",
            e.line()
        ))
    })?;
    Ok(value)
}

/// One serde shape error as a field error; the message is serde's without its position suffix.
pub fn shape_error(path: &str, message: &str) -> FieldError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let field = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(join_path(&field, name), "unknown_field", message);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(join_path(&field, name), "required", "is required");
    }
    FieldError::new(
        if field.is_empty() {
            "body".into()
        } else {
            field
        },
        "invalid_type",
        message,
    )
}

/// `parent.name`, unless the path already ends with the name.
fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else if parent == name || parent.ends_with(&format!(".{name}")) {
        parent.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// Query parameters decoded into `T`; unknown or malformed parameters are a 422.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let unstorable = nul_pairs(query.as_bytes());
        if !unstorable.is_empty() {
            return Err(ApiError::Validation(unstorable));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                ApiError::Validation(vec![shape_error(
                    &e.path().to_string(),
                    &e.into_inner().to_string(),
                )])
            })
    }
}

/// An optional JSON body: empty means `None`; anything else must be JSON of `T`.
pub fn optional_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json(media_type(headers).as_deref()) {
        return Err(ApiError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    decode_json(body).map(Some)
}

/// Refuses text no database can store before any handler sees it: a NUL in the path (no resource
/// has one: 404), or in a form body's fields (422 naming them). JSON bodies and query strings are
/// checked where they are decoded, with the path of each field.
pub async fn refuse_unstorable_text(
    limit: usize,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if path.contains("%00") || path.contains('\0') {
        return ApiError::NotFound.into_response();
    }
    if media_type(req.headers()).as_deref() != Some("application/x-www-form-urlencoded") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::TooLarge.into_response(),
    };
    let unstorable = nul_pairs(&bytes);
    if !unstorable.is_empty() {
        return ApiError::Validation(unstorable).into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}
