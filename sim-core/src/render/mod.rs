//! Text views of the computed state, laid out exactly as Calico's tools print them.

pub mod cni;
pub mod get;
pub mod gofmt;
pub mod ipam_show;
pub mod links;
pub mod matrix;
pub mod node_status;
pub mod routes;
pub mod snapshot;
pub mod status;
pub mod table;
pub mod trace;
