//! `calisim lab`: labs on real network namespaces (interfaces.md §5). Parsing and printing
//! only; lab-netns builds, probes and compares.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use lab_netns::compare::Compared;
use lab_netns::diff::{DiffOptions, DiffReport};
use lab_netns::probe::Proto;
use lab_netns::{Error, Lab};

use super::{load, print, print_json, Outcome, ScenarioArg};

#[derive(Subcommand)]
pub(crate) enum LabCommand {
    /// Build SCENARIO on network namespaces named csim-LAB-…; exit 0 when the whole lab is up.
    Up {
        #[command(flatten)]
        scenario: ScenarioArg,
        /// The lab's name: 1 to 16 of a-z, 0-9 and -.
        #[arg(long)]
        name: String,
    },
    /// Send one real packet (TCP handshake, UDP echo or ICMP echo); exit 0 delivered, 1 dropped.
    Probe {
        lab: String,
        /// Source: NAMESPACE/POD, node:NAME or ext:NAME.
        #[arg(long)]
        from: String,
        /// Destination: NAMESPACE/POD, node:NAME, ext:NAME or an address.
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value_t = LabProto::Tcp)]
        proto: LabProto,
        #[arg(long, default_value_t = 80)]
        port: u16,
        #[arg(long)]
        json: bool,
    },
    /// Probe TCP between every pod pair and compare with the simulator; exit 0 when they
    /// agree on every pair.
    Diff {
        lab: String,
        #[arg(long, default_value_t = 80)]
        port: u16,
        #[arg(long)]
        json: bool,
    },
    /// Run a command inside a node's or pod's namespace: `calisim lab exec LAB NODE -- ip route`.
    Exec {
        lab: String,
        /// NODE or NAMESPACE/POD (also node:NAME, ext:NAME, router:NAME, net:NAME).
        target: String,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Remove a lab (or every lab with --all): exactly the namespaces and records calisim made.
    Down {
        #[arg(required_unless_present = "all")]
        lab: Option<String>,
        #[arg(long, conflicts_with = "lab")]
        all: bool,
    },
    /// The labs that are up on this machine.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The exercises of the catalogue: number, level, title.
    List,
    /// An exercise's text, tasks and the predictions to write down.
    Show {
        /// The lab's number or name.
        lab: String,
    },
    /// Grade a scenario against an exercise's checks (its starting scenario when none is
    /// given) and, with --answers, the predictions; exit 0 when everything passes.
    Check {
        /// The exercise's number or name.
        lab: String,
        /// Your fixed scenario (a file or directory).
        #[arg(long)]
        scenario: Option<std::path::PathBuf>,
        /// Grade the exercise's reference solution instead (for trainers).
        #[arg(long, conflicts_with = "scenario")]
        solution: bool,
        /// Your predictions: a YAML file of `ID: answer`.
        #[arg(long)]
        answers: Option<std::path::PathBuf>,
        #[command(flatten)]
        output: super::OutputArg,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LabProto {
    Tcp,
    Udp,
    Icmp,
}

impl From<LabProto> for Proto {
    fn from(p: LabProto) -> Self {
        match p {
            LabProto::Tcp => Proto::Tcp,
            LabProto::Udp => Proto::Udp,
            LabProto::Icmp => Proto::Icmp,
        }
    }
}

pub(crate) fn run(command: LabCommand) -> Outcome {
    let result = match command {
        LabCommand::Up { scenario, name } => up(&scenario, &name),
        LabCommand::Probe {
            lab,
            from,
            to,
            proto,
            port,
            json,
        } => probe(&lab, &from, &to, proto.into(), port, json),
        LabCommand::Diff { lab, port, json } => diff(&lab, port, json),
        LabCommand::Exec {
            lab,
            target,
            command,
        } => exec(&lab, &target, &command),
        LabCommand::Down { lab, all } => down(lab.as_deref(), all),
        LabCommand::Status { json } => status(json),
        LabCommand::List => return exercise(ExerciseCommand::List),
        LabCommand::Show { lab } => return exercise(ExerciseCommand::Show(lab)),
        LabCommand::Check {
            lab,
            scenario,
            solution,
            answers,
            output,
        } => {
            return exercise(ExerciseCommand::Check {
                lab,
                scenario,
                solution,
                answers,
                json: output.json(),
            })
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        match e {
            Error::Usage(_) | Error::NoSuchLab(_) => Outcome::Usage,
            Error::Interrupted { .. } => Outcome::Interrupted,
            _ => Outcome::Failed,
        }
    })
}

/// Set by Ctrl-C (or SIGTERM) while a lab is being built.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn up(scenario: &ScenarioArg, name: &str) -> Result<Outcome, Error> {
    lab_netns::lab::check_name(name)?;
    let (files, state) = match load(scenario) {
        Ok(loaded) => loaded,
        Err(outcome) => return Ok(outcome),
    };
    let plan = sim_core::plan::plan(&state, name);
    // From here a Ctrl-C stops the build at the next step, which then removes everything.
    ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst))
        .map_err(|e| Error::Usage(format!("cannot handle Ctrl-C: {e}")))?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let progress = |p: lab_netns::Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(p.phase);
    };
    let options = lab_netns::UpOptions {
        cancel: Some(&INTERRUPTED),
        progress: Some(&progress),
    };
    let result = lab_netns::up(name, &plan, &files, &state.cluster.name, &options);
    bar.finish_and_clear();
    let report = result?;
    if report.replaced > 0 {
        eprintln!(
            "note: removed {} namespaces of an earlier lab {name} first",
            report.replaced
        );
    }
    print(&format!(
        "lab {name} is up: {} namespaces, {} veth pairs in {:.2} s\n",
        report.namespaces, report.veths, report.seconds
    ));
    Ok(Outcome::Clean)
}

fn open(lab: &str) -> Result<(Lab, sim_core::state::ClusterState), Error> {
    let lab = Lab::open(lab)?;
    let state = lab.state()?;
    Ok((lab, state))
}

fn probe(
    lab: &str,
    from: &str,
    to: &str,
    proto: Proto,
    port: u16,
    json: bool,
) -> Result<Outcome, Error> {
    let (lab, state) = open(lab)?;
    let c = lab_netns::compare::probe_endpoints(
        &lab,
        &state,
        from,
        to,
        proto,
        port,
        lab_netns::probe::TIMEOUT,
    )?;
    if json {
        print_json(&c);
    } else {
        print(&render_probe(&c));
    }
    Ok(if c.kernel.delivered {
        Outcome::Clean
    } else {
        Outcome::Failed
    })
}

fn render_probe(c: &Compared) -> String {
    let what = match c.port {
        Some(port) => format!("{}/{port}", proto_name(c.proto)),
        None => proto_name(c.proto).to_owned(),
    };
    let kernel = match c.kernel.millis {
        Some(ms) => format!("delivered ({} in {ms:.2} ms)", c.kernel.detail),
        None => format!("dropped ({})", c.kernel.detail),
    };
    let sim = match (&c.simulator.delivered, &c.simulator.reason) {
        (true, _) => "delivered".to_owned(),
        (false, Some(reason)) => format!("dropped ({reason})"),
        (false, None) => "dropped".to_owned(),
    };
    let mut out = format!(
        "{} -> {} ({}) {what}\n  kernel:    {kernel}\n  simulator: {sim}\n",
        c.from, c.to, c.dst
    );
    if c.kernel.delivered != c.simulator.delivered {
        out += "the kernel and the simulator disagree; the simulator's walk:\n";
        out += &indent(&sim_core::render::trace::render(&c.trace, true));
    }
    out
}

fn proto_name(p: Proto) -> &'static str {
    match p {
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
        Proto::Icmp => "icmp",
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn diff(lab: &str, port: u16, json: bool) -> Result<Outcome, Error> {
    let (lab, state) = open(lab)?;
    let options = DiffOptions {
        port,
        ..DiffOptions::default()
    };
    let report = lab_netns::diff::diff(&lab, &state, &options)?;
    if json {
        print_json(&report);
    } else {
        print(&render_diff(&report));
    }
    Ok(if report.disagreements.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Failed
    })
}

fn render_diff(r: &DiffReport) -> String {
    let sample = if r.probed_pods < r.pods {
        format!(" (a sample of {} of {} pods)", r.probed_pods, r.pods)
    } else {
        String::new()
    };
    let mut out = format!(
        "lab {}: TCP port {}, {} pod pairs{sample} in {:.2} s\n",
        r.lab, r.port, r.pairs, r.seconds
    );
    out += &format!(
        "agree:    {} (both delivered {}, both dropped {})\n",
        r.agreements, r.delivered, r.dropped
    );
    out += &format!("disagree: {}\n", r.disagreements.len());
    for d in &r.disagreements {
        let kernel = if d.kernel.delivered {
            "delivered".to_owned()
        } else {
            format!("dropped ({})", d.kernel.detail)
        };
        let sim = if d.simulator.delivered {
            "delivered"
        } else {
            "dropped"
        };
        out += &format!(
            "\n{} -> {}: kernel {kernel}, simulator {sim}\n",
            d.from, d.to
        );
        out += &indent(&d.trace);
    }
    out
}

fn exec(lab: &str, target: &str, command: &[String]) -> Result<Outcome, Error> {
    let lab = Lab::open(lab)?;
    let ns = lab.target(target)?;
    let status = lab_netns::exec::exec(&ns, command)?;
    // The command's own exit code, as `ip netns exec` passes it on.
    std::process::exit(status.code().unwrap_or(1));
}

fn down(lab: Option<&str>, all: bool) -> Result<Outcome, Error> {
    let report = match (lab, all) {
        (_, true) => lab_netns::down_all()?,
        (Some(lab), false) => lab_netns::down(lab)?,
        (None, false) => return Err(Error::Usage("name a lab, or give --all".into())),
    };
    let labs = if report.labs.is_empty() {
        "no lab".to_owned()
    } else {
        format!("lab {}", report.labs.join(", "))
    };
    print(&format!(
        "removed {labs}: {} namespaces in {:.2} s\n",
        report.namespaces, report.seconds
    ));
    Ok(Outcome::Clean)
}

fn status(json: bool) -> Result<Outcome, Error> {
    let s = lab_netns::status()?;
    if json {
        print_json(&s);
        return Ok(Outcome::Clean);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut rows = vec![[
        "LAB".to_owned(),
        "CLUSTER".into(),
        "STATE".into(),
        "NAMESPACES".into(),
        "AGE".into(),
    ]];
    for l in &s.labs {
        let state = serde_json::to_value(l.state).expect("states serialise");
        rows.push([
            l.name.clone(),
            l.cluster.clone(),
            state.as_str().unwrap_or_default().to_owned(),
            format!("{}/{}", l.present, l.namespaces),
            age(Duration::from_secs(now.saturating_sub(l.created))),
        ]);
    }
    let mut out = String::new();
    if s.labs.is_empty() {
        out += "no labs are up\n";
    } else {
        let widths: Vec<usize> = (0..5)
            .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:w$}"))
                .collect();
            out += line.join("   ").trim_end();
            out += "\n";
        }
    }
    if !s.orphans.is_empty() {
        out += &format!(
            "namespaces no lab accounts for (`calisim lab down --all` removes them): {}\n",
            s.orphans.join(", ")
        );
    }
    print(&out);
    Ok(Outcome::Clean)
}

/// kubectl's AGE: the largest unit.
fn age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// The exercise catalogue's commands (no kernel involved).
enum ExerciseCommand {
    List,
    Show(String),
    Check {
        lab: String,
        scenario: Option<std::path::PathBuf>,
        solution: bool,
        answers: Option<std::path::PathBuf>,
        json: bool,
    },
}

fn exercise(command: ExerciseCommand) -> Outcome {
    use calisim::exercises;
    let result = match command {
        ExerciseCommand::List => exercises::list().map(|t| {
            print(&t);
            Outcome::Clean
        }),
        ExerciseCommand::Show(lab) => exercises::show(&lab).map(|t| {
            print(&t);
            Outcome::Clean
        }),
        ExerciseCommand::Check {
            lab,
            scenario,
            solution,
            answers,
            json,
        } => {
            let files = match (scenario, solution) {
                (Some(path), _) => calisim::input::read_scenario(Some(&path))
                    .map(Some)
                    .map_err(|e| e.to_string()),
                (None, true) => calisim::catalogue::find(&lab)
                    .and_then(|l| l.solution())
                    .map(Some),
                (None, false) => Ok(None),
            };
            files
                .and_then(|files| exercises::check(&lab, files, answers.as_deref()))
                .map(|report| {
                    if json {
                        print_json(&report.graded);
                    } else {
                        print(&report.text);
                    }
                    if report.passed {
                        Outcome::Clean
                    } else {
                        Outcome::Failed
                    }
                })
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        Outcome::Usage
    })
}
