//! The property test: random sequences of every operation a payer, a payee, a
//! controller, a provider, the arbiter and strangers can try, in native and PSP22, with
//! governance changing parameters while escrows are open. After every step, per asset:
//! `owed` equals the sum of every obligation the harness can enumerate, the vault's real
//! holdings (its native balance, or its balance in the token ledger) cover it, and what
//! came in minus what was withdrawn equals it. Every settlement's parts add up to what
//! the escrow held, and a stream never pays out more or less than
//! `deposit × (min(t, end) − start) / duration`, rounded down (see
//! `prop_money::model_accrued`). Streams open running or waiting for their start; who
//! may start one, when it may be cancelled as a no-show and what penalty that pays out
//! of its collateral, and what a top-up costs (exactly `deposit × extra / duration`,
//! or refused) are checked against a model at every step. At the end a third party
//! drives everything to a terminal state, and every kind of operation must have been
//! exercised.

use super::prop_money::{model_accrued, mul_div};
use super::*;
use crate::types::EscrowRecord;
use ink::env::Event as _;
use market_types::MAX_PERIOD_MS;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Who calls a payer-side message: the payer, the controller, or a stranger.
#[derive(Clone, Copy, Debug)]
enum Actor {
    Payer,
    Controller,
    Stranger,
}

#[derive(Clone, Debug)]
enum Op {
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
enum Starter {
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

fn op() -> impl Strategy<Value = Op> {
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
            (0u16..=300, 0u8..12)
        )
            .prop_map(
                |((token, by_controller, per_ms), price, (start, start_by, len), collateral, (penalty, funding))| {
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

fn people() -> [AccountId; 6] {
    [alice(), bob(), charlie(), django(), eve(), frank()]
}

/// Everyone a settlement may credit: the payer (refunds, bond excess, slashes), the payee
/// (payouts, bonds, collateral), the royalty and slash receiver, and the treasury. The
/// controller and the arbiter never receive anything; a credit misdirected to them
/// leaves `owed` above the sum below, so the check still catches it.
fn receivers() -> [AccountId; 4] {
    [alice(), bob(), charlie(), frank()]
}

fn assets() -> [Asset; 2] {
    [Asset::Native, psp22()]
}

fn asset_of(token: bool) -> Asset {
    if token {
        psp22()
    } else {
        Asset::Native
    }
}

/// What the vault really holds of `asset`: its native balance above what the
/// environment keeps, or its balance in the token ledger.
fn holdings(asset: Asset) -> Balance {
    match asset {
        Asset::Native => vault_balance() - BASE,
        Asset::Psp22(t) => mock_token::balance(t, vault_id()),
    }
}

/// Per asset: Σ open escrows + Σ bonds of open disputes + Σ collateral + Σ credits,
/// from the public getters, must equal the vault's `owed` counter exactly. Returns the
/// sums. `open` and `locked` are the escrows and collateral not yet seen settled or
/// released (those hold nothing and never open again); they are pruned here.
fn obligations(c: &Escrow, open: &mut BTreeSet<u64>, locked: &mut BTreeSet<u64>) -> [Balance; 2] {
    let mut sum = [0u128; 2];
    let slot = |a: Asset| usize::from(slot_key(a));
    open.retain(|&id| {
        let rec = c.escrow(id).unwrap();
        if rec.state == EscrowState::Settled {
            return false;
        }
        let s = &mut sum[slot(rec.asset)];
        *s = s
            .checked_add(crate::money::held(&rec).unwrap())
            .expect("fits");
        if let Some(d) = rec.dispute {
            *s = s.checked_add(d.bond).expect("fits");
        }
        true
    });
    locked.retain(|&id| {
        let col = c.collateral(id).unwrap();
        let s = &mut sum[slot(col.asset)];
        *s = s.checked_add(col.amount).expect("fits");
        !col.released
    });
    for asset in assets() {
        let s = &mut sum[slot(asset)];
        for who in receivers() {
            *s = s.checked_add(c.credit_of(who, asset)).expect("fits");
        }
        let owed = c.reserves(asset).owed;
        assert_eq!(owed, *s, "{asset:?}: owed counter != sum of obligations");
    }
    sum
}

/// What the vault owes must be covered by what it really holds, and must equal what
/// came in minus what was withdrawn.
fn check_solvency(owed: [Balance; 2], net_in: &BTreeMap<u8, Balance>) {
    for asset in assets() {
        let owed = owed[usize::from(slot_key(asset))];
        assert!(
            holdings(asset) >= owed,
            "{asset:?}: vault insolvent: owes {owed}"
        );
        assert_eq!(
            net_in.get(&slot_key(asset)).copied().unwrap_or(0),
            owed,
            "{asset:?}: money created or lost"
        );
    }
}

/// How many times the vault has written its storage so far.
fn vault_writes() -> usize {
    test::get_contract_storage_rw::<Env>(&vault_id()).1
}

fn slot_key(asset: Asset) -> u8 {
    u8::from(asset != Asset::Native)
}

/// How often each settlement reason and each kind of operation succeeded, over all
/// sequences, so the test proves it exercised every path rather than refusing all.
type Seen = std::cell::RefCell<BTreeMap<String, u32>>;

struct Run<'a> {
    c: Escrow,
    now: Timestamp,
    /// Per asset: paid in minus withdrawn; it equals `owed`, so it never overflows.
    net: BTreeMap<u8, Balance>,
    /// Escrows and collateral not yet seen settled or released.
    open: BTreeSet<u64>,
    locked: BTreeSet<u64>,
    /// The obligations last summed, and the vault's storage write count then: a step
    /// that wrote nothing (a refusal) cannot have changed them, so they are summed
    /// again only after a write (reading every cell costs most of this test's time).
    owed: Option<([Balance; 2], usize)>,
    seen: &'a Seen,
}

impl Run<'_> {
    fn count(&self, what: &str) {
        *self.seen.borrow_mut().entry(what.into()).or_default() += 1;
    }

    fn came_in(&mut self, asset: Asset, amount: Balance) {
        let n = self.net.entry(slot_key(asset)).or_default();
        *n = n.checked_add(amount).expect("more came in than u128 holds");
    }

    fn went_out(&mut self, asset: Asset, amount: Balance) {
        let n = self.net.entry(slot_key(asset)).or_default();
        *n = n.checked_sub(amount).expect("withdrew more than came in");
    }

    fn pick(&self, i: usize) -> u64 {
        let n = self.c.escrow_count();
        if n == 0 {
            1
        } else {
            (i as u64 % n) + 1
        }
    }

    fn pick_collateral(&self, i: usize) -> u64 {
        let n = self.c.collateral_count();
        if n == 0 {
            1
        } else {
            (i as u64 % n) + 1
        }
    }

    fn actor(&self, a: Actor) -> AccountId {
        match a {
            Actor::Payer => alice(),
            Actor::Controller => django(),
            Actor::Stranger => charlie(),
        }
    }

    /// Calls `f` as `who` paying `amount` of `asset`: native as the transferred value,
    /// PSP22 by giving `who` the tokens and its approval of the vault first. `funding`
    /// 0 approves one unit short, 1 holds one unit short, anything else is exact.
    fn pay<T>(
        &mut self,
        who: AccountId,
        asset: Asset,
        amount: Balance,
        funding: u8,
        f: impl FnOnce(&mut Escrow) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match asset {
            Asset::Native => paid(who, amount, || f(&mut self.c)),
            Asset::Psp22(t) => {
                let (held, allowed) = match funding {
                    0 => (amount, amount.saturating_sub(1)),
                    1 => (amount.saturating_sub(1), amount),
                    _ => (amount, amount),
                };
                mock_token::set_balance(t, who, held);
                mock_token::approve(t, who, vault_id(), allowed);
                let r = as_(who, || f(&mut self.c));
                if let Err(Error::Token(e)) = &r {
                    // The ledger mints at will, so the vault's own balance can hit
                    // u128::MAX, which no real token's supply allows.
                    let full = *e == market_types::TokenError::Custom("overflow".into());
                    assert!(funding < 2 || full, "token refused an exact payment: {e:?}");
                    if !full {
                        self.count("token_refused");
                    }
                }
                r
            }
        }
    }

    /// The error a payer-side message must return to `caller`, if any.
    fn expected_auth(&self, rec: &EscrowRecord, caller: AccountId) -> Option<Error> {
        let controlled = rec.opener != rec.payer && self.c.is_controller(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payer };
        if caller == allowed {
            None
        } else if caller == rec.payer {
            Some(Error::ControllerOnly)
        } else if caller == rec.opener {
            Some(Error::NotController)
        } else if self.c.is_controller(caller) {
            Some(Error::NotOpener)
        } else {
            Some(Error::NotPayer)
        }
    }

    /// What `start_stream` must return to `caller` on `rec` now.
    fn expected_start(&self, rec: &EscrowRecord, caller: AccountId) -> Result<(), Error> {
        let EscrowTerms::Stream { start_by, .. } = rec.terms else {
            return Err(Error::WrongEscrowKind);
        };
        let controlled = rec.opener != rec.payer && self.c.is_controller(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payee };
        if caller != allowed {
            return Err(if caller == rec.payee {
                Error::ControllerOnly
            } else if self.c.is_controller(caller) {
                Error::NotOpener
            } else {
                Error::NotPayee
            });
        }
        match rec.state {
            EscrowState::Waiting if self.now <= start_by => Ok(()),
            EscrowState::Waiting => Err(Error::StartWindowPassed),
            EscrowState::Streaming => Err(Error::StreamAlreadyStarted),
            _ => Err(Error::EscrowNotOpen),
        }
    }

    /// What `cancel_unstarted` must return on `rec` now: the penalty, at most what the
    /// linked collateral still holds (`col_held`, read before the call).
    fn expected_cancel(&self, rec: &EscrowRecord, col_held: Balance) -> Result<Balance, Error> {
        let EscrowTerms::Stream {
            start_by,
            no_show_penalty,
            ..
        } = rec.terms
        else {
            return Err(Error::WrongEscrowKind);
        };
        match rec.state {
            EscrowState::Waiting if self.now > start_by => Ok(no_show_penalty.min(col_held)),
            EscrowState::Waiting => Err(Error::StartWindowOpen),
            EscrowState::Streaming => Err(Error::StreamAlreadyStarted),
            _ => Err(Error::EscrowNotOpen),
        }
    }

    /// Checks a payer-side call against who may make it; counts how it went.
    fn check_auth(&self, rec: &Option<EscrowRecord>, caller: AccountId, r: &Result<(), Error>) {
        let Some(rec) = rec else { return };
        let expected = self.expected_auth(rec, caller);
        let auth_errors = [
            Error::ControllerOnly,
            Error::NotController,
            Error::NotOpener,
            Error::NotPayer,
        ];
        match (&expected, r) {
            (Some(e), Err(got)) if auth_errors.contains(got) => {
                assert_eq!(got, e, "wrong refusal for {caller:?}");
                if *e == Error::ControllerOnly {
                    self.count("payer_sent_to_controller");
                }
            }
            (Some(e), Err(Error::WrongEscrowKind)) | (Some(e), Err(Error::EscrowNotFound)) => {
                let _ = e;
            }
            (Some(e), got) => panic!("{caller:?} should get {e:?}, got {got:?}"),
            (None, Err(got)) => assert!(!auth_errors.contains(got), "allowed caller got {got:?}"),
            (None, Ok(())) => {
                if rec.opener != rec.payer {
                    if caller == rec.opener {
                        self.count("controller_acted");
                    } else {
                        self.count("payer_acted_after_removal");
                    }
                }
            }
        }
    }

    fn step(&mut self, op: Op) {
        // (id, what it held, its record before) for a settlement to check.
        let mut settled: Option<(u64, Balance, EscrowRecord)> = None;
        let before = |c: &Escrow, id: u64| c.escrow(id);
        match op {
            Op::OpenOrder {
                token,
                by_controller,
                amount,
                deadline,
                review,
                royalty_bps,
                collateral,
                funding,
            } => {
                let asset = asset_of(token);
                let opener = if by_controller { django() } else { alice() };
                let mut t = order_terms(amount);
                t.asset = asset;
                t.delivery_deadline = self.now + deadline;
                t.review_window_ms = review;
                t.royalties[0].bps = royalty_bps;
                t.collateral = collateral.map(|i| self.pick_collateral(i));
                let r = self.pay(opener, asset, amount, funding, |c| c.open_order(alice(), t));
                match r {
                    Ok(id) => {
                        let got = crate::money::held(&self.c.escrow(id).unwrap()).unwrap();
                        assert_eq!(got, amount);
                        self.open.insert(id);
                        self.came_in(asset, amount);
                        if token {
                            self.count("psp22_order");
                        }
                        if by_controller {
                            self.count("controller_opened");
                        }
                        if collateral.is_some() {
                            self.count("linked_to_collateral");
                        }
                    }
                    Err(Error::BelowMinDeposit) => self.count("below_min"),
                    Err(_) => {}
                }
            }
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
            } => {
                let asset = asset_of(token);
                let opener = if by_controller { django() } else { alice() };
                let Some(deposit) = (if per_ms {
                    price.checked_mul(Balance::from(len))
                } else {
                    Some(price)
                }) else {
                    return self.after(None);
                };
                let mut t = stream_terms(deposit, 0, len);
                t.start = start.map(|s| self.now + s);
                t.start_by = self.now + start_by;
                t.asset = asset;
                t.collateral = collateral.map(|i| self.pick_collateral(i));
                let col = t.collateral.and_then(|cid| self.c.collateral(cid));
                let held = col.map_or(0, |c| c.amount);
                t.no_show_penalty = match penalty {
                    _ if start.is_some() && penalty < 300 => 0,
                    0..=99 => 0,
                    300 => held.saturating_add(1),
                    200.. => held.max(1),
                    p => (held / 100 * Balance::from(p - 99)).max(1),
                };
                let terms = t.clone();
                let r = self.pay(opener, asset, deposit, funding, |c| {
                    c.open_stream(alice(), t)
                });
                match r {
                    Ok(id) => {
                        // Opened as asked: running or waiting, the penalty valid.
                        let rec = self.c.escrow(id).unwrap();
                        let waiting = terms.start.is_none();
                        assert_eq!(rec.state == EscrowState::Waiting, waiting);
                        assert!(
                            terms.no_show_penalty == 0
                                || (waiting && col.is_some() && terms.no_show_penalty <= held),
                            "invalid penalty accepted: {terms:?}"
                        );
                        let EscrowTerms::Stream {
                            start,
                            duration_ms,
                            start_by,
                            no_show_penalty,
                            deposit: d,
                            paid_out,
                            frozen_at,
                        } = rec.terms
                        else {
                            panic!("opened an order")
                        };
                        assert_eq!(
                            (start, duration_ms, no_show_penalty, d, paid_out, frozen_at),
                            (terms.start, len, terms.no_show_penalty, deposit, 0, None)
                        );
                        assert_eq!(start_by, terms.start.unwrap_or(terms.start_by));
                        self.open.insert(id);
                        self.came_in(asset, deposit);
                        if token {
                            self.count("psp22_stream");
                        }
                        if by_controller {
                            self.count("controller_opened");
                        }
                        if collateral.is_some() {
                            self.count("linked_to_collateral");
                        }
                        if waiting {
                            self.count("opened_waiting");
                        }
                        if terms.no_show_penalty > 0 {
                            self.count("opened_with_penalty");
                        }
                    }
                    Err(Error::BelowMinDeposit) => self.count("below_min"),
                    Err(Error::InvalidPenalty) => {
                        assert!(
                            terms.no_show_penalty > 0
                                && (terms.start.is_some()
                                    || col.is_none()
                                    || terms.no_show_penalty > held),
                            "valid penalty refused: {terms:?}"
                        );
                        self.count("invalid_penalty");
                    }
                    Err(_) => {}
                }
            }
            Op::Deliver(i) => {
                let id = self.pick(i);
                let was = before(&self.c, id).map(|r| r.state);
                if as_(bob(), || self.c.deliver(id, Hash::from([1; 32]))).is_ok()
                    && was == Some(EscrowState::Disputed)
                {
                    self.count("delivered_in_dispute");
                }
            }
            Op::Release(i, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                let r = as_(who, || self.c.release(id));
                self.check_auth(&rec, who, &r);
                if r.is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Finalize(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                if as_(charlie(), || self.c.finalize(id)).is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Refund(i, by_payee) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = if by_payee { bob() } else { charlie() };
                // A waiting stream's penalty and its collateral before the refund.
                let staked = rec
                    .as_ref()
                    .and_then(|r| match (r.state, &r.terms, r.collateral) {
                        (
                            EscrowState::Waiting,
                            EscrowTerms::Stream {
                                no_show_penalty, ..
                            },
                            Some(cid),
                        ) if *no_show_penalty > 0 => Some((
                            cid,
                            *no_show_penalty,
                            self.c.collateral(cid).unwrap().amount,
                        )),
                        _ => None,
                    });
                if as_(who, || self.c.refund(id)).is_ok() {
                    let rec = rec.unwrap();
                    if matches!(rec.terms, EscrowTerms::Stream { .. }) {
                        self.count("payee_refunded_stream");
                    }
                    if rec.state == EscrowState::Waiting {
                        self.count("payee_refunded_waiting");
                    }
                    if let Some((cid, penalty, held_before)) = staked {
                        // Backing out of a booking costs what not showing up costs.
                        let after = self.c.collateral(cid).unwrap().amount;
                        assert_eq!(after, held_before - penalty.min(held_before));
                        self.count("payee_refund_paid_penalty");
                    }
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Dispute(i, by_payer, extra) => {
                let id = self.pick(i);
                let who = if by_payer { alice() } else { bob() };
                if let Some(rec) = self
                    .c
                    .escrow(id)
                    .filter(|r| r.state == EscrowState::Waiting)
                {
                    // Nothing has accrued, so nothing is at stake: stop or cancel instead.
                    assert_eq!(self.c.required_bond(id), None);
                    let value = Balance::from(rec.asset == Asset::Native);
                    assert_eq!(
                        paid(who, value, || self.c.dispute(id)),
                        Err(Error::StreamNotStarted)
                    );
                    self.count("dispute_waiting_refused");
                }
                if let (Some(bond), Some(rec)) = (self.c.required_bond(id), self.c.escrow(id)) {
                    let credit_before = self.c.credit_of(who, rec.asset);
                    match rec.asset {
                        Asset::Native => {
                            let Some(value) = bond.checked_add(extra) else {
                                return self.after(None);
                            };
                            if paid(who, value, || self.c.dispute(id)).is_ok() {
                                self.came_in(rec.asset, value);
                                assert_eq!(
                                    self.c.credit_of(who, rec.asset),
                                    credit_before + extra,
                                    "the excess is credited back"
                                );
                                if extra > 0 {
                                    self.count("native_bond_excess");
                                }
                            }
                        }
                        Asset::Psp22(t) => {
                            // An approval with a margin: exactly the bond is pulled.
                            let margin = bond.saturating_add(extra);
                            mock_token::set_balance(t, who, margin);
                            mock_token::approve(t, who, vault_id(), margin);
                            if as_(who, || self.c.dispute(id)).is_ok() {
                                self.came_in(rec.asset, bond);
                                assert_eq!(mock_token::balance(t, who), margin - bond);
                                self.count("psp22_bond");
                            }
                        }
                    }
                }
            }
            Op::Resolve(i, bps) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                if as_(eve(), || self.c.resolve(id, bps)).is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Expire(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                if as_(django(), || self.c.expire_dispute(id)).is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Claim(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let h = rec
                    .as_ref()
                    .map(|r| crate::money::held(r).unwrap())
                    .unwrap_or(0);
                match as_(django(), || self.c.claim(id)) {
                    Ok(gross) => {
                        assert!(gross > 0 && gross <= h);
                        let rec = self.c.escrow(id).unwrap();
                        let EscrowTerms::Stream {
                            start,
                            duration_ms,
                            deposit,
                            paid_out,
                            ..
                        } = rec.terms
                        else {
                            panic!("claimed an order")
                        };
                        assert_eq!(
                            paid_out,
                            accrued_at(deposit, start, duration_ms, self.now),
                            "a stream paid out other than deposit × elapsed / duration"
                        );
                        if deposit < Balance::from(duration_ms) {
                            self.count("claimed_below_a_unit_per_ms");
                        }
                        if rec.state == EscrowState::Settled {
                            // The last claim paid everything that was left.
                            assert_eq!(gross, h);
                            assert_eq!(paid_out, deposit);
                            assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
                            self.count("StreamCompleted");
                        }
                    }
                    Err(e) => {
                        if rec.is_some_and(|r| r.state == EscrowState::Waiting) {
                            assert_eq!(e, Error::StreamNotStarted);
                            self.count("claim_waiting_refused");
                        }
                    }
                }
            }
            Op::Stop(i, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                let r = as_(who, || self.c.stop_stream(id));
                self.check_auth(&rec, who, &r);
                if r.is_ok() {
                    let rec = rec.unwrap();
                    if rec.state == EscrowState::Waiting {
                        self.count("stopped_waiting");
                    }
                    settled = Some((id, crate::money::held(&rec).unwrap(), rec));
                }
            }
            Op::TopUp(i, extra, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                if let Some(EscrowTerms::Stream {
                    start,
                    duration_ms,
                    deposit,
                    ..
                }) = rec.as_ref().map(|r| r.terms.clone())
                {
                    let asset = rec.as_ref().unwrap().asset;
                    let state = rec.as_ref().unwrap().state;
                    // The same price per millisecond: exactly deposit × extra / duration,
                    // or nothing can be paid (and nothing is sent).
                    let cost = match mul_div(deposit, extra, duration_ms) {
                        Some((cost, true)) => Some(cost),
                        _ => None,
                    };
                    let add = cost.unwrap_or(0);
                    // More native value than the emulated balance holds is never sent.
                    let sent = asset != Asset::Native || vault_balance().checked_add(add).is_some();
                    let accrued_before = accrued_at(deposit, start, duration_ms, self.now);
                    let r = self.pay(who, asset, add, 2, |c| c.top_up(id, extra));
                    if sent {
                        self.check_auth(&rec, who, &r);
                    }
                    match (cost, &r) {
                        (None, Ok(())) => panic!("an inexact top-up was accepted"),
                        (None, Err(Error::InexactTopUp)) => self.count("inexact_top_up"),
                        (Some(_), Err(Error::InexactTopUp)) => {
                            panic!("an exact top-up was refused as inexact")
                        }
                        _ => {}
                    }
                    if r.is_ok() {
                        let after = self.c.escrow(id).unwrap();
                        let EscrowTerms::Stream {
                            start: s,
                            duration_ms: d,
                            deposit: dep,
                            ..
                        } = after.terms
                        else {
                            unreachable!()
                        };
                        assert_eq!(
                            (s, d, dep),
                            (start, duration_ms + extra, deposit + add),
                            "top-up terms"
                        );
                        // What already accrued is unchanged.
                        assert_eq!(accrued_at(dep, s, d, self.now), accrued_before);
                        self.came_in(asset, add);
                        if asset != Asset::Native {
                            self.count("psp22_top_up");
                        }
                        if state == EscrowState::Waiting {
                            self.count("waiting_top_up");
                        }
                    }
                }
            }
            Op::Start(i, starter) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = match starter {
                    Starter::Payee => bob(),
                    Starter::Controller => django(),
                    Starter::Payer => alice(),
                    Starter::Stranger => charlie(),
                };
                let r = as_(who, || self.c.start_stream(id));
                if let Some(rec) = rec {
                    assert_eq!(r, self.expected_start(&rec, who), "start by {who:?}");
                    if r.is_ok() {
                        assert_eq!(
                            self.c.escrow(id).map(|r| (r.state, r.terms)),
                            Some((
                                EscrowState::Streaming,
                                match rec.terms {
                                    EscrowTerms::Stream {
                                        start: None,
                                        duration_ms,
                                        start_by,
                                        no_show_penalty,
                                        deposit,
                                        paid_out,
                                        frozen_at,
                                    } => EscrowTerms::Stream {
                                        start: Some(self.now),
                                        duration_ms,
                                        start_by,
                                        no_show_penalty,
                                        deposit,
                                        paid_out,
                                        frozen_at,
                                    },
                                    _ => unreachable!(),
                                },
                            ))
                        );
                        self.count(if who == bob() {
                            "started"
                        } else {
                            "controller_started"
                        });
                    }
                    match r {
                        Err(Error::StartWindowPassed) => self.count("start_too_late"),
                        Err(Error::ControllerOnly) => self.count("payee_sent_to_controller"),
                        _ => {}
                    }
                }
            }
            Op::CancelUnstarted(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let col_before = rec
                    .as_ref()
                    .and_then(|r| r.collateral)
                    .and_then(|cid| self.c.collateral(cid));
                let credit_before = col_before.map(|col| self.c.credit_of(alice(), col.asset));
                let r = as_(charlie(), || self.c.cancel_unstarted(id));
                if let Some(rec) = rec {
                    let col_held = col_before.map_or(0, |c| c.amount);
                    assert_eq!(r, self.expected_cancel(&rec, col_held), "cancel of {id}");
                    if r == Err(Error::StartWindowOpen) {
                        self.count("cancel_too_early");
                    }
                    if let Ok(penalty) = r {
                        if let Some(col) = col_before {
                            let cid = rec.collateral.unwrap();
                            let after = self.c.collateral(cid).unwrap();
                            assert_eq!(after.amount, col.amount - penalty);
                            assert_eq!(after.open, col.open - 1);
                            let refund = if col.asset == rec.asset {
                                crate::money::held(&rec).unwrap()
                            } else {
                                0
                            };
                            assert_eq!(
                                self.c.credit_of(alice(), col.asset),
                                credit_before.unwrap() + penalty + refund,
                                "the payer got other than its deposit and penalty"
                            );
                            if penalty > 0 {
                                let (_, e) = last_of::<NoShowPenaltyPaid>();
                                assert_eq!(
                                    (e.id, e.collateral, e.payer, e.amount),
                                    (id, cid, alice(), penalty)
                                );
                                self.count("penalty_paid");
                            }
                        }
                        if let EscrowTerms::Stream {
                            no_show_penalty, ..
                        } = rec.terms
                        {
                            if penalty < no_show_penalty {
                                self.count("penalty_capped");
                            }
                        }
                        let held = crate::money::held(&rec).unwrap();
                        settled = Some((id, held, rec));
                    }
                }
            }
            Op::Lock {
                token,
                by_controller,
                amount,
                unlock,
            } => {
                let asset = asset_of(token);
                let who = if by_controller { django() } else { bob() };
                let until = self.now + unlock;
                if let Ok(cid) = self.pay(who, asset, amount, 2, |c| {
                    c.lock_collateral(bob(), asset, amount, until)
                }) {
                    self.locked.insert(cid);
                    self.came_in(asset, amount);
                    self.count("locked_collateral");
                }
            }
            Op::Slash(i, a, b, relative) => {
                let cid = self.pick_collateral(i);
                let (a, b) = match self.c.collateral(cid) {
                    // Some of what is left (a no-show's penalty may then be capped).
                    Some(col) if relative => {
                        let part = |x: Balance| (col.amount / 1_000 * x).max(1);
                        (part(a), part(b))
                    }
                    _ => (a, b),
                };
                if as_(eve(), || {
                    self.c
                        .slash_collateral(cid, vec![(charlie(), a), (alice(), b)])
                })
                .is_ok()
                {
                    self.count("slashed");
                }
            }
            Op::ReleaseCollateral(i, by_owner) => {
                let cid = self.pick_collateral(i);
                let who = if by_owner { bob() } else { django() };
                if as_(who, || self.c.release_collateral(cid)).is_ok() {
                    self.count("released_collateral");
                }
            }
            Op::Extend(i, ms) => {
                let cid = self.pick_collateral(i);
                if let Some(col) = self.c.collateral(cid) {
                    let until = col.unlock_after.max(self.now) + ms;
                    let r = as_(col.controller, || self.c.extend_collateral(cid, until));
                    if col.controller == django()
                        && !self.c.is_controller(django())
                        && !col.released
                    {
                        assert_eq!(
                            r,
                            Err(Error::NotController),
                            "a removed controller extended"
                        );
                    }
                    if r.is_ok() {
                        self.count("extended_collateral");
                    }
                }
            }
            Op::SetController(allowed) => {
                as_(eve(), || self.c.set_controller(django(), allowed)).unwrap();
                if !allowed && self.c.open_escrow_count(alice()) > 0 {
                    self.count("controller_removed_mid_run");
                }
            }
            Op::SetFee(bps) => {
                as_(eve(), || self.c.set_fee_bps(bps)).unwrap();
                self.count_governance("set_fee");
            }
            Op::SetBond(bps) => {
                let window = self.c.dispute_params().1;
                as_(eve(), || self.c.set_dispute_params(bps, window)).unwrap();
                self.count_governance("set_bond");
            }
            Op::SetWindow(ms) => {
                let bond = self.c.dispute_params().0;
                as_(eve(), || self.c.set_dispute_params(bond, ms)).unwrap();
                self.count_governance("set_window");
            }
            Op::SetMin(token, amount) => {
                as_(eve(), || self.c.set_min_deposit(asset_of(token), amount)).unwrap();
                self.count_governance("set_min");
            }
            Op::Withdraw(w, in_token) => {
                let who = people()[w];
                let asset = asset_of(in_token);
                // The test mints what payers send, so empty the receiver first to keep
                // the emulated balances within u128.
                test::set_account_balance::<Env>(who, 0);
                mock_token::set_balance(token(), who, 0);
                if let Ok(amount) = as_(who, || self.c.withdraw(asset)) {
                    self.went_out(asset, amount);
                    if in_token {
                        assert_eq!(mock_token::balance(token(), who), amount);
                        self.count("psp22_withdrawn");
                    }
                }
            }
            Op::Wait(ms) => {
                self.now += ms;
                set_time(self.now);
            }
        }
        self.after(settled);
    }

    fn count_governance(&self, what: &str) {
        if self.c.open_escrow_count(alice()) > 0 {
            self.count(what);
        }
    }

    /// Checks a settlement, then the invariants.
    fn after(&mut self, settled: Option<(u64, Balance, EscrowRecord)>) {
        self.check_settlement(settled);
        let writes = vault_writes();
        let owed = match self.owed {
            Some((owed, at)) if at == writes => owed,
            _ => obligations(&self.c, &mut self.open, &mut self.locked),
        };
        self.owed = Some((owed, writes));
        check_solvency(owed, &self.net);
    }

    fn check_settlement(&mut self, settled: Option<(u64, Balance, EscrowRecord)>) {
        // A settlement's credits add up to exactly what the escrow held, and a stream's
        // payee side to what accrued until now (or until the freeze).
        if let Some((id, held, rec)) = settled {
            // The settlement's own event is the last one (told apart by its signature),
            // but for a no-show's penalty, which follows it.
            let events: Vec<_> = test::recorded_events().collect();
            let penalty_sig = NoShowPenaltyPaid::SIGNATURE_TOPIC.map(|t| t.to_vec());
            let after_penalty =
                events.last().and_then(|e| e.topics.first()) == penalty_sig.as_ref();
            let last = &events[events.len() - 1 - usize::from(after_penalty)];
            assert_eq!(
                last.topics.first().map(|t| t.as_slice()),
                EscrowSettled::SIGNATURE_TOPIC
                    .as_ref()
                    .map(|t| t.as_slice())
            );
            let e = <EscrowSettled as ink::scale::Decode>::decode(&mut &last.data[..]).unwrap();
            self.count(&format!("{:?}", e.reason));
            assert_eq!(e.id, id);
            if after_penalty {
                // A no-show's cancellation, or its payee backing out of the booking.
                assert!(matches!(
                    e.reason,
                    SettleReason::NotStarted | SettleReason::RefundedByPayee
                ));
            }
            let payee_side = e
                .to_payee
                .checked_add(e.fee)
                .and_then(|x| x.checked_add(e.royalties));
            let total = payee_side.and_then(|x| x.checked_add(e.refund));
            assert_eq!(total, Some(held), "split does not add up for escrow {id}");
            assert_eq!(self.c.escrow(id).unwrap().state, EscrowState::Settled);
            if let EscrowTerms::Stream {
                start,
                duration_ms,
                deposit,
                paid_out,
                frozen_at,
                ..
            } = rec.terms
            {
                if e.reason == SettleReason::NotStarted {
                    // A no-show gives everything back.
                    assert_eq!((start, payee_side, e.refund), (None, Some(0), held));
                }
                let until = match e.reason {
                    SettleReason::DisputeExpired => frozen_at,
                    // A payee's refund of a disputed stream pays up to the freeze.
                    SettleReason::RefundedByPayee if rec.state == EscrowState::Disputed => {
                        frozen_at
                    }
                    SettleReason::StoppedByPayer
                    | SettleReason::RefundedByPayee
                    | SettleReason::NotStarted => Some(self.now),
                    _ => None,
                };
                if let Some(t) = until {
                    assert_eq!(
                        paid_out.checked_add(payee_side.unwrap()),
                        Some(accrued_at(deposit, start, duration_ms, t)),
                        "stream {id} paid other than deposit × elapsed / duration"
                    );
                }
            }
            if let Some(d) = rec.dispute {
                // The fallback's bond follows the outcome, as a ruling's does; a payee's
                // refund during the dispute always returns it.
                let share = self
                    .c
                    .escrow(id)
                    .and_then(|r| r.settlement)
                    .map(|s| s.payee_share_bps)
                    .unwrap();
                let returns = match e.reason {
                    SettleReason::DisputeExpired | SettleReason::Resolved => {
                        if d.by == rec.payer {
                            share <= 5_000
                        } else {
                            share >= 5_000
                        }
                    }
                    _ => true,
                };
                if returns {
                    assert_eq!((e.bond_returned, e.bond_forfeited), (d.bond, 0));
                } else {
                    assert_eq!((e.bond_returned, e.bond_forfeited), (0, d.bond));
                    if e.reason == SettleReason::DisputeExpired && d.bond > 0 {
                        self.count("bond_forfeited_by_fallback");
                    }
                }
            }
        }
    }
}

/// What a stream has earned at `t` (nothing while it waits for its start).
fn accrued_at(deposit: Balance, start: Option<Timestamp>, duration: u64, t: Timestamp) -> Balance {
    start.map_or(0, |s| model_accrued(deposit, s, duration, t))
}

fn run(ops: Vec<Op>, seen: &Seen) {
    let mut c = setup_with_token();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let mut r = Run {
        c,
        now: T0,
        net: BTreeMap::new(),
        open: BTreeSet::new(),
        locked: BTreeSet::new(),
        owed: None,
        seen,
    };
    for op in ops {
        r.step(op);
    }
    // After every deadline, a third party can drive everything to a terminal state.
    r.now += MAX_PERIOD_MS + 100 * DAY;
    set_time(r.now);
    for id in 1..=r.c.escrow_count() {
        let rec = r.c.escrow(id).unwrap();
        if rec.state == EscrowState::Waiting {
            // Through the harness, so the no-show's penalty and settlement are checked.
            r.step(Op::CancelUnstarted(usize::try_from(id - 1).unwrap()));
            assert_eq!(r.c.escrow(id).unwrap().state, EscrowState::Settled);
            continue;
        }
        let c = &mut r.c;
        let res = match rec.state {
            EscrowState::Settled => Ok(()),
            EscrowState::Funded => as_(django(), || c.refund(id)),
            EscrowState::Delivered => as_(django(), || c.finalize(id)),
            EscrowState::Disputed => as_(django(), || c.expire_dispute(id)),
            EscrowState::Streaming => as_(django(), || c.claim(id)).map(|_| ()),
            EscrowState::Waiting => unreachable!("cancelled above"),
        };
        assert_eq!(res, Ok(()), "escrow {id} stuck in {:?}", rec.state);
        assert_eq!(r.c.escrow(id).unwrap().state, EscrowState::Settled);
        if matches!(
            rec.state,
            EscrowState::Funded | EscrowState::Delivered | EscrowState::Disputed
        ) {
            let held = crate::money::held(&rec).unwrap();
            r.check_settlement(Some((id, held, rec)));
        }
    }
    // Collateral comes back to its owner once its escrows are closed and its lock ran out.
    for cid in 1..=r.c.collateral_count() {
        let col = r.c.collateral(cid).unwrap();
        assert_eq!(col.open, 0, "collateral {cid} still linked");
        if !col.released {
            assert_eq!(as_(bob(), || r.c.release_collateral(cid)), Ok(()));
        }
    }
    for who in receivers() {
        for asset in assets() {
            test::set_account_balance::<Env>(who, 0);
            mock_token::set_balance(token(), who, 0);
            if let Ok(amount) = as_(who, || r.c.withdraw(asset)) {
                r.went_out(asset, amount);
            }
        }
    }
    let (mut all, mut cols) = (
        (1..=r.c.escrow_count()).collect(),
        (1..=r.c.collateral_count()).collect(),
    );
    check_solvency(obligations(&r.c, &mut all, &mut cols), &r.net);
    assert!(all.is_empty() && cols.is_empty());
    for asset in assets() {
        assert_eq!(r.c.reserves(asset).owed, 0);
        assert_eq!(holdings(asset), 0);
    }
}

#[test]
fn reserves_and_conservation_hold_for_any_sequence() {
    use proptest::test_runner::{Config, TestRunner};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 2_000,
        failure_persistence: None,
        // The default ChaCha generator costs a tenth of a debug-build run.
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..Config::default()
    });
    let seen = Seen::default();
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            test::run_test::<Env, _>(|_| {
                run(ops, &seen);
                Ok(())
            })
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))
        })
        .unwrap();
    let seen = seen.into_inner();
    println!("{cases} sequences; successes by kind: {seen:?}");
    if cases >= 1_000 {
        for what in [
            // every terminal reason
            "Released",
            "AutoReleased",
            "RefundedAfterDeadline",
            "RefundedByPayee",
            "Resolved",
            "DisputeExpired",
            "StoppedByPayer",
            "StreamCompleted",
            "NotStarted",
            // every new kind of operation
            "psp22_order",
            "psp22_stream",
            "psp22_top_up",
            "psp22_bond",
            "psp22_withdrawn",
            "native_bond_excess",
            "token_refused",
            "locked_collateral",
            "linked_to_collateral",
            "slashed",
            "released_collateral",
            "extended_collateral",
            "controller_opened",
            "controller_acted",
            "payer_sent_to_controller",
            "controller_removed_mid_run",
            "payer_acted_after_removal",
            "set_fee",
            "set_bond",
            "set_window",
            "set_min",
            "below_min",
            "payee_refunded_stream",
            "delivered_in_dispute",
            "bond_forfeited_by_fallback",
            // waiting streams, no-shows and exact prices
            "opened_waiting",
            "opened_with_penalty",
            "invalid_penalty",
            "started",
            "controller_started",
            "start_too_late",
            "payee_sent_to_controller",
            "claim_waiting_refused",
            "dispute_waiting_refused",
            "stopped_waiting",
            "payee_refunded_waiting",
            "waiting_top_up",
            "inexact_top_up",
            "cancel_too_early",
            "penalty_paid",
            "payee_refund_paid_penalty",
            "penalty_capped",
            "claimed_below_a_unit_per_ms",
        ] {
            assert!(
                seen.get(what).copied().unwrap_or(0) > 0,
                "{what} never happened"
            );
        }
    }
}
