//! rtnetlink sessions into lab namespaces. rtnetlink has no "handle inside namespace X",
//! but a netlink socket belongs to the namespace of the thread that opened it: each socket
//! is opened on a thread inside its namespace, then driven from one current-thread tokio
//! runtime on the caller's thread. Every device operation of a build goes through here.

use std::collections::HashMap;
use std::future::Future;
use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};

use futures::TryStreamExt;
use netlink_packet_route::link::LinkAttribute;
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockProtocol, SockType};
use rtnetlink::sys::TokioSocket;
use rtnetlink::Handle;

use crate::error::{Error, Result};
use crate::netns;

/// One runtime, one rtnetlink connection per namespace (opened on first use).
pub(crate) struct Rtnl {
    rt: tokio::runtime::Runtime,
    handles: HashMap<String, Handle>,
}

impl Rtnl {
    pub fn new() -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| Error::op("-", None, "start the netlink runtime", e))?;
        Ok(Self {
            rt,
            handles: HashMap::new(),
        })
    }

    /// The connection into namespace `ns`.
    pub fn handle(&mut self, ns: &str) -> Result<Handle> {
        if let Some(h) = self.handles.get(ns) {
            return Ok(h.clone());
        }
        let fd: OwnedFd = netns::run_in(ns, || {
            socket(
                AddressFamily::Netlink,
                SockType::Datagram,
                SockFlag::SOCK_CLOEXEC,
                SockProtocol::NetlinkRoute,
            )
        })?
        .map_err(|e| Error::op(ns, None, "open a netlink socket", e))?;
        let handle = self.rt.block_on(async {
            // SAFETY: `fd` is a netlink socket we own; TokioSocket takes it over.
            let socket = unsafe { TokioSocket::from_raw_fd(fd.into_raw_fd()) };
            let (connection, handle, _) = rtnetlink::from_socket(socket);
            tokio::spawn(connection);
            handle
        });
        self.handles.insert(ns.to_owned(), handle.clone());
        Ok(handle)
    }

    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

/// Every device of the namespace by name, with its index.
pub(crate) async fn indexes(h: &Handle, ns: &str) -> Result<HashMap<String, u32>> {
    let mut links = h.link().get().execute();
    let mut out = HashMap::new();
    while let Some(msg) = links
        .try_next()
        .await
        .map_err(|e| Error::op(ns, None, "list devices", e))?
    {
        for attr in &msg.attributes {
            if let LinkAttribute::IfName(name) = attr {
                out.insert(name.clone(), msg.header.index);
            }
        }
    }
    Ok(out)
}

/// The index of `dev`, or an error naming it.
pub(crate) fn index_of(map: &HashMap<String, u32>, ns: &str, dev: &str) -> Result<u32> {
    map.get(dev).copied().ok_or_else(|| {
        Error::op(
            ns,
            Some(dev),
            "find the device",
            crate::error::Cause::Message("no such device".into()),
        )
    })
}

/// `aa:bb:cc:dd:ee:ff` as bytes.
pub(crate) fn mac(ns: &str, dev: &str, text: &str) -> Result<Vec<u8>> {
    let bytes: Option<Vec<u8>> = text
        .split(':')
        .map(|b| u8::from_str_radix(b, 16).ok())
        .collect();
    bytes.filter(|b| b.len() == 6).ok_or_else(|| {
        Error::op(
            ns,
            Some(dev),
            "read the MAC address",
            crate::error::Cause::Message(format!("{text:?} is not a MAC address")),
        )
    })
}
