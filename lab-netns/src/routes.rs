//! `ip route add` inside a namespace, as the plan spells each route: blackhole, `via`,
//! `dev`, `onlink`, `scope link`, `proto N` (Calico's 80 and BIRD's 12 included) and `src`.

use std::collections::HashMap;

use netlink_packet_route::route::{RouteAttribute, RouteProtocol, RouteScope, RouteType};
use rtnetlink::{Handle, RouteMessageBuilder};
use sim_core::plan::RoutePlan;

use crate::error::{Error, Result};
use crate::rtnl::index_of;

pub(crate) async fn add(
    h: &Handle,
    ns: &str,
    r: &RoutePlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let mut b = RouteMessageBuilder::<std::net::Ipv4Addr>::new()
        .destination_prefix(r.dst.network(), r.dst.prefix())
        .protocol(RouteProtocol::from(r.protocol));
    if r.blackhole {
        b = b.kind(RouteType::BlackHole);
    }
    if r.scope_link {
        b = b.scope(RouteScope::Link);
    }
    if r.onlink {
        b = b.onlink();
    }
    if let Some(via) = r.via {
        b = b.gateway(via);
    }
    if let Some(src) = r.src {
        b = b.pref_source(src);
    }
    let mut msg = b.build();
    if let Some(dev) = &r.dev {
        let index = index_of(devices, ns, dev)?;
        msg.attributes.push(RouteAttribute::Oif(index));
    }
    h.route().add(msg).execute().await.map_err(|e| {
        Error::op(
            ns,
            r.dev.as_deref(),
            format!("add route {}", describe(r)),
            e,
        )
    })
}

/// The route as `ip route` would be given it, for error messages.
fn describe(r: &RoutePlan) -> String {
    let mut s = if r.blackhole {
        format!("blackhole {}", r.dst)
    } else {
        r.dst.to_string()
    };
    if let Some(via) = r.via {
        s += &format!(" via {via}");
    }
    if let Some(dev) = &r.dev {
        s += &format!(" dev {dev}");
    }
    if r.onlink {
        s += " onlink";
    }
    if r.scope_link {
        s += " scope link";
    }
    s + &format!(" proto {}", r.protocol)
}
