//! `cargo package` and `cargo install` of msiconf: the crate carries what an
//! installed binary needs away from this source tree (the cases and the probe
//! sources it embeds), and its manifest invents no repository.

use std::path::Path;
use std::process::Command;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Every file below `dir`, as `/`-separated paths under it.
fn files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            files(&entry.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[test]
fn the_package_carries_the_cases_and_the_probe_sources() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["package", "-p", "msiconf", "--list", "--allow-dirty"])
        .current_dir(workspace())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<&str> = listed.lines().collect();
    for folder in ["probe", "cases"] {
        let mut wanted = Vec::new();
        files(
            &workspace().join(folder),
            &format!("{folder}/"),
            &mut wanted,
        );
        assert!(!wanted.is_empty());
        for file in wanted.iter().filter(|f| !f.contains("/.")) {
            assert!(listed.contains(&file.as_str()), "the package lacks {file}");
        }
    }
}

#[test]
fn the_manifests_name_no_placeholder_repository() {
    for manifest in ["Cargo.toml", "harness/Cargo.toml", "spec/Cargo.toml"] {
        let text = std::fs::read_to_string(workspace().join(manifest)).unwrap();
        let value: toml::Table = text.parse().unwrap();
        let package = value
            .get("package")
            .or_else(|| value.get("workspace").and_then(|w| w.get("package")));
        if let Some(repo) = package
            .and_then(|p| p.get("repository"))
            .and_then(|r| r.as_str())
        {
            for placeholder in ["example.", "your-org", "placeholder"] {
                assert!(
                    !repo.contains(placeholder),
                    "{manifest}: repository = {repo}"
                );
            }
        }
    }
}
