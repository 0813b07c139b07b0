//! What an answer must not carry back: the token it named, the credential it sent
//! (`src/steps/echo.rs`).

use super::{Check, Failure};
use crate::exchange::{Exchange, carried_back};

/// The response carries back neither the share token it named nor the credential it sent:
/// the recipient's key (masked on arrival, and the exchange says whether it came back) or a
/// credential the harness made up (the exchange says where it came back, as found on
/// arrival: a replay makes up other keys).
pub fn no_echo(response: &Exchange, token: &str) -> Check {
    let mut echoes = Vec::new();
    if response.echoed_secret {
        echoes.push("the API key (masked here)".to_owned());
    }
    if let Some(place) = &response.echoed_credential {
        echoes.push(format!("the credential it was sent, in {place}"));
    }
    if let Some(place) = carried_back(&response.headers, &response.body, token.as_bytes()) {
        echoes.push(format!("the share token, in {place}"));
    }
    if echoes.is_empty() {
        return Ok(());
    }
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
        assert!(no_echo(&clean, TOKEN).is_ok());
    }

    #[test]
    fn the_token_back_anywhere_fails() {
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
        ];
        let tokens = [TOKEN, TOKEN, "shr_ab/cdefgh"];
        let places = ["the body", "location", "the body"];
        for ((response, token), place) in cases.iter().zip(tokens).zip(places) {
            let failure = no_echo(response, token).expect_err("an echo");
            assert!(
                failure
                    .to_string()
                    .contains(&format!("the share token, in {place}")),
                "{failure}"
            );
        }
    }

    #[test]
    fn a_credential_found_on_arrival_fails_masked_or_not() {
        let mut masked = answer(201, &[], "{}");
        masked.echoed_secret = true;
        let failure = no_echo(&masked, TOKEN).expect_err("the key came back");
        assert!(failure.to_string().contains("the API key (masked here)"));
        let mut made_up = answer(401, &[], r#"{"error":{}}"#);
        made_up.echoed_credential = Some("x-echo".into());
        let failure = no_echo(&made_up, TOKEN).expect_err("the credential came back");
        assert!(
            failure
                .to_string()
                .contains("the credential it was sent, in x-echo"),
            "{failure}"
        );
    }

    #[test]
    fn carried_back_finds_a_value_as_it_is_or_percent_encoded_and_never_a_short_one() {
        let headers = answer(401, &[("x-echo", "ak_made%2Bup%2Fkey1")], "{}");
        assert_eq!(
            carried_back(&headers.headers, &headers.body, b"ak_made+up/key1"),
            Some("x-echo".to_owned())
        );
        let body = answer(401, &[], r#"{"k":"ak_madeupkey12"}"#);
        assert_eq!(
            carried_back(&body.headers, &body.body, b"ak_madeupkey12"),
            Some("the body".to_owned())
        );
        assert_eq!(
            carried_back(&body.headers, &body.body, b"ak_other0000"),
            None
        );
        let short = answer(404, &[], r#"{"error":{"message":"abc"}}"#);
        assert_eq!(carried_back(&short.headers, &short.body, b"abc"), None);
        // A short value whose percent-encoding is long enough is searched in that form.
        let encoded = answer(404, &[], r#"{"t":"a%2Fb%2Fc"}"#);
        assert_eq!(
            carried_back(&encoded.headers, &encoded.body, b"a/b/c"),
            Some("the body".to_owned())
        );
        assert!(no_echo(&short, "abc").is_ok());
    }
}
