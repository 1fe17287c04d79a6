//! The Calico version a scenario models, and the behaviour that changed between versions.

use std::fmt;

use serde::Serialize;

/// A Calico release, `vMAJOR.MINOR[.PATCH]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CalicoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl CalicoVersion {
    /// The version calisim models when the scenario names none.
    pub const DEFAULT: CalicoVersion = CalicoVersion {
        major: 3,
        minor: 28,
        patch: 0,
    };

    /// Parses `v3.28`, `3.28.5`, `v3.16.6` (a leading `v` is optional).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let mut parts = t.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            major,
            minor,
            patch,
        })
    }

    fn at_least(self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// libcalico-go's per-host block cap when IPAMConfiguration sets none:
    /// 20 in v3.28 and later (ipam.go autoAssign), unlimited in v3.16.
    /// Releases in between are treated like v3.28 (not verified release by release).
    pub fn default_max_blocks_per_host(self) -> Option<u32> {
        if self.at_least(3, 17) {
            Some(20)
        } else {
            None
        }
    }
}

impl Default for CalicoVersion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for CalicoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(
            CalicoVersion::parse("v3.28"),
            Some(CalicoVersion {
                major: 3,
                minor: 28,
                patch: 0
            })
        );
        assert_eq!(
            CalicoVersion::parse("3.16.6"),
            Some(CalicoVersion {
                major: 3,
                minor: 16,
                patch: 6
            })
        );
        assert_eq!(CalicoVersion::parse("latest"), None);
        assert_eq!(CalicoVersion::parse("v3"), None);
    }

    #[test]
    fn block_cap_depends_on_the_version() {
        assert_eq!(
            CalicoVersion::parse("v3.16")
                .unwrap()
                .default_max_blocks_per_host(),
            None
        );
        assert_eq!(
            CalicoVersion::DEFAULT.default_max_blocks_per_host(),
            Some(20)
        );
    }
}
