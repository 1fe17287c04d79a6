//! Tests of calico-node's autodetection rules.
use super::*;

fn net(s: &str) -> Ipv4Network {
    s.parse().unwrap()
}

fn nic<'a>(name: &'a str, ifindex: u32, addrs: &[&str]) -> HostInterface<'a> {
    HostInterface {
        name,
        ifindex,
        addresses: addrs.iter().map(|a| net(a)).collect(),
    }
}

fn no_route(_: Ipv4Addr) -> Option<Ipv4Addr> {
    None
}

fn run(method: &str, ifs: &[HostInterface]) -> Result<Detected, DetectError> {
    detect(&parse_method(method).unwrap(), ifs, &no_route, None)
}

/// A typical Calico node: loopback, the NIC, and everything Calico/Docker/CNI create.
fn busy_host() -> Vec<HostInterface<'static>> {
    vec![
        nic("lo", 1, &["127.0.0.1/8"]),
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("docker0", 3, &["172.17.0.1/16"]),
        nic("cni0", 4, &["10.244.0.1/24"]),
        nic("cali1a2b3c4d5e6", 5, &["169.254.1.1/32", "10.9.9.9/32"]),
        nic("tunl0", 6, &["192.168.100.1/32"]),
        nic("vxlan.calico", 7, &["192.168.100.64/32"]),
        nic("br-0a1b2c3d4e5f", 8, &["172.18.0.1/16"]),
        nic("nodelocaldns", 9, &["169.254.20.10/32", "10.96.0.10/32"]),
        nic("kube-ipvs0", 10, &["10.96.0.1/32"]),
        nic("veth9f8e7d", 11, &["10.8.8.8/24"]),
        nic("wireguard.cali", 12, &["10.7.7.7/32"]),
        nic("flannel.1", 13, &["10.6.6.6/32"]),
        nic("virbr0", 14, &["192.168.122.1/24"]),
    ]
}

#[test]
fn parse_all_methods() {
    assert_eq!(parse_method(""), Ok(Method::FirstFound));
    assert_eq!(parse_method("first-found"), Ok(Method::FirstFound));
    assert_eq!(
        parse_method("interface=eth0 , ens.*"),
        Ok(Method::Interface(vec!["eth0".into(), "ens.*".into()]))
    );
    assert_eq!(
        parse_method("skip-interface=eth1"),
        Ok(Method::SkipInterface(vec!["eth1".into()]))
    );
    assert_eq!(
        parse_method("cidr=10.0.0.0/8, 192.168.56.0/24"),
        Ok(Method::Cidr(vec![
            net("10.0.0.0/8"),
            net("192.168.56.0/24")
        ]))
    );
    assert_eq!(
        parse_method("can-reach=8.8.8.8"),
        Ok(Method::CanReach(Ipv4Addr::new(8, 8, 8, 8)))
    );
    assert_eq!(
        parse_method("kubernetes-internal-ip"),
        Ok(Method::KubernetesInternalIp)
    );
    // Calico tests this with strings.HasPrefix.
    assert_eq!(
        parse_method("kubernetes-internal-ip-please"),
        Ok(Method::KubernetesInternalIp)
    );
}

#[test]
fn display_round_trips() {
    for m in [
        "first-found",
        "interface=eth0,ens.*",
        "skip-interface=eth1",
        "cidr=10.0.0.0/8,192.168.56.0/24",
        "can-reach=8.8.8.8",
        "kubernetes-internal-ip",
    ] {
        assert_eq!(parse_method(m).unwrap().to_string(), m);
    }
}

#[test]
fn go_split_keeps_outer_whitespace() {
    assert_eq!(
        split_list(" eth0 ,\teth1 "),
        vec![" eth0".to_string(), "eth1 ".to_string()]
    );
    assert_eq!(split_list(""), vec![String::new()]);
    assert_eq!(
        split_list("a, ,b"),
        vec!["a".to_string(), String::new(), "b".to_string()]
    );
}

#[test]
fn unknown_methods_are_rejected_like_calico_node() {
    let e = parse_method("bogus").unwrap_err();
    assert_eq!(e, MethodError::Unknown("bogus".into()));
    assert!(
        e.to_string()
            .starts_with("Invalid IP autodetection method: bogus"),
        "{e}"
    );
    // Not trimmed, not case-folded: calico-node compares the raw string.
    assert!(matches!(
        parse_method("first-found "),
        Err(MethodError::Unknown(_))
    ));
    assert!(matches!(
        parse_method("First-Found"),
        Err(MethodError::Unknown(_))
    ));
    assert!(matches!(
        parse_method("interface"),
        Err(MethodError::Unknown(_))
    ));
}

#[test]
fn bad_regex_and_cidr_name_the_bad_part() {
    let e = parse_method("interface=eth0,eth[").unwrap_err();
    assert!(
        matches!(&e, MethodError::BadRegex { regex, .. } if regex == "eth["),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"eth[\""), "{e}");
    let e = parse_method("skip-interface=(bond").unwrap_err();
    assert!(
        matches!(&e, MethodError::BadRegex { regex, .. } if regex == "(bond"),
        "{e:?}"
    );
    let e = parse_method("cidr=10.0.0.0/8,192.168.1.0/33").unwrap_err();
    assert_eq!(e.to_string(), "Invalid CIDR \"192.168.1.0/33\" for IP autodetection method: cidr=10.0.0.0/8,192.168.1.0/33 (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8)");
    // Go's ParseCIDR wants a prefix; ipnetwork alone would accept a bare address.
    assert!(
        matches!(parse_method("cidr=10.0.0.1"), Err(MethodError::BadCidr { cidr, .. }) if cidr == "10.0.0.1")
    );
    assert!(matches!(
        parse_method("cidr="),
        Err(MethodError::BadCidr { .. })
    ));
    assert!(matches!(
        parse_method("cidr=10.0.0.0/08"),
        Err(MethodError::BadCidr { .. })
    ));
    // IPv6 CIDRs are dropped; only-IPv6 can never match.
    assert_eq!(
        parse_method("cidr=fd00::/8,10.0.0.0/8"),
        Ok(Method::Cidr(vec![net("10.0.0.0/8")]))
    );
    assert_eq!(
        parse_method("cidr=fd00::/8"),
        Err(MethodError::NoIpv4Cidr {
            method: "cidr=fd00::/8".into()
        })
    );
}

#[test]
fn go_joins_regexes_into_one() {
    // Calico compiles "(" + join(")|(") + ")", so a part that is invalid alone can be valid joined.
    assert!(parse_method("interface=eth0)|(eth1").is_ok());
    // An empty regex "()" matches every name.
    assert_eq!(run("interface=", &busy_host()).unwrap().interface, "virbr0");
}

#[test]
fn can_reach_needs_an_ipv4_literal() {
    let e = parse_method("can-reach=www.google.com").unwrap_err();
    assert_eq!(e, MethodError::Hostname("www.google.com".into()));
    assert!(e.to_string().contains("hostname"), "{e}");
    assert!(matches!(
        parse_method("can-reach="),
        Err(MethodError::Hostname(_))
    ));
    assert!(matches!(
        parse_method("can-reach=2001:4860::8888"),
        Err(MethodError::Ipv6Target(_))
    ));
}

#[test]
fn first_found_never_picks_calico_docker_or_cni_devices() {
    let d = run("first-found", &busy_host()).unwrap();
    // virbr0 (14) is excluded too, so the walk ends at eth0.
    assert_eq!(d.interface, "eth0");
    assert_eq!(d.address, net("10.0.0.5/24"));
    assert!(d.reason.contains("excluded by ^docker.*"), "{}", d.reason);
    assert!(
        d.reason
            .contains("vxlan.calico (excluded by ^vxlan\\.calico.*)"),
        "{}",
        d.reason
    );
    for name in [
        "docker0",
        "cni0",
        "cali1a2b3c4d5e6",
        "tunl0",
        "vxlan.calico",
        "br-0a1b2c3d4e5f",
        "nodelocaldns",
        "kube-ipvs0",
        "veth9f8e7d",
        "wireguard.cali",
        "flannel.1",
        "virbr0",
        "lo",
        "lo:1",
        "dummy0",
        "podman1",
        "cbr0",
        "lxcbr0",
        "vxlan-v6.calico",
        "wg-v6.cali",
    ] {
        let ifs = [
            nic("eth0", 2, &["10.0.0.5/24"]),
            nic(name, 50, &["10.1.1.1/24"]),
        ];
        assert_eq!(
            run("", &ifs).unwrap().interface,
            "eth0",
            "{name} was picked"
        );
    }
}

#[test]
fn multi_nic_pitfall_second_nic_with_higher_ifindex_wins() {
    // Vagrant-style: eth0 is the NAT NIC, eth1 the host-only network; the input order is irrelevant.
    let ifs = [
        nic("eth1", 3, &["192.168.56.11/24"]),
        nic("lo", 1, &["127.0.0.1/8"]),
        nic("eth0", 2, &["10.0.2.15/24"]),
    ];
    let d = run("first-found", &ifs).unwrap();
    assert_eq!(
        (d.interface.as_str(), d.address),
        ("eth1", net("192.168.56.11/24"))
    );
    assert!(d.reason.starts_with("first-found: eth1 (ifindex 3) is the highest-ifindex interface not excluded by Calico's default patterns"), "{}", d.reason);
    // A VPN or bond added later takes over silently.
    let mut more = ifs.to_vec();
    more.push(nic("wg0", 9, &["10.200.0.2/32"]));
    assert_eq!(run("", &more).unwrap().interface, "wg0");
}

#[test]
fn default_patterns_are_anchored_at_the_start() {
    // ^veth / ^lo are anchored: ibmveth0 and vlo are candidates, loop0 is not.
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("ibmveth0", 3, &["10.0.1.5/24"]),
    ];
    assert_eq!(run("", &ifs).unwrap().interface, "ibmveth0");
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("loop0", 3, &["10.0.1.5/24"]),
        nic("vlo", 4, &["10.0.2.5/24"]),
    ];
    assert_eq!(run("", &ifs).unwrap().interface, "vlo");
}

#[test]
fn only_global_unicast_addresses_count() {
    assert!(is_global_unicast(Ipv4Addr::new(10, 0, 0, 1)));
    assert!(is_global_unicast(Ipv4Addr::new(240, 0, 0, 1))); // Go counts class E
    for bad in [
        [0, 0, 0, 0],
        [255, 255, 255, 255],
        [127, 0, 0, 1],
        [224, 0, 0, 5],
        [169, 254, 3, 4],
    ] {
        assert!(!is_global_unicast(Ipv4Addr::from(bad)), "{bad:?}");
    }
    // eth1 has only link-local: skipped; eth2 has link-local first, then a usable address.
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("eth1", 3, &["169.254.7.7/16"]),
    ];
    let d = run("", &ifs).unwrap();
    assert_eq!(d.interface, "eth0");
    assert!(
        d.reason
            .contains("eth1 (no global-unicast IPv4 address: 169.254.7.7/16)"),
        "{}",
        d.reason
    );
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("eth2", 4, &["169.254.7.7/16", "172.16.0.9/20"]),
    ];
    assert_eq!(run("", &ifs).unwrap().address, net("172.16.0.9/20"));
}

#[test]
fn first_found_errors_explain_themselves() {
    let e = run(
        "",
        &[
            nic("lo", 1, &["127.0.0.1/8"]),
            nic("docker0", 2, &["172.17.0.1/16"]),
        ],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "no interface matches first-found (calico-node: no valid host interfaces found); interfaces: lo, docker0");
    let e = run("", &[nic("lo", 1, &["127.0.0.1/8"]), nic("eth0", 2, &[])]).unwrap_err();
    assert_eq!(e.to_string(), "first-found: no valid IPv4 addresses found on the host interfaces it considered; walked from the highest ifindex: eth0 (no global-unicast IPv4 address: no IPv4 address), lo (excluded by ^lo)");
}

#[test]
fn interface_regexes_are_unanchored_like_go() {
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("veth0", 7, &["10.22.0.1/24"]),
    ];
    let d = run("interface=eth.*", &ifs).unwrap();
    assert_eq!(
        d.interface, "veth0",
        "Go's MatchString finds eth.* inside veth0"
    );
    assert!(d.reason.contains("matches eth.*"), "{}", d.reason);
    assert_eq!(run("interface=^eth.*", &ifs).unwrap().interface, "eth0");
    assert_eq!(
        run("interface=^eth0$", &ifs).unwrap().address,
        net("10.0.0.5/24")
    );
}

#[test]
fn interface_lists_and_no_default_exclusions() {
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("ens5", 3, &["10.0.1.5/24"]),
        nic("docker0", 4, &["172.17.0.1/16"]),
    ];
    let d = run("interface=eth0,ens.*", &ifs).unwrap();
    assert_eq!(d.interface, "ens5");
    assert!(
        d.reason.contains("matches ens.*") && d.reason.contains("docker0 (name does not match)"),
        "{}",
        d.reason
    );
    assert_eq!(run("interface=docker0", &ifs).unwrap().interface, "docker0");
    let e = run(
        "interface=eth9",
        &[nic("eth0", 2, &["10.0.0.5/24"]), nic("eth1", 3, &[])],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "no interface matches interface=eth9 (calico-node: no valid host interfaces found); interfaces: eth0, eth1");
}

#[test]
fn skip_interface_adds_to_the_defaults() {
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("eth1", 3, &["192.168.56.11/24"]),
        nic("docker0", 4, &["172.17.0.1/16"]),
    ];
    let d = run("skip-interface=eth1", &ifs).unwrap();
    assert_eq!(d.interface, "eth0");
    assert!(
        d.reason.contains("eth1 (excluded by eth1)")
            && d.reason.contains("docker0 (excluded by ^docker.*)"),
        "{}",
        d.reason
    );
    assert!(matches!(
        run("skip-interface=eth.*", &ifs),
        Err(DetectError::NoMatchingInterface { .. })
    ));
}

#[test]
fn cidr_takes_interface_order_not_cidr_order() {
    let ifs = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("eth1", 3, &["192.168.56.11/24"]),
        nic("eth2", 4, &["172.31.9.9/16"]),
    ];
    let d = run("cidr=10.0.0.0/8,192.168.0.0/16", &ifs).unwrap();
    assert_eq!(
        (d.interface.as_str(), d.address),
        ("eth1", net("192.168.56.11/24"))
    );
    assert!(
        d.reason.contains("inside 192.168.0.0/16")
            && d.reason
                .contains("eth2 (no global-unicast address inside the CIDRs: 172.31.9.9/16)"),
        "{}",
        d.reason
    );
    assert_eq!(run("cidr=10.0.0.0/24", &ifs).unwrap().interface, "eth0");
    // Pitfall: a CIDR that also covers the IP pool matches tunl0's /32 (higher ifindex).
    let ifs3 = [
        nic("eth0", 2, &["192.168.56.11/24"]),
        nic("tunl0", 5, &["192.168.1.0/32"]),
    ];
    assert_eq!(
        run("cidr=192.168.0.0/16", &ifs3).unwrap().interface,
        "tunl0"
    );
    assert_eq!(
        run("cidr=192.168.56.0/24", &ifs3).unwrap().interface,
        "eth0"
    );
    // Host bits in the method's CIDR do not matter (Go masks them).
    assert_eq!(run("cidr=10.0.0.77/24", &ifs).unwrap().interface, "eth0");
    // No name exclusions: cidr= can select docker0.
    let ifs2 = [
        nic("eth0", 2, &["10.0.0.5/24"]),
        nic("docker0", 3, &["172.17.0.1/16"]),
    ];
    assert_eq!(
        run("cidr=172.16.0.0/12", &ifs2).unwrap().interface,
        "docker0"
    );
    let e = run("cidr=100.64.0.0/10", &ifs).unwrap_err();
    assert!(matches!(e, DetectError::NoUsableAddress { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("cidr=100.64.0.0/10: no valid IPv4 addresses found"),
        "{e}"
    );
}

#[test]
fn can_reach_uses_the_kernel_source_address() {
    let ifs = [
        nic("lo", 1, &["127.0.0.1/8"]),
        nic("eth0", 2, &["10.0.2.15/24"]),
        nic("eth1", 3, &["192.168.56.11/24"]),
    ];
    let route = |dst: Ipv4Addr| -> Option<Ipv4Addr> {
        if dst.octets()[0] == 192 {
            Some(Ipv4Addr::new(192, 168, 56, 11))
        } else if dst.octets()[0] == 203 {
            Some(Ipv4Addr::new(198, 51, 100, 1)) // e.g. a SNAT'd source no interface holds
        } else if dst.is_loopback() {
            Some(dst)
        } else if dst.octets()[0] == 100 {
            None
        } else {
            Some(Ipv4Addr::new(10, 0, 2, 15))
        }
    };
    let m = |s: &str| parse_method(s).unwrap();
    let d = detect(&m("can-reach=8.8.8.8"), &ifs, &route, None).unwrap();
    assert_eq!(
        (d.interface.as_str(), d.address),
        ("eth0", net("10.0.2.15/24"))
    );
    assert_eq!(d.reason, "can-reach=8.8.8.8: the kernel's source address toward 8.8.8.8 is 10.0.2.15, which eth0 holds as 10.0.2.15/24");
    assert_eq!(
        detect(&m("can-reach=192.168.56.12"), &ifs, &route, None)
            .unwrap()
            .interface,
        "eth1"
    );
    // No exclusions or global-unicast check, exactly like ReachDestination.
    assert_eq!(
        detect(&m("can-reach=127.0.0.1"), &ifs, &route, None)
            .unwrap()
            .address,
        net("127.0.0.1/8")
    );
    let e = detect(&m("can-reach=100.64.0.1"), &ifs, &route, None).unwrap_err();
    assert_eq!(
        e,
        DetectError::Unreachable {
            target: Ipv4Addr::new(100, 64, 0, 1)
        }
    );
    let e = detect(&m("can-reach=203.0.113.1"), &ifs, &route, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("does not match any addresses found on local interfaces: 198.51.100.1"),
        "{e}"
    );
}

#[test]
fn kubernetes_internal_ip() {
    let ifs = [
        nic("eth0", 2, &["10.0.2.15/24"]),
        nic("eth1", 3, &["192.168.56.11/24"]),
    ];
    let m = Method::KubernetesInternalIp;
    let d = detect(&m, &ifs, &no_route, Some(Ipv4Addr::new(10, 0, 2, 15))).unwrap();
    assert_eq!(
        (d.interface.as_str(), d.address),
        ("eth0", net("10.0.2.15/24"))
    );
    assert!(
        d.reason.contains("InternalIP 10.0.2.15 is held by eth0"),
        "{}",
        d.reason
    );
    assert_eq!(
        detect(&m, &ifs, &no_route, None),
        Err(DetectError::NoInternalIp)
    );
    let e = detect(&m, &ifs, &no_route, Some(Ipv4Addr::new(172, 20, 0, 4))).unwrap_err();
    assert!(matches!(e, DetectError::InternalIpNotOnHost { .. }));
    assert!(
        e.to_string().contains("172.20.0.4 is on no host interface")
            && e.to_string().ends_with("interfaces: eth0, eth1"),
        "{e}"
    );
}

#[test]
fn methods_built_by_hand_are_still_checked() {
    let m = Method::Interface(vec!["eth[".into()]);
    assert!(matches!(
        detect(&m, &busy_host(), &no_route, None),
        Err(DetectError::Method(MethodError::BadRegex { .. }))
    ));
}

#[test]
fn ip_env() {
    assert_eq!(parse_ip_env("autodetect"), Ok(IpEnv::Autodetect));
    assert_eq!(parse_ip_env(""), Ok(IpEnv::Autodetect));
    assert_eq!(parse_ip_env("none"), Ok(IpEnv::None));
    let fixed = parse_ip_env("192.168.56.11/24").unwrap();
    assert_eq!(fixed, IpEnv::Fixed(net("192.168.56.11/24")));
    assert!(
        matches!(fixed, IpEnv::Fixed(n) if n.ip() == Ipv4Addr::new(192, 168, 56, 11)),
        "host bits are kept"
    );
    assert_eq!(
        parse_ip_env("10.0.2.15"),
        Ok(IpEnv::FixedAddress(Ipv4Addr::new(10, 0, 2, 15)))
    );
    for bad in [
        "Autodetect",
        "NONE",
        "10.0.0.300",
        "10.0.0.1/33",
        "fd00::1",
        "fd00::1/64",
        "eth0",
        " 10.0.0.1",
    ] {
        let e = parse_ip_env(bad).unwrap_err();
        assert_eq!(e, IpEnvError(bad.into()));
        assert!(
            e.to_string().starts_with(&format!(
                "Environment does not contain a valid IPv4 address: IP={bad} "
            )),
            "{e}"
        );
    }
}

#[test]
fn resolve_fixed_takes_the_interface_prefix_or_32() {
    let ifs = [
        nic("lo", 1, &["127.0.0.1/8"]),
        nic("eth0", 2, &["10.0.2.15/24", "10.0.3.15/16"]),
    ];
    assert_eq!(
        resolve_fixed(Ipv4Addr::new(10, 0, 3, 15), &ifs),
        net("10.0.3.15/16")
    );
    assert_eq!(
        resolve_fixed(Ipv4Addr::new(10, 9, 9, 9), &ifs),
        net("10.9.9.9/32")
    );
}
