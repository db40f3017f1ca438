//! Which cases a command runs or lists: name filters and globs, rules, tags
//! and exclusions, as given on the command line.

use super::Case;
use crate::suggest::did_you_mean;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A pattern over case names: a glob when it holds `*`, `?` or `[`
/// (`properties/*`, `*/null-*`), otherwise a substring of the name.
#[derive(Debug, Clone)]
pub enum NamePattern {
    /// Any name containing this text.
    Contains(String),
    /// Names the glob matches whole (`*` also crosses `/`).
    Glob(glob::Pattern),
}

impl NamePattern {
    /// Reads a pattern as given on the command line.
    pub fn parse(text: &str) -> Result<NamePattern, SelectError> {
        if text.contains(['*', '?', '[']) {
            glob::Pattern::new(text)
                .map(NamePattern::Glob)
                .map_err(|e| SelectError::BadPattern {
                    pattern: text.to_owned(),
                    message: e.msg.to_owned(),
                })
        } else {
            Ok(NamePattern::Contains(text.to_owned()))
        }
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            NamePattern::Contains(text) => name.contains(text.as_str()),
            NamePattern::Glob(glob) => glob.matches(name),
        }
    }
}

/// A selection that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A glob that does not parse.
    #[error("invalid pattern `{pattern}`: {message}")]
    BadPattern { pattern: String, message: String },
    /// `--rule` naming no rule of the catalog.
    #[error("unknown rule `{id}` in --rule{suggestion}")]
    UnknownRule { id: String, suggestion: String },
    /// `--tag` naming a tag no case has.
    #[error("no case has the tag `{tag}` given with --tag{suggestion}")]
    UnknownTag { tag: String, suggestion: String },
}

/// What to keep: a case is kept when it matches one of the filters (or there
/// are none), cites one of the rules (or none are given), has one of the
/// tags (or none are given), and matches no exclusion.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Name filters; any one may match.
    pub filters: Vec<NamePattern>,
    /// Name patterns that drop a case.
    pub excludes: Vec<NamePattern>,
    /// Rule IDs; the case cites one of them.
    pub rules: Vec<String>,
    /// Tags; the case has one of them.
    pub tags: Vec<String>,
}

impl Selection {
    /// A selection from command-line text. Rules are checked against
    /// `known_rules`; tags against the tags the cases have.
    pub fn new<'a>(
        filters: &[String],
        excludes: &[String],
        rules: &[String],
        tags: &[String],
        known_rules: impl IntoIterator<Item = &'a str> + Clone,
        cases: &[Arc<Case>],
    ) -> Result<Selection, SelectError> {
        let patterns = |texts: &[String]| {
            texts
                .iter()
                .map(|t| NamePattern::parse(t))
                .collect::<Result<Vec<_>, _>>()
        };
        for id in rules {
            if !known_rules.clone().into_iter().any(|k| k == id) {
                return Err(SelectError::UnknownRule {
                    id: id.clone(),
                    suggestion: did_you_mean(id, known_rules.clone()),
                });
            }
        }
        let known_tags: BTreeSet<&str> = cases
            .iter()
            .flat_map(|c| c.tags.iter().map(String::as_str))
            .collect();
        for tag in tags {
            if !known_tags.contains(tag.as_str()) {
                return Err(SelectError::UnknownTag {
                    tag: tag.clone(),
                    suggestion: did_you_mean(tag, known_tags.iter().copied()),
                });
            }
        }
        Ok(Selection {
            filters: patterns(filters)?,
            excludes: patterns(excludes)?,
            rules: rules.to_vec(),
            tags: tags.to_vec(),
        })
    }

    /// Whether nothing narrows the suite.
    pub fn is_everything(&self) -> bool {
        self.filters.is_empty()
            && self.excludes.is_empty()
            && self.rules.is_empty()
            && self.tags.is_empty()
    }

    /// Whether `case` is kept.
    pub fn keeps(&self, case: &Case) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| f.matches(&case.name)))
            && (self.rules.is_empty() || self.rules.iter().any(|r| case.cites(r)))
            && (self.tags.is_empty() || self.tags.iter().any(|t| case.tags.contains(t)))
            && !self.excludes.iter().any(|e| e.matches(&case.name))
    }

    /// The kept cases, in suite order.
    pub fn apply(&self, cases: &[Arc<Case>]) -> Vec<Arc<Case>> {
        cases.iter().filter(|c| self.keeps(c)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{parse_case, KnownRules};
    use std::path::Path;

    fn case(name: &str, rule: &str, tags: &[&str]) -> Arc<Case> {
        let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
        let text = format!(
            "description = \"x\"\nrules = [\"{rule}\"]\ntags = [{}]\n[[steps]]\ncontext = \"package\"\ncall = {{ get-language = {{}} }}\n",
            tags.join(", ")
        );
        Arc::new(
            parse_case(
                name,
                Path::new("x.toml"),
                &text,
                &KnownRules::from_ids(["R-ONE", "R-TWO"]),
            )
            .unwrap(),
        )
    }

    fn names(cases: &[Arc<Case>]) -> Vec<&str> {
        cases.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn filters_globs_rules_tags_and_exclusions_combine() {
        let suite = vec![
            case("properties/get", "R-ONE", &["props"]),
            case("properties/set", "R-TWO", &["props", "slow"]),
            case("deferred/get", "R-ONE", &[]),
        ];
        let rules = ["R-ONE", "R-TWO"];
        let select = |f: &[&str], x: &[&str], r: &[&str], t: &[&str]| {
            let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
            Selection::new(&own(f), &own(x), &own(r), &own(t), rules, &suite)
        };
        let kept = |s: Selection| names(&s.apply(&suite)).join(" ");
        assert_eq!(
            kept(select(&[], &[], &[], &[]).unwrap()),
            "properties/get properties/set deferred/get"
        );
        assert_eq!(
            kept(select(&["properties/*"], &[], &[], &[]).unwrap()),
            "properties/get properties/set"
        );
        // Several filters: any may match; a plain one is a substring.
        assert_eq!(
            kept(select(&["*/set", "deferred"], &[], &[], &[]).unwrap()),
            "properties/set deferred/get"
        );
        assert_eq!(
            kept(select(&[], &["*/get"], &[], &[]).unwrap()),
            "properties/set"
        );
        assert_eq!(
            kept(select(&[], &[], &["R-ONE"], &[]).unwrap()),
            "properties/get deferred/get"
        );
        assert_eq!(
            kept(select(&["properties"], &["slow"], &[], &["props"]).unwrap()),
            "properties/get properties/set"
        );
        assert_eq!(
            kept(select(&[], &["set"], &[], &["props"]).unwrap()),
            "properties/get"
        );
        let err = select(&[], &[], &["R-ONNE"], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown rule `R-ONNE` in --rule (did you mean `R-ONE`?)"
        );
        let err = select(&[], &[], &[], &["prop"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no case has the tag `prop` given with --tag (did you mean `props`?)"
        );
        assert!(matches!(
            select(&["[a"], &[], &[], &[]).unwrap_err(),
            SelectError::BadPattern { .. }
        ));
    }
}
