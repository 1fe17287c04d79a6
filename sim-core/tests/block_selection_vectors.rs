//! Checks the Go-RNG port and Calico's block order against the shared vectors
//! (`../shared/vectors/ipam_block_selection.json`).

// Crate paths: change these two lines when moving into the real crate
// (`sim_core::ipam::gorand` / `sim_core::ipam::block_order`).
use sim_core::ipam::block_order::BlockOrder;
use sim_core::ipam::gorand::{fnv1_32, GoRand};

use serde::Deserialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/ipam_block_selection.json"
);

#[derive(Deserialize)]
struct Vectors {
    rng_self_check: SelfCheck,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct SelfCheck {
    seed: i64,
    #[serde(rename = "first_two_Int63")]
    first_two_int63: Vec<i64>,
    #[serde(rename = "first_ten_Intn10")]
    first_ten_intn10: Vec<i32>,
}

#[derive(Deserialize)]
struct Case {
    hostname: String,
    pool_cidr: String,
    block_size: u32,
    fnv1_32_of_hostname: u32,
    first_candidate_blocks: Vec<String>,
}

fn load() -> Vectors {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| {
        panic!(
            "../shared is missing: expected the vectors at {VECTORS}; \
             calisim's vector tests need ../shared beside the repo ({e})"
        )
    });
    serde_json::from_str(&text).expect("ipam_block_selection.json does not parse")
}

/// Pool base address as an integer, address bits, and prefix length.
fn parse_cidr(cidr: &str) -> (IpAddr, u128, u32, u32) {
    let (addr, prefix) = cidr.split_once('/').expect("CIDR needs a '/'");
    let addr: IpAddr = addr.parse().expect("bad CIDR address");
    let prefix: u32 = prefix.parse().expect("bad CIDR prefix");
    let (base, bits) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    assert!(prefix <= bits, "prefix too long in {cidr}");
    (addr, base, bits, prefix)
}

/// CIDR of block `index`, formatted with std's `Display` (as the vectors are).
fn block_cidr(family: IpAddr, base: u128, block_bits: u32, block_size: u32, index: u128) -> String {
    let addr = base + (index << block_bits);
    let ip: IpAddr = match family {
        IpAddr::V4(_) => Ipv4Addr::from(u32::try_from(addr).expect("IPv4 overflow")).into(),
        IpAddr::V6(_) => Ipv6Addr::from(addr).into(),
    };
    format!("{ip}/{block_size}")
}

#[test]
fn rng_self_check() {
    let v = load().rng_self_check;
    let mut r = GoRand::new(v.seed);
    let two: Vec<i64> = (0..2).map(|_| r.int63()).collect();
    assert_eq!(two, v.first_two_int63);
    let mut r = GoRand::new(v.seed);
    let ten: Vec<i32> = (0..10).map(|_| r.intn(10)).collect();
    assert_eq!(ten, v.first_ten_intn10);
}

#[test]
fn every_case_matches() {
    let cases = load().cases;
    assert!(!cases.is_empty(), "no cases in {VECTORS}");
    for c in &cases {
        let what = format!("{} in {} /{}", c.hostname, c.pool_cidr, c.block_size);
        assert_eq!(
            fnv1_32(c.hostname.as_bytes()),
            c.fnv1_32_of_hostname,
            "fnv1_32 for {what}"
        );

        let (family, base, bits, prefix) = parse_cidr(&c.pool_cidr);
        assert!(c.block_size >= prefix && c.block_size <= bits, "{what}");
        // 2^(bits-prefix) / 2^(bits-block_size); a shift avoids overflowing 2^128.
        let num_blocks = 1u128 << (c.block_size - prefix);
        let block_bits = bits - c.block_size;

        let got: Vec<String> = BlockOrder::for_host(&c.hostname, num_blocks)
            .take(c.first_candidate_blocks.len())
            .map(|i| block_cidr(family, base, block_bits, c.block_size, i))
            .collect();
        assert_eq!(got, c.first_candidate_blocks, "candidates for {what}");
    }
    eprintln!("checked {} block-selection vector cases", cases.len());
}
