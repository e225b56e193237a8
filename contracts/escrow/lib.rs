//! # escrow — the vault
//!
//! The one contract of the marketplace that holds money. Every payment (a license
//! purchase, a GPU rental, a dispute bond, a provider's collateral) waits here until the
//! rules below move it to someone's **credit**, which its owner then pulls with
//! `withdraw(asset)`. Nothing is ever pushed to an account during a settlement.
//!
//! ## Kinds
//! - **Order** (one-shot): `Funded` → `Delivered` (the payee posts a proof hash) →
//!   settled by the payer's `release`, or by anyone's `finalize` after the review
//!   window; refunded by anyone after its delivery deadline if undelivered, or by the
//!   payee at any time.
//! - **Stream** (rentals): `deposit × elapsed / duration_ms` accrues to the payee, exact;
//!   it starts at a fixed time or by `start_stream`; anyone may `claim` it to the payee's
//!   credit; the payer may `stop_stream` or `top_up` it; the payee may `refund` it.
//! - **Collateral**: locked for an owner by a controller (or the owner itself); only the
//!   arbiter slashes it; it goes back to the owner when its controller releases it, or
//!   when the owner takes it after its unlock time, once no escrow linked to it is open.
//!
//! ## Roles
//! - **Payer** opens an escrow for itself, releases, stops, tops up, disputes; **payee**
//!   delivers, refunds anything naming it (disputed or not), disputes.
//! - **Controller**: an allow-listed contract (the registry, the compute market) that
//!   opens escrows and locks collateral for a payer. While it is allow-listed, **only**
//!   it acts for the payer on what it opened (the payer gets `ControllerOnly`: the
//!   controller enforces the terms it sold); once removed, the payer acts directly and
//!   nothing gets stuck.
//! - **Arbiter**: the DAO; resolves disputes, slashes collateral and governs (fee,
//!   treasury, dispute parameters, minimum deposits, allow-lists); it hands the role on
//!   in two steps (`propose_arbiter`, `accept_arbiter`). What it calls, and the reads
//!   and fallbacks a case needs, implement `market_types::governed::VaultArbiter`, the
//!   trait the DAO calls through (labels `VaultArbiter::resolve`, …).
//!
//! **One governed surface.** The arbiter role is the registry's and the market's admin
//! role under another name: the same `market_types::admin::Admin` (two-step handover,
//! PSP22 allow-list; its pause flag stays unset: nothing may stop money leaving the
//! vault). Its handover emits the shared `AdminProposed` and `AdminChanged`, so an
//! indexer follows who governs any marketplace contract with one filter (for the vault,
//! "admin" reads "arbiter"; `VaultCreated.arbiter` names the first). Its refusals keep
//! the vault's words, `NotArbiter` and `NotPendingArbiter` (`From<AdminError>`).
//!
//! **The caller pays**, always: deposits, top-ups, bonds and collateral are the call's
//! transferred value (native) or, in PSP22, pulled with `transfer_from(caller, vault,
//! amount)` from a party calling for itself, or moved to the vault by an allow-listed
//! controller just before its call (the vault counts its balance above what it owes,
//! up to the amount; the controller takes its buyer's tokens straight to the vault on
//! the buyer's approval of the controller). So the vault never spends an approval
//! someone else gave. A plain account may only name itself as payer. No deadline, window or lock may reach further than
//! `market_types::MAX_PERIOD_MS` (366 days) from now, so nothing is locked for ever.
//!
//! ## Disputes
//! Either party may dispute an open escrow with a bond of `bond_bps` of what is at stake
//! (rounded up). The escrow freezes (a stream stops accruing) until the arbiter rules
//! with a split in basis points, or until the **ruling deadline it opened with**, after
//! which anyone applies the fallback (`expire_dispute`). The bond goes back to the
//! disputer if its side got at least half (always, if the payee refunds); else a ruling
//! forfeits it to the treasury, the fallback to the counterparty whose money it froze. So
//! a dispute is not a free cancel: the payee may still deliver a disputed order, and the
//! fallback then pays it out. Every state has a path out that someone can trigger after a
//! deadline. Nobody fills someone else's open list cheaply: an escrow needs at least
//! `min_deposit(asset)`, and the payee can `refund` anything naming it.
//!
//! ## Money
//! A payment to the payee side pays the platform fee (`fee_bps`, at most 10 %, fixed when
//! the escrow opens) to the treasury and each royalty to its receiver, all rounded down;
//! the payee gets the dust, as the payer does on a ruling's refund side, so `to_payee +
//! fee + royalties + refund` is what the escrow held, to the unit. From a PSP22 the vault
//! holds what actually arrived (its balance before and after); a token's own refusal
//! fails the message with `Token(reason)`, a failed call with `TokenTransferFailed`.
//!
//! **Invariant (reserves):** per asset, `owed` counts everything the vault owes (open
//! escrows, bonds, collateral, unwithdrawn credits); it rises only when money comes in
//! and falls only when `withdraw` pays out, and `reserves(asset)` shows it next to what
//! the vault holds: `holdings ≥ owed`.
//!
//! ## Modules
//! - `ledger`: credits and `owed`, the only path money moves through.
//! - `settlement`: when `finalize`, `refund` and the fallback apply, and the planner that
//!   works out a settlement or a claim as a value (the credits, the updated record, the
//!   event); a settling message checks, plans, applies, emits; the settle reasons.
//! - `money`: the other pure rules (exact accrual, waiting streams, top-ups, minimum
//!   payouts, what is held or disputable, where a bond goes).
//! - `opening`, `lifecycle`, `collateral`: the bodies of the longer messages, which
//!   return their event; `checks` and `effects`: the guards, and collecting money,
//!   storing escrows, applying plans; `token`: the three PSP22 calls. Disputes are
//!   detailed in `lifecycle`, holds in `effects`, no-show penalties in `collateral`.
//!
//! ## Errors and cost
//! Every message returns `Result<_, VaultError>`; a refused message changes nothing (the
//! chain reverts it). Each message's doc says who may call it and lists its errors and
//! events. No message loops over anything that grows with use: royalties (≤ 4), slash
//! receivers (≤ 8) and pages (≤ 10) are the only loops; a party's open escrows are a
//! swap-remove index a dApp pages through with their next deadline.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::escrow::{Escrow, EscrowRef, MAX_FEE_BPS, MAX_PAGE, MAX_SLASH_RECEIVERS};
pub use self::events::{
    AdminChanged, AdminProposed, AssetAllowanceChanged, CollateralExtended, CollateralHeld,
    CollateralHoldReleased, CollateralLocked, CollateralReleased, CollateralSlashed,
    ControllerChanged, DisputeParamsChanged, EscrowDisputed, EscrowSettled, FeeChanged,
    MinDepositChanged, NoShowPenaltyPaid, OrderDelivered, OrderOpened, StreamClaimed, StreamOpened,
    StreamStarted, StreamToppedUp, TreasuryChanged, VaultCreated, Withdrawn,
};
pub use self::types::{Collateral, Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Reserves, Role};
pub use market_types::VaultError as Error;

mod checks;
mod collateral;
mod effects;
mod events;
mod ledger;
mod lifecycle;
mod opening;
mod rules;
mod token;
mod types;

#[ink::contract]
mod escrow {
    use crate::events::*;
    use crate::ledger::Ledger;
    use crate::rules::money::{check_dispute_params, check_fee, disputable, open_row};
    use crate::rules::settlement::{finalize_side, PayeeSide};
    use crate::token::{psp22_balance_of, psp22_transfer};
    use crate::types::{Collateral, EscrowRecord, EscrowTerms, OpenEscrow, Reserves};
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use market_types::admin::Admin;
    use market_types::governed::VaultArbiter;
    use market_types::math::bps_of_ceil;
    use market_types::storage::{AllowList, SwapIndex};
    use market_types::{
        ensure, Asset, Bps, CollateralId, EscrowId, EscrowState, EscrowStatus, EscrowVault,
        OrderTerms, Page, SettleReason, StreamTerms, VaultError,
    };

    /// The platform fee can never be set above 10 %.
    pub const MAX_FEE_BPS: Bps = 1_000;
    /// Longest page any getter returns.
    pub const MAX_PAGE: u32 = 10;
    /// Most receivers one slash may name.
    pub const MAX_SLASH_RECEIVERS: usize = 8;

    pub type Result<T> = core::result::Result<T, VaultError>;

    // ---------------------------------------------------------------- storage

    #[ink(storage)]
    pub struct Escrow {
        /// The governed surface: the arbiter (the DAO) and the successor it proposed,
        /// and the PSP22 tokens new escrows may use. Its pause flag stays unset: the
        /// vault never pauses.
        pub(crate) arbiter: Admin,
        pub(crate) treasury: AccountId,
        pub(crate) fee_bps: Bps,
        pub(crate) bond_bps: Bps,
        pub(crate) ruling_window_ms: u64,
        /// Smallest deposit a new escrow may hold, per asset (absent: no minimum).
        pub(crate) min_deposit: Mapping<Asset, Balance>,
        pub(crate) controllers: AllowList,
        pub(crate) escrow_count: u64,
        pub(crate) escrows: Mapping<EscrowId, EscrowRecord>,
        pub(crate) collateral_count: u64,
        pub(crate) collaterals: Mapping<CollateralId, Collateral>,
        /// Credits and what is owed per asset: every movement of money goes through it.
        pub(crate) ledger: Ledger,
        /// Per party, the escrows it is payer or payee of that are still open.
        pub(crate) open: SwapIndex<AccountId, EscrowId>,
    }

    impl Escrow {
        /// Deploys the vault.
        ///
        /// - `arbiter`: the DAO (or, before it exists, an operator account); resolves
        ///   disputes and governs.
        /// - `treasury`: receives fees and the bonds a ruling forfeits.
        /// - `fee_bps` ≤ [`MAX_FEE_BPS`]; `bond_bps` ≤ 10 000;
        ///   0 < `ruling_window_ms` ≤ `MAX_PERIOD_MS`.
        /// - `min_native_deposit`: the smallest native order or stream deposit (0: none).
        ///
        /// Errors: `FeeTooHigh`, `InvalidShares`, `InvalidPeriod`, `PeriodTooLong`.
        /// Emits `VaultCreated`.
        #[ink(constructor)]
        pub fn new(
            arbiter: AccountId,
            treasury: AccountId,
            fee_bps: Bps,
            bond_bps: Bps,
            ruling_window_ms: u64,
            min_native_deposit: Balance,
        ) -> Result<Self> {
            check_fee(fee_bps)?;
            check_dispute_params(bond_bps, ruling_window_ms)?;
            let mut min_deposit = Mapping::default();
            if min_native_deposit > 0 {
                min_deposit.insert(Asset::Native, &min_native_deposit);
            }
            Self::env().emit_event(VaultCreated {
                arbiter,
                treasury,
                fee_bps,
                bond_bps,
                ruling_window_ms,
                min_native_deposit,
            });
            Ok(Self {
                arbiter: Admin::new(arbiter),
                treasury,
                fee_bps,
                bond_bps,
                ruling_window_ms,
                min_deposit,
                controllers: Default::default(),
                escrow_count: 0,
                escrows: Mapping::default(),
                collateral_count: 0,
                collaterals: Mapping::default(),
                ledger: Ledger::default(),
                open: Default::default(),
            })
        }

        // ------------------------------------------------------------ orders

        /// Marks an order delivered with a proof hash, before its delivery deadline, and
        /// starts the review window. Also while the order is disputed (if it was not
        /// delivered yet): it stays `Disputed`, but the fallback will then pay it to the
        /// payee side, so a dispute cannot be used to escape a delivery.
        ///
        /// Who may call: the payee.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayee`, `EscrowNotFunded`
        /// (settled, already delivered), `DeliveryDeadlinePassed`, `Overflow`.
        /// Emits `OrderDelivered`.
        #[ink(message)]
        pub fn deliver(&mut self, id: EscrowId, proof: Hash) -> Result<()> {
            let event = self.deliver_order(id, proof)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Pays a delivered order to the payee side once its review window has ended.
        ///
        /// Who may call: anyone.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `EscrowNotDelivered`,
        /// `ReviewWindowOpen`, `Overflow`. Emits `EscrowSettled` (`AutoReleased`).
        #[ink(message)]
        pub fn finalize(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let payee_side = finalize_side(&rec, now)?;
            self.settle(id, rec, payee_side, SettleReason::AutoReleased)
        }

        /// Gives an escrow's money back to the payer.
        ///
        /// Who may call: the payee, at any time before settlement — also while disputed,
        /// so nobody can park an escrow in someone's open list by disputing it (an
        /// order: everything back; a running stream: what accrued and is unclaimed until
        /// now still goes to the payee side; a disputed escrow: everything it froze back
        /// to the payer, since nobody takes a contested amount without a ruling, and the
        /// dispute's bond back to the disputer); anyone, for an order whose delivery
        /// deadline passed without a delivery. Either way the escrow leaves both parties'
        /// open lists. A payee that refunds a stream carrying a no-show penalty also pays
        /// that penalty out of its collateral, whether the stream started or not
        /// (backing out of a booking, or starting it at the last moment and refunding at
        /// once, never dodges it). Refunding a disputed escrow does not free its
        /// collateral: it stays locked for the dispute (`Dispute::collateral_held`) until
        /// the arbiter rules and ends the hold, or the ruling deadline passes
        /// (`release_hold`), so a slash ruling stands whatever the payee does first.
        ///
        /// Errors: `EscrowNotFound`, `EscrowNotOpen`, `EscrowNotFunded`,
        /// `DeliveryDeadlineNotReached`, `NotPayee` (a stream, by anyone else),
        /// `Overflow`. Emits `EscrowSettled` (`RefundedByPayee` or
        /// `RefundedAfterDeadline`), `NoShowPenaltyPaid` when a penalty is paid, and
        /// `CollateralHeld` when a disputed escrow's collateral stays locked.
        #[ink(message)]
        pub fn refund(&mut self, id: EscrowId) -> Result<()> {
            self.refund_escrow(id)
        }

        // ------------------------------------------------------------ streams

        /// Credits what a stream has accrued since the last claim to the payee side (fee
        /// and royalties taken). When the stream has ended and everything is paid, it
        /// settles.
        ///
        /// Who may call: anyone (the money only ever goes to the payee's side).
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `EscrowNotOpen` (disputed or
        /// settled), `NothingToClaim`, `Overflow`. Emits `StreamClaimed`, and
        /// `EscrowSettled` (`StreamCompleted`) on the last claim.
        #[ink(message)]
        pub fn claim(&mut self, id: EscrowId) -> Result<Balance> {
            self.claim_accrued(id)
        }

        /// What a stream would pay the payee side if claimed now (0 for anything else).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn claimable(&self, id: EscrowId) -> Balance {
            self.claimable_now(id)
        }

        // ------------------------------------------------------------ disputes

        /// Disputes an open escrow and posts the bond (`required_bond(id)`), which
        /// freezes it until the arbiter rules or the ruling deadline (now + the ruling
        /// window, fixed here) passes. A delivered order can be disputed only during its
        /// review window.
        ///
        /// Native: send at least the bond; the excess is credited back to the caller at
        /// once (so a same-block claim that shrinks the bond cannot fail the dispute).
        /// PSP22: send no value; exactly the bond is pulled from the caller.
        ///
        /// Who may call: the payer or the payee.
        ///
        /// Errors: `EscrowNotFound`, `NotParty`, `EscrowNotOpen`, `ReviewWindowClosed`,
        /// `StreamEnded` (nothing left to dispute), `WrongValue`, `Token`,
        /// `TokenTransferFailed`, `Overflow`. Emits `EscrowDisputed`.
        #[ink(message, payable)]
        pub fn dispute(&mut self, id: EscrowId) -> Result<()> {
            let event = self.open_dispute(id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// The bond `dispute(id)` would require now, or `None` if it cannot be disputed.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn required_bond(&self, id: EscrowId) -> Option<Balance> {
            let rec = self.escrows.get(id)?;
            let at_stake = disputable(&rec, self.env().block_timestamp()).ok()?;
            bps_of_ceil(at_stake, self.bond_bps)
        }

        // ------------------------------------------------------------ collateral

        /// Moves a collateral's unlock time later (e.g. when the provider lists for
        /// longer), to at most `MAX_PERIOD_MS` from now.
        ///
        /// Who may call: the collateral's controller while it is allow-listed (or the
        /// owner of collateral it locked itself).
        ///
        /// Errors: `CollateralNotFound`, `NotCollateralController`, `NotController`
        /// (removed by governance), `InvalidPeriod` (not later), `PeriodTooLong`,
        /// `Overflow`. Emits `CollateralExtended`.
        #[ink(message)]
        pub fn extend_collateral(
            &mut self,
            id: CollateralId,
            unlock_after: Timestamp,
        ) -> Result<()> {
            let event = self.extend_lock(id, unlock_after)?;
            self.env().emit_event(event);
            Ok(())
        }

        // ------------------------------------------------------------ views

        /// The arbiter (the DAO): resolves, slashes, governs.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn arbiter(&self) -> AccountId {
            self.arbiter.admin()
        }

        /// The account `propose_arbiter` named, until it accepts.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn pending_arbiter(&self) -> Option<AccountId> {
            self.arbiter.pending()
        }

        /// Receives fees and the bonds a ruling forfeits (a fallback's go to the
        /// counterparty).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn treasury(&self) -> AccountId {
            self.treasury
        }

        /// The fee new escrows are opened with.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn fee_bps(&self) -> Bps {
            self.fee_bps
        }

        /// The smallest deposit a new order or stream in `asset` may hold (0: none).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn min_deposit(&self, asset: Asset) -> Balance {
            self.min_deposit.get(asset).unwrap_or(0)
        }

        /// Whether `account` is an allow-listed controller.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn is_controller(&self, account: AccountId) -> bool {
            self.controllers.contains(account)
        }

        /// Whether new escrows may use `asset` (native always).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            self.arbiter.allows(asset)
        }

        /// The highest escrow id so far (ids run from 1).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn escrow_count(&self) -> u64 {
            self.escrow_count
        }

        /// The highest collateral id so far (ids run from 1).
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn collateral_count(&self) -> u64 {
            self.collateral_count
        }

        /// What `withdraw(asset)` would pay `account` now.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn credit_of(&self, account: AccountId, asset: Asset) -> Balance {
            self.ledger.credit_of(account, asset)
        }

        /// Everything owed in `asset` next to what the vault holds of it.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn reserves(&self, asset: Asset) -> Reserves {
            let holdings = match asset {
                Asset::Native => self.env().balance(),
                Asset::Psp22(token) => {
                    psp22_balance_of(token, self.env().account_id()).unwrap_or(0)
                }
            };
            Reserves {
                owed: self.ledger.owed(asset),
                holdings,
            }
        }

        /// How many escrows `account` is payer or payee of that are still open.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn open_escrow_count(&self, account: AccountId) -> u32 {
            self.open.len(account)
        }

        /// A page of `account`'s open escrows with their next deadline. `cursor` is a
        /// position in the account's list (0 first); settling an escrow moves the last one
        /// into its place, so a list being settled may shift between pages.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn open_escrows(
            &self,
            account: AccountId,
            cursor: u64,
            limit: u32,
        ) -> Page<OpenEscrow> {
            self.open.page(account, cursor, limit, MAX_PAGE, |id| {
                let rec = self.escrows.get(id)?;
                Some(open_row(id, &rec, account))
            })
        }
    }

    /// What the arbiter (the DAO) calls, through this trait: rulings, slashes, the reads
    /// a case needs, the governed parameters and the arbiter's two-step handover.
    impl VaultArbiter for Escrow {
        /// Rules on a disputed escrow: `payee_bps` of what it still holds goes to the
        /// payee side (fee and royalties taken from it), the rest back to the payer. The
        /// disputer's bond comes back if its side got at least half, otherwise it goes
        /// to the treasury.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `EscrowNotFound`, `EscrowNotDisputed`,
        /// `InvalidShares`, `Overflow`. Emits `EscrowSettled` (`Resolved`).
        #[ink(message)]
        fn resolve(&mut self, id: EscrowId, payee_bps: Bps) -> Result<()> {
            self.rule(id, payee_bps)
        }

        /// Applies the fallback to a dispute the arbiter did not rule on by its ruling
        /// deadline (the one stored when it opened). A delivered order is paid to the
        /// payee side, an undelivered one refunded; a stream pays what accrued until it
        /// was frozen (not its minimum payout: nobody ruled on whether it delivered) and
        /// refunds the rest. The bond follows the outcome: back to the disputer when its side got at
        /// least half; otherwise to the counterparty whose money the dispute froze, paid
        /// for the wait (so disputing to delay a delivered order, or a payment already
        /// earned, costs the bond, and the platform never gains from a hearing that did
        /// not happen).
        ///
        /// Who may call: anyone.
        ///
        /// Errors: `EscrowNotFound`, `EscrowNotDisputed`, `RulingWindowOpen`,
        /// `Overflow`. Emits `EscrowSettled` (`DisputeExpired`).
        #[ink(message)]
        fn expire_dispute(&mut self, id: EscrowId) -> Result<()> {
            self.fall_back(id)
        }

        /// Slashes collateral to named receivers, crediting each (also while escrows
        /// are open against it).
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `CollateralNotFound`, `TooManyReceivers`, `ZeroAmount`,
        /// `SlashExceedsCollateral`, `Overflow`. Emits `CollateralSlashed`.
        #[ink(message)]
        fn slash_collateral(
            &mut self,
            id: CollateralId,
            receivers: Vec<(AccountId, Balance)>,
        ) -> Result<()> {
            let event = self.slash(id, receivers)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Ends the collateral hold of an escrow its payee refunded during a dispute
        /// (see `refund`): the collateral no longer counts as in use for it, and can be
        /// released once nothing else is open on it.
        ///
        /// Who may call: the arbiter at any time (after its ruling, and any slash);
        /// anyone once the dispute's ruling deadline has passed.
        ///
        /// Errors: `EscrowNotFound`, `NoCollateralHold`, `RulingWindowOpen`,
        /// `Overflow`. Emits `CollateralHoldReleased`.
        #[ink(message)]
        fn release_hold(&mut self, id: EscrowId) -> Result<()> {
            let event = self.end_hold(id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// `(bond_bps, ruling_window_ms)` for disputes opened now.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        fn dispute_params(&self) -> (Bps, u64) {
            (self.bond_bps, self.ruling_window_ms)
        }

        /// One escrow as stored.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        fn escrow(&self, id: EscrowId) -> Option<EscrowRecord> {
            self.escrows.get(id)
        }

        /// One collateral lock as stored.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        fn collateral(&self, id: CollateralId) -> Option<Collateral> {
            self.collaterals.get(id)
        }

        /// Sets the platform fee for escrows opened from now on (open ones keep theirs).
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `FeeTooHigh`. Emits `FeeChanged`.
        #[ink(message)]
        fn set_fee_bps(&mut self, fee_bps: Bps) -> Result<()> {
            self.only_arbiter()?;
            check_fee(fee_bps)?;
            self.fee_bps = fee_bps;
            self.env().emit_event(FeeChanged { fee_bps });
            Ok(())
        }

        /// Sets the treasury. Credits already made stay where they are.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`. Emits `TreasuryChanged`.
        #[ink(message)]
        fn set_treasury(&mut self, treasury: AccountId) -> Result<()> {
            self.only_arbiter()?;
            self.treasury = treasury;
            self.env().emit_event(TreasuryChanged { treasury });
            Ok(())
        }

        /// Sets the bond rate and the ruling window, for disputes opened from now on
        /// (an open dispute keeps the deadline it opened with).
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `InvalidShares` (bond above 100 %), `InvalidPeriod`
        /// (zero window), `PeriodTooLong` (window above `MAX_PERIOD_MS`).
        /// Emits `DisputeParamsChanged`.
        #[ink(message)]
        fn set_dispute_params(&mut self, bond_bps: Bps, ruling_window_ms: u64) -> Result<()> {
            self.only_arbiter()?;
            check_dispute_params(bond_bps, ruling_window_ms)?;
            self.bond_bps = bond_bps;
            self.ruling_window_ms = ruling_window_ms;
            self.env().emit_event(DisputeParamsChanged {
                bond_bps,
                ruling_window_ms,
            });
            Ok(())
        }

        /// Sets the smallest deposit an order or stream in `asset` may open with (0: no
        /// minimum), for escrows opened from now on.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`. Emits `MinDepositChanged`.
        #[ink(message)]
        fn set_min_deposit(&mut self, asset: Asset, amount: Balance) -> Result<()> {
            self.only_arbiter()?;
            if amount == 0 {
                self.min_deposit.remove(asset);
            } else {
                self.min_deposit.insert(asset, &amount);
            }
            self.env().emit_event(MinDepositChanged { asset, amount });
            Ok(())
        }

        /// Allows or disallows a controller contract. A removed controller can no longer
        /// open escrows, act on the ones it opened (their payers then act directly) or
        /// extend collateral locks; it can still release collateral it locked.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`. Emits `ControllerChanged`.
        #[ink(message)]
        fn set_controller(&mut self, controller: AccountId, allowed: bool) -> Result<()> {
            self.only_arbiter()?;
            self.controllers.set(controller, allowed);
            self.env().emit_event(ControllerChanged {
                controller,
                allowed,
            });
            Ok(())
        }

        /// Allows or disallows a PSP22 token for new escrows and collateral. Existing
        /// escrows and credits in it are unaffected.
        ///
        /// Who may call: the arbiter. Errors: `NotArbiter`. Emits `AssetAllowanceChanged`.
        #[ink(message)]
        fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<()> {
            let caller = self.env().caller();
            let event = self.arbiter.set_asset_allowed(caller, token, allowed)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Proposes a successor for the arbiter role (and governance), e.g. the DAO;
        /// `None` withdraws the proposal. Nothing changes until `accept_arbiter`, so a
        /// mistyped address cannot take the role away.
        ///
        /// Who may call: the arbiter.
        /// Errors: `NotArbiter`. Emits `AdminProposed` (`admin`: the arbiter).
        #[ink(message)]
        fn propose_arbiter(&mut self, candidate: Option<AccountId>) -> Result<()> {
            let event = self.arbiter.propose(self.env().caller(), candidate)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Takes the arbiter role that was proposed to the caller.
        ///
        /// Who may call: the account named by the last `propose_arbiter`.
        /// Errors: `NotPendingArbiter`. Emits `AdminChanged` (`new`: the arbiter).
        #[ink(message)]
        fn accept_arbiter(&mut self) -> Result<()> {
            let event = self.arbiter.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl EscrowVault for Escrow {
        /// Opens a one-shot order for `payer`. **The caller pays** the deposit: native,
        /// exactly `terms.amount` as transferred value; PSP22, pulled from a payer
        /// calling for itself with `transfer_from` (it approved the vault), or moved to
        /// the vault by the controller before its call (see the module doc); the vault
        /// holds what arrived. The fee is fixed at today's rate. The delivery deadline must be in
        /// the future and within `MAX_PERIOD_MS`, the review window at most that long,
        /// and the amount at least `min_deposit(asset)`.
        ///
        /// Who may call: `payer` itself, or an allow-listed controller (which then alone
        /// acts for the payer on it while allow-listed).
        ///
        /// Errors: `NotController`, `SelfDeal`, `ZeroAmount`, `AssetNotAllowed`,
        /// `BelowMinDeposit`, `InvalidPeriod` (deadline not in the future),
        /// `PeriodTooLong`, `TooManyReceivers`, `InvalidShares`, `CollateralNotFound`,
        /// `NotCollateralController`, `WrongValue`, `Token`, `TokenTransferFailed`,
        /// `Overflow`. Emits `OrderOpened`.
        #[ink(message, payable)]
        fn open_order(&mut self, payer: AccountId, terms: OrderTerms) -> Result<EscrowId> {
            let (id, event) = self.new_order(payer, terms)?;
            self.env().emit_event(event);
            Ok(id)
        }

        /// Opens a stream for `payer`, prepaying `terms.amount`, which accrues to the
        /// payee as `amount × elapsed / duration_ms` (exact for any price); **the caller
        /// pays**, as for `open_order`. With `start: Some(t)` it runs from `t` (not in
        /// the past nor more than `MAX_PERIOD_MS` ahead); with `None` it waits for
        /// `start_stream` until `start_by` (at most `MAX_PERIOD_MS` ahead). It lasts at
        /// most `MAX_PERIOD_MS`, and the deposit must be at least `min_deposit(asset)`.
        /// A no-show penalty needs a waiting stream and linked collateral holding at
        /// least that much. A PSP22 token that delivers less than asked is refused.
        ///
        /// Who may call: `payer` itself, or an allow-listed controller.
        ///
        /// Errors: `NotController`, `SelfDeal`, `ZeroAmount`, `AssetNotAllowed`,
        /// `InvalidPeriod`, `PeriodTooLong`, `BelowMinDeposit`, `CollateralNotFound`,
        /// `NotCollateralController`, `InvalidPenalty`, `WrongValue`, `Token`,
        /// `TokenTransferFailed`, `Overflow`. Emits `StreamOpened`.
        #[ink(message, payable)]
        fn open_stream(&mut self, payer: AccountId, terms: StreamTerms) -> Result<EscrowId> {
            let (id, event) = self.new_stream(payer, terms)?;
            self.env().emit_event(event);
            Ok(id)
        }

        /// Releases an order (funded or delivered) to the payee side.
        ///
        /// Who may call: the payer; on an order a controller opened, only that
        /// controller while it is allow-listed (the payer gets `ControllerOnly`).
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `ControllerOnly`,
        /// `NotController`, `NotOpener`, `EscrowNotOpen`, `Overflow`.
        /// Emits `EscrowSettled` (`Released`).
        #[ink(message)]
        fn release(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            ensure!(
                matches!(rec.terms, EscrowTerms::Order { .. }),
                VaultError::WrongEscrowKind
            );
            self.check_payer_side(&rec)?;
            ensure!(
                matches!(rec.state, EscrowState::Funded | EscrowState::Delivered),
                VaultError::EscrowNotOpen
            );
            self.settle(id, rec, PayeeSide::ALL, SettleReason::Released)
        }

        /// Stops a stream before its end: what has accrued is credited to the payee
        /// side, but at least what its minimum payout still lacks after the claims
        /// (`StreamTerms::min_payout`: a booking withdrawn or ended at once still pays
        /// for the time it held the payee's machines), the unused rest to the payer
        /// (everything but the minimum, if it has not started).
        ///
        /// Who may call: as for `release`.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `ControllerOnly`,
        /// `NotController`, `NotOpener`, `EscrowNotOpen`, `StreamEnded`, `Overflow`.
        /// Emits `EscrowSettled` (`StoppedByPayer`).
        #[ink(message)]
        fn stop_stream(&mut self, id: EscrowId) -> Result<()> {
            self.stop(id)
        }

        /// Extends a running or waiting stream by `extra_ms` at the same price per
        /// millisecond; **the caller pays** `deposit × extra_ms / duration` more (as for
        /// `open_order`), which must be a whole number of units (`InexactTopUp`). The
        /// stream may last at most `MAX_PERIOD_MS`, and end at most that far from now.
        ///
        /// Who may call: as for `release` (so a rental a controller sold can only be
        /// extended within the controller's own terms).
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `ControllerOnly`,
        /// `NotController`, `NotOpener`, `EscrowNotOpen`, `StreamEnded`,
        /// `StartWindowPassed`, `ZeroAmount`, `PeriodTooLong`, `InexactTopUp`,
        /// `WrongValue`, `Token`, `TokenTransferFailed`, `Overflow`.
        /// Emits `StreamToppedUp`.
        #[ink(message, payable)]
        fn top_up(&mut self, id: EscrowId, extra_ms: u64) -> Result<()> {
            let event = self.extend_stream(id, extra_ms)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Starts a waiting stream now; it runs its `duration_ms` from here.
        ///
        /// Who may call: the payee; on a stream a controller opened, only that
        /// controller while it is allow-listed (the payee gets `ControllerOnly`).
        /// Before the stream's `start_by`.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayee`, `ControllerOnly`,
        /// `NotOpener`, `StreamAlreadyStarted`, `EscrowNotOpen`, `StartWindowPassed`,
        /// `Overflow`. Emits `StreamStarted`.
        #[ink(message)]
        fn start_stream(&mut self, id: EscrowId) -> Result<()> {
            let event = self.start_waiting(id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Cancels a stream nobody started by its `start_by`: the payer is credited the
        /// whole deposit and the stream's no-show penalty out of its collateral (at most
        /// what the collateral still holds). Returns the penalty paid.
        ///
        /// Who may call: anyone (a timed exit: a no-show never leaves money stuck).
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `StreamAlreadyStarted`,
        /// `EscrowNotOpen`, `StartWindowOpen`, `Overflow`. Emits `EscrowSettled`
        /// (`NotStarted`) and, when a penalty is paid, `NoShowPenaltyPaid`.
        #[ink(message)]
        fn cancel_unstarted(&mut self, id: EscrowId) -> Result<Balance> {
            self.cancel_waiting(id)
        }

        /// Locks collateral for `owner` until `unlock_after` (at most `MAX_PERIOD_MS`
        /// from now). The caller becomes its controller and **pays** it (native: exactly
        /// `amount`; PSP22: as for `open_order`).
        ///
        /// Who may call: `owner` itself, or an allow-listed controller.
        ///
        /// Errors: `NotController`, `ZeroAmount`, `AssetNotAllowed`, `PeriodTooLong`,
        /// `WrongValue`, `Token`, `TokenTransferFailed`, `Overflow`.
        /// Emits `CollateralLocked`.
        #[ink(message, payable)]
        fn lock_collateral(
            &mut self,
            owner: AccountId,
            asset: Asset,
            amount: Balance,
            unlock_after: Timestamp,
        ) -> Result<CollateralId> {
            let (id, event) = self.new_collateral(owner, asset, amount, unlock_after)?;
            self.env().emit_event(event);
            Ok(id)
        }

        /// Gives collateral back to its owner's credit, when no escrow linked to it is
        /// open.
        ///
        /// Who may call: the controller that locked it, at any time (also after
        /// governance removed it: that only returns money to the owner); the owner,
        /// after `unlock_after`.
        ///
        /// Errors: `CollateralNotFound`, `NotCollateralController`, `CollateralInUse`,
        /// `CollateralStillLocked`, `Overflow`. Emits `CollateralReleased`.
        #[ink(message)]
        fn release_collateral(&mut self, id: CollateralId) -> Result<()> {
            let event = self.unlock(id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Pays the caller's whole credit in `asset` and returns it. The credit is
        /// cleared before the transfer, and a failed transfer fails (and so reverts)
        /// the message, so a token calling back during the transfer finds nothing left
        /// to take.
        ///
        /// Who may call: anyone with a credit.
        ///
        /// Errors: `NothingToWithdraw`, `NativeTransferFailed`, `Token`,
        /// `TokenTransferFailed`, `Overflow`. Emits `Withdrawn`.
        #[ink(message)]
        fn withdraw(&mut self, asset: Asset) -> Result<Balance> {
            let caller = self.env().caller();
            let amount = self.ledger.withdraw(caller, asset)?;
            match asset {
                Asset::Native => self
                    .env()
                    .transfer(caller, amount)
                    .map_err(|_| VaultError::NativeTransferFailed)?,
                Asset::Psp22(token) => psp22_transfer(token, caller, amount)?,
            }
            self.env().emit_event(Withdrawn {
                account: caller,
                asset,
                amount,
            });
            Ok(amount)
        }

        /// State and, once settled, the outcome of an escrow.
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        fn escrow_status(&self, id: EscrowId) -> Option<EscrowStatus> {
            self.escrows.get(id).map(|rec| EscrowStatus {
                state: rec.state,
                settlement: rec.settlement,
            })
        }
    }
}

#[cfg(test)]
mod tests;
