//! "Did you mean ...?" for names typed by hand: rule IDs, case names, tags.

/// The candidate closest to `word`, if one is close enough to be a likely
/// typo: a Jaro-Winkler similarity of at least 0.8, or the same name in
/// another case.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean `X`?)` when a candidate is close to `word`, else nothing.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_nonsense_finds_none() {
        let ids = ["DOACTION-CASE", "DEFERRED-PROPS", "GETPROP-BUFFER"];
        assert_eq!(closest("DOACTON-CASE", ids), Some("DOACTION-CASE"));
        assert_eq!(closest("deferred-props", ids), Some("DEFERRED-PROPS"));
        assert_eq!(closest("XYZZY", ids), None);
        assert_eq!(
            did_you_mean("DEFERED-PROPS", ids),
            " (did you mean `DEFERRED-PROPS`?)"
        );
        assert_eq!(did_you_mean("XYZZY", ids), "");
    }
}
