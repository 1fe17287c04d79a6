//! Real traffic between lab namespaces, with short timeouts. TCP: a listener in the
//! destination namespace, a connect from the source (delivered = the handshake completes).
//! UDP: an echo in the destination (delivered = the echo comes back). ICMP: an echo request
//! on a raw socket in the source (delivered = the echo reply comes back). Listener and
//! sender each run on a thread inside their namespace.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::time::{Duration, Instant};

use nix::sys::socket::{recvfrom, sendto, setsockopt, sockopt, MsgFlags, SockaddrIn};
use nix::sys::time::TimeVal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::netns;

/// How long a probe waits for its answer.
pub const TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
    Icmp,
}

/// One probe: from a namespace to an address (served by a namespace, if any).
#[derive(Debug, Clone)]
pub struct Target {
    pub from_ns: String,
    /// Where to listen (TCP, UDP); `None` for an address no namespace of the lab holds.
    pub to_ns: Option<String>,
    pub dst: Ipv4Addr,
    pub proto: Proto,
    pub port: u16,
    /// The port to listen on when it differs from `port` (a service's target port).
    pub listen_port: Option<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub delivered: bool,
    /// What happened, in words (`handshake completed`, `no answer within 1 s`, ...).
    pub detail: String,
    /// Time to the answer, when there was one.
    pub millis: Option<f64>,
}

impl Outcome {
    pub(crate) fn answered(what: &str, took: Duration) -> Self {
        Outcome {
            delivered: true,
            detail: what.to_owned(),
            millis: Some(took.as_secs_f64() * 1000.0),
        }
    }

    pub(crate) fn failed(detail: String) -> Self {
        Outcome {
            delivered: false,
            detail,
            millis: None,
        }
    }
}

/// Why a send failed, in words.
pub(crate) fn failure(e: &std::io::Error, timeout: Duration) -> String {
    match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            format!("no answer within {} s", timeout.as_secs_f64())
        }
        ErrorKind::ConnectionRefused => {
            "refused: the destination answered with a reset or port unreachable".into()
        }
        _ => e.to_string(),
    }
}

pub fn probe(t: &Target, timeout: Duration) -> Result<Outcome> {
    match t.proto {
        Proto::Tcp => tcp(t, timeout),
        Proto::Udp => udp(t, timeout),
        Proto::Icmp => icmp(t, timeout),
    }
}

/// Binds `port` in `ns` with `bind`; `None` when something there already listens on it.
fn listen<S: Send>(
    ns: Option<&str>,
    port: u16,
    bind: impl FnOnce(SocketAddr) -> std::io::Result<S> + Send,
) -> Result<Option<S>> {
    let Some(ns) = ns else { return Ok(None) };
    let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    match netns::run_in(ns, || bind(any))? {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == ErrorKind::AddrInUse => Ok(None),
        Err(e) => Err(Error::op(ns, None, format!("listen on port {port}"), e)),
    }
}

fn tcp(t: &Target, timeout: Duration) -> Result<Outcome> {
    // The kernel completes the handshake for a listening socket; nothing needs to accept.
    let listener = listen(
        t.to_ns.as_deref(),
        t.listen_port.unwrap_or(t.port),
        TcpListener::bind,
    )?;
    let to = SocketAddr::from((t.dst, t.port));
    let sent = netns::run_in(&t.from_ns, || {
        let start = Instant::now();
        TcpStream::connect_timeout(&to, timeout).map(|_| start.elapsed())
    })?;
    drop(listener);
    Ok(match sent {
        Ok(took) => Outcome::answered("handshake completed", took),
        Err(e) => Outcome::failed(failure(&e, timeout)),
    })
}

fn udp(t: &Target, timeout: Duration) -> Result<Outcome> {
    let echo = listen(
        t.to_ns.as_deref(),
        t.listen_port.unwrap_or(t.port),
        UdpSocket::bind,
    )?;
    let stop = AtomicBool::new(false);
    let to = SocketAddr::from((t.dst, t.port));
    let payload = b"calisim probe";
    std::thread::scope(|s| {
        if let Some(sock) = &echo {
            s.spawn(|| serve_echo(sock, &stop));
        }
        let sent = netns::run_in(&t.from_ns, || -> std::io::Result<Duration> {
            let sock = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
            sock.connect(to)?;
            sock.set_read_timeout(Some(timeout))?;
            let start = Instant::now();
            sock.send(payload)?;
            let mut buf = [0u8; 64];
            let n = sock.recv(&mut buf)?;
            if &buf[..n] == payload {
                Ok(start.elapsed())
            } else {
                Err(std::io::Error::other("a different datagram came back"))
            }
        });
        stop.store(true, Ordering::SeqCst);
        Ok(match sent? {
            Ok(took) => Outcome::answered("echo received", took),
            Err(e) => Outcome::failed(failure(&e, timeout)),
        })
    })
}

/// Echoes datagrams back to their sender until `stop`.
fn serve_echo(sock: &UdpSocket, stop: &AtomicBool) {
    let _ = sock.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 1500];
    while !stop.load(Ordering::SeqCst) {
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            let _ = sock.send_to(&buf[..n], from);
        }
    }
}

fn icmp(t: &Target, timeout: Duration) -> Result<Outcome> {
    static SEQ: AtomicU16 = AtomicU16::new(0);
    let id = (std::process::id() as u16) ^ SEQ.fetch_add(1, Ordering::Relaxed).rotate_left(8);
    let sent = netns::run_in(&t.from_ns, || ping(t.dst, id, timeout))?;
    Ok(match sent {
        Ok(took) => Outcome::answered("echo reply received", took),
        Err(e) => Outcome::failed(failure(&e, timeout)),
    })
}

/// One ICMP echo request on a raw socket (root), waiting for its reply from `dst`.
fn ping(dst: Ipv4Addr, id: u16, timeout: Duration) -> std::io::Result<Duration> {
    // SAFETY: plain socket(2); the descriptor is owned from here on.
    let raw = unsafe {
        nix::libc::socket(
            nix::libc::AF_INET,
            nix::libc::SOCK_RAW | nix::libc::SOCK_CLOEXEC,
            nix::libc::IPPROTO_ICMP,
        )
    };
    if raw < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let request = echo_request(id, 1);
    let start = Instant::now();
    let to = SockaddrIn::from(SocketAddrV4::new(dst, 0));
    sendto(fd.as_raw_fd(), &request, &to, MsgFlags::empty())?;
    let mut buf = [0u8; 1500];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        let tv = TimeVal::new(left.as_secs() as _, left.subsec_micros().max(1) as _);
        setsockopt(&fd, sockopt::ReceiveTimeout, &tv)?;
        let (n, _) = match recvfrom::<SockaddrIn>(fd.as_raw_fd(), &mut buf) {
            Ok(r) => r,
            Err(nix::Error::EAGAIN) => return Err(ErrorKind::TimedOut.into()),
            Err(e) => return Err(e.into()),
        };
        if is_reply(&buf[..n], dst, id) {
            return Ok(start.elapsed());
        }
    }
}

/// An ICMP echo request with 56 bytes of payload, checksummed.
fn echo_request(id: u16, seq: u16) -> Vec<u8> {
    let mut p = vec![8, 0, 0, 0];
    p.extend(id.to_be_bytes());
    p.extend(seq.to_be_bytes());
    p.extend((0..56u8).map(|i| i.wrapping_add(0x10)));
    let sum = checksum(&p);
    p[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An IPv4 packet holding an echo reply from `dst` with our id.
fn is_reply(packet: &[u8], dst: Ipv4Addr, id: u16) -> bool {
    let Some(&first) = packet.first() else {
        return false;
    };
    let ihl = usize::from(first & 0x0f) * 4;
    if packet.len() < ihl + 8 || packet.len() < 20 {
        return false;
    }
    let src = Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]);
    let icmp = &packet[ihl..];
    src == dst && icmp[0] == 0 && u16::from_be_bytes([icmp[4], icmp[5]]) == id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_requests_checksum_to_zero() {
        let p = echo_request(0x1234, 1);
        assert_eq!(p.len(), 64);
        assert_eq!(checksum(&p), 0);
    }

    #[test]
    fn replies_are_recognised_by_source_and_id() {
        let mut packet = vec![
            0x45, 0, 0, 84, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1,
        ];
        let mut reply = echo_request(7, 1);
        reply[0] = 0;
        packet.extend(reply);
        assert!(is_reply(&packet, Ipv4Addr::new(10, 0, 0, 2), 7));
        assert!(!is_reply(&packet, Ipv4Addr::new(10, 0, 0, 3), 7));
        assert!(!is_reply(&packet, Ipv4Addr::new(10, 0, 0, 2), 8));
    }
}
