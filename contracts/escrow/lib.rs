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
//!   may `stop_stream` early (the unused part comes back) or `top_up` to extend `end`.
//! - **Collateral**: locked for an owner by a controller; only the arbiter can slash it
//!   (to named receivers); it goes back to the owner when its controller releases it, or
//!   when the owner takes it after its unlock time — in both cases only when no escrow
//!   linked to it is open.
//!
//! ## Disputes
//! Either party may dispute an open escrow by posting a bond of `bond_bps` of what is at
//! stake (rounded up), paid in the escrow's asset. The escrow freezes (a stream stops
//! accruing at that moment). Only the arbiter (the DAO) resolves it, with a split in
//! basis points of the remainder to the payee side. The disputer gets the bond back if
//! the ruling gives its side at least half; otherwise the bond is forfeited to the
//! treasury (the fee pool). If the arbiter has not ruled within `ruling_window_ms`,
//! anyone may apply the fallback with `expire_dispute`: a delivered order is paid as if
//! released, an undelivered one is refunded, a stream pays what had accrued when it was
//! frozen and refunds the rest; the bond goes back to the disputer. So every state has a
//! path out that someone can trigger after a deadline: nothing can get stuck.
//!
//! ## Money
//! On every payment to the payee side, the platform fee (`fee_bps`, snapshotted when the
//! escrow opens) goes to the treasury and each royalty to its receiver, all rounded
//! down; the payee receives the remainder, so the payee gets the rounding dust. On a
//! ruling's split the payer side gets the dust. `to_payee + fee + royalties + refund`
//! always equals the deposit, to the unit (see `primitives::math`).
//!
//! PSP22 deposits are pulled with `transfer_from` (the payer approves the vault first),
//! and the vault holds what actually arrived (measured by its own balance before and
//! after). Any failed token transfer, whether the token returns an error or the call
//! itself fails, fails the whole message.
//!
//! ## Reserves
//! Per asset, `owed` counts everything the vault owes: open escrows, bonds, collateral
//! and unwithdrawn credits. It goes up only when money comes in and down only when
//! `withdraw` pays out, and `reserves(asset)` shows it next to what the vault holds, so
//! anyone can check solvency.
//!
//! ## Roles
//! - **Payer**: opens an escrow for itself, releases, stops, tops up, disputes.
//! - **Payee**: delivers, refunds voluntarily, disputes.
//! - **Controller**: an allow-listed contract (the registry, the compute market) that
//!   may open escrows and lock collateral on behalf of a payer, and act for the payer on
//!   escrows it opened. A plain account can only name itself as payer.
//! - **Arbiter**: the DAO's address; resolves disputes, slashes collateral, and is the
//!   governance: fee, treasury, dispute parameters, allow-lists, and its own successor.
//!
//! ## Cost
//! No message loops over anything that grows with use: royalties (≤ 4), slash receivers
//! (≤ 8) and pages (≤ 10) are the only loops. A party's open escrows are kept in a
//! swap-remove index so a dApp can page through them with their next deadline.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::escrow::{
    ArbiterChanged, AssetAllowanceChanged, CollateralExtended, CollateralLocked,
    CollateralReleased, CollateralSlashed, ControllerChanged, DisputeParamsChanged, Escrow,
    EscrowDisputed, EscrowRef, EscrowSettled, FeeChanged, OrderDelivered, OrderOpened,
    StreamClaimed, StreamOpened, StreamToppedUp, TreasuryChanged, Withdrawn, MAX_FEE_BPS, MAX_PAGE,
    MAX_SLASH_RECEIVERS,
};
pub use self::types::{Collateral, Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Reserves, Role};
pub use primitives::VaultError as Error;

/// Types with data-carrying enum variants live outside the contract module only to scope
/// one lint: their derived SCALE encoding casts the variant index to `u8`, and
/// cargo-contract runs clippy with `-D clippy::cast_possible_truncation`.
mod types {
    #![allow(clippy::cast_possible_truncation)]
    use ink::prelude::vec::Vec;
    use ink::primitives::{AccountId, Hash};
    use primitives::{
        Asset, Balance, Bps, CollateralId, EscrowId, EscrowState, Royalty, Settlement, Timestamp,
    };

    /// What differs between an order and a stream.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum EscrowTerms {
        Order {
            /// The deposit still held (zero once settled).
            amount: Balance,
            delivery_deadline: Timestamp,
            review_window_ms: u64,
            delivered_at: Option<Timestamp>,
            proof: Option<Hash>,
        },
        Stream {
            rate_per_ms: Balance,
            start: Timestamp,
            end: Timestamp,
            /// Everything prepaid, top-ups included.
            deposit: Balance,
            /// Gross amount already paid to the payee side by claims.
            paid_out: Balance,
            /// When a dispute froze the stream (accrual stops there).
            frozen_at: Option<Timestamp>,
        },
    }

    /// An open dispute and its bond.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Dispute {
        pub by: AccountId,
        pub bond: Balance,
        pub opened_at: Timestamp,
    }

    /// One escrow, as stored and as returned by `escrow(id)`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct EscrowRecord {
        pub payer: AccountId,
        pub payee: AccountId,
        pub asset: Asset,
        /// Who opened it: the payer itself or a controller acting for it.
        pub opener: AccountId,
        pub context: u64,
        pub collateral: Option<CollateralId>,
        pub fee_bps: Bps,
        pub royalties: Vec<Royalty>,
        pub state: EscrowState,
        pub terms: EscrowTerms,
        pub dispute: Option<Dispute>,
        pub settlement: Option<Settlement>,
        pub opened_at: Timestamp,
    }

    /// A collateral lock.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Collateral {
        pub owner: AccountId,
        pub controller: AccountId,
        pub asset: Asset,
        /// What is still locked (slashes reduce it; zero once released).
        pub amount: Balance,
        /// From then on the owner may take it back itself, if nothing is open on it.
        pub unlock_after: Timestamp,
        /// Escrows open against it.
        pub open: u32,
        pub released: bool,
    }

    /// The caller's side of an escrow in `open_escrows`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Role {
        Payer,
        Payee,
    }

    /// One row of a party's open escrows, with what a dApp shows as "expires in".
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct OpenEscrow {
        pub id: EscrowId,
        pub role: Role,
        pub state: EscrowState,
        pub asset: Asset,
        /// What the escrow still holds.
        pub held: Balance,
        /// The next moment something can happen without the other party: the delivery
        /// deadline, the end of the review window, the stream's end, or the end of the
        /// ruling window.
        pub next_deadline: Timestamp,
    }

    /// Solvency of one asset: `holdings >= owed` must always hold.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Reserves {
        /// Everything the vault owes in this asset.
        pub owed: Balance,
        /// What the vault holds (its native balance, or its PSP22 balance; zero if the
        /// token cannot be read).
        pub holdings: Balance,
    }
}

#[ink::contract]
mod escrow {
    use crate::types::{
        Collateral, Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Reserves, Role,
    };
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use primitives::math::{bps_of_ceil, split_release, split_ruling};
    use primitives::{
        Asset, Bps, CollateralId, EscrowId, EscrowState, EscrowStatus, EscrowVault, OrderTerms,
        Page, Royalty, SettleReason, Settlement, StreamTerms, VaultError, BPS_DENOMINATOR,
        MAX_ROYALTIES,
    };
    use psp22::PSP22;

    /// The platform fee can never be set above 10 %.
    pub const MAX_FEE_BPS: Bps = 1_000;
    /// Longest page any getter returns.
    pub const MAX_PAGE: u32 = 10;
    /// Most receivers one slash may name.
    pub const MAX_SLASH_RECEIVERS: usize = 8;

    pub type Result<T> = core::result::Result<T, VaultError>;

    // ---------------------------------------------------------------- events

    /// An order was opened and funded.
    #[ink(event)]
    pub struct OrderOpened {
        #[ink(topic)]
        pub id: EscrowId,
        #[ink(topic)]
        pub payer: AccountId,
        #[ink(topic)]
        pub payee: AccountId,
        pub opener: AccountId,
        pub asset: Asset,
        pub amount: Balance,
        pub delivery_deadline: Timestamp,
        pub review_window_ms: u64,
        pub context: u64,
    }

    /// A stream was opened and prepaid.
    #[ink(event)]
    pub struct StreamOpened {
        #[ink(topic)]
        pub id: EscrowId,
        #[ink(topic)]
        pub payer: AccountId,
        #[ink(topic)]
        pub payee: AccountId,
        pub opener: AccountId,
        pub asset: Asset,
        pub rate_per_ms: Balance,
        pub start: Timestamp,
        pub end: Timestamp,
        pub deposit: Balance,
        pub context: u64,
    }

    /// The payee marked an order delivered.
    #[ink(event)]
    pub struct OrderDelivered {
        #[ink(topic)]
        pub id: EscrowId,
        pub proof: Hash,
        pub review_ends: Timestamp,
    }

    /// Accrued stream money was credited to the payee side.
    #[ink(event)]
    pub struct StreamClaimed {
        #[ink(topic)]
        pub id: EscrowId,
        pub gross: Balance,
        pub to_payee: Balance,
        pub fee: Balance,
        pub royalties: Balance,
    }

    /// A stream was extended.
    #[ink(event)]
    pub struct StreamToppedUp {
        #[ink(topic)]
        pub id: EscrowId,
        pub added: Balance,
        pub new_end: Timestamp,
    }

    /// A party disputed an escrow and posted a bond.
    #[ink(event)]
    pub struct EscrowDisputed {
        #[ink(topic)]
        pub id: EscrowId,
        #[ink(topic)]
        pub by: AccountId,
        pub bond: Balance,
        pub ruling_deadline: Timestamp,
    }

    /// An escrow reached its terminal state. The amounts are this settlement's credits;
    /// `to_payee + fee + royalties + refund` is what the escrow still held.
    #[ink(event)]
    pub struct EscrowSettled {
        #[ink(topic)]
        pub id: EscrowId,
        #[ink(topic)]
        pub payer: AccountId,
        #[ink(topic)]
        pub payee: AccountId,
        pub reason: SettleReason,
        pub to_payee: Balance,
        pub fee: Balance,
        pub royalties: Balance,
        pub refund: Balance,
        pub bond_returned: Balance,
        pub bond_forfeited: Balance,
    }

    /// Collateral was locked.
    #[ink(event)]
    pub struct CollateralLocked {
        #[ink(topic)]
        pub id: CollateralId,
        #[ink(topic)]
        pub owner: AccountId,
        #[ink(topic)]
        pub controller: AccountId,
        pub asset: Asset,
        pub amount: Balance,
        pub unlock_after: Timestamp,
    }

    /// Collateral went back to its owner's credit.
    #[ink(event)]
    pub struct CollateralReleased {
        #[ink(topic)]
        pub id: CollateralId,
        #[ink(topic)]
        pub owner: AccountId,
        pub amount: Balance,
    }

    /// The arbiter slashed collateral to receivers.
    #[ink(event)]
    pub struct CollateralSlashed {
        #[ink(topic)]
        pub id: CollateralId,
        pub total: Balance,
        pub remaining: Balance,
    }

    /// A collateral's controller moved its unlock time later.
    #[ink(event)]
    pub struct CollateralExtended {
        #[ink(topic)]
        pub id: CollateralId,
        pub unlock_after: Timestamp,
    }

    /// An account pulled its credit.
    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub account: AccountId,
        pub asset: Asset,
        pub amount: Balance,
    }

    /// Governance changed the platform fee (for escrows opened from now on).
    #[ink(event)]
    pub struct FeeChanged {
        pub fee_bps: Bps,
    }

    /// Governance changed the treasury.
    #[ink(event)]
    pub struct TreasuryChanged {
        #[ink(topic)]
        pub treasury: AccountId,
    }

    /// Governance handed the arbiter role on.
    #[ink(event)]
    pub struct ArbiterChanged {
        #[ink(topic)]
        pub arbiter: AccountId,
    }

    /// Governance changed the bond rate or the ruling window.
    #[ink(event)]
    pub struct DisputeParamsChanged {
        pub bond_bps: Bps,
        pub ruling_window_ms: u64,
    }

    /// Governance allowed or disallowed a controller.
    #[ink(event)]
    pub struct ControllerChanged {
        #[ink(topic)]
        pub controller: AccountId,
        pub allowed: bool,
    }

    /// Governance allowed or disallowed a PSP22 token for new escrows.
    #[ink(event)]
    pub struct AssetAllowanceChanged {
        #[ink(topic)]
        pub token: AccountId,
        pub allowed: bool,
    }

    // ---------------------------------------------------------------- storage

    #[ink(storage)]
    pub struct Escrow {
        arbiter: AccountId,
        treasury: AccountId,
        fee_bps: Bps,
        bond_bps: Bps,
        ruling_window_ms: u64,
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
        /// - `fee_bps` ≤ [`MAX_FEE_BPS`]; `bond_bps` ≤ 10 000; `ruling_window_ms` > 0.
        ///
        /// Errors: `FeeTooHigh`, `InvalidShares`, `InvalidPeriod`.
        #[ink(constructor)]
        pub fn new(
            arbiter: AccountId,
            treasury: AccountId,
            fee_bps: Bps,
            bond_bps: Bps,
            ruling_window_ms: u64,
        ) -> Result<Self> {
            check_fee(fee_bps)?;
            check_dispute_params(bond_bps, ruling_window_ms)?;
            Ok(Self {
                arbiter,
                treasury,
                fee_bps,
                bond_bps,
                ruling_window_ms,
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

        /// Marks an order delivered with a proof hash (payee only), before the delivery
        /// deadline. Starts the review window.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayee`, `EscrowNotFunded`,
        /// `DeliveryDeadlinePassed`, `Overflow`. Emits `OrderDelivered`.
        #[ink(message)]
        pub fn deliver(&mut self, id: EscrowId, proof: Hash) -> Result<()> {
            let mut rec = self.get(id)?;
            let now = self.env().block_timestamp();
            if self.env().caller() != rec.payee {
                return Err(VaultError::NotPayee);
            }
            let review_ends = match &mut rec.terms {
                EscrowTerms::Order {
                    delivery_deadline,
                    review_window_ms,
                    delivered_at,
                    proof: stored,
                    ..
                } => {
                    if rec.state != EscrowState::Funded {
                        return Err(VaultError::EscrowNotFunded);
                    }
                    if now > *delivery_deadline {
                        return Err(VaultError::DeliveryDeadlinePassed);
                    }
                    let ends = now
                        .checked_add(*review_window_ms)
                        .ok_or(VaultError::Overflow)?;
                    *delivered_at = Some(now);
                    *stored = Some(proof);
                    ends
                }
                EscrowTerms::Stream { .. } => return Err(VaultError::WrongEscrowKind),
            };
            rec.state = EscrowState::Delivered;
            self.escrows.insert(id, &rec);
            self.env().emit_event(OrderDelivered {
                id,
                proof,
                review_ends,
            });
            Ok(())
        }

        /// Pays a delivered order to the payee side once its review window has ended.
        /// Anyone may call it.
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

        /// Gives an order's deposit back to the payer.
        ///
        /// The payee may do it at any time before settlement; anyone may do it once the
        /// delivery deadline has passed without a delivery.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `EscrowNotOpen`,
        /// `EscrowNotFunded`, `DeliveryDeadlineNotReached`. Emits `EscrowSettled`
        /// (`RefundedByPayee` or `RefundedAfterDeadline`).
        #[ink(message)]
        pub fn refund(&mut self, id: EscrowId) -> Result<()> {
            let rec = self.get(id)?;
            let now = self.env().block_timestamp();
            let EscrowTerms::Order {
                amount,
                delivery_deadline,
                ..
            } = rec.terms
            else {
                return Err(VaultError::WrongEscrowKind);
            };
            if self.env().caller() == rec.payee {
                if !matches!(rec.state, EscrowState::Funded | EscrowState::Delivered) {
                    return Err(VaultError::EscrowNotOpen);
                }
                return self.settle_split(id, rec, amount, 0, SettleReason::RefundedByPayee);
            }
            if rec.state != EscrowState::Funded {
                return Err(VaultError::EscrowNotFunded);
            }
            if now <= delivery_deadline {
                return Err(VaultError::DeliveryDeadlineNotReached);
            }
            self.settle_split(id, rec, amount, 0, SettleReason::RefundedAfterDeadline)
        }

        // ------------------------------------------------------------ streams

        /// Credits what a stream has accrued since the last claim to the payee side (fee
        /// and royalties taken). Anyone may call it: the money only ever goes to the
        /// payee's side. When the stream has ended and everything is paid, it settles.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `EscrowNotOpen` (disputed or
        /// settled), `NothingToClaim`, `Overflow`. Emits `StreamClaimed`, and
        /// `EscrowSettled` (`StreamCompleted`) on the last claim.
        #[ink(message)]
        pub fn claim(&mut self, id: EscrowId) -> Result<Balance> {
            let mut rec = self.get(id)?;
            let now = self.env().block_timestamp();
            if !matches!(rec.terms, EscrowTerms::Stream { .. }) {
                return Err(VaultError::WrongEscrowKind);
            }
            if rec.state != EscrowState::Streaming {
                return Err(VaultError::EscrowNotOpen);
            }
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
                let payout = Payout {
                    to_payee: 0,
                    ..Payout::default()
                };
                self.finish(
                    id,
                    rec,
                    SettleReason::StreamCompleted,
                    BPS_DENOMINATOR,
                    payout,
                )?;
            } else {
                self.escrows.insert(id, &rec);
            }
            Ok(gross)
        }

        /// What a stream would pay the payee side if claimed now.
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

        /// Disputes an open escrow (payer or payee) and posts the bond
        /// (`required_bond(id)`), which freezes it until the arbiter rules or the ruling
        /// window expires. A delivered order can be disputed only during its review
        /// window. Native: send exactly the bond. PSP22: approve the vault for it.
        ///
        /// Errors: `EscrowNotFound`, `NotParty`, `EscrowNotOpen`, `ReviewWindowClosed`,
        /// `StreamEnded` (nothing left to dispute), `WrongValue`, `TokenTransferFailed`,
        /// `Overflow`. Emits `EscrowDisputed`.
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
            let ruling_deadline = now
                .checked_add(self.ruling_window_ms)
                .ok_or(VaultError::Overflow)?;
            let received = self.take_payment(caller, rec.asset, bond)?;
            if received < bond {
                return Err(VaultError::TokenTransferFailed);
            }
            if let EscrowTerms::Stream { end, frozen_at, .. } = &mut rec.terms {
                *frozen_at = Some(now.min(*end));
            }
            rec.state = EscrowState::Disputed;
            rec.dispute = Some(Dispute {
                by: caller,
                bond: received,
                opened_at: now,
            });
            self.add_owed(rec.asset, received)?;
            self.escrows.insert(id, &rec);
            self.env().emit_event(EscrowDisputed {
                id,
                by: caller,
                bond: received,
                ruling_deadline,
            });
            Ok(())
        }

        /// The bond `dispute(id)` would require now, or `None` if it cannot be disputed.
        #[ink(message)]
        pub fn required_bond(&self, id: EscrowId) -> Option<Balance> {
            let rec = self.escrows.get(id)?;
            let at_stake = self
                .disputable_amount(&rec, self.env().block_timestamp())
                .ok()?;
            bps_of_ceil(at_stake, self.bond_bps)
        }

        /// Rules on a disputed escrow (arbiter only): `payee_bps` of what it still holds
        /// goes to the payee side (fee and royalties taken from it), the rest back to the
        /// payer. The disputer's bond comes back if its side got at least half,
        /// otherwise it goes to the treasury.
        ///
        /// Errors: `NotArbiter`, `EscrowNotFound`, `EscrowNotDisputed`,
        /// `InvalidShares`, `Overflow`. Emits `EscrowSettled` (`Resolved`).
        #[ink(message)]
        pub fn resolve(&mut self, id: EscrowId, payee_bps: Bps) -> Result<()> {
            if self.env().caller() != self.arbiter {
                return Err(VaultError::NotArbiter);
            }
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

        /// Applies the fallback to a dispute the arbiter did not rule on within the
        /// ruling window. Anyone may call it. A delivered order is paid to the payee
        /// side, an undelivered one refunded; a stream pays what accrued until it was
        /// frozen and refunds the rest. The bond goes back to the disputer.
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
            let deadline = dispute
                .opened_at
                .checked_add(self.ruling_window_ms)
                .ok_or(VaultError::Overflow)?;
            if now < deadline {
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

        /// Takes collateral back to the owner's credit. The controller that locked it may
        /// do so at any time, the owner after `unlock_after`; in both cases only when no
        /// escrow linked to it is open.
        ///
        /// Errors: `CollateralNotFound`, `NotCollateralController`, `CollateralInUse`,
        /// `CollateralStillLocked`, `Overflow`. Emits `CollateralReleased`.
        fn release_collateral_inner(&mut self, id: CollateralId) -> Result<()> {
            let mut c = self
                .collaterals
                .get(id)
                .ok_or(VaultError::CollateralNotFound)?;
            let caller = self.env().caller();
            if c.released {
                return Err(VaultError::CollateralNotFound);
            }
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

        /// Slashes collateral to named receivers (arbiter only), crediting each.
        ///
        /// Errors: `NotArbiter`, `CollateralNotFound`, `TooManyReceivers`, `ZeroAmount`,
        /// `SlashExceedsCollateral`, `Overflow`. Emits `CollateralSlashed`.
        #[ink(message)]
        pub fn slash_collateral(
            &mut self,
            id: CollateralId,
            receivers: Vec<(AccountId, Balance)>,
        ) -> Result<()> {
            if self.env().caller() != self.arbiter {
                return Err(VaultError::NotArbiter);
            }
            let mut c = self
                .collaterals
                .get(id)
                .ok_or(VaultError::CollateralNotFound)?;
            if c.released {
                return Err(VaultError::CollateralNotFound);
            }
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
                total,
                remaining,
            });
            Ok(())
        }

        /// Moves a collateral's unlock time later (its controller only, e.g. when the
        /// provider lists for longer).
        ///
        /// Errors: `CollateralNotFound`, `NotCollateralController`, `InvalidPeriod`.
        /// Emits `CollateralExtended`.
        #[ink(message)]
        pub fn extend_collateral(
            &mut self,
            id: CollateralId,
            unlock_after: Timestamp,
        ) -> Result<()> {
            let mut c = self
                .collaterals
                .get(id)
                .ok_or(VaultError::CollateralNotFound)?;
            if c.released {
                return Err(VaultError::CollateralNotFound);
            }
            if self.env().caller() != c.controller {
                return Err(VaultError::NotCollateralController);
            }
            if unlock_after <= c.unlock_after {
                return Err(VaultError::InvalidPeriod);
            }
            c.unlock_after = unlock_after;
            self.collaterals.insert(id, &c);
            self.env()
                .emit_event(CollateralExtended { id, unlock_after });
            Ok(())
        }

        // ------------------------------------------------------------ governance

        /// Sets the platform fee for escrows opened from now on (arbiter only).
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

        /// Sets the treasury (arbiter only). Credits already made stay where they are.
        ///
        /// Errors: `NotArbiter`. Emits `TreasuryChanged`.
        #[ink(message)]
        pub fn set_treasury(&mut self, treasury: AccountId) -> Result<()> {
            self.only_arbiter()?;
            self.treasury = treasury;
            self.env().emit_event(TreasuryChanged { treasury });
            Ok(())
        }

        /// Hands the arbiter role (and governance) to another account, e.g. the DAO.
        ///
        /// Errors: `NotArbiter`. Emits `ArbiterChanged`.
        #[ink(message)]
        pub fn set_arbiter(&mut self, arbiter: AccountId) -> Result<()> {
            self.only_arbiter()?;
            self.arbiter = arbiter;
            self.env().emit_event(ArbiterChanged { arbiter });
            Ok(())
        }

        /// Sets the bond rate and the ruling window (arbiter only); applies to disputes
        /// opened from now on, and the window also to open ones.
        ///
        /// Errors: `NotArbiter`, `InvalidShares`, `InvalidPeriod`.
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

        /// Allows or disallows a controller contract (arbiter only).
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

        /// Allows or disallows a PSP22 token for new escrows and collateral (arbiter
        /// only). Existing escrows and credits in it are unaffected.
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

        #[ink(message)]
        pub fn arbiter(&self) -> AccountId {
            self.arbiter
        }

        #[ink(message)]
        pub fn treasury(&self) -> AccountId {
            self.treasury
        }

        #[ink(message)]
        pub fn fee_bps(&self) -> Bps {
            self.fee_bps
        }

        /// `(bond_bps, ruling_window_ms)`.
        #[ink(message)]
        pub fn dispute_params(&self) -> (Bps, u64) {
            (self.bond_bps, self.ruling_window_ms)
        }

        #[ink(message)]
        pub fn is_controller(&self, account: AccountId) -> bool {
            self.controllers.contains(account)
        }

        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            match asset {
                Asset::Native => true,
                Asset::Psp22(token) => self.allowed_tokens.contains(token),
            }
        }

        #[ink(message)]
        pub fn escrow_count(&self) -> u64 {
            self.escrow_count
        }

        #[ink(message)]
        pub fn escrow(&self, id: EscrowId) -> Option<EscrowRecord> {
            self.escrows.get(id)
        }

        #[ink(message)]
        pub fn collateral_count(&self) -> u64 {
            self.collateral_count
        }

        #[ink(message)]
        pub fn collateral(&self, id: CollateralId) -> Option<Collateral> {
            self.collaterals.get(id)
        }

        /// What `withdraw(asset)` would pay `account` now.
        #[ink(message)]
        pub fn credit_of(&self, account: AccountId, asset: Asset) -> Balance {
            self.credits.get((account, asset)).unwrap_or(0)
        }

        /// Everything owed in `asset` next to what the vault holds of it.
        #[ink(message)]
        pub fn reserves(&self, asset: Asset) -> Reserves {
            let owed = self.owed.get(asset).unwrap_or(0);
            let holdings = match asset {
                Asset::Native => self.env().balance(),
                Asset::Psp22(token) => self
                    .token_balance(token, self.env().account_id())
                    .unwrap_or(0),
            };
            Reserves { owed, holdings }
        }

        /// How many escrows `account` is payer or payee of that are still open.
        #[ink(message)]
        pub fn open_escrow_count(&self, account: AccountId) -> u32 {
            self.open_len.get(account).unwrap_or(0)
        }

        /// A page of `account`'s open escrows with their next deadline. `cursor` is a
        /// position in the account's list (0 first); settling an escrow moves the last
        /// one into its place, so a list being settled may shift between pages.
        #[ink(message)]
        pub fn open_escrows(
            &self,
            account: AccountId,
            cursor: u64,
            limit: u32,
        ) -> Page<OpenEscrow> {
            let len = u64::from(self.open_len.get(account).unwrap_or(0));
            let take = u64::from(primitives::page_len(limit, MAX_PAGE));
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
                        next_deadline: self.next_deadline(&rec),
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

        /// The caller may open or act for `payer`: it is the payer, or a controller.
        fn check_acting_for(&self, payer: AccountId) -> Result<AccountId> {
            let caller = self.env().caller();
            if caller != payer && !self.controllers.contains(caller) {
                return Err(VaultError::NotController);
            }
            Ok(caller)
        }

        /// The payer, or the controller that opened the escrow.
        fn check_payer_side(&self, rec: &EscrowRecord) -> Result<()> {
            let caller = self.env().caller();
            if caller == rec.payer || (caller == rec.opener && self.controllers.contains(caller)) {
                Ok(())
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

        /// Collects `amount` of `asset` from `from` for the current message: native must
        /// arrive as exactly the transferred value; PSP22 is pulled with
        /// `transfer_from` and what arrived is returned. Writes nothing.
        fn take_payment(&self, from: AccountId, asset: Asset, amount: Balance) -> Result<Balance> {
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
                    if amount == 0 {
                        return Ok(0);
                    }
                    let me = self.env().account_id();
                    let before = self.token_balance(token, me)?;
                    let mut t: ink::contract_ref!(PSP22) = token.into();
                    match t
                        .call_mut()
                        .transfer_from(from, me, amount, Vec::new())
                        .try_invoke()
                    {
                        Ok(Ok(Ok(()))) => {}
                        _ => return Err(VaultError::TokenTransferFailed),
                    }
                    let after = self.token_balance(token, me)?;
                    let received = after
                        .checked_sub(before)
                        .ok_or(VaultError::TokenTransferFailed)?;
                    if received == 0 {
                        return Err(VaultError::TokenTransferFailed);
                    }
                    Ok(received)
                }
            }
        }

        fn token_balance(&self, token: AccountId, who: AccountId) -> Result<Balance> {
            let t: ink::contract_ref!(PSP22) = token.into();
            match t.call().balance_of(who).try_invoke() {
                Ok(Ok(balance)) => Ok(balance),
                _ => Err(VaultError::TokenTransferFailed),
            }
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
            let mut c = self
                .collaterals
                .get(cid)
                .ok_or(VaultError::CollateralNotFound)?;
            if c.released {
                return Err(VaultError::CollateralNotFound);
            }
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
                    ..
                } => match rec.state {
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

        fn next_deadline(&self, rec: &EscrowRecord) -> Timestamp {
            if let Some(d) = rec.dispute {
                return d.opened_at.saturating_add(self.ruling_window_ms);
            }
            match rec.terms {
                EscrowTerms::Order {
                    delivery_deadline,
                    review_window_ms,
                    delivered_at,
                    ..
                } => match delivered_at {
                    Some(at) => at.saturating_add(review_window_ms),
                    None => delivery_deadline,
                },
                EscrowTerms::Stream { end, .. } => end,
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
            // The bond: back to the disputer when its side got at least half (or when
            // the arbiter never ruled), otherwise to the treasury.
            if let Some(d) = rec.dispute {
                let disputer_won = if reason == SettleReason::Resolved {
                    if d.by == rec.payer {
                        share <= BPS_DENOMINATOR / 2
                    } else {
                        share >= BPS_DENOMINATOR / 2
                    }
                } else {
                    true
                };
                if disputer_won {
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
        /// Opens a one-shot order paid by `payer` (the caller, or anyone a controller
        /// acts for). The deposit must arrive with the call (native: exactly
        /// `terms.amount` as transferred value; PSP22: pulled with `transfer_from`, the
        /// payer having approved the vault). The fee is fixed at today's rate.
        ///
        /// Errors: `NotController`, `SelfDeal`, `ZeroAmount`, `AssetNotAllowed`,
        /// `InvalidPeriod` (deadline not in the future), `TooManyReceivers`,
        /// `InvalidShares`, `CollateralNotFound`, `NotCollateralController`,
        /// `WrongValue`, `TokenTransferFailed`, `Overflow`. Emits `OrderOpened`.
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
            if terms.delivery_deadline <= now {
                return Err(VaultError::InvalidPeriod);
            }
            terms
                .delivery_deadline
                .checked_add(terms.review_window_ms)
                .ok_or(VaultError::Overflow)?;
            self.check_royalties(&terms.royalties)?;
            let collateral = self.plan_collateral(terms.collateral, opener)?;
            let id = self.next_id()?;
            let received = self.take_payment(payer, terms.asset, terms.amount)?;
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

        /// Opens a stream paid by `payer`, prepaying `rate_per_ms × (end − start)`
        /// (native: exactly that as transferred value; PSP22: pulled after approval).
        /// `start` may not be in the past. A PSP22 token that delivers less than asked
        /// is refused, because the rate could not be honoured.
        ///
        /// Errors: `NotController`, `SelfDeal`, `ZeroAmount`, `AssetNotAllowed`,
        /// `InvalidPeriod`, `CollateralNotFound`, `NotCollateralController`,
        /// `WrongValue`, `TokenTransferFailed`, `Overflow`. Emits `StreamOpened`.
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
            let deposit = terms
                .rate_per_ms
                .checked_mul(Balance::from(duration))
                .ok_or(VaultError::Overflow)?;
            let collateral = self.plan_collateral(terms.collateral, opener)?;
            let id = self.next_id()?;
            let received = self.take_payment(payer, terms.asset, deposit)?;
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

        /// Releases an order (funded or delivered) to the payee side. Only the payer, or
        /// the controller that opened it for the payer.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `EscrowNotOpen`,
        /// `Overflow`. Emits `EscrowSettled` (`Released`).
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

        /// Stops a stream before its end (payer or its opening controller): what has
        /// accrued is credited to the payee side, the unused rest to the payer.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `EscrowNotOpen`,
        /// `StreamEnded`, `Overflow`. Emits `EscrowSettled` (`StoppedByPayer`).
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

        /// Extends a running stream by `extra_ms` (payer or its opening controller),
        /// paying `rate_per_ms × extra_ms` more.
        ///
        /// Errors: `EscrowNotFound`, `WrongEscrowKind`, `NotPayer`, `EscrowNotOpen`,
        /// `StreamEnded`, `ZeroAmount`, `WrongValue`, `TokenTransferFailed`, `Overflow`.
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
            let added = rate_per_ms
                .checked_mul(Balance::from(extra_ms))
                .ok_or(VaultError::Overflow)?;
            let new_deposit = deposit.checked_add(added).ok_or(VaultError::Overflow)?;
            let new_end = end.checked_add(extra_ms).ok_or(VaultError::Overflow)?;
            let received = self.take_payment(rec.payer, rec.asset, added)?;
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

        /// Locks collateral for `owner`. The caller must be `owner` itself or an
        /// allow-listed controller, and becomes the collateral's controller. Native: send
        /// exactly `amount`; PSP22: pulled from `owner` after its approval.
        ///
        /// Errors: `NotController`, `ZeroAmount`, `AssetNotAllowed`, `WrongValue`,
        /// `TokenTransferFailed`, `Overflow`. Emits `CollateralLocked`.
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
            let id = self
                .collateral_count
                .checked_add(1)
                .ok_or(VaultError::Overflow)?;
            let received = self.take_payment(owner, asset, amount)?;
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

        /// See [`Escrow::release_collateral_inner`].
        #[ink(message)]
        fn release_collateral(&mut self, id: CollateralId) -> Result<()> {
            self.release_collateral_inner(id)
        }

        /// Pays the caller's whole credit in `asset` and returns it. The credit is
        /// cleared before the transfer, and a failed transfer fails the message, so a
        /// token calling back during the transfer finds nothing left to take.
        ///
        /// Errors: `NothingToWithdraw`, `NativeTransferFailed`, `TokenTransferFailed`,
        /// `Overflow`. Emits `Withdrawn`.
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
                    let mut t: ink::contract_ref!(PSP22) = token.into();
                    match t
                        .call_mut()
                        .transfer(caller, amount, Vec::new())
                        .try_invoke()
                    {
                        Ok(Ok(Ok(()))) => {}
                        _ => return Err(VaultError::TokenTransferFailed),
                    }
                }
            }
            self.env().emit_event(Withdrawn {
                account: caller,
                asset,
                amount,
            });
            Ok(amount)
        }

        #[ink(message)]
        fn escrow_status(&self, id: EscrowId) -> Option<EscrowStatus> {
            self.escrows.get(id).map(|rec| EscrowStatus {
                state: rec.state,
                settlement: rec.settlement,
            })
        }
    }

    // ---------------------------------------------------------------- pure money logic

    fn check_fee(fee_bps: Bps) -> Result<()> {
        if fee_bps > MAX_FEE_BPS {
            return Err(VaultError::FeeTooHigh);
        }
        Ok(())
    }

    fn check_dispute_params(bond_bps: Bps, ruling_window_ms: u64) -> Result<()> {
        if bond_bps > BPS_DENOMINATOR {
            return Err(VaultError::InvalidShares);
        }
        if ruling_window_ms == 0 {
            return Err(VaultError::InvalidPeriod);
        }
        Ok(())
    }

    /// Gross amount a stream has accrued at `now`: `rate × (min(now, end) − start)`, zero
    /// before `start`.
    pub(crate) fn accrued(
        rate: Balance,
        start: Timestamp,
        end: Timestamp,
        now: Timestamp,
    ) -> Result<Balance> {
        let until = now.min(end);
        let elapsed = until.saturating_sub(start);
        rate.checked_mul(Balance::from(elapsed))
            .ok_or(VaultError::Overflow)
    }

    /// What an open escrow still holds (its bond excluded).
    pub(crate) fn held(rec: &EscrowRecord) -> Result<Balance> {
        match rec.terms {
            EscrowTerms::Order { amount, .. } => Ok(amount),
            EscrowTerms::Stream {
                deposit, paid_out, ..
            } => deposit.checked_sub(paid_out).ok_or(VaultError::Overflow),
        }
    }

    /// `part / whole` in basis points, rounded down (10 000 when `whole` is zero).
    pub(crate) fn share_bps(part: Balance, whole: Balance) -> Bps {
        if whole == 0 || part >= whole {
            return BPS_DENOMINATOR;
        }
        let d = Balance::from(BPS_DENOMINATOR);
        let bps = match part.checked_mul(d) {
            Some(p) => p.checked_div(whole),
            // part × 10 000 overflows only for huge parts; whole ≥ part is then huge
            // too, and dividing it first loses less than one bps.
            None => whole.checked_div(d).and_then(|w| part.checked_div(w)),
        };
        bps.and_then(|b| Bps::try_from(b).ok())
            .unwrap_or(BPS_DENOMINATOR)
            .min(BPS_DENOMINATOR)
    }
}

#[cfg(test)]
mod tests;
