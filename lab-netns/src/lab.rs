//! Labs as a whole: `up` (refuse what this machine cannot build, clear a crashed lab of the
//! same name, record, build, and tear everything down on any failure), `down` (exactly the
//! namespaces and record calisim made, waiting until nothing holds them), `status`, and
//! [`Lab::open`] for the commands that work on a lab that is up.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use sim_core::graph::{Place, PlaceKind};
use sim_core::plan::{netns_name, KernelPlan};
use sim_core::scenario::SourceFile;
use sim_core::state::ClusterState;

use crate::build::{self, Progress, Steps};
use crate::error::{Error, Result};
use crate::features;
use crate::netns;
use crate::record::{self, LabMeta, LabState};

/// The namespace prefix of lab `lab` (as [`sim_core::plan::plan`] names them).
pub fn prefix(lab: &str) -> String {
    format!("csim-{lab}-")
}

/// Lab names: 1 to 16 of `a-z`, `0-9` and `-`.
pub fn check_name(lab: &str) -> Result<()> {
    let ok = (1..=16).contains(&lab.len())
        && lab
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "lab name {lab:?}: use 1 to 16 characters among a-z, 0-9 and -"
        )))
    }
}

#[derive(Default)]
pub struct UpOptions<'a> {
    /// Set (by a Ctrl-C handler) to stop the build; everything built is then removed.
    pub cancel: Option<&'a AtomicBool>,
    /// Called before each build step.
    pub progress: Option<&'a dyn Fn(Progress)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpReport {
    pub lab: String,
    pub namespaces: usize,
    pub veths: usize,
    /// Namespaces of an earlier (crashed or still running) lab of the same name, removed first.
    pub replaced: usize,
    pub seconds: f64,
}

/// Builds `plan` (computed for lab `lab`) from the scenario `sources`. On any failure,
/// including cancellation, every namespace with the lab's prefix and the record are gone
/// before the error is returned.
pub fn up(
    lab: &str,
    plan: &KernelPlan,
    sources: &[SourceFile],
    cluster: &str,
    options: &UpOptions,
) -> Result<UpReport> {
    let started = Instant::now();
    check_name(lab)?;
    if plan.prefix != prefix(lab) {
        return Err(Error::Usage(format!(
            "the plan was computed for prefix {}, not for lab {lab}",
            plan.prefix
        )));
    }
    features::check(plan)?;
    let replaced = owned(lab)?.len();
    remove(lab)?;
    let mut meta = LabMeta {
        name: lab.to_owned(),
        prefix: plan.prefix.clone(),
        state: LabState::Building,
        cluster: cluster.to_owned(),
        created: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        sources: sources.iter().map(|s| s.name.clone()).collect(),
        namespaces: plan.namespaces.iter().map(|n| n.name.clone()).collect(),
    };
    let built = record::write(&meta, sources, plan).and_then(|()| {
        let mut steps = Steps {
            lab,
            done: 0,
            total: build::step_count(plan),
            cancel: options.cancel,
            progress: options.progress,
        };
        build::build(plan, &mut steps)
    });
    if let Err(build) = built {
        return Err(match remove(lab) {
            Ok(_) => build,
            Err(teardown) => Error::Rollback {
                build: Box::new(build),
                teardown: Box::new(teardown),
            },
        });
    }
    meta.state = LabState::Up;
    record::write_meta(&meta)?;
    Ok(UpReport {
        lab: lab.to_owned(),
        namespaces: plan.namespaces.len(),
        veths: plan.veths.len(),
        replaced,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The namespaces of lab `lab` on this machine: its recorded ones, and any other with its
/// prefix followed by a place kind (left by a crash before the record was written), but
/// never one recorded by another lab (`csim-a-node-…` may belong to lab `a-node`).
fn owned(lab: &str) -> Result<Vec<String>> {
    let prefix = prefix(lab);
    let mine: BTreeSet<String> = record::read_meta(lab)?
        .map(|m| m.namespaces.into_iter().collect())
        .unwrap_or_default();
    let mut others = BTreeSet::new();
    for other in record::list()? {
        if other != lab && other.starts_with(lab) {
            if let Some(m) = record::read_meta(&other)? {
                others.extend(m.namespaces);
            }
        }
    }
    let kinds = ["pod-", "node-", "net-", "rtr-", "ext-"];
    Ok(netns::list()?
        .into_iter()
        .filter(|n| {
            mine.contains(n)
                || n.strip_prefix(&prefix)
                    .is_some_and(|rest| kinds.iter().any(|k| rest.starts_with(k)))
        })
        .filter(|n| !others.contains(n))
        .collect())
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DownReport {
    pub labs: Vec<String>,
    pub namespaces: usize,
    pub seconds: f64,
}

/// Removes lab `lab`: its namespaces and its record. Errors when there is no such lab.
pub fn down(lab: &str) -> Result<DownReport> {
    check_name(lab)?;
    let started = Instant::now();
    let recorded = record::read_meta(lab)?.is_some();
    let removed = remove(lab)?;
    if removed == 0 && !recorded {
        return Err(Error::NoSuchLab(lab.to_owned()));
    }
    Ok(DownReport {
        labs: vec![lab.to_owned()],
        namespaces: removed,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Removes every lab: all `csim-*` namespaces and everything under /run/calisim.
pub fn down_all() -> Result<DownReport> {
    let started = Instant::now();
    let labs = record::list()?;
    let names: Vec<String> = netns::list()?
        .into_iter()
        .filter(|n| n.starts_with("csim-"))
        .collect();
    delete_and_wait(&names)?;
    for lab in &labs {
        record::remove(lab)?;
    }
    Ok(DownReport {
        labs,
        namespaces: names.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Tears lab `lab` down whatever state it is in; returns how many namespaces went.
pub fn remove(lab: &str) -> Result<usize> {
    let names = owned(lab)?;
    delete_and_wait(&names)?;
    record::remove(lab)?;
    Ok(names.len())
}

/// Deletes the namespaces, then waits until no process or thread is still inside one
/// (the kernel frees a namespace, and its devices, when the last user goes).
fn delete_and_wait(names: &[String]) -> Result<()> {
    let ids: Vec<(u64, u64)> = names.iter().filter_map(|n| netns::identity(n)).collect();
    let mut first = None;
    for name in names {
        if let Err(e) = netns::delete(name) {
            first.get_or_insert(e);
        }
    }
    if let Some(e) = first {
        return Err(e);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // An identity that a live named namespace has now is a reused inode, not ours.
        let live: BTreeSet<(u64, u64)> = netns::list()?
            .iter()
            .filter_map(|n| netns::identity(n))
            .collect();
        let gone: Vec<(u64, u64)> = ids.iter().filter(|i| !live.contains(i)).copied().collect();
        let holders = netns::holders(&gone);
        if holders.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::Busy(holders.join(", ")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LabStatus {
    pub name: String,
    pub cluster: String,
    pub state: LabState,
    pub created: u64,
    /// Namespaces the lab recorded.
    pub namespaces: usize,
    /// Of those, how many exist now.
    pub present: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub labs: Vec<LabStatus>,
    /// `csim-*` namespaces no record accounts for (`calisim lab down --all` removes them).
    pub orphans: Vec<String>,
}

pub fn status() -> Result<Status> {
    let existing: BTreeSet<String> = netns::list()?.into_iter().collect();
    let mut accounted = BTreeSet::new();
    let mut labs = Vec::new();
    for name in record::list()? {
        let Some(meta) = record::read_meta(&name)? else {
            continue;
        };
        let present = meta
            .namespaces
            .iter()
            .filter(|n| existing.contains(*n))
            .count();
        accounted.extend(owned(&name)?);
        labs.push(LabStatus {
            name: meta.name,
            cluster: meta.cluster,
            state: meta.state,
            created: meta.created,
            namespaces: meta.namespaces.len(),
            present,
        });
    }
    let orphans = existing
        .into_iter()
        .filter(|n| n.starts_with("csim-") && !accounted.contains(n))
        .collect();
    Ok(Status { labs, orphans })
}

/// A lab that is up, as recorded.
pub struct Lab {
    pub meta: LabMeta,
}

impl Lab {
    /// The lab named `lab`; an error unless it is up.
    pub fn open(lab: &str) -> Result<Lab> {
        check_name(lab)?;
        match record::read_meta(lab)? {
            Some(meta) if meta.state == LabState::Up => Ok(Lab { meta }),
            Some(_) => Err(Error::Usage(format!(
                "lab {lab} is still being built (or its build died): run `calisim lab up` again or `calisim lab down {lab}`"
            ))),
            None => Err(Error::NoSuchLab(lab.to_owned())),
        }
    }

    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// The scenario files the lab was built from.
    pub fn sources(&self) -> Result<Vec<SourceFile>> {
        record::read_sources(&self.meta)
    }

    /// The recorded scenario, computed again (the same scenario gives the same state).
    pub fn state(&self) -> Result<ClusterState> {
        let files = self.sources()?;
        let (cluster, _warnings) =
            sim_core::state::load(&files).map_err(|diags| Error::Scenario {
                lab: self.name().to_owned(),
                message: diags.to_string(),
            })?;
        Ok(sim_core::state::compute(cluster))
    }

    /// The namespace of a place of this lab.
    pub fn netns(&self, place: &Place) -> String {
        netns_name(&self.meta.prefix, place)
    }

    /// The namespace a command-line target names: `NODE`, `NAMESPACE/POD`, or one of
    /// `node:`, `ext:`, `router:`, `net:` followed by a name. It must exist.
    pub fn target(&self, target: &str) -> Result<String> {
        let (kind, name) = match target.split_once(':') {
            Some(("node", n)) => (PlaceKind::Node, n),
            Some(("ext", n)) => (PlaceKind::External, n),
            Some(("router", n)) => (PlaceKind::Router, n),
            Some(("net", n)) => (PlaceKind::Network, n),
            Some(_) => {
                return Err(Error::Usage(format!(
                    "{target:?}: write NODE, NAMESPACE/POD, node:NAME, ext:NAME, router:NAME or net:NAME"
                )))
            }
            None if target.contains('/') => (PlaceKind::Pod, target),
            None => (PlaceKind::Node, target),
        };
        let ns = self.netns(&Place {
            kind,
            name: name.to_owned(),
        });
        if self.meta.namespaces.contains(&ns) && netns::exists(&ns) {
            Ok(ns)
        } else {
            Err(Error::Usage(format!(
                "lab {} has no namespace for {target:?} (looked for {ns})",
                self.name()
            )))
        }
    }
}
