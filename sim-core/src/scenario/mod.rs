//! Scenario loading: multi-document YAML text → typed documents with their origin.
//!
//! Layer 1 of the pipeline (see ARCHITECTURE in the README). It reads no files itself:
//! callers hand in `(name, text)` pairs, so the same code runs in the CLI and in wasm.
//! It recognises every kind calisim knows, says which are not yet supported, and skips
//! unknown kinds with a warning: nothing is silently misread.

mod expectations;
pub mod kinds;
mod locate;
mod service;
mod split;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::yaml;
pub use expectations::*;
pub use kinds::*;
pub use locate::locate;
pub use service::*;
pub use split::{split_documents, RawDocument};

/// One input file: a display name and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub origin: Origin,
    pub value: T,
    /// The document's text, to locate fields named in later diagnostics.
    pub text: String,
}

/// Every document kind calisim reads today.
#[derive(Debug, Clone)]
pub enum Document {
    Cluster(Resource<ClusterSpec>),
    Pod(Resource<PodSpec>),
    Namespace(Resource<serde_json::Value>),
    IpPool(Resource<IpPoolSpec>),
    IpReservation(Resource<IpReservationSpec>),
    IpamConfig(Resource<IpamConfigSpec>),
    BgpConfiguration(Resource<BgpConfigurationSpec>),
    BgpPeer(Resource<BgpPeerSpec>),
    CalicoNode(Resource<CalicoNodeSpec>),
    FelixConfiguration(Resource<FelixConfigurationSpec>),
    DaemonSet(Resource<DaemonSetSpec>),
    ConfigMap(ConfigMapDoc),
    Installation(Resource<InstallationSpec>),
    /// A kubeadm config file's ClusterConfiguration.
    KubeadmConfig(KubeadmClusterConfiguration),
    NetworkPolicy(Resource<crate::policy::model::PolicySpec>),
    GlobalNetworkPolicy(Resource<crate::policy::model::PolicySpec>),
    K8sNetworkPolicy(crate::policy::k8s::K8sNetworkPolicy),
    Expectations(Resource<ExpectationsSpec>),
    Service(Resource<ServiceSpec>),
    NetworkSet(Resource<crate::policy::model::NetworkSetSpec>),
    Tier(Resource<TierSpec>),
    ServiceAccount(Resource<serde_json::Value>),
    GlobalNetworkSet(Resource<crate::policy::model::NetworkSetSpec>),
}

impl Document {
    /// `Kind[name]` (or `Kind[namespace/name]`) for diagnostics.
    pub fn label(&self) -> String {
        let (kind, meta) = match self {
            Document::Cluster(r) => ("Cluster", &r.metadata),
            Document::Pod(r) => ("Pod", &r.metadata),
            Document::Namespace(r) => ("Namespace", &r.metadata),
            Document::IpPool(r) => ("IPPool", &r.metadata),
            Document::IpReservation(r) => ("IPReservation", &r.metadata),
            Document::IpamConfig(r) => ("IPAMConfiguration", &r.metadata),
            Document::BgpConfiguration(r) => ("BGPConfiguration", &r.metadata),
            Document::BgpPeer(r) => ("BGPPeer", &r.metadata),
            Document::CalicoNode(r) => ("Node", &r.metadata),
            Document::FelixConfiguration(r) => ("FelixConfiguration", &r.metadata),
            Document::DaemonSet(r) => ("DaemonSet", &r.metadata),
            Document::ConfigMap(c) => ("ConfigMap", &c.metadata),
            Document::Installation(r) => ("Installation", &r.metadata),
            Document::KubeadmConfig(_) => return "ClusterConfiguration".into(),
            Document::NetworkPolicy(r) => ("NetworkPolicy", &r.metadata),
            Document::GlobalNetworkPolicy(r) => ("GlobalNetworkPolicy", &r.metadata),
            Document::Expectations(r) => ("Expectations", &r.metadata),
            Document::NetworkSet(r) => ("NetworkSet", &r.metadata),
            Document::Tier(r) => ("Tier", &r.metadata),
            Document::ServiceAccount(r) => ("ServiceAccount", &r.metadata),
            Document::GlobalNetworkSet(r) => ("GlobalNetworkSet", &r.metadata),
            Document::Service(r) => {
                let ns = r.metadata.namespace.as_deref().unwrap_or("default");
                return resource_label("Service", Some(ns), &r.metadata.name);
            }
            Document::K8sNetworkPolicy(p) => {
                return resource_label(
                    "NetworkPolicy",
                    Some(&p.metadata.namespace),
                    &p.metadata.name,
                )
            }
        };
        resource_label(kind, meta.namespace.as_deref(), &meta.name)
    }
}

/// `Kind[name]` or `Kind[namespace/name]`.
pub fn resource_label(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        _ if name.is_empty() => kind.to_string(),
        Some(ns) if !ns.is_empty() => format!("{kind}[{ns}/{name}]"),
        _ => format!("{kind}[{name}]"),
    }
}

/// The parsed input: documents in file order, then document order.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    pub documents: Vec<Sourced<Document>>,
}

/// What calisim does with a given `apiVersion` group and kind.
enum KindSupport {
    Read(fn(&str) -> Result<Document, yaml::Error>),
    /// Install plumbing that carries no networking (CRDs, RBAC, service accounts...).
    Ignored,
    NotYetSupported,
    Unknown,
}

fn read<S: DeserializeOwned>(
    wrap: fn(Resource<S>) -> Document,
) -> impl Fn(&str) -> Result<Document, yaml::Error> {
    move |text| yaml::from_str::<Resource<S>>(text).map(wrap)
}

fn kind_support(api_version: &str, kind: &str) -> KindSupport {
    let group = api_version.split('/').next().unwrap_or("");
    let group = if api_version == "v1" { "" } else { group };
    macro_rules! read {
        ($spec:ty, $variant:path) => {
            KindSupport::Read(|t| read::<$spec>($variant)(t))
        };
    }
    match (group, kind) {
        ("calisim.dev", "Cluster") => read!(ClusterSpec, Document::Cluster),
        ("calisim.dev", "Expectations") => read!(ExpectationsSpec, Document::Expectations),
        ("", "Pod") => read!(PodSpec, Document::Pod),
        ("", "Service") => read!(ServiceSpec, Document::Service),
        ("", "ServiceAccount") => read!(serde_json::Value, Document::ServiceAccount),
        ("projectcalico.org", "Tier") => read!(TierSpec, Document::Tier),
        ("projectcalico.org", "NetworkSet") => {
            read!(crate::policy::model::NetworkSetSpec, Document::NetworkSet)
        }
        ("projectcalico.org", "GlobalNetworkSet") => {
            read!(
                crate::policy::model::NetworkSetSpec,
                Document::GlobalNetworkSet
            )
        }
        ("", "Namespace") => read!(serde_json::Value, Document::Namespace),
        ("projectcalico.org", "IPPool") => read!(IpPoolSpec, Document::IpPool),
        ("projectcalico.org", "IPReservation") => read!(IpReservationSpec, Document::IpReservation),
        ("projectcalico.org", "IPAMConfiguration" | "IPAMConfig") => {
            read!(IpamConfigSpec, Document::IpamConfig)
        }
        ("projectcalico.org", "BGPConfiguration") => {
            read!(BgpConfigurationSpec, Document::BgpConfiguration)
        }
        ("projectcalico.org", "BGPPeer") => read!(BgpPeerSpec, Document::BgpPeer),
        ("projectcalico.org", "Node") => read!(CalicoNodeSpec, Document::CalicoNode),
        ("projectcalico.org", "FelixConfiguration") => {
            read!(FelixConfigurationSpec, Document::FelixConfiguration)
        }
        ("apps", "DaemonSet") => read!(DaemonSetSpec, Document::DaemonSet),
        ("operator.tigera.io", "Installation") => read!(InstallationSpec, Document::Installation),
        ("projectcalico.org", "NetworkPolicy") => {
            read!(crate::policy::model::PolicySpec, Document::NetworkPolicy)
        }
        ("projectcalico.org", "GlobalNetworkPolicy") => {
            read!(
                crate::policy::model::PolicySpec,
                Document::GlobalNetworkPolicy
            )
        }
        ("networking.k8s.io", "NetworkPolicy") => KindSupport::Read(|t| {
            yaml::from_str::<crate::policy::k8s::K8sNetworkPolicy>(t)
                .map(Document::K8sNetworkPolicy)
        }),
        ("kubeadm.k8s.io", "ClusterConfiguration") => KindSupport::Read(|t| {
            yaml::from_str::<KubeadmClusterConfiguration>(t).map(Document::KubeadmConfig)
        }),
        ("kubeadm.k8s.io", "InitConfiguration" | "JoinConfiguration" | "KubeletConfiguration")
        | ("kubelet.config.k8s.io", "KubeletConfiguration")
        | ("kubeproxy.config.k8s.io", "KubeProxyConfiguration") => KindSupport::Ignored,
        ("", "ConfigMap") => {
            KindSupport::Read(|t| yaml::from_str::<ConfigMapDoc>(t).map(Document::ConfigMap))
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition")
        | (
            "rbac.authorization.k8s.io",
            "ClusterRole" | "ClusterRoleBinding" | "Role" | "RoleBinding",
        )
        | ("", "Secret")
        | ("policy", "PodDisruptionBudget")
        | ("scheduling.k8s.io", "PriorityClass")
        | ("apps", "Deployment") => KindSupport::Ignored,
        (
            "projectcalico.org",
            "HostEndpoint"
            | "BGPFilter"
            | "Profile"
            | "WorkloadEndpoint"
            | "KubeControllersConfiguration"
            | "StagedNetworkPolicy"
            | "StagedGlobalNetworkPolicy"
            | "StagedKubernetesNetworkPolicy",
        )
        | ("operator.tigera.io", "APIServer")
        | ("", "Endpoints") => KindSupport::NotYetSupported,
        _ => KindSupport::Unknown,
    }
}

/// Parses every file; returns what could be read and every problem found.
pub fn parse(files: &[SourceFile]) -> (Scenario, Diagnostics) {
    let mut scenario = Scenario::default();
    let mut diags = Diagnostics::default();
    for file in files {
        for raw in split_documents(&file.text) {
            let origin = Origin {
                file: file.name.clone(),
                document: raw.index,
                line: raw.first_line,
            };
            if let Some(doc) = parse_document(&raw, &origin, &mut diags) {
                scenario.documents.push(Sourced {
                    origin,
                    value: doc,
                    text: raw.text.to_string(),
                });
            }
        }
    }
    (scenario, diags)
}

/// `apiVersion` and `kind` from plain top-level lines, without parsing the document
/// (a cluster document can hold 100,000 pods). None when they are written another way.
fn quick_kind(text: &str) -> Option<(String, String)> {
    let top_level = |key: &str| {
        text.lines().find_map(|line| {
            let value = line.strip_prefix(key)?.strip_prefix(':')?;
            let value = value
                .split(" #")
                .next()?
                .trim()
                .trim_matches(|c| c == '"' || c == '\'');
            (!value.is_empty()).then(|| value.to_string())
        })
    };
    Some((top_level("apiVersion")?, top_level("kind")?))
}

/// Does the document's first content line start a top-level sequence?
fn is_list(text: &str) -> bool {
    text.lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .is_some_and(|l| l.starts_with("- ") || l == "-")
}

fn parse_document(
    raw: &RawDocument<'_>,
    origin: &Origin,
    diags: &mut Diagnostics,
) -> Option<Document> {
    let (api_version, kind) = match quick_kind(raw.text) {
        Some(found) => found,
        None if is_list(raw.text) => {
            diags.push(
                Diagnostic::warning("document is a YAML list, not a Kubernetes object (a kustomize JSON patch?); skipped")
                    .at(origin),
            );
            return None;
        }
        None => {
            let header = header(raw, origin, diags)?;
            match (header.api_version, header.kind) {
                (Some(a), Some(k)) => (a, k),
                (a, _) => {
                    let missing = if a.is_none() { "apiVersion" } else { "kind" };
                    diags.push(
                        Diagnostic::error(format!("document has no `{missing}`; every document needs `apiVersion` and `kind`"))
                            .at(origin),
                    );
                    return None;
                }
            }
        }
    };
    let label = || {
        let meta = header(raw, origin, &mut Diagnostics::default()).and_then(|h| h.metadata);
        let meta = meta.as_ref();
        resource_label(
            &kind,
            meta.and_then(|m| m.namespace.as_deref()),
            meta.and_then(|m| m.name.as_deref()).unwrap_or(""),
        )
    };
    match kind_support(&api_version, &kind) {
        KindSupport::Read(reader) => match reader(raw.text) {
            Ok(doc) => {
                report_extra_fields(&doc, &doc.label(), origin, diags);
                Some(doc)
            }
            Err(e) => {
                diags.push(yaml_error(&e, raw, origin, Some(&label())));
                None
            }
        },
        KindSupport::Ignored => None,
        KindSupport::NotYetSupported => {
            diags.push(
                Diagnostic::warning(format!(
                    "{api_version} {kind} is recognised but not yet supported by calisim; ignored"
                ))
                .at(origin)
                .resource(label()),
            );
            None
        }
        KindSupport::Unknown => {
            diags.push(
                Diagnostic::warning(format!(
                    "unknown kind `{kind}` (apiVersion `{api_version}`); skipped"
                ))
                .at(origin)
                .resource(label()),
            );
            None
        }
    }
}

/// The full header parse: for documents written unusually, and for labels in messages.
fn header(raw: &RawDocument<'_>, origin: &Origin, diags: &mut Diagnostics) -> Option<Header> {
    yaml::from_str::<Header>(raw.text)
        .map_err(|e| diags.push(yaml_error(&e, raw, origin, None)))
        .ok()
}

/// A YAML or type error, with the line made absolute within the user's file.
fn yaml_error(
    e: &yaml::Error,
    raw: &RawDocument<'_>,
    origin: &Origin,
    label: Option<&str>,
) -> Diagnostic {
    let mut origin = origin.clone();
    let mut message = e.message().to_string();
    if let Some(at) = e.location() {
        // The reader counts lines within the document; say the column, the line is in `origin`.
        origin.line = raw.first_line + at.line - 1;
        message.push_str(&format!(" (column {})", at.column));
    }
    let d = Diagnostic::error(message).at(&origin);
    match label {
        Some(l) => d.resource(l),
        None => d,
    }
}

fn report_extra_fields(doc: &Document, label: &str, origin: &Origin, diags: &mut Diagnostics) {
    let extras: Vec<(&str, &Extra)> = match doc {
        Document::IpPool(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::IpReservation(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::IpamConfig(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::BgpConfiguration(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::BgpPeer(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::FelixConfiguration(r) => r.spec.iter().map(|s| ("spec", &s.extra)).collect(),
        Document::Installation(r) => r
            .spec
            .iter()
            .flat_map(|s| {
                let network = s
                    .calico_network
                    .iter()
                    .map(|n| ("spec.calicoNetwork", &n.extra));
                std::iter::once(("spec", &s.extra)).chain(network)
            })
            .collect(),
        Document::CalicoNode(r) => r
            .spec
            .iter()
            .flat_map(|s| {
                std::iter::once(("spec", &s.extra))
                    .chain(s.bgp.iter().map(|b| ("spec.bgp", &b.extra)))
            })
            .collect(),
        _ => Vec::new(),
    };
    for (path, extra) in extras {
        for key in extra.keys() {
            diags.push(
                Diagnostic::warning(format!(
                    "field `{key}` is not modelled by calisim; it is ignored"
                ))
                .at(origin)
                .resource(label)
                .field(format!("{path}.{key}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> (Scenario, Diagnostics) {
        parse(&[SourceFile::new("s.yaml", text)])
    }

    #[test]
    fn reads_known_kinds_with_their_origin() {
        let (s, d) = parse_one(
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n",
        );
        assert!(d.is_empty(), "{d}");
        assert_eq!(s.documents.len(), 2);
        assert_eq!(s.documents[1].origin.line, 6);
        assert_eq!(s.documents[1].origin.document, 2);
        assert_eq!(s.documents[0].value.label(), "IPPool[p]");
    }

    #[test]
    fn not_yet_supported_and_unknown_kinds_are_reported_not_read() {
        let (s, d) = parse_one(
            "apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: g}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        );
        assert!(s.documents.is_empty());
        let text = d.to_string();
        assert!(text.contains("warning: s.yaml:1 (document 1): HostEndpoint[g]: projectcalico.org/v3 HostEndpoint is recognised but not yet supported"), "{text}");
        assert!(
            text.contains("warning: s.yaml:5 (document 2): Widget[w]: unknown kind `Widget`"),
            "{text}"
        );
    }

    #[test]
    fn type_errors_point_at_the_absolute_line() {
        let (_, d) = parse_one(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/16\n  blockSize: [26]\n",
        );
        let e = d.errors().next().expect("an error");
        assert_eq!(e.origin.as_ref().map(|o| o.line), Some(11));
        assert_eq!(e.resource.as_deref(), Some("IPPool[p]"));
        assert_eq!(e.message, "expected string scalar (column 14)");
    }

    #[test]
    fn unknown_fields_of_the_cluster_document_are_errors() {
        let (_, d) = parse_one("apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: c}\nspec:\n  nodez: []\n");
        let e = d.errors().next().expect("an error");
        assert!(e.message.contains("unknown field `nodez`"), "{}", e.message);
        assert_eq!(e.origin.as_ref().map(|o| o.line), Some(5));
    }

    #[test]
    fn unmodelled_calico_fields_are_warned_about() {
        let (s, d) = parse_one(
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, ipipMod: Always}\n",
        );
        assert_eq!(s.documents.len(), 1);
        let w = d.warnings().next().expect("a warning");
        assert_eq!(w.field.as_deref(), Some("spec.ipipMod"));
    }

    #[test]
    fn a_document_without_kind_is_an_error() {
        let (_, d) = parse_one("apiVersion: v1\nmetadata: {name: x}\n");
        assert!(d.has_errors());
        assert!(d.to_string().contains("document has no `kind`"));
    }
}
