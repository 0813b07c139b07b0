//! The HTML report, with the real binary: a self-contained page, parsed, and rendered by a
//! headless browser where one is installed.

use crate::evidence::*;
use crate::support::*;

/// Every reference to something outside the page: a `src`, a non-fragment `href`, an
/// element that loads or runs something, a CSS `url(` or `@import`.
fn external_references(document: &roxmltree::Document<'_>, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        if matches!(
            tag,
            "script"
                | "link"
                | "img"
                | "iframe"
                | "object"
                | "embed"
                | "video"
                | "audio"
                | "source"
                | "base"
                | "form"
        ) {
            found.push(format!("<{tag}>"));
        }
        for attribute in node.attributes() {
            let name = attribute.name();
            if name == "src" || name == "srcset" || name == "action" || name.starts_with("on") {
                found.push(format!("{tag} {name}={}", attribute.value()));
            }
            if name == "href" && !attribute.value().starts_with('#') {
                found.push(format!("{tag} href={}", attribute.value()));
            }
        }
    }
    for needle in ["url(", "@import"] {
        if html.contains(needle) {
            found.push(needle.to_owned());
        }
    }
    found
}

/// The page as XML (it is well-formed; its only DTD is `<!DOCTYPE html>`).
fn parse(html: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
}

fn by_id<'a, 'i>(document: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    document
        .descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"))
}

fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_page_is_self_contained_and_holds_the_matrix_the_failures_and_the_hashes() {
    let dir = ScratchDir::new("html");
    let clauses = text(&harness(&["clauses"]))
        .0
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .count();
    assert_eq!(
        clauses,
        share_conformance::Suite::embedded()
            .unwrap()
            .clauses()
            .count()
    );

    let (server, fixtures) = fresh(&dir, "run", Some(fault("revoked-410"))).await;
    let page = dir.arg("run.html");
    let output = run(&server, &fixtures, &["--html", &page]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output).0);
    let html = std::fs::read_to_string(&page).unwrap();
    let document = parse(&html).expect("the page is well-formed");
    assert_eq!(external_references(&document, &html), Vec::<String>::new());
    assert_eq!(by_id(&document, "result").attribute("role"), Some("status"));
    assert!(text_of(by_id(&document, "result")).contains("FAIL"));

    let matrix = by_id(&document, "clause-matrix");
    assert!(matrix.children().any(|n| n.has_tag_name("caption")));
    let rows: Vec<_> = matrix
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.attribute("data-verdict").is_some())
        .collect();
    assert_eq!(rows.len(), clauses, "a row per clause of the catalogue");
    let revoked = rows
        .iter()
        .find(|r| text_of(**r).starts_with("SAVE-404-REVOKED"))
        .expect("its row");
    let revoked_text = text_of(*revoked);
    assert!(
        revoked_text.contains("MUST") && revoked_text.contains("FAIL"),
        "the verdict is a word, not only a colour: {revoked_text}"
    );
    assert!(
        revoked
            .descendants()
            .any(|n| n.attribute("class") == Some("v v-fail")),
        "and a colour"
    );
    let sentence = text_of(by_id(&document, "clause-SAVE-404-REVOKED"));
    assert!(sentence.contains("[doc]"), "{sentence}");

    let failures = text_of(by_id(&document, "failures"));
    for expected in [
        "expected: status 404",
        "actual:   410 Gone",
        "-status 404",
        "+410 Gone",
        "HTTP 410",
        "curl -sS -i -g -X POST",
        "\"X-API-Key: $FREDDY_API_KEY\"",
        "${SHARE_TOKEN_REVOKED}",
    ] {
        assert!(
            failures.contains(expected),
            "the failure shows {expected:?}:\n{failures}"
        );
    }
    let key = fixtures_of(&server).api_key.unwrap().expose().to_owned();
    assert!(!html.contains(&key));

    // A certification's page carries its certificate and the hash of its JSON.
    let (server, fixtures) = fresh(&dir, "certify", None).await;
    let certificate = dir.arg("cert.md");
    let cert_page = dir.arg("cert.html");
    let output = certify(
        &server,
        &fixtures,
        &["--report", &certificate, "--html", &cert_page],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).0);
    let html = std::fs::read_to_string(&cert_page).unwrap();
    let document = parse(&html).expect("well-formed");
    assert_eq!(external_references(&document, &html), Vec::<String>::new());
    let section = text_of(by_id(&document, "certificate"));
    let digest = json(&dir.join("cert.md.json"))["suite"]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(section.contains(&format!("sha256:{digest}")), "{section}");
    if has("sha256sum", "--version") {
        let sum = std::process::Command::new("sha256sum")
            .arg(dir.join("cert.md.json"))
            .output()
            .unwrap();
        let sum = text(&sum).0;
        let hash = sum.split_whitespace().next().unwrap();
        assert!(
            section.contains(hash),
            "the page names the SHA-256 of the certificate's JSON ({hash}):\n{section}"
        );
    }
    assert!(text_of(by_id(&document, "failures")).contains("Every scenario passed."));
    rendered_by_a_browser(&dir, &page, clauses);
}

/// The headless browser Debian packages, if it is installed.
fn browser() -> Option<&'static str> {
    ["chromium-headless-shell", "chromium", "chromium-browser"]
        .into_iter()
        .find(|b| has(b, "--version"))
}

/// Opens a copy of the page, with a probe script added, in a real headless browser, which
/// lays it out and reports every row of the clause matrix: its text, its height on screen,
/// and its verdict's background colour. The page itself has no script.
fn rendered_by_a_browser(dir: &ScratchDir, page: &str, clauses: usize) {
    let Some(browser) = browser() else {
        assert!(
            std::env::var_os("SHARE_CONFORMANCE_REQUIRE_BROWSER").is_none(),
            "a headless browser is required here but none is installed"
        );
        eprintln!("no headless browser installed: the page was parsed, not rendered");
        return;
    };
    let probe = r#"<script>
const table = document.getElementById('clause-matrix');
const box = table.getBoundingClientRect();
const rows = [...table.querySelectorAll('tbody tr')].map(row => [
  row.cells[0].innerText.trim(), row.cells[2].innerText.trim(),
  row.getBoundingClientRect().height > 0 ? 'visible' : 'hidden',
  getComputedStyle(row.cells[2].querySelector('.v')).backgroundColor].join('|'));
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = 'matrix ' + Math.round(box.width) + 'x' + Math.round(box.height) + '\n' + rows.join('\n');
document.body.appendChild(out);
</script>"#;
    let html = std::fs::read_to_string(page).unwrap();
    let probed = dir.join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,2000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .expect("the browser runs");
    let dom = text(&output).0;
    let report = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("the browser ran no probe:\n{}", text(&output).1));
    let mut lines = report.lines();
    let size: Vec<u32> = lines
        .next()
        .and_then(|l| l.strip_prefix("matrix "))
        .map(|l| l.split('x').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    assert!(
        size.len() == 2 && size[0] > 300 && size[1] > 20 * clauses as u32,
        "the matrix is laid out: {report}"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), clauses, "{report}");
    assert!(rows.iter().all(|r| r[2] == "visible"), "{report}");
    let colour = |verdict: &str| {
        rows.iter()
            .find(|r| r[1].ends_with(verdict))
            .map(|r| r[3].to_owned())
            .unwrap_or_else(|| panic!("no {verdict} row: {report}"))
    };
    let revoked = rows.iter().find(|r| r[0] == "SAVE-404-REVOKED").unwrap();
    assert!(revoked[1].ends_with("FAIL"), "{report}");
    assert_ne!(
        colour("FAIL"),
        colour("PASS"),
        "verdicts differ in colour too"
    );

    let screenshot = dir.join("page.png");
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{page}"))
        .output()
        .expect("the browser runs");
    let png =
        std::fs::read(&screenshot).unwrap_or_else(|_| panic!("no screenshot: {}", text(&output).1));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real picture"
    );
}
