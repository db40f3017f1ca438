//! `--partition K/N`: a stable slice of the cases, so CI can spread a run over machines.

use std::fmt;
use std::str::FromStr;

/// Slice `index` (1-based) of `count`. A case belongs to the slice chosen by a
/// hash of its name, so adding or removing a case never moves the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Which slice, from 1.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

/// A `--partition` value that is not `K/N` with 1 <= K <= N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid partition `{0}`: expected K/N with 1 <= K <= N, such as 2/3")]
pub struct PartitionError(String);

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(s: &str) -> Result<Partition, PartitionError> {
        let bad = || PartitionError(s.to_owned());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { index, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Partition {
    /// Whether the case called `name` is in this slice.
    pub fn contains(&self, name: &str) -> bool {
        fnv1a(name.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a: fixed forever, unlike `std`'s hasher, so slices stay put across releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/3".parse(), Ok(Partition { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slices_cover_every_case_exactly_once() {
        let names: Vec<String> = (0..200)
            .map(|i| format!("area{}/case-{i}", i % 7))
            .collect();
        let mut sizes = Vec::new();
        for k in 1..=3 {
            let p = Partition { index: k, count: 3 };
            sizes.push(names.iter().filter(|n| p.contains(n)).count());
        }
        assert_eq!(sizes.iter().sum::<usize>(), names.len());
        // A hash spreads them: no slice is empty or holds nearly everything.
        assert!(sizes.iter().all(|s| *s > 30), "{sizes:?}");
    }

    #[test]
    fn slices_are_stable() {
        // Pinned: a different hash would silently reshuffle CI shards.
        // These are the published FNV-1a 64-bit test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let third = |k| Partition { index: k, count: 3 }.contains("deferred/props-only-three");
        assert_eq!([third(1), third(2), third(3)], [false, true, false]);
        let p = Partition { index: 1, count: 1 };
        assert!(p.contains("anything"));
    }
}
