//! The reference server's timestamps (`2026-06-28T10:30:00Z`, as the docs write them).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in UTC, to the whole second (the docs' timestamps have no fraction).
pub fn now() -> OffsetDateTime {
    let seconds = OffsetDateTime::now_utc().unix_timestamp();
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2026-06-28T10:30:00Z` (RFC 3339, keeping the offset `at` has).
pub fn format(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Parses an RFC 3339 date-time the server itself wrote.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}
