//! Validates calisim's own topology (networks, routers, externals, nodes) and the
//! Kubernetes objects placed on it (namespaces, pods).

use core::net::{IpAddr, Ipv4Addr};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipnetwork::{IpNetwork, Ipv4Network};

use crate::addressing::{parse_method, Method};
use crate::diag::Diagnostics;
use crate::labels::LabelMap;
use crate::scenario::{ClusterSpec, ContainerPort, InlinePodSpec, PodSpec};

use super::resolve::{check_unique_names, ByKind, Located};
use super::{
    Backend, CalicoVersion, Cloud, External, Interface, IpamRequest, Kubeadm, NamedPort, Namespace,
    Network, Node, NodeBgpOverride, Pod, Router,
};

/// Validated topology and Kubernetes objects, before Calico resources join them.
pub(crate) struct Topology {
    pub name: String,
    pub calico_version: CalicoVersion,
    pub backend: Backend,
    pub ip_autodetection: Method,
    /// The operator's `nodeAddressAutodetectionV4: {}`: addresses only from Node resources.
    pub ip_autodetection_disabled: bool,
    pub kubeadm: Option<Kubeadm>,
    pub cloud: Cloud,
    pub src_dst_check: bool,
    pub networks: Vec<Network>,
    pub routers: Vec<Router>,
    pub externals: Vec<External>,
    pub nodes: Vec<Node>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub pods: Vec<Pod>,
}

const DEFAULT_MTU: u32 = 1500;
const POOLS_ANNOTATION: &str = "cni.projectcalico.org/ipv4pools";
const IP_ADDRS_ANNOTATION: &str = "cni.projectcalico.org/ipAddrs";
const IP_ADDRS_NO_IPAM_ANNOTATION: &str = "cni.projectcalico.org/ipAddrsNoIpam";

pub(super) fn validate(
    doc: &Located<'_, ClusterSpec>,
    all: &ByKind<'_>,
    diags: &mut Diagnostics,
) -> Topology {
    let empty = ClusterSpec::default();
    let spec = doc.resource.spec.as_ref().unwrap_or(&empty);
    let calico_version = match spec.calico.as_ref().and_then(|c| c.version.as_deref()) {
        None => CalicoVersion::DEFAULT,
        Some(v) => CalicoVersion::parse(v).unwrap_or_else(|| {
            diags.push(doc.error(
                "spec.calico.version",
                format!("`{v}` is not a Calico version like v3.28"),
            ));
            CalicoVersion::DEFAULT
        }),
    };
    let calico = spec.calico.clone().unwrap_or_default();
    let backend = match calico.networking_backend.as_deref() {
        None | Some("bird") => Backend::Bird,
        Some("vxlan") => Backend::Vxlan,
        Some("none") => Backend::None,
        Some(other) => {
            diags.push(doc.error(
                "spec.calico.networkingBackend",
                format!("`{other}` is not one of bird, vxlan, none"),
            ));
            Backend::Bird
        }
    };
    let ip_autodetection =
        match parse_method(calico.ip_autodetection_method.as_deref().unwrap_or("")) {
            Ok(m) => m,
            Err(e) => {
                diags.push(doc.error("spec.calico.ipAutodetectionMethod", e.to_string()));
                Method::FirstFound
            }
        };
    let networks = networks(doc, spec, diags);
    let routers = routers(doc, spec, &networks, diags);
    let externals = externals(doc, spec, &networks, diags);
    let nodes = nodes(doc, spec, &networks, diags);
    let mut namespaces = namespaces(all, diags);
    let pods = pods(doc, spec, all, &nodes, &namespaces, diags);
    for pod in &pods {
        if !namespaces.contains_key(&pod.namespace) {
            namespaces.insert(pod.namespace.clone(), implicit_namespace(&pod.namespace));
        }
    }
    Topology {
        name: doc.resource.metadata.name.clone(),
        calico_version,
        backend,
        ip_autodetection,
        ip_autodetection_disabled: false,
        kubeadm: kubeadm(doc, spec, diags),
        cloud: cloud(doc, spec, diags),
        src_dst_check: spec.src_dst_check.unwrap_or(true),
        networks,
        routers,
        externals,
        nodes,
        namespaces,
        pods,
    }
}

fn cloud(doc: &Located<'_, ClusterSpec>, spec: &ClusterSpec, diags: &mut Diagnostics) -> Cloud {
    match spec.cloud.as_deref() {
        None | Some("none") => Cloud::None,
        Some("aws") => Cloud::Aws,
        Some("azure") => Cloud::Azure,
        Some("gcp") => Cloud::Gcp,
        Some(other) => {
            diags.push(doc.error(
                "spec.cloud",
                format!("`{other}` is not one of none, aws, azure, gcp"),
            ));
            Cloud::None
        }
    }
}

fn kubeadm(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    diags: &mut Diagnostics,
) -> Option<Kubeadm> {
    let k = spec.kubeadm.as_ref()?;
    let mut list = |field: &str, value: &Option<String>| -> Vec<IpNetwork> {
        let Some(value) = value else {
            return Vec::new();
        };
        value
            .split(',')
            .filter_map(|part| match part.trim().parse::<IpNetwork>() {
                Ok(net) => Some(net),
                Err(_) => {
                    diags.push(doc.error(field, format!("`{}` is not a CIDR", part.trim())));
                    None
                }
            })
            .collect()
    };
    Some(Kubeadm {
        pod_subnets: list("spec.kubeadm.podSubnet", &k.pod_subnet),
        service_subnets: list("spec.kubeadm.serviceSubnet", &k.service_subnet),
    })
}

/// Checks that names in one list are present and unique; returns the bad indices.
fn unique<'n>(
    names: impl Iterator<Item = &'n str>,
    what: &str,
    mut report: impl FnMut(usize, String),
) {
    let mut seen = BTreeMap::new();
    for (i, name) in names.enumerate() {
        if name.is_empty() {
            report(i, format!("{what} needs a name"));
        } else if let Some(first) = seen.insert(name, i) {
            report(
                i,
                format!("duplicate {what} name `{name}` (also {what} {first})"),
            );
        }
    }
}

fn mtu(
    value: Option<i64>,
    field: &str,
    doc: &Located<'_, ClusterSpec>,
    diags: &mut Diagnostics,
) -> Option<u32> {
    match value {
        None => None,
        Some(m) if (576..=65535).contains(&m) => Some(m as u32),
        Some(m) => {
            diags.push(doc.error(field, format!("MTU {m} is outside 576..65535")));
            None
        }
    }
}

fn networks(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    diags: &mut Diagnostics,
) -> Vec<Network> {
    unique(
        spec.networks.iter().map(|n| n.name.as_str()),
        "network",
        |i, m| diags.push(doc.error(&format!("spec.networks[{i}].name"), m)),
    );
    let mut out = Vec::new();
    for (i, n) in spec.networks.iter().enumerate() {
        let path = format!("spec.networks[{i}]");
        let cidr = match n.cidr.parse::<Ipv4Network>() {
            Ok(c) if c.network() == c.ip() => c,
            Ok(c) => {
                diags.push(doc.error(
                    &format!("{path}.cidr"),
                    format!(
                        "`{}` has host bits set; did you mean {}/{}?",
                        n.cidr,
                        c.network(),
                        c.prefix()
                    ),
                ));
                c
            }
            Err(_) => {
                diags.push(doc.error(
                    &format!("{path}.cidr"),
                    format!("`{}` is not an IPv4 CIDR", n.cidr),
                ));
                continue;
            }
        };
        let gateway = n
            .gateway
            .as_deref()
            .and_then(|g| match g.parse::<Ipv4Addr>() {
                Ok(ip) if cidr.contains(ip) => Some(ip),
                Ok(ip) => {
                    diags.push(doc.error(
                        &format!("{path}.gateway"),
                        format!("{ip} is outside the network's {cidr}"),
                    ));
                    None
                }
                Err(_) => {
                    diags.push(doc.error(
                        &format!("{path}.gateway"),
                        format!("`{g}` is not an IPv4 address"),
                    ));
                    None
                }
            });
        let mtu = mtu(n.mtu, &format!("{path}.mtu"), doc, diags).unwrap_or(DEFAULT_MTU);
        out.push(Network {
            name: n.name.clone(),
            cidr: Ipv4Network::new(cidr.network(), cidr.prefix())
                .expect("prefix came from a valid network"),
            gateway,
            mtu,
        });
    }
    out
}

fn network_ref(
    name: &str,
    networks: &[Network],
    field: &str,
    doc: &Located<'_, ClusterSpec>,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let found = networks.iter().position(|n| n.name == name);
    if found.is_none() {
        diags.push(
            doc.error(field, format!("unknown network `{name}`"))
                .hint(format!(
                    "networks defined: {}",
                    names(networks.iter().map(|n| n.name.as_str()))
                )),
        );
    }
    found
}

fn names<'n>(it: impl Iterator<Item = &'n str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn routers(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    networks: &[Network],
    diags: &mut Diagnostics,
) -> Vec<Router> {
    unique(
        spec.routers.iter().map(|r| r.name.as_str()),
        "router",
        |i, m| diags.push(doc.error(&format!("spec.routers[{i}].name"), m)),
    );
    spec.routers
        .iter()
        .enumerate()
        .map(|(i, r)| Router {
            name: r.name.clone(),
            networks: r
                .networks
                .iter()
                .enumerate()
                .filter_map(|(j, n)| {
                    network_ref(
                        n,
                        networks,
                        &format!("spec.routers[{i}].networks[{j}]"),
                        doc,
                        diags,
                    )
                })
                .collect(),
            as_number: r.as_number.as_ref().and_then(|v| {
                super::validate_calico::as_number(v)
                    .map_err(|m| diags.push(doc.error(&format!("spec.routers[{i}].asNumber"), m)))
                    .ok()
            }),
        })
        .collect()
}

fn externals(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    networks: &[Network],
    diags: &mut Diagnostics,
) -> Vec<External> {
    unique(
        spec.externals.iter().map(|e| e.name.as_str()),
        "external",
        |i, m| diags.push(doc.error(&format!("spec.externals[{i}].name"), m)),
    );
    let mut out = Vec::new();
    for (i, e) in spec.externals.iter().enumerate() {
        let Ok(address) = e.address.parse::<Ipv4Addr>() else {
            diags.push(doc.error(
                &format!("spec.externals[{i}].address"),
                format!("`{}` is not an IPv4 address", e.address),
            ));
            continue;
        };
        let network = e.network.as_deref().and_then(|n| {
            network_ref(
                n,
                networks,
                &format!("spec.externals[{i}].network"),
                doc,
                diags,
            )
        });
        out.push(External {
            name: e.name.clone(),
            address,
            network,
        });
    }
    out
}

fn nodes(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    networks: &[Network],
    diags: &mut Diagnostics,
) -> Vec<Node> {
    unique(
        spec.nodes.iter().map(|n| n.name.as_str()),
        "node",
        |i, m| diags.push(doc.error(&format!("spec.nodes[{i}].name"), m)),
    );
    let mut addresses: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, n) in spec.nodes.iter().enumerate() {
        let path = format!("spec.nodes[{i}]");
        if n.interfaces.is_empty() {
            diags.push(doc.error(
                &format!("{path}.interfaces"),
                format!("node `{}` has no interfaces", n.name),
            ));
        }
        unique(
            n.interfaces.iter().map(|f| f.name.as_str()),
            "interface",
            |j, m| diags.push(doc.error(&format!("{path}.interfaces[{j}].name"), m)),
        );
        let mut interfaces = Vec::new();
        for (j, f) in n.interfaces.iter().enumerate() {
            let fpath = format!("{path}.interfaces[{j}]");
            let Some(net_id) = network_ref(
                &f.network,
                networks,
                &format!("{fpath}.network"),
                doc,
                diags,
            ) else {
                continue;
            };
            let net = &networks[net_id];
            let Ok(address) = f.address.parse::<Ipv4Addr>() else {
                diags.push(doc.error(
                    &format!("{fpath}.address"),
                    format!("`{}` is not an IPv4 address", f.address),
                ));
                continue;
            };
            if !net.cidr.contains(address) {
                diags.push(doc.error(
                    &format!("{fpath}.address"),
                    format!("{address} is outside network `{}` ({})", net.name, net.cidr),
                ));
                continue;
            }
            if net.cidr.prefix() < 31
                && (address == net.cidr.network() || address == net.cidr.broadcast())
            {
                diags.push(doc.error(
                    &format!("{fpath}.address"),
                    format!(
                        "{address} is the network or broadcast address of {}",
                        net.cidr
                    ),
                ));
            }
            if let Some(owner) = addresses.insert(address, format!("{}/{}", n.name, f.name)) {
                diags.push(doc.error(
                    &format!("{fpath}.address"),
                    format!("{address} is already used by {owner}"),
                ));
            }
            let mtu = mtu(f.mtu, &format!("{fpath}.mtu"), doc, diags).unwrap_or(net.mtu);
            interfaces.push(Interface {
                name: f.name.clone(),
                network: net_id,
                address,
                prefix: net.cidr.prefix(),
                mtu,
            });
        }
        let default_route = match &n.default_route {
            None => 0,
            Some(name) => interfaces
                .iter()
                .position(|f| &f.name == name)
                .unwrap_or_else(|| {
                    diags.push(doc.error(
                        &format!("{path}.defaultRoute"),
                        format!("node `{}` has no interface `{name}`", n.name),
                    ));
                    0
                }),
        };
        out.push(Node {
            name: n.name.clone(),
            labels: node_labels(&n.name, &n.labels),
            interfaces,
            default_route,
            bgp: NodeBgpOverride::default(),
        });
    }
    out
}

/// Kubernetes puts these labels on every node; node selectors often use them.
fn node_labels(name: &str, labels: &LabelMap) -> LabelMap {
    let mut all: LabelMap = [
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
    ]
    .into_iter()
    .collect();
    all.extend(labels.iter());
    all
}

fn namespaces(all: &ByKind<'_>, diags: &mut Diagnostics) -> BTreeMap<String, Namespace> {
    check_unique_names(&all.namespaces, diags);
    let mut out: BTreeMap<String, Namespace> = ["default", "kube-system"]
        .into_iter()
        .map(|n| (n.to_string(), implicit_namespace(n)))
        .collect();
    for ns in &all.namespaces {
        let meta = &ns.resource.metadata;
        let mut labels = meta.labels.clone();
        labels.insert("kubernetes.io/metadata.name", meta.name.clone());
        out.insert(
            meta.name.clone(),
            Namespace {
                name: meta.name.clone(),
                labels,
                annotations: meta.annotations.clone(),
            },
        );
    }
    out
}

/// A namespace the input uses without defining (Kubernetes would have it created first).
fn implicit_namespace(name: &str) -> Namespace {
    Namespace {
        name: name.to_string(),
        labels: [("kubernetes.io/metadata.name", name)]
            .into_iter()
            .collect(),
        annotations: LabelMap::new(),
    }
}

fn pods(
    doc: &Located<'_, ClusterSpec>,
    spec: &ClusterSpec,
    all: &ByKind<'_>,
    nodes: &[Node],
    namespaces: &BTreeMap<String, Namespace>,
    diags: &mut Diagnostics,
) -> Vec<Pod> {
    let mut drafts: Vec<PodDraft<'_>> = spec
        .pods
        .iter()
        .enumerate()
        .map(|(i, p)| PodDraft::inline(doc, i, p))
        .collect();
    let mut documents: Vec<PodDraft<'_>> = all
        .pods
        .iter()
        .filter_map(|p| PodDraft::document(p, diags))
        .collect();
    documents.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    drafts.extend(documents);

    let node_ids: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out = Vec::new();
    for d in drafts {
        if !seen.insert((d.namespace.clone(), d.name.clone())) {
            diags.push(d.error("name", format!("duplicate pod {}/{}", d.namespace, d.name)));
            continue;
        }
        let Some(&node) = node_ids.get(d.node.as_str()) else {
            diags.push(
                d.error(d.node_field, format!("unknown node `{}`", d.node))
                    .hint(format!(
                        "nodes defined: {}",
                        names(nodes.iter().map(|n| n.name.as_str()))
                    )),
            );
            continue;
        };
        let ns_annotations = namespaces.get(&d.namespace).map(|n| &n.annotations);
        let ipam = ipam_request(&d, ns_annotations, diags);
        out.push(Pod {
            name: d.name.clone(),
            namespace: d.namespace.clone(),
            node,
            labels: d.labels.clone(),
            annotations: d.annotations.clone(),
            ports: d
                .ports
                .iter()
                .filter_map(|p| named_port(p, &d, diags))
                .collect(),
            service_account: d.service_account.clone(),
            ipam,
        });
    }
    out
}

/// Builds a diagnostic about one field of a pod, wherever the pod was written.
type DiagnosticAt<'a> = Box<dyn Fn(&str, String) -> crate::diag::Diagnostic + 'a>;

/// A pod from either form, before its references are checked.
struct PodDraft<'a> {
    diag: DiagnosticAt<'a>,
    name: String,
    namespace: String,
    node: String,
    node_field: &'static str,
    labels: LabelMap,
    annotations: LabelMap,
    ports: Vec<ContainerPort>,
    service_account: String,
}

impl<'a> PodDraft<'a> {
    fn inline(doc: &'a Located<'a, ClusterSpec>, i: usize, p: &InlinePodSpec) -> Self {
        Self {
            diag: Box::new(move |field, m| doc.error(&format!("spec.pods[{i}].{field}"), m)),
            name: p.name.clone(),
            namespace: p.namespace.clone().unwrap_or_else(|| "default".into()),
            node: p.node.clone(),
            node_field: "node",
            labels: p.labels.clone(),
            annotations: p.annotations.clone(),
            ports: p.ports.clone(),
            service_account: p
                .service_account
                .clone()
                .unwrap_or_else(|| "default".into()),
        }
    }

    fn document(p: &'a Located<'a, PodSpec>, diags: &mut Diagnostics) -> Option<Self> {
        let meta = &p.resource.metadata;
        let empty = PodSpec::default();
        let spec = p.resource.spec.as_ref().unwrap_or(&empty);
        if meta.name.is_empty() {
            diags.push(p.error("metadata.name", "metadata.name is required"));
            return None;
        }
        if spec.host_network == Some(true) {
            diags.push(p.warning("spec.hostNetwork", "host-network pods use the node's own addresses; calisim leaves them out of pod networking"));
            return None;
        }
        let Some(node) = spec.node_name.clone() else {
            diags.push(p.error(
                "spec.nodeName",
                "a pod must name its node (spec.nodeName): calisim does not schedule",
            ));
            return None;
        };
        Some(Self {
            diag: Box::new(move |field, m| {
                let field = match field {
                    "name" => "metadata.name".to_string(),
                    "node" => "spec.nodeName".to_string(),
                    "ports" => "spec.containers".to_string(),
                    other => format!("metadata.{other}"),
                };
                p.error(&field, m)
            }),
            name: meta.name.clone(),
            namespace: meta.namespace.clone().unwrap_or_else(|| "default".into()),
            node,
            node_field: "node",
            labels: meta.labels.clone(),
            annotations: meta.annotations.clone(),
            ports: spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().cloned())
                .collect(),
            service_account: spec
                .service_account_name
                .clone()
                .unwrap_or_else(|| "default".into()),
        })
    }

    fn error(&self, field: &str, message: String) -> crate::diag::Diagnostic {
        (self.diag)(field, message)
    }
}

fn named_port(p: &ContainerPort, d: &PodDraft<'_>, diags: &mut Diagnostics) -> Option<NamedPort> {
    let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".into());
    if !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP") {
        diags.push(d.error(
            "ports",
            format!("protocol `{protocol}` is not TCP, UDP or SCTP"),
        ));
        return None;
    }
    match u16::try_from(p.container_port) {
        Ok(port) if port > 0 => Some(NamedPort {
            name: p.name.clone(),
            port,
            protocol,
        }),
        _ => {
            diags.push(d.error(
                "ports",
                format!("containerPort {} is outside 1..65535", p.container_port),
            ));
            None
        }
    }
}

/// Reads the Calico CNI annotations the way the CNI plugin does (pod first, then namespace).
fn ipam_request(
    d: &PodDraft<'_>,
    ns_annotations: Option<&LabelMap>,
    diags: &mut Diagnostics,
) -> IpamRequest {
    let field = |key: &str| format!("annotations.\"{key}\"");
    let json_list = |key: &str, value: &str, diags: &mut Diagnostics| -> Option<Vec<String>> {
        match serde_json::from_str::<Vec<String>>(value) {
            Ok(list) => Some(list),
            Err(e) => {
                diags.push(d.error(
                    &field(key),
                    format!(
                        "must be a JSON list of strings such as [\"default-ipv4-ippool\"]: {e}"
                    ),
                ));
                None
            }
        }
    };
    if d.annotations.contains_key(IP_ADDRS_NO_IPAM_ANNOTATION) {
        let message = if d.annotations.contains_key(IP_ADDRS_ANNOTATION) {
            "can't have both annotations: 'ipAddrs' and 'ipAddrsNoIpam' in use at the same time"
        } else {
            "requested feature is not enabled: ip_addrs_no_ipam"
        };
        diags.push(d.error(&field(IP_ADDRS_NO_IPAM_ANNOTATION), message.to_string()));
    }
    let ipv4_pools = d
        .annotations
        .get(POOLS_ANNOTATION)
        .or_else(|| ns_annotations.and_then(|a| a.get(POOLS_ANNOTATION)))
        .and_then(|v| json_list(POOLS_ANNOTATION, v, diags));
    let fixed_ipv4 = d.annotations.get(IP_ADDRS_ANNOTATION).and_then(|v| {
        let list = json_list(IP_ADDRS_ANNOTATION, v, diags)?;
        if list.is_empty() {
            diags.push(d.error(&field(IP_ADDRS_ANNOTATION), format!("annotation \"{IP_ADDRS_ANNOTATION}\" specified but empty")));
            return None;
        }
        let mut v4 = Vec::new();
        for s in &list {
            match s.parse::<IpAddr>() {
                Ok(IpAddr::V4(ip)) => v4.push(ip),
                Ok(IpAddr::V6(_)) => diags.push(d.error(&field(IP_ADDRS_ANNOTATION), format!("{s}: calisim models IPv4 pod networking only"))),
                Err(_) => diags.push(d.error(&field(IP_ADDRS_ANNOTATION), format!("`{s}` is not an IP address"))),
            }
        }
        if v4.len() > 1 {
            diags.push(d.error(&field(IP_ADDRS_ANNOTATION), format!("cannot have more than one IPv4 address for \"{IP_ADDRS_ANNOTATION}\" annotation")));
            return None;
        }
        v4.pop()
    });
    IpamRequest {
        ipv4_pools,
        fixed_ipv4,
    }
}
