//! What an answer must not carry back: the token it named, the credential it sent
//! (`src/steps/echo.rs`).

use super::{Check, Failure};
use crate::exchange::Exchange;

/// The response carries back neither the share token it named nor the credential it sent.
/// `key` is the credential as sent when it is not one the redactor masks (the recipient's key
/// is masked on arrival, and the exchange says whether it came back).
pub fn no_echo(response: &Exchange, token: &str, key: Option<&[u8]>) -> Check {
    let mut echoes = Vec::new();
    if response.echoed_secret {
        echoes.push("the API key (masked here)".to_owned());
    }
    let mut places: Vec<(&str, &[u8])> = vec![("the body", &response.body)];
    places.extend(
        response
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    let contains = |haystack: &[u8], needle: &[u8]| {
        needle.len() >= 8 && haystack.windows(needle.len()).any(|w| w == needle)
    };
    let encoded = crate::secret::percent_encode(token);
    for (place, bytes) in &places {
        if contains(bytes, token.as_bytes()) || contains(bytes, encoded.as_bytes()) {
            echoes.push(format!("the share token, in {place}"));
        }
        if let Some(key) = key
            && contains(bytes, key)
        {
            echoes.push(format!("the credential it was sent, in {place}"));
        }
    }
    if echoes.is_empty() {
        return Ok(());
    }
    echoes.dedup();
    Err(Failure::mismatch(
        "a response that carries neither the share token nor the credential back",
        echoes.join("; "),
        response,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::answer;

    const TOKEN: &str = "shr_abcdefgh12345678";

    #[test]
    fn a_clean_answer_passes() {
        let clean = answer(201, &[("x-trace", "req_1")], r#"{"track_id":"mtrack_1"}"#);
        assert!(no_echo(&clean, TOKEN, Some(b"ak_secretkey123")).is_ok());
    }

    #[test]
    fn the_token_or_the_credential_back_anywhere_fails() {
        let cases = [
            answer(201, &[], &format!(r#"{{"token":"{TOKEN}"}}"#)),
            answer(201, &[("location", &format!("/s/{TOKEN}"))], "{}"),
            answer(
                201,
                &[],
                &format!(
                    r#"{{"t":"{}"}}"#,
                    crate::secret::percent_encode("shr_ab/cdefgh")
                ),
            ),
            answer(
                401,
                &[],
                r#"{"error":{"message":"ak_secretkey123 is bad"}}"#,
            ),
        ];
        let tokens = [TOKEN, TOKEN, "shr_ab/cdefgh", TOKEN];
        for (response, token) in cases.iter().zip(tokens) {
            let failure = no_echo(response, token, Some(b"ak_secretkey123"));
            assert!(failure.is_err(), "{response:?}");
        }
        let mut masked = answer(201, &[], "{}");
        masked.echoed_secret = true;
        assert!(no_echo(&masked, TOKEN, None).is_err());
    }

    #[test]
    fn a_short_value_is_not_taken_for_an_echo() {
        let body = answer(404, &[], r#"{"error":{"message":"abc"}}"#);
        assert!(no_echo(&body, "abc", Some(b"abc")).is_ok());
    }
}
