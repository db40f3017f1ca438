//! Wine prefixes, one per worker, kept under the target directory between runs.
//!
//! A prefix costs about 9 s and 700 MB to create, so each is made once and
//! reused: the generated packages register nothing, so a session leaves
//! nothing behind but cache copies under `C:\windows\Installer`. A lock
//! directory holding the owner's pid keeps two msiconf processes apart.

use super::{MsiexecError, WineTools};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// One worker's prefix, held until dropped.
#[derive(Debug)]
pub struct Prefix {
    dir: PathBuf,
    index: usize,
    /// The worker's agent, once started (agent mode).
    pub agent: Option<super::agent::Agent>,
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
                }],
                held: vec![0],
                creating: 0,
            }),
            freed: Condvar::new(),
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

    fn create(&self, tools: Option<&WineTools>) -> Result<Prefix, MsiexecError> {
        let tools = tools.ok_or_else(|| {
            MsiexecError::Setup("a Wine prefix is needed, and Wine was not found".into())
        })?;
        std::fs::create_dir_all(&self.root).map_err(|source| MsiexecError::Io {
            what: format!("create `{}`", self.root.display()),
            source,
        })?;
        for index in 0..64 {
            if !self.try_lock(index) {
                continue;
            }
            let prefix = Prefix {
                dir: self.root.join(format!("prefix-{index}")),
                index,
                agent: None,
            };
            if let Err(e) = tools.boot(&prefix) {
                self.unlock(index);
                return Err(e);
            }
            return Ok(prefix);
        }
        Err(MsiexecError::Setup(format!(
            "every Wine prefix under `{}` is locked by another process",
            self.root.display()
        )))
    }

    fn lock_dir(&self, index: usize) -> PathBuf {
        self.root.join(format!("prefix-{index}.lock"))
    }

    fn try_lock(&self, index: usize) -> bool {
        let dir = self.lock_dir(index);
        for _ in 0..2 {
            if std::fs::create_dir(&dir).is_ok() {
                let _ = std::fs::write(dir.join("pid"), std::process::id().to_string());
                return true;
            }
            // A lock whose owner is gone is stale. (A lock just made whose pid
            // file is not written yet reads as stale only if we lose that race
            // for a whole millisecond; the retry below covers it.)
            std::thread::sleep(Duration::from_millis(1));
            let owner = std::fs::read_to_string(dir.join("pid")).ok();
            match owner.and_then(|p| p.trim().parse::<u32>().ok()) {
                Some(pid) if Path::new(&format!("/proc/{pid}")).exists() => return false,
                Some(_) => {
                    let _ = std::fs::remove_dir_all(&dir);
                }
                None => return false,
            }
        }
        false
    }

    fn unlock(&self, index: usize) {
        let _ = std::fs::remove_dir_all(self.lock_dir(index));
    }
}

impl Drop for PrefixPool {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        for index in st.held.clone() {
            self.unlock(index);
        }
    }
}
