//! `calisim`: argument parsing and output only; everything computed comes from sim-core.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sim_core::diag::Diagnostics;
use sim_core::render::ipam_show;
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

use calisim::diff_cmd::{self, DiffArgs, DiffExit};
use calisim::input;

mod lab_cmd;

#[derive(Parser)]
#[command(
    name = "calisim",
    version,
    about = "A Kubernetes cluster network simulator modelled on Project Calico"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, validate and compute a scenario; report every problem (exit 0 clean, 1 errors, 2 usage).
    Check {
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        output: OutputArg,
    },
    /// IP address management views, as calicoctl prints them.
    Ipam {
        #[command(subcommand)]
        command: IpamCommand,
    },
    /// A node's (or a pod's, as NAMESPACE/POD) routing table, as `ip route` or `route -n` print it.
    Routes {
        /// A node name, or NAMESPACE/POD.
        node: String,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[arg(long, value_enum, default_value_t = RouteStyle::Ip)]
        style: RouteStyle,
        #[command(flatten)]
        output: OutputArg,
    },
    /// A node's (or a pod's, as NAMESPACE/POD) interfaces and addresses, as `ip addr` prints them.
    Addr {
        /// A node name, or NAMESPACE/POD.
        target: String,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        output: OutputArg,
    },
    /// `calicoctl get ippools|nodes|bgppeers|bgpconfigs [NAME]`: resources as calicoctl lists them.
    Get {
        /// ippools, nodes, bgppeers or bgpconfigs (calicoctl's aliases work too).
        #[arg(value_enum)]
        kind: GetKind,
        /// One resource by name (nodes only).
        name: Option<String>,
        #[command(flatten)]
        scenario: ScenarioArg,
        /// Output: table (default), wide, yaml (nodes) or json.
        #[arg(short = 'o', long = "output", value_enum, default_value_t = GetFormat::Table)]
        format: GetFormat,
        /// Namespace of namespaced resources (network policies).
        #[arg(short = 'n', long, default_value = "default")]
        namespace: String,
        /// All namespaces (adds a NAMESPACE column).
        #[arg(short = 'A', long)]
        all_namespaces: bool,
    },
    /// The CNI conflist install-cni writes on NODE (/etc/cni/net.d/10-calico.conflist).
    CniConfig {
        /// The node's name.
        node: String,
        #[command(flatten)]
        scenario: ScenarioArg,
    },
    /// Render the resources and install settings that reproduce this design on a real cluster.
    Export {
        #[command(flatten)]
        scenario: ScenarioArg,
        /// The installation method the install settings are for.
        #[arg(long, value_enum, default_value_t = ExportModeArg::Manifest)]
        mode: ExportModeArg,
        /// Rewrite every image to this private registry (HOST:PORT), as air-gapped installs need.
        #[arg(long)]
        registry: Option<String>,
        /// Calico version for the image tags (default: the scenario's).
        #[arg(long)]
        calico_version: Option<String>,
        /// Also write calisim's Cluster document, so the output is a complete scenario again.
        #[arg(long)]
        topology: bool,
    },
    /// Reachability for every pod pair (rows from, columns to; `.` delivered, `X` not), as
    /// the Kubernetes network-policy conformance probes print it.
    Matrix {
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        probe: ProbeArg,
        /// Policy verdicts alone (Felix's chains), ignoring whether the packet gets there.
        #[arg(long)]
        policy_only: bool,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Follow one packet hop by hop (routes, ARP, policy, NAT, encapsulation, underlay),
    /// then its reply; exit 0 when delivered, 1 when dropped.
    Trace {
        #[command(flatten)]
        scenario: ScenarioArg,
        /// Source: NAMESPACE/POD, node:NAME, ext:NAME or an address.
        #[arg(long)]
        from: String,
        /// Destination: NAMESPACE/POD, node:NAME, ext:NAME or an address.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        probe: ProbeArg,
        /// The IP packet's total length in bytes (compared with each link's MTU).
        #[arg(long, default_value_t = 84)]
        size: u32,
        /// Clear the Don't Fragment bit (Linux sets it by default): oversized packets are
        /// fragmented instead of dropped.
        #[arg(long)]
        no_df: bool,
        /// Also print the reply's hops (back through conntrack and NAT).
        #[arg(long)]
        reply: bool,
        #[command(flatten)]
        output: OutputArg,
    },
    /// The device graph (places, devices, links) as JSON: what the browser draws and
    /// lab-netns builds.
    Graph {
        #[command(flatten)]
        scenario: ScenarioArg,
    },
    /// The kernel plan as JSON: the namespaces, veths, addresses, routes, neighbours and
    /// nftables rules `calisim lab up` builds.
    Plan {
        #[command(flatten)]
        scenario: ScenarioArg,
        /// The lab's name (namespaces are called csim-<NAME>-…).
        #[arg(long, default_value = "lab")]
        name: String,
    },
    /// Check the design's Expectations documents (reachability, paths, BGP sessions,
    /// lints); exit 0 when every one holds, 1 when any fails, 2 on input errors.
    Validate {
        #[command(flatten)]
        scenario: ScenarioArg,
        /// Also write a JUnit XML report (for CI systems).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArg,
    },
    /// A stable text digest of the computed network (IPAM, routes and BGP sessions of every
    /// node, the reachability matrix, lints) to commit and review in pull requests.
    Snapshot {
        #[command(flatten)]
        scenario: ScenarioArg,
    },
    /// Network policy views.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Node views, as calicoctl prints them.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// Labs on real network namespaces: build a scenario, probe it, compare it with the
    /// simulator, run commands inside, tear it down (needs root).
    Lab {
        #[command(subcommand)]
        command: lab_cmd::LabCommand,
    },
    /// What a change does to the network, between two scenarios or two git revisions:
    /// pod pairs newly allowed or denied (and why), paths, routes, BGP sessions, IPAM and
    /// lints. Exit 0 when nothing selected by --fail-on changed, 1 when it did, 2 on input errors.
    Diff(DiffArgs),
    /// The browser lab: serve the page (sim-core as WebAssembly: it draws the cluster and
    /// walks packets in the browser) on 127.0.0.1. Needs the bundle `cargo xtask web` builds.
    Serve {
        /// Port on 127.0.0.1 (0: any free port; the URL is printed).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Directory holding web_viz.js and web_viz_bg.wasm (default: this checkout's
        /// web-viz/dist/pkg, where `cargo xtask web` writes them).
        #[arg(long, value_name = "DIR")]
        bundle: Option<PathBuf>,
        #[command(flatten)]
        scenario: ScenarioArg,
    },
    /// Write a synthetic scenario of N nodes and M pods to stdout.
    Gen {
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        #[arg(long, default_value_t = 6)]
        pods: usize,
        #[arg(long, default_value_t = 2)]
        namespaces: usize,
        /// The IP pool's CIDR (default: none, so Calico's default pool applies).
        #[arg(long)]
        pool_cidr: Option<String>,
        #[arg(long, default_value_t = 26)]
        block_size: u8,
        /// Make the first N nodes route reflectors (mesh off); 0 keeps the full mesh.
        #[arg(long, default_value_t = 0)]
        route_reflectors: usize,
    },
}

#[derive(Subcommand)]
enum IpamCommand {
    /// `calicoctl ipam show`: pool (and block) utilisation, or borrowed addresses.
    Show {
        /// Also list each pool's blocks.
        #[arg(long)]
        show_blocks: bool,
        /// List addresses a node uses from a block affine to another node.
        #[arg(long)]
        show_borrowed: bool,
        /// Who holds this address.
        #[arg(long)]
        ip: Option<std::net::IpAddr>,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        output: OutputArg,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Which policy and rule decide a packet from one pod to another, egress and ingress.
    Explain {
        /// The source pod, NAMESPACE/POD.
        #[arg(long)]
        from: String,
        /// The destination pod, NAMESPACE/POD.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        probe: ProbeArg,
        #[command(flatten)]
        output: OutputArg,
    },
}

#[derive(Args)]
struct ProbeArg {
    /// Protocol of the probe packet.
    #[arg(long, value_enum, default_value_t = ProbeProto::Tcp)]
    proto: ProbeProto,
    /// Destination port (ignored for ICMP).
    #[arg(long, default_value_t = 80)]
    port: u16,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProbeProto {
    Tcp,
    Udp,
    Sctp,
    Icmp,
}

impl ProbeArg {
    fn packet(&self) -> (sim_core::policy::Protocol, Option<u16>) {
        use sim_core::policy::Protocol;
        match self.proto {
            ProbeProto::Tcp => (Protocol::Tcp, Some(self.port)),
            ProbeProto::Udp => (Protocol::Udp, Some(self.port)),
            ProbeProto::Sctp => (Protocol::Sctp, Some(self.port)),
            ProbeProto::Icmp => (Protocol::Icmp, None),
        }
    }
}

#[derive(Subcommand)]
enum NodeCommand {
    /// `calicoctl node status` as seen from NODE: its BGP peers and their state.
    Status {
        /// The node's name.
        node: String,
        #[command(flatten)]
        scenario: ScenarioArg,
        #[command(flatten)]
        output: OutputArg,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportModeArg {
    Manifest,
    Operator,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GetKind {
    #[value(alias = "ippool", alias = "pools", alias = "pool")]
    Ippools,
    #[value(alias = "node")]
    Nodes,
    #[value(alias = "bgppeer", alias = "bgpp")]
    Bgppeers,
    #[value(
        alias = "bgpconfig",
        alias = "bgpconfiguration",
        alias = "bgpconfigurations"
    )]
    Bgpconfigs,
    #[value(
        alias = "networkpolicy",
        alias = "netpol",
        alias = "policy",
        alias = "policies"
    )]
    Networkpolicies,
    #[value(alias = "globalnetworkpolicy", alias = "gnp", alias = "gnps")]
    Globalnetworkpolicies,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GetFormat {
    Table,
    Wide,
    Yaml,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RouteStyle {
    /// `ip route`
    Ip,
    /// `route -n`
    RouteN,
}

#[derive(Args)]
struct ScenarioArg {
    /// A scenario file or directory (default: the embedded three-node cluster).
    scenario: Option<PathBuf>,
    /// A real install manifest to apply too (a whole calico.yaml: calico-node's environment,
    /// calico-config, kubeadm-config); may be repeated.
    #[arg(long = "manifest", value_name = "FILE")]
    manifests: Vec<PathBuf>,
}

impl ScenarioArg {
    /// The scenario's files; a SCENARIO that is no file but an exercise's number or name
    /// (`calisim lab up 4 --name azure`) means that exercise's starting scenario.
    fn read(&self) -> Result<Vec<SourceFile>, String> {
        let exercise = self
            .scenario
            .as_deref()
            .filter(|p| !p.exists())
            .and_then(|p| p.to_str())
            .and_then(|key| calisim::catalogue::find(key).ok());
        let Some(lab) = exercise else {
            return input::read_scenario_with(self.scenario.as_deref(), &self.manifests)
                .map_err(|e| e.to_string());
        };
        let mut files = lab.start()?;
        for m in &self.manifests {
            let text = std::fs::read_to_string(m).map_err(|e| format!("{}: {e}", m.display()))?;
            files.push(SourceFile::new(m.display().to_string(), text));
        }
        Ok(files)
    }
}

#[derive(Args)]
struct OutputArg {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Same as `-o json`.
    #[arg(long)]
    json: bool,
}

impl OutputArg {
    fn json(&self) -> bool {
        self.json || self.format == Format::Json
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// How a command ended: the process exit code.
enum Outcome {
    Clean = 0,
    Failed = 1,
    Usage = 2,
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check { scenario, output } => check(&scenario, &output),
        Command::Ipam {
            command:
                IpamCommand::Show {
                    show_blocks,
                    show_borrowed,
                    ip,
                    scenario,
                    output,
                },
        } => with_state(&scenario, |state| {
            ipam_show(state, show_blocks, show_borrowed, ip, &output)
        }),
        Command::Routes {
            node,
            scenario,
            style,
            output,
        } => with_state(&scenario, |state| routes(state, &node, style, &output)),
        Command::Get {
            kind,
            name,
            mut scenario,
            format,
            namespace,
            all_namespaces,
        } => {
            // `get KIND SCENARIO`: a lone argument naming a file is the scenario, not a NAME.
            let name = match (name, &scenario.scenario) {
                (Some(n), None) if std::path::Path::new(&n).exists() => {
                    scenario.scenario = Some(n.into());
                    None
                }
                (name, _) => name,
            };
            let namespace = (!all_namespaces).then_some(namespace);
            with_state(&scenario, |state| {
                get(state, kind, name.as_deref(), format, namespace.as_deref())
            })
        }
        Command::Export {
            scenario,
            mode,
            registry,
            calico_version,
            topology,
        } => {
            let calico_version = match calico_version
                .as_deref()
                .map(sim_core::model::CalicoVersion::parse)
            {
                Some(None) => {
                    eprintln!("error: --calico-version takes a version like v3.28.2");
                    return ExitCode::from(Outcome::Usage as u8);
                }
                Some(v) => v,
                None => None,
            };
            let mode = match mode {
                ExportModeArg::Manifest => sim_core::export::ExportMode::Manifest,
                ExportModeArg::Operator => sim_core::export::ExportMode::Operator,
            };
            let opts = sim_core::export::ExportOptions {
                mode,
                registry,
                calico_version,
                topology,
            };
            with_state(&scenario, |state| {
                print(&sim_core::export::export(&state.cluster, &opts));
                Outcome::Clean
            })
        }
        Command::CniConfig { node, scenario } => {
            with_state(&scenario, |state| match find_node(state, &node) {
                Ok(n) => {
                    print(&sim_core::render::cni::conflist(state, n));
                    Outcome::Clean
                }
                Err(outcome) => outcome,
            })
        }
        Command::Matrix {
            scenario,
            probe,
            policy_only,
            output,
        } => with_state(&scenario, |state| {
            let (proto, port) = probe.packet();
            let m = if policy_only {
                sim_core::render::matrix::policy_matrix(state, proto, port)
            } else {
                sim_core::render::matrix::matrix(state, proto, port)
            };
            if output.json() {
                print_json(&m);
            } else {
                print(&sim_core::render::matrix::render(&m));
            }
            Outcome::Clean
        }),
        Command::Trace {
            scenario,
            from,
            to,
            probe,
            size,
            no_df,
            reply,
            output,
        } => with_state(&scenario, |state| {
            let endpoint = |text: &str| sim_core::walker::parse_endpoint(state, text);
            let (from, to) = match (endpoint(&from), endpoint(&to)) {
                (Ok(f), _) if f.is_destination_only() => {
                    eprintln!(
                        "error: --from {}: a source must be a pod, a node or an external host",
                        f.name(state)
                    );
                    return Outcome::Usage;
                }
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("error: {e}");
                    return Outcome::Usage;
                }
            };
            let (proto, port) = probe.packet();
            let mut p = sim_core::walker::Probe::new(from, to, proto, port);
            p.size = size;
            p.df = !no_df;
            let walker = sim_core::walker::Walker::new(state);
            let t = walker.trace(&p);
            if output.json() {
                print_json(&t);
            } else {
                print(&sim_core::render::trace::render(&t, reply));
            }
            match t.verdict {
                sim_core::walker::Verdict::Delivered => Outcome::Clean,
                sim_core::walker::Verdict::Dropped => Outcome::Failed,
            }
        }),
        Command::Plan { scenario, name } => with_state(&scenario, |state| {
            print_json(&sim_core::plan::plan(state, &name));
            Outcome::Clean
        }),
        Command::Validate {
            scenario,
            junit,
            output,
        } => with_state(&scenario, |state| {
            if state.cluster.expectations.is_empty() {
                eprintln!("error: the scenario has no `calisim.dev/v1alpha1 Expectations` document: nothing to validate");
                return Outcome::Usage;
            }
            let checks = sim_core::expect::check(state);
            if let Some(path) = junit {
                if let Err(e) = calisim::junit::write(&path, &state.cluster.name, &checks) {
                    eprintln!("error: {}: {e}", path.display());
                    return Outcome::Usage;
                }
            }
            if output.json() {
                print_json(&checks);
            } else {
                print(&sim_core::expect::render(&checks));
            }
            if checks.iter().all(|c| c.passed) {
                Outcome::Clean
            } else {
                Outcome::Failed
            }
        }),
        Command::Snapshot { scenario } => with_state(&scenario, |state| {
            print(&sim_core::render::snapshot::digest(state));
            Outcome::Clean
        }),
        Command::Graph { scenario } => with_state(&scenario, |state| {
            let graph = sim_core::graph::DeviceGraph::build(state);
            print_json(&graph.data());
            Outcome::Clean
        }),
        Command::Policy {
            command:
                PolicyCommand::Explain {
                    from,
                    to,
                    scenario,
                    probe,
                    output,
                },
        } => with_state(&scenario, |state| {
            let (proto, port) = probe.packet();
            let Some(v) = sim_core::render::matrix::explain(state, &from, &to, proto, port) else {
                eprintln!(
                    "error: both --from and --to must be pods with an address (NAMESPACE/POD)"
                );
                return Outcome::Usage;
            };
            if output.json() {
                print_json(&v);
            } else {
                print(&sim_core::render::matrix::render_verdict(&from, &to, &v));
            }
            Outcome::Clean
        }),
        Command::Addr {
            target,
            scenario,
            output,
        } => with_state(&scenario, |state| addr(state, &target, &output)),
        Command::Node {
            command:
                NodeCommand::Status {
                    node,
                    scenario,
                    output,
                },
        } => with_state(&scenario, |state| node_status(state, &node, &output)),
        Command::Lab { command } => lab_cmd::run(command),
        Command::Serve {
            port,
            bundle,
            scenario,
        } => serve(&scenario, port, bundle),
        Command::Diff(args) => match diff_cmd::run(&args) {
            DiffExit::Unchanged => Outcome::Clean,
            DiffExit::Changed => Outcome::Failed,
            DiffExit::InputError => Outcome::Usage,
        },
        Command::Gen {
            nodes,
            pods,
            namespaces,
            pool_cidr,
            block_size,
            route_reflectors,
        } => {
            let opts = sim_core::gen::GenOptions {
                nodes,
                pods,
                namespaces,
                pool_cidr,
                block_size,
                route_reflectors,
            };
            print(&sim_core::gen::generate(&opts));
            Outcome::Clean
        }
    };
    ExitCode::from(outcome as u8)
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
}

fn print_json(value: &impl serde::Serialize) {
    print(&(serde_json::to_string_pretty(value).expect("view models serialise") + "\n"));
}

fn report(diags: &Diagnostics) {
    if !diags.is_empty() {
        eprint!("{diags}");
    }
}

/// Loads and computes the scenario, reports diagnostics, then runs `f`.
/// Input errors end the command with exit code 2, as for any unusable argument.
fn with_state(arg: &ScenarioArg, f: impl FnOnce(&ClusterState) -> Outcome) -> Outcome {
    match load(arg) {
        Ok((_, state)) => f(&state),
        Err(outcome) => outcome,
    }
}

/// The scenario's files and its computed state, diagnostics reported on stderr.
fn load(arg: &ScenarioArg) -> Result<(Vec<SourceFile>, ClusterState), Outcome> {
    let files = arg.read().map_err(|e| {
        eprintln!("error: {e}");
        Outcome::Usage
    })?;
    match state::load(&files) {
        Ok((cluster, warnings)) => {
            report(&warnings);
            let state = state::compute(cluster);
            for failure in &state.ipam.failures {
                eprintln!("warning: {failure}");
            }
            Ok((files, state))
        }
        Err(diags) => {
            report(&diags);
            eprintln!(
                "error: the scenario has {} error(s); nothing was computed",
                diags.errors().count()
            );
            Err(Outcome::Usage)
        }
    }
}

/// `calisim serve`: a scenario with errors is still served (the page shows them in the
/// editor, where the student fixes them); an unreadable file or a missing bundle is not.
fn serve(arg: &ScenarioArg, port: u16, bundle: Option<PathBuf>) -> Outcome {
    use calisim::serve;
    let files = match arg.read() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    if let Err(diags) = state::load(&files) {
        eprintln!(
            "warning: the scenario has {} error(s); the page shows them in its editor",
            diags.errors().count()
        );
    }
    let start = serve::Start::from_files(&files);
    let site = serve::Bundle::load(&bundle.unwrap_or_else(serve::default_bundle_dir))
        .and_then(|b| serve::Site::new(b, &start))
        .and_then(|site| serve::bind(port).map(|server| (site, server)));
    let (site, server) = match site {
        Ok(ok) => ok,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    println!(
        "calisim serve: http://127.0.0.1:{}/  (scenario {}; Ctrl-C stops)",
        serve::port_of(&server),
        start.name
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    serve::run(&server, &site);
    Outcome::Clean
}

fn check(arg: &ScenarioArg, output: &OutputArg) -> Outcome {
    let files = match arg.read() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    let (mut diags, state) = match state::load(&files) {
        Ok((cluster, warnings)) => (warnings, Some(state::compute(cluster))),
        Err(diags) => (diags, None),
    };
    if let Some(state) = &state {
        for finding in sim_core::lint::findings(state) {
            diags.push(finding);
        }
    }
    if output.json() {
        print_json(&serde_json::json!({ "ok": !diags.has_errors(), "diagnostics": diags }));
    } else {
        report(&diags);
        match &state {
            Some(s) if !diags.has_errors() => print(&format!(
                "ok: cluster {} ({} nodes, {} pods, {} pools, Calico {}), {} warning(s)\n",
                s.cluster.name,
                s.cluster.nodes.len(),
                s.cluster.pods.len(),
                s.cluster.pools.len(),
                s.cluster.calico_version,
                diags.warnings().count()
            )),
            _ => eprintln!(
                "{} error(s), {} warning(s)",
                diags.errors().count(),
                diags.warnings().count()
            ),
        }
    }
    if diags.has_errors() {
        Outcome::Failed
    } else {
        Outcome::Clean
    }
}

fn ipam_show(
    state: &ClusterState,
    show_blocks: bool,
    show_borrowed: bool,
    ip: Option<std::net::IpAddr>,
    output: &OutputArg,
) -> Outcome {
    if let Some(ip) = ip {
        print(&ipam_show::show_ip(state, ip));
        return Outcome::Clean;
    }
    if show_borrowed {
        let rows = ipam_show::borrowed(state);
        if output.json() {
            print_json(&rows);
        } else {
            print(&ipam_show::render_borrowed(&rows));
        }
        return Outcome::Clean;
    }
    let pools = ipam_show::utilisation(state);
    if output.json() {
        print_json(&pools);
    } else {
        print(&ipam_show::render_utilisation(&pools, show_blocks));
    }
    Outcome::Clean
}

/// Finds a node by name, or says which names exist (a usage error).
fn find_node(state: &ClusterState, name: &str) -> Result<usize, Outcome> {
    state.cluster.node_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = state
            .cluster
            .nodes
            .iter()
            .map(|n| n.name.as_str())
            .collect();
        eprintln!(
            "error: no node `{name}` in the scenario; nodes: {}",
            names.join(", ")
        );
        Outcome::Usage
    })
}

/// The wiring of a pod named NAMESPACE/POD, or why there is none (a usage error).
fn find_pod<'s>(
    state: &'s ClusterState,
    key: &str,
) -> Result<&'s sim_core::dataplane::PodNetwork, Outcome> {
    let Some(id) = state.cluster.pods.iter().position(|p| p.key() == key) else {
        eprintln!("error: no pod `{key}` in the scenario");
        return Err(Outcome::Usage);
    };
    let node = state.cluster.pods[id].node;
    state.dataplane[node]
        .pods
        .iter()
        .find(|p| p.pod == id)
        .ok_or_else(|| {
            eprintln!(
                "error: pod `{key}` has no address (see `calisim check`), so it has no network"
            );
            Outcome::Failed
        })
}

/// A namespace a command can look into: a node's, or a pod's (`NAMESPACE/POD`).
enum Netns<'s> {
    Node(&'s sim_core::dataplane::NodeDataplane),
    Pod(&'s sim_core::dataplane::PodNetwork),
}

fn find_netns<'s>(state: &'s ClusterState, target: &str) -> Result<Netns<'s>, Outcome> {
    if target.contains('/') {
        find_pod(state, target).map(Netns::Pod)
    } else {
        find_node(state, target).map(|n| Netns::Node(&state.dataplane[n]))
    }
}

fn addr(state: &ClusterState, target: &str, output: &OutputArg) -> Outcome {
    use sim_core::render::links::{ip_addr, pod_ip_addr};
    match find_netns(state, target) {
        Ok(Netns::Node(dp)) if output.json() => print_json(&dp.links),
        Ok(Netns::Node(dp)) => print(&ip_addr(dp)),
        Ok(Netns::Pod(pod)) if output.json() => print_json(pod),
        Ok(Netns::Pod(pod)) => print(&pod_ip_addr(pod)),
        Err(outcome) => return outcome,
    }
    Outcome::Clean
}

fn routes(state: &ClusterState, target: &str, style: RouteStyle, output: &OutputArg) -> Outcome {
    use sim_core::render::routes::{ip_route, pod_ip_route, route_n};
    match find_netns(state, target) {
        Ok(Netns::Node(dp)) if output.json() => print_json(&dp.routes),
        Ok(Netns::Node(dp)) if style == RouteStyle::RouteN => print(&route_n(dp)),
        Ok(Netns::Node(dp)) => print(&ip_route(dp)),
        Ok(Netns::Pod(pod)) if output.json() => print_json(&pod.routes),
        Ok(Netns::Pod(pod)) => print(&pod_ip_route(pod)),
        Err(outcome) => return outcome,
    }
    Outcome::Clean
}

fn node_status(state: &ClusterState, name: &str, output: &OutputArg) -> Outcome {
    let node = match find_node(state, name) {
        Ok(n) => n,
        Err(outcome) => return outcome,
    };
    if output.json() {
        let sessions: Vec<_> = state.bgp.sessions_of(node).collect();
        print_json(&serde_json::json!({
            "node": name,
            "address": state.node_addresses[node],
            "peers": sessions,
        }));
    } else {
        print(&sim_core::render::status::node_status(state, node));
    }
    Outcome::Clean
}

fn get(
    state: &ClusterState,
    kind: GetKind,
    name: Option<&str>,
    format: GetFormat,
    namespace: Option<&str>,
) -> Outcome {
    use sim_core::render::get;
    let wide = format == GetFormat::Wide;
    match (kind, format) {
        (GetKind::Ippools, GetFormat::Json) => print_json(&state.cluster.pools),
        (GetKind::Ippools, GetFormat::Yaml) => {
            eprintln!("error: -o yaml is available for nodes; use -o json for pools");
            return Outcome::Usage;
        }
        (GetKind::Ippools, _) => print(&get::ippools(state, wide)),
        (GetKind::Nodes, GetFormat::Yaml | GetFormat::Json) => {
            let Some(name) = name else {
                eprintln!("error: -o yaml/json needs a node name: calisim get node NAME -o yaml");
                return Outcome::Usage;
            };
            let node = match find_node(state, name) {
                Ok(n) => n,
                Err(outcome) => return outcome,
            };
            if format == GetFormat::Json {
                print_json(&serde_json::json!({
                    "name": name,
                    "address": state.node_addresses[node],
                    "tunnels": state.ipam.tunnels[node],
                }));
            } else {
                print(&get::node_yaml(state, node));
            }
        }
        (GetKind::Nodes, _) => print(&get::nodes(state, wide)),
        (GetKind::Bgppeers, GetFormat::Json) => print_json(&state.cluster.bgp_peers),
        (GetKind::Bgppeers, GetFormat::Table | GetFormat::Wide) => print(&get::bgppeers(state)),
        (GetKind::Bgpconfigs, GetFormat::Json) => print_json(&state.cluster.bgp_config_resources),
        (GetKind::Bgpconfigs, GetFormat::Table | GetFormat::Wide) => print(&get::bgpconfigs(state)),
        (GetKind::Networkpolicies | GetKind::Globalnetworkpolicies, GetFormat::Json) => {
            let global = kind == GetKind::Globalnetworkpolicies;
            let list: Vec<_> = state
                .cluster
                .policies
                .iter()
                .filter(|p| (p.scope == sim_core::model::PolicyScope::Global) == global)
                .filter(|p| global || namespace.is_none() || p.namespace.as_deref() == namespace)
                .collect();
            print_json(&list)
        }
        (GetKind::Networkpolicies, GetFormat::Table | GetFormat::Wide) => {
            print(&get::networkpolicies(state, namespace, wide))
        }
        (GetKind::Globalnetworkpolicies, GetFormat::Table | GetFormat::Wide) => {
            print(&get::globalnetworkpolicies(state, wide))
        }
        (
            GetKind::Bgppeers
            | GetKind::Bgpconfigs
            | GetKind::Networkpolicies
            | GetKind::Globalnetworkpolicies,
            GetFormat::Yaml,
        ) => {
            eprintln!("error: -o yaml is available for nodes; use -o json");
            return Outcome::Usage;
        }
    }
    Outcome::Clean
}
