//! CPython's `random.Random` (3.11), for the few calls the workload generator makes, so that a
//! seed gives exactly the numbers Python gives: the MT19937 generator seeded from an integer as
//! `random_seed` in `Modules/_randommodule.c` does, `random()`, `getrandbits`, and `randrange` /
//! `choice` through `_randbelow_with_getrandbits` (`Lib/random.py`). Not for anything else.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

pub struct PyRandom {
    state: [u32; N],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)` for a non-negative integer seed: the seed's 32-bit words, least
    /// significant first (one zero word for 0), go to `init_by_array`.
    pub fn new(seed: u64) -> Self {
        let key: Vec<u32> = if seed >> 32 == 0 {
            vec![seed as u32]
        } else {
            vec![seed as u32, (seed >> 32) as u32]
        };
        let mut rng = PyRandom {
            state: [0; N],
            index: N,
        };
        rng.init_by_array(&key);
        rng
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let mt = &mut self.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let previous = mt[i - 1];
            mt[i] = (mt[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let previous = mt[i - 1];
            mt[i] = (mt[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
    }

    fn twist(&mut self) {
        let mt = &mut self.state;
        let mag = |y: u32| if y & 1 == 0 { 0 } else { MATRIX_A };
        for k in 0..N {
            let y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag(y);
        }
        self.index = 0;
    }

    /// `genrand_uint32`: the next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: a float in [0, 1) from 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 32`.
    fn getrandbits(&mut self, k: u32) -> u32 {
        debug_assert!(k <= 32);
        if k == 0 {
            return 0;
        }
        self.next_u32() >> (32 - k)
    }

    /// `_randbelow_with_getrandbits(n)`: draws `n.bit_length()` bits until they are below `n`
    /// (so even `n = 1` consumes a word).
    fn randbelow(&mut self, n: u32) -> u32 {
        assert!(n > 0, "empty range");
        let k = u32::BITS - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// `randrange(stop)`.
    pub fn below(&mut self, stop: u32) -> u32 {
        self.randbelow(stop)
    }

    /// `randrange(start, stop, step)` for a positive step.
    pub fn randrange(&mut self, start: i64, stop: i64, step: i64) -> i64 {
        assert!(step > 0, "only positive steps are used");
        let n = (stop - start + step - 1).div_euclid(step);
        let n = u32::try_from(n).expect("a non-empty range below 2^32");
        start + step * i64::from(self.randbelow(n))
    }

    /// `choice(items)`.
    pub fn choice<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = u32::try_from(items.len()).expect("fewer than 2^32 items");
        &items[self.randbelow(n) as usize]
    }
}

#[cfg(test)]
mod tests {
    /// Values printed by CPython 3.11: `random.Random(1).random()` and friends. (No `use`: the
    /// bench builds this module with `cfg(test)` but without the test harness.)
    #[test]
    fn matches_cpython() {
        use super::PyRandom;
        let mut rng = PyRandom::new(1);
        assert_eq!(rng.random(), 0.134_364_244_112_401_22);
        let mut rng = PyRandom::new(2);
        let drawn: Vec<i64> = (0..5).map(|_| rng.randrange(0, 100, 1)).collect();
        assert_eq!(drawn, [7, 11, 10, 46, 21]);
        let mut rng = PyRandom::new(3);
        let drawn: Vec<i64> = (0..3).map(|_| rng.randrange(480, 841, 15)).collect();
        assert_eq!(drawn, [585, 750, 735]);
        assert_eq!(*rng.choice(&[1, 2, 3]), 1);
        assert_eq!(rng.random(), 0.369_955_166_548_079_25);
    }
}
