//! The vault against hostile counterparties (issue 8). Each test is named for the
//! behaviour it proves; an attack test first shows that the attack path really ran
//! (the approval existed, the claim shrank the bond, the window moved…), then that it
//! failed. Every refusal is checked with `assert_refused!`: the typed error, no state
//! change (storage, balances and the token ledger), no event.
//!
//! The tests are in two files, under the section numbers: `attacks/authority.rs`
//! (who pays and who may act: sections 1 to 4, 8 and 9) and `attacks/settlement.rs` (a
//! counterparty gaming a dispute, a refund or a no-show penalty: sections 5 to 7b). This
//! file holds the PSP22 helpers both use.

use super::*;

fn psp22_order(amount: Balance) -> OrderTerms {
    let mut t = order_terms(amount);
    t.asset = psp22();
    t
}

fn psp22_stream(amount: Balance, start: Timestamp, duration_ms: u64) -> StreamTerms {
    let mut t = stream_terms(amount, start, duration_ms);
    t.asset = psp22();
    t
}

fn allowance_of(owner: AccountId) -> Balance {
    psp22::allowance(token(), owner, vault_id())
}

mod authority;
mod rentals;
mod settlement;
