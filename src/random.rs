//! Random bytes for generated tokens, keys and JWTs, from the operating system's generator.

/// `n` random bytes.
pub(crate) fn bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // The OS generator failing is not something a test harness can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    bytes
}

/// `n` random bytes as lowercase hex.
pub(crate) fn hex(n: usize) -> String {
    bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_random_and_sized() {
        let a = super::hex(6);
        assert_eq!(a.len(), 12);
        assert_ne!(a, super::hex(6));
    }
}
