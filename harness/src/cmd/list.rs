//! `msiconf list`: the cases, the operations, or the contexts.

use super::out;
use msiconf::exit;
use msiconf_spec::plan::default_probe;
use msiconf_spec::{Context, OpKind};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `msiconf list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The folder of case files [default: `cases` when the current folder
    /// has one, else the suite built into msiconf].
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// List the operations a case can call, with the contexts each is available in.
    #[arg(long, conflicts_with = "contexts")]
    operations: bool,
    /// List the contexts, with their default probes.
    #[arg(long)]
    contexts: bool,
    #[command(flatten)]
    select: super::SelectArgs,
}

/// Prints the list asked for.
pub fn run(args: ListArgs) -> anyhow::Result<u8> {
    let mut text = String::new();
    if args.operations {
        for op in OpKind::ALL {
            let contexts: Vec<&str> = Context::ALL
                .iter()
                .filter(|c| op.available_in(**c))
                .map(|c| c.name())
                .collect();
            let _ = writeln!(text, "{:<28} {}", op.name(), contexts.join(" "));
        }
        out::print(&text)?;
        return Ok(exit::CONFORMANT);
    }
    if args.contexts {
        for c in Context::ALL {
            let probe = default_probe(c).map_or("(the package handle)", |p| p.0);
            let _ = writeln!(text, "{:<22} {:<7} {probe}", c.name(), c.catalog_tag());
        }
        out::print(&text)?;
        return Ok(exit::CONFORMANT);
    }
    let suite = super::load_suite(args.cases.as_deref())?;
    let selection = args.select.selection(&suite)?;
    for case in selection.apply(&suite.cases) {
        let _ = writeln!(
            text,
            "{}  [{}]  {}",
            case.name,
            case.rules.join(", "),
            case.description
        );
    }
    out::print(&text)?;
    Ok(if suite.errors.is_empty() {
        exit::CONFORMANT
    } else {
        exit::ERROR
    })
}
