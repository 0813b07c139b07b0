//! What an answer must not carry back: the token it named, the credential it sent
//! (`steps/echo.rs`).

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
