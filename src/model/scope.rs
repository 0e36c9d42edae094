//! Scope values (RFC 6749 §3.3).
//!
//! > The value of the scope parameter is expressed as a list of space-delimited, case-sensitive
//! > strings. […] scope-token = 1*( %x21 / %x23-5B / %x5D-7E )

use std::collections::BTreeSet;

/// A set of scope tokens, kept sorted and without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scope(BTreeSet<String>);

impl Scope {
    /// Parses a space-delimited scope string; an error names the offending token.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut set = BTreeSet::new();
        for token in raw.split(' ').filter(|t| !t.is_empty()) {
            if let Some(bad) = token.chars().find(|c| !is_scope_char(*c)) {
                return Err(format!(
                    "scope token {token:?} holds {bad:?}, which RFC 6749 §3.3 does not allow"
                ));
            }
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    /// True when every token of `self` is in `other`.
    pub fn is_subset(&self, other: &Scope) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The tokens of `self` that `other` lacks.
    pub fn missing_from<'a>(&'a self, other: &Scope) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|t| !other.0.contains(*t))
            .map(String::as_str)
            .collect()
    }

    /// True when the set holds `token`.
    pub fn contains(&self, token: &str) -> bool {
        self.0.contains(token)
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The tokens as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.0.iter().cloned().collect()
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for token in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(token)?;
            first = false;
        }
        Ok(())
    }
}

/// `%x21 / %x23-5B / %x5D-7E`: printable ASCII except space, `"` and `\`.
fn is_scope_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<&str, ()>)] = &[
            ("", Ok("")),
            ("a", Ok("a")),
            ("b a", Ok("a b")),
            ("a  a   b", Ok("a b")),
            ("patient/*.read openid", Ok("openid patient/*.read")),
            ("a\"b", Err(())),
            ("a\\b", Err(())),
            ("caf\u{e9}", Err(())),
            ("a\tb", Err(())),
        ];
        for (raw, want) in cases {
            let got = Scope::parse(raw).map(|s| s.to_string()).map_err(|_| ());
            assert_eq!(got, want.map(str::to_owned), "input {raw:?}");
        }
    }

    #[test]
    fn subset_rules() {
        let allowed = Scope::parse("a b c").unwrap();
        assert!(Scope::parse("a c").unwrap().is_subset(&allowed));
        assert!(Scope::parse("").unwrap().is_subset(&allowed));
        let wider = Scope::parse("a d").unwrap();
        assert!(!wider.is_subset(&allowed));
        assert_eq!(wider.missing_from(&allowed), vec!["d"]);
    }
}
