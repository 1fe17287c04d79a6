//! Route propagation over the Established sessions, BGP's rules, and each speaker's best paths.
//!
//! Every route a node originates (its blocks, the /32s of addresses it borrowed) shares
//! one fate: same origin, same sessions, same policy. So propagation runs once per origin
//! and every speaker keeps one best path per origin (paths live in an arena; the RIB holds
//! 8-byte references), which keeps a 5,000-node route-reflector cluster small.
//!
//! Rules: eBGP-learned routes go to every peer; iBGP-learned ones only to eBGP peers, unless
//! the speaker is a route reflector (from a client: to everyone; from a non-client: to
//! clients). eBGP prepends the AS and sets next hop self; iBGP keeps the next hop. Best
//! path: shortest AS path, then eBGP over iBGP, then the lowest neighbour address.

use core::net::Ipv4Addr;
use std::collections::{HashMap, VecDeque};

use serde::Serialize;

/// A BGP speaker: a Calico node or a fabric router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Speaker {
    Node(usize),
    Router(usize),
}

/// An Established session seen from one end.
#[derive(Debug, Clone, Copy)]
pub struct Adjacency {
    pub peer: usize,
    pub ibgp: bool,
    /// The peer is this speaker's route-reflector client.
    pub peer_is_client: bool,
}

/// The propagation inputs, speakers by dense index.
pub struct Topology {
    pub speakers: Vec<Speaker>,
    pub address: Vec<Ipv4Addr>,
    pub as_number: Vec<u32>,
    pub adjacency: Vec<Vec<Adjacency>>,
}

/// One path to an origin's routes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Path {
    pub next_hop: Ipv4Addr,
    pub as_path: Vec<u32>,
    /// The index of the neighbour it was learned from (None: originated here).
    pub from: Option<u32>,
    pub learned_over_ibgp: bool,
    #[serde(skip)]
    from_client: bool,
}

/// A speaker's best path toward one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RibEntry {
    pub origin: u32,
    pub path: u32,
}

/// Best paths of every speaker, toward every origin it has heard of.
#[derive(Debug, Clone, Default)]
pub struct Rib {
    pub speakers: Vec<Speaker>,
    pub paths: Vec<Path>,
    /// Per speaker index: best path per origin speaker index, in origin order.
    pub entries: Vec<Vec<RibEntry>>,
}

impl Rib {
    pub fn path(&self, e: &RibEntry) -> &Path {
        &self.paths[e.path as usize]
    }

    pub fn index_of(&self, s: Speaker) -> Option<usize> {
        self.speakers.iter().position(|x| *x == s)
    }
}

fn better(a: &Path, b: &Path, address: &[Ipv4Addr]) -> bool {
    let key = |p: &Path| {
        (
            p.as_path.len(),
            p.learned_over_ibgp,
            p.from.map(|f| address[f as usize]),
        )
    };
    key(a) < key(b)
}

/// Propagates the routes of each speaker in `origins` through the topology.
pub fn propagate(topo: &Topology, origins: &[usize]) -> Rib {
    let n = topo.speakers.len();
    let mut rib = Rib {
        speakers: topo.speakers.clone(),
        paths: Vec::new(),
        entries: vec![Vec::new(); n],
    };
    // Nearly every speaker hears of nearly every origin: allocate once.
    rib.entries
        .iter_mut()
        .for_each(|e| e.reserve_exact(origins.len()));
    let reverse_client = reverse_client_flags(topo);
    // A speaker that is neither a reflector nor has eBGP peers passes on nothing it learned over iBGP.
    let relays: Vec<bool> = topo
        .adjacency
        .iter()
        .map(|list| list.iter().any(|a| !a.ibgp || a.peer_is_client))
        .collect();
    let mut best: Vec<Option<u32>> = vec![None; n];
    // Paths are interned per origin: the many clients of a reflector share one record.
    let mut interned: HashMap<Path, u32> = HashMap::new();
    let mut touched: Vec<usize> = Vec::new();
    for &origin in origins {
        // Reset only what the previous origin reached (a full reset is O(speakers²) overall).
        for t in touched.drain(..) {
            best[t] = None;
        }
        interned.clear();
        let first = rib.paths.len() as u32;
        rib.paths.push(Path {
            next_hop: topo.address[origin],
            as_path: Vec::new(),
            from: None,
            learned_over_ibgp: false,
            from_client: false,
        });
        best[origin] = Some(first);
        touched.push(origin);
        let mut queue = VecDeque::from([origin]);
        while let Some(s) = queue.pop_front() {
            let Some(current) = best[s] else { continue };
            // What s sends depends only on the session type and whether the receiver sees s
            // as its client (and, for eBGP, the receiver's AS): build each variant once.
            let mut variants: [Option<Option<u32>>; 4] = [None; 4];
            for (k, adj) in topo.adjacency[s].iter().enumerate() {
                let t = adj.peer;
                if t == origin || !exports(&rib.paths[current as usize], adj) {
                    continue;
                }
                if !adj.ibgp
                    && rib.paths[current as usize]
                        .as_path
                        .contains(&topo.as_number[t])
                {
                    continue;
                }
                let slot = usize::from(adj.ibgp) * 2 + usize::from(reverse_client[s][k]);
                let id = *variants[slot].get_or_insert_with(|| {
                    receive(
                        topo,
                        s,
                        adj,
                        &rib.paths[current as usize],
                        reverse_client[s][k],
                    )
                    .map(|candidate| {
                        *interned.entry(candidate).or_insert_with_key(|c| {
                            rib.paths.push(c.clone());
                            rib.paths.len() as u32 - 1
                        })
                    })
                });
                let Some(id) = id else { continue };
                let improves = match best[t] {
                    None => true,
                    Some(b) => {
                        b != first
                            && b != id
                            && better(
                                &rib.paths[id as usize],
                                &rib.paths[b as usize],
                                &topo.address,
                            )
                    }
                };
                if improves {
                    if best[t].is_none() {
                        touched.push(t);
                    }
                    best[t] = Some(id);
                    // Only a speaker that may pass the path on needs another look.
                    let held = &rib.paths[id as usize];
                    if !held.learned_over_ibgp || held.from_client || relays[t] {
                        queue.push_back(t);
                    }
                }
            }
        }
        for &s in &touched {
            if let Some(path) = best[s] {
                rib.entries[s].push(RibEntry {
                    origin: origin as u32,
                    path,
                });
            }
        }
    }
    rib
}

/// May a speaker holding `path` send it to this neighbour?
fn exports(path: &Path, adj: &Adjacency) -> bool {
    if path.from == Some(adj.peer as u32) {
        return false;
    }
    if path.from.is_none() || !path.learned_over_ibgp || !adj.ibgp {
        return true;
    }
    // iBGP-learned, toward an iBGP peer: only a route reflector passes it on.
    path.from_client || adj.peer_is_client
}

/// The path as the neighbour receives it, or None when it must reject it (AS loop).
fn receive(
    topo: &Topology,
    s: usize,
    adj: &Adjacency,
    path: &Path,
    receiver_sees_client: bool,
) -> Option<Path> {
    let t = adj.peer;
    let (as_path, next_hop) = if adj.ibgp {
        (path.as_path.clone(), path.next_hop)
    } else {
        if topo.as_number[s] == topo.as_number[t] {
            return None;
        }
        let mut p = Vec::with_capacity(path.as_path.len() + 1);
        p.push(topo.as_number[s]);
        p.extend_from_slice(&path.as_path);
        (p, topo.address[s])
    };
    Some(Path {
        next_hop,
        as_path,
        from: Some(s as u32),
        learned_over_ibgp: adj.ibgp,
        from_client: receiver_sees_client,
    })
}

/// For each adjacency s→t: does t see s as its route-reflector client?
fn reverse_client_flags(topo: &Topology) -> Vec<Vec<bool>> {
    let clients: std::collections::HashSet<(usize, usize)> = topo
        .adjacency
        .iter()
        .enumerate()
        .flat_map(|(owner, list)| {
            list.iter()
                .filter(|a| a.peer_is_client)
                .map(move |a| (owner, a.peer))
        })
        .collect();
    topo.adjacency
        .iter()
        .enumerate()
        .map(|(s, list)| {
            list.iter()
                .map(|adj| clients.contains(&(adj.peer, s)))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topo(n: usize, as_numbers: &[u32], links: &[(usize, usize, bool)]) -> Topology {
        let mut adjacency = vec![Vec::new(); n];
        for &(a, b, b_is_client_of_a) in links {
            let ibgp = as_numbers[a] == as_numbers[b];
            adjacency[a].push(Adjacency {
                peer: b,
                ibgp,
                peer_is_client: b_is_client_of_a,
            });
            adjacency[b].push(Adjacency {
                peer: a,
                ibgp,
                peer_is_client: false,
            });
        }
        Topology {
            speakers: (0..n).map(Speaker::Node).collect(),
            address: (0..n)
                .map(|i| Ipv4Addr::new(10, 0, 0, i as u8 + 1))
                .collect(),
            as_number: as_numbers.to_vec(),
            adjacency,
        }
    }

    fn heard(rib: &Rib, speaker: usize) -> Vec<u32> {
        rib.entries[speaker].iter().map(|e| e.origin).collect()
    }

    #[test]
    fn ibgp_routes_are_not_passed_on_without_a_reflector() {
        // A chain 0 - 1 - 2 in one AS: 2 never hears of 0.
        let t = topo(3, &[64512; 3], &[(0, 1, false), (1, 2, false)]);
        let rib = propagate(&t, &[0, 1, 2]);
        assert_eq!(heard(&rib, 2), [1, 2]);
        assert_eq!(heard(&rib, 1), [0, 1, 2]);
    }

    #[test]
    fn a_route_reflector_passes_client_routes_to_all_clients_keeping_the_next_hop() {
        // 0 is the reflector; 1 and 2 its clients.
        let t = topo(3, &[64512; 3], &[(0, 1, true), (0, 2, true)]);
        let rib = propagate(&t, &[1, 2]);
        let to_2 = rib.entries[2]
            .iter()
            .find(|e| e.origin == 1)
            .expect("2 hears of 1");
        assert_eq!(rib.path(to_2).next_hop, Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(rib.path(to_2).from, Some(0));
    }

    #[test]
    fn ebgp_prepends_the_as_sets_next_hop_self_and_refuses_loops() {
        // 0 and 2 in AS 64512 talk only through 1 (AS 65001).
        let t = topo(3, &[64512, 65001, 64512], &[(0, 1, false), (1, 2, false)]);
        let rib = propagate(&t, &[0]);
        let at_1 = rib.entries[1]
            .iter()
            .find(|e| e.origin == 0)
            .expect("router hears of 0");
        assert_eq!(rib.path(at_1).as_path, [64512]);
        // 2 would see its own AS in the path: rejected.
        assert!(rib.entries[2].is_empty());
    }

    #[test]
    fn the_shorter_path_wins() {
        // 0-1-2-3 chain of eBGP plus a direct 0-3 link.
        let t = topo(
            4,
            &[1, 2, 3, 4],
            &[(0, 1, false), (1, 2, false), (2, 3, false), (0, 3, false)],
        );
        let rib = propagate(&t, &[0]);
        let at_3 = rib.entries[3]
            .iter()
            .find(|e| e.origin == 0)
            .expect("heard");
        assert_eq!(rib.path(at_3).as_path, [1]);
        assert_eq!(rib.path(at_3).next_hop, Ipv4Addr::new(10, 0, 0, 1));
    }
}
