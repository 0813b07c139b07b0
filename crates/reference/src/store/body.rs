//! What a share request's body asks for, parsed and checked against the docs.

use super::Denial;

/// Options of a new share link (the optional body of "Share a track").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareOptions {
    /// `link_only` or `public`.
    pub visibility: String,
    /// Days until expiry, already clamped to 1..=90; `None` never expires.
    pub expires_in_days: Option<i64>,
}

impl ShareOptions {
    /// Reads the body of a share request: empty means the defaults.
    pub fn from_body(body: &[u8]) -> Result<Self, Denial> {
        let mut options = Self {
            visibility: "link_only".into(),
            expires_in_days: None,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(options);
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| Denial::BodyNotJson)?;
        let serde_json::Value::Object(fields) = value else {
            return Err(Denial::BodyInvalid("Body must be a JSON object"));
        };
        match fields.get("visibility") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(v)) if v == "link_only" || v == "public" => {
                options.visibility = v.clone()
            }
            Some(_) => {
                return Err(Denial::BodyInvalid(
                    "visibility must be link_only or public",
                ));
            }
        }
        match fields.get("expires_in_days") {
            None | Some(serde_json::Value::Null) => {}
            Some(v) => match v.as_i64() {
                // The docs: minimum 1, above 90 clamped to 90.
                Some(days) if days >= 1 => options.expires_in_days = Some(days.min(90)),
                _ => {
                    return Err(Denial::BodyInvalid(
                        "expires_in_days must be an integer of at least 1",
                    ));
                }
            },
        }
        Ok(options)
    }
}
