//! The device graph: every namespace-like place of the cluster (pods, nodes, L2 networks,
//! routers, external hosts) and every interface in it, joined by the links a packet can
//! cross. Built from the computed state only, never from the scenario directly.
//!
//! The walker's hops name places and devices of this graph, the browser draws it, and
//! lab-netns builds the same places as namespaces. Tunnels are logical links between the
//! tunnel devices of two nodes; the packets they carry still cross the underlay.

use std::collections::HashMap;

use ipnetwork::Ipv4Network;
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::dataplane::LinkKind;
use crate::state::ClusterState;
use crate::underlay::Host;

/// What kind of place a hop happens at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceKind {
    Pod,
    Node,
    Network,
    Router,
    External,
}

/// A place: its kind and its name (`namespace/pod`, a node, network, router or external name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub kind: PlaceKind,
    pub name: String,
}

/// What an interface is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceKind {
    /// `lo`: where a packet to one's own address ends.
    Loopback,
    /// A pod's `eth0`.
    PodEth0,
    /// The host end of a pod's veth, `caliXXXXXXXXXXX`.
    HostVeth,
    Nic,
    /// `tunl0`.
    Ipip,
    /// `vxlan.calico`.
    Vxlan,
    /// A router's leg on one network (named after the network).
    RouterPort,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum VertexKind {
    Place,
    Device {
        device: DeviceKind,
        mtu: Option<u32>,
        mac: Option<String>,
    },
}

/// One vertex: a place, or a device inside a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vertex {
    pub place: Place,
    /// The device's name; None for the place itself.
    pub device: Option<String>,
    pub kind: VertexKind,
    pub addresses: Vec<Ipv4Network>,
}

/// What an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeKind {
    /// A device belongs to a place.
    Contains,
    /// The two ends of a veth pair (pod `eth0` and host `caliX`).
    Veth,
    /// A NIC or a router port plugged into an L2 network; an external host beyond a
    /// network's gateway hangs off that router.
    Attached,
    /// IPIP between two nodes' `tunl0`, carried over the underlay.
    IpipTunnel,
    /// VXLAN between two nodes' `vxlan.calico`, carried over the underlay.
    VxlanTunnel,
}

/// The cluster as a graph of places and devices.
#[derive(Debug, Clone)]
pub struct DeviceGraph {
    pub graph: UnGraph<Vertex, EdgeKind>,
    index: HashMap<(Place, Option<String>), NodeIndex>,
}

/// The graph as plain data for the browser and for tools.
#[derive(Debug, Clone, Serialize)]
pub struct GraphData<'g> {
    pub vertices: Vec<&'g Vertex>,
    /// `(a, b, kind)`, indices into `vertices`.
    pub edges: Vec<(usize, usize, EdgeKind)>,
}

impl DeviceGraph {
    pub fn build(state: &ClusterState) -> Self {
        Builder::new(state).build()
    }

    /// The vertex of a place (`device` None) or of a device in it.
    pub fn vertex(&self, place: &Place, device: Option<&str>) -> Option<NodeIndex> {
        self.index
            .get(&(place.clone(), device.map(str::to_owned)))
            .copied()
    }

    /// The place a vertex belongs to (itself when it is a place).
    pub fn place_of(&self, v: NodeIndex) -> &Place {
        &self.graph[v].place
    }

    /// True when some edge joins a vertex of place `a` to a vertex of place `b`.
    pub fn places_adjacent(&self, a: &Place, b: &Place) -> bool {
        self.graph.edge_indices().any(|e| {
            let (x, y) = self.graph.edge_endpoints(e).expect("edge exists");
            let (px, py) = (self.place_of(x), self.place_of(y));
            (px == a && py == b) || (px == b && py == a)
        })
    }

    pub fn data(&self) -> GraphData<'_> {
        GraphData {
            vertices: self.graph.node_weights().collect(),
            edges: self
                .graph
                .edge_indices()
                .map(|e| {
                    let (a, b) = self.graph.edge_endpoints(e).expect("edge exists");
                    (a.index(), b.index(), self.graph[e])
                })
                .collect(),
        }
    }
}

struct Builder<'s> {
    state: &'s ClusterState,
    graph: UnGraph<Vertex, EdgeKind>,
    index: HashMap<(Place, Option<String>), NodeIndex>,
}

impl<'s> Builder<'s> {
    fn new(state: &'s ClusterState) -> Self {
        Self {
            state,
            graph: UnGraph::default(),
            index: HashMap::new(),
        }
    }

    fn place(&mut self, kind: PlaceKind, name: &str, addresses: Vec<Ipv4Network>) -> NodeIndex {
        let place = Place {
            kind,
            name: name.to_owned(),
        };
        let v = self.graph.add_node(Vertex {
            place: place.clone(),
            device: None,
            kind: VertexKind::Place,
            addresses,
        });
        self.index.insert((place, None), v);
        v
    }

    fn device(
        &mut self,
        owner: NodeIndex,
        name: &str,
        kind: VertexKind,
        addresses: Vec<Ipv4Network>,
    ) -> NodeIndex {
        let place = self.graph[owner].place.clone();
        let v = self.graph.add_node(Vertex {
            place: place.clone(),
            device: Some(name.to_owned()),
            kind,
            addresses,
        });
        self.graph.add_edge(owner, v, EdgeKind::Contains);
        self.index.insert((place, Some(name.to_owned())), v);
        v
    }

    fn build(mut self) -> DeviceGraph {
        let cluster = &self.state.cluster;
        let networks: Vec<NodeIndex> = cluster
            .networks
            .iter()
            .map(|n| {
                let name = n.name.clone();
                self.place(PlaceKind::Network, &name, vec![n.cidr])
            })
            .collect();
        self.routers(&networks);
        self.externals(&networks);
        for dp in &self.state.dataplane {
            let node = self.place(PlaceKind::Node, &dp.name, Vec::new());
            for link in &dp.links {
                let device = match link.kind {
                    LinkKind::Loopback => DeviceKind::Loopback,
                    LinkKind::Nic { .. } => DeviceKind::Nic,
                    LinkKind::Ipip => DeviceKind::Ipip,
                    LinkKind::Vxlan { .. } => DeviceKind::Vxlan,
                    LinkKind::HostVeth { .. } => DeviceKind::HostVeth,
                };
                let kind = VertexKind::Device {
                    device,
                    mtu: Some(link.mtu),
                    mac: link.mac.clone(),
                };
                let v = self.device(node, &link.name, kind, link.addresses.clone());
                if let LinkKind::Nic { network } = link.kind {
                    self.graph
                        .add_edge(v, networks[network], EdgeKind::Attached);
                }
            }
            for p in &dp.pods {
                let pod = &cluster.pods[p.pod];
                let addr = Ipv4Network::new(p.address, 32).expect("valid");
                let pv = self.place(PlaceKind::Pod, &pod.key(), vec![addr]);
                let kind = VertexKind::Device {
                    device: DeviceKind::PodEth0,
                    mtu: Some(p.mtu),
                    mac: None,
                };
                let lo = VertexKind::Device {
                    device: DeviceKind::Loopback,
                    mtu: Some(65536),
                    mac: None,
                };
                let localhost = Ipv4Network::new(core::net::Ipv4Addr::LOCALHOST, 8).expect("valid");
                self.device(pv, "lo", lo, vec![localhost]);
                let eth0 = self.device(pv, "eth0", kind, vec![addr]);
                let host = self.index[&(
                    Place {
                        kind: PlaceKind::Node,
                        name: dp.name.clone(),
                    },
                    Some(p.host_veth.clone()),
                )];
                self.graph.add_edge(eth0, host, EdgeKind::Veth);
            }
        }
        self.tunnels();
        DeviceGraph {
            graph: self.graph,
            index: self.index,
        }
    }

    fn routers(&mut self, networks: &[NodeIndex]) {
        let cluster = &self.state.cluster;
        for (r, router) in cluster.routers.iter().enumerate() {
            let rv = self.place(PlaceKind::Router, &router.name, Vec::new());
            for &n in &router.networks {
                let net = &cluster.networks[n];
                let address = net
                    .gateway
                    .filter(|gw| self.state.underlay.host_on(n, *gw) == Some(Host::Router(r)))
                    .map(|gw| Ipv4Network::new(gw, net.cidr.prefix()).expect("valid"));
                let kind = VertexKind::Device {
                    device: DeviceKind::RouterPort,
                    mtu: Some(net.mtu),
                    mac: None,
                };
                let port = self.device(rv, &net.name, kind, address.into_iter().collect());
                self.graph.add_edge(port, networks[n], EdgeKind::Attached);
            }
        }
    }

    fn externals(&mut self, networks: &[NodeIndex]) {
        let cluster = &self.state.cluster;
        for ext in &cluster.externals {
            let addr = Ipv4Network::new(ext.address, 32).expect("valid");
            let ev = self.place(PlaceKind::External, &ext.name, vec![addr]);
            let Some(n) = ext.network else { continue };
            let net = &cluster.networks[n];
            let on_segment = net.cidr.contains(ext.address);
            let prefix = if on_segment { net.cidr.prefix() } else { 32 };
            let kind = VertexKind::Device {
                device: DeviceKind::Nic,
                mtu: Some(net.mtu),
                mac: None,
            };
            let eth0 = self.device(
                ev,
                "eth0",
                kind,
                vec![Ipv4Network::new(ext.address, prefix).expect("valid")],
            );
            if on_segment {
                self.graph.add_edge(eth0, networks[n], EdgeKind::Attached);
            } else if let Some(Host::Router(r)) = net
                .gateway
                .and_then(|gw| self.state.underlay.host_on(n, gw))
            {
                let router = Place {
                    kind: PlaceKind::Router,
                    name: cluster.routers[r].name.clone(),
                };
                let rv = self.index[&(router, None)];
                self.graph.add_edge(eth0, rv, EdgeKind::Attached);
            }
        }
    }

    /// One logical link per pair of nodes that route to each other through a tunnel device.
    fn tunnels(&mut self) {
        let state = self.state;
        let mut owner_of_ip = HashMap::new();
        let mut owner_of_vtep = HashMap::new();
        for dp in &state.dataplane {
            if let Some(a) = dp.address {
                owner_of_ip.insert(a.ip(), dp.name.clone());
            }
            for l in &dp.links {
                if matches!(l.kind, LinkKind::Vxlan { .. }) {
                    for a in &l.addresses {
                        owner_of_vtep.insert(a.ip(), dp.name.clone());
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for dp in &state.dataplane {
            for r in &dp.routes {
                let (Some(via), Some(oif)) = (r.via, r.oif) else {
                    continue;
                };
                let Some(dev) = dp.links.iter().find(|l| l.ifindex == oif) else {
                    continue;
                };
                let (peer, edge) = match dev.kind {
                    LinkKind::Ipip => (owner_of_ip.get(&via), EdgeKind::IpipTunnel),
                    LinkKind::Vxlan { .. } => (owner_of_vtep.get(&via), EdgeKind::VxlanTunnel),
                    _ => continue,
                };
                let Some(peer) = peer else { continue };
                let key = if dp.name < *peer {
                    (dp.name.clone(), peer.clone(), dev.name.clone())
                } else {
                    (peer.clone(), dp.name.clone(), dev.name.clone())
                };
                if !seen.insert(key) {
                    continue;
                }
                let node = |name: &str| Place {
                    kind: PlaceKind::Node,
                    name: name.to_owned(),
                };
                let a = self.index.get(&(node(&dp.name), Some(dev.name.clone())));
                let b = self.index.get(&(node(peer), Some(dev.name.clone())));
                if let (Some(&a), Some(&b)) = (a, b) {
                    self.graph.add_edge(a, b, edge);
                }
            }
        }
    }
}
