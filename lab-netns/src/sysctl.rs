//! Sysctls written under /proc/sys from a thread inside the namespace (/proc/sys/net shows
//! the network namespace of the thread that opens it).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::netns;

/// Writes every `(key, value)` in namespace `ns`.
pub(crate) fn apply(ns: &str, settings: &[(String, String)]) -> Result<()> {
    if settings.is_empty() {
        return Ok(());
    }
    netns::run_in(ns, || {
        for (key, value) in settings {
            std::fs::write(path(key), value)
                .map_err(|e| Error::op(ns, None, format!("sysctl {key}={value}"), e))?;
        }
        Ok(())
    })?
}

/// The /proc/sys path of a dotted key. Device names may hold dots (`vxlan.calico`), so the
/// per-device trees take the device as everything between the tree and the last dot.
pub fn path(key: &str) -> PathBuf {
    let mut p = PathBuf::from("/proc/sys");
    for tree in [
        "net.ipv4.conf.",
        "net.ipv4.neigh.",
        "net.ipv6.conf.",
        "net.ipv6.neigh.",
    ] {
        if let Some(rest) = key.strip_prefix(tree) {
            if let Some((dev, leaf)) = rest.rsplit_once('.') {
                p.extend(tree.trim_end_matches('.').split('.'));
                p.push(dev);
                p.push(leaf);
                return p;
            }
        }
    }
    p.extend(key.split('.'));
    p
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn device_names_keep_their_dots() {
        assert_eq!(
            path("net.ipv4.conf.vxlan.calico.forwarding"),
            std::path::Path::new("/proc/sys/net/ipv4/conf/vxlan.calico/forwarding")
        );
        assert_eq!(
            path("net.ipv4.neigh.cali12345.proxy_delay"),
            std::path::Path::new("/proc/sys/net/ipv4/neigh/cali12345/proxy_delay")
        );
        assert_eq!(
            path("net.ipv4.ip_forward"),
            std::path::Path::new("/proc/sys/net/ipv4/ip_forward")
        );
    }
}
