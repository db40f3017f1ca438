//! The HTML matrix in a real browser: Debian's headless Chromium loads the page
//! from a file, runs its script, and dumps the DOM; the test checks the matrix's
//! rows, columns and cell states there, that a `#d-...` link opens a cell's
//! details, that `#filter=` hides rows, and keeps a screenshot in
//! `target/test-artifacts/`.
//!
//! Chromium is a test dependency: when it is missing this test fails, it never
//! skips. `MSICONF_CHROMIUM` may name another binary.

mod report_support;

use msiconf::report::html::{detail_id, render};
use report_support::dom::{self, Tag};
use report_support::{artifacts_dir, assert_matrix, fixture, fixture_with_broken, real_report};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed: a guard against a
/// hung browser, not an assertion about speed.
const CHROMIUM_LIMIT: Duration = Duration::from_secs(120);

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("MSICONF_CHROMIUM") {
        return PathBuf::from(p);
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "chromium is not installed: the HTML report test needs a real browser; \
         install chromium (scripts/install-test-deps.sh) or set MSICONF_CHROMIUM"
    );
}

/// Runs headless Chromium on `url` with `extra` arguments and returns its output.
fn run_chromium(url: &str, extra: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("a temporary Chromium profile");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start chromium ({e}); install chromium (scripts/install-test-deps.sh)")
        });
    // Drain both pipes on threads so a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).map(|_| buf)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > CHROMIUM_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_LIMIT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap().expect("read chromium stdout"),
        stderr: err.join().unwrap().expect("read chromium stderr"),
    };
    assert!(
        output.status.success(),
        "chromium failed on {url}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn file_url(path: &Path, fragment: &str) -> String {
    let path = path.canonicalize().expect("the page exists");
    let mut url = String::from("file://");
    for c in path.to_str().expect("a UTF-8 path").chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '-' | '_' | '.' | '~' => url.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    url.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

fn dump_dom(page: &Path, fragment: &str) -> String {
    let out = run_chromium(&file_url(page, fragment), &["--dump-dom".to_owned()]);
    let dom = String::from_utf8(out.stdout).expect("the DOM is UTF-8");
    assert!(
        dom.contains("</html>"),
        "chromium dumped no document:\n{dom}"
    );
    dom
}

fn root(tags: &[Tag]) -> &Tag {
    tags.iter().find(|t| t.name == "html").expect("<html>")
}

fn write_page(name: &str, html: &str) -> PathBuf {
    let path = artifacts_dir().join(name);
    msiconf::report::atomic::write_atomic(&path, html).expect("write the page");
    path
}

#[test]
fn chromium_renders_the_matrix() {
    let page = write_page("matrix.html", &render(&fixture()));
    let dom = dump_dom(&page, "");
    let tags = dom::tags(&dom);
    let html = root(&tags);
    assert_eq!(
        html.attr("data-ready"),
        Some("1"),
        "the page's script ran to the end"
    );
    assert!(html.has_class("js"));
    assert_eq!(
        html.attr("data-shown-rules"),
        Some("11"),
        "no filter: every rule shown"
    );
    assert_matrix(&dom);
    // Nothing is open until a cell is chosen.
    assert!(dom::select(&tags, "section", "open").is_empty());
    assert!(tags.iter().any(|t| t.attr("id") == Some("filter-count")));
    assert!(dom.contains("<span id=\"filter-count\">11 of 11 rules</span>"));
}

#[test]
fn chromium_opens_a_cell_from_its_link() {
    let page = write_page("matrix-link.html", &render(&fixture()));
    let id = detail_id("DEFERRED-PROPS", 3);
    for fragment in [id.clone(), format!("open={id}")] {
        check_open(&dump_dom(&page, &fragment), &id);
    }
}

fn check_open(dom: &str, id: &str) {
    let tags = dom::tags(dom);
    assert_eq!(root(&tags).attr("data-open-detail"), Some(id));
    let open: Vec<&Tag> = dom::select(&tags, "section", "open");
    assert_eq!(open.len(), 1, "exactly one details panel open");
    assert_eq!(open[0].attr("id"), Some(id));
    let selected: Vec<&Tag> = dom::select(&tags, "td", "selected");
    assert_eq!(selected.len(), 1);
    assert_eq!(selected[0].attr("data-rule"), Some("DEFERRED-PROPS"));
    assert_eq!(selected[0].attr("data-run"), Some("3"));
    let placeholder = tags
        .iter()
        .find(|t| t.attr("id") == Some("placeholder"))
        .unwrap();
    assert!(placeholder.has_attr("hidden"));
}

#[test]
fn chromium_filters_rows() {
    let page = write_page("matrix-filter.html", &render(&fixture()));
    let dom = dump_dom(&page, "filter=deferred");
    let tags = dom::tags(&dom);
    assert_eq!(root(&tags).attr("data-shown-rules"), Some("2"));
    let shown: Vec<&str> = dom::select(&tags, "tr", "rule-row")
        .iter()
        .filter(|t| !t.has_attr("hidden"))
        .map(|t| t.attr("data-rule").unwrap())
        .collect();
    assert_eq!(shown, ["DEFERRED-PROPS", "SCRIPT-DEFERRED-SESSION"]);
    let families: Vec<&str> = dom::select(&tags, "tbody", "family")
        .iter()
        .filter(|t| !t.has_attr("hidden"))
        .map(|t| t.attr("data-family").unwrap())
        .collect();
    assert_eq!(families, ["deferred", "automation"]);

    // An area matches too: `return-codes` is the area of CA-RET-USEREXIT's case.
    let dom = dump_dom(&page, "filter=return-codes");
    let tags = dom::tags(&dom);
    assert_eq!(root(&tags).attr("data-shown-rules"), Some("1"));
}

#[test]
fn chromium_screenshot_of_the_matrix() {
    // The broken runtime's columns make the screenshot show a canary at work.
    let page = write_page("matrix-screenshot.html", &render(&fixture_with_broken()));
    let shot = artifacts_dir().join("matrix.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &file_url(&page, &format!("open={}", detail_id("DEFERRED-PROPS", 3))),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,900".to_owned(),
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    // Width and height from the IHDR chunk.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 900));
    assert!(
        png.len() > 20_000,
        "a blank page would compress to almost nothing"
    );
}

#[test]
fn chromium_renders_the_real_suite() {
    let report = real_report();
    let page = write_page("matrix-real.html", &render(&report));
    let dom = dump_dom(&page, "");
    let tags = dom::tags(&dom);
    assert_eq!(root(&tags).attr("data-ready"), Some("1"));
    assert_eq!(dom::select(&tags, "th", "run-col").len(), report.runs.len());
    assert!(dom::select(&tags, "tr", "rule-row").len() >= report.rules.len());
    let shot = artifacts_dir().join("matrix-real.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &file_url(&page, ""),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,900".to_owned(),
        ],
    );
    assert!(std::fs::metadata(&shot).expect("the screenshot").len() > 20_000);
}
