//! The property test's operations: every message a payer, a payee, a controller, a
//! provider, the arbiter and strangers can try, with the arguments that reach its edges
//! (amounts up to `u128::MAX`, periods up to the horizon, short approvals), and the
//! proptest strategy that draws them; and the accounts and assets they act on.

use super::*;
use market_types::MAX_PERIOD_MS;
use proptest::prelude::*;

/// Who calls a payer-side message: the payer, the controller, or a stranger.
#[derive(Clone, Copy, Debug)]
pub(super) enum Actor {
    Payer,
    Controller,
    Stranger,
}

#[derive(Clone, Debug)]
pub(super) enum Op {
    OpenOrder {
        token: bool,
        by_controller: bool,
        amount: Balance,
        deadline: u64,
        review: u64,
        royalty_bps: u16,
        collateral: Option<usize>,
        funding: u8,
    },
    OpenStream {
        token: bool,
        by_controller: bool,
        /// Per millisecond (so top-ups are mostly exact), or the whole deposit.
        per_ms: bool,
        price: Balance,
        /// `Some`: runs from now + this; `None`: waits until at most now + `start_by`.
        start: Option<u64>,
        start_by: u64,
        len: u64,
        collateral: Option<usize>,
        /// 0 to 99: none; 100 to 199: 1 % to 100 % of the collateral; 200 to 299: all
        /// of it; 300: above it.
        /// Streams with a start get one only at 300 (always refused).
        penalty: u16,
        funding: u8,
        /// The minimum payout, in per mille of the deposit (above 1 000: above it).
        floor: u16,
    },
    Deliver(usize),
    Release(usize, Actor),
    Finalize(usize),
    Refund(usize, bool),
    Dispute(usize, bool, Balance),
    Resolve(usize, u16),
    Expire(usize),
    Claim(usize),
    Stop(usize, Actor),
    TopUp(usize, u64, Actor),
    Start(usize, Starter),
    CancelUnstarted(usize),
    Lock {
        token: bool,
        by_controller: bool,
        amount: Balance,
        unlock: u64,
    },
    /// Two receivers' amounts; with `.3`, in thousandths of what the lock holds.
    Slash(usize, Balance, Balance, bool),
    ReleaseCollateral(usize, bool),
    /// The arbiter (`true`) or a stranger ends a refunded dispute's collateral hold.
    ReleaseHold(usize, bool),
    Extend(usize, u64),
    SetController(bool),
    SetFee(u16),
    SetBond(u16),
    SetWindow(u64),
    SetMin(bool, Balance),
    Withdraw(usize, bool),
    Wait(u64),
}

/// Who tries to start a waiting stream.
#[derive(Clone, Copy, Debug)]
pub(super) enum Starter {
    Payee,
    Controller,
    Payer,
    Stranger,
}

fn amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        1..=1_000u128,
        1..=u128::from(u64::MAX),
        (u128::MAX / 4)..=(u128::MAX / 2),
        (u128::MAX - 1_000)..=u128::MAX,
    ]
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        4 => Just(Actor::Payer),
        4 => Just(Actor::Controller),
        1 => Just(Actor::Stranger),
    ]
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..8;
    let col = proptest::option::weighted(0.3, 0usize..4);
    prop_oneof![
        4 => (
            any::<bool>(),
            any::<bool>(),
            amount(),
            (1u64..5_000, 0u64..5_000),
            0u16..=2_000,
            col.clone(),
            0u8..12
        )
            .prop_map(
                |(token, by_controller, amount, (deadline, review), royalty_bps, collateral, funding)| {
                    Op::OpenOrder {
                        token,
                        by_controller,
                        amount,
                        deadline,
                        review,
                        royalty_bps,
                        collateral,
                        funding,
                    }
                }
            ),
        4 => (
            (any::<bool>(), any::<bool>(), any::<bool>()),
            prop_oneof![
                1..=1_000u128,
                1..=u128::from(u64::MAX),
                (u128::MAX / 20_000)..=(u128::MAX / 10_000)
            ],
            (proptest::option::weighted(0.5, 0u64..2_000), 0u64..5_000, 1u64..5_000),
            // Streams link collateral more often: it backs their no-show penalties.
            proptest::option::weighted(0.6, 0usize..4),
            (0u16..=300, 0u8..12, prop_oneof![3 => Just(0u16), 6 => 0u16..=1_000, 1 => 1_001u16..=1_100])
        )
            .prop_map(
                |((token, by_controller, per_ms), price, (start, start_by, len), collateral, (penalty, funding, floor))| {
                    Op::OpenStream {
                        token,
                        by_controller,
                        per_ms,
                        price,
                        start,
                        start_by,
                        len,
                        collateral,
                        penalty,
                        funding,
                        floor,
                    }
                }
            ),
        2 => idx.clone().prop_map(Op::Deliver),
        2 => (idx.clone(), actor()).prop_map(|(i, a)| Op::Release(i, a)),
        1 => idx.clone().prop_map(Op::Finalize),
        2 => (idx.clone(), any::<bool>()).prop_map(|(i, b)| Op::Refund(i, b)),
        2 => (idx.clone(), any::<bool>(), prop_oneof![Just(0u128), 0..=1_000u128])
            .prop_map(|(i, b, extra)| Op::Dispute(i, b, extra)),
        2 => (idx.clone(), 0u16..=10_000).prop_map(|(i, b)| Op::Resolve(i, b)),
        1 => idx.clone().prop_map(Op::Expire),
        2 => idx.clone().prop_map(Op::Claim),
        2 => (idx.clone(), actor()).prop_map(|(i, a)| Op::Stop(i, a)),
        2 => (idx.clone(), 1u64..3_000, actor()).prop_map(|(i, m, a)| Op::TopUp(i, m, a)),
        2 => (
            idx.clone(),
            prop_oneof![
                4 => Just(Starter::Payee),
                4 => Just(Starter::Controller),
                1 => Just(Starter::Payer),
                1 => Just(Starter::Stranger),
            ]
        )
            .prop_map(|(i, s)| Op::Start(i, s)),
        2 => idx.clone().prop_map(Op::CancelUnstarted),
        2 => (any::<bool>(), any::<bool>(), amount(), 0u64..20_000).prop_map(
            |(token, by_controller, amount, unlock)| Op::Lock {
                token,
                by_controller,
                amount,
                unlock
            }
        ),
        2 => (0usize..4, 1..=1_000u128, 0..=1_000u128, any::<bool>())
            .prop_map(|(i, a, b, relative)| Op::Slash(i, a, b, relative)),
        1 => (0usize..4, any::<bool>()).prop_map(|(i, b)| Op::ReleaseCollateral(i, b)),
        3 => (idx.clone(), any::<bool>()).prop_map(|(i, b)| Op::ReleaseHold(i, b)),
        1 => (0usize..4, 0u64..20_000).prop_map(|(i, ms)| Op::Extend(i, ms)),
        1 => any::<bool>().prop_map(Op::SetController),
        1 => (0u16..=1_000).prop_map(Op::SetFee),
        1 => (0u16..=2_000).prop_map(Op::SetBond),
        1 => prop_oneof![1u64..30_000, Just(MAX_PERIOD_MS)].prop_map(Op::SetWindow),
        1 => (any::<bool>(), 0..=2_000u128).prop_map(|(t, a)| Op::SetMin(t, a)),
        2 => (0usize..6, any::<bool>()).prop_map(|(w, t)| Op::Withdraw(w, t)),
        3 => (0u64..20_000).prop_map(Op::Wait),
    ]
}

pub(super) fn people() -> [AccountId; 6] {
    [alice(), bob(), charlie(), django(), eve(), frank()]
}

/// Everyone a settlement may credit: the payer (refunds, bond excess, slashes), the payee
/// (payouts, bonds, collateral), the royalty and slash receiver, and the treasury. The
/// controller and the arbiter never receive anything; a credit misdirected to them
/// leaves `owed` above the sum below, so the check still catches it.
pub(super) fn receivers() -> [AccountId; 4] {
    [alice(), bob(), charlie(), frank()]
}

pub(super) fn assets() -> [Asset; 2] {
    [Asset::Native, psp22()]
}

pub(super) fn asset_of(token: bool) -> Asset {
    if token {
        psp22()
    } else {
        Asset::Native
    }
}
