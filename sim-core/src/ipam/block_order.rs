//! Calico's candidate block order for a node (`randomBlockGenerator` in libcalico-go's
//! `ipam_block_reader_writer.go`), as lazily generated block indexes.
//!
//! Calico seeds the generator with FNV-1 32 of the hostname, except for /32 and /128 blocks
//! (block size == address bits), where it seeds with the current time and is thus
//! non-deterministic. calisim uses the hostname seed for those too, so runs stay reproducible;
//! the caller decides when that applies — this module only sees `num_blocks`.

use super::gorand::{fnv1_32, GoRand};

/// First candidate index: `big.Int.Rand(rand.New(rand.NewSource(fnv1_32(hostname))), num_blocks)`.
pub fn start_index(hostname: &str, num_blocks: u128) -> u128 {
    GoRand::new(i64::from(fnv1_32(hostname.as_bytes()))).big_rand(num_blocks)
}

/// Block indexes `start, start+1, …, num_blocks-1, 0, …, start-1`, each exactly once.
///
/// Block `i` of a pool is `pool_base + i * 2^(addr_bits - block_size)`. Generated in O(1) per
/// step, since IPv6 pools can hold far more blocks than could ever be materialised.
#[derive(Clone, Debug)]
pub struct BlockOrder {
    num_blocks: u128,
    next: u128,
    remaining: u128,
}

impl BlockOrder {
    /// Candidate order for `hostname` in a pool of `num_blocks` blocks (empty if `num_blocks == 0`).
    pub fn for_host(hostname: &str, num_blocks: u128) -> BlockOrder {
        BlockOrder {
            num_blocks,
            next: start_index(hostname, num_blocks),
            remaining: num_blocks,
        }
    }
}

impl Iterator for BlockOrder {
    type Item = u128;

    fn next(&mut self) -> Option<u128> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let cur = self.next;
        self.next = if cur + 1 == self.num_blocks {
            0
        } else {
            cur + 1
        };
        Some(cur)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.remaining) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minikube_starts_at_10_244_120_64() {
        // 10.244.0.0/16 in /26 blocks: 1024 blocks; 10.244.120.64 is block 120*4 + 1.
        assert_eq!(start_index("minikube", 1024), 481);
    }

    #[test]
    fn visits_each_block_once_and_wraps() {
        let order: Vec<u128> = BlockOrder::for_host("node1", 4).collect();
        // 172.16.0.0/24 in /26 blocks: vector starts at .128 (index 2).
        assert_eq!(order, [2, 3, 0, 1]);
    }

    #[test]
    fn empty_and_single_block_pools() {
        assert_eq!(BlockOrder::for_host("h", 0).count(), 0);
        assert_eq!(BlockOrder::for_host("h", 1).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn huge_pool_is_lazy() {
        let n = 1u128 << 100;
        let mut it = BlockOrder::for_host("node1", n);
        let first = it.next().unwrap();
        assert!(first < n);
        assert_eq!(it.next(), Some((first + 1) % n));
        assert_eq!(it.size_hint().1, None);
    }
}
