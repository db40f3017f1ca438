//! Wine prefixes, one per worker, kept under the target directory between runs.
//!
//! A prefix costs about 9 s and 700 MB to create, so each is made once and
//! reused: the generated packages register nothing, so a session leaves
//! nothing behind but cache copies under `C:\windows\Installer`. A lock
//! ([`PrefixLock`]) gives each prefix to one worker at a time, across threads,
//! pools and processes.
//!
//! Only the first prefix is made with `wineboot`; the others are cloned from
//! a ready one ([`clone_prefix`]): the registry and every other file is
//! copied, while the 630 MB of DLLs under `system32` are hard links, which
//! Wine never rewrites in place (the registry files it does rewrite are
//! copies, so one prefix never sees another's changes). [`clean`] removes
//! them all.

use super::{MsiexecError, WineTools};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// One worker's prefix, held until dropped.
#[derive(Debug)]
pub struct Prefix {
    dir: PathBuf,
    index: usize,
    /// The worker's agent, once started (agent mode).
    pub agent: Option<super::agent::Agent>,
    /// Keeps every other worker out of the prefix (`None` for a remote agent's slot).
    _lock: Option<PrefixLock>,
}

impl Prefix {
    /// The prefix directory (WINEPREFIX).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `C:\msiconf` lives on the Linux side.
    pub fn session_dir(&self) -> PathBuf {
        self.dir.join("drive_c").join("msiconf")
    }

    /// The worker number.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// Hands out prefixes to concurrent sessions, creating them on demand up to a limit.
#[derive(Debug)]
pub struct PrefixPool {
    root: PathBuf,
    max: usize,
    state: Mutex<PoolState>,
    freed: Condvar,
    /// Held while a prefix is made, so that the second one can clone the first.
    making: Mutex<()>,
}

#[derive(Debug, Default)]
struct PoolState {
    free: Vec<Prefix>,
    held: Vec<usize>,
    creating: usize,
}

impl PrefixPool {
    /// A pool of at most `max` prefixes under `root`.
    pub fn new(root: PathBuf, max: usize) -> PrefixPool {
        PrefixPool {
            root,
            max: max.max(1),
            state: Mutex::new(PoolState::default()),
            freed: Condvar::new(),
            making: Mutex::new(()),
        }
    }

    /// The most prefixes the pool will use at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A pool of one slot that is not a Wine prefix: the worker of a remote
    /// agent. `dir` is a local scratch folder; nothing is ever created in it.
    pub fn remote(dir: PathBuf) -> PrefixPool {
        PrefixPool {
            root: dir.clone(),
            max: 1,
            state: Mutex::new(PoolState {
                free: vec![Prefix {
                    dir,
                    index: 0,
                    agent: None,
                    _lock: None,
                }],
                held: vec![0],
                creating: 0,
            }),
            freed: Condvar::new(),
            making: Mutex::new(()),
        }
    }

    /// Takes a free prefix, creating one if the pool may grow, else waiting.
    pub fn acquire(&self, tools: Option<&WineTools>) -> Result<Prefix, MsiexecError> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(p) = st.free.pop() {
                return Ok(p);
            }
            if st.held.len() + st.creating < self.max {
                st.creating += 1;
                drop(st);
                let made = self.create(tools);
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                st.creating -= 1;
                if let Ok(p) = &made {
                    st.held.push(p.index);
                }
                return made;
            }
            st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Gives a prefix back.
    pub fn release(&self, prefix: Prefix) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.free.push(prefix);
        self.freed.notify_one();
    }

    /// Runs `f` on every prefix not in use right now.
    pub fn for_each_free(&self, mut f: impl FnMut(&mut Prefix)) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for p in &mut st.free {
            f(p);
        }
    }

    fn create(&self, tools: Option<&WineTools>) -> Result<Prefix, MsiexecError> {
        let tools = tools.ok_or_else(|| {
            MsiexecError::Setup("a Wine prefix is needed, and Wine was not found".into())
        })?;
        std::fs::create_dir_all(&self.root).map_err(|source| MsiexecError::Io {
            what: format!("create `{}`", self.root.display()),
            source,
        })?;
        for index in 0..64 {
            let lock_dir = self.root.join(format!("prefix-{index}.lock"));
            let lock = match PrefixLock::try_take(&lock_dir) {
                Ok(Some(lock)) => lock,
                Ok(None) => continue,
                Err(source) => {
                    return Err(MsiexecError::Io {
                        what: format!("lock `{}`", lock_dir.display()),
                        source,
                    })
                }
            };
            let prefix = Prefix {
                dir: self.root.join(format!("prefix-{index}")),
                index,
                agent: None,
                _lock: Some(lock),
            };
            // One at a time: a clone (about 2 s) needs a booted prefix to copy.
            let _making = self.making.lock().unwrap_or_else(|e| e.into_inner());
            if !prefix.dir.join("system.reg").is_file() {
                if let Some(source) = self.ready_sibling(index) {
                    // A failed clone leaves nothing behind, and wineboot below starts from scratch.
                    let _ = clone_prefix(&source, &prefix.dir);
                }
            }
            // On an error the prefix, and with it the lock, is dropped.
            tools.boot(&prefix)?;
            return Ok(prefix);
        }
        Err(MsiexecError::Setup(format!(
            "every Wine prefix under `{}` is locked by another process",
            self.root.display()
        )))
    }

    /// A prefix other than `index` that has been booted, to clone from.
    fn ready_sibling(&self, index: usize) -> Option<PathBuf> {
        (0..64)
            .filter(|i| *i != index)
            .map(|i| self.root.join(format!("prefix-{i}")))
            .find(|d| is_ready(d))
    }
}

/// An exclusive hold on one prefix: flock(2) on `prefix-N.lock/pid`.
///
/// The kernel grants it to one open file at a time, whichever thread, pool or
/// process asks, and releases it when the file is closed or its process ends.
/// So a lock is never stale and never has to be taken over. (Taking over a
/// lock folder whose owner had died was not atomic: two workers starting at
/// once could both take prefix 0, and each then killed the other's agent.)
#[derive(Debug)]
pub struct PrefixLock {
    _file: std::fs::File,
}

impl PrefixLock {
    /// Takes the lock in the folder `dir` (made if missing), or `None` when
    /// someone else holds it.
    pub fn try_take(dir: &Path) -> std::io::Result<Option<PrefixLock>> {
        use rustix::fs::{flock, FlockOperation};
        let path = dir.join("pid");
        let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
        // A few rounds, for a `clean` removing the folder at the same time.
        for _ in 0..4 {
            std::fs::create_dir_all(dir)?;
            let file = match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if gone(&e) => continue,
                Err(e) => return Err(e),
            };
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(e) if e == rustix::io::Errno::WOULDBLOCK => return Ok(None),
                Err(e) => return Err(e.into()),
            }
            // A file unlinked between the open and the flock guards nothing.
            let held = file.metadata()?;
            match std::fs::metadata(&path) {
                Ok(m) if (m.dev(), m.ino()) == (held.dev(), held.ino()) => {}
                Ok(_) => continue,
                Err(e) if gone(&e) => continue,
                Err(e) => return Err(e),
            }
            // The pid is for people reading the folder; the flock is the lock.
            file.set_len(0)?;
            (&file).write_all(std::process::id().to_string().as_bytes())?;
            return Ok(Some(PrefixLock { _file: file }));
        }
        Err(std::io::Error::other(format!(
            "`{}` kept disappearing while it was being locked",
            path.display()
        )))
    }
}

/// Whether `dir` holds a booted prefix with its session folder.
pub fn is_ready(dir: &Path) -> bool {
    dir.join("system.reg").is_file() && dir.join("drive_c").join("msiconf").is_dir()
}

/// The folders whose files are shared between clones by hard links.
const SHARED_DIRS: [&str; 2] = ["drive_c/windows/system32", "drive_c/windows/syswow64"];

/// Makes `dst` a copy of the booted prefix `src`: files under `system32` and
/// `syswow64` are hard links, everything else (the registry above all) is
/// copied, symbolic links are recreated and the session folder starts empty.
/// Built in a scratch folder and renamed into place.
pub fn clone_prefix(src: &Path, dst: &Path) -> std::io::Result<()> {
    let scratch = dst.with_extension(format!("clone{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = copy_tree(src, &scratch, Path::new(""))
        .and_then(|()| std::fs::create_dir_all(scratch.join("drive_c").join("msiconf")))
        .and_then(|()| std::fs::rename(&scratch, dst));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

fn copy_tree(src: &Path, dst: &Path, rel: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dst.join(rel))?;
    for entry in std::fs::read_dir(src.join(rel))? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        if rel == Path::new("drive_c/msiconf") {
            continue;
        }
        let kind = entry.file_type()?;
        let (from, to) = (src.join(&rel), dst.join(&rel));
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&from)?, &to)?;
        } else if kind.is_dir() {
            copy_tree(src, dst, &rel)?;
        } else if SHARED_DIRS.iter().any(|d| rel.starts_with(d)) {
            std::fs::hard_link(&from, &to)?;
        } else {
            std::fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// What [`clean`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// The folders removed.
    pub removed: Vec<PathBuf>,
    /// Prefixes left alone because a live process holds their lock.
    pub in_use: Vec<PathBuf>,
}

/// Removes everything the msiexec runtime keeps under `root` (prefixes, built
/// probes, kept failure logs), except prefixes a live msiconf process holds.
pub fn clean(root: &Path) -> std::io::Result<Cleaned> {
    let mut out = Cleaned::default();
    let prefixes = root.join("prefixes");
    if let Ok(entries) = std::fs::read_dir(&prefixes) {
        // Every entry by the prefix it belongs to: `prefix-3`, `prefix-3.lock`,
        // `prefix-3.boot.txt` and a clone's scratch folder all go together.
        let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for name in entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
        {
            let base = name.split('.').next().unwrap_or(&name).to_owned();
            groups.entry(base).or_default().push(name);
        }
        for (base, mut names) in groups {
            let lock_dir = prefixes.join(format!("{base}.lock"));
            // Held while the prefix goes, so that no run starts in it meanwhile.
            let Some(lock) = PrefixLock::try_take(&lock_dir)? else {
                names.sort();
                for name in names.iter().filter(|n| !n.ends_with(".lock")) {
                    out.in_use.push(prefixes.join(name));
                }
                continue;
            };
            // The lock folder last.
            names.sort_by_key(|n| (n.ends_with(".lock"), n.clone()));
            for name in names {
                let path = prefixes.join(&name);
                std::fs::remove_dir_all(&path).or_else(|e| {
                    // A stray file (a boot log) rather than a folder.
                    if path.is_file() {
                        std::fs::remove_file(&path)
                    } else {
                        Err(e)
                    }
                })?;
                out.removed.push(path);
            }
            // Taking the lock made the folder when the prefix had none.
            let _ = std::fs::remove_dir_all(&lock_dir);
            drop(lock);
        }
    }
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("probe-") || name == "failures" {
                std::fs::remove_dir_all(entry.path())?;
                out.removed.push(entry.path());
            } else if name != "prefixes" && entry.path().join("prefixes").is_dir() {
                // Another runtime root inside this one (the remote-agent test's).
                let inner = clean(&entry.path())?;
                out.removed.extend(inner.removed);
                out.in_use.extend(inner.in_use);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn fake_prefix(dir: &Path) {
        let sys = dir.join("drive_c/windows/system32");
        std::fs::create_dir_all(&sys).unwrap();
        std::fs::create_dir_all(dir.join("drive_c/msiconf")).unwrap();
        std::fs::create_dir_all(dir.join("dosdevices")).unwrap();
        std::fs::write(dir.join("system.reg"), "registry").unwrap();
        std::fs::write(sys.join("msi.dll"), "dll bytes").unwrap();
        std::fs::write(dir.join("drive_c/msiconf/pkg.msi"), "old package").unwrap();
        std::os::unix::fs::symlink("../drive_c", dir.join("dosdevices/c:")).unwrap();
    }

    #[test]
    fn a_clone_shares_dlls_and_copies_the_registry() {
        let tmp = tempfile::tempdir().unwrap();
        let (src, dst) = (tmp.path().join("prefix-0"), tmp.path().join("prefix-1"));
        fake_prefix(&src);
        clone_prefix(&src, &dst).unwrap();
        assert!(is_ready(&dst));
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let dll = "drive_c/windows/system32/msi.dll";
        assert_eq!(ino(&src.join(dll)), ino(&dst.join(dll)), "DLLs are shared");
        assert_ne!(ino(&src.join("system.reg")), ino(&dst.join("system.reg")));
        // Writing the clone's registry leaves the source's alone.
        std::fs::write(dst.join("system.reg"), "changed").unwrap();
        assert_eq!(
            std::fs::read_to_string(src.join("system.reg")).unwrap(),
            "registry"
        );
        assert_eq!(
            std::fs::read_link(dst.join("dosdevices/c:")).unwrap(),
            Path::new("../drive_c")
        );
        assert!(!dst.join("drive_c/msiconf/pkg.msi").exists());
        assert!(!tmp
            .path()
            .join(format!("prefix-1.clone{}", std::process::id()))
            .exists());
    }

    #[test]
    fn workers_starting_at_once_never_share_a_prefix() {
        // Two pools on one root stand for two processes (the lock knows no
        // difference); each has two workers, and all four ask at once, as
        // `warm_up` does. Every round starts from the locks an ended run
        // leaves, naming a process that is gone. Taking those over used to
        // hand one prefix to two workers now and then.
        let tools = WineTools {
            wine: PathBuf::from("/bin/false"),
            wineserver: PathBuf::from("/bin/false"),
            path: None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for i in 0..4 {
            fake_prefix(&root.join(format!("prefix-{i}")));
        }
        for round in 0..100 {
            for i in 0..4 {
                let lock = root.join(format!("prefix-{i}.lock"));
                std::fs::create_dir_all(&lock).unwrap();
                std::fs::write(lock.join("pid"), "4000000000").unwrap();
            }
            let pools = [
                PrefixPool::new(root.to_path_buf(), 2),
                PrefixPool::new(root.to_path_buf(), 2),
            ];
            let start = std::sync::Barrier::new(4);
            let mut dirs: Vec<PathBuf> = std::thread::scope(|s| {
                let workers: Vec<_> = (0..4)
                    .map(|w| {
                        let (pool, start, tools) = (&pools[w % 2], &start, &tools);
                        s.spawn(move || {
                            start.wait();
                            pool.acquire(Some(tools)).unwrap()
                        })
                    })
                    .collect();
                // Every prefix is kept until all four are handed out.
                let taken: Vec<Prefix> = workers.into_iter().map(|w| w.join().unwrap()).collect();
                taken.iter().map(|p| p.dir().to_path_buf()).collect()
            });
            dirs.sort();
            dirs.dedup();
            assert_eq!(dirs.len(), 4, "round {round}: a prefix went to two workers");
        }
    }

    #[test]
    fn clean_removes_all_but_prefixes_a_live_process_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let prefixes = root.join("prefixes");
        fake_prefix(&prefixes.join("prefix-0"));
        fake_prefix(&prefixes.join("prefix-1"));
        // prefix-0 is held right now; prefix-1's lock is what an ended run leaves.
        let _held = PrefixLock::try_take(&prefixes.join("prefix-0.lock"))
            .unwrap()
            .unwrap();
        std::fs::create_dir_all(prefixes.join("prefix-1.lock")).unwrap();
        std::fs::write(prefixes.join("prefix-1.lock/pid"), "4000000000").unwrap();
        std::fs::write(prefixes.join("prefix-1.boot.txt"), "log").unwrap();
        std::fs::create_dir_all(root.join("probe-0123")).unwrap();
        std::fs::create_dir_all(root.join("failures/x")).unwrap();
        let done = clean(root).unwrap();
        assert_eq!(done.in_use, vec![prefixes.join("prefix-0")]);
        assert!(prefixes.join("prefix-0").is_dir() && prefixes.join("prefix-0.lock").is_dir());
        for gone in [
            "prefixes/prefix-1",
            "prefixes/prefix-1.lock",
            "prefixes/prefix-1.boot.txt",
            "probe-0123",
            "failures",
        ] {
            assert!(!root.join(gone).exists(), "{gone}");
        }
        assert_eq!(done.removed.len(), 5);
    }
}
