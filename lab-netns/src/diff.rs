//! The kernel against the simulator: a TCP connect for every ordered pod pair (every pod
//! listens on the port in its namespace), compared with the walker's verdict for the same
//! packet and its reply. Sources are probed by a few worker threads, each entering the
//! source's namespace and connecting to every destination at once; a pair the kernel
//! dropped but the simulator delivers is probed a second time before it is reported.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use sim_core::graph::{Place, PlaceKind};
use sim_core::state::ClusterState;
use sim_core::walker::{parse_endpoint, Endpoint, Trace, Walker};

use crate::compare::{round_trip, simulated, Simulated};
use crate::error::{Error, Result};
use crate::lab::Lab;
use crate::netns;
use crate::probe::{failure, Outcome, Proto};

#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub port: u16,
    pub timeout: Duration,
    /// Above this many pods, a deterministic sample of this many (evenly spread over the
    /// scenario's pod order) is probed, every ordered pair among them.
    pub max_pods: usize,
    /// Threads probing sources in parallel.
    pub workers: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            port: 80,
            timeout: crate::probe::TIMEOUT,
            max_pods: 400,
            workers: 4,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub from: String,
    pub to: String,
    pub kernel: Outcome,
    pub simulator: Simulated,
    /// The simulator's trace of the request and its reply, as `calisim trace --reply` prints it.
    pub trace: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub lab: String,
    pub port: u16,
    /// Pods with an address in the scenario.
    pub pods: usize,
    /// Pods probed (all of them, or the sample).
    pub probed_pods: usize,
    pub pairs: usize,
    pub agreements: usize,
    /// Agreements where both delivered.
    pub delivered: usize,
    /// Agreements where both dropped.
    pub dropped: usize,
    /// Pairs probed a second time (kernel dropped, simulator delivered on the first try).
    pub retried: usize,
    pub disagreements: Vec<Disagreement>,
    pub seconds: f64,
}

struct Pod {
    key: String,
    endpoint: Endpoint,
    netns: String,
    ip: Ipv4Addr,
}

/// Every ordered pair of the lab's pods (or of the sample), probed and compared.
pub fn diff(lab: &Lab, state: &ClusterState, options: &DiffOptions) -> Result<DiffReport> {
    let started = Instant::now();
    let all = pods(lab, state);
    let picked = sample(&all, options.max_pods);
    let walker = Walker::new(state);
    let traces: Vec<Vec<_>> = picked
        .iter()
        .map(|a| {
            picked
                .iter()
                .map(|b| simulated(&walker, a.endpoint, b.endpoint, Proto::Tcp, options.port))
                .collect()
        })
        .collect();
    raise_fd_limit();
    let (kernel, retried) = kernel_outcomes(&picked, &traces, options)?;
    let mut report = DiffReport {
        lab: lab.name().to_owned(),
        port: options.port,
        pods: all.len(),
        probed_pods: picked.len(),
        pairs: kernel.len(),
        agreements: 0,
        delivered: 0,
        dropped: 0,
        retried,
        disagreements: Vec::new(),
        seconds: 0.0,
    };
    for ((i, j), outcome) in kernel {
        let trace = &traces[i][j];
        let sim = round_trip(trace);
        match (outcome.delivered, sim) {
            (true, true) => report.delivered += 1,
            (false, false) => report.dropped += 1,
            _ => {
                report.disagreements.push(Disagreement {
                    from: picked[i].key.clone(),
                    to: picked[j].key.clone(),
                    kernel: outcome,
                    simulator: Simulated::of(trace),
                    trace: sim_core::render::trace::render(trace, true),
                });
                continue;
            }
        }
        report.agreements += 1;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The kernel's outcome for every pair, with every pod listening: one round, then a second
/// try for each pair the kernel dropped but the simulator delivers. Also says how many
/// pairs were tried twice.
fn kernel_outcomes(
    picked: &[&Pod],
    traces: &[Vec<Trace>],
    options: &DiffOptions,
) -> Result<(Outcomes, usize)> {
    let listeners = Listeners::start(picked, options.port)?;
    let every: Vec<(usize, Vec<usize>)> = (0..picked.len())
        .map(|i| (i, (0..picked.len()).collect()))
        .collect();
    let result = probe_all(picked, &every, options).and_then(|mut found| {
        let mut retry: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (&(i, j), outcome) in &found {
            if !outcome.delivered && round_trip(&traces[i][j]) {
                retry.entry(i).or_default().push(j);
            }
        }
        let retried = retry.values().map(Vec::len).sum();
        if retried > 0 {
            let again: Vec<(usize, Vec<usize>)> = retry.into_iter().collect();
            found.extend(probe_all(picked, &again, options)?);
        }
        Ok((found, retried))
    });
    listeners.stop();
    result
}

/// The scenario's pods that have an address, with their namespaces.
fn pods(lab: &Lab, state: &ClusterState) -> Vec<Pod> {
    state
        .cluster
        .pods
        .iter()
        .filter_map(|p| {
            let key = p.key();
            let endpoint = parse_endpoint(state, &key).ok()?;
            let Endpoint::Pod(id) = endpoint else {
                return None;
            };
            let Some(IpAddr::V4(ip)) = state.ipam.pod_address(id) else {
                return None;
            };
            let netns = lab.netns(&Place {
                kind: PlaceKind::Pod,
                name: key.clone(),
            });
            Some(Pod {
                key,
                endpoint,
                netns,
                ip,
            })
        })
        .collect()
}

/// All pods, or `max` of them evenly spread over the list.
fn sample(pods: &[Pod], max: usize) -> Vec<&Pod> {
    if pods.len() <= max {
        return pods.iter().collect();
    }
    (0..max).map(|i| &pods[i * pods.len() / max]).collect()
}

/// Many connections at once need more descriptors than the usual soft limit of 1,024.
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}

/// A listener on the port in every destination namespace, accepted (and closed) by one
/// thread so no backlog fills up.
struct Listeners {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Listeners {
    fn start(pods: &[&Pod], port: u16) -> Result<Listeners> {
        let mut sockets = Vec::new();
        for pod in pods {
            let bound = netns::run_in(&pod.netns, || {
                TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))
                    .and_then(|l| l.set_nonblocking(true).map(|()| l))
            })?;
            match bound {
                Ok(l) => sockets.push(l),
                // Something in the pod already listens there: it answers instead.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
                Err(e) => {
                    return Err(Error::op(
                        &pod.netns,
                        None,
                        format!("listen on port {port}"),
                        e,
                    ))
                }
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .expect("a runtime for the acceptor");
            rt.block_on(async move {
                for socket in sockets {
                    let Ok(listener) = tokio::net::TcpListener::from_std(socket) else {
                        continue;
                    };
                    tokio::spawn(async move {
                        loop {
                            if listener.accept().await.is_err() {
                                tokio::time::sleep(Duration::from_millis(1)).await;
                            }
                        }
                    });
                }
                while !flag.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            });
        });
        Ok(Listeners {
            stop,
            thread: Some(thread),
        })
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type Outcomes = BTreeMap<(usize, usize), Outcome>;

/// Each job is a source and its destinations; workers take jobs in turn.
fn probe_all(
    pods: &[&Pod],
    jobs: &[(usize, Vec<usize>)],
    options: &DiffOptions,
) -> Result<Outcomes> {
    let next = AtomicUsize::new(0);
    let found = Mutex::new(Outcomes::new());
    let workers = options.workers.clamp(1, jobs.len().max(1));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| s.spawn(|| worker(pods, jobs, options, &next, &found)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<()>>>()
    })?;
    Ok(found
        .into_inner()
        .expect("no worker panicked holding the lock"))
}

/// A thread of our own that moves into each source's namespace in turn.
fn worker(
    pods: &[&Pod],
    jobs: &[(usize, Vec<usize>)],
    options: &DiffOptions,
    next: &AtomicUsize,
    found: &Mutex<Outcomes>,
) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::op("-", None, "start a probe runtime", e))?;
    loop {
        let Some((src, dsts)) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) else {
            return Ok(());
        };
        netns::enter(&pods[*src].netns)?;
        let outcomes = rt.block_on(futures::future::join_all(dsts.iter().map(|&d| {
            connect(
                SocketAddr::from((pods[d].ip, options.port)),
                options.timeout,
            )
        })));
        let mut found = found.lock().expect("no worker panicked holding the lock");
        for (&d, outcome) in dsts.iter().zip(outcomes) {
            found.insert((*src, d), outcome);
        }
    }
}

/// A TCP connect from the calling thread's namespace.
async fn connect(to: SocketAddr, timeout: Duration) -> Outcome {
    let start = Instant::now();
    let socket = match tokio::net::TcpSocket::new_v4() {
        Ok(s) => s,
        Err(e) => return Outcome::failed(format!("socket: {e}")),
    };
    match tokio::time::timeout(timeout, socket.connect(to)).await {
        Ok(Ok(_stream)) => Outcome::answered("handshake completed", start.elapsed()),
        Ok(Err(e)) => Outcome::failed(failure(&e, timeout)),
        Err(_) => Outcome::failed(failure(&std::io::ErrorKind::TimedOut.into(), timeout)),
    }
}
