//! JUnit XML: the snapshot, the Jenkins schema that quick-junit follows, and
//! what each case of the fixture must become.
//!
//! quick-junit writes "the Jenkins format" (its README points at
//! llg.cubic.org/docs/junit/, which documents Jenkins's junit.xsd). No Rust
//! crate validates XSD and the schema file's licence is unclear, so the schema's
//! content model is written out below as data and checked element by element:
//! which elements may appear where and in what order, which attributes each may
//! carry, which are required, and which are numbers or times.

mod report_support;

use quick_xml::events::Event;
use quick_xml::Reader;
use report_support::{artifacts_dir, fixture, RUNS};

/// A parsed element.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses a whole document into its root element; fails on anything malformed.
fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let new = |e: &quick_xml::events::BytesStart<'_>| -> Result<Element, String> {
        let name = String::from_utf8(e.name().as_ref().to_vec()).map_err(|e| e.to_string())?;
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| format!("bad attribute on <{name}>: {e}"))?;
            let key = String::from_utf8(a.key.as_ref().to_vec()).map_err(|e| e.to_string())?;
            let value = a
                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .map_err(|e| format!("bad value of {name}/@{key}: {e}"))?
                .into_owned();
            if attrs.iter().any(|(k, _)| *k == key) {
                return Err(format!("<{name}> repeats attribute {key}"));
            }
            attrs.push((key, value));
        }
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
            text: String::new(),
        })
    };
    let mut close = |stack: &mut Vec<Element>, el: Element| -> Result<(), String> {
        match stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None if root.is_none() => root = Some(el),
            None => return Err("more than one root element".to_owned()),
        }
        Ok(())
    };
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("malformed xml: {e}"))?
        {
            Event::Decl(d) => {
                let enc = d.encoding().transpose().map_err(|e| e.to_string())?;
                if enc.as_deref().map(|e| e.eq_ignore_ascii_case(b"utf-8")) != Some(true) {
                    return Err("the declaration must say UTF-8".to_owned());
                }
            }
            Event::Start(e) => stack.push(new(&e)?),
            Event::Empty(e) => {
                let el = new(&e)?;
                close(&mut stack, el)?;
            }
            Event::End(e) => {
                let el = stack.pop().ok_or("an end tag without a start")?;
                if e.name().as_ref() != el.name.as_bytes() {
                    return Err(format!(
                        "</{}> closes <{}>",
                        String::from_utf8_lossy(e.name().as_ref()),
                        el.name
                    ));
                }
                close(&mut stack, el)?;
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| e.to_string())?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err("text outside the root".to_owned()),
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| e.to_string())?;
                let entity = format!("&{name};");
                let text = quick_xml::escape::unescape(&entity)
                    .map_err(|e| format!("unknown entity {entity}: {e}"))?
                    .into_owned();
                stack
                    .last_mut()
                    .ok_or("an entity outside the root")?
                    .text
                    .push_str(&text);
            }
            Event::CData(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("unclosed elements at the end".to_owned());
    }
    root.ok_or_else(|| "no root element".to_owned())
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Count,
    Time,
}

/// One element of the schema: its attributes (name, kind, required), its
/// children in order with their bounds, and whether it holds text.
struct Spec {
    attrs: &'static [(&'static str, Kind, bool)],
    children: &'static [(&'static str, usize, usize)],
    text: bool,
}

const MANY: usize = usize::MAX;

/// The Jenkins JUnit schema's content model.
fn spec(name: &str) -> Option<Spec> {
    use Kind::*;
    Some(match name {
        "testsuites" => Spec {
            // `skipped` is not in Jenkins's junit.xsd for <testsuites>, but
            // quick-junit always writes it (as nextest and surefire do) and
            // Jenkins, GitLab and GitHub's viewers read it; it is the one extension allowed.
            attrs: &[
                ("name", Text, false),
                ("time", Time, false),
                ("tests", Count, false),
                ("failures", Count, false),
                ("disabled", Count, false),
                ("errors", Count, false),
                ("skipped", Count, false),
            ],
            children: &[("testsuite", 0, MANY)],
            text: false,
        },
        "testsuite" => Spec {
            attrs: &[
                ("name", Text, true),
                ("tests", Count, true),
                ("failures", Count, false),
                ("errors", Count, false),
                ("time", Time, false),
                ("disabled", Count, false),
                ("skipped", Count, false),
                ("timestamp", Text, false),
                ("hostname", Text, false),
                ("id", Text, false),
                ("package", Text, false),
                ("file", Text, false),
                ("log", Text, false),
                ("url", Text, false),
                ("version", Text, false),
            ],
            children: &[
                ("properties", 0, 1),
                ("testcase", 0, MANY),
                ("system-out", 0, 1),
                ("system-err", 0, 1),
            ],
            text: false,
        },
        "properties" => Spec {
            attrs: &[],
            children: &[("property", 1, MANY)],
            text: false,
        },
        "property" => Spec {
            attrs: &[("name", Text, true), ("value", Text, true)],
            children: &[],
            text: false,
        },
        "testcase" => Spec {
            attrs: &[
                ("name", Text, true),
                ("assertions", Count, false),
                ("time", Time, false),
                ("classname", Text, false),
                ("status", Text, false),
                ("class", Text, false),
                ("file", Text, false),
                ("line", Count, false),
                ("log", Text, false),
                ("group", Text, false),
                ("url", Text, false),
            ],
            children: &[
                ("skipped", 0, 1),
                ("error", 0, MANY),
                ("failure", 0, MANY),
                ("system-out", 0, MANY),
                ("system-err", 0, MANY),
            ],
            text: false,
        },
        "skipped" => Spec {
            attrs: &[("message", Text, false)],
            children: &[],
            text: true,
        },
        "error" | "failure" => Spec {
            attrs: &[("message", Text, false), ("type", Text, false)],
            children: &[],
            text: true,
        },
        "system-out" | "system-err" => Spec {
            attrs: &[],
            children: &[],
            text: true,
        },
        _ => return None,
    })
}

fn is_time(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(v.contains('.') && frac.is_empty())
}

/// Every way `el` and its descendants break the schema, with their paths.
fn validate(el: &Element, path: &str, out: &mut Vec<String>) {
    let path = format!("{path}/{}", el.name);
    let Some(spec) = spec(&el.name) else {
        out.push(format!("{path}: element not in the schema"));
        return;
    };
    for (name, value) in &el.attrs {
        match spec.attrs.iter().find(|(n, _, _)| n == name) {
            None => out.push(format!("{path}: attribute `{name}` not in the schema")),
            Some((_, Kind::Count, _)) if value.parse::<u64>().is_err() => {
                out.push(format!("{path}/@{name}: `{value}` is not a count"))
            }
            Some((_, Kind::Time, _)) if !is_time(value) => out.push(format!(
                "{path}/@{name}: `{value}` is not a time in seconds"
            )),
            Some(_) => {}
        }
    }
    for (name, _, required) in spec.attrs {
        if *required && el.attr(name).is_none() {
            out.push(format!("{path}: required attribute `{name}` missing"));
        }
    }
    if !spec.text && !el.text.trim().is_empty() {
        out.push(format!("{path}: text where only elements may be"));
    }
    // Children must follow the declared sequence, each within its bounds.
    let mut slot = 0;
    let mut seen = 0;
    for child in &el.children {
        loop {
            match spec.children.get(slot) {
                None => {
                    out.push(format!("{path}: <{}> not allowed here", child.name));
                    break;
                }
                Some((name, _, max)) if *name == child.name => {
                    seen += 1;
                    if seen > *max {
                        out.push(format!("{path}: too many <{name}>"));
                    }
                    break;
                }
                Some((name, min, _)) => {
                    if seen < *min {
                        out.push(format!("{path}: needs at least {min} <{name}>"));
                    }
                    slot += 1;
                    seen = 0;
                }
            }
        }
        validate(child, &path, out);
    }
    for (i, (name, min, _)) in spec.children.iter().enumerate().skip(slot) {
        let have = if i == slot { seen } else { 0 };
        if have < *min {
            out.push(format!("{path}: needs at least {min} <{name}>"));
        }
    }
}

/// Checks the counts the format repeats: each suite's against its test cases,
/// the root's against the suites.
fn validate_counts(root: &Element, out: &mut Vec<String>) {
    let mut sums = [0u64; 4];
    for suite in root.children_named("testsuite") {
        let cases: Vec<&Element> = suite.children_named("testcase").collect();
        let with = |child: &str| {
            cases
                .iter()
                .filter(|c| c.children_named(child).next().is_some())
                .count() as u64
        };
        let actual = [
            cases.len() as u64,
            with("failure"),
            with("error"),
            with("skipped"),
        ];
        for (i, attr) in ["tests", "failures", "errors", "skipped"]
            .iter()
            .enumerate()
        {
            let declared: u64 = suite.attr(attr).and_then(|v| v.parse().ok()).unwrap_or(0);
            if declared != actual[i] {
                out.push(format!(
                    "suite `{}`: {attr}={declared} but {} found",
                    suite.attr("name").unwrap_or("?"),
                    actual[i]
                ));
            }
            sums[i] += declared;
        }
    }
    for (i, attr) in ["tests", "failures", "errors", "skipped"]
        .iter()
        .enumerate()
    {
        let declared: u64 = root.attr(attr).and_then(|v| v.parse().ok()).unwrap_or(0);
        if declared != sums[i] {
            out.push(format!(
                "testsuites: {attr}={declared} but suites sum to {}",
                sums[i]
            ));
        }
    }
}

fn schema_errors(xml: &str) -> Vec<String> {
    let root = match parse(xml) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    if root.name != "testsuites" {
        out.push(format!("the root is <{}>, not <testsuites>", root.name));
    }
    validate(&root, "", &mut out);
    validate_counts(&root, &mut out);
    out
}

fn rendered() -> String {
    let xml = msiconf::report::junit::render(&fixture()).expect("render junit");
    std::fs::write(artifacts_dir().join("fixture-junit.xml"), &xml).expect("write artifact");
    xml
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", rendered());
}

#[test]
fn junit_follows_the_jenkins_schema() {
    let errors = schema_errors(&rendered());
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}

#[test]
fn the_schema_check_catches_broken_documents() {
    let broken = [
        ("<testsuites><testcase name=\"x\"/></testsuites>", "not allowed here"),
        ("<testsuites><testsuite tests=\"0\"/></testsuites>", "`name` missing"),
        ("<testsuites><testsuite name=\"s\" tests=\"x\"/></testsuites>", "not a count"),
        (
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"c\"><failure/><skipped/></testcase></testsuite></testsuites>",
            "<skipped> not allowed here",
        ),
        (
            "<testsuites><testsuite name=\"s\" tests=\"2\"><testcase name=\"c\"/></testsuite></testsuites>",
            "tests=2 but 1 found",
        ),
        (
            "<testsuites><testsuite name=\"s\" tests=\"0\"><properties/></testsuite></testsuites>",
            "needs at least 1 <property>",
        ),
        ("<testsuites><testsuite name=\"s\" tests=\"0\" time=\"1,5\"/></testsuites>", "not a time"),
        ("<testsuites><testsuite name=\"s\" tests=\"0\"></testsuites>", "malformed"),
        ("<testsuites><bogus/></testsuites>", "not in the schema"),
    ];
    for (xml, expect) in broken {
        let errors = schema_errors(xml);
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "expected an error containing `{expect}` for {xml}, got {errors:?}"
        );
    }
}

#[test]
fn junit_reads_back_with_quick_junit() {
    let xml = rendered();
    let back =
        quick_junit::Report::deserialize_from_str(&xml).expect("quick-junit reads its own output");
    // 4 runs × 5 areas, plus the expectation problems of msiexec/documented.
    assert_eq!(back.test_suites.len(), 21);
    assert_eq!(back.tests, 4 * 9 + 1);
}

fn suite<'a>(root: &'a Element, name: &str) -> &'a Element {
    root.children_named("testsuite")
        .find(|s| s.attr("name") == Some(name))
        .unwrap_or_else(|| panic!("no suite `{name}`"))
}

fn testcase<'a>(suite: &'a Element, name: &str) -> &'a Element {
    suite
        .children_named("testcase")
        .find(|c| c.attr("name") == Some(name))
        .unwrap_or_else(|| panic!("no test case `{name}` in `{}`", suite.attr("name").unwrap()))
}

fn only_child(case: &Element) -> &Element {
    assert_eq!(case.children.len(), 1, "{case:?}");
    &case.children[0]
}

#[test]
fn suites_are_per_runtime_profile_and_area_with_properties() {
    let root = parse(&rendered()).unwrap();
    let names: Vec<&str> = root
        .children_named("testsuite")
        .map(|s| s.attr("name").unwrap())
        .collect();
    let mut expected = Vec::new();
    for (runtime, profile) in RUNS {
        for area in [
            "doaction",
            "properties",
            "deferred",
            "return-codes",
            "session",
        ] {
            expected.push(format!("{runtime}/{profile}/{area}"));
        }
        if (runtime, profile) == ("msiexec", "documented") {
            expected.push("msiexec/documented/expectations".to_owned());
        }
    }
    assert_eq!(names, expected);
    for s in root.children_named("testsuite") {
        let props = s.children_named("properties").next().expect("properties");
        let get = |k: &str| {
            props
                .children_named("property")
                .find(|p| p.attr("name") == Some(k))
                .and_then(|p| p.attr("value"))
                .unwrap_or_else(|| panic!("property {k} missing"))
                .to_owned()
        };
        let name = s.attr("name").unwrap();
        let mut parts = name.split('/');
        assert_eq!(get("runtime.name"), parts.next().unwrap());
        assert_eq!(get("profile"), parts.next().unwrap());
        let version = if name.starts_with("msiexec") {
            "wine-9.0"
        } else {
            "0.1.0"
        };
        assert_eq!(get("runtime.version"), version);
        assert_eq!(get("tool.name"), "msiconf");
        assert_eq!(get("tool.version"), "0.1.0");
        for c in s.children_named("testcase") {
            assert_eq!(c.attr("classname"), Some(name), "classname is the suite");
        }
    }
}

#[test]
fn each_outcome_becomes_the_right_element() {
    let root = parse(&rendered()).unwrap();

    // A pass has no child.
    let c = testcase(
        suite(&root, "reference/windows/doaction"),
        "doaction/case-sensitive",
    );
    assert!(c.children.is_empty());
    assert_eq!(c.attr("time"), Some("0.001"));

    // A rule violation: type is the rule ID, message is expected versus observed.
    let c = testcase(
        suite(&root, "msiexec/windows/doaction"),
        "doaction/case-sensitive",
    );
    let f = only_child(c);
    assert_eq!(f.name, "failure");
    assert_eq!(f.attr("type"), Some("DOACTION-CASE"));
    assert_eq!(f.attr("message"), Some("expected rc 1626, observed rc 0"));
    assert!(
        f.text.contains(
            r#"DOACTION-CASE at ProbeImmediate#1 (do-action { action = "costinitialize" })"#
        ),
        "{}",
        f.text
    );

    // Several findings: the first in the message, all in the body.
    let c = testcase(
        suite(&root, "msiexec/documented/properties"),
        "properties/buffer-sizes",
    );
    let f = only_child(c);
    assert_eq!(f.attr("type"), Some("PROP-GET-BUFFER"));
    assert_eq!(
        f.attr("message"),
        Some("expected rc 234, size 5, observed rc 234, size 10 (and 1 more finding)")
    );
    assert_eq!(
        f.text
            .lines()
            .filter(|l| l.starts_with("PROP-GET-BUFFER at "))
            .count(),
        2
    );
    assert!(f.text.contains("[case expectation]") && f.text.contains("[rule predicate]"));

    // An embedded NUL stays visible instead of vanishing.
    let c = testcase(
        suite(&root, "msiexec/documented/properties"),
        "properties/embedded-nul",
    );
    assert_eq!(
        only_child(c).attr("message"),
        Some(r#"expected value "a\0b", observed value "a""#)
    );

    // Markup in values is escaped and reads back intact.
    let c = testcase(
        suite(&root, "msiexec/windows/deferred"),
        "deferred/props-only-three",
    );
    assert_eq!(
        only_child(c).attr("message"),
        Some(r#"expected value "", observed value "C:\Program Files\<Test> & `x` | y""#)
    );

    // An error carries the runtime's output.
    let c = testcase(
        suite(&root, "msiexec/windows/return-codes"),
        "return-codes/user-exit",
    );
    let e = only_child(c);
    assert_eq!(e.name, "error");
    assert_eq!(e.attr("type"), Some("runtime-error"));
    assert_eq!(
        e.attr("message"),
        Some("runtime crashed: wine exited with signal 11 during InstallFinalize")
    );
    assert!(
        e.text.contains("Backtrace:") && e.text.contains("MsiCloseAllHandles"),
        "{}",
        e.text
    );

    // An error without output.
    let c = testcase(
        suite(&root, "msiexec/documented/session"),
        "session/exe-no-session",
    );
    let e = only_child(c);
    assert_eq!(e.name, "error");
    assert_eq!(e.attr("message"), Some("runtime timed out after 30.0 s"));
    assert!(e.text.is_empty());

    // A skip carries its reason.
    let c = testcase(
        suite(&root, "msiexec/windows/deferred"),
        "deferred/script-session",
    );
    let s = only_child(c);
    assert_eq!(s.name, "skipped");
    assert_eq!(
        s.attr("message"),
        Some("runtime `msiexec` does not support context `script-deferred`")
    );

    // An expected failure is a skip that says so, findings in the body.
    let c = testcase(
        suite(&root, "msiexec/windows/doaction"),
        "doaction/null-action",
    );
    let s = only_child(c);
    assert_eq!(s.name, "skipped");
    assert_eq!(
        s.attr("message"),
        Some("expected failure: Wine 9.0 runs the ACTION fallback for a Null name (bug 12345)")
    );
    assert!(
        s.text.contains("DOACTION-NULL-ACTION at package#1"),
        "{}",
        s.text
    );

    // An expectation problem fails its own test case.
    let c = testcase(
        suite(&root, "msiexec/documented/expectations"),
        "expectations#1",
    );
    let f = only_child(c);
    assert_eq!(f.name, "failure");
    assert_eq!(f.attr("type"), Some("expectation-problem"));
    assert!(f
        .attr("message")
        .unwrap()
        .starts_with("expected failure `deferred/props-only-three` passed"));

    // Totals on the root.
    assert_eq!(root.attr("tests"), Some("37"));
    assert_eq!(root.attr("failures"), Some("6"));
    assert_eq!(root.attr("errors"), Some("3"));
    assert_eq!(root.attr("skipped"), Some("3"));
}
