//! The test kit every contract's unit tests share (feature `testing`, which each
//! contract enables only in its dev-dependencies, so nothing here reaches a Wasm build).
//!
//! A refusal must change nothing and emit nothing: [`assert_refused!`](crate::assert_refused)
//! checks the typed error and compares the contract's [`Fingerprint`] (everything a
//! caller can observe, encoded) and the count of recorded events around the call.

use ink::prelude::vec::Vec;

/// Everything a caller can observe of a contract, encoded, so that a refused call can
/// be shown to have changed nothing. Each contract's `tests.rs` implements it from its
/// public views (and the stand-ins' state).
pub trait Fingerprint {
    fn fingerprint(&self) -> Vec<u8>;
}

/// How many events ink!'s off-chain environment has recorded so far.
pub fn event_count() -> usize {
    ink::env::test::recorded_events().count()
}

/// Asserts that `$call` returns `Err($expected)`, and that it changed nothing a caller
/// can observe of `$contract` (its [`Fingerprint`]) and emitted no event.
///
/// `assert_refused!(contract, Error::NotAdmin, contract.set_paused(true))`
#[macro_export]
macro_rules! assert_refused {
    ($contract:expr, $expected:expr, $call:expr $(,)?) => {{
        use $crate::testing::Fingerprint as _;
        let before = ($contract).fingerprint();
        let events = $crate::testing::event_count();
        let got = $call;
        assert_eq!(got, Err($expected), "not refused as expected");
        assert_eq!(
            ($contract).fingerprint(),
            before,
            "state changed by a refused call"
        );
        assert_eq!(
            $crate::testing::event_count(),
            events,
            "event emitted by a refused call"
        );
    }};
}
