//! Synthetic scenarios of any size, for benchmarks and quick experiments.
//!
//! Pure text generation (no randomness): the same options give the same YAML.

use std::fmt::Write;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    pub nodes: usize,
    pub pods: usize,
    pub namespaces: usize,
    /// The IP pool's CIDR; `None` leaves the pool to Calico's default.
    pub pool_cidr: Option<String>,
    pub block_size: u8,
    /// Route reflectors among the nodes (mesh off, every node peers with them); 0 = full mesh.
    pub route_reflectors: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            nodes: 3,
            pods: 6,
            namespaces: 2,
            pool_cidr: None,
            block_size: 26,
            route_reflectors: 0,
        }
    }
}

/// The underlay: one flat /12 so that up to a million nodes fit one L2 segment.
const UNDERLAY: (u32, u8) = (0xAC10_0000, 12); // 172.16.0.0/12

fn node_address(i: usize) -> String {
    let ip = UNDERLAY.0 + 10 + i as u32;
    core::net::Ipv4Addr::from(ip).to_string()
}

/// A scenario with `nodes` nodes on one network and `pods` pods spread round-robin
/// over nodes and namespaces.
pub fn generate(opts: &GenOptions) -> String {
    let mut y = String::with_capacity(128 + opts.nodes * 96 + opts.pods * 80);
    let _ = writeln!(
        y,
        "# generated: calisim gen --nodes {} --pods {}",
        opts.nodes, opts.pods
    );
    y.push_str(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: generated\nspec:\n",
    );
    let net = core::net::Ipv4Addr::from(UNDERLAY.0);
    let gateway = core::net::Ipv4Addr::from(UNDERLAY.0 + 1);
    let _ = writeln!(
        y,
        "  networks:\n    - {{name: lan, cidr: {net}/{}, gateway: {gateway}}}",
        UNDERLAY.1
    );
    y.push_str("  nodes:\n");
    for i in 0..opts.nodes {
        let labels = if i < opts.route_reflectors {
            ", labels: {route-reflector: \"true\"}"
        } else {
            ""
        };
        let _ = writeln!(
            y,
            "    - {{name: node-{i}{labels}, interfaces: [{{name: eth0, network: lan, address: {}}}]}}",
            node_address(i)
        );
    }
    if opts.pods > 0 {
        y.push_str("  pods:\n");
    }
    let namespaces = opts.namespaces.max(1);
    for p in 0..opts.pods {
        let node = p % opts.nodes.max(1);
        let ns = p % namespaces;
        let _ = writeln!(
            y,
            "    - {{name: pod-{p}, namespace: ns-{ns}, node: node-{node}, labels: {{app: app-{}}}}}",
            p % 10
        );
    }
    if opts.route_reflectors > 0 {
        y.push_str("---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {nodeToNodeMeshEnabled: false}\n");
        y.push_str("---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: peer-with-route-reflectors}\nspec: {nodeSelector: all(), peerSelector: route-reflector == 'true'}\n");
        for i in 0..opts.route_reflectors.min(opts.nodes) {
            let _ = write!(
                y,
                "---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {{name: node-{i}}}\nspec: {{bgp: {{routeReflectorClusterID: 244.0.0.1}}}}\n"
            );
        }
    }
    if let Some(cidr) = &opts.pool_cidr {
        let _ = write!(
            y,
            "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: default-ipv4-ippool\nspec:\n  cidr: {cidr}\n  blockSize: {}\n  ipipMode: Always\n  natOutgoing: true\n",
            opts.block_size
        );
    }
    y
}
