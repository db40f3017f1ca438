// The suite revision: a content hash of a suite's case files. This file is
// also included by `build.rs`, which names the built-in suite with it, so the
// revision of a folder and of the same cases built in are one computation.

/// The revision of the case files `files`, given as (`/`-separated path
/// under the cases folder, contents) in path order: FNV-1a over every path
/// and its contents, as 16 hex digits. Stable across toolchains and machines,
/// unlike the standard library's hasher. `none` for no files.
pub fn suite_revision<'a, I>(files: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut any = false;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, contents) in files {
        any = true;
        feed(name.as_bytes());
        feed(&[0]);
        feed(contents);
        feed(&[0]);
    }
    if any {
        format!("{hash:016x}")
    } else {
        "none".to_owned()
    }
}
