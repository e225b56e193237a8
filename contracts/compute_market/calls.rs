//! Every call the market makes into another contract — the escrow vault, PSP22 tokens
//! and the auditor list (the model registry) — in one place, each mapping both error
//! layers of a failed call to a typed [`Error`]. Under `cfg(test)` a small in-memory
//! chain stands in for those contracts (ink!'s off-chain test environment cannot call
//! contracts), so unit tests drive offers and rentals end to end inside the market.

use crate::Error;
use market_types::{Asset, Balance, CollateralId, EscrowId, EscrowStatus, StreamTerms, Timestamp};

use ink::primitives::AccountId;

pub use chain::{
    approve, cancel_unstarted, escrow_status, is_auditor, lock_collateral, open_stream,
    release_collateral, start_stream, stop_stream, top_up, transfer_from, was_disputed,
};

#[cfg(not(test))]
mod chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::psp22_calls::{self, CallError};
    use market_types::{Auditors, EscrowVault, VaultError};

    type Vault = ink::contract_ref!(EscrowVault, ink::env::DefaultEnvironment);

    /// Both error layers of a vault call: the vault's own refusal, or a call that
    /// trapped or could not be decoded.
    fn vault_result<T>(
        r: core::result::Result<
            ink::MessageResult<core::result::Result<T, VaultError>>,
            ink::env::Error,
        >,
    ) -> Result<T, Error> {
        match r {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(Error::Vault(e)),
            _ => Err(Error::VaultCallFailed),
        }
    }

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
        let v: Vault = vault.into();
        match v.call().escrow_status(id).try_invoke() {
            Ok(Ok(status)) => status,
            _ => None,
        }
    }

    /// Whether escrow `id` was ever disputed (its record keeps the dispute once
    /// settled). Read through the arbiter's interface, whose `escrow` is the vault's
    /// inherent view; a failed read counts as not disputed, so settling never fails on
    /// it.
    pub fn was_disputed(vault: AccountId, id: EscrowId) -> bool {
        use market_types::governed::VaultArbiter;
        let v: ink::contract_ref!(VaultArbiter, ink::env::DefaultEnvironment) = vault.into();
        match v.call().escrow(id).try_invoke() {
            Ok(Ok(Some(record))) => record.dispute.is_some(),
            _ => false,
        }
    }

    pub fn open_stream(
        vault: AccountId,
        payer: AccountId,
        terms: StreamTerms,
        value: Balance,
    ) -> Result<EscrowId, Error> {
        let mut v: Vault = vault.into();
        vault_result(
            v.call_mut()
                .open_stream(payer, terms)
                .transferred_value(value)
                .try_invoke(),
        )
    }

    pub fn start_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        let mut v: Vault = vault.into();
        vault_result(v.call_mut().start_stream(id).try_invoke())
    }

    pub fn stop_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        let mut v: Vault = vault.into();
        vault_result(v.call_mut().stop_stream(id).try_invoke())
    }

    pub fn top_up(
        vault: AccountId,
        id: EscrowId,
        extra_ms: u64,
        value: Balance,
    ) -> Result<(), Error> {
        let mut v: Vault = vault.into();
        vault_result(
            v.call_mut()
                .top_up(id, extra_ms)
                .transferred_value(value)
                .try_invoke(),
        )
    }

    pub fn cancel_unstarted(vault: AccountId, id: EscrowId) -> Result<Balance, Error> {
        let mut v: Vault = vault.into();
        vault_result(v.call_mut().cancel_unstarted(id).try_invoke())
    }

    pub fn lock_collateral(
        vault: AccountId,
        owner: AccountId,
        asset: Asset,
        amount: Balance,
        unlock_after: Timestamp,
        value: Balance,
    ) -> Result<CollateralId, Error> {
        let mut v: Vault = vault.into();
        vault_result(
            v.call_mut()
                .lock_collateral(owner, asset, amount, unlock_after)
                .transferred_value(value)
                .try_invoke(),
        )
    }

    pub fn release_collateral(vault: AccountId, id: CollateralId) -> Result<(), Error> {
        let mut v: Vault = vault.into();
        vault_result(v.call_mut().release_collateral(id).try_invoke())
    }

    pub fn is_auditor(auditors: AccountId, account: AccountId) -> Result<bool, Error> {
        let a: ink::contract_ref!(Auditors, ink::env::DefaultEnvironment) = auditors.into();
        match a.call().is_auditor(account).try_invoke() {
            Ok(Ok(yes)) => Ok(yes),
            _ => Err(Error::AuditorsCallFailed),
        }
    }

    /// The token's own refusal becomes `Token(reason)`, a failed call `TokenCallFailed`.
    fn token_error(e: CallError) -> Error {
        match e {
            CallError::Refused(reason) => Error::Token(reason),
            CallError::Failed => Error::TokenCallFailed,
        }
    }

    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        psp22_calls::transfer_from(token, from, to, amount).map_err(token_error)
    }

    pub fn approve(token: AccountId, spender: AccountId, amount: Balance) -> Result<(), Error> {
        psp22_calls::approve(token, spender, amount).map_err(token_error)
    }
}

#[cfg(test)]
pub mod chain {
    //! The stand-in chain: vaults that keep streams (waiting, streaming, disputed and
    //! frozen, settled, with their deposits, accrual, minimum payouts and credits) and
    //! collateral locks (with the controller and open-stream checks of the real vault,
    //! and the hold a payee's refund of a disputed stream puts on them), PSP22
    //! balances and allowances, and auditor lists. Each vault call checks the caller
    //! the way the real vault does: only the opener moves a stream it opened.
    use super::*;
    use core::cell::RefCell;
    use market_types::math::{pro_rata, proportional_top_up};
    use market_types::{
        EscrowState, SettleReason, Settlement, TokenError, VaultError, MAX_PERIOD_MS,
    };
    use std::collections::{HashMap, HashSet};

    /// A stream a stand-in vault holds.
    #[derive(Clone, Debug)]
    pub struct Stream {
        pub opener: AccountId,
        pub payer: AccountId,
        pub terms: StreamTerms,
        /// What the opener sent with `open_stream`.
        pub value: Balance,
        pub deposit: Balance,
        pub duration_ms: u64,
        pub start: Option<Timestamp>,
        pub state: EscrowState,
        pub settlement: Option<Settlement>,
        /// What was credited to the payee so far.
        pub paid_out: Balance,
        /// When a dispute froze it (accrual stops there).
        pub frozen_at: Option<Timestamp>,
        /// A dispute was opened on it (the record keeps it once settled).
        pub disputed: bool,
        /// Its payee refunded it while disputed: its lock stays counted in use until
        /// `release_hold`.
        pub collateral_held: bool,
    }

    /// A collateral lock a stand-in vault holds.
    #[derive(Clone, Debug)]
    pub struct Lock {
        pub owner: AccountId,
        pub controller: AccountId,
        pub asset: Asset,
        pub amount: Balance,
        pub unlock_after: Timestamp,
        /// Streams open against it.
        pub open: u32,
        pub released: bool,
    }

    #[derive(Default)]
    pub struct Chain {
        pub streams: HashMap<(AccountId, EscrowId), Stream>,
        pub locks: HashMap<(AccountId, CollateralId), Lock>,
        pub next_stream: HashMap<AccountId, EscrowId>,
        pub next_lock: HashMap<AccountId, CollateralId>,
        /// Vault credits per (vault, asset, account); the asset as its token (`None`:
        /// native), since `Asset` is not `Hash`.
        pub credits: HashMap<(AccountId, Option<AccountId>, AccountId), Balance>,
        pub balances: HashMap<(AccountId, AccountId), Balance>,
        pub allowances: HashMap<(AccountId, AccountId, AccountId), Balance>,
        pub auditors: HashSet<(AccountId, AccountId)>,
        /// Makes the next vault call (not a read) fail with this error.
        pub vault_refuses: Option<VaultError>,
        /// Vault reads and writes made so far.
        pub vault_calls: u32,
    }

    thread_local! {
        static CHAIN: RefCell<Chain> = RefCell::new(Chain::default());
    }

    /// Runs `f` on the stand-in chain.
    pub fn with<R>(f: impl FnOnce(&mut Chain) -> R) -> R {
        CHAIN.with(|c| f(&mut c.borrow_mut()))
    }

    /// Forgets everything (each test starts from an empty chain).
    pub fn reset() {
        with(|c| *c = Chain::default());
    }

    fn me() -> AccountId {
        ink::env::account_id::<ink::env::DefaultEnvironment>()
    }

    fn now() -> Timestamp {
        ink::env::block_timestamp::<ink::env::DefaultEnvironment>()
    }

    fn token_of(asset: Asset) -> Option<AccountId> {
        match asset {
            Asset::Native => None,
            Asset::Psp22(token) => Some(token),
        }
    }

    fn vault_err<T>(e: VaultError) -> Result<T, Error> {
        Err(Error::Vault(e))
    }

    pub fn mint(token: AccountId, to: AccountId, amount: Balance) {
        with(|c| *c.balances.entry((token, to)).or_default() += amount);
    }

    pub fn balance(token: AccountId, of: AccountId) -> Balance {
        with(|c| c.balances.get(&(token, of)).copied().unwrap_or(0))
    }

    pub fn set_allowance(token: AccountId, owner: AccountId, spender: AccountId, amount: Balance) {
        with(|c| c.allowances.insert((token, owner, spender), amount));
    }

    pub fn allowance(token: AccountId, owner: AccountId, spender: AccountId) -> Balance {
        with(|c| {
            c.allowances
                .get(&(token, owner, spender))
                .copied()
                .unwrap_or(0)
        })
    }

    /// `account`'s credit in `vault` for `asset`.
    pub fn credit(vault: AccountId, asset: Asset, account: AccountId) -> Balance {
        with(|c| {
            c.credits
                .get(&(vault, token_of(asset), account))
                .copied()
                .unwrap_or(0)
        })
    }

    pub fn stream(vault: AccountId, id: EscrowId) -> Stream {
        with(|c| c.streams.get(&(vault, id)).cloned().expect("stream"))
    }

    pub fn lock(vault: AccountId, id: CollateralId) -> Lock {
        with(|c| c.locks.get(&(vault, id)).cloned().expect("lock"))
    }

    pub fn set_auditor(registry: AccountId, account: AccountId, allowed: bool) {
        with(|c| {
            if allowed {
                c.auditors.insert((registry, account));
            } else {
                c.auditors.remove(&(registry, account));
            }
        });
    }

    fn add_credit(c: &mut Chain, vault: AccountId, asset: Asset, to: AccountId, amount: Balance) {
        *c.credits.entry((vault, token_of(asset), to)).or_default() += amount;
    }

    fn pull(
        c: &mut Chain,
        token: AccountId,
        spender: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), TokenError> {
        let allowed = c
            .allowances
            .get(&(token, from, spender))
            .copied()
            .unwrap_or(0);
        if allowed < amount {
            return Err(TokenError::InsufficientAllowance);
        }
        let held = c.balances.get(&(token, from)).copied().unwrap_or(0);
        if held < amount {
            return Err(TokenError::InsufficientBalance);
        }
        c.allowances
            .insert((token, from, spender), allowed - amount);
        c.balances.insert((token, from), held - amount);
        *c.balances.entry((token, to)).or_default() += amount;
        Ok(())
    }

    /// The vault collecting `amount` from its caller: the value sent, or a PSP22 pull.
    fn collect(
        c: &mut Chain,
        vault: AccountId,
        asset: Asset,
        amount: Balance,
        value: Balance,
    ) -> Result<(), Error> {
        match asset {
            Asset::Native if value != amount => vault_err(VaultError::WrongValue),
            Asset::Native => Ok(()),
            Asset::Psp22(_) if value != 0 => vault_err(VaultError::WrongValue),
            Asset::Psp22(token) => pull(c, token, vault, me(), vault, amount)
                .map_err(|e| Error::Vault(VaultError::Token(e))),
        }
    }

    /// A vault write starting: counted, and refused if a test asked for it.
    fn begin(c: &mut Chain) -> Result<(), Error> {
        c.vault_calls += 1;
        match c.vault_refuses.take() {
            Some(e) => vault_err(e),
            None => Ok(()),
        }
    }

    fn end_of(s: &Stream) -> Option<Timestamp> {
        s.start.map(|t| t + s.duration_ms)
    }

    fn accrued(s: &Stream, at: Timestamp) -> Balance {
        let at = s.frozen_at.map_or(at, |f| f.min(at));
        match s.start {
            Some(start) => {
                let elapsed = at.saturating_sub(start).min(s.duration_ms);
                pro_rata(s.deposit, elapsed, s.duration_ms).expect("accrual")
            }
            None => 0,
        }
    }

    /// What the payee gets when its payer stops the stream at `until`, as the vault's
    /// `stop_payout`: what accrued and is unpaid, but at least what `min_payout` still
    /// lacks after the claims, and at most what the stream holds.
    fn stop_payout(s: &Stream, until: Timestamp) -> Balance {
        let unpaid = accrued(s, until) - s.paid_out;
        let floor = s.terms.min_payout.saturating_sub(s.paid_out);
        unpaid.max(floor).min(s.deposit - s.paid_out)
    }

    /// Settles a stream: `to_payee` more to the payee, the rest to the payer, its lock
    /// no longer in use.
    fn settle(
        c: &mut Chain,
        vault: AccountId,
        id: EscrowId,
        to_payee: Balance,
        reason: SettleReason,
    ) {
        let s = c.streams.get(&(vault, id)).cloned().expect("stream");
        let held = s.deposit - s.paid_out;
        let refund = held - to_payee;
        add_credit(c, vault, s.terms.asset, s.terms.payee, to_payee);
        add_credit(c, vault, s.terms.asset, s.payer, refund);
        let payee_share_bps = if held == 0 {
            10_000
        } else {
            u16::try_from(to_payee * 10_000 / held).expect("bps")
        };
        if let Some(cid) = s.terms.collateral {
            if let Some(l) = c.locks.get_mut(&(vault, cid)) {
                l.open -= 1;
            }
        }
        let s = c.streams.get_mut(&(vault, id)).expect("stream");
        s.paid_out = s.deposit;
        s.state = EscrowState::Settled;
        s.settlement = Some(Settlement {
            reason,
            at: now(),
            payee_share_bps,
        });
    }

    /// The payee claims everything accrued; a stream past its end settles
    /// (`StreamCompleted`). As the vault's `claim`, called by the payee directly.
    pub fn claim(vault: AccountId, id: EscrowId) {
        with(|c| {
            let s = c.streams.get(&(vault, id)).cloned().expect("stream");
            assert_eq!(
                s.state,
                EscrowState::Streaming,
                "claim needs a running stream"
            );
            let due = accrued(&s, now()) - s.paid_out;
            if end_of(&s).is_some_and(|end| now() >= end) {
                settle(c, vault, id, due, SettleReason::StreamCompleted);
            } else {
                add_credit(c, vault, s.terms.asset, s.terms.payee, due);
                c.streams.get_mut(&(vault, id)).expect("stream").paid_out += due;
            }
        });
    }

    /// A party disputes a running stream directly at the vault: it freezes.
    pub fn dispute(vault: AccountId, id: EscrowId) {
        with(|c| {
            let s = c.streams.get_mut(&(vault, id)).expect("stream");
            assert_eq!(s.state, EscrowState::Streaming, "only a running stream");
            s.state = EscrowState::Disputed;
            s.frozen_at = Some(now());
            s.disputed = true;
        });
    }

    /// Anyone applies the fallback of an unruled dispute: what accrued until the
    /// freeze to the payee (not the minimum payout), the rest back.
    pub fn expire(vault: AccountId, id: EscrowId) {
        with(|c| {
            let s = c.streams.get(&(vault, id)).cloned().expect("stream");
            assert_eq!(s.state, EscrowState::Disputed, "only a disputed stream");
            let to_payee = accrued(&s, s.frozen_at.expect("frozen")) - s.paid_out;
            settle(c, vault, id, to_payee, SettleReason::DisputeExpired);
        });
    }

    /// The arbiter (or anyone after the ruling deadline) ends the hold a payee's
    /// refund of a disputed stream put on its collateral.
    pub fn release_hold(vault: AccountId, id: EscrowId) {
        with(|c| {
            let s = c.streams.get_mut(&(vault, id)).expect("stream");
            assert!(s.collateral_held, "a held collateral");
            s.collateral_held = false;
            let cid = s.terms.collateral.expect("linked");
            c.locks.get_mut(&(vault, cid)).expect("lock").open -= 1;
        });
    }

    /// Whether stream `id` was ever disputed (the vault's `escrow(id).dispute`).
    pub fn was_disputed(vault: AccountId, id: EscrowId) -> bool {
        with(|c| {
            c.vault_calls += 1;
            c.streams.get(&(vault, id)).is_some_and(|s| s.disputed)
        })
    }

    /// The arbiter rules on a disputed stream: `payee_bps` of what it holds to the
    /// payee.
    pub fn resolve(vault: AccountId, id: EscrowId, payee_bps: u16) {
        with(|c| {
            let s = c.streams.get(&(vault, id)).cloned().expect("stream");
            assert_eq!(s.state, EscrowState::Disputed, "only a disputed stream");
            let held = s.deposit - s.paid_out;
            let to_payee = held * Balance::from(payee_bps) / 10_000;
            settle(c, vault, id, to_payee, SettleReason::Resolved);
        });
    }

    /// The arbiter slashes a lock (the market does not see it).
    pub fn slash(vault: AccountId, id: CollateralId, amount: Balance) {
        with(|c| c.locks.get_mut(&(vault, id)).expect("lock").amount -= amount);
    }

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
        with(|c| {
            c.vault_calls += 1;
            c.streams.get(&(vault, id)).map(|s| EscrowStatus {
                state: s.state,
                settlement: s.settlement,
            })
        })
    }

    pub fn open_stream(
        vault: AccountId,
        payer: AccountId,
        terms: StreamTerms,
        value: Balance,
    ) -> Result<EscrowId, Error> {
        let opener = me();
        with(|c| {
            begin(c)?;
            if payer == terms.payee {
                return vault_err(VaultError::SelfDeal);
            }
            if terms.amount == 0 {
                return vault_err(VaultError::ZeroAmount);
            }
            if terms.duration_ms == 0 || terms.start.is_some() || terms.start_by <= now() {
                return vault_err(VaultError::InvalidPeriod);
            }
            if terms.duration_ms > MAX_PERIOD_MS || terms.start_by > now() + MAX_PERIOD_MS {
                return vault_err(VaultError::PeriodTooLong);
            }
            if let Some(cid) = terms.collateral {
                let l = match c.locks.get(&(vault, cid)) {
                    Some(l) if !l.released => l.clone(),
                    _ => return vault_err(VaultError::CollateralNotFound),
                };
                if l.controller != opener {
                    return vault_err(VaultError::NotCollateralController);
                }
                if terms.no_show_penalty > l.amount {
                    return vault_err(VaultError::InvalidPenalty);
                }
            } else if terms.no_show_penalty > 0 {
                return vault_err(VaultError::InvalidPenalty);
            }
            if terms.min_payout > terms.amount {
                return vault_err(VaultError::InvalidMinPayout);
            }
            collect(c, vault, terms.asset, terms.amount, value)?;
            if let Some(cid) = terms.collateral {
                c.locks.get_mut(&(vault, cid)).expect("lock").open += 1;
            }
            let id = c.next_stream.get(&vault).copied().unwrap_or(0) + 1;
            c.next_stream.insert(vault, id);
            c.streams.insert(
                (vault, id),
                Stream {
                    opener,
                    payer,
                    value,
                    deposit: terms.amount,
                    duration_ms: terms.duration_ms,
                    start: None,
                    state: EscrowState::Waiting,
                    settlement: None,
                    paid_out: 0,
                    frozen_at: None,
                    disputed: false,
                    collateral_held: false,
                    terms,
                },
            );
            Ok(id)
        })
    }

    /// The stream, if it exists and the caller opened it (as the real vault checks for
    /// a controller-opened stream).
    fn opened(c: &Chain, vault: AccountId, id: EscrowId) -> Result<Stream, Error> {
        let s = c
            .streams
            .get(&(vault, id))
            .cloned()
            .ok_or(Error::Vault(VaultError::EscrowNotFound))?;
        if s.opener != me() {
            return vault_err(VaultError::NotOpener);
        }
        Ok(s)
    }

    pub fn start_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        with(|c| {
            begin(c)?;
            let s = opened(c, vault, id)?;
            match s.state {
                EscrowState::Waiting => {}
                EscrowState::Streaming => return vault_err(VaultError::StreamAlreadyStarted),
                _ => return vault_err(VaultError::EscrowNotOpen),
            }
            if now() > s.terms.start_by {
                return vault_err(VaultError::StartWindowPassed);
            }
            let s = c.streams.get_mut(&(vault, id)).expect("stream");
            s.start = Some(now());
            s.state = EscrowState::Streaming;
            Ok(())
        })
    }

    pub fn stop_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        with(|c| {
            begin(c)?;
            let s = opened(c, vault, id)?;
            if !matches!(s.state, EscrowState::Streaming | EscrowState::Waiting) {
                return vault_err(VaultError::EscrowNotOpen);
            }
            if end_of(&s).is_some_and(|end| now() >= end) {
                return vault_err(VaultError::StreamEnded);
            }
            let due = stop_payout(&s, now());
            settle(c, vault, id, due, SettleReason::StoppedByPayer);
            Ok(())
        })
    }

    pub fn top_up(
        vault: AccountId,
        id: EscrowId,
        extra_ms: u64,
        value: Balance,
    ) -> Result<(), Error> {
        with(|c| {
            begin(c)?;
            let s = opened(c, vault, id)?;
            if !matches!(s.state, EscrowState::Streaming | EscrowState::Waiting) {
                return vault_err(VaultError::EscrowNotOpen);
            }
            match end_of(&s) {
                Some(end) if now() >= end => return vault_err(VaultError::StreamEnded),
                None if now() > s.terms.start_by => {
                    return vault_err(VaultError::StartWindowPassed)
                }
                _ => {}
            }
            if s.duration_ms + extra_ms > MAX_PERIOD_MS {
                return vault_err(VaultError::PeriodTooLong);
            }
            let added = proportional_top_up(s.deposit, s.duration_ms, extra_ms)
                .ok_or(Error::Vault(VaultError::InexactTopUp))?;
            collect(c, vault, s.terms.asset, added, value)?;
            let s = c.streams.get_mut(&(vault, id)).expect("stream");
            s.deposit += added;
            s.duration_ms += extra_ms;
            Ok(())
        })
    }

    pub fn cancel_unstarted(vault: AccountId, id: EscrowId) -> Result<Balance, Error> {
        with(|c| {
            begin(c)?;
            // Anyone may call it: no opener check.
            let s = c
                .streams
                .get(&(vault, id))
                .cloned()
                .ok_or(Error::Vault(VaultError::EscrowNotFound))?;
            match s.state {
                EscrowState::Waiting => {}
                EscrowState::Streaming => return vault_err(VaultError::StreamAlreadyStarted),
                _ => return vault_err(VaultError::EscrowNotOpen),
            }
            if now() <= s.terms.start_by {
                return vault_err(VaultError::StartWindowOpen);
            }
            let mut paid = 0;
            if let Some(cid) = s.terms.collateral {
                let l = c.locks.get_mut(&(vault, cid)).expect("lock");
                paid = s.terms.no_show_penalty.min(l.amount);
                l.amount -= paid;
                add_credit(c, vault, s.terms.asset, s.payer, paid);
            }
            settle(c, vault, id, 0, SettleReason::NotStarted);
            Ok(paid)
        })
    }

    /// The payee refunds a stream directly at the vault, as the vault does: what
    /// accrued to the payee (nothing, for a disputed stream: everything frozen goes
    /// back), the rest back, and a stream's no-show penalty out of its collateral to
    /// the payer (at most what the lock holds). A disputed stream's collateral stays
    /// counted in use (held) until `release_hold`. Returns the penalty.
    pub fn payee_refund(vault: AccountId, id: EscrowId) -> Balance {
        with(|c| {
            let s = c.streams.get(&(vault, id)).cloned().expect("stream");
            assert!(
                matches!(
                    s.state,
                    EscrowState::Waiting | EscrowState::Streaming | EscrowState::Disputed
                ),
                "an open stream"
            );
            let held = s.state == EscrowState::Disputed && s.terms.collateral.is_some();
            let due = if s.state == EscrowState::Streaming {
                accrued(&s, now()) - s.paid_out
            } else {
                0
            };
            let mut paid = 0;
            if let (Some(cid), true) = (s.terms.collateral, s.terms.no_show_penalty > 0) {
                let l = c.locks.get_mut(&(vault, cid)).expect("lock");
                paid = s.terms.no_show_penalty.min(l.amount);
                l.amount -= paid;
                add_credit(c, vault, s.terms.asset, s.payer, paid);
            }
            settle(c, vault, id, due, SettleReason::RefundedByPayee);
            if held {
                let cid = s.terms.collateral.expect("linked");
                c.locks.get_mut(&(vault, cid)).expect("lock").open += 1;
                c.streams
                    .get_mut(&(vault, id))
                    .expect("stream")
                    .collateral_held = true;
            }
            paid
        })
    }

    /// `cancel_unstarted` called by a stranger directly at the vault.
    pub fn cancel_directly(vault: AccountId, id: EscrowId) -> Balance {
        cancel_unstarted(vault, id).expect("cancellable")
    }

    pub fn lock_collateral(
        vault: AccountId,
        owner: AccountId,
        asset: Asset,
        amount: Balance,
        unlock_after: Timestamp,
        value: Balance,
    ) -> Result<CollateralId, Error> {
        let controller = me();
        with(|c| {
            begin(c)?;
            if amount == 0 {
                return vault_err(VaultError::ZeroAmount);
            }
            if unlock_after > now() + MAX_PERIOD_MS {
                return vault_err(VaultError::PeriodTooLong);
            }
            collect(c, vault, asset, amount, value)?;
            let id = c.next_lock.get(&vault).copied().unwrap_or(0) + 1;
            c.next_lock.insert(vault, id);
            c.locks.insert(
                (vault, id),
                Lock {
                    owner,
                    controller,
                    asset,
                    amount,
                    unlock_after,
                    open: 0,
                    released: false,
                },
            );
            Ok(id)
        })
    }

    pub fn release_collateral(vault: AccountId, id: CollateralId) -> Result<(), Error> {
        let caller = me();
        with(|c| {
            begin(c)?;
            let l = match c.locks.get(&(vault, id)) {
                Some(l) if !l.released => l.clone(),
                _ => return vault_err(VaultError::CollateralNotFound),
            };
            if l.controller != caller {
                return vault_err(VaultError::NotCollateralController);
            }
            if l.open > 0 {
                return vault_err(VaultError::CollateralInUse);
            }
            add_credit(c, vault, l.asset, l.owner, l.amount);
            let l = c.locks.get_mut(&(vault, id)).expect("lock");
            l.amount = 0;
            l.released = true;
            Ok(())
        })
    }

    /// The owner takes its lock back directly at the vault after `unlock_after`.
    pub fn owner_releases(vault: AccountId, id: CollateralId) {
        with(|c| {
            let l = c.locks.get(&(vault, id)).cloned().expect("lock");
            assert!(now() >= l.unlock_after && l.open == 0 && !l.released);
            add_credit(c, vault, l.asset, l.owner, l.amount);
            let l = c.locks.get_mut(&(vault, id)).expect("lock");
            l.amount = 0;
            l.released = true;
        });
    }

    pub fn is_auditor(auditors: AccountId, account: AccountId) -> Result<bool, Error> {
        Ok(with(|c| c.auditors.contains(&(auditors, account))))
    }

    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        let spender = me();
        with(|c| pull(c, token, spender, from, to, amount)).map_err(Error::Token)
    }

    pub fn approve(token: AccountId, spender: AccountId, amount: Balance) -> Result<(), Error> {
        let owner = me();
        set_allowance(token, owner, spender, amount);
        Ok(())
    }
}
