//! calisim's engine: a Kubernetes cluster network computed the way Project Calico builds it.
//!
//! Data flows one way and every layer is plain data:
//! `scenario` (YAML → typed documents) → `model` (validated `Cluster`) → state:
//! `ipam` (blocks and addresses), `node_address` + `addressing` (each node's Calico
//! address), `underlay` (who reaches whom), `bgp` (sessions, best paths), `dataplane`
//! (each node's links and routes) → `render` (calicoctl and iproute2 views).
//! This crate is pure: no I/O, no clock, no environment, no threads. It builds for wasm32.

pub mod addressing;
pub mod bgp;
pub mod dataplane;
pub mod diag;
pub mod diff;
pub mod exercise;
pub mod expect;
pub mod export;
pub mod gen;
pub mod graph;
pub mod ipam;
pub mod labels;
pub mod lint;
pub mod model;
pub mod mtu;
pub mod naming;
pub mod node_address;
pub mod plan;
pub mod policy;
pub mod render;
pub mod scenario;
pub mod selector;
pub mod state;
pub mod underlay;
pub mod walker;
pub mod yaml;
