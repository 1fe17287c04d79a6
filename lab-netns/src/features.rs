//! What this machine can build: root, network namespaces, and the `ipip` module (a kernel
//! without it cannot make `tunl0`, so IPIP pools cannot be materialised). Each check runs
//! in a scratch namespace on a throwaway thread and leaves nothing behind.

use std::sync::OnceLock;

use nix::sched::{unshare, CloneFlags};
use rtnetlink::{LinkIpIp, LinkUnspec};
use sim_core::plan::KernelPlan;

use crate::error::{Error, Result};

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Whether this kernel lets us make network namespaces.
pub fn netns_supported() -> Result<(), String> {
    std::thread::spawn(|| unshare(CloneFlags::CLONE_NEWNET).map_err(|e| e.to_string()))
        .join()
        .expect("the probe thread does not panic")
}

/// Whether `ip link add type ipip` works (checked once per process, in a scratch namespace).
pub fn ipip_supported() -> bool {
    static IPIP: OnceLock<bool> = OnceLock::new();
    *IPIP.get_or_init(|| {
        std::thread::spawn(|| {
            if unshare(CloneFlags::CLONE_NEWNET).is_err() {
                return false;
            }
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return false;
            };
            rt.block_on(async {
                let Ok((connection, handle, _)) = rtnetlink::new_connection() else {
                    return false;
                };
                tokio::spawn(connection);
                // With the module loaded every namespace already has the fallback tunl0.
                let fallback = handle
                    .link()
                    .set(LinkUnspec::new_with_name("tunl0").build())
                    .execute()
                    .await
                    .is_ok();
                fallback
                    || handle
                        .link()
                        .add(LinkIpIp::new("csim-ipip").build())
                        .execute()
                        .await
                        .is_ok()
            })
        })
        .join()
        .unwrap_or(false)
    })
}

/// The message for a plan that needs IPIP on a kernel without it.
pub fn ipip_missing_message() -> String {
    "this kernel cannot create IPIP devices: the `ipip` kernel module is missing (try \
     `modprobe ipip`). The scenario's IPIP pool needs tunl0 on every node; use a VXLAN or \
     unencapsulated (Never) pool to build it on this machine"
        .to_owned()
}

/// Refuses plans this machine cannot build, saying what is missing.
pub fn check(plan: &KernelPlan) -> Result<()> {
    if !is_root() {
        return Err(Error::Unsupported(
            "building a lab needs root (network namespaces, devices and mounts under /run/netns)"
                .into(),
        ));
    }
    if let Err(e) = netns_supported() {
        return Err(Error::Unsupported(format!(
            "this kernel does not allow new network namespaces: {e}"
        )));
    }
    if plan.namespaces.iter().any(|n| n.ipip.is_some()) && !ipip_supported() {
        return Err(Error::Unsupported(ipip_missing_message()));
    }
    Ok(())
}
