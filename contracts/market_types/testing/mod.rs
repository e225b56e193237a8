//! The test kit every contract's unit tests share (feature `testing`, which each
//! contract enables only in its dev-dependencies, so nothing here reaches a Wasm build).
//!
//! A refusal must change nothing and emit nothing: [`assert_refused!`](crate::assert_refused)
//! checks the typed error and compares the contract's [`Fingerprint`] (everything a
//! caller can observe, encoded) and the count of recorded events around the call.
//!
//! ink!'s off-chain environment cannot call another contract, so the kit also holds
//! the one set of test doubles for what the contracts call, each in thread-local state
//! (every `#[ink::test]` runs on its own thread; [`reset`] empties them all):
//! - [`psp22`]: every PSP22 token (balances, allowances, and tokens that refuse or
//!   fail). [`crate::psp22_calls`] calls it instead of a token under this feature.
//! - [`vault`]: every escrow vault (orders, streams, collateral, the arbiter's side).
//! - [`targets`]: the governed contracts' admin side, the registry's auditor list, and
//!   the log of governed calls.
//!
//! Each double answers the raw result of a cross-contract call ([`crate::Answer`]) to a
//! function named and shaped after the message, so the contracts' own reading of both
//! error layers runs in their unit tests: a contract's `calls.rs` swaps its on-chain
//! transport for [`vault`] and [`targets`] with one `cfg(test)`.

use crate::Answer;
use core::fmt::Debug;
use ink::prelude::vec::Vec;

pub mod psp22;
pub mod targets;
pub mod vault;

/// Empties every double: no tokens, no vaults, no targets, an empty log.
pub fn reset() {
    psp22::reset();
    vault::reset();
    targets::reset();
}

/// The message's own result of a call a test makes into a double directly.
///
/// # Panics
/// If the call failed (a trap or a `LangError`) or the message refused.
pub fn answered<T, E: Debug>(answer: Answer<Result<T, E>>) -> T {
    match answer {
        Ok(Ok(Ok(value))) => value,
        Ok(Ok(Err(e))) => panic!("the callee refused: {e:?}"),
        Ok(Err(e)) => panic!("the call failed: {e:?}"),
        Err(e) => panic!("the call failed: {e:?}"),
    }
}

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
