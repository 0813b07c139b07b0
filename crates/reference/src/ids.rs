//! Random ids, tokens and keys, and every random choice of a fault or a variant: drawn from
//! the server's seeded generator while it seeds its store or handles a request, so that a
//! server started with the same seed draws the same values in the same order (`serve --seed`,
//! and the matrix, which seeds each run from its subject's name); from the operating system's
//! generator anywhere else.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A seeded generator (SplitMix64): the same seed gives the same draws, in order. Shared by a
/// server's requests, so with requests in flight at once the order, not the values, varies.
#[derive(Debug)]
pub struct Draws {
    seed: u64,
    state: AtomicU64,
}

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

impl Draws {
    /// A generator that draws from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            state: AtomicU64::new(seed),
        }
    }

    /// A generator seeded from the operating system's generator.
    pub fn unseeded() -> Self {
        let bytes = os_bytes(8);
        Self::new(u64::from_le_bytes(bytes.try_into().unwrap_or_default()))
    }

    /// The seed it draws from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn next(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `n` bytes, the next of its draws.
    pub fn bytes(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

tokio::task_local! {
    static DRAWS: Arc<Draws>;
}

/// Runs `future` (a request's handling) with `draws` as the source of [`random_bytes`].
pub async fn drawing<F: Future>(draws: Arc<Draws>, future: F) -> F::Output {
    DRAWS.scope(draws, future).await
}

/// Runs `f` (the seeding of a store) with `draws` as the source of [`random_bytes`].
pub fn drawing_sync<R>(draws: Arc<Draws>, f: impl FnOnce() -> R) -> R {
    DRAWS.sync_scope(draws, f)
}

fn os_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // The OS generator failing is not something a test server can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    bytes
}

/// `n` random bytes: the server's seeded draws within [`drawing`], the operating system's
/// otherwise.
pub fn random_bytes(n: usize) -> Vec<u8> {
    DRAWS
        .try_with(|draws| draws.bytes(n))
        .unwrap_or_else(|_| os_bytes(n))
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    random_bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

/// `prefix` and 12 random hex digits, as the docs' example ids: `mlib_6d2f9a4c1e83`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", random_hex(6))
}

/// Unpadded base64url (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_base64url() {
        let id = new_id("mlib_");
        assert!(id.starts_with("mlib_") && id.len() == 17);
        assert_ne!(new_id("mlib_"), id);
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn the_same_seed_draws_the_same_values_in_order_and_another_seed_others() {
        let draw = |seed: u64| {
            drawing_sync(Arc::new(Draws::new(seed)), || {
                (new_id("mlib_"), random_hex(16), random_bytes(3))
            })
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        let draws = Draws::new(7);
        assert_ne!(draws.bytes(8), draws.bytes(8), "each draw is the next");
        assert_eq!(Draws::new(7).seed(), 7);
        // Outside a server's scope: the operating system's generator.
        assert_ne!(random_hex(16), random_hex(16));
    }
}
