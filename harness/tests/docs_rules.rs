//! `docs/rules.md` is the rule catalog users read: it must be exactly what
//! `msiconf rules --format markdown` generates from `spec/` today.

use std::path::Path;
use std::process::Command;

#[test]
fn docs_rules_md_is_generated_from_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(["rules", "--format", "markdown"])
        .current_dir(&root)
        .output()
        .expect("msiconf runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("UTF-8");
    let committed = std::fs::read_to_string(root.join("docs/rules.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is stale: regenerate it with \
         `cargo run --release -- rules --format markdown > docs/rules.md`"
    );
    // Every rule of the catalog has its own section.
    for rule in msiconf_spec::rules::catalog() {
        assert!(
            generated.contains(&format!("### {}: ", rule.id)),
            "{} is missing",
            rule.id
        );
    }
}
