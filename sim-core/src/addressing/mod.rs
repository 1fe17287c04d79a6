//! Node IPv4 address autodetection as calico-node does it (`IP`, `IP_AUTODETECTION_METHOD`); pure: no I/O.
//!
//! Reproduces calico-node v3.28 (`node/pkg/lifecycle/startup/autodetection/{autodetection_methods.go,
//! filtered.go,interfaces.go,reachaddr.go,autodetection_linux.go}` and `configureIPsAndSubnets` /
//! `parseIPEnvironment` in `startup.go`, tag v3.28.5). The caller supplies the host's interfaces, the
//! kernel's source-address choice for `can-reach=` and the Node's InternalIP; nothing is read here.
//!
//! Behaviour reproduced on purpose (and the assumptions made):
//! * Go's `net.Interfaces()` lists links in ascending kernel index and Calico walks that list in
//!   reverse, so every method considers interfaces in **descending ifindex** (ties keep input order).
//!   Addresses inside an interface are tried in the order given. Link state (up/down) is not checked.
//! * Interface regexes are Go RE2, joined as `(r1)|(r2)|…` and matched **unanchored** (`eth.*`
//!   matches `veth0`). `regex-lite` stands in for RE2; it lacks Unicode classes (`\pL`), which
//!   interface names never need. Lists are split like Go's `\s*,\s*` split: whitespace next to a
//!   comma is dropped, leading/trailing whitespace of the whole value is kept (and then matters).
//! * "Usable" is Go's `IP.IsGlobalUnicast`: not 0.0.0.0, 255.255.255.255, 127/8, 224/4 or 169.254/16
//!   (so 10/8, 240/4 … count). `first-found`, `interface=`, `skip-interface=` and `cidr=` take the first
//!   such address; `can-reach=` and `kubernetes-internal-ip` match the exact address on any interface
//!   (no exclusion list, no global-unicast check), as Calico does.
//! * `interface=` and `cidr=` apply **no** default exclusions (`cidr=172.17.0.0/16` can pick docker0).
//! * The method string is not trimmed or lower-cased; only `""` and `first-found` are exact, the rest
//!   are prefix matches, so `kubernetes-internal-ipXYZ` is accepted like in Go.
//! * `can-reach=` takes only an IPv4 literal: calico-node would resolve a hostname via DNS, which a
//!   simulator cannot. An empty target is rejected (Go would "dial" the local host).
//! * `cidr=` needs `addr/len` (Go `net.ParseCIDR`; a bare IP is invalid). IPv6 CIDRs parse in Go but
//!   can never hold an IPv4 address, so they are dropped; if none is IPv4 the method is rejected.
//! * `kubernetes-internal-ip`: if the InternalIP is on no interface, calico-node v3.28 hands the bare IP
//!   to `cnet.ParseCIDR`, which fails ("Unable to parse CIDR"), so autodetection **fails**; this module
//!   returns [`DetectError::InternalIpNotOnHost`] instead of inventing a /32.
//! * `IP` is compared case-sensitively (`Autodetect` is an invalid address). Empty `IP` autodetects
//!   only while the Node has no stored address (calico-node keeps a stored one); the caller decides.
//!   Like Go (>= 1.17), octets with leading zeros (`010.0.0.1`) are invalid.
//! * Failure modes: an unknown method makes calico-node exit at once; a bad regex/CIDR or any
//!   [`DetectError`] makes autodetection return nothing, and calico-node exits ("Couldn't autodetect
//!   an IPv4 address") unless the Node already stores an IPv4 address, which it then keeps.
//!   [`parse_method`] reports bad regexes/CIDRs up front instead of at detection time.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::fmt;

use ipnetwork::Ipv4Network;
use regex_lite::Regex;

/// calico-node v3.28 `DEFAULT_INTERFACES_TO_EXCLUDE` (Linux), used by first-found and skip-interface=.
#[rustfmt::skip]
pub const DEFAULT_INTERFACES_TO_EXCLUDE: &[&str] = &[
    "^docker.*", "^cbr.*", "^dummy.*", "^podman.*", "^virbr.*", "^lxcbr.*", "^veth.*", "^lo",
    "^br-.*", "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*", r"^vxlan\.calico.*",
    r"^vxlan-v6\.calico.*", r"^wireguard\.cali.*", r"^wg-v6\.cali.*", "^nodelocaldns.*",
];

/// One host network interface as `ip -4 addr` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInterface<'a> {
    pub name: &'a str,
    pub ifindex: u32,
    /// Addresses with their prefix, e.g. 192.168.61.61/24 (host bits kept).
    pub addresses: Vec<Ipv4Network>,
}

/// A parsed `IP_AUTODETECTION_METHOD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    FirstFound,
    Interface(Vec<String>),
    SkipInterface(Vec<String>),
    Cidr(Vec<Ipv4Network>),
    CanReach(Ipv4Addr),
    KubernetesInternalIp,
}

impl fmt::Display for Method {
    /// Renders the method back in `IP_AUTODETECTION_METHOD` syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::FirstFound => f.write_str("first-found"),
            Method::Interface(r) => write!(f, "interface={}", r.join(",")),
            Method::SkipInterface(r) => write!(f, "skip-interface={}", r.join(",")),
            Method::Cidr(c) => {
                let c: Vec<String> = c.iter().map(|n| n.to_string()).collect();
                write!(f, "cidr={}", c.join(","))
            }
            Method::CanReach(ip) => write!(f, "can-reach={ip}"),
            Method::KubernetesInternalIp => f.write_str("kubernetes-internal-ip"),
        }
    }
}

/// The autodetected node address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The address with the prefix of the interface holding it (what lands in `spec.bgp.ipv4Address`).
    pub address: Ipv4Network,
    pub interface: String,
    /// One sentence explaining the choice.
    pub reason: String,
}

/// An `IP_AUTODETECTION_METHOD` value calico-node would not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MethodError {
    #[error("Invalid IP autodetection method: {0} (expected first-found, interface=REGEX, skip-interface=REGEX, cidr=CIDR, can-reach=IP or kubernetes-internal-ip)")]
    Unknown(String),
    #[error("Invalid interface regex {regex:?} in IP autodetection method {method}: {reason}")]
    BadRegex {
        method: String,
        regex: String,
        reason: String,
    },
    #[error("Invalid CIDR {cidr:?} for IP autodetection method: {method} (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8)")]
    BadCidr { method: String, cidr: String },
    #[error("IP autodetection method {method} lists only IPv6 CIDRs, which can never contain the node's IPv4 address")]
    NoIpv4Cidr { method: String },
    #[error("can-reach={0}: {0:?} is not an IPv4 address; calico-node would resolve a hostname through DNS, which the simulator cannot do, so give an IPv4 address")]
    Hostname(String),
    #[error("can-reach={0}: an IPv6 address cannot be reached over IPv4; IP_AUTODETECTION_METHOD picks the IPv4 address (use IP6_AUTODETECTION_METHOD for IPv6)")]
    Ipv6Target(String),
}

/// Why no node address could be autodetected (calico-node then logs "Couldn't autodetect an IPv4
/// address" and exits unless the Node already stores one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Method(#[from] MethodError),
    #[error("no interface matches {method} (calico-node: no valid host interfaces found); interfaces: {interfaces}")]
    NoMatchingInterface { method: String, interfaces: String },
    #[error("{method}: no valid IPv4 addresses found on the host interfaces it considered; {considered}")]
    NoUsableAddress { method: String, considered: String },
    #[error("can-reach={target}: this host has no route to {target}, so the UDP connect fails (network is unreachable)")]
    Unreachable { target: Ipv4Addr },
    #[error("can-reach={target}: the kernel would send from {src}, but no interface holds it (calico-node: autodetected IPv4 address does not match any addresses found on local interfaces: {src})")]
    SourceNotOnInterface { target: Ipv4Addr, src: Ipv4Addr },
    #[error("kubernetes-internal-ip: the Kubernetes Node has no IPv4 InternalIP in status.addresses, so there is nothing to use")]
    NoInternalIp,
    #[error("kubernetes-internal-ip: the Node's InternalIP {ip} is on no host interface, so calico-node cannot add a prefix (\"Unable to parse CIDR {ip}\") and autodetection fails; interfaces: {interfaces}")]
    InternalIpNotOnHost { ip: Ipv4Addr, interfaces: String },
}

/// The `IP` environment variable of calico-node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpEnv {
    /// `autodetect` (manifest default) or empty: run `IP_AUTODETECTION_METHOD`.
    Autodetect,
    /// `none`: no IPv4 autodetection; a stored address is kept, else the node has no IPv4 address.
    None,
    /// `ADDRESS/PREFIX`: used as given (host bits kept).
    Fixed(Ipv4Network),
    /// A bare address: its prefix comes from the interface holding it, see [`resolve_fixed`].
    FixedAddress(Ipv4Addr),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Environment does not contain a valid IPv4 address: IP={0} (expected autodetect, none, an IPv4 address or ADDRESS/PREFIX; calico-node exits)")]
pub struct IpEnvError(pub String);

/// Go's `regexp.MustCompile(`\s*,\s*`).Split(s, -1)`.
fn split_list(s: &str) -> Vec<String> {
    let go_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
    let parts: Vec<&str> = s.split(',').collect();
    let last = parts.len() - 1;
    let mut out = Vec::with_capacity(parts.len());
    for (i, mut p) in parts.into_iter().enumerate() {
        if i > 0 {
            p = p.trim_start_matches(go_space);
        }
        if i < last {
            p = p.trim_end_matches(go_space);
        }
        out.push(p.to_string());
    }
    out
}

/// A list of interface regexes compiled the way Calico does (one `(a)|(b)` regex), keeping the
/// parts to say which one matched.
struct Patterns {
    combined: Regex,
    source: String,
    parts: Vec<(String, Option<Regex>)>,
}

impl Patterns {
    fn compile(method: &str, patterns: &[String]) -> Result<Self, MethodError> {
        let parts: Vec<_> = patterns
            .iter()
            .map(|p| (p.clone(), Regex::new(p).ok()))
            .collect();
        let source = patterns.join(",");
        let combined = Regex::new(&format!("({})", patterns.join(")|("))).map_err(|e| {
            let bad = parts
                .iter()
                .find(|(_, r)| r.is_none())
                .map_or(source.clone(), |p| p.0.clone());
            let reason = Regex::new(&bad).err().unwrap_or(e).to_string();
            let reason = reason.lines().last().unwrap_or_default().trim().to_string();
            MethodError::BadRegex {
                method: method.to_string(),
                regex: bad,
                reason,
            }
        })?;
        Ok(Patterns {
            combined,
            source,
            parts,
        })
    }

    fn matches(&self, name: &str) -> bool {
        self.combined.is_match(name)
    }

    /// The first listed regex matching `name` (all of them if only the joined form compiles).
    fn which(&self, name: &str) -> String {
        let hit = self
            .parts
            .iter()
            .find(|(_, r)| r.as_ref().is_some_and(|r| r.is_match(name)));
        hit.map_or_else(|| self.source.clone(), |p| p.0.clone())
    }
}

fn defaults_plus(extra: &[String]) -> Vec<String> {
    DEFAULT_INTERFACES_TO_EXCLUDE
        .iter()
        .map(|s| s.to_string())
        .chain(extra.iter().cloned())
        .collect()
}

/// Parses `IP_AUTODETECTION_METHOD` (empty = first-found).
pub fn parse_method(text: &str) -> Result<Method, MethodError> {
    if text.is_empty() || text == "first-found" {
        Ok(Method::FirstFound)
    } else if let Some(rest) = text.strip_prefix("interface=") {
        let regexes = split_list(rest);
        Patterns::compile(text, &regexes)?;
        Ok(Method::Interface(regexes))
    } else if let Some(rest) = text.strip_prefix("cidr=") {
        let mut cidrs = Vec::new();
        for part in split_list(rest) {
            match parse_go_cidr(&part) {
                Some((IpAddr::V4(ip), len)) => cidrs.push(v4_net(ip, len)),
                Some((IpAddr::V6(_), _)) => {}
                None => {
                    return Err(MethodError::BadCidr {
                        method: text.to_string(),
                        cidr: part,
                    })
                }
            }
        }
        if cidrs.is_empty() {
            return Err(MethodError::NoIpv4Cidr {
                method: text.to_string(),
            });
        }
        Ok(Method::Cidr(cidrs))
    } else if let Some(rest) = text.strip_prefix("can-reach=") {
        match rest.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => Ok(Method::CanReach(ip)),
            Ok(IpAddr::V6(_)) => Err(MethodError::Ipv6Target(rest.to_string())),
            Err(_) => Err(MethodError::Hostname(rest.to_string())),
        }
    } else if let Some(rest) = text.strip_prefix("skip-interface=") {
        let regexes = split_list(rest);
        Patterns::compile(text, &defaults_plus(&regexes))?;
        Ok(Method::SkipInterface(regexes))
    } else if text.starts_with("kubernetes-internal-ip") {
        Ok(Method::KubernetesInternalIp)
    } else {
        Err(MethodError::Unknown(text.to_string()))
    }
}

/// Go `net.ParseCIDR` shape check: `addr/len`, decimal length without leading zeros, in range.
/// The address keeps its host bits.
fn parse_go_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = s.split_once('/')?;
    let digits_ok = !len.is_empty()
        && len.bytes().all(|b| b.is_ascii_digit())
        && (len == "0" || !len.starts_with('0'));
    let len: u8 = len.parse().ok().filter(|_| digits_ok)?;
    if let Ok(ip) = addr.parse::<Ipv4Addr>() {
        (len <= 32).then_some((IpAddr::V4(ip), len))
    } else {
        let ip = addr.parse::<Ipv6Addr>().ok()?;
        (len <= 128).then_some((IpAddr::V6(ip), len))
    }
}

fn v4_net(ip: Ipv4Addr, len: u8) -> Ipv4Network {
    Ipv4Network::new(ip, len).unwrap_or_else(|_| Ipv4Network::from(ip))
}

/// Go's `net.IP.IsGlobalUnicast` for IPv4.
pub fn is_global_unicast(ip: Ipv4Addr) -> bool {
    !(ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_link_local())
}

/// Interfaces in the order calico-node walks them: descending ifindex.
fn walk_order<'s, 'a>(interfaces: &'s [HostInterface<'a>]) -> Vec<&'s HostInterface<'a>> {
    let mut v: Vec<&HostInterface> = interfaces.iter().collect();
    v.sort_by_key(|i| std::cmp::Reverse(i.ifindex));
    v
}

/// Names in `ip link` order (ascending ifindex), for messages.
fn listing(interfaces: &[HostInterface]) -> String {
    let names: Vec<&str> = walk_order(interfaces)
        .iter()
        .rev()
        .map(|i| i.name)
        .collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

fn show_addrs(i: &HostInterface) -> String {
    let a: Vec<String> = i.addresses.iter().map(|n| n.to_string()).collect();
    if a.is_empty() {
        "no IPv4 address".to_string()
    } else {
        a.join(" ")
    }
}

/// Calico's `FilteredEnumeration`: name filters, then the first global-unicast address inside
/// `cidrs` (an empty list matches everything, like Calico's `matchCIDRs`). Also returns notes on the
/// interfaces passed over before the chosen one.
fn filtered<'s, 'a>(
    method: &Method,
    interfaces: &'s [HostInterface<'a>],
    include: Option<&Patterns>,
    exclude: Option<&Patterns>,
    cidrs: &[Ipv4Network],
) -> Result<(&'s HostInterface<'a>, Ipv4Network, Vec<String>), DetectError> {
    let name_note = |i: &HostInterface| {
        if include.is_some_and(|p| !p.matches(i.name)) {
            Some(format!("{} (name does not match)", i.name))
        } else {
            exclude
                .filter(|p| p.matches(i.name))
                .map(|p| format!("{} (excluded by {})", i.name, p.which(i.name)))
        }
    };
    let order = walk_order(interfaces);
    if order.iter().all(|i| name_note(i).is_some()) {
        return Err(DetectError::NoMatchingInterface {
            method: method.to_string(),
            interfaces: listing(interfaces),
        });
    }
    let usable = |n: &&Ipv4Network| {
        is_global_unicast(n.ip()) && (cidrs.is_empty() || cidrs.iter().any(|c| c.contains(n.ip())))
    };
    let mut passed = Vec::new();
    for i in order {
        if let Some(note) = name_note(i) {
            passed.push(note);
        } else if let Some(addr) = i.addresses.iter().find(usable) {
            return Ok((i, *addr, passed));
        } else {
            let why = if cidrs.is_empty() {
                "no global-unicast IPv4 address"
            } else {
                "no global-unicast address inside the CIDRs"
            };
            passed.push(format!("{} ({why}: {})", i.name, show_addrs(i)));
        }
    }
    let considered = format!("walked from the highest ifindex: {}", passed.join(", "));
    Err(DetectError::NoUsableAddress {
        method: method.to_string(),
        considered,
    })
}

/// Finds the interface holding exactly `ip` (any interface, descending ifindex), like Calico's
/// `GetLocalCIDR` / `ReachDestination`.
fn holder<'s, 'a>(
    interfaces: &'s [HostInterface<'a>],
    ip: Ipv4Addr,
) -> Option<(&'s HostInterface<'a>, Ipv4Network)> {
    walk_order(interfaces)
        .into_iter()
        .find_map(|i| i.addresses.iter().find(|n| n.ip() == ip).map(|n| (i, *n)))
}

fn passed_clause(passed: &[String]) -> String {
    if passed.is_empty() {
        String::new()
    } else {
        format!("; higher-ifindex interfaces skipped: {}", passed.join(", "))
    }
}

/// Runs an autodetection method against the host's interfaces.
///
/// `route_source(target)` must return the source address the kernel would pick toward `target`
/// (None = no route); `internal_ip` is the Node's first IPv4 InternalIP, if any.
pub fn detect<'a>(
    method: &Method,
    interfaces: &[HostInterface<'a>],
    route_source: &dyn Fn(Ipv4Addr) -> Option<Ipv4Addr>,
    internal_ip: Option<Ipv4Addr>,
) -> Result<Detected, DetectError> {
    let found = |i: &HostInterface, address: Ipv4Network, reason: String| Detected {
        address,
        interface: i.name.to_string(),
        reason,
    };
    let m = method.to_string();
    match method {
        Method::FirstFound | Method::SkipInterface(_) => {
            let extra = match method {
                Method::SkipInterface(r) => r.as_slice(),
                _ => &[],
            };
            let excl = Patterns::compile(&m, &defaults_plus(extra))?;
            let (i, a, passed) = filtered(method, interfaces, None, Some(&excl), &[])?;
            let by = if extra.is_empty() {
                "Calico's default patterns"
            } else {
                "Calico's default patterns or the skip-interface= regexes"
            };
            let reason = format!("{m}: {} (ifindex {}) is the highest-ifindex interface not excluded by {by} that has a global-unicast IPv4 address{}", i.name, i.ifindex, passed_clause(&passed));
            Ok(found(i, a, reason))
        }
        Method::Interface(regexes) => {
            let incl = Patterns::compile(&m, regexes)?;
            let (i, a, passed) = filtered(method, interfaces, Some(&incl), None, &[])?;
            let reason = format!("{m}: {} (ifindex {}) is the highest-ifindex interface whose name matches {} (Go regexes are unanchored: they may match anywhere in the name) and has a global-unicast IPv4 address{}", i.name, i.ifindex, incl.which(i.name), passed_clause(&passed));
            Ok(found(i, a, reason))
        }
        Method::Cidr(cidrs) => {
            let (i, a, passed) = filtered(method, interfaces, None, None, cidrs)?;
            let c = cidrs
                .iter()
                .find(|c| c.contains(a.ip()))
                .map_or_else(String::new, |c| format!(" inside {c}"));
            let reason = format!("{m}: {a} on {} (ifindex {}) is the first global-unicast address{c}, walking interfaces from the highest ifindex down with no name exclusions{}", i.name, i.ifindex, passed_clause(&passed));
            Ok(found(i, a, reason))
        }
        Method::CanReach(target) => {
            let target = *target;
            let src = route_source(target).ok_or(DetectError::Unreachable { target })?;
            let (i, a) =
                holder(interfaces, src).ok_or(DetectError::SourceNotOnInterface { target, src })?;
            let reason = format!(
                "{m}: the kernel's source address toward {target} is {src}, which {} holds as {a}",
                i.name
            );
            Ok(found(i, a, reason))
        }
        Method::KubernetesInternalIp => {
            let ip = internal_ip.ok_or(DetectError::NoInternalIp)?;
            let (i, a) =
                holder(interfaces, ip).ok_or_else(|| DetectError::InternalIpNotOnHost {
                    ip,
                    interfaces: listing(interfaces),
                })?;
            let reason = format!(
                "{m}: the Node's InternalIP {ip} is held by {} as {a}, which gives its prefix",
                i.name
            );
            Ok(found(i, a, reason))
        }
    }
}

/// Parses calico-node's `IP` environment variable.
pub fn parse_ip_env(text: &str) -> Result<IpEnv, IpEnvError> {
    match text {
        "" | "autodetect" => return Ok(IpEnv::Autodetect),
        "none" => return Ok(IpEnv::None),
        _ => {}
    }
    let parsed = match parse_go_cidr(text) {
        Some((IpAddr::V4(ip), len)) => Some(IpEnv::Fixed(v4_net(ip, len))),
        _ if text.contains('/') => None,
        _ => text.parse().ok().map(IpEnv::FixedAddress),
    };
    parsed.ok_or_else(|| IpEnvError(text.to_string()))
}

/// The prefix calico-node gives a bare `IP=<address>`: that of the interface holding the address
/// (any interface, descending ifindex), else /32 (calico-node then warns "Unable to confirm IPv4
/// address … is assigned to this host").
pub fn resolve_fixed(ip: Ipv4Addr, interfaces: &[HostInterface]) -> Ipv4Network {
    holder(interfaces, ip).map_or_else(|| Ipv4Network::from(ip), |(_, n)| n)
}

#[cfg(test)]
mod tests;
