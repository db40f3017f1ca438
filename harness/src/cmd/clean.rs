//! `msiconf clean`: removes what the msiexec runtime keeps on disk.

use anyhow::Context as _;
use msiconf::exit;
use msiconf::runtimes::msiexec::{default_root, prefix};

/// Removes the Wine prefixes (about 700 MB for the first, 70 MB for each
/// clone), the built probes and the kept failure logs; prefixes a running
/// msiconf holds are left alone and named.
pub fn run() -> anyhow::Result<u8> {
    let root = default_root();
    let done =
        prefix::clean(&root).with_context(|| format!("failed to clean `{}`", root.display()))?;
    for path in &done.removed {
        println!("removed {}", path.display());
    }
    for path in &done.in_use {
        println!("kept {} (in use by a running msiconf)", path.display());
    }
    if done.removed.is_empty() && done.in_use.is_empty() {
        println!("nothing to remove under {}", root.display());
    }
    Ok(exit::CONFORMANT)
}
