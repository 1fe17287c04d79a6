//! `calisim diff`: reads the two scenarios (files, directories or git revisions), computes
//! them on two threads, and prints sim-core's diff as text, Markdown or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use sim_core::diag::Diagnostics;
use sim_core::diff::{self, BothSides, Category, ClusterDiff, ProbeSpec, Side};
use sim_core::policy::Protocol;
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

use crate::git;
use crate::input;

#[derive(Args)]
pub struct DiffArgs {
    /// BEFORE and AFTER scenarios (files or directories); with --git, the one scenario PATH.
    #[arg(value_name = "SCENARIO", num_args = 1..=2, required = true)]
    scenarios: Vec<PathBuf>,
    /// Compare PATH as it is at two git revisions: REV..REV, or REV alone for REV against
    /// the working tree.
    #[arg(long, value_name = "REV[..REV]")]
    git: Option<String>,
    /// Probe protocol; the i-th --proto goes with the i-th --port. Without --proto and
    /// --port: tcp/80 plus every container port of the destination pod.
    #[arg(long = "proto", value_enum)]
    protos: Vec<Proto>,
    /// Probe destination port (ignored for ICMP); may be repeated.
    #[arg(long = "port")]
    ports: Vec<u16>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit 1 when these sections changed (comma-separated or repeated); 0 otherwise.
    #[arg(long = "fail-on", value_enum, value_delimiter = ',', default_values_t = [FailOn::Any])]
    fail_on: Vec<FailOn>,
    /// A real install manifest applied to both scenarios (see other commands); may be repeated.
    #[arg(long = "manifest", value_name = "FILE")]
    manifests: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Proto {
    Tcp,
    Udp,
    Sctp,
    Icmp,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Reachability,
    Paths,
    Routes,
    Sessions,
    Ipam,
    Lints,
    /// Pods or nodes added or removed.
    Pods,
    Any,
}

/// How `calisim diff` ended.
pub enum DiffExit {
    /// Nothing `--fail-on` selects changed (exit 0).
    Unchanged,
    /// Something it selects changed (exit 1).
    Changed,
    /// A scenario could not be read or has errors (exit 2).
    InputError,
}

/// Runs each scenario's work on its own thread (the after scenario's on this one): the
/// two reachability matrices are the bulk of a diff and independent of each other.
pub struct ThreadPerSide;

impl BothSides for ThreadPerSide {
    fn run<R: Send>(&self, work: impl Fn(Side) -> R + Sync) -> (R, R) {
        std::thread::scope(|s| {
            let before = s.spawn(|| work(Side::Before));
            let after = work(Side::After);
            let before = before
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (before, after)
        })
    }
}

/// A scenario's files and the name to show for it (`PATH` or `REV:PATH`).
type NamedScenario = (String, Vec<SourceFile>);

impl DiffArgs {
    fn probes(&self) -> Vec<ProbeSpec> {
        if self.protos.is_empty() && self.ports.is_empty() {
            return ProbeSpec::defaults();
        }
        let n = self.protos.len().max(self.ports.len());
        let mut probes: Vec<ProbeSpec> = Vec::new();
        for i in 0..n {
            let proto = self.protos.get(i).or(self.protos.last()).copied();
            let port = self
                .ports
                .get(i)
                .or(self.ports.last())
                .copied()
                .unwrap_or(80);
            let probe = match proto.unwrap_or(Proto::Tcp) {
                Proto::Tcp => (Protocol::Tcp, Some(port)),
                Proto::Udp => (Protocol::Udp, Some(port)),
                Proto::Sctp => (Protocol::Sctp, Some(port)),
                Proto::Icmp => (Protocol::Icmp, None),
            };
            let probe = ProbeSpec::Port {
                protocol: probe.0,
                port: probe.1,
            };
            if !probes.contains(&probe) {
                probes.push(probe);
            }
        }
        probes
    }

    /// The two scenarios' files and the names to show for them.
    fn read(&self) -> Result<[NamedScenario; 2], Box<dyn std::error::Error>> {
        let mut sides = match (&self.git, self.scenarios.as_slice()) {
            (Some(range), [path]) => {
                let (from, to) = git::parse_range(range)?;
                [
                    (from.label(path), git::read_at(&from, path)?),
                    (to.label(path), git::read_at(&to, path)?),
                ]
            }
            (Some(_), _) => return Err("--git takes one scenario PATH".into()),
            (None, [before, after]) => [
                (
                    before.display().to_string(),
                    input::read_scenario(Some(before))?,
                ),
                (
                    after.display().to_string(),
                    input::read_scenario(Some(after))?,
                ),
            ],
            (None, _) => return Err("give BEFORE and AFTER scenarios, or --git REV PATH".into()),
        };
        let manifests = input::read_manifests(&self.manifests)?;
        for (_, files) in &mut sides {
            files.extend(manifests.iter().cloned());
        }
        Ok(sides)
    }
}

fn print(text: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Parses, validates and computes one scenario; its diagnostics either way.
fn compute(files: &[SourceFile]) -> (Option<ClusterState>, Diagnostics) {
    match state::load(files) {
        Ok((cluster, warnings)) => (Some(state::compute(cluster)), warnings),
        Err(diags) => (None, diags),
    }
}

pub fn run(args: &DiffArgs) -> DiffExit {
    let [(before_name, before_files), (after_name, after_files)] = match args.read() {
        Ok(sides) => sides,
        Err(e) => {
            eprintln!("error: {e}");
            return DiffExit::InputError;
        }
    };
    let files = |side| match side {
        Side::Before => (&before_name, &before_files),
        Side::After => (&after_name, &after_files),
    };
    let (before, after) = ThreadPerSide.run(|side| compute(files(side).1));
    let mut states = Vec::new();
    for (side, (state, diags)) in [(Side::Before, before), (Side::After, after)] {
        if !diags.is_empty() {
            eprint!("{diags}");
        }
        match state {
            Some(s) => states.push(s),
            None => eprintln!(
                "error: {} has {} error(s); nothing was computed",
                files(side).0,
                diags.errors().count()
            ),
        }
    }
    let [before, after] = match <[ClusterState; 2]>::try_from(states) {
        Ok(both) => both,
        Err(_) => return DiffExit::InputError,
    };
    let d = diff::diff_with(&before, &after, &args.probes(), &ThreadPerSide);
    match args.format {
        DiffFormat::Text => print(&diff::render::text(&d, &before_name, &after_name)),
        DiffFormat::Markdown => print(&diff::render::markdown(&d, &before_name, &after_name)),
        DiffFormat::Json => {
            print(&(serde_json::to_string_pretty(&d).expect("the diff serialises") + "\n"))
        }
    }
    if fails(&d, &args.fail_on) {
        DiffExit::Changed
    } else {
        DiffExit::Unchanged
    }
}

fn fails(d: &ClusterDiff, on: &[FailOn]) -> bool {
    on.iter().any(|f| match f {
        FailOn::Any => !d.is_empty(),
        FailOn::Reachability => d.changed(Category::Reachability),
        FailOn::Paths => d.changed(Category::Paths),
        FailOn::Routes => d.changed(Category::Routes),
        FailOn::Sessions => d.changed(Category::Sessions),
        FailOn::Ipam => d.changed(Category::Ipam),
        FailOn::Lints => d.changed(Category::Lints),
        FailOn::Pods => d.changed(Category::Pods),
    })
}
