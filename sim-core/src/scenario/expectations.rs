//! The `calisim.dev/v1alpha1 Expectations` document (interfaces.md §4): what a cluster
//! design promises, checked by `calisim validate`. Strict, like the Cluster document.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExpectationsSpec {
    #[serde(default)]
    pub reachability: Vec<ReachabilitySpec>,
    #[serde(default)]
    pub sessions: Vec<SessionSpec>,
    pub lints: Option<LintsSpec>,
}

/// `{from, to, proto, port, expect}` and/or a path property (`via`, `through`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReachabilitySpec {
    pub from: String,
    pub to: String,
    pub proto: Option<String>,
    pub port: Option<u16>,
    /// `allow` or `deny`.
    pub expect: Option<String>,
    /// `vxlan`, `ipip` or `direct`.
    pub via: Option<String>,
    /// A node, router or network the path must cross.
    pub through: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionSpec {
    pub node: String,
    pub peer: String,
    pub state: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LintsSpec {
    #[serde(default)]
    pub absent: Vec<String>,
}
