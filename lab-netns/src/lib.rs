//! lab-netns: the second back end. It executes sim-core's [`KernelPlan`] on real Linux
//! network namespaces, probes the result with real packets and compares them with the
//! simulator. It is the only crate that touches the kernel, and it decides nothing about
//! networking: every device, address, route and rule comes from the plan.
//!
//! Map (each module one job):
//! - [`netns`]: named namespaces without forking; run code on a thread inside one.
//! - `rtnl`: rtnetlink connections opened inside namespaces, driven from one runtime.
//! - `links`, `addresses`, `routes`, `neigh`: devices, addresses, routes, ARP and FDB.
//! - [`sysctl`], `nft`: /proc/sys and `nft -f -` from inside a namespace.
//! - [`features`]: root, namespaces and the ipip module, checked before building.
//! - `build`: the plan, step by step, in kernel order; [`lab`]: up (with rollback), down,
//!   status; [`record`]: what a lab leaves under /run/calisim.
//! - [`probe`]: TCP, UDP and ICMP probes; [`compare`]: endpoints and the simulator's
//!   verdict; [`diff`]: every pod pair, kernel against simulator; [`exec`]: commands inside.
//!
//! The public API is synchronous; tokio runs inside, one current-thread runtime at a time.
//!
//! [`KernelPlan`]: sim_core::plan::KernelPlan

mod addresses;
mod build;
pub mod compare;
pub mod diff;
mod error;
pub mod exec;
pub mod features;
pub mod lab;
mod links;
mod neigh;
pub mod netns;
mod nft;
pub mod probe;
pub mod record;
mod routes;
mod rtnl;
pub mod sysctl;

pub use build::Progress;
pub use error::{Cause, Error, Result};
pub use lab::{down, down_all, status, up, Lab, UpOptions};
