//! Every case file as a `cargo test` test against the `reference` runtime, in
//! each profile the case declares. libtest-mimic supplies the usual flags:
//! `cargo test -p msiconf --test cases -- deferred/`, `--exact`, `--skip`, `--list`.
//! A case file that cannot be read is a failing test of the same name.

use libtest_mimic::{Arguments, Failed, Trial};
use msiconf::case::{case_name, load_dir, KnownRules};
use msiconf::report::model::Status;
use msiconf::report::terminal::case_details;
use msiconf::runner::{run_case, RunOptions};
use msiconf::runtime::Runtime;
use msiconf::runtimes::ModelRuntime;
use std::path::Path;
use std::sync::Arc;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let root = root.canonicalize().unwrap_or(root);
    let trials = match load_dir(&root, &KnownRules::catalog()) {
        Err(e) => vec![Trial::test("cases", move || {
            Err(Failed::from(e.to_string()))
        })],
        Ok(suite) => {
            let mut trials: Vec<Trial> = suite
                .cases
                .into_iter()
                .map(|case| {
                    Trial::test(case.name.clone(), move || {
                        let mut problems = String::new();
                        for profile in &case.profiles {
                            let runtime: Arc<dyn Runtime> =
                                Arc::new(ModelRuntime::reference(*profile));
                            let info = runtime.info();
                            let result =
                                run_case(&case, &runtime, &info, *profile, &RunOptions::default());
                            match result.status {
                                Status::Pass => {}
                                Status::Skip => problems.push_str(&format!(
                                    "skipped on reference ({profile}): {}\n",
                                    result.skip_reason.unwrap_or_default()
                                )),
                                Status::Fail | Status::Error => {
                                    problems.push_str(&format!(
                                        "reference ({profile}):\n{}",
                                        case_details(&result)
                                    ));
                                }
                            }
                        }
                        if problems.is_empty() {
                            Ok(())
                        } else {
                            Err(Failed::from(problems))
                        }
                    })
                })
                .collect();
            trials.extend(suite.errors.into_iter().map(|e| {
                Trial::test(case_name(&root, &e.path), move || {
                    Err(Failed::from(e.to_string()))
                })
            }));
            trials
        }
    };
    libtest_mimic::run(&args, trials).exit();
}
