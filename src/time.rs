//! UTC timestamps as the docs write them (`2026-06-28T10:30:00Z`).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in UTC, to the whole second (the docs' timestamps have no fraction).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// `2026-06-28T10:30:00Z`.
pub fn format(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `t` as [`format`] writes it, to the whole second.
pub fn format_system(t: std::time::SystemTime) -> String {
    format(
        OffsetDateTime::from(t)
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    )
}

/// Parses an RFC 3339 date-time with any offset. As RFC 3339 allows, the date and time may be
/// separated by `T`, `t` or a space, and `Z` may be lower case.
pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
    let mut normal = text.to_owned();
    if normal.len() > 10 && normal.is_char_boundary(10) && normal.is_char_boundary(11) {
        if matches!(&normal[10..11], "t" | " ") {
            normal.replace_range(10..11, "T");
        }
        if normal.ends_with('z') {
            normal.pop();
            normal.push('Z');
        }
    }
    OffsetDateTime::parse(&normal, &Rfc3339)
        .map_err(|e| format!("{text:?} is not an RFC 3339 date-time: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_docs() {
        let t = parse("2026-06-28T10:30:00Z").unwrap();
        assert_eq!(format(t), "2026-06-28T10:30:00Z");
        assert!(format(now()).ends_with('Z'));
        assert!(parse("28/06/2026").is_err());
        for same in [
            "2026-06-28t10:30:00z",
            "2026-06-28 10:30:00Z",
            "2026-06-28T10:30:00+00:00",
        ] {
            assert_eq!(parse(same).unwrap(), t, "{same}");
        }
        assert!(parse("2026-02-30T10:30:00Z").is_err());
    }
}
