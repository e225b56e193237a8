//! The one vault stand-in: the escrow vaults every controller's and the arbiter's unit
//! tests call, keyed by vault address, in thread-local state.
//!
//! Its calls have the names and arguments of the vault's messages
//! ([`crate::EscrowVault`] for the registry and the market, [`crate::governed::VaultArbiter`]
//! for the DAO), the vault's address first and, for a payable message, the value sent
//! last. Each acts as the vault would for its caller (`ink::env::account_id()`, the
//! contract under test) and answers the raw result of a cross-contract call, so each
//! contract's `calls.rs` is under test what it is on a chain, a transport whose answer
//! its own code reads: a contract swaps its on-chain transport for this module with one
//! `cfg(test)` and keeps everything else.
//!
//! It keeps what the real vault keeps ([`EscrowRecord`], [`Collateral`], credits) and
//! makes the real vault's checks on what the contracts do with it: orders (opened with
//! the caller's payment, released by the payer or the opener) and streams (waiting,
//! streaming, disputed and frozen, settled; deposits, accrual, top-ups, minimum
//! payouts, no-show penalties; only the opener moves a stream it opened), collateral
//! locks (controller, open escrows, the hold a payee's refund of a disputed escrow puts
//! on them), and the arbiter's side (rulings, fallbacks, slashes, holds, the governed
//! setters). A refused call changes nothing, the PSP22 ledger included. It leaves out
//! what only the vault itself acts on (fees, royalties, bonds, the controller and asset
//! allow-lists, minimum deposits, `at_stake`, who the arbiter is): the vault's own tests
//! cover those.
//!
//! Tests set it up and look into it with [`with`] and the helpers below; what parties
//! do directly at the vault (a payee's claim or refund, a dispute, an owner taking its
//! collateral back) are the drivers [`claim`], [`dispute`], [`payee_refund`],
//! [`owner_releases`] and [`settle`]. Knobs: [`refuse_next`] (the next write refuses),
//! [`set_refusing`] (the caller is not the arbiter), [`set_unreadable`] (reads fail).

use super::psp22;
use super::targets::{self, GovernedCall};
use crate::math::{pro_rata, proportional_top_up};
use crate::psp22_calls;
use crate::{
    Answer, Asset, Balance, Bps, Collateral, CollateralId, Dispute, EscrowId, EscrowRecord,
    EscrowState, EscrowStatus, EscrowTerms, OrderTerms, SettleReason, Settlement, StreamTerms,
    Timestamp, VaultError, BPS_DENOMINATOR, MAX_PERIOD_MS,
};
use ink::env::ReturnErrorCode;
use ink::primitives::AccountId;
use std::cell::RefCell;
use std::collections::BTreeMap;

mod arbiter;
mod parties;
pub use arbiter::*;
pub use parties::*;

type Env = ink::env::DefaultEnvironment;

/// One escrow a stand-in vault holds: the record the real vault would return from
/// `escrow(id)`, and the value its opener sent with the opening call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escrow {
    pub record: EscrowRecord,
    pub sent: Balance,
}

/// The fields of a stream's [`EscrowTerms::Stream`], copied out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub start: Option<Timestamp>,
    pub duration_ms: u64,
    pub start_by: Timestamp,
    pub no_show_penalty: Balance,
    pub deposit: Balance,
    pub paid_out: Balance,
    pub frozen_at: Option<Timestamp>,
    pub min_payout: Balance,
}

impl Escrow {
    /// The stream's fields.
    ///
    /// # Panics
    /// If the escrow is an order.
    pub fn stream(&self) -> Stream {
        match self.record.terms {
            EscrowTerms::Stream {
                start,
                duration_ms,
                start_by,
                no_show_penalty,
                deposit,
                paid_out,
                frozen_at,
                min_payout,
            } => Stream {
                start,
                duration_ms,
                start_by,
                no_show_penalty,
                deposit,
                paid_out,
                frozen_at,
                min_payout,
            },
            EscrowTerms::Order { .. } => panic!("escrow is an order, not a stream"),
        }
    }

    fn set_stream(&mut self, s: Stream) {
        self.record.terms = EscrowTerms::Stream {
            start: s.start,
            duration_ms: s.duration_ms,
            start_by: s.start_by,
            no_show_penalty: s.no_show_penalty,
            deposit: s.deposit,
            paid_out: s.paid_out,
            frozen_at: s.frozen_at,
            min_payout: s.min_payout,
        };
    }

    fn is_stream(&self) -> bool {
        matches!(self.record.terms, EscrowTerms::Stream { .. })
    }

    /// What it still holds: an order's deposit, a stream's deposit less its claims.
    pub fn held(&self) -> Balance {
        match self.record.terms {
            EscrowTerms::Order { amount, .. } => amount,
            EscrowTerms::Stream {
                deposit, paid_out, ..
            } => deposit.saturating_sub(paid_out),
        }
    }
}

/// One stand-in vault.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vault {
    pub escrows: BTreeMap<EscrowId, Escrow>,
    pub collaterals: BTreeMap<CollateralId, Collateral>,
    /// Escrows opened so far (the last id).
    pub escrow_count: EscrowId,
    /// Collateral locked so far (the last id).
    pub collateral_count: CollateralId,
    /// Credits per (asset as its token, `None`: native; account).
    pub credits: BTreeMap<(Option<AccountId>, AccountId), Balance>,
    /// `(bond_bps, ruling_window_ms)` of new disputes.
    pub dispute_params: (Bps, u64),
    /// Calls made into it so far, reads and writes, refused or not.
    pub calls: u32,
    /// The next write refuses with this error.
    pub refuse_next: Option<VaultError>,
    /// Arbiter-only calls are refused (`NotArbiter`, `NotPendingArbiter`), as the vault
    /// refuses a caller that is not its arbiter.
    pub refusing: bool,
    /// Every read fails at the environment layer (a trap).
    pub unreadable: bool,
    /// Per PSP22 token, what the vault has counted as arrived so far: a controller's
    /// payment is whatever the vault holds above it (the real vault counts against
    /// everything it owes; the stand-in pays no tokens out, so this is the same).
    pub counted: BTreeMap<AccountId, Balance>,
}

thread_local! {
    static VAULTS: RefCell<BTreeMap<AccountId, Vault>> = const { RefCell::new(BTreeMap::new()) };
}

/// Runs `f` on the stand-in vault at `vault` (an empty one if none was used yet).
pub fn with<R>(vault: AccountId, f: impl FnOnce(&mut Vault) -> R) -> R {
    VAULTS.with(|vs| f(vs.borrow_mut().entry(vault).or_default()))
}

/// Forgets every vault (each test starts from none).
pub fn reset() {
    VAULTS.with(|vs| vs.borrow_mut().clear());
}

fn me() -> AccountId {
    ink::env::account_id::<Env>()
}

fn now() -> Timestamp {
    ink::env::block_timestamp::<Env>()
}

fn token_of(asset: Asset) -> Option<AccountId> {
    match asset {
        Asset::Native => None,
        Asset::Psp22(token) => Some(token),
    }
}

fn trapped<T>() -> Answer<T> {
    Err(ink::env::Error::ReturnError(ReturnErrorCode::CalleeTrapped))
}

// ------------------------------------------------------------ test set-up and reads

/// Escrow `id` of `vault`.
///
/// # Panics
/// If there is none.
pub fn escrow_of(vault: AccountId, id: EscrowId) -> Escrow {
    with(vault, |v| v.escrows.get(&id).cloned()).expect("no such escrow at the vault")
}

/// Collateral `id` of `vault`.
///
/// # Panics
/// If there is none.
pub fn lock(vault: AccountId, id: CollateralId) -> Collateral {
    with(vault, |v| v.collaterals.get(&id).copied()).expect("no such collateral at the vault")
}

/// `account`'s credit at `vault` in `asset`.
pub fn credit(vault: AccountId, asset: Asset, account: AccountId) -> Balance {
    with(vault, |v| {
        v.credits
            .get(&(token_of(asset), account))
            .copied()
            .unwrap_or(0)
    })
}

/// Calls made into `vault` so far.
pub fn calls(vault: AccountId) -> u32 {
    with(vault, |v| v.calls)
}

/// Calls made into every vault so far.
pub fn all_calls() -> u32 {
    VAULTS.with(|vs| vs.borrow().values().map(|v| v.calls).sum())
}

/// Makes every vault's call count zero again.
pub fn reset_calls() {
    VAULTS.with(|vs| vs.borrow_mut().values_mut().for_each(|v| v.calls = 0));
}

/// Makes the next write into `vault` refuse with `error`.
pub fn refuse_next(vault: AccountId, error: VaultError) {
    with(vault, |v| v.refuse_next = Some(error));
}

/// Makes `vault` refuse (or accept again) its arbiter's calls.
pub fn set_refusing(vault: AccountId, refusing: bool) {
    with(vault, |v| v.refusing = refusing);
}

/// Makes every read of `vault` fail (or answer again).
pub fn set_unreadable(vault: AccountId, unreadable: bool) {
    with(vault, |v| v.unreadable = unreadable);
}

/// The vault forgets escrow `id` (removed, or replaced by other code).
pub fn forget(vault: AccountId, id: EscrowId) {
    with(vault, |v| v.escrows.remove(&id));
}

// ------------------------------------------------------------ how a call runs

/// A read: counted, and failed if the vault is unreadable.
fn read<T>(vault: AccountId, f: impl FnOnce(&Vault) -> T) -> Answer<T> {
    with(vault, |v| {
        v.calls = v.calls.saturating_add(1);
        if v.unreadable {
            return trapped();
        }
        Ok(Ok(f(v)))
    })
}

/// A write: counted, refused if a test asked for it, and undone with the token
/// ledger when refused, as a chain reverts a failed message.
fn write<T>(
    vault: AccountId,
    f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
) -> Answer<Result<T, VaultError>> {
    let tokens = psp22::snapshot();
    with(vault, |v| {
        v.calls = v.calls.saturating_add(1);
        if let Some(e) = v.refuse_next.take() {
            return Ok(Ok(Err(e)));
        }
        let before = v.clone();
        let result = f(v);
        if result.is_err() {
            *v = before;
            psp22::restore(tokens);
        }
        Ok(Ok(result))
    })
}

/// An arbiter-only write: refused with `NotArbiter` while the vault is refusing.
fn arbiter<T>(
    vault: AccountId,
    call: GovernedCall,
    f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
) -> Answer<Result<T, VaultError>> {
    write(vault, |v| {
        if v.refusing {
            return Err(VaultError::NotArbiter);
        }
        let done = f(v)?;
        targets::log(vault, call);
        Ok(done)
    })
}

impl Vault {
    fn escrow(&self, id: EscrowId) -> Result<Escrow, VaultError> {
        self.escrows
            .get(&id)
            .cloned()
            .ok_or(VaultError::EscrowNotFound)
    }

    fn escrow_mut(&mut self, id: EscrowId) -> Result<&mut Escrow, VaultError> {
        self.escrows.get_mut(&id).ok_or(VaultError::EscrowNotFound)
    }

    /// A collateral lock that is not released.
    fn live_lock(&mut self, id: CollateralId) -> Result<&mut Collateral, VaultError> {
        match self.collaterals.get_mut(&id) {
            Some(l) if !l.released => Ok(l),
            _ => Err(VaultError::CollateralNotFound),
        }
    }

    fn add_credit(&mut self, asset: Asset, to: AccountId, amount: Balance) {
        let c = self.credits.entry((token_of(asset), to)).or_default();
        *c = c.saturating_add(amount);
    }

    /// The vault collecting `amount` for a payer its caller (a controller) acts for:
    /// the value sent, or PSP22 tokens the controller moved to the vault before its
    /// call (the vault's balance above what it counted so far must cover `amount`).
    fn collect(
        &mut self,
        vault: AccountId,
        asset: Asset,
        amount: Balance,
        value: Balance,
    ) -> Result<(), VaultError> {
        match asset {
            Asset::Native if value != amount => Err(VaultError::WrongValue),
            Asset::Native => Ok(()),
            Asset::Psp22(_) if value != 0 => Err(VaultError::WrongValue),
            Asset::Psp22(token) => {
                let held = psp22_calls::balance_of(token, vault)
                    .map_err(|_| VaultError::TokenTransferFailed)?;
                let counted = self.counted.entry(token).or_default();
                if held.saturating_sub(*counted) < amount {
                    return Err(VaultError::TokenTransferFailed);
                }
                *counted = counted.saturating_add(amount);
                Ok(())
            }
        }
    }

    /// Links a new escrow to collateral `id`: it must be the caller's own lock.
    fn link(&mut self, id: CollateralId, penalty: Balance) -> Result<(), VaultError> {
        let caller = me();
        let l = self.live_lock(id)?;
        if l.controller != caller {
            return Err(VaultError::NotCollateralController);
        }
        if penalty > l.amount {
            return Err(VaultError::InvalidPenalty);
        }
        l.open = l.open.saturating_add(1);
        Ok(())
    }

    fn open(&mut self, record: EscrowRecord, sent: Balance) -> Result<EscrowId, VaultError> {
        let id = self
            .escrow_count
            .checked_add(1)
            .ok_or(VaultError::Overflow)?;
        self.escrow_count = id;
        self.escrows.insert(id, Escrow { record, sent });
        Ok(id)
    }

    /// Settles escrow `id`: `to_payee` more to the payee, the rest of what it holds
    /// back to the payer, its collateral no longer in use.
    fn settle(&mut self, id: EscrowId, to_payee: Balance, reason: SettleReason) {
        let Some(e) = self.escrows.get(&id).cloned() else {
            return;
        };
        let held = e.held();
        let to_payee = to_payee.min(held);
        self.add_credit(e.record.asset, e.record.payee, to_payee);
        self.add_credit(
            e.record.asset,
            e.record.payer,
            held.saturating_sub(to_payee),
        );
        let payee_share_bps = if held == 0 {
            BPS_DENOMINATOR
        } else {
            crate::math::mul_div_floor(to_payee, BPS_DENOMINATOR.into(), held)
                .and_then(|bps| Bps::try_from(bps).ok())
                .unwrap_or(BPS_DENOMINATOR)
        };
        if e.record.state != EscrowState::Settled {
            if let Some(l) = e
                .record
                .collateral
                .and_then(|cid| self.collaterals.get_mut(&cid))
            {
                l.open = l.open.saturating_sub(1);
            }
        }
        let Some(e) = self.escrows.get_mut(&id) else {
            return;
        };
        match &mut e.record.terms {
            EscrowTerms::Order { amount, .. } => *amount = 0,
            EscrowTerms::Stream {
                deposit, paid_out, ..
            } => *paid_out = *deposit,
        }
        e.record.state = EscrowState::Settled;
        e.record.settlement = Some(Settlement {
            reason,
            at: now(),
            payee_share_bps,
            penalty_paid: 0,
        });
    }

    /// Records in settled escrow `id`'s settlement the no-show penalty paid, as the
    /// vault does.
    fn record_penalty(&mut self, id: EscrowId, paid: Balance) {
        if let Some(s) = self
            .escrows
            .get_mut(&id)
            .and_then(|e| e.record.settlement.as_mut())
        {
            s.penalty_paid = paid;
        }
    }

    /// A stream the caller opened (the real vault lets only a controller move a stream
    /// it opened).
    fn opened_stream(&self, id: EscrowId) -> Result<Escrow, VaultError> {
        let e = self.escrow(id)?;
        if !e.is_stream() {
            return Err(VaultError::WrongEscrowKind);
        }
        if e.record.opener != me() {
            return Err(VaultError::NotOpener);
        }
        Ok(e)
    }

    /// Takes `penalty` (at most what is left) out of escrow `e`'s collateral for its
    /// payer; returns what it took.
    fn pay_penalty(&mut self, e: &Escrow, penalty: Balance) -> Balance {
        let Some(l) = e
            .record
            .collateral
            .and_then(|cid| self.collaterals.get_mut(&cid))
        else {
            return 0;
        };
        let paid = penalty.min(l.amount);
        l.amount = l.amount.saturating_sub(paid);
        let asset = l.asset;
        self.add_credit(asset, e.record.payer, paid);
        paid
    }
}

fn end_of(s: &Stream) -> Option<Timestamp> {
    s.start.map(|t| t.saturating_add(s.duration_ms))
}

/// What a stream earned by `at` (accrual stops at a freeze).
fn accrued(s: &Stream, at: Timestamp) -> Balance {
    let at = s.frozen_at.map_or(at, |f| f.min(at));
    match s.start {
        Some(start) => {
            let elapsed = at.saturating_sub(start).min(s.duration_ms);
            pro_rata(s.deposit, elapsed, s.duration_ms).unwrap_or(s.deposit)
        }
        None => 0,
    }
}

/// What the payee gets when its payer stops the stream at `until`, as the vault's
/// `stop_payout`: what accrued and is unpaid, but at least what `min_payout` still lacks
/// after the claims, and at most what the stream holds.
fn stop_payout(s: &Stream, until: Timestamp) -> Balance {
    let unpaid = accrued(s, until).saturating_sub(s.paid_out);
    let floor = s.min_payout.saturating_sub(s.paid_out);
    unpaid.max(floor).min(s.deposit.saturating_sub(s.paid_out))
}

fn record(
    payer: AccountId,
    payee: AccountId,
    asset: Asset,
    context: u64,
    collateral: Option<CollateralId>,
    state: EscrowState,
    terms: EscrowTerms,
) -> EscrowRecord {
    EscrowRecord {
        payer,
        payee,
        asset,
        opener: me(),
        context,
        collateral,
        fee_bps: 0,
        royalties: Default::default(),
        state,
        terms,
        dispute: None,
        settlement: None,
        opened_at: now(),
    }
}

// ------------------------------------------------------------ EscrowVault

/// `EscrowVault::open_order`, sending `value`.
pub fn open_order(
    vault: AccountId,
    payer: AccountId,
    terms: OrderTerms,
    value: Balance,
) -> Answer<Result<EscrowId, VaultError>> {
    write(vault, |v| {
        if payer == terms.payee {
            return Err(VaultError::SelfDeal);
        }
        if terms.amount == 0 {
            return Err(VaultError::ZeroAmount);
        }
        v.collect(vault, terms.asset, terms.amount, value)?;
        if let Some(cid) = terms.collateral {
            v.link(cid, 0)?;
        }
        v.open(
            record(
                payer,
                terms.payee,
                terms.asset,
                terms.context,
                terms.collateral,
                EscrowState::Funded,
                EscrowTerms::Order {
                    amount: terms.amount,
                    delivery_deadline: terms.delivery_deadline,
                    review_window_ms: terms.review_window_ms,
                    delivered_at: None,
                    proof: None,
                },
            ),
            value,
        )
    })
}

/// `EscrowVault::open_stream`, sending `value`.
pub fn open_stream(
    vault: AccountId,
    payer: AccountId,
    terms: StreamTerms,
    value: Balance,
) -> Answer<Result<EscrowId, VaultError>> {
    write(vault, |v| {
        if payer == terms.payee {
            return Err(VaultError::SelfDeal);
        }
        if terms.amount == 0 {
            return Err(VaultError::ZeroAmount);
        }
        let waits = terms.start.is_none();
        let bad_start = match terms.start {
            Some(t) => t < now(),
            None => terms.start_by <= now(),
        };
        if terms.duration_ms == 0 || bad_start {
            return Err(VaultError::InvalidPeriod);
        }
        let furthest = now().saturating_add(MAX_PERIOD_MS);
        if terms.duration_ms > MAX_PERIOD_MS
            || (waits && terms.start_by > furthest)
            || terms.start.is_some_and(|t| t > furthest)
        {
            return Err(VaultError::PeriodTooLong);
        }
        match terms.collateral {
            Some(cid) if waits => v.link(cid, terms.no_show_penalty)?,
            Some(cid) => v.link(cid, 0)?,
            None => {}
        }
        if terms.no_show_penalty > 0 && (terms.collateral.is_none() || !waits) {
            return Err(VaultError::InvalidPenalty);
        }
        if terms.min_payout > terms.amount {
            return Err(VaultError::InvalidMinPayout);
        }
        v.collect(vault, terms.asset, terms.amount, value)?;
        let stream = EscrowTerms::Stream {
            start: terms.start,
            duration_ms: terms.duration_ms,
            start_by: terms.start_by,
            no_show_penalty: terms.no_show_penalty,
            deposit: terms.amount,
            paid_out: 0,
            frozen_at: None,
            min_payout: terms.min_payout,
        };
        let state = if waits {
            EscrowState::Waiting
        } else {
            EscrowState::Streaming
        };
        v.open(
            record(
                payer,
                terms.payee,
                terms.asset,
                terms.context,
                terms.collateral,
                state,
                stream,
            ),
            value,
        )
    })
}

/// `EscrowVault::release`: the payer or the opener releases an open order to its
/// payee.
pub fn release(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.escrow(id)?;
        if e.is_stream() {
            return Err(VaultError::WrongEscrowKind);
        }
        if me() != e.record.payer && me() != e.record.opener {
            return Err(VaultError::NotPayer);
        }
        if !matches!(e.record.state, EscrowState::Funded | EscrowState::Delivered) {
            return Err(VaultError::EscrowNotOpen);
        }
        v.settle(id, e.held(), SettleReason::Released);
        Ok(())
    })
}

/// `EscrowVault::start_stream`.
pub fn start_stream(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.opened_stream(id)?;
        match e.record.state {
            EscrowState::Waiting => {}
            EscrowState::Streaming => return Err(VaultError::StreamAlreadyStarted),
            _ => return Err(VaultError::EscrowNotOpen),
        }
        let mut s = e.stream();
        if now() > s.start_by {
            return Err(VaultError::StartWindowPassed);
        }
        s.start = Some(now());
        let e = v.escrow_mut(id)?;
        e.set_stream(s);
        e.record.state = EscrowState::Streaming;
        Ok(())
    })
}

/// `EscrowVault::stop_stream`: the accrued part (at least the minimum payout) to the
/// payee, the rest back.
pub fn stop_stream(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.opened_stream(id)?;
        if !matches!(
            e.record.state,
            EscrowState::Streaming | EscrowState::Waiting
        ) {
            return Err(VaultError::EscrowNotOpen);
        }
        let s = e.stream();
        if end_of(&s).is_some_and(|end| now() >= end) {
            return Err(VaultError::StreamEnded);
        }
        v.settle(id, stop_payout(&s, now()), SettleReason::StoppedByPayer);
        Ok(())
    })
}

/// `EscrowVault::top_up`, sending `value`.
pub fn top_up(
    vault: AccountId,
    id: EscrowId,
    extra_ms: u64,
    value: Balance,
) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.opened_stream(id)?;
        if !matches!(
            e.record.state,
            EscrowState::Streaming | EscrowState::Waiting
        ) {
            return Err(VaultError::EscrowNotOpen);
        }
        let mut s = e.stream();
        match end_of(&s) {
            Some(end) if now() >= end => return Err(VaultError::StreamEnded),
            None if now() > s.start_by => return Err(VaultError::StartWindowPassed),
            _ => {}
        }
        if s.duration_ms.saturating_add(extra_ms) > MAX_PERIOD_MS {
            return Err(VaultError::PeriodTooLong);
        }
        let added = proportional_top_up(s.deposit, s.duration_ms, extra_ms)
            .ok_or(VaultError::InexactTopUp)?;
        v.collect(vault, e.record.asset, added, value)?;
        s.deposit = s.deposit.checked_add(added).ok_or(VaultError::Overflow)?;
        s.duration_ms = s.duration_ms.saturating_add(extra_ms);
        v.escrow_mut(id)?.set_stream(s);
        Ok(())
    })
}

/// `EscrowVault::cancel_unstarted` (anyone may call it): everything back to the payer,
/// plus the no-show penalty out of the collateral; answers the penalty paid.
pub fn cancel_unstarted(vault: AccountId, id: EscrowId) -> Answer<Result<Balance, VaultError>> {
    write(vault, |v| {
        let e = v.escrow(id)?;
        if !e.is_stream() {
            return Err(VaultError::WrongEscrowKind);
        }
        match e.record.state {
            EscrowState::Waiting => {}
            EscrowState::Streaming => return Err(VaultError::StreamAlreadyStarted),
            _ => return Err(VaultError::EscrowNotOpen),
        }
        let s = e.stream();
        if now() <= s.start_by {
            return Err(VaultError::StartWindowOpen);
        }
        let paid = v.pay_penalty(&e, s.no_show_penalty);
        v.settle(id, 0, SettleReason::NotStarted);
        v.record_penalty(id, paid);
        Ok(paid)
    })
}

/// `EscrowVault::lock_collateral`, sending `value`; the caller is the lock's
/// controller.
pub fn lock_collateral(
    vault: AccountId,
    owner: AccountId,
    asset: Asset,
    amount: Balance,
    unlock_after: Timestamp,
    value: Balance,
) -> Answer<Result<CollateralId, VaultError>> {
    write(vault, |v| {
        if amount == 0 {
            return Err(VaultError::ZeroAmount);
        }
        if unlock_after > now().saturating_add(MAX_PERIOD_MS) {
            return Err(VaultError::PeriodTooLong);
        }
        v.collect(vault, asset, amount, value)?;
        let id = v
            .collateral_count
            .checked_add(1)
            .ok_or(VaultError::Overflow)?;
        v.collateral_count = id;
        v.collaterals.insert(
            id,
            Collateral {
                owner,
                controller: me(),
                asset,
                amount,
                unlock_after,
                open: 0,
                released: false,
                at_stake: 0,
            },
        );
        Ok(id)
    })
}

/// `EscrowVault::release_collateral` by its controller, when nothing is open on it.
pub fn release_collateral(vault: AccountId, id: CollateralId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let caller = me();
        let l = *v.live_lock(id)?;
        if l.controller != caller {
            return Err(VaultError::NotCollateralController);
        }
        if l.open > 0 {
            return Err(VaultError::CollateralInUse);
        }
        v.add_credit(l.asset, l.owner, l.amount);
        let l = v.live_lock(id)?;
        l.amount = 0;
        l.released = true;
        Ok(())
    })
}

/// `EscrowVault::escrow_status`.
pub fn escrow_status(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowStatus>> {
    read(vault, |v| {
        v.escrows.get(&id).map(|e| EscrowStatus {
            state: e.record.state,
            settlement: e.record.settlement,
        })
    })
}
