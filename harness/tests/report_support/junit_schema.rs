//! The Jenkins JUnit schema, checked structurally.
//!
//! quick-junit writes "the Jenkins format" (its README points at
//! llg.cubic.org/docs/junit/, which documents Jenkins's junit.xsd). No Rust
//! crate validates XSD and the schema file's licence is unclear, so the schema's
//! content model is written out here as data and checked element by element:
//! which elements may appear where and in what order, which attributes each may
//! carry, which are required, and which are numbers or times; plus the counts
//! the format repeats on suites and on the root.

use quick_xml::events::Event;
use quick_xml::Reader;

/// A parsed element.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses a whole document into its root element; fails on anything malformed.
pub fn parse(xml: &str) -> Result<Element, String> {
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

pub fn schema_errors(xml: &str) -> Vec<String> {
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
