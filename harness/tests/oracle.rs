//! `msiconf oracle`: the scorer on the repository's cases, and the command's output.

use msiconf::case::{load_dir, KnownRules};
use msiconf::oracle::score::{score, ProfileScore, ScoreOptions};
use msiconf_spec::{Family, Profile};
use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases")
}

fn action_name_cases() -> Vec<std::sync::Arc<msiconf::case::Case>> {
    let suite = load_dir(&cases_dir(), &KnownRules::catalog()).expect("the cases load");
    suite
        .cases
        .into_iter()
        .filter(|c| c.name.starts_with("action-names/"))
        .collect()
}

fn run(without: &[&str]) -> ProfileScore {
    score(
        &action_name_cases(),
        &ScoreOptions {
            profile: Profile::Windows,
            without: without.iter().map(|s| (*s).to_owned()).collect(),
            jobs: 2,
        },
    )
}

fn cited(s: &ProfileScore, f: Family) -> (u64, u64) {
    let t = s
        .by_cited_family
        .iter()
        .find(|t| t.family == f)
        .expect("the family has a tally");
    (t.flagged, t.mutations)
}

#[test]
fn silencing_a_predicate_lowers_its_familys_score() {
    let full = run(&[]);
    let silenced = run(&["DOACTION-CASE"]);
    let (flagged, counted) = cited(&full, Family::ActionNames);
    let (flagged_without, counted_without) = cited(&silenced, Family::ActionNames);
    // The same mutations are counted; fewer are caught.
    assert_eq!(counted, counted_without);
    assert!(flagged > 0, "{full:?}");
    assert!(
        flagged_without < flagged,
        "without DOACTION-CASE: {flagged_without}/{counted}, with it: {flagged}/{counted}"
    );
    assert!(silenced.overall.flagged < full.overall.flagged);
    // What it no longer catches shows up among the survivors.
    let survived = |s: &ProfileScore| s.survivors.iter().map(|x| x.count).sum::<u64>();
    assert_eq!(
        survived(&silenced) - survived(&full),
        full.overall.flagged - silenced.overall.flagged
    );
}

#[test]
fn the_score_is_the_same_whatever_the_number_of_jobs() {
    let cases = action_name_cases();
    let with = |jobs| {
        let s = score(
            &cases,
            &ScoreOptions {
                profile: Profile::Documented,
                without: Vec::new(),
                jobs,
            },
        );
        serde_json::to_string(&s).unwrap()
    };
    assert_eq!(with(1), with(3));
}

fn oracle(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .arg("oracle")
        .arg("--cases")
        .arg(cases_dir())
        .args(args)
        .output()
        .expect("msiconf runs");
    (
        out.status.code().expect("msiconf exits normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_output_holds_every_figure() {
    let (code, stdout, stderr) = oracle(&[
        "--format",
        "json",
        "--bare-plans",
        "12",
        "--seed",
        "5",
        "null-action/",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let scores = v["scores"].as_array().unwrap();
    // Both profiles by default.
    let profiles: Vec<_> = scores.iter().map(|s| s["profile"].clone()).collect();
    assert_eq!(profiles, ["documented", "windows"]);
    for s in scores {
        assert!(s["cases"].as_u64().unwrap() > 0);
        let overall = &s["overall"];
        assert!(overall["flagged"].as_u64() <= overall["mutations"].as_u64());
        for view in [
            "by-cited-family",
            "by-cited-family-calls",
            "by-owner-family",
        ] {
            assert!(
                s[view]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["family"] == "null-action"),
                "{view}"
            );
        }
        // Call outcomes are a part of what the cited view counts.
        let calls = |view: &str| -> u64 {
            s[view]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["mutations"].as_u64().unwrap())
                .sum()
        };
        assert!(calls("by-cited-family-calls") <= calls("by-cited-family"));
        let sites: Vec<_> = s["by-site"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["site"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            sites,
            ["call-outcome", "probe-run", "action-log", "install-result"]
        );
        for x in s["survivors"].as_array().unwrap() {
            assert!(x["count"].as_u64().unwrap() > 0);
            assert!(x["example"].as_str().unwrap().starts_with("null-action/"));
        }
    }
    let bare = v["bare"].as_array().unwrap();
    assert_eq!(bare.len(), 2);
    for b in bare {
        assert_eq!(b["plans"], 12);
        assert_eq!(b["seed"], 5);
        let runtimes = b["runtimes"].as_array().unwrap();
        assert_eq!(
            runtimes.len(),
            msiconf::runtimes::broken_runtime_names().len()
        );
        for r in runtimes {
            assert!(r["bare"].as_u64() <= r["differing"].as_u64());
        }
    }
}

#[test]
fn text_and_markdown_name_the_targets_and_the_survivors() {
    let (code, text, stderr) =
        oracle(&["--profile", "windows", "--bare-plans", "4", "null-action/"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.starts_with("mutation score, profile windows: "),
        "{text}"
    );
    for needle in [
        "  null-action ",
        "  overall ",
        "  by what was mutated: call-outcome ",
        "  survivors: ",
        "bare differences, profile windows: 4 generated plans from seed 0",
        "broken:null-action-accepted",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
    assert!(stderr.contains("oracle: "), "{stderr}");
    let (code, md, _) = oracle(&[
        "--profile",
        "documented",
        "--bare-plans",
        "0",
        "--format",
        "markdown",
        "null-action/",
    ]);
    assert_eq!(code, 0);
    assert!(md.starts_with("# Oracle: mutation score and bare differences\n"));
    assert!(
        md.contains("| family | by cited rules | cited, calls only | by mutated call | target |")
    );
    assert!(md.contains("### Survivors, profile `documented`"));
    assert!(
        !md.contains("## Bare differences"),
        "--bare-plans 0 skips them"
    );
}

#[test]
fn bad_input_is_refused_by_name() {
    let (code, _, stderr) = oracle(&["--without-rule", "NO-SUCH-RULE", "--bare-plans", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule `NO-SUCH-RULE`"), "{stderr}");
    let (code, _, stderr) = oracle(&["--bare-plans", "0", "no-case-has-this-name"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("matching `no-case-has-this-name`"),
        "{stderr}"
    );
}
