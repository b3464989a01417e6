//! Errors as RFC 9457 `application/problem+json`. Every variant documents its status; causes of
//! server-side failures go to the log, never to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::store::StoreError;
use crate::workflows::ledger::TransitionError;
use crate::workflows::registration::IntakeError;
use crate::workflows::visit::VisitError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, e.g. `urn:warrantyd:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The caller's own existing registration, for a duplicate serial it registered itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_registration_id: Option<uuid::Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed (e.g. broken JSON).
    #[error("{0}")]
    Malformed(String),
    /// 401: no key, an unknown key or a revoked key.
    #[error("authentication required")]
    Unauthenticated,
    /// 403: the key is valid but its role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// 404: does not exist or is not the caller's to see.
    #[error("not found")]
    NotFound,
    /// 409: conflicts with the current state (duplicate serial, request in flight).
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        existing_registration_id: Option<uuid::Uuid>,
    },
    /// 413: the body is larger than allowed.
    #[error("request body too large")]
    TooLarge,
    /// 415: the body's media type is not accepted here.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but invalid; names each offending field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422: the Idempotency-Key was already used with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    /// 412: `If-Match` names a version that is no longer the current one.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 429: over a rate limit; retry after this many seconds.
    #[error("rate limited")]
    RateLimited(u64),
    /// 503: the database is unreachable; retry later.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug or an unexpected failure (logged with its cause).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(e.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::UnstorableText => Self::field(
                "body",
                "invalid_text",
                "contains text that cannot be stored (a NUL character)",
            ),
            StoreError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                Self::Unavailable
            }
            StoreError::Taken(field) => {
                Self::field(field, "taken", "another record already has this value")
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Invalid(errors) => Self::Validation(errors),
            IntakeError::Duplicate { own } => Self::Conflict {
                code: "serial-already-registered",
                detail: match own {
                    Some(_) => "you have already registered this serial number".into(),
                    None => "this serial number is already registered to another owner; if the unit changed hands, start a transfer for its new owner with POST /v1/transfers".into(),
                },
                existing_registration_id: own,
            },
            IntakeError::Store(e) => e.into(),
        }
    }
}

impl From<VisitError> for ApiError {
    fn from(e: VisitError) -> Self {
        match e {
            VisitError::Invalid(errors) => Self::Validation(errors),
            VisitError::Store(e) => e.into(),
        }
    }
}

impl From<crate::workflows::correction::CorrectionError> for ApiError {
    fn from(e: crate::workflows::correction::CorrectionError) -> Self {
        use crate::workflows::correction::CorrectionError as E;
        match e {
            E::NotFound => Self::NotFound,
            E::Voided => Self::Conflict {
                code: "registration-voided",
                detail: e.to_string(),
                existing_registration_id: None,
            },
            E::TooLate(_) => Self::Conflict {
                code: "correction-window-closed",
                detail: e.to_string(),
                existing_registration_id: None,
            },
            E::Stale => Self::PreconditionFailed,
            E::Invalid(errors) => Self::Validation(errors),
            E::Store(e) => e.into(),
        }
    }
}

impl From<crate::workflows::transfer::TransferError> for ApiError {
    fn from(e: crate::workflows::transfer::TransferError) -> Self {
        use crate::workflows::transfer::TransferError as E;
        match e {
            E::NotFound => Self::NotFound,
            E::NotTransferable => Self::Conflict {
                code: "not-transferable",
                detail: e.to_string(),
                existing_registration_id: None,
            },
            E::Gone | E::Superseded => Self::Conflict {
                code: "transfer-ended",
                detail: e.to_string(),
                existing_registration_id: None,
            },
            E::Invalid(errors) => Self::Validation(errors),
            E::Store(e) => e.into(),
        }
    }
}

impl From<crate::workflows::proof::ProofError> for ApiError {
    fn from(e: crate::workflows::proof::ProofError) -> Self {
        use crate::workflows::proof::ProofError as E;
        match e {
            E::TooLarge(_) => Self::TooLarge,
            E::Refused(refusal) => Self::UnsupportedMediaType(refusal.to_string()),
            E::NotFound => Self::NotFound,
            E::Unavailable => Self::Unavailable,
            E::Store(e) => e.into(),
        }
    }
}

impl From<crate::workflows::claim::ClaimError> for ApiError {
    fn from(e: crate::workflows::claim::ClaimError) -> Self {
        use crate::workflows::claim::ClaimError as E;
        let conflict = |code, e: &E, existing| Self::Conflict {
            code,
            detail: e.to_string(),
            existing_registration_id: existing,
        };
        match e {
            E::NotFound => Self::NotFound,
            E::WindowClosed(_) => conflict("claim-window-closed", &e, None),
            E::ClaimedByYou(id) => conflict("already-claimed", &e, Some(id)),
            E::ClaimedByOther => conflict("claimed-by-another-dealer", &e, None),
            E::Registered => conflict("serial-already-registered", &e, None),
            E::Invalid(errors) => Self::Validation(errors),
            E::Store(e) => e.into(),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound => Self::NotFound,
            refused @ TransitionError::Refused { .. } => Self::Conflict {
                code: "transition-refused",
                detail: refused.to_string(),
                existing_registration_id: None,
            },
            four_eyes @ TransitionError::FourEyes(_) => Self::Conflict {
                code: "four-eyes",
                detail: four_eyes.to_string(),
                existing_registration_id: None,
            },
            TransitionError::Store(e) => e.into(),
        }
    }
}

pub fn problem(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem {
        kind: format!("urn:warrantyd:problem:{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail: detail.into(),
        errors: Vec::new(),
        existing_registration_id: None,
    }
}

impl Problem {
    pub fn into_response_with_status(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).expect("problem serializes");
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use StatusCode as S;
        let p = match self {
            Self::Malformed(detail) => {
                problem(S::BAD_REQUEST, "malformed", "Malformed request", detail)
            }
            Self::Unauthenticated => problem(
                S::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                "send a valid API key as 'Authorization: Bearer <key>'",
            ),
            Self::Forbidden => problem(
                S::FORBIDDEN,
                "forbidden",
                "Forbidden",
                "this key may not perform this action",
            ),
            Self::NotFound => problem(S::NOT_FOUND, "not-found", "Not found", "no such resource"),
            Self::Conflict {
                code,
                detail,
                existing_registration_id,
            } => Problem {
                existing_registration_id,
                ..problem(S::CONFLICT, code, "Conflict", detail)
            },
            Self::TooLarge => problem(
                S::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request body too large",
                "the body exceeds the size limit",
            ),
            Self::UnsupportedMediaType(detail) => problem(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail,
            ),
            Self::Validation(errors) => Problem {
                errors,
                ..problem(
                    S::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Invalid request",
                    "one or more fields are invalid",
                )
            },
            Self::IdempotencyMismatch => problem(
                S::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
                "this Idempotency-Key was used with a different request body; use a new key for a new request",
            ),
            Self::PreconditionFailed => problem(
                S::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                "the registration changed since you read it (If-Match names another version); read it again and correct that",
            ),
            Self::RateLimited(wait) => return limited(wait),
            Self::Unavailable => problem(
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "the service cannot reach its database; retry shortly",
            ),
            Self::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "request failed");
                problem(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal Server Error",
                    "an unexpected error occurred",
                )
            }
        };
        p.into_response_with_status()
    }
}

/// 429 with `Retry-After` (at least one second).
pub fn limited(retry_after_secs: u64) -> Response {
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        "slow down and retry later",
    )
    .into_response_with_status();
    let value = HeaderValue::from_str(&retry_after_secs.max(1).to_string()).expect("digits");
    response.headers_mut().insert(header::RETRY_AFTER, value);
    response
}
