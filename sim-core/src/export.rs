//! Export a design to a real cluster: the Kubernetes and Calico resources that reproduce
//! it, plus the install settings (the calico-node environment for a manifest install, or
//! the operator's Installation), with every image optionally moved to a private registry.
//!
//! Pure: returns YAML text. The topology itself (machines, networks) is not exported:
//! it is the cluster you apply this to.

use serde_json::{json, Map, Value};

use crate::model::{Backend, CalicoVersion, Cluster, EncapMode, IpPool};

/// Which installation method the exported install settings are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportMode {
    Manifest,
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    pub mode: ExportMode,
    /// `HOST:PORT` of a private registry every image is rewritten to (air-gapped installs).
    pub registry: Option<String>,
    /// Overrides the scenario's Calico version in the image tags.
    pub calico_version: Option<CalicoVersion>,
    /// Also emit calisim's own Cluster document (the machines and networks, with the pods
    /// inline in their creation order), so that the export is a complete scenario again.
    pub topology: bool,
}

/// The small image exported pods run: it answers HTTP/TCP/UDP probes on its ports.
pub const PROBE_IMAGE: &str = "registry.k8s.io/e2e-test-images/agnhost:2.47";

fn image(opts: &ExportOptions, default_registry: &str, path: &str) -> String {
    let registry = opts.registry.as_deref().unwrap_or(default_registry);
    format!("{registry}/{path}")
}

fn resource(api: &str, kind: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec})
}

fn pool_spec(p: &IpPool) -> Value {
    let mut spec = json!({
        "cidr": p.cidr.to_string(),
        "blockSize": p.block_size,
        "ipipMode": p.ipip_mode.to_string(),
        "vxlanMode": p.vxlan_mode.to_string(),
        "natOutgoing": p.nat_outgoing,
        "nodeSelector": p.node_selector.canonical(),
    });
    if p.disabled {
        spec["disabled"] = json!(true);
    }
    if p.disable_bgp_export {
        spec["disableBGPExport"] = json!(true);
    }
    if !(p.allows_workloads && p.allows_tunnels) {
        let uses: Vec<&str> = [
            (p.allows_workloads, "Workload"),
            (p.allows_tunnels, "Tunnel"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, u)| *u)
        .collect();
        spec["allowedUses"] = json!(uses);
    }
    spec
}

/// The operator's `encapsulation` for a pool's modes.
fn encapsulation(p: &IpPool) -> &'static str {
    match (p.ipip_mode, p.vxlan_mode) {
        (EncapMode::Always, _) => "IPIP",
        (EncapMode::CrossSubnet, _) => "IPIPCrossSubnet",
        (_, EncapMode::Always) => "VXLAN",
        (_, EncapMode::CrossSubnet) => "VXLANCrossSubnet",
        _ => "None",
    }
}

fn calico_resources(c: &Cluster, mode: ExportMode) -> Vec<Value> {
    let mut docs = Vec::new();
    if mode == ExportMode::Manifest {
        // An explicit pool stops calico-node creating its own default one.
        docs.extend(
            c.pools
                .iter()
                .map(|p| resource("projectcalico.org/v3", "IPPool", &p.name, pool_spec(p))),
        );
    }
    for r in &c.reservations {
        let cidrs: Vec<String> = r.cidrs.iter().map(|n| n.to_string()).collect();
        docs.push(resource(
            "projectcalico.org/v3",
            "IPReservation",
            &r.name,
            json!({"reservedCIDRs": cidrs}),
        ));
    }
    let ipam = &c.ipam_config;
    if *ipam != crate::model::IpamConfig::default() {
        let mut spec = json!({"strictAffinity": ipam.strict_affinity, "autoAllocateBlocks": ipam.auto_allocate_blocks});
        if ipam.max_blocks_per_host > 0 {
            spec["maxBlocksPerHost"] = json!(ipam.max_blocks_per_host);
        }
        docs.push(resource(
            "projectcalico.org/v3",
            "IPAMConfiguration",
            "default",
            spec,
        ));
    }
    for w in &c.bgp_config_resources {
        let mut spec = Map::new();
        if let Some(a) = w.as_number {
            spec.insert("asNumber".into(), json!(a));
        }
        if let Some(m) = w.node_to_node_mesh_enabled {
            spec.insert("nodeToNodeMeshEnabled".into(), json!(m));
        }
        if let Some(l) = &w.log_severity_screen {
            spec.insert("logSeverityScreen".into(), json!(l));
        }
        docs.push(resource(
            "projectcalico.org/v3",
            "BGPConfiguration",
            &w.name,
            Value::Object(spec),
        ));
    }
    for p in &c.bgp_peers {
        let mut spec = Map::new();
        let w = &p.written;
        for (key, value) in [
            ("node", &w.node),
            ("nodeSelector", &w.node_selector),
            ("peerIP", &w.peer_ip),
        ] {
            if !value.is_empty() {
                spec.insert(key.into(), json!(value));
            }
        }
        if let Some(a) = p.as_number {
            spec.insert("asNumber".into(), json!(a));
        }
        if let Some(sel) = &p.peer_selector {
            spec.insert("peerSelector".into(), json!(sel.canonical()));
        }
        if p.keep_original_next_hop {
            spec.insert("keepOriginalNextHop".into(), json!(true));
        }
        docs.push(resource(
            "projectcalico.org/v3",
            "BGPPeer",
            &p.name,
            Value::Object(spec),
        ));
    }
    for n in c
        .nodes
        .iter()
        .filter(|n| n.bgp != crate::model::NodeBgpOverride::default())
    {
        let mut bgp = Map::new();
        if let Some(a) = n.bgp.ipv4_address {
            bgp.insert("ipv4Address".into(), json!(a.to_string()));
        }
        if let Some(a) = n.bgp.as_number {
            bgp.insert("asNumber".into(), json!(a));
        }
        if let Some(id) = n.bgp.route_reflector_cluster_id {
            bgp.insert("routeReflectorClusterID".into(), json!(id.to_string()));
        }
        docs.push(resource(
            "projectcalico.org/v3",
            "Node",
            &n.name,
            json!({"bgp": bgp}),
        ));
    }
    for p in &c.policies {
        let doc = match (&p.kubernetes, p.scope) {
            (Some(k8s), _) => {
                let mut v = serde_json::to_value(k8s).expect("policies serialise");
                v["apiVersion"] = json!("networking.k8s.io/v1");
                v["kind"] = json!("NetworkPolicy");
                v
            }
            (None, crate::model::PolicyScope::Global) => resource(
                "projectcalico.org/v3",
                "GlobalNetworkPolicy",
                &p.name,
                serde_json::to_value(&p.spec).expect("policies serialise"),
            ),
            (None, _) => {
                let mut v = resource(
                    "projectcalico.org/v3",
                    "NetworkPolicy",
                    &p.name,
                    serde_json::to_value(&p.spec).expect("policies serialise"),
                );
                v["metadata"]["namespace"] = json!(p.namespace);
                v
            }
        };
        docs.push(doc);
    }
    let felix = c.felix.global;
    if felix != crate::mtu::MtuOverrides::default() && mode == ExportMode::Manifest {
        let mut spec = Map::new();
        for (key, v) in [
            ("ipipMTU", felix.ipip),
            ("vxlanMTU", felix.vxlan),
            ("wireguardMTU", felix.wireguard),
        ] {
            if let Some(m) = v {
                spec.insert(key.into(), json!(m));
            }
        }
        docs.push(resource(
            "projectcalico.org/v3",
            "FelixConfiguration",
            "default",
            Value::Object(spec),
        ));
    }
    docs
}

/// Labels Kubernetes puts on every node itself; the topology document leaves them out.
const KUBELET_LABELS: [&str; 3] = [
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "kubernetes.io/arch",
];

/// calisim's Cluster document for this cluster's machines, networks and pods.
fn topology(c: &Cluster) -> Value {
    let networks: Vec<Value> = c
        .networks
        .iter()
        .map(|n| {
            let mut v = json!({"name": n.name, "cidr": n.cidr.to_string(), "mtu": n.mtu});
            if let Some(g) = n.gateway {
                v["gateway"] = json!(g.to_string());
            }
            v
        })
        .collect();
    let routers: Vec<Value> = c
        .routers
        .iter()
        .map(|r| {
            let nets: Vec<&str> = r
                .networks
                .iter()
                .map(|n| c.networks[*n].name.as_str())
                .collect();
            let mut v = json!({"name": r.name, "networks": nets});
            if let Some(a) = r.as_number {
                v["asNumber"] = json!(a);
            }
            v
        })
        .collect();
    let externals: Vec<Value> = c
        .externals
        .iter()
        .map(|e| {
            let mut v = json!({"name": e.name, "address": e.address.to_string()});
            if let Some(n) = e.network {
                v["network"] = json!(c.networks[n].name);
            }
            v
        })
        .collect();
    let nodes: Vec<Value> = c
        .nodes
        .iter()
        .map(|n| {
            let labels: Map<String, Value> =
                n.labels.iter().filter(|(k, _)| !KUBELET_LABELS.contains(k)).map(|(k, v)| (k.to_string(), json!(v))).collect();
            let interfaces: Vec<Value> = n
                .interfaces
                .iter()
                .map(|f| json!({"name": f.name, "network": c.networks[f.network].name, "address": f.address.to_string(), "mtu": f.mtu}))
                .collect();
            json!({"name": n.name, "labels": labels, "interfaces": interfaces, "defaultRoute": n.interfaces[n.default_route].name})
        })
        .collect();
    let pods: Vec<Value> = c
        .pods
        .iter()
        .map(|p| {
            let ports: Vec<Value> = p
                .ports
                .iter()
                .map(|port| json!({"name": port.name, "containerPort": port.port, "protocol": port.protocol}))
                .collect();
            json!({"name": p.name, "namespace": p.namespace, "node": c.nodes[p.node].name, "labels": p.labels,
                   "annotations": p.annotations, "ports": ports, "serviceAccount": p.service_account})
        })
        .collect();
    let cloud = match c.cloud {
        crate::model::Cloud::None => "none",
        crate::model::Cloud::Aws => "aws",
        crate::model::Cloud::Azure => "azure",
        crate::model::Cloud::Gcp => "gcp",
    };
    let mut spec = json!({"cloud": cloud, "srcDstCheck": c.src_dst_check, "networks": networks, "routers": routers,
                          "externals": externals, "nodes": nodes, "pods": pods});
    if let Some(k) = &c.kubeadm {
        let join = |v: &[ipnetwork::IpNetwork]| {
            v.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut kubeadm = Map::new();
        if !k.pod_subnets.is_empty() {
            kubeadm.insert("podSubnet".into(), json!(join(&k.pod_subnets)));
        }
        if !k.service_subnets.is_empty() {
            kubeadm.insert("serviceSubnet".into(), json!(join(&k.service_subnets)));
        }
        spec["kubeadm"] = Value::Object(kubeadm);
    }
    spec["calico"] = json!({"version": c.calico_version.to_string()});
    json!({"apiVersion": "calisim.dev/v1alpha1", "kind": "Cluster", "metadata": {"name": c.name}, "spec": spec})
}

fn workloads(c: &Cluster, opts: &ExportOptions) -> Vec<Value> {
    let mut docs = Vec::new();
    for ns in c
        .namespaces
        .values()
        .filter(|n| n.name != "default" && n.name != "kube-system")
    {
        let labels: Map<String, Value> = ns
            .labels
            .iter()
            .filter(|(k, _)| *k != "kubernetes.io/metadata.name")
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let mut meta = json!({"name": ns.name});
        if !labels.is_empty() {
            meta["labels"] = Value::Object(labels);
        }
        if !ns.annotations.is_empty() {
            meta["annotations"] = json!(ns.annotations);
        }
        docs.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta}));
    }
    let probe = match &opts.registry {
        Some(r) => format!("{r}/e2e-test-images/agnhost:2.47"),
        None => PROBE_IMAGE.to_string(),
    };
    for p in &c.pods {
        let mut meta = json!({"name": p.name, "namespace": p.namespace});
        if !p.labels.is_empty() {
            meta["labels"] = json!(p.labels);
        }
        if !p.annotations.is_empty() {
            meta["annotations"] = json!(p.annotations);
        }
        let ports: Vec<Value> = p
            .ports
            .iter()
            .map(|port| {
                let mut v = json!({"containerPort": port.port, "protocol": port.protocol});
                if let Some(name) = &port.name {
                    v["name"] = json!(name);
                }
                v
            })
            .collect();
        let mut container = json!({"name": "probe", "image": probe, "args": ["netexec", "--http-port=8080", "--udp-port=8081"]});
        if !ports.is_empty() {
            container["ports"] = json!(ports);
        }
        let mut spec = json!({"nodeName": c.nodes[p.node].name, "containers": [container]});
        if p.service_account != "default" {
            spec["serviceAccountName"] = json!(p.service_account);
        }
        docs.push(json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}));
    }
    docs
}

fn backend(b: Backend) -> &'static str {
    match b {
        Backend::Bird => "bird",
        Backend::Vxlan => "vxlan",
        Backend::None => "none",
    }
}

/// A strategic-merge patch for calico.yaml's calico-node DaemonSet and the controllers.
fn manifest_patch(c: &Cluster, opts: &ExportOptions, version: &str) -> Vec<Value> {
    let env = vec![
        json!({"name": "CALICO_NETWORKING_BACKEND", "value": backend(c.backend)}),
        json!({"name": "IP_AUTODETECTION_METHOD", "value": c.ip_autodetection.to_string()}),
    ];
    let cni = image(opts, "docker.io", &format!("calico/cni:{version}"));
    let node = image(opts, "docker.io", &format!("calico/node:{version}"));
    let ds = json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "calico-node", "namespace": "kube-system"},
        "spec": {"template": {"spec": {
            "initContainers": [{"name": "upgrade-ipam", "image": cni}, {"name": "install-cni", "image": cni}],
            "containers": [{"name": "calico-node", "image": node, "env": env}],
        }}}
    });
    let controllers = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "calico-kube-controllers", "namespace": "kube-system"},
        "spec": {"template": {"spec": {"containers": [
            {"name": "calico-kube-controllers", "image": image(opts, "docker.io", &format!("calico/kube-controllers:{version}"))}
        ]}}}
    });
    let mut docs = vec![ds, controllers];
    if let Some(mtu) = c.cni_mtu {
        docs.push(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "calico-config", "namespace": "kube-system"},
            "data": {"veth_mtu": mtu.to_string()}
        }));
    }
    docs
}

fn installation(c: &Cluster, opts: &ExportOptions) -> Value {
    let pools: Vec<Value> = c
        .pools
        .iter()
        .map(|p| {
            json!({
                "name": p.name, "cidr": p.cidr.to_string(), "blockSize": p.block_size,
                "encapsulation": encapsulation(p),
                "natOutgoing": if p.nat_outgoing { "Enabled" } else { "Disabled" },
                "nodeSelector": p.node_selector.canonical(),
            })
        })
        .collect();
    let method = c.ip_autodetection.to_string();
    let autodetect = match method.split_once('=') {
        None if method == "kubernetes-internal-ip" => json!({"kubernetes": "NodeInternalIP"}),
        None => json!({"firstFound": true}),
        Some(("interface", r)) => json!({"interface": r}),
        Some(("skip-interface", r)) => json!({"skipInterface": r}),
        Some(("can-reach", ip)) => json!({"canReach": ip}),
        Some(("cidr", cidrs)) => json!({"cidrs": cidrs.split(',').collect::<Vec<_>>()}),
        Some(_) => json!({"firstFound": true}),
    };
    let mut network = json!({
        "bgp": if c.backend == Backend::Bird { "Enabled" } else { "Disabled" },
        "ipPools": pools,
        "nodeAddressAutodetectionV4": autodetect,
    });
    if let Some(m) = c.cni_mtu {
        network["mtu"] = json!(m);
    }
    let mut spec = json!({"calicoNetwork": network});
    if let Some(r) = &opts.registry {
        spec["registry"] = json!(format!("{r}/"));
    }
    resource("operator.tigera.io/v1", "Installation", "default", spec)
}

/// The whole export as one multi-document YAML text.
pub fn export(c: &Cluster, opts: &ExportOptions) -> String {
    let version = opts.calico_version.unwrap_or(c.calico_version);
    let version = format!("v{}.{}.{}", version.major, version.minor, version.patch);
    let mut docs = Vec::new();
    match opts.mode {
        ExportMode::Manifest => docs.extend(manifest_patch(c, opts, &version)),
        ExportMode::Operator => docs.push(installation(c, opts)),
    }
    docs.extend(calico_resources(c, opts.mode));
    if opts.topology {
        docs.insert(0, topology(c));
        docs.extend(
            workloads(c, opts)
                .into_iter()
                .filter(|d| d["kind"] == "Namespace"),
        );
    } else {
        docs.extend(workloads(c, opts));
    }
    let how = match opts.mode {
        ExportMode::Manifest => {
            "manifest install: apply calico.yaml, then this patch and these resources"
        }
        ExportMode::Operator => {
            "operator install: apply tigera-operator.yaml, then these resources"
        }
    };
    let header = format!(
        "# Exported by calisim from cluster {} (Calico {version}).\n# {how}.\n",
        c.name
    );
    let body: Vec<String> = docs
        .iter()
        .map(|d| serde_saphyr::to_string(d).expect("JSON values serialise as YAML"))
        .collect();
    header + &body.join("---\n")
}
