//! The Calico policy model as Felix sees it (`projectcalico.org/v3` policies, rules, network sets); pure data.
//!
//! Field names follow the v3 API as users write them (camelCase). Selector fields are kept as the
//! selector *text*; an empty string means "not set", exactly as in Calico's Go structs (for a policy
//! `selector` that means `all()`, for an EntityRule it means "no selector constraint").
//!
//! Sources: `api/pkg/apis/projectcalico/v3/policy_common.go`, `api/pkg/lib/numorstring/{port,protocol}.go`,
//! `libcalico-go/lib/clientv3/networkpolicy.go` (`defaultPolicyTypesField`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// A direction a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyType {
    Ingress,
    Egress,
}

/// A rule's action. `Log` logs (prefix `calico-packet`) and continues with the next rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Allow,
    Deny,
    Log,
    Pass,
}

/// An IP protocol as Calico spells it: one of the known names or a number 1–255.
///
/// Like Calico's `numorstring.Protocol`, `Protocol::Number(6)` and `Protocol::Tcp` are distinct
/// values (they match the same packets; see [`Protocol::number`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    IcmpV6,
    Sctp,
    UdpLite,
    Number(u8),
}

/// Error from [`Protocol::parse`] / [`Port::parse`] and their deserialisers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("invalid protocol {0:?}: expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255")]
    Protocol(String),
    #[error("invalid port format ({0})")]
    Port(String),
    #[error("invalid minimum port number in range ({0})")]
    PortRangeMin(String),
    #[error("invalid maximum port number in range ({0})")]
    PortRangeMax(String),
    #[error("minimum port number ({0}) is greater than maximum port number ({1}) in port range")]
    PortRangeOrder(u16, u16),
    #[error("invalid name for named port ({0})")]
    PortName(String),
}

impl Protocol {
    const NAMED: [(Protocol, &'static str); 6] = [
        (Protocol::Udp, "UDP"),
        (Protocol::Tcp, "TCP"),
        (Protocol::Icmp, "ICMP"),
        (Protocol::IcmpV6, "ICMPv6"),
        (Protocol::Sctp, "SCTP"),
        (Protocol::UdpLite, "UDPLite"),
    ];

    /// Parses a protocol as written in a v3 resource: an exact name (`TCP`, `UDP`, `ICMP`,
    /// `ICMPv6`, `SCTP`, `UDPLite`) or a decimal number 1–255.
    pub fn parse(s: &str) -> Result<Protocol, ValueError> {
        if let Some((p, _)) = Self::NAMED.iter().find(|(_, n)| *n == s) {
            return Ok(*p);
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = s.parse::<u8>() {
                return Self::from_number(n);
            }
        }
        Err(ValueError::Protocol(s.to_string()))
    }

    /// `numorstring.ProtocolFromString` for the known names: case-insensitive, canonical spelling.
    /// Returns `None` for anything else (Calico would pass the string through unvalidated).
    pub fn from_name_case_insensitive(s: &str) -> Option<Protocol> {
        Self::NAMED
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(p, _)| *p)
    }

    /// A numeric protocol; 0 is rejected as in Calico's validator.
    pub fn from_number(n: u8) -> Result<Protocol, ValueError> {
        if n == 0 {
            Err(ValueError::Protocol("0".into()))
        } else {
            Ok(Protocol::Number(n))
        }
    }

    /// IANA protocol number (TCP 6, UDP 17, ICMP 1, ICMPv6 58, SCTP 132, UDPLite 136).
    pub fn number(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp => 1,
            Protocol::IcmpV6 => 58,
            Protocol::Sctp => 132,
            Protocol::UdpLite => 136,
            Protocol::Number(n) => n,
        }
    }

    /// `numorstring.Protocol.SupportsPorts`: TCP, UDP, SCTP (by name or number). Note that
    /// Calico's code does not list UDPLite here even though docs mention it.
    pub fn supports_ports(self) -> bool {
        matches!(self.number(), 6 | 17 | 132)
    }
}

impl fmt::Display for Protocol {
    /// Calico's `Protocol.String()`: the name, or the decimal number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Number(n) => write!(f, "{n}"),
            p => {
                let name = Self::NAMED.iter().find(|(q, _)| q == p).map(|(_, n)| *n);
                f.write_str(name.unwrap_or("?"))
            }
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Protocol::Number(n) => s.serialize_u8(*n),
            p => s.collect_str(p),
        }
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Protocol;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a protocol name or a number 1-255")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Protocol, E> {
                Protocol::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Protocol, E> {
                let n =
                    u8::try_from(v).map_err(|_| E::custom(ValueError::Protocol(v.to_string())))?;
                Protocol::from_number(n).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Protocol, E> {
                let n =
                    u64::try_from(v).map_err(|_| E::custom(ValueError::Protocol(v.to_string())))?;
                self.visit_u64(n)
            }
        }
        d.deserialize_any(V)
    }
}

/// A port match: a numeric range (a single port has `min == max`) or a named port.
///
/// Mirrors `numorstring.Port`: deserialises from a number (`80`) or a string (`"80"`, `"80:90"`,
/// `"http"`), serialises a single port as a number, a range as `"min:max"`, a name as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Port {
    Range { min: u16, max: u16 },
    Named(String),
}

impl Port {
    /// A single numeric port.
    pub fn single(p: u16) -> Port {
        Port::Range { min: p, max: p }
    }

    /// `numorstring.PortFromRange`: fails when `min > max`.
    pub fn range(min: u16, max: u16) -> Result<Port, ValueError> {
        if min > max {
            Err(ValueError::PortRangeOrder(min, max))
        } else {
            Ok(Port::Range { min, max })
        }
    }

    /// A named port (not validated; see [`Port::parse`]).
    pub fn named(name: impl Into<String>) -> Port {
        Port::Named(name.into())
    }

    /// `numorstring.PortFromString`: all digits → single port (≤ 65535); `<digits>:<digits>` →
    /// range; otherwise a name matching `^[a-zA-Z0-9_.-]{1,128}$`.
    pub fn parse(s: &str) -> Result<Port, ValueError> {
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if all_digits(s) {
            return s
                .parse::<u16>()
                .map(Port::single)
                .map_err(|_| ValueError::Port(s.to_string()));
        }
        if let Some((a, b)) = s.split_once(':') {
            if all_digits(a) && all_digits(b) {
                let min = a
                    .parse::<u16>()
                    .map_err(|_| ValueError::PortRangeMin(s.to_string()))?;
                let max = b
                    .parse::<u16>()
                    .map_err(|_| ValueError::PortRangeMax(s.to_string()))?;
                return Port::range(min, max);
            }
        }
        let name_ok = (1..=128).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if name_ok {
            Ok(Port::Named(s.to_string()))
        } else {
            Err(ValueError::PortName(s.to_string()))
        }
    }

    /// The port name, if this is a named port.
    pub fn name(&self) -> Option<&str> {
        match self {
            Port::Named(n) => Some(n),
            Port::Range { .. } => None,
        }
    }

    /// Whether numeric port `p` is in this range (always false for named ports).
    pub fn contains(&self, p: u16) -> bool {
        match self {
            Port::Range { min, max } => (*min..=*max).contains(&p),
            Port::Named(_) => false,
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Named(n) => f.write_str(n),
            Port::Range { min, max } if min == max => write!(f, "{min}"),
            Port::Range { min, max } => write!(f, "{min}:{max}"),
        }
    }
}

impl Serialize for Port {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Port::Range { min, max } if min == max => s.serialize_u16(*min),
            p => s.collect_str(p),
        }
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Port;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a port number, a \"min:max\" range or a port name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Port, E> {
                Port::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Port, E> {
                u16::try_from(v)
                    .map(Port::single)
                    .map_err(|_| E::custom(ValueError::Port(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Port, E> {
                u16::try_from(v)
                    .map(Port::single)
                    .map_err(|_| E::custom(ValueError::Port(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// `icmp` / `notICMP` match. `code` requires `type` (validation, not enforced by the type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct IcmpFields {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
}

/// `serviceAccounts` in an EntityRule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountMatch {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selector: String,
}

/// One side (source or destination) of a rule. All present fields are ANDed; entries inside a
/// list are ORed. Empty strings / lists mean "not set".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_nets: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selector: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub not_selector: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace_selector: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_accounts: Option<ServiceAccountMatch>,
}

impl EntityRule {
    /// True when the entity constrains nothing (matches every packet).
    pub fn is_empty(&self) -> bool {
        *self == EntityRule::default()
    }
}

/// A policy rule. All present criteria are ANDed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_protocol: Option<Protocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<IcmpFields>,
    #[serde(rename = "notICMP", default, skip_serializing_if = "Option::is_none")]
    pub not_icmp: Option<IcmpFields>,
    #[serde(default, skip_serializing_if = "EntityRule::is_empty")]
    pub source: EntityRule,
    #[serde(default, skip_serializing_if = "EntityRule::is_empty")]
    pub destination: EntityRule,
}

impl Rule {
    /// A rule with only an action (matches everything).
    pub fn new(action: Action) -> Rule {
        Rule {
            action,
            ip_version: None,
            protocol: None,
            not_protocol: None,
            icmp: None,
            not_icmp: None,
            source: EntityRule::default(),
            destination: EntityRule::default(),
        }
    }
}

/// Spec of a `NetworkPolicy` or `GlobalNetworkPolicy` (GNP-only fields are simply unset for
/// namespaced policies: `namespaceSelector`, `doNotTrack`, `preDNAT`; `applyOnForward` is forced
/// true for namespaced policies by Calico's update processor, not stored here).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selector: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace_selector: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service_account_selector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<PolicyType>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<Rule>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub do_not_track: bool,
    #[serde(rename = "preDNAT", default, skip_serializing_if = "is_false")]
    pub pre_dnat: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub apply_on_forward: bool,
}

/// `projectcalico.org/v3` NetworkPolicy spec.
pub type NetworkPolicySpec = PolicySpec;
/// `projectcalico.org/v3` GlobalNetworkPolicy spec.
pub type GlobalNetworkPolicySpec = PolicySpec;

/// The metadata fields the simulator uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// A namespaced `projectcalico.org/v3` NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NetworkPolicy {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NetworkPolicySpec,
}

/// A cluster-scoped `projectcalico.org/v3` GlobalNetworkPolicy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GlobalNetworkPolicy {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: GlobalNetworkPolicySpec,
}

/// `NetworkSet` / `GlobalNetworkSet` spec: CIDRs or IPs selected by the set's labels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NetworkSetSpec {
    #[serde(default)]
    pub nets: Vec<String>,
}

/// Alias: the GlobalNetworkSet spec has the same shape.
pub type GlobalNetworkSetSpec = NetworkSetSpec;

/// Calico's `defaultPolicyTypesField`: a non-empty `types` is returned as given; otherwise
/// `[Ingress]` if there are no egress rules (including no rules at all), `[Egress]` if there are
/// only egress rules, `[Ingress, Egress]` if both.
pub fn default_types(spec: &PolicySpec) -> Vec<PolicyType> {
    match &spec.types {
        Some(t) if !t.is_empty() => t.clone(),
        _ if spec.egress.is_empty() => vec![PolicyType::Ingress],
        _ if spec.ingress.is_empty() => vec![PolicyType::Egress],
        _ => vec![PolicyType::Ingress, PolicyType::Egress],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_parse_forms() {
        assert_eq!(Port::parse("80").unwrap(), Port::single(80));
        assert_eq!(Port::parse("080").unwrap(), Port::single(80));
        assert_eq!(Port::parse("0").unwrap(), Port::single(0));
        assert_eq!(Port::parse("65535").unwrap(), Port::single(65535));
        assert_eq!(
            Port::parse("80:90").unwrap(),
            Port::Range { min: 80, max: 90 }
        );
        assert_eq!(Port::parse("80:80").unwrap(), Port::single(80));
        assert_eq!(Port::parse("http").unwrap(), Port::named("http"));
        assert_eq!(
            Port::parse("my_port.v-1").unwrap(),
            Port::named("my_port.v-1")
        );
        // Go's name regex also accepts "-1": a quirk we mirror.
        assert_eq!(Port::parse("-1").unwrap(), Port::named("-1"));
    }

    #[test]
    fn port_parse_errors() {
        assert_eq!(Port::parse("65536"), Err(ValueError::Port("65536".into())));
        assert_eq!(
            Port::parse("70000:80"),
            Err(ValueError::PortRangeMin("70000:80".into()))
        );
        assert_eq!(
            Port::parse("80:70000"),
            Err(ValueError::PortRangeMax("80:70000".into()))
        );
        assert_eq!(
            Port::parse("90:80"),
            Err(ValueError::PortRangeOrder(90, 80))
        );
        for bad in ["", "foo:90", "80:", ":80", "a b", "+80", "ü"] {
            assert!(Port::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Port::parse(&"a".repeat(128)).is_ok());
        assert!(Port::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn port_serde_round_trip() {
        let ports: Vec<Port> = serde_json::from_str(r#"[80, "80", "80:90", "http"]"#).unwrap();
        assert_eq!(
            ports,
            vec![
                Port::single(80),
                Port::single(80),
                Port::Range { min: 80, max: 90 },
                Port::named("http")
            ]
        );
        assert_eq!(
            serde_json::to_string(&ports).unwrap(),
            r#"[80,80,"80:90","http"]"#
        );
        assert!(serde_json::from_str::<Port>("65536").is_err());
        assert!(serde_json::from_str::<Port>("-1").is_err());
        assert!(serde_json::from_str::<Port>(r#""9:8""#).is_err());
        assert!(Port::Range { min: 5, max: 9 }.contains(9));
        assert!(!Port::named("x").contains(0));
    }

    #[test]
    fn protocol_parse() {
        assert_eq!(Protocol::parse("TCP").unwrap(), Protocol::Tcp);
        assert_eq!(Protocol::parse("ICMPv6").unwrap(), Protocol::IcmpV6);
        assert_eq!(Protocol::parse("UDPLite").unwrap(), Protocol::UdpLite);
        assert_eq!(Protocol::parse("6").unwrap(), Protocol::Number(6));
        assert_eq!(Protocol::parse("255").unwrap(), Protocol::Number(255));
        for bad in ["tcp", "0", "256", "", "GRE", "-1"] {
            assert!(Protocol::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let ps: Vec<Protocol> = serde_json::from_str(r#"["UDP", 17, "SCTP", 1]"#).unwrap();
        assert_eq!(
            ps,
            vec![
                Protocol::Udp,
                Protocol::Number(17),
                Protocol::Sctp,
                Protocol::Number(1)
            ]
        );
        assert_eq!(
            serde_json::to_string(&ps).unwrap(),
            r#"["UDP",17,"SCTP",1]"#
        );
        assert!(serde_json::from_str::<Protocol>("0").is_err());
        assert!(serde_json::from_str::<Protocol>("256").is_err());
        assert_eq!(
            Protocol::from_name_case_insensitive("sctp"),
            Some(Protocol::Sctp)
        );
        assert_eq!(Protocol::from_name_case_insensitive("6"), None);
        assert_eq!(Protocol::Number(17).number(), Protocol::Udp.number());
        assert!(Protocol::Number(132).supports_ports());
        assert!(!Protocol::Icmp.supports_ports());
        assert_eq!(Protocol::IcmpV6.to_string(), "ICMPv6");
    }

    fn spec(ingress: usize, egress: usize, types: Option<Vec<PolicyType>>) -> PolicySpec {
        PolicySpec {
            ingress: vec![Rule::new(Action::Allow); ingress],
            egress: vec![Rule::new(Action::Deny); egress],
            types,
            ..PolicySpec::default()
        }
    }

    #[test]
    fn default_types_rules() {
        use PolicyType::*;
        assert_eq!(default_types(&spec(0, 0, None)), vec![Ingress]);
        assert_eq!(default_types(&spec(1, 0, None)), vec![Ingress]);
        assert_eq!(default_types(&spec(0, 2, None)), vec![Egress]);
        assert_eq!(default_types(&spec(1, 1, None)), vec![Ingress, Egress]);
        assert_eq!(
            default_types(&spec(1, 1, Some(vec![]))),
            vec![Ingress, Egress]
        );
        assert_eq!(default_types(&spec(1, 0, Some(vec![Egress]))), vec![Egress]);
    }

    #[test]
    fn policy_spec_deserialises_user_yaml_fields() {
        let json = r#"{
          "order": 100, "selector": "app == 'db'", "types": ["Ingress"], "preDNAT": true,
          "doNotTrack": false, "applyOnForward": true, "namespaceSelector": "all()",
          "ingress": [{"action": "Deny", "protocol": "TCP", "notProtocol": 17, "ipVersion": 4,
                       "icmp": {"type": 8, "code": 0}, "notICMP": {"type": 3},
                       "source": {"nets": ["10.0.0.0/8"], "notSelector": "x == 'y'",
                                  "serviceAccounts": {"names": ["sa"], "selector": "a == 'b'"}},
                       "destination": {"ports": [80, "http", "1:2"], "notPorts": [81]}}]
        }"#;
        let s: PolicySpec = serde_json::from_str(json).unwrap();
        assert_eq!(s.order, Some(100.0));
        assert!(s.pre_dnat && s.apply_on_forward && !s.do_not_track);
        let r = &s.ingress[0];
        assert_eq!(r.action, Action::Deny);
        assert_eq!(r.not_protocol, Some(Protocol::Number(17)));
        assert_eq!(r.icmp.unwrap().icmp_type, Some(8));
        assert_eq!(r.not_icmp.unwrap().code, None);
        assert_eq!(
            r.source.service_accounts.as_ref().unwrap().names,
            vec!["sa".to_string()]
        );
        assert_eq!(r.destination.ports.len(), 3);
        assert_eq!(r.destination.not_ports, vec![Port::single(81)]);
        let back: PolicySpec = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let ns: NetworkSetSpec = serde_json::from_str(r#"{"nets": ["1.2.3.4/32"]}"#).unwrap();
        assert_eq!(ns.nets, vec!["1.2.3.4/32".to_string()]);
    }
}
