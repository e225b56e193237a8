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
//!   window. `Funded` → refunded by anyone after the delivery deadline (or by the payee
//!   at any time).
//! - **Stream** (rentals): `rate_per_ms` accrues to the payee between `start` and
//!   `end`; anyone may `claim` what has accrued (it is credited to the payee); the payer
//!   may `stop_stream` early (the unused part comes back) or `top_up` to extend `end`;
//!   the payee may `refund` it at any time (what accrued to it, the rest back).
//! - **Collateral**: locked for an owner by a controller (or by the owner itself); only
//!   the arbiter can slash it (to named receivers); it goes back to the owner when its
//!   controller releases it, or when the owner takes it after its unlock time — in both
//!   cases only when no escrow linked to it is open.
//!
//! ## Who pays
//! **The caller pays**, always: deposits, top-ups, bonds and collateral arrive as the
//! call's transferred value (native) or are pulled with `transfer_from(caller, vault,
//! amount)` (PSP22). The vault never spends an approval that someone other than its
//! caller gave: a controller (the registry) collects from its own buyer first and
//! approves the vault itself. A plain account may only name itself as payer.
//!
//! ## Who may act on an escrow
//! - On an escrow its payer opened: only the payer releases, stops or tops up.
//! - On an escrow a controller opened for a payer (`opener != payer`): while that
//!   controller is allow-listed, **only** it may (the payer gets `ControllerOnly`: it
//!   goes through the controller, which enforces the terms it sold, e.g. a rental's
//!   maximum hours). Once governance removes the controller, the payer acts directly
//!   (nothing gets stuck) and the old controller gets `NotController`. Another
//!   controller gets `NotOpener`, anyone else `NotPayer`.
//! - Collateral: only its controller extends the lock, and only while allow-listed (or
//!   when the owner locked it itself); releasing it stays open to its controller even
//!   after removal (that only returns money to the owner).
//!
//! ## Periods
//! No deadline, window or lock may reach further than `market_types::MAX_PERIOD_MS` (366
//! days) from now: the ruling window when it is set, and when an escrow opens its
//! delivery deadline, review window, stream start and length, a top-up's new end, and a
//! collateral's unlock time (`PeriodTooLong`). So `now + period` never overflows and
//! nothing is locked for ever.
//!
//! ## Disputes
//! Either party may dispute an open escrow by posting a bond of `bond_bps` of what is at
//! stake (rounded up), paid in the escrow's asset. Native: send at least
//! `required_bond(id)`; whatever is above it is credited back to the disputer at once,
//! so a claim in the same block that shrinks the bond cannot make the dispute fail.
//! PSP22: exactly the bond is pulled, so an approval with a margin always works. The
//! escrow freezes (a stream stops accruing at that moment), and the dispute keeps the
//! **ruling deadline it opened with** (`now + ruling_window_ms`, and for an undelivered
//! order no earlier than its delivery deadline; changing the window later moves no open
//! dispute). An undelivered order can be disputed only by its payer and only before its
//! delivery deadline (the payee delivers or refunds; after the deadline anyone refunds).
//!
//! Only the arbiter (the DAO) resolves it, with a split in basis points of the remainder
//! to the payee side. The disputer gets the bond back if the ruling gives its side at
//! least half; otherwise the bond is forfeited to the treasury (the fee pool). If the
//! arbiter has not ruled by the ruling deadline, anyone may apply the fallback with
//! `expire_dispute`: a delivered order is paid as if released, an undelivered one is
//! refunded, a stream pays what had accrued when it was frozen and refunds the rest.
//!
//! **A dispute is not a free cancel**: the payee may still `deliver` a disputed,
//! undelivered order before its delivery deadline (it stays frozen, the ruling deadline
//! moves to at least a full window after the delivery, and the fallback then pays it
//! out). In the fallback the bond follows the outcome exactly as for a ruling: back to
//! the disputer when its side got at least half, otherwise to the treasury — so freezing
//! an order the payee delivers anyway, or disputing only to delay a payment already
//! earned, costs the bond. The payee may also `refund` a disputed escrow (the bond goes
//! back to the disputer). So every state has a path out that someone can trigger after
//! a deadline: nothing can get stuck.
//!
//! ## Nobody fills someone else's lists
//! Opening an escrow needs a deposit of at least `min_deposit(asset)` (governed; set it
//! for a PSP22 when allowing it), and the payee can `refund` any order or stream naming
//! it, disputed or not, which removes it from both parties' open lists. So a stranger
//! cannot cheaply fill another account's `open_escrows`. (An allow-listed controller can
//! name any payer; the registry names only its own caller. Controllers are contracts
//! governance vetted.)
//!
//! ## Money
//! On every payment to the payee side, the platform fee (`fee_bps`, snapshotted when the
//! escrow opens) goes to the treasury and each royalty to its receiver, all rounded
//! down; the payee receives the remainder, so the payee gets the rounding dust. On a
//! ruling's split the payer side gets the dust. `to_payee + fee + royalties + refund`
//! always equals the deposit, to the unit (see `market_types::math`).
//!
//! The vault holds what actually arrived from a PSP22 (measured by its own balance
//! before and after); a stream, a top-up or a bond that arrives short is refused. A
//! token's own refusal fails the message with `Token(reason)` (e.g.
//! `InsufficientAllowance`); a token call that fails in the environment (a trap, a
//! `LangError`, an undecodable answer) with `TokenTransferFailed`.
//!
//! ## Reserves (the invariant)
//! Per asset, `owed` counts everything the vault owes: open escrows, bonds, collateral
//! and unwithdrawn credits. It goes up only when money comes in and down only when
//! `withdraw` pays out, and `reserves(asset)` shows it next to what the vault holds, so
//! anyone can check solvency: `holdings ≥ owed`.
//!
//! ## Roles
//! - **Payer**: opens an escrow for itself, releases, stops, tops up, disputes.
//! - **Payee**: delivers, refunds voluntarily (orders and streams), disputes.
//! - **Controller**: an allow-listed contract (the registry, the compute market) that
//!   opens escrows and locks collateral on behalf of a payer, and then alone acts for
//!   the payer on them (see above).
//! - **Arbiter**: the DAO's address; resolves disputes, slashes collateral, and is the
//!   governance: fee, treasury, dispute parameters, minimum deposits, allow-lists. It
//!   hands the role on in two steps: `propose_arbiter`, then the successor's
//!   `accept_arbiter`.
//!
//! ## Errors
//! Every message returns `Result<_, VaultError>`; a refused message changes nothing (the
//! chain reverts it). Each message's doc lists its errors and events.
//!
//! ## Cost
//! No message loops over anything that grows with use: royalties (≤ 4), slash receivers
//! (≤ 8) and pages (≤ 10) are the only loops. A party's open escrows are kept in a
//! swap-remove index so a dApp can page through them with their next deadline.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::escrow::{Escrow, EscrowRef, MAX_FEE_BPS, MAX_PAGE, MAX_SLASH_RECEIVERS};
pub use self::events::{
    ArbiterChanged, ArbiterProposed, AssetAllowanceChanged, CollateralExtended, CollateralLocked,
    CollateralReleased, CollateralSlashed, ControllerChanged, DisputeParamsChanged, EscrowDisputed,
    EscrowSettled, FeeChanged, MinDepositChanged, OrderDelivered, OrderOpened, StreamClaimed,
    StreamOpened, StreamToppedUp, TreasuryChanged, VaultCreated, Withdrawn,
};
pub use self::types::{Collateral, Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Reserves, Role};
pub use market_types::VaultError as Error;

mod events;
#[cfg(test)]
mod mock_token;
mod money;
mod token;
mod types;

#[ink::contract]
mod escrow {
    use crate::events::*;
    use crate::money::{
        accrued, bond_returns, check_dispute_params, check_fee, held, next_deadline, share_bps,
    };
    use crate::token::{psp22_balance_of, psp22_transfer, psp22_transfer_from};
    use crate::types::{
        Collateral, Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Reserves, Role,
    };
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use market_types::math::{bps_of_ceil, split_release, split_ruling};
    use market_types::{
        Asset, Bps, CollateralId, EscrowId, EscrowState, EscrowStatus, EscrowVault, OrderTerms,
        Page, Royalty, SettleReason, Settlement, StreamTerms, VaultError, BPS_DENOMINATOR,
        MAX_PERIOD_MS, MAX_ROYALTIES,
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
        arbiter: AccountId,
        /// Proposed by the arbiter; becomes the arbiter when it accepts.
        pending_arbiter: Option<AccountId>,
        treasury: AccountId,
        fee_bps: Bps,
        bond_bps: Bps,
        ruling_window_ms: u64,
        /// Smallest deposit a new escrow may hold, per asset (absent: no minimum).
        min_deposit: Mapping<Asset, Balance>,
        controllers: Mapping<AccountId, ()>,
        allowed_tokens: Mapping<AccountId, ()>,
        escrow_count: u64,
        escrows: Mapping<EscrowId, EscrowRecord>,
        collateral_count: u64,
        collaterals: Mapping<CollateralId, Collateral>,
        credits: Mapping<(AccountId, Asset), Balance>,
        owed: Mapping<Asset, Balance>,
        /// Per party: how many open escrows, which id is at each position, and the
        /// position of each id (for O(1) swap-remove).
        open_len: Mapping<AccountId, u32>,
        open_at: Mapping<(AccountId, u32), EscrowId>,
        open_pos: Mapping<(AccountId, EscrowId), u32>,
    }

    /// Amounts one settlement credits.
    #[derive(Default)]
    struct Payout {
        to_payee: Balance,
        fee: Balance,
        royalties: Balance,
        refund: Balance,
        bond_returned: Balance,
        bond_forfeited: Balance,
    }

    impl Escrow {
        /// Deploys the vault.
        ///
        /// - `arbiter`: the DAO (or, before it exists, an operator account); resolves
        ///   disputes and governs.
        /// - `treasury`: receives fees and forfeited bonds.
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
                arbiter,
                pending_arbiter: None,
                treasury,
                fee_bps,
                bond_bps,
                ruling_window_ms,
                min_deposit,
                controllers: Mapping::default(),
                allowed_tokens: Mapping::default(),
                escrow_count: 0,
                escrows: Mapping::default(),
                collateral_count: 0,
                collaterals: Mapping::default(),
                credits: Mapping::default(),
                owed: Mapping::default(),
                open_len: Mapping::default(),
                open_at: Mapping::default(),
                open_pos: Mapping::default(),
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
            let mut rec = self.get(id)?;
            let now = self.env().block_timestamp();
            if self.env().caller() != rec.payee {
                return Err(VaultError::NotPayee);
            }
            let (review_ends, in_dispute) = match &mut rec.terms {
                EscrowTerms::Order {
                    delivery_deadline,
                    review_window_ms,
                    delivered_at,
                    proof: stored,
                    ..
                } => {
                    let in_dispute = match rec.state {
                        EscrowState::Funded => false,
                        EscrowState::Disputed if delivered_at.is_none() => true,
                        _ => return Err(VaultError::EscrowNotFunded),
                    };
                    if now > *delivery_deadline {
                        return Err(VaultError::DeliveryDeadlinePassed);
                    }
                    let ends = now
                        .checked_add(*review_window_ms)
                        .ok_or(VaultError::Overflow)?;
                    *delivered_at = Some(now);
                    *stored = Some(proof);
                    (ends, in_dispute)
                }
                EscrowTerms::Stream { .. } => return Err(VaultError::WrongEscrowKind),
            };
            if in_dispute {
                // A delivery landing late in the dispute still leaves the arbiter a full
                // ruling window to look at it before the fallback can pay it out.
                let window_ends = now
                    .checked_add(self.ruling_window_ms)
                    .ok_or(VaultError::Overflow)?;
                if let Some(d) = rec.dispute.as_mut() {
                    d.delivered_during = true;
                    d.ruling_deadline = d.ruling_deadline.max(window_ends);
                }
            } else {
                rec.state = EscrowState::Delivered;
            }
            self.escrows.insert(id, &rec);
            self.env().emit_event(OrderDelivered {
                id,
                payer: rec.payer,
                payee: rec.payee,
                proof,
                review_ends,
            });
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
            let EscrowTerms::Order {
                amount,
                review_window_ms,
                delivered_at,
                ..
            } = rec.terms
            else {
                return Err(VaultError::WrongEscrowKind);
            };
            if rec.state != EscrowState::Delivered {
                return Err(VaultError::EscrowNotDelivered);
            }
            let delivered = delivered_at.ok_or(VaultError::EscrowNotDelivered)?;
            let review_ends = delivered
                .checked_add(review_window_ms)
                .ok_or(VaultError::Overflow)?;
            if now < review_ends {
                return Err(VaultError::ReviewWindowOpen);
            }
            self.settle_split(id, rec, amount, BPS_DENOMINATOR, SettleReason::AutoReleased)
        }

        /// Gives an escrow's money back to the payer.
        ///
        /// Who may call: the payee, at any time before settlement — also while disputed,
        /// so nobody can park an escrow in someone's open list by disputing it (an
        /// order: everything back; a stream: what accrued and is unclaimed, until now or
        /// until its freeze, still goes to the payee side; a dispute's bond goes back to
        /// the disputer); anyone, for an order whose delivery deadline passed without a
        /// delivery. Either way the escrow leaves both parties' open lists.
        ///
        /// Errors: `EscrowNotFound`, `EscrowNotOpen`, `EscrowNotFunded`,
        /// `DeliveryDeadlineNotReached`, `NotPayee` (a stream, by anyone else),
        /// `Overflow`. Emits `EscrowSettled` (`RefundedByPayee` or
        /// `RefundedAfterDeadline`).
        #[ink(message)]
        pub fn refund(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let by_payee = self.env().caller() == rec.payee;
            match rec.terms {
                EscrowTerms::Order {
                    amount,
                    delivery_deadline,
                    ..
                } => {
                    if by_payee {
                        if rec.state == EscrowState::Settled {
                            return Err(VaultError::EscrowNotOpen);
                        }
                        return self.settle_split(
                            id,
                            rec,
                            amount,
                            0,
                            SettleReason::RefundedByPayee,
                        );
                    }
                    if rec.state != EscrowState::Funded {
                        return Err(VaultError::EscrowNotFunded);
                    }
                    if now <= delivery_deadline {
                        return Err(VaultError::DeliveryDeadlineNotReached);
                    }
                    self.settle_split(id, rec, amount, 0, SettleReason::RefundedAfterDeadline)
                }
                EscrowTerms::Stream {
                    rate_per_ms,
                    start,
                    end,
                    paid_out,
                    frozen_at,
                    ..
                } => {
                    if !by_payee {
                        return Err(VaultError::NotPayee);
                    }
                    // A disputed stream stopped accruing when it was frozen.
                    let until = match (rec.state, frozen_at) {
                        (EscrowState::Streaming, _) => now,
                        (EscrowState::Disputed, Some(frozen)) => frozen,
                        _ => return Err(VaultError::EscrowNotOpen),
                    };
                    let held = held(&rec)?;
                    let payee_side = accrued(rate_per_ms, start, end, until)?
                        .checked_sub(paid_out)
                        .ok_or(VaultError::Overflow)?;
                    self.settle_amounts(id, rec, held, payee_side, SettleReason::RefundedByPayee)
                }
            }
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
            let mut rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let EscrowTerms::Stream {
                rate_per_ms,
                start,
                end,
                deposit,
                paid_out,
                ..
            } = rec.terms
            else {
                return Err(VaultError::WrongEscrowKind);
            };
            if rec.state != EscrowState::Streaming {
                return Err(VaultError::EscrowNotOpen);
            }
            let accrued = accrued(rate_per_ms, start, end, now)?;
            let gross = accrued.checked_sub(paid_out).ok_or(VaultError::Overflow)?;
            if gross == 0 {
                return Err(VaultError::NothingToClaim);
            }
            let new_paid = paid_out.checked_add(gross).ok_or(VaultError::Overflow)?;
            let pay = self.plan_payee_side(&rec, gross)?;
            if let EscrowTerms::Stream { paid_out, .. } = &mut rec.terms {
                *paid_out = new_paid;
            }
            self.apply_payee_side(&rec, &pay)?;
            self.env().emit_event(StreamClaimed {
                id,
                gross,
                to_payee: pay.0,
                fee: pay.1,
                royalties: pay.3,
            });
            if now >= end && new_paid == deposit {
                self.finish(
                    id,
                    rec,
                    SettleReason::StreamCompleted,
                    BPS_DENOMINATOR,
                    Payout::default(),
                )?;
            } else {
                self.escrows.insert(id, &rec);
            }
            Ok(gross)
        }

        /// What a stream would pay the payee side if claimed now (0 for anything else).
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn claimable(&self, id: EscrowId) -> Balance {
            let Some(rec) = self.escrows.get(id) else {
                return 0;
            };
            match rec.terms {
                EscrowTerms::Stream {
                    rate_per_ms,
                    start,
                    end,
                    paid_out,
                    ..
                } if rec.state == EscrowState::Streaming => {
                    accrued(rate_per_ms, start, end, self.env().block_timestamp())
                        .ok()
                        .and_then(|a| a.checked_sub(paid_out))
                        .unwrap_or(0)
                }
                _ => 0,
            }
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
            let mut rec = self.get(id)?;
            let caller = self.env().caller();
            let now = self.env().block_timestamp();
            if caller != rec.payer && caller != rec.payee {
                return Err(VaultError::NotParty);
            }
            let at_stake = self.disputable_amount(&rec, now)?;
            let bond = bps_of_ceil(at_stake, self.bond_bps).ok_or(VaultError::Overflow)?;
            let mut ruling_deadline = now
                .checked_add(self.ruling_window_ms)
                .ok_or(VaultError::Overflow)?;
            if let (
                EscrowState::Funded,
                EscrowTerms::Order {
                    delivery_deadline, ..
                },
            ) = (rec.state, &rec.terms)
            {
                // An undelivered order: the payee has nothing to dispute (it delivers or
                // refunds), and the payer's dispute cannot cut the delivery period short:
                // no fallback before the delivery deadline.
                if caller == rec.payee {
                    return Err(VaultError::EscrowNotDelivered);
                }
                ruling_deadline = ruling_deadline.max(*delivery_deadline);
            }
            let excess = self.collect_bond(rec.asset, bond)?;
            let came_in = bond.checked_add(excess).ok_or(VaultError::Overflow)?;
            // Checked before anything is written: every credit is bounded by `owed`.
            self.owed
                .get(rec.asset)
                .unwrap_or(0)
                .checked_add(came_in)
                .ok_or(VaultError::Overflow)?;
            if let EscrowTerms::Stream { end, frozen_at, .. } = &mut rec.terms {
                *frozen_at = Some(now.min(*end));
            }
            rec.state = EscrowState::Disputed;
            rec.dispute = Some(Dispute {
                by: caller,
                bond,
                opened_at: now,
                ruling_deadline,
                delivered_during: false,
            });
            self.add_owed(rec.asset, came_in)?;
            self.add_credit(caller, rec.asset, excess)?;
            self.escrows.insert(id, &rec);
            self.env().emit_event(EscrowDisputed {
                id,
                payer: rec.payer,
                payee: rec.payee,
                by: caller,
                bond,
                excess_credited: excess,
                ruling_deadline,
            });
            Ok(())
        }

        /// The bond `dispute(id)` would require now, or `None` if it cannot be disputed.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn required_bond(&self, id: EscrowId) -> Option<Balance> {
            let rec = self.escrows.get(id)?;
            let at_stake = self
                .disputable_amount(&rec, self.env().block_timestamp())
                .ok()?;
            bps_of_ceil(at_stake, self.bond_bps)
        }

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
        pub fn resolve(&mut self, id: EscrowId, payee_bps: Bps) -> Result<()> {
            self.only_arbiter()?;
            if payee_bps > BPS_DENOMINATOR {
                return Err(VaultError::InvalidShares);
            }
            let rec = self.get(id)?;
            if rec.state != EscrowState::Disputed {
                return Err(VaultError::EscrowNotDisputed);
            }
            let held = held(&rec)?;
            self.settle_split(id, rec, held, payee_bps, SettleReason::Resolved)
        }

        /// Applies the fallback to a dispute the arbiter did not rule on by its ruling
        /// deadline (the one stored when it opened). A delivered order is paid to the
        /// payee side, an undelivered one refunded; a stream pays what accrued until it
        /// was frozen and refunds the rest. The bond follows the outcome, as for a
        /// ruling: back to the disputer when its side got at least half, otherwise to
        /// the treasury (so disputing to delay a delivered order, or a payment already
        /// earned, costs the bond).
        ///
        /// Who may call: anyone.
        ///
        /// Errors: `EscrowNotFound`, `EscrowNotDisputed`, `RulingWindowOpen`,
        /// `Overflow`. Emits `EscrowSettled` (`DisputeExpired`).
        #[ink(message)]
        pub fn expire_dispute(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let dispute = match (rec.state, rec.dispute) {
                (EscrowState::Disputed, Some(d)) => d,
                _ => return Err(VaultError::EscrowNotDisputed),
            };
            if now < dispute.ruling_deadline {
                return Err(VaultError::RulingWindowOpen);
            }
            let held = held(&rec)?;
            let payee_side = match rec.terms {
                EscrowTerms::Order { delivered_at, .. } => {
                    if delivered_at.is_some() {
                        held
                    } else {
                        0
                    }
                }
                EscrowTerms::Stream {
                    rate_per_ms,
                    start,
                    end,
                    paid_out,
                    frozen_at,
                    ..
                } => {
                    let frozen = frozen_at.unwrap_or(dispute.opened_at);
                    accrued(rate_per_ms, start, end, frozen)?
                        .checked_sub(paid_out)
                        .ok_or(VaultError::Overflow)?
                }
            };
            self.settle_amounts(id, rec, held, payee_side, SettleReason::DisputeExpired)
        }

        // ------------------------------------------------------------ collateral

        /// `release_collateral`: a removed controller may still release what it
        /// locked, because that only returns money to the owner.
        fn release_collateral_inner(&mut self, id: CollateralId) -> Result<()> {
            let mut c = self.live_collateral(id)?;
            let caller = self.env().caller();
            if caller != c.controller {
                if caller != c.owner {
                    return Err(VaultError::NotCollateralController);
                }
                if self.env().block_timestamp() < c.unlock_after {
                    return Err(VaultError::CollateralStillLocked);
                }
            }
            if c.open > 0 {
                return Err(VaultError::CollateralInUse);
            }
            let amount = c.amount;
            self.add_credit(c.owner, c.asset, amount)?;
            c.amount = 0;
            c.released = true;
            self.collaterals.insert(id, &c);
            self.env().emit_event(CollateralReleased {
                id,
                owner: c.owner,
                amount,
            });
            Ok(())
        }

        /// Slashes collateral to named receivers, crediting each (also while escrows
        /// are open against it).
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `CollateralNotFound`, `TooManyReceivers`, `ZeroAmount`,
        /// `SlashExceedsCollateral`, `Overflow`. Emits `CollateralSlashed`.
        #[ink(message)]
        pub fn slash_collateral(
            &mut self,
            id: CollateralId,
            receivers: Vec<(AccountId, Balance)>,
        ) -> Result<()> {
            self.only_arbiter()?;
            let mut c = self.live_collateral(id)?;
            if receivers.is_empty() || receivers.len() > MAX_SLASH_RECEIVERS {
                return Err(VaultError::TooManyReceivers);
            }
            let mut total: Balance = 0;
            for (_, amount) in &receivers {
                if *amount == 0 {
                    return Err(VaultError::ZeroAmount);
                }
                total = total.checked_add(*amount).ok_or(VaultError::Overflow)?;
            }
            let remaining = c
                .amount
                .checked_sub(total)
                .ok_or(VaultError::SlashExceedsCollateral)?;
            // All checks passed; credits cannot overflow past `owed`, which bounds them.
            for (to, amount) in &receivers {
                self.add_credit(*to, c.asset, *amount)?;
            }
            c.amount = remaining;
            self.collaterals.insert(id, &c);
            self.env().emit_event(CollateralSlashed {
                id,
                owner: c.owner,
                receivers,
                total,
                remaining,
            });
            Ok(())
        }

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
            let mut c = self.live_collateral(id)?;
            let caller = self.env().caller();
            if caller != c.controller {
                return Err(VaultError::NotCollateralController);
            }
            if caller != c.owner && !self.controllers.contains(caller) {
                return Err(VaultError::NotController);
            }
            if unlock_after <= c.unlock_after {
                return Err(VaultError::InvalidPeriod);
            }
            if unlock_after > self.horizon()? {
                return Err(VaultError::PeriodTooLong);
            }
            c.unlock_after = unlock_after;
            self.collaterals.insert(id, &c);
            self.env()
                .emit_event(CollateralExtended { id, unlock_after });
            Ok(())
        }

        // ------------------------------------------------------------ governance

        /// Sets the platform fee for escrows opened from now on (open ones keep theirs).
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`, `FeeTooHigh`. Emits `FeeChanged`.
        #[ink(message)]
        pub fn set_fee_bps(&mut self, fee_bps: Bps) -> Result<()> {
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
        pub fn set_treasury(&mut self, treasury: AccountId) -> Result<()> {
            self.only_arbiter()?;
            self.treasury = treasury;
            self.env().emit_event(TreasuryChanged { treasury });
            Ok(())
        }

        /// Proposes a successor for the arbiter role (and governance), e.g. the DAO;
        /// `None` withdraws the proposal. Nothing changes until `accept_arbiter`, so a
        /// mistyped address cannot take the role away.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`. Emits `ArbiterProposed`.
        #[ink(message)]
        pub fn propose_arbiter(&mut self, new: Option<AccountId>) -> Result<()> {
            self.only_arbiter()?;
            self.pending_arbiter = new;
            self.env().emit_event(ArbiterProposed { proposed: new });
            Ok(())
        }

        /// Takes the arbiter role that was proposed to the caller.
        ///
        /// Who may call: the account named by the last `propose_arbiter`.
        ///
        /// Errors: `NotPendingArbiter`. Emits `ArbiterChanged`.
        #[ink(message)]
        pub fn accept_arbiter(&mut self) -> Result<()> {
            let caller = self.env().caller();
            if self.pending_arbiter != Some(caller) {
                return Err(VaultError::NotPendingArbiter);
            }
            let previous = self.arbiter;
            self.arbiter = caller;
            self.pending_arbiter = None;
            self.env().emit_event(ArbiterChanged {
                previous,
                arbiter: caller,
            });
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
        pub fn set_dispute_params(&mut self, bond_bps: Bps, ruling_window_ms: u64) -> Result<()> {
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
        pub fn set_min_deposit(&mut self, asset: Asset, amount: Balance) -> Result<()> {
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
        pub fn set_controller(&mut self, controller: AccountId, allowed: bool) -> Result<()> {
            self.only_arbiter()?;
            if allowed {
                self.controllers.insert(controller, &());
            } else {
                self.controllers.remove(controller);
            }
            self.env().emit_event(ControllerChanged {
                controller,
                allowed,
            });
            Ok(())
        }

        /// Allows or disallows a PSP22 token for new escrows and collateral. Existing
        /// escrows and credits in it are unaffected.
        ///
        /// Who may call: the arbiter.
        ///
        /// Errors: `NotArbiter`. Emits `AssetAllowanceChanged`.
        #[ink(message)]
        pub fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<()> {
            self.only_arbiter()?;
            if allowed {
                self.allowed_tokens.insert(token, &());
            } else {
                self.allowed_tokens.remove(token);
            }
            self.env()
                .emit_event(AssetAllowanceChanged { token, allowed });
            Ok(())
        }

        // ------------------------------------------------------------ views

        /// The arbiter (the DAO): resolves, slashes, governs.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn arbiter(&self) -> AccountId {
            self.arbiter
        }

        /// The account `propose_arbiter` named, until it accepts.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn pending_arbiter(&self) -> Option<AccountId> {
            self.pending_arbiter
        }

        /// Receives fees and forfeited bonds.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn treasury(&self) -> AccountId {
            self.treasury
        }

        /// The fee new escrows are opened with.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn fee_bps(&self) -> Bps {
            self.fee_bps
        }

        /// `(bond_bps, ruling_window_ms)` for disputes opened now.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn dispute_params(&self) -> (Bps, u64) {
            (self.bond_bps, self.ruling_window_ms)
        }

        /// The smallest deposit a new order or stream in `asset` may hold (0: none).
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn min_deposit(&self, asset: Asset) -> Balance {
            self.min_deposit.get(asset).unwrap_or(0)
        }

        /// Whether `account` is an allow-listed controller.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn is_controller(&self, account: AccountId) -> bool {
            self.controllers.contains(account)
        }

        /// Whether new escrows may use `asset` (native always).
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            match asset {
                Asset::Native => true,
                Asset::Psp22(token) => self.allowed_tokens.contains(token),
            }
        }

        /// The highest escrow id so far (ids run from 1).
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn escrow_count(&self) -> u64 {
            self.escrow_count
        }

        /// One escrow as stored.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn escrow(&self, id: EscrowId) -> Option<EscrowRecord> {
            self.escrows.get(id)
        }

        /// The highest collateral id so far (ids run from 1).
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn collateral_count(&self) -> u64 {
            self.collateral_count
        }

        /// One collateral lock as stored.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn collateral(&self, id: CollateralId) -> Option<Collateral> {
            self.collaterals.get(id)
        }

        /// What `withdraw(asset)` would pay `account` now.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn credit_of(&self, account: AccountId, asset: Asset) -> Balance {
            self.credits.get((account, asset)).unwrap_or(0)
        }

        /// Everything owed in `asset` next to what the vault holds of it.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn reserves(&self, asset: Asset) -> Reserves {
            let owed = self.owed.get(asset).unwrap_or(0);
            let holdings = match asset {
                Asset::Native => self.env().balance(),
                Asset::Psp22(token) => {
                    psp22_balance_of(token, self.env().account_id()).unwrap_or(0)
                }
            };
            Reserves { owed, holdings }
        }

        /// How many escrows `account` is payer or payee of that are still open.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn open_escrow_count(&self, account: AccountId) -> u32 {
            self.open_len.get(account).unwrap_or(0)
        }

        /// A page of `account`'s open escrows with their next deadline. `cursor` is a
        /// position in the account's list (0 first); settling an escrow moves the last
        /// one into its place, so a list being settled may shift between pages.
        ///
        /// Who may call: anyone (a view: no errors, no events).
        #[ink(message)]
        pub fn open_escrows(
            &self,
            account: AccountId,
            cursor: u64,
            limit: u32,
        ) -> Page<OpenEscrow> {
            let len = u64::from(self.open_len.get(account).unwrap_or(0));
            let take = u64::from(market_types::page_len(limit, MAX_PAGE));
            let end = cursor.saturating_add(take).min(len);
            let mut items = Vec::new();
            let mut pos = cursor;
            while pos < end {
                let Ok(p) = u32::try_from(pos) else { break };
                if let Some(rec) = self
                    .open_at
                    .get((account, p))
                    .and_then(|id| self.escrows.get(id).map(|r| (id, r)))
                {
                    let (id, rec) = rec;
                    items.push(OpenEscrow {
                        id,
                        role: if rec.payer == account {
                            Role::Payer
                        } else {
                            Role::Payee
                        },
                        state: rec.state,
                        asset: rec.asset,
                        held: held(&rec).unwrap_or(0),
                        next_deadline: next_deadline(&rec),
                    });
                }
                pos = pos.saturating_add(1);
            }
            Page {
                items,
                next: if end < len { Some(end) } else { None },
            }
        }

        // ------------------------------------------------------------ helpers

        fn only_arbiter(&self) -> Result<()> {
            if self.env().caller() != self.arbiter {
                return Err(VaultError::NotArbiter);
            }
            Ok(())
        }

        fn get(&self, id: EscrowId) -> Result<EscrowRecord> {
            self.escrows.get(id).ok_or(VaultError::EscrowNotFound)
        }

        fn live_collateral(&self, id: CollateralId) -> Result<Collateral> {
            match self.collaterals.get(id) {
                Some(c) if !c.released => Ok(c),
                _ => Err(VaultError::CollateralNotFound),
            }
        }

        /// The furthest any deadline, window end or unlock time may be: now +
        /// `MAX_PERIOD_MS`.
        fn horizon(&self) -> Result<Timestamp> {
            self.env()
                .block_timestamp()
                .checked_add(MAX_PERIOD_MS)
                .ok_or(VaultError::Overflow)
        }

        /// The caller may open for `payer`: it is the payer, or a controller.
        fn check_acting_for(&self, payer: AccountId) -> Result<AccountId> {
            let caller = self.env().caller();
            if caller != payer && !self.controllers.contains(caller) {
                return Err(VaultError::NotController);
            }
            Ok(caller)
        }

        /// Who may act for the payer (release, stop, top up): the controller that opened
        /// the escrow while it is allow-listed, otherwise the payer itself.
        fn check_payer_side(&self, rec: &EscrowRecord) -> Result<()> {
            let caller = self.env().caller();
            let controlled = rec.opener != rec.payer && self.controllers.contains(rec.opener);
            let allowed = if controlled { rec.opener } else { rec.payer };
            if caller == allowed {
                Ok(())
            } else if caller == rec.payer {
                Err(VaultError::ControllerOnly)
            } else if caller == rec.opener {
                Err(VaultError::NotController)
            } else if self.controllers.contains(caller) {
                Err(VaultError::NotOpener)
            } else {
                Err(VaultError::NotPayer)
            }
        }

        fn check_asset(&self, asset: Asset) -> Result<()> {
            if self.is_asset_allowed(asset) {
                Ok(())
            } else {
                Err(VaultError::AssetNotAllowed)
            }
        }

        fn check_min_deposit(&self, asset: Asset, amount: Balance) -> Result<()> {
            if amount < self.min_deposit(asset) {
                return Err(VaultError::BelowMinDeposit);
            }
            Ok(())
        }

        /// Collects `amount` of `asset` from the caller for the current message: native
        /// must arrive as exactly the transferred value; PSP22 is pulled from the caller
        /// with `transfer_from` and what arrived is returned. Writes nothing.
        fn collect(&self, asset: Asset, amount: Balance) -> Result<Balance> {
            let value = self.env().transferred_value();
            match asset {
                Asset::Native => {
                    if value != amount {
                        return Err(VaultError::WrongValue);
                    }
                    Ok(amount)
                }
                Asset::Psp22(token) => {
                    if value != 0 {
                        return Err(VaultError::WrongValue);
                    }
                    self.pull(token, amount)
                }
            }
        }

        /// Collects a dispute bond from the caller and returns the excess to credit back:
        /// native, any transferred value of at least `bond`; PSP22, exactly `bond` pulled
        /// (no value). Writes nothing.
        fn collect_bond(&self, asset: Asset, bond: Balance) -> Result<Balance> {
            let value = self.env().transferred_value();
            match asset {
                Asset::Native => value.checked_sub(bond).ok_or(VaultError::WrongValue),
                Asset::Psp22(token) => {
                    if value != 0 {
                        return Err(VaultError::WrongValue);
                    }
                    if self.pull(token, bond)? != bond {
                        return Err(VaultError::TokenTransferFailed);
                    }
                    Ok(0)
                }
            }
        }

        /// Pulls `amount` of `token` from the caller into the vault and returns what
        /// arrived (the vault's balance after minus before). Writes nothing.
        fn pull(&self, token: AccountId, amount: Balance) -> Result<Balance> {
            if amount == 0 {
                return Ok(0);
            }
            let me = self.env().account_id();
            let from = self.env().caller();
            let before = psp22_balance_of(token, me)?;
            psp22_transfer_from(token, me, from, me, amount)?;
            let after = psp22_balance_of(token, me)?;
            let received = after
                .checked_sub(before)
                .ok_or(VaultError::TokenTransferFailed)?;
            if received == 0 {
                return Err(VaultError::TokenTransferFailed);
            }
            Ok(received)
        }

        fn add_owed(&mut self, asset: Asset, amount: Balance) -> Result<()> {
            let owed = self
                .owed
                .get(asset)
                .unwrap_or(0)
                .checked_add(amount)
                .ok_or(VaultError::Overflow)?;
            self.owed.insert(asset, &owed);
            Ok(())
        }

        fn add_credit(&mut self, to: AccountId, asset: Asset, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Ok(());
            }
            let credit = self
                .credits
                .get((to, asset))
                .unwrap_or(0)
                .checked_add(amount)
                .ok_or(VaultError::Overflow)?;
            self.credits.insert((to, asset), &credit);
            Ok(())
        }

        fn next_id(&self) -> Result<EscrowId> {
            self.escrow_count.checked_add(1).ok_or(VaultError::Overflow)
        }

        /// Validates a royalty list against the fee: at most [`MAX_ROYALTIES`], shares
        /// adding up to at most 100 % with the fee.
        fn check_royalties(&self, royalties: &[Royalty]) -> Result<()> {
            if royalties.len() > MAX_ROYALTIES {
                return Err(VaultError::TooManyReceivers);
            }
            let bps: Vec<Bps> = royalties.iter().map(|r| r.bps).collect();
            split_release(0, self.fee_bps, &bps).ok_or(VaultError::InvalidShares)?;
            Ok(())
        }

        /// Links a new escrow to collateral: the opener must be its controller.
        fn plan_collateral(
            &self,
            collateral: Option<CollateralId>,
            opener: AccountId,
        ) -> Result<Option<Collateral>> {
            let Some(cid) = collateral else {
                return Ok(None);
            };
            let mut c = self.live_collateral(cid)?;
            if c.controller != opener {
                return Err(VaultError::NotCollateralController);
            }
            c.open = c.open.checked_add(1).ok_or(VaultError::Overflow)?;
            Ok(Some(c))
        }

        fn index_open(&mut self, account: AccountId, id: EscrowId) -> Result<()> {
            let len = self.open_len.get(account).unwrap_or(0);
            let new_len = len.checked_add(1).ok_or(VaultError::Overflow)?;
            self.open_at.insert((account, len), &id);
            self.open_pos.insert((account, id), &len);
            self.open_len.insert(account, &new_len);
            Ok(())
        }

        fn unindex_open(&mut self, account: AccountId, id: EscrowId) {
            let Some(pos) = self.open_pos.take((account, id)) else {
                return;
            };
            let len = self.open_len.get(account).unwrap_or(0);
            let Some(last) = len.checked_sub(1) else {
                return;
            };
            if pos != last {
                if let Some(moved) = self.open_at.get((account, last)) {
                    self.open_at.insert((account, pos), &moved);
                    self.open_pos.insert((account, moved), &pos);
                }
            }
            self.open_at.remove((account, last));
            self.open_len.insert(account, &last);
        }

        /// What a dispute would freeze: an order's deposit, or a stream's unpaid rest.
        fn disputable_amount(&self, rec: &EscrowRecord, now: Timestamp) -> Result<Balance> {
            match &rec.terms {
                EscrowTerms::Order {
                    amount,
                    delivered_at,
                    review_window_ms,
                    delivery_deadline,
                    ..
                } => match rec.state {
                    // Past the deadline anyone may refund it; a dispute would only stall.
                    EscrowState::Funded if now > *delivery_deadline => {
                        Err(VaultError::DeliveryDeadlinePassed)
                    }
                    EscrowState::Funded => Ok(*amount),
                    EscrowState::Delivered => {
                        let delivered = delivered_at.ok_or(VaultError::EscrowNotOpen)?;
                        let ends = delivered
                            .checked_add(*review_window_ms)
                            .ok_or(VaultError::Overflow)?;
                        if now >= ends {
                            return Err(VaultError::ReviewWindowClosed);
                        }
                        Ok(*amount)
                    }
                    _ => Err(VaultError::EscrowNotOpen),
                },
                EscrowTerms::Stream {
                    deposit, paid_out, ..
                } => {
                    if rec.state != EscrowState::Streaming {
                        return Err(VaultError::EscrowNotOpen);
                    }
                    let rest = deposit.checked_sub(*paid_out).ok_or(VaultError::Overflow)?;
                    if rest == 0 {
                        return Err(VaultError::StreamEnded);
                    }
                    Ok(rest)
                }
            }
        }

        /// Splits `gross` for the payee side: (to_payee, fee, per-royalty, royalty total).
        fn plan_payee_side(
            &self,
            rec: &EscrowRecord,
            gross: Balance,
        ) -> Result<(Balance, Balance, Vec<Balance>, Balance)> {
            let bps: Vec<Bps> = rec.royalties.iter().map(|r| r.bps).collect();
            let split = split_release(gross, rec.fee_bps, &bps).ok_or(VaultError::InvalidShares)?;
            let mut total: Balance = 0;
            for r in &split.royalties {
                total = total.checked_add(*r).ok_or(VaultError::Overflow)?;
            }
            Ok((split.payee, split.fee, split.royalties, total))
        }

        fn apply_payee_side(
            &mut self,
            rec: &EscrowRecord,
            pay: &(Balance, Balance, Vec<Balance>, Balance),
        ) -> Result<()> {
            self.add_credit(rec.payee, rec.asset, pay.0)?;
            self.add_credit(self.treasury, rec.asset, pay.1)?;
            for (royalty, amount) in rec.royalties.iter().zip(pay.2.iter()) {
                self.add_credit(royalty.receiver, rec.asset, *amount)?;
            }
            Ok(())
        }

        /// Settles with `payee_bps` of `held` to the payee side and the rest refunded.
        fn settle_split(
            &mut self,
            id: EscrowId,
            rec: EscrowRecord,
            held: Balance,
            payee_bps: Bps,
            reason: SettleReason,
        ) -> Result<()> {
            let (payee_side, _) = split_ruling(held, payee_bps).ok_or(VaultError::InvalidShares)?;
            self.settle_amounts_with_share(id, rec, held, payee_side, payee_bps, reason)
        }

        /// Settles with `payee_side` of `held` to the payee side and the rest refunded.
        fn settle_amounts(
            &mut self,
            id: EscrowId,
            rec: EscrowRecord,
            held: Balance,
            payee_side: Balance,
            reason: SettleReason,
        ) -> Result<()> {
            let share = share_bps(payee_side, held);
            self.settle_amounts_with_share(id, rec, held, payee_side, share, reason)
        }

        fn settle_amounts_with_share(
            &mut self,
            id: EscrowId,
            mut rec: EscrowRecord,
            held: Balance,
            payee_side: Balance,
            share: Bps,
            reason: SettleReason,
        ) -> Result<()> {
            let refund = held.checked_sub(payee_side).ok_or(VaultError::Overflow)?;
            let pay = self.plan_payee_side(&rec, payee_side)?;
            let mut payout = Payout {
                to_payee: pay.0,
                fee: pay.1,
                royalties: pay.3,
                refund,
                ..Payout::default()
            };
            if let Some(d) = rec.dispute {
                if bond_returns(&d, rec.payer, reason, share) {
                    self.add_credit(d.by, rec.asset, d.bond)?;
                    payout.bond_returned = d.bond;
                } else {
                    self.add_credit(self.treasury, rec.asset, d.bond)?;
                    payout.bond_forfeited = d.bond;
                }
            }
            self.apply_payee_side(&rec, &pay)?;
            self.add_credit(rec.payer, rec.asset, refund)?;
            match &mut rec.terms {
                EscrowTerms::Order { amount, .. } => *amount = 0,
                EscrowTerms::Stream {
                    paid_out, deposit, ..
                } => *paid_out = *deposit,
            }
            self.finish(id, rec, reason, share, payout)
        }

        /// Marks an escrow settled, unlinks it, and emits `EscrowSettled`.
        fn finish(
            &mut self,
            id: EscrowId,
            mut rec: EscrowRecord,
            reason: SettleReason,
            payee_share_bps: Bps,
            payout: Payout,
        ) -> Result<()> {
            if let Some(cid) = rec.collateral {
                if let Some(mut c) = self.collaterals.get(cid) {
                    c.open = c.open.checked_sub(1).ok_or(VaultError::Overflow)?;
                    self.collaterals.insert(cid, &c);
                }
            }
            rec.state = EscrowState::Settled;
            rec.settlement = Some(Settlement {
                reason,
                at: self.env().block_timestamp(),
                payee_share_bps,
            });
            self.unindex_open(rec.payer, id);
            self.unindex_open(rec.payee, id);
            let (payer, payee) = (rec.payer, rec.payee);
            self.escrows.insert(id, &rec);
            self.env().emit_event(EscrowSettled {
                id,
                payer,
                payee,
                reason,
                to_payee: payout.to_payee,
                fee: payout.fee,
                royalties: payout.royalties,
                refund: payout.refund,
                bond_returned: payout.bond_returned,
                bond_forfeited: payout.bond_forfeited,
            });
            Ok(())
        }

        /// Stores a freshly funded escrow and indexes it for both parties.
        fn store_new(
            &mut self,
            id: EscrowId,
            rec: &EscrowRecord,
            collateral: Option<Collateral>,
            received: Balance,
        ) -> Result<()> {
            self.add_owed(rec.asset, received)?;
            if let (Some(cid), Some(c)) = (rec.collateral, collateral) {
                self.collaterals.insert(cid, &c);
            }
            self.escrows.insert(id, rec);
            self.escrow_count = id;
            self.index_open(rec.payer, id)?;
            self.index_open(rec.payee, id)?;
            Ok(())
        }
    }

    impl EscrowVault for Escrow {
        /// Opens a one-shot order for `payer`. **The caller pays** the deposit: native,
        /// exactly `terms.amount` as transferred value; PSP22, pulled from the caller
        /// with `transfer_from` (the caller approved the vault; the vault holds what
        /// arrived). The fee is fixed at today's rate. The delivery deadline must be in
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
            let opener = self.check_acting_for(payer)?;
            let now = self.env().block_timestamp();
            if payer == terms.payee {
                return Err(VaultError::SelfDeal);
            }
            if terms.amount == 0 {
                return Err(VaultError::ZeroAmount);
            }
            self.check_asset(terms.asset)?;
            self.check_min_deposit(terms.asset, terms.amount)?;
            if terms.delivery_deadline <= now {
                return Err(VaultError::InvalidPeriod);
            }
            if terms.delivery_deadline > self.horizon()? || terms.review_window_ms > MAX_PERIOD_MS {
                return Err(VaultError::PeriodTooLong);
            }
            terms
                .delivery_deadline
                .checked_add(terms.review_window_ms)
                .ok_or(VaultError::Overflow)?;
            self.check_royalties(&terms.royalties)?;
            let collateral = self.plan_collateral(terms.collateral, opener)?;
            let id = self.next_id()?;
            let received = self.collect(terms.asset, terms.amount)?;
            // A token that skims on transfer must not slip an order under the minimum.
            self.check_min_deposit(terms.asset, received)?;
            let rec = EscrowRecord {
                payer,
                payee: terms.payee,
                asset: terms.asset,
                opener,
                context: terms.context,
                collateral: terms.collateral,
                fee_bps: self.fee_bps,
                royalties: terms.royalties,
                state: EscrowState::Funded,
                terms: EscrowTerms::Order {
                    amount: received,
                    delivery_deadline: terms.delivery_deadline,
                    review_window_ms: terms.review_window_ms,
                    delivered_at: None,
                    proof: None,
                },
                dispute: None,
                settlement: None,
                opened_at: now,
            };
            self.store_new(id, &rec, collateral, received)?;
            self.env().emit_event(OrderOpened {
                id,
                payer,
                payee: terms.payee,
                opener,
                asset: terms.asset,
                amount: received,
                delivery_deadline: terms.delivery_deadline,
                review_window_ms: terms.review_window_ms,
                context: terms.context,
            });
            Ok(id)
        }

        /// Opens a stream for `payer`, prepaying `rate_per_ms × (end − start)`; **the
        /// caller pays**, as for `open_order`. `start` may not be in the past nor more
        /// than `MAX_PERIOD_MS` ahead, the stream may last at most `MAX_PERIOD_MS`, and
        /// the deposit must be at least `min_deposit(asset)`. A PSP22 token that
        /// delivers less than asked is refused, because the rate could not be honoured.
        ///
        /// Who may call: `payer` itself, or an allow-listed controller.
        ///
        /// Errors: `NotController`, `SelfDeal`, `ZeroAmount`, `AssetNotAllowed`,
        /// `InvalidPeriod`, `PeriodTooLong`, `BelowMinDeposit`, `CollateralNotFound`,
        /// `NotCollateralController`, `WrongValue`, `Token`, `TokenTransferFailed`,
        /// `Overflow`. Emits `StreamOpened`.
        #[ink(message, payable)]
        fn open_stream(&mut self, payer: AccountId, terms: StreamTerms) -> Result<EscrowId> {
            let opener = self.check_acting_for(payer)?;
            let now = self.env().block_timestamp();
            if payer == terms.payee {
                return Err(VaultError::SelfDeal);
            }
            if terms.rate_per_ms == 0 {
                return Err(VaultError::ZeroAmount);
            }
            self.check_asset(terms.asset)?;
            if terms.start < now || terms.end <= terms.start {
                return Err(VaultError::InvalidPeriod);
            }
            let duration = terms
                .end
                .checked_sub(terms.start)
                .ok_or(VaultError::InvalidPeriod)?;
            if terms.start > self.horizon()? || duration > MAX_PERIOD_MS {
                return Err(VaultError::PeriodTooLong);
            }
            let deposit = terms
                .rate_per_ms
                .checked_mul(Balance::from(duration))
                .ok_or(VaultError::Overflow)?;
            self.check_min_deposit(terms.asset, deposit)?;
            let collateral = self.plan_collateral(terms.collateral, opener)?;
            let id = self.next_id()?;
            let received = self.collect(terms.asset, deposit)?;
            if received != deposit {
                return Err(VaultError::TokenTransferFailed);
            }
            let rec = EscrowRecord {
                payer,
                payee: terms.payee,
                asset: terms.asset,
                opener,
                context: terms.context,
                collateral: terms.collateral,
                fee_bps: self.fee_bps,
                royalties: Vec::new(),
                state: EscrowState::Streaming,
                terms: EscrowTerms::Stream {
                    rate_per_ms: terms.rate_per_ms,
                    start: terms.start,
                    end: terms.end,
                    deposit,
                    paid_out: 0,
                    frozen_at: None,
                },
                dispute: None,
                settlement: None,
                opened_at: now,
            };
            self.store_new(id, &rec, collateral, deposit)?;
            self.env().emit_event(StreamOpened {
                id,
                payer,
                payee: terms.payee,
                opener,
                asset: terms.asset,
                rate_per_ms: terms.rate_per_ms,
                start: terms.start,
                end: terms.end,
                deposit,
                context: terms.context,
            });
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
            let EscrowTerms::Order { amount, .. } = rec.terms else {
                return Err(VaultError::WrongEscrowKind);
            };
            self.check_payer_side(&rec)?;
            if !matches!(rec.state, EscrowState::Funded | EscrowState::Delivered) {
                return Err(VaultError::EscrowNotOpen);
            }
            self.settle_split(id, rec, amount, BPS_DENOMINATOR, SettleReason::Released)
        }

        /// Stops a stream before its end: what has accrued is credited to the payee
        /// side, the unused rest to the payer.
        ///
        /// Who may call: as for `release`.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `ControllerOnly`,
        /// `NotController`, `NotOpener`, `EscrowNotOpen`, `StreamEnded`, `Overflow`.
        /// Emits `EscrowSettled` (`StoppedByPayer`).
        #[ink(message)]
        fn stop_stream(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let EscrowTerms::Stream {
                rate_per_ms,
                start,
                end,
                paid_out,
                ..
            } = rec.terms
            else {
                return Err(VaultError::WrongEscrowKind);
            };
            self.check_payer_side(&rec)?;
            if rec.state != EscrowState::Streaming {
                return Err(VaultError::EscrowNotOpen);
            }
            if now >= end {
                return Err(VaultError::StreamEnded);
            }
            let held = held(&rec)?;
            let payee_side = accrued(rate_per_ms, start, end, now)?
                .checked_sub(paid_out)
                .ok_or(VaultError::Overflow)?;
            self.settle_amounts(id, rec, held, payee_side, SettleReason::StoppedByPayer)
        }

        /// Extends a running stream by `extra_ms`; **the caller pays**
        /// `rate_per_ms × extra_ms` more (as for `open_order`). The new end may be at
        /// most `MAX_PERIOD_MS` from now.
        ///
        /// Who may call: as for `release` (so a rental a controller sold can only be
        /// extended within the controller's own terms).
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `ControllerOnly`,
        /// `NotController`, `NotOpener`, `EscrowNotOpen`, `StreamEnded`, `ZeroAmount`,
        /// `PeriodTooLong`, `WrongValue`, `Token`, `TokenTransferFailed`, `Overflow`.
        /// Emits `StreamToppedUp`.
        #[ink(message, payable)]
        fn top_up(&mut self, id: EscrowId, extra_ms: u64) -> Result<()> {
            let mut rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let EscrowTerms::Stream {
                rate_per_ms,
                end,
                deposit,
                ..
            } = rec.terms
            else {
                return Err(VaultError::WrongEscrowKind);
            };
            self.check_payer_side(&rec)?;
            if rec.state != EscrowState::Streaming {
                return Err(VaultError::EscrowNotOpen);
            }
            if now >= end {
                return Err(VaultError::StreamEnded);
            }
            if extra_ms == 0 {
                return Err(VaultError::ZeroAmount);
            }
            let new_end = end.checked_add(extra_ms).ok_or(VaultError::Overflow)?;
            if new_end > self.horizon()? {
                return Err(VaultError::PeriodTooLong);
            }
            let added = rate_per_ms
                .checked_mul(Balance::from(extra_ms))
                .ok_or(VaultError::Overflow)?;
            let new_deposit = deposit.checked_add(added).ok_or(VaultError::Overflow)?;
            let received = self.collect(rec.asset, added)?;
            if received != added {
                return Err(VaultError::TokenTransferFailed);
            }
            if let EscrowTerms::Stream { end, deposit, .. } = &mut rec.terms {
                *end = new_end;
                *deposit = new_deposit;
            }
            self.add_owed(rec.asset, added)?;
            self.escrows.insert(id, &rec);
            self.env().emit_event(StreamToppedUp { id, added, new_end });
            Ok(())
        }

        /// Locks collateral for `owner` until `unlock_after` (at most `MAX_PERIOD_MS`
        /// from now). The caller becomes its controller and **pays** it (native: exactly
        /// `amount`; PSP22: pulled from the caller after its approval).
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
            let controller = self.check_acting_for(owner)?;
            if amount == 0 {
                return Err(VaultError::ZeroAmount);
            }
            self.check_asset(asset)?;
            if unlock_after > self.horizon()? {
                return Err(VaultError::PeriodTooLong);
            }
            let id = self
                .collateral_count
                .checked_add(1)
                .ok_or(VaultError::Overflow)?;
            let received = self.collect(asset, amount)?;
            self.add_owed(asset, received)?;
            self.collaterals.insert(
                id,
                &Collateral {
                    owner,
                    controller,
                    asset,
                    amount: received,
                    unlock_after,
                    open: 0,
                    released: false,
                },
            );
            self.collateral_count = id;
            self.env().emit_event(CollateralLocked {
                id,
                owner,
                controller,
                asset,
                amount: received,
                unlock_after,
            });
            Ok(id)
        }

        /// Gives collateral back to its owner's credit, when no escrow linked to it is
        /// open.
        ///
        /// Who may call: the controller that locked it, at any time (also after
        /// governance removed it); the owner, after `unlock_after`.
        ///
        /// Errors: `CollateralNotFound`, `NotCollateralController`, `CollateralInUse`,
        /// `CollateralStillLocked`, `Overflow`. Emits `CollateralReleased`.
        #[ink(message)]
        fn release_collateral(&mut self, id: CollateralId) -> Result<()> {
            self.release_collateral_inner(id)
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
            let amount = self.credits.get((caller, asset)).unwrap_or(0);
            if amount == 0 {
                return Err(VaultError::NothingToWithdraw);
            }
            let owed = self
                .owed
                .get(asset)
                .unwrap_or(0)
                .checked_sub(amount)
                .ok_or(VaultError::Overflow)?;
            self.credits.remove((caller, asset));
            self.owed.insert(asset, &owed);
            match asset {
                Asset::Native => self
                    .env()
                    .transfer(caller, amount)
                    .map_err(|_| VaultError::NativeTransferFailed)?,
                Asset::Psp22(token) => {
                    psp22_transfer(token, self.env().account_id(), caller, amount)?
                }
            }
            self.env().emit_event(Withdrawn {
                account: caller,
                asset,
                amount,
            });
            Ok(amount)
        }

        /// State and, once settled, the outcome of an escrow.
        ///
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
