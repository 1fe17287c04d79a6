//! A packet's path reduced to what a reviewer compares: how it crossed between nodes
//! (the encapsulation) and the places and devices it went through, in order.
//!
//! Policy hops are left out: they never move the packet (a rule change is a verdict
//! change, not a path change), and the verdict-only walk skips them when no policy applies.
//! Consecutive hops at the same place and device count once (a route hop and the
//! encapsulation on `tunl0` are one step).
//!
//! The walker folds the path while it walks ([`super::Walker::path_signature`], no words
//! and no hop records, for millions of pairs); [`super::Trace::path_signature`] folds a
//! recorded trace the same way, so both give equal signatures for the same walk.

use core::hash::{Hash, Hasher};

use rustc_hash::FxHasher;
use serde::Serialize;

use super::{Action, Encap, Hop, Outer};
use crate::graph::PlaceKind;

/// The path of a delivered packet as a comparable value. Names (not scenario indices) go
/// into it, so signatures of two scenarios compare when pods and nodes keep their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PathSignature {
    /// The first encapsulation on the way (None: never encapsulated).
    pub encapsulation: Option<Encap>,
    /// A 64-bit hash of the places and devices, in order.
    pub places: u64,
}

impl PathSignature {
    /// `ipip`, `vxlan`, or `direct`, as [`super::Trace::encapsulation`] says it.
    pub fn encapsulation_name(&self) -> &'static str {
        encapsulation_name(self.encapsulation)
    }
}

pub(super) fn encapsulation_name(kind: Option<Encap>) -> &'static str {
    match kind {
        Some(Encap::Ipip) => "ipip",
        Some(Encap::Vxlan) => "vxlan",
        None => "direct",
    }
}

/// Folds hops into a [`PathSignature`].
#[derive(Default)]
pub(super) struct PathFolder {
    hasher: FxHasher,
    last_step: Option<u64>,
    encapsulation: Option<Encap>,
}

impl PathFolder {
    pub(super) fn step(
        &mut self,
        kind: PlaceKind,
        at: &str,
        device: Option<&str>,
        action: Action,
        outer: Option<Outer>,
    ) {
        if self.encapsulation.is_none() {
            self.encapsulation = outer.map(|o| o.kind);
        }
        if action == Action::Policy {
            return;
        }
        let mut step = FxHasher::default();
        (kind, at, device).hash(&mut step);
        let step = step.finish();
        if self.last_step != Some(step) {
            self.last_step = Some(step);
            self.hasher.write_u64(step);
        }
    }

    pub(super) fn finish(self) -> PathSignature {
        PathSignature {
            encapsulation: self.encapsulation,
            places: self.hasher.finish(),
        }
    }
}

/// The signature of recorded hops (the same fold as the walk's).
pub(super) fn signature_of(hops: &[Hop]) -> PathSignature {
    let mut folder = PathFolder::default();
    for h in hops {
        folder.step(h.kind, &h.at, h.device.as_deref(), h.action, h.packet.outer);
    }
    folder.finish()
}

/// The places and devices of recorded hops, as a reviewer reads them:
/// `shop/web-1[eth0] node-1[cali751425ce827 vxlan.calico eth0] lan node-2[...] shop/db-1[eth0]`.
pub(super) fn describe(hops: &[Hop]) -> String {
    let mut places: Vec<(&str, Vec<&str>)> = Vec::new();
    for h in hops.iter().filter(|h| h.action != Action::Policy) {
        if places.last().is_none_or(|(at, _)| *at != h.at) {
            places.push((&h.at, Vec::new()));
        }
        let devices = &mut places.last_mut().expect("just pushed").1;
        if let Some(d) = h.device.as_deref() {
            if devices.last() != Some(&d) {
                devices.push(d);
            }
        }
    }
    places
        .iter()
        .map(|(at, devices)| {
            if devices.is_empty() {
                (*at).to_string()
            } else {
                format!("{at}[{}]", devices.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
