//! The documented error envelope, the one shape every failure of the reference server takes
//! (rendered through the server's behaviour by `wire.rs`, never directly).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::store::Denial;
use crate::{clock, ids};

/// An error answer: everything of the envelope but the per-response `trace_id` and `timestamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status, mirrored in `error.status`.
    pub status: StatusCode,
    /// UPPER_SNAKE_CASE code.
    pub code: &'static str,
    /// User-facing text.
    pub message: &'static str,
    /// Text for developers and logs.
    pub system_message: &'static str,
    /// `client_error`, `server_error` or `authentication_error`.
    pub kind: &'static str,
}

/// The docs' 404 for a share that is revoked, expired, removed or was never issued. One value
/// for every reason, so the answer does not reveal which.
pub const SHARE_UNAVAILABLE: ApiError = ApiError {
    status: StatusCode::NOT_FOUND,
    code: "RESOURCE_NOT_FOUND",
    message: "This share link is no longer available.",
    system_message: "Share token invalid, revoked, expired, or content removed",
    kind: "client_error",
};

/// The docs' 401 for a request without a key, with the endpoint's own `system_message`.
pub const fn authentication_required(system_message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: "AUTHENTICATION_REQUIRED",
        message: "Authentication required. Please provide a valid API key.",
        system_message,
        kind: "authentication_error",
    }
}

/// 401 for a key that is not one of ours (code and message from the global error reference).
pub const INVALID_API_KEY: ApiError = ApiError {
    status: StatusCode::UNAUTHORIZED,
    code: "INVALID_API_KEY",
    message: "Your API key is invalid",
    system_message: "API key not recognised",
    kind: "authentication_error",
};

/// 401 for a bearer token: this server issues none.
pub const TOKEN_INVALID: ApiError = ApiError {
    status: StatusCode::UNAUTHORIZED,
    code: "TOKEN_INVALID",
    message: "Your session is invalid. Please sign in again.",
    system_message: "Bearer token not recognised",
    kind: "authentication_error",
};

/// 422 for saving a collection share: only a shared track can be saved.
pub const COLLECTION_READ_ONLY: ApiError = ApiError {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    code: "SHARED_COLLECTION_READ_ONLY",
    message: "Only a shared track can be saved. A shared collection is read-only.",
    system_message: "Share target is a collection, which recipients cannot save",
    kind: "client_error",
};

/// 404 for any resource other than a share that the caller cannot see.
pub const fn not_found(system_message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "RESOURCE_NOT_FOUND",
        message: "The requested resource was not found.",
        system_message,
        kind: "client_error",
    }
}

/// 403 for a caller who can see a resource but may not change it.
pub const fn forbidden(system_message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::FORBIDDEN,
        code: "FORBIDDEN",
        message: "You do not have permission to do this.",
        system_message,
        kind: "client_error",
    }
}

/// 405 for a known path with an unsupported method.
pub const METHOD_NOT_ALLOWED: ApiError = ApiError {
    status: StatusCode::METHOD_NOT_ALLOWED,
    code: "METHOD_NOT_ALLOWED",
    message: "This method is not allowed for this resource.",
    system_message: "No handler for this method on this path",
    kind: "client_error",
};

/// 500: only the fault catalogue's broken servers answer this.
pub const INTERNAL_ERROR: ApiError = ApiError {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    code: "INTERNAL_ERROR",
    message: "Something went wrong on our side.",
    system_message: "Unhandled error",
    kind: "server_error",
};

/// 503: what a server made flaky on purpose (`--fail-every`) answers now and then.
pub const SERVICE_UNAVAILABLE: ApiError = ApiError {
    status: StatusCode::SERVICE_UNAVAILABLE,
    code: "SERVICE_UNAVAILABLE",
    message: "The service is temporarily unavailable. Please try again.",
    system_message: "Deliberately failed request (--fail-every)",
    kind: "server_error",
};

/// 409 for a repeat save, where a server refuses repeats (a conforming variant).
pub const ALREADY_SAVED: ApiError = ApiError {
    status: StatusCode::CONFLICT,
    code: "ALREADY_SAVED",
    message: "You have already saved this shared track.",
    system_message: "The caller already saved this share link",
    kind: "client_error",
};

/// 400 for a share token that is not well-formed (a conforming variant: "bad format").
pub const INVALID_TOKEN: ApiError = ApiError {
    status: StatusCode::BAD_REQUEST,
    code: "INVALID_REQUEST",
    message: "The share link is not valid.",
    system_message: "Share token has an invalid format",
    kind: "client_error",
};

/// 422 for query parameters out of range.
pub const INVALID_QUERY: ApiError = ApiError {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    code: "VALIDATION_ERROR",
    message: "The request contains invalid values.",
    system_message: "limit must be 1 to 100 and offset at least 0",
    kind: "client_error",
};

/// 429 for a caller over its rate limit (with `Retry-After`, the status table says).
pub const RATE_LIMITED: ApiError = ApiError {
    status: StatusCode::TOO_MANY_REQUESTS,
    code: "RATE_LIMIT_EXCEEDED",
    message: "Too many requests. Please slow down.",
    system_message: "Rate limit exceeded; retry after the Retry-After delay",
    kind: "client_error",
};

/// 400 for a body that is not JSON.
pub const INVALID_JSON: ApiError = ApiError {
    status: StatusCode::BAD_REQUEST,
    code: "INVALID_REQUEST",
    message: "The request body is not valid JSON.",
    system_message: "Request body failed to parse as JSON",
    kind: "client_error",
};

/// 413 for a body over the server's limit.
pub const PAYLOAD_TOO_LARGE: ApiError = ApiError {
    status: StatusCode::PAYLOAD_TOO_LARGE,
    code: "PAYLOAD_TOO_LARGE",
    message: "The request body is too large.",
    system_message: "Request body over the server's limit",
    kind: "client_error",
};

/// 422 for a well-formed body with a field out of range.
pub const fn validation(system_message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "VALIDATION_ERROR",
        message: "The request contains invalid values.",
        system_message,
        kind: "client_error",
    }
}

impl ApiError {
    /// The envelope, with a fresh `trace_id` and `timestamp`.
    pub fn envelope(&self) -> Value {
        json!({
            "success": false,
            "error": {
                "code": self.code,
                "message": self.message,
                "system_message": self.system_message,
                "type": self.kind,
                "status": self.status.as_u16(),
                "details": {},
                "trace_id": format!("req_{}", ids::random_hex(8)),
                "timestamp": clock::format(clock::now()),
            }
        })
    }
}

impl From<Denial> for ApiError {
    /// The documented answer to each reason a neighbouring endpoint refuses.
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::ShareUnavailable => SHARE_UNAVAILABLE,
            Denial::NotFound(what) => not_found(what),
            Denial::NotAllowed(what) => forbidden(what),
            Denial::BodyNotJson => INVALID_JSON,
            Denial::BodyInvalid(what) => validation(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_denial_answers_its_documented_envelope() {
        let cases = [
            (Denial::ShareUnavailable, 404, "RESOURCE_NOT_FOUND"),
            (Denial::NotFound("no such track"), 404, "RESOURCE_NOT_FOUND"),
            (Denial::NotAllowed("creator only"), 403, "FORBIDDEN"),
            (Denial::BodyNotJson, 400, "INVALID_REQUEST"),
            (Denial::BodyInvalid("days >= 1"), 422, "VALIDATION_ERROR"),
        ];
        for (denial, status, code) in cases {
            let error = ApiError::from(denial);
            assert_eq!(
                (error.status.as_u16(), error.code),
                (status, code),
                "{denial:?}"
            );
        }
        assert_eq!(ApiError::from(Denial::ShareUnavailable), SHARE_UNAVAILABLE);
        assert_eq!(
            ApiError::from(Denial::NotFound("no such track")).system_message,
            "no such track"
        );
    }
}
