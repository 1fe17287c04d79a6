//! Where everything goes on the page: a deterministic layout of the cluster diagram.
//!
//! Nodes are grouped by the network of their first NIC; each group is a grid of node boxes
//! with a bus (the L2 network) under every row, joined by a trunk on the left. Routers sit
//! in a row under all groups, external hosts under them. Shapes come from the computed
//! state; wires come from the device graph's edges, so the drawing shows what the walker
//! walks. Coordinates are SVG user units; the page scales the whole drawing to fit.

use std::collections::HashMap;

use serde::Serialize;
use sim_core::dataplane::LinkKind;
use sim_core::graph::{DeviceGraph, DeviceKind, EdgeKind, PlaceKind};
use sim_core::state::ClusterState;

const MARGIN: f64 = 30.0;
const NODE_W: f64 = 340.0;
const NODE_HEADER: f64 = 44.0;
const TUNNEL_ROW: f64 = 28.0;
const POD_H: f64 = 30.0;
const POD_GAP: f64 = 6.0;
const NIC_ROW: f64 = 34.0;
const PAD: f64 = 10.0;
const COL_GAP: f64 = 40.0;
/// Room under a row of nodes for its bus segment and the next row's labels.
const BUS_DROP: f64 = 34.0;
const ROW_GAP: f64 = 70.0;
const GROUP_GAP: f64 = 90.0;
const POD_W: f64 = 196.0;
const ETH0_W: f64 = 40.0;
const VETH_W: f64 = 112.0;
const CHIP_H: f64 = 20.0;
const NIC_W: f64 = 96.0;
const TUNNEL_W: f64 = 104.0;
const ROUTER_W: f64 = 130.0;
const ROUTER_H: f64 = 44.0;
const EXTERNAL_W: f64 = 150.0;
const EXTERNAL_H: f64 = 46.0;

/// The whole drawing.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<Shape>,
    pub buses: Vec<Bus>,
    pub wires: Vec<Wire>,
}

/// What a shape stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    Node,
    Pod,
    Router,
    External,
    Device,
}

/// A box: a place (node, pod, router, external host) or a device inside one.
#[derive(Debug, Clone, Serialize)]
pub struct Shape {
    /// `kind:name` for a place, `kind:name|device` for a device: see [`shape_id`].
    pub id: String,
    pub kind: ShapeKind,
    /// For devices: which kind of interface.
    pub device: Option<DeviceKind>,
    pub label: String,
    /// A short second line (an address).
    pub detail: String,
    /// What hovering or clicking shows: addresses, MTU, MAC, blocks.
    pub info: Vec<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// An L2 network drawn as horizontal segments (one under each row of its nodes) joined by
/// a vertical trunk.
#[derive(Debug, Clone, Serialize)]
pub struct Bus {
    /// `network:NAME`, as hops name it.
    pub id: String,
    pub label: String,
    pub info: Vec<String>,
    pub segments: Vec<Segment>,
    /// `(x, y1, y2)` when there is more than one segment.
    pub trunk: Option<(f64, f64, f64)>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Segment {
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
}

/// A cable: a veth pair, or an interface plugged into a network or hung off a router.
#[derive(Debug, Clone, Serialize)]
pub struct Wire {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub points: Vec<(f64, f64)>,
}

/// The id the diagram gives a place (`device` None) or a device: what a hop lights up.
pub fn shape_id(kind: PlaceKind, name: &str, device: Option<&str>) -> String {
    let kind = match kind {
        PlaceKind::Pod => "pod",
        PlaceKind::Node => "node",
        PlaceKind::Network => "network",
        PlaceKind::Router => "router",
        PlaceKind::External => "external",
    };
    match device {
        Some(d) => format!("{kind}:{name}|{d}"),
        None => format!("{kind}:{name}"),
    }
}

/// Lays out the cluster.
pub fn layout(state: &ClusterState, graph: &DeviceGraph) -> Diagram {
    let mut d = Drawing::default();
    let groups = groups(state);
    let mut x = MARGIN;
    for (network, nodes) in &groups {
        x = d.group(state, *network, nodes, x) + GROUP_GAP;
    }
    let bottom = d
        .buses
        .iter()
        .flat_map(|b| &b.segments)
        .fold(MARGIN, |m, s| m.max(s.y));
    let routers_y = bottom + 90.0;
    d.routers(state, routers_y);
    d.externals(state, graph, routers_y + ROUTER_H + 90.0);
    d.wires(graph);
    let (width, height) = d.extent();
    Diagram {
        width,
        height,
        shapes: d.shapes,
        buses: d.buses,
        wires: d.wires,
    }
}

/// Nodes by the network of their first NIC, in network order; networks without nodes get
/// an empty group (a bus of their own). Nodes with no NIC come last.
fn groups(state: &ClusterState) -> Vec<(Option<usize>, Vec<usize>)> {
    let c = &state.cluster;
    let mut groups: Vec<(Option<usize>, Vec<usize>)> = (0..c.networks.len())
        .map(|n| (Some(n), Vec::new()))
        .collect();
    let mut homeless = Vec::new();
    for (i, node) in c.nodes.iter().enumerate() {
        match node.interfaces.first() {
            Some(nic) => groups[nic.network].1.push(i),
            None => homeless.push(i),
        }
    }
    // Groups with nodes first, so transit networks sit to the right.
    groups.sort_by_key(|(_, nodes)| nodes.is_empty());
    if !homeless.is_empty() {
        groups.push((None, homeless));
    }
    groups
}

#[derive(Default)]
struct Drawing {
    shapes: Vec<Shape>,
    buses: Vec<Bus>,
    wires: Vec<Wire>,
    index: HashMap<String, usize>,
}

impl Drawing {
    fn push(&mut self, shape: Shape) {
        self.index.insert(shape.id.clone(), self.shapes.len());
        self.shapes.push(shape);
    }

    fn shape(&self, id: &str) -> Option<&Shape> {
        self.index.get(id).map(|&i| &self.shapes[i])
    }

    fn bus(&self, id: &str) -> Option<&Bus> {
        self.buses.iter().find(|b| b.id == id)
    }

    /// Lays out one group from `x`; returns its right edge.
    fn group(
        &mut self,
        state: &ClusterState,
        network: Option<usize>,
        nodes: &[usize],
        x: f64,
    ) -> f64 {
        let cols = columns(nodes.len());
        let width = if nodes.is_empty() {
            220.0
        } else {
            cols as f64 * NODE_W + (cols - 1) as f64 * COL_GAP
        };
        let mut y = MARGIN + 20.0;
        let mut segments = Vec::new();
        for row in nodes.chunks(cols.max(1)) {
            let mut row_h: f64 = 0.0;
            for (col, &n) in row.iter().enumerate() {
                let nx = x + col as f64 * (NODE_W + COL_GAP);
                row_h = row_h.max(self.node(state, n, nx, y));
            }
            let bus_y = y + row_h + BUS_DROP;
            segments.push(Segment {
                x1: x - 20.0,
                x2: x + width + 10.0,
                y: bus_y,
            });
            y = bus_y + ROW_GAP;
        }
        if segments.is_empty() {
            segments.push(Segment {
                x1: x,
                x2: x + width,
                y: MARGIN + 80.0,
            });
        }
        let trunk = (segments.len() > 1).then(|| {
            (
                x - 20.0,
                segments[0].y,
                segments.last().map_or(0.0, |s| s.y),
            )
        });
        if let Some(n) = network {
            let net = &state.cluster.networks[n];
            let mut info = vec![
                format!("{} {}", net.name, net.cidr),
                format!("mtu {}", net.mtu),
            ];
            if let Some(gw) = net.gateway {
                info.push(format!("gateway {gw}"));
            }
            self.buses.push(Bus {
                id: format!("network:{}", net.name),
                label: format!("{}  {}", net.name, net.cidr),
                info,
                segments,
                trunk,
            });
        }
        x + width
    }

    /// Draws node `n` at (x, y) with its devices and pods; returns its height.
    fn node(&mut self, state: &ClusterState, n: usize, x: f64, y: f64) -> f64 {
        let node = &state.cluster.nodes[n];
        let Some(dp) = state.dataplane.iter().find(|d| d.node == n) else {
            return 0.0;
        };
        let place = shape_id(PlaceKind::Node, &node.name, None);
        let tunnels: Vec<_> = dp
            .links
            .iter()
            .filter(|l| matches!(l.kind, LinkKind::Ipip | LinkKind::Vxlan { .. }))
            .collect();
        let nics: Vec<_> = dp
            .links
            .iter()
            .filter(|l| matches!(l.kind, LinkKind::Nic { .. }))
            .collect();
        let tunnel_row = if tunnels.is_empty() { 0.0 } else { TUNNEL_ROW };
        let pods_h = dp.pods.len() as f64 * (POD_H + POD_GAP);
        let h = NODE_HEADER + tunnel_row + pods_h + NIC_ROW + PAD;
        let blocks: Vec<String> = state.ipam.node_blocks.get(n).map_or(Vec::new(), |bs| {
            bs.iter()
                .map(|&b| format!("block {}", state.ipam.blocks[b].cidr))
                .collect()
        });
        let mut info = vec![format!("node {}", node.name)];
        if let Some(a) = dp.address {
            info.push(format!("Calico address {a}"));
        }
        info.extend(blocks);
        self.push(Shape {
            id: place.clone(),
            kind: ShapeKind::Node,
            device: None,
            label: node.name.clone(),
            detail: dp.address.map(|a| a.to_string()).unwrap_or_default(),
            info,
            x,
            y,
            w: NODE_W,
            h,
        });
        let mut cy = y + NODE_HEADER;
        for (i, l) in tunnels.iter().enumerate() {
            let kind = if matches!(l.kind, LinkKind::Ipip) {
                DeviceKind::Ipip
            } else {
                DeviceKind::Vxlan
            };
            self.device(
                &place,
                &l.name,
                kind,
                (
                    String::new(),
                    device_info(&l.name, &l.addresses, Some(l.mtu), l.mac.as_deref()),
                ),
                (x + PAD + i as f64 * (TUNNEL_W + 8.0), cy, TUNNEL_W, CHIP_H),
            );
        }
        cy += tunnel_row;
        for p in &dp.pods {
            let pod = &state.cluster.pods[p.pod];
            let pod_id = shape_id(PlaceKind::Pod, &pod.key(), None);
            self.push(Shape {
                id: pod_id.clone(),
                kind: ShapeKind::Pod,
                device: None,
                label: pod.key(),
                detail: p.address.to_string(),
                info: vec![
                    format!("pod {}", pod.key()),
                    format!("eth0 {}/32, mtu {}", p.address, p.mtu),
                    format!("host side {}", p.host_veth),
                ],
                x: x + PAD,
                y: cy,
                w: POD_W,
                h: POD_H,
            });
            let eth0 = format!("{}/32", p.address);
            self.device(
                &pod_id,
                "eth0",
                DeviceKind::PodEth0,
                (
                    String::new(),
                    device_info("eth0", &[eth0], Some(p.mtu), None),
                ),
                (x + PAD + POD_W - ETH0_W - 4.0, cy + 5.0, ETH0_W, CHIP_H),
            );
            let veth = dp.links.iter().find(|l| l.name == p.host_veth);
            self.device(
                &place,
                &p.host_veth,
                DeviceKind::HostVeth,
                (
                    String::new(),
                    device_info(
                        &p.host_veth,
                        &Vec::<String>::new(),
                        veth.map(|l| l.mtu),
                        veth.and_then(|l| l.mac.as_deref()),
                    ),
                ),
                (x + PAD + POD_W + 14.0, cy + 5.0, VETH_W, CHIP_H),
            );
            cy += POD_H + POD_GAP;
        }
        for (i, l) in nics.iter().enumerate() {
            self.device(
                &place,
                &l.name,
                DeviceKind::Nic,
                (
                    // The address beside the chip: the NIC a student looks for first.
                    l.addresses
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    device_info(&l.name, &l.addresses, Some(l.mtu), l.mac.as_deref()),
                ),
                (
                    x + PAD + i as f64 * (NIC_W + 130.0),
                    y + h - NIC_ROW,
                    NIC_W,
                    CHIP_H + 4.0,
                ),
            );
        }
        h
    }

    fn device(
        &mut self,
        place: &str,
        name: &str,
        kind: DeviceKind,
        (detail, info): (String, Vec<String>),
        (x, y, w, h): (f64, f64, f64, f64),
    ) {
        self.push(Shape {
            id: format!("{place}|{name}"),
            kind: ShapeKind::Device,
            device: Some(kind),
            label: name.to_owned(),
            detail,
            info,
            x,
            y,
            w,
            h,
        });
    }

    fn routers(&mut self, state: &ClusterState, y: f64) {
        let c = &state.cluster;
        let mut placed: Vec<(f64, usize)> = c
            .routers
            .iter()
            .enumerate()
            .map(|(r, router)| {
                let xs: Vec<f64> = router
                    .networks
                    .iter()
                    .filter_map(|&n| self.bus(&format!("network:{}", c.networks[n].name)))
                    .filter_map(|b| b.segments.last().map(|s| (s.x1 + s.x2) / 2.0))
                    .collect();
                let x = if xs.is_empty() {
                    MARGIN
                } else {
                    xs.iter().sum::<f64>() / xs.len() as f64 - ROUTER_W / 2.0
                };
                (x, r)
            })
            .collect();
        placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut next_free = MARGIN;
        for (x, r) in placed {
            let x = x.max(next_free);
            next_free = x + ROUTER_W + 50.0;
            let router = &c.routers[r];
            let id = shape_id(PlaceKind::Router, &router.name, None);
            let mut info = vec![format!("router {}", router.name)];
            if let Some(asn) = router.as_number {
                info.push(format!("AS {asn}"));
            }
            self.push(Shape {
                id: id.clone(),
                kind: ShapeKind::Router,
                device: None,
                label: router.name.clone(),
                detail: router
                    .as_number
                    .map(|a| format!("AS {a}"))
                    .unwrap_or_default(),
                info,
                x,
                y,
                w: ROUTER_W,
                h: ROUTER_H,
            });
            let ports = router.networks.len().max(1) as f64;
            for (i, &n) in router.networks.iter().enumerate() {
                let net = &c.networks[n];
                let px = x + (i as f64 + 0.5) * ROUTER_W / ports - 7.0;
                let gateway = net.gateway.map(|g| format!("{g}")).unwrap_or_default();
                self.device(
                    &id,
                    &net.name,
                    DeviceKind::RouterPort,
                    (
                        String::new(),
                        vec![format!("port on {}", net.name), gateway],
                    ),
                    (px, y - 7.0, 14.0, 14.0),
                );
            }
        }
    }

    fn externals(&mut self, state: &ClusterState, graph: &DeviceGraph, y: f64) {
        let c = &state.cluster;
        let mut next_free = MARGIN;
        for ext in &c.externals {
            // Under what it hangs off: its network's bus, or the router beyond it.
            let anchor = graph
                .vertex(
                    &sim_core::graph::Place {
                        kind: PlaceKind::External,
                        name: ext.name.clone(),
                    },
                    Some("eth0"),
                )
                .and_then(|v| {
                    graph
                        .graph
                        .neighbors(v)
                        .map(|u| graph.place_of(u))
                        .find(|p| p.kind != PlaceKind::External)
                        .cloned()
                });
            let centre = anchor.and_then(|p| {
                let id = shape_id(p.kind, &p.name, None);
                self.shape(&id).map(|s| s.x + s.w / 2.0).or_else(|| {
                    self.bus(&id)
                        .and_then(|b| b.segments.last().map(|s| (s.x1 + s.x2) / 2.0))
                })
            });
            let x = centre
                .map_or(next_free, |cx| cx - EXTERNAL_W / 2.0)
                .max(next_free);
            next_free = x + EXTERNAL_W + 40.0;
            let id = shape_id(PlaceKind::External, &ext.name, None);
            self.push(Shape {
                id: id.clone(),
                kind: ShapeKind::External,
                device: None,
                label: ext.name.clone(),
                detail: ext.address.to_string(),
                info: vec![
                    format!("external host {}", ext.name),
                    format!("address {}", ext.address),
                ],
                x,
                y,
                w: EXTERNAL_W,
                h: EXTERNAL_H,
            });
            self.device(
                &id,
                "eth0",
                DeviceKind::Nic,
                (String::new(), vec!["eth0".into(), ext.address.to_string()]),
                (x + EXTERNAL_W / 2.0 - 20.0, y - 8.0, 40.0, 16.0),
            );
        }
    }

    /// Veth pairs and attachments from the device graph; tunnels are drawn by the page
    /// only when a packet uses one (a full mesh of them would hide everything else).
    fn wires(&mut self, graph: &DeviceGraph) {
        let mut wires = Vec::new();
        for e in graph.graph.edge_indices() {
            let kind = graph.graph[e];
            if !matches!(kind, EdgeKind::Veth | EdgeKind::Attached) {
                continue;
            }
            let (a, b) = graph.graph.edge_endpoints(e).expect("edge exists");
            let id = |v: petgraph::graph::NodeIndex| {
                let vx = &graph.graph[v];
                shape_id(vx.place.kind, &vx.place.name, vx.device.as_deref())
            };
            let (mut from, mut to) = (id(a), id(b));
            if from.starts_with("network:") {
                std::mem::swap(&mut from, &mut to);
            }
            let Some(start) = self.shape(&from) else {
                continue;
            };
            let points = if let Some(bus) = self.bus(&to) {
                to_bus(start, bus)
            } else if let Some(end) = self.shape(&to) {
                straight(start, end)
            } else {
                continue;
            };
            wires.push(Wire {
                from,
                to,
                kind,
                points,
            });
        }
        self.wires = wires;
    }

    fn extent(&self) -> (f64, f64) {
        let mut w: f64 = 0.0;
        let mut h: f64 = 0.0;
        for s in &self.shapes {
            w = w.max(s.x + s.w);
            h = h.max(s.y + s.h);
        }
        for s in self.buses.iter().flat_map(|b| &b.segments) {
            w = w.max(s.x2);
            h = h.max(s.y);
        }
        (w + MARGIN, h + MARGIN + 20.0)
    }
}

/// Nodes per row: all of them up to four, then a squarish grid of at most eight columns.
fn columns(nodes: usize) -> usize {
    if nodes <= 4 {
        nodes.max(1)
    } else {
        ((nodes as f64).sqrt().ceil() as usize).clamp(4, 8)
    }
}

fn device_info(
    name: &str,
    addresses: &[impl ToString],
    mtu: Option<u32>,
    mac: Option<&str>,
) -> Vec<String> {
    let mut info = vec![name.to_owned()];
    info.extend(addresses.iter().map(ToString::to_string));
    if let Some(m) = mtu {
        info.push(format!("mtu {m}"));
    }
    if let Some(m) = mac {
        info.push(format!("link/ether {m}"));
    }
    info
}

fn centre(s: &Shape) -> (f64, f64) {
    (s.x + s.w / 2.0, s.y + s.h / 2.0)
}

/// From a shape to the nearest point of a bus: straight down (or up) when the bus runs
/// past it, else down, across and to the bus's nearest end.
fn to_bus(start: &Shape, bus: &Bus) -> Vec<(f64, f64)> {
    let (cx, cy) = centre(start);
    let below = start.y + start.h;
    let nearest = bus
        .segments
        .iter()
        .min_by(|a, b| (a.y - cy).abs().total_cmp(&(b.y - cy).abs()))
        .copied()
        .unwrap_or(Segment {
            x1: cx,
            x2: cx,
            y: below,
        });
    let from_y = if nearest.y >= cy { below } else { start.y };
    if (nearest.x1..=nearest.x2).contains(&cx) {
        return vec![(cx, from_y), (cx, nearest.y)];
    }
    let bx = cx.clamp(nearest.x1, nearest.x2);
    let elbow = if nearest.y >= cy {
        below + 14.0
    } else {
        start.y - 14.0
    };
    vec![(cx, from_y), (cx, elbow), (bx, elbow), (bx, nearest.y)]
}

fn straight(a: &Shape, b: &Shape) -> Vec<(f64, f64)> {
    let (ax, ay) = centre(a);
    let (bx, by) = centre(b);
    vec![(ax, ay), (bx, by)]
}
