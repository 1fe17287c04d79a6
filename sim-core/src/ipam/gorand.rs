//! Pure port of Go `math/rand`'s ALFG source (plus `math/big` `Int.Rand` and `hash/fnv` FNV-1 32),
//! used by Calico's block choice; no I/O.
//!
//! Bit-exactness with Go matters here: Calico picks a node's first IPAM block with this generator,
//! so any deviation changes which CIDR a simulated node claims.

include!("gorand_cooked.rs");

const RNG_LEN: usize = 607;
const RNG_TAP: usize = 273;
const INT32_MAX: i64 = (1 << 31) - 1;
const RNG_MASK: u64 = (1 << 63) - 1;

/// Go's `seedrand`: one step of the Park–Miller LCG (x·48271 mod 2³¹−1) via Schrage's method.
fn seedrand(x: i32) -> i32 {
    const A: i32 = 48271;
    const Q: i32 = 44488;
    const R: i32 = 3399;
    let (hi, lo) = (x / Q, x % Q);
    let x = A * lo - R * hi;
    if x < 0 {
        x + INT32_MAX as i32
    } else {
        x
    }
}

/// Go's `rand.New(rand.NewSource(seed))`: additive lagged Fibonacci generator (len 607, tap 273).
#[derive(Clone)]
pub struct GoRand {
    tap: usize,
    feed: usize,
    vec: [i64; RNG_LEN],
}

impl GoRand {
    /// Same state as Go's `rngSource.Seed(seed)`: seed is reduced mod 2³¹−1 and 0 maps to 89482311.
    pub fn new(seed: i64) -> Self {
        let mut seed = seed % INT32_MAX;
        if seed < 0 {
            seed += INT32_MAX;
        }
        if seed == 0 {
            seed = 89_482_311;
        }
        let mut x = seed as i32;
        let mut vec = [0i64; RNG_LEN];
        for i in -20..RNG_LEN as isize {
            x = seedrand(x);
            if i >= 0 {
                let mut u = i64::from(x) << 40;
                x = seedrand(x);
                u ^= i64::from(x) << 20;
                x = seedrand(x);
                u ^= i64::from(x);
                vec[i as usize] = u ^ RNG_COOKED[i as usize];
            }
        }
        GoRand {
            tap: 0,
            feed: RNG_LEN - RNG_TAP,
            vec,
        }
    }

    /// Go's `Rand.Uint64` (the source's raw 64-bit output).
    pub fn uint64(&mut self) -> u64 {
        self.tap = self.tap.checked_sub(1).unwrap_or(RNG_LEN - 1);
        self.feed = self.feed.checked_sub(1).unwrap_or(RNG_LEN - 1);
        let x = self.vec[self.feed].wrapping_add(self.vec[self.tap]);
        self.vec[self.feed] = x;
        x as u64
    }

    /// Go's `Rand.Int63`: the top bit cleared.
    pub fn int63(&mut self) -> i64 {
        (self.uint64() & RNG_MASK) as i64
    }

    /// Go's `Rand.Uint32` (`Int63() >> 31`).
    pub fn uint32(&mut self) -> u32 {
        (self.int63() >> 31) as u32
    }

    /// Go's `Rand.Int31` (`Int63() >> 32`).
    pub fn int31(&mut self) -> i32 {
        (self.int63() >> 32) as i32
    }

    /// Go's `Rand.Int31n`: uniform in `[0, n)` by rejection; panics if `n <= 0`, like Go.
    pub fn int31n(&mut self, n: i32) -> i32 {
        assert!(n > 0, "invalid argument to int31n");
        if n & (n - 1) == 0 {
            return self.int31() & (n - 1);
        }
        let max = (INT32_MAX - (1i64 << 31) % i64::from(n)) as i32;
        let mut v = self.int31();
        while v > max {
            v = self.int31();
        }
        v % n
    }

    /// Go's `Rand.Intn` for `n <= 2³¹−1`, which delegates to `Int31n`.
    pub fn intn(&mut self, n: i32) -> i32 {
        self.int31n(n)
    }

    /// `math/big` `Int.Rand(rnd, n)` on a 64-bit platform: uniform in `[0, n)` (0 if `n == 0`).
    ///
    /// Each 64-bit word is `Uint32() | Uint32() << 32`, the most significant word is masked to
    /// `bitlen(n)` bits, and the whole draw is retried until below `n` — this word layout is what
    /// makes the result differ from a plain `Uint64`-based draw.
    pub fn big_rand(&mut self, n: u128) -> u128 {
        if n == 0 {
            return 0;
        }
        let bits = 128 - n.leading_zeros();
        let words = bits.div_ceil(64);
        let msw_bits = match bits % 64 {
            0 => 64,
            b => b,
        };
        let mask = u64::MAX >> (64 - msw_bits);
        loop {
            let mut z = 0u128;
            for i in 0..words {
                let lo = u64::from(self.uint32());
                let hi = u64::from(self.uint32());
                let mut w = lo | hi << 32;
                if i == words - 1 {
                    w &= mask;
                }
                z |= u128::from(w) << (64 * i);
            }
            if z < n {
                return z;
            }
        }
    }
}

/// FNV-1 32-bit hash as Go's `hash/fnv.New32` (multiply, then xor); Calico's per-host seed.
pub fn fnv1_32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        h.wrapping_mul(0x0100_0193) ^ u32::from(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed1_int63_matches_go() {
        let mut r = GoRand::new(1);
        assert_eq!(r.int63(), 5577006791947779410);
        assert_eq!(r.int63(), 8674665223082153551);
    }

    #[test]
    fn seed1_intn10_matches_go() {
        let mut r = GoRand::new(1);
        let got: Vec<i32> = (0..10).map(|_| r.intn(10)).collect();
        assert_eq!(got, [1, 7, 7, 9, 1, 8, 5, 0, 6, 0]);
    }

    #[test]
    fn zero_and_congruent_seeds_alias_like_go() {
        // Go maps seed 0 to 89482311 and reduces seeds mod 2^31-1.
        let first = |s| GoRand::new(s).int63();
        assert_eq!(first(0), first(89_482_311));
        assert_eq!(first(5), first(5 + INT32_MAX));
        assert_eq!(first(-1), first(INT32_MAX - 1));
    }

    #[test]
    fn fnv1_32_minikube() {
        assert_eq!(fnv1_32(b"minikube"), 2218975071);
        assert_eq!(fnv1_32(b""), 0x811c_9dc5);
    }

    #[test]
    fn big_rand_matches_python_port() {
        // Expected values from /work/shared/tools/gorand.py (GoRand(seed).big_rand(n)),
        // covering one- and two-word limits.
        let cases: [(i64, u128, u128); 5] = [
            (3957252814, (1 << 64) + 3, 13848646716548840090),
            (7, 1 << 100, 978801729837994217847576825993),
            (3, 1 << 64, 4041158608367294019),
            (3, u64::MAX as u128, 12038913395296094400),
            (2218975071, 1024, 481),
        ];
        for (seed, n, want) in cases {
            assert_eq!(GoRand::new(seed).big_rand(n), want, "seed {seed} n {n}");
        }
    }

    #[test]
    fn big_rand_stays_below_n() {
        let mut r = GoRand::new(42);
        for n in [1u128, 2, 3, 1024, (1 << 64) + 3, u128::MAX] {
            for _ in 0..50 {
                assert!(r.big_rand(n) < n);
            }
        }
        assert_eq!(r.big_rand(0), 0);
    }
}
