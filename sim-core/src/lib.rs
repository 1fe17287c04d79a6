//! calisim's engine: a Kubernetes cluster network computed the way Project Calico builds it.
//!
//! Data flows one way and every layer is plain data:
//! `scenario` (YAML → typed documents) → `model` (validated `Cluster`) → `ipam`
//! (blocks and addresses) → `render` (calicoctl-style tables).
//! This crate is pure: no I/O, no clock, no environment, no threads. It builds for wasm32.

pub mod diag;
pub mod gen;
pub mod ipam;
pub mod labels;
pub mod model;
pub mod render;
pub mod scenario;
pub mod selector;
pub mod state;
