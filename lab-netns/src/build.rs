//! Executes a [`KernelPlan`] in the order the kernel needs: namespaces (loopback up),
//! bridges, veth pairs (both ends: MAC, MTU, master, up), tunnels, addresses, sysctls,
//! routes, neighbours, FDB entries, nftables. Every step is checked for cancellation first.
//! It only builds; undoing a failed build is the caller's job ([`crate::lab::up`]).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};

use sim_core::plan::{KernelPlan, NetnsPlan, VethEnd};

use crate::error::{Error, Result};
use crate::rtnl::{indexes, Rtnl};
use crate::{addresses, links, neigh, netns, nft, routes, sysctl};

/// How far a build has got: `done` of `total` steps, now in `phase`.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub phase: &'static str,
    pub done: usize,
    pub total: usize,
}

/// Counts steps, reports them and stops the build when asked to.
pub(crate) struct Steps<'a> {
    pub lab: &'a str,
    pub done: usize,
    pub total: usize,
    pub cancel: Option<&'a AtomicBool>,
    pub progress: Option<&'a dyn Fn(Progress)>,
}

impl Steps<'_> {
    /// Before a step: stop if cancelled.
    fn next(&mut self, phase: &'static str) -> Result<()> {
        if self.cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            return Err(Error::Interrupted {
                lab: self.lab.to_owned(),
            });
        }
        self.done += 1;
        if let Some(report) = self.progress {
            report(Progress {
                phase,
                done: self.done,
                total: self.total,
            });
        }
        Ok(())
    }
}

/// The number of steps [`build`] takes for `plan`.
pub(crate) fn step_count(plan: &KernelPlan) -> usize {
    let bridges: usize = plan.namespaces.iter().map(|n| n.bridges.len()).sum();
    // Per namespace: create, veth ends, tunnels, addresses, sysctls, routes, neighbours, nft.
    8 * plan.namespaces.len() + bridges + plan.veths.len()
}

pub(crate) fn build(plan: &KernelPlan, steps: &mut Steps) -> Result<()> {
    for ns in &plan.namespaces {
        steps.next("namespaces")?;
        netns::create(&ns.name)?;
    }
    let mut rtnl = Rtnl::new()?;
    for ns in &plan.namespaces {
        let h = rtnl.handle(&ns.name)?;
        rtnl.block_on(links::up(&h, &ns.name, "lo"))?;
    }
    for ns in &plan.namespaces {
        for bridge in &ns.bridges {
            steps.next("bridges")?;
            let h = rtnl.handle(&ns.name)?;
            rtnl.block_on(links::add_bridge(&h, &ns.name, bridge))?;
        }
    }
    veths(plan, &mut rtnl, steps)?;
    let mut devices = BTreeMap::new();
    for ns in &plan.namespaces {
        steps.next("tunnels")?;
        let h = rtnl.handle(&ns.name)?;
        let found = rtnl.block_on(tunnels(&h, ns))?;
        devices.insert(ns.name.as_str(), found);
    }
    for ns in &plan.namespaces {
        steps.next("addresses")?;
        configure(&mut rtnl, ns, &devices[ns.name.as_str()], Phase::Addresses)?;
    }
    for ns in &plan.namespaces {
        steps.next("sysctls")?;
        sysctl::apply(&ns.name, &ns.sysctls)?;
    }
    for ns in &plan.namespaces {
        steps.next("routes")?;
        configure(&mut rtnl, ns, &devices[ns.name.as_str()], Phase::Routes)?;
    }
    for ns in &plan.namespaces {
        steps.next("neighbours")?;
        configure(&mut rtnl, ns, &devices[ns.name.as_str()], Phase::Neighbours)?;
    }
    drop(rtnl);
    for ns in &plan.namespaces {
        steps.next("nftables")?;
        if let Some(ruleset) = &ns.nftables {
            nft::load(&ns.name, ruleset)?;
        }
    }
    Ok(())
}

/// One phase of a namespace's contents, over its devices (by name).
fn configure(
    rtnl: &mut Rtnl,
    ns: &NetnsPlan,
    devs: &HashMap<String, u32>,
    phase: Phase,
) -> Result<()> {
    let h = rtnl.handle(&ns.name)?;
    let name = ns.name.as_str();
    rtnl.block_on(async {
        match phase {
            Phase::Addresses => {
                for a in &ns.addresses {
                    addresses::add(&h, name, a, devs).await?;
                }
            }
            Phase::Routes => {
                for r in &ns.routes {
                    routes::add(&h, name, r, devs).await?;
                }
            }
            Phase::Neighbours => {
                for n in &ns.neighbours {
                    neigh::add_arp(&h, name, n, devs).await?;
                }
                for f in &ns.fdb {
                    neigh::add_fdb(&h, name, f, devs).await?;
                }
            }
        }
        Ok(())
    })
}

#[derive(Clone, Copy)]
enum Phase {
    Addresses,
    Routes,
    /// ARP entries, then FDB entries.
    Neighbours,
}

/// Every veth pair, then every end's master and link state, namespace by namespace.
fn veths(plan: &KernelPlan, rtnl: &mut Rtnl, steps: &mut Steps) -> Result<()> {
    let mut files: HashMap<&str, File> = HashMap::new();
    let mut ends: BTreeMap<&str, Vec<&VethEnd>> = BTreeMap::new();
    for v in &plan.veths {
        steps.next("veths")?;
        if !files.contains_key(v.b.netns.as_str()) {
            files.insert(&v.b.netns, netns::open(&v.b.netns)?);
        }
        let h = rtnl.handle(&v.a.netns)?;
        let b_ns = &files[v.b.netns.as_str()];
        rtnl.block_on(links::add_veth(&h, &v.a.netns, &v.a, b_ns, &v.b))?;
        ends.entry(&v.a.netns).or_default().push(&v.a);
        ends.entry(&v.b.netns).or_default().push(&v.b);
    }
    drop(files);
    for ns in &plan.namespaces {
        steps.next("veths")?;
        let Some(list) = ends.get(ns.name.as_str()) else {
            continue;
        };
        let h = rtnl.handle(&ns.name)?;
        rtnl.block_on(async {
            let devices = indexes(&h, &ns.name).await?;
            for end in list {
                links::finish_end(&h, end, &devices).await?;
            }
            Ok::<_, Error>(())
        })?;
    }
    Ok(())
}

/// The namespace's VXLAN device and `tunl0`; returns its devices by name afterwards.
async fn tunnels(h: &rtnetlink::Handle, ns: &NetnsPlan) -> Result<HashMap<String, u32>> {
    let devices = indexes(h, &ns.name).await?;
    if ns.vxlan.is_none() && ns.ipip.is_none() {
        return Ok(devices);
    }
    if let Some(v) = &ns.vxlan {
        links::add_vxlan(h, &ns.name, v, &devices).await?;
    }
    if let Some(t) = &ns.ipip {
        links::add_ipip(h, &ns.name, t, &devices).await?;
    }
    indexes(h, &ns.name).await
}
