//! End-to-end tests of the marketplace contracts on a real `substrate-contracts-node`.
//!
//! Run with `make test` (or `cargo test -p e2e --features e2e-tests`). Each test starts
//! its own dev node (the binary on PATH, or `CONTRACTS_NODE`), or reuses the one at
//! `CONTRACTS_NODE_URL`. The suite is a single test binary so that ink_e2e builds every
//! contract of the workspace once per run.
//!
//! Without the `e2e-tests` feature this crate is empty: the feature is the switch, and
//! `scripts/test.sh` always sets it and fails if no e2e test ran.
#![cfg(all(test, feature = "e2e-tests"))]

/// Asserts that a call is refused with the typed error `$expected`, on the node, twice:
/// its dry-run returns `Err($expected)` (the variant, decoded), and submitting it as an
/// extrinsic fails (an ink! message that returns `Err` reverts, so nothing it wrote is
/// kept and none of its events are deposited).
macro_rules! assert_refused {
    ($client:expr, $signer:expr, $call:expr, $expected:expr) => {{
        let call = $call;
        let dry = $client.call($signer, &call).dry_run().await?;
        assert_eq!(dry.return_value(), Err($expected));
        let submitted = $client.call($signer, &call).submit().await;
        assert!(
            submitted.is_err(),
            "a call refused with {:?} must fail on chain",
            $expected
        );
    }};
}

mod escrow;
mod hostile;
mod purchase;
mod registry;
mod token;

use ink_e2e::events::{ContractEmitted, EventWithTopics};

/// Error type of every e2e test.
pub type E2EResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The `ContractEmitted` events of a call that are of type `T`, recognised by their
/// signature topic (ink! 5 puts it first), so events of other types that happen to
/// decode as `T` are never mistaken for it.
fn events_of<T: ink::scale::Decode + ink::env::Event>(
    events: Vec<EventWithTopics<ContractEmitted<ink::env::DefaultEnvironment>>>,
) -> Vec<T> {
    events
        .into_iter()
        .filter(|e| {
            T::SIGNATURE_TOPIC.is_some() && e.topics.first().map(|t| t.0) == T::SIGNATURE_TOPIC
        })
        .filter_map(|e| T::decode(&mut &e.event.data[..]).ok())
        .collect()
}

/// Milliseconds since the Unix epoch, the clock the dev node stamps blocks with.
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
