//! Why the DAO refuses a call: one [`Error`] enum, each variant named for the state that
//! refused. A refused call has changed nothing and emitted nothing.
// The derived SCALE encoding of an enum with data-carrying variants (`Vault(..)`,
// `Token(..)`) casts the variant index to `u8`, and cargo-contract runs clippy with
// `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use market_types::{TokenError, VaultError};

/// Why the DAO refused a call. Nothing changed when one is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
    /// An amount must be above zero.
    ZeroAmount,
    /// More than the caller's free active stake.
    InsufficientStake,
    /// Nothing is unbonding.
    NothingUnbonding,
    /// The unbonding delay has not passed.
    StillUnbonding,
    /// The caller has votes not yet settled; stake cannot leave until they are.
    UnsettledVotes,
    /// The caller has no credit to withdraw.
    NothingToWithdraw,
    /// No case has this id.
    CaseNotFound,
    /// The escrow is not disputed at the vault.
    EscrowNotDisputed,
    /// A case for this escrow's dispute already exists.
    CaseExists,
    /// The vault's ruling deadline leaves no room for every round of a case.
    RulingWindowTooShort,
    /// The evidence URI is empty or longer than `MAX_URI_LEN`.
    InvalidUri,
    /// Only the payer or the payee of the disputed escrow may do this.
    NotParty,
    /// The payer and the payee of a case cannot vote on it.
    PartyCannotVote,
    /// The case is not in its commit phase.
    NotCommitPhase,
    /// The case is not in its reveal phase.
    NotRevealPhase,
    /// The case's current round is not in its appeal window.
    NotAppealPhase,
    /// The case is closed.
    CaseClosed,
    /// The case is not final yet (a phase or the appeal window is still open).
    NotFinal,
    /// The caller had no stake when the case or proposal opened (stake added later
    /// has no weight on it).
    NoVotingWeight,
    /// One vote per juror per round (or per proposal).
    AlreadyVoted,
    /// No vote of this juror in this round.
    VoteNotFound,
    /// The vote was already revealed.
    AlreadyRevealed,
    /// The revealed choice and salt do not hash to the commitment.
    CommitmentMismatch,
    /// Not one of the ruling options (slash options need collateral).
    InvalidChoice,
    /// The vote was denounced and is void.
    VoteVoided,
    /// The vote was already settled.
    AlreadySettled,
    /// A juror cannot denounce its own vote.
    SelfDenounce,
    /// Only a party the ruling did not fully favour may appeal it.
    CannotAppeal,
    /// The caller's stake is below the proposal threshold.
    BelowProposalThreshold,
    /// No proposal has this id.
    ProposalNotFound,
    /// The proposal is not in its voting period.
    VotingClosed,
    /// The proposal did not pass, was canceled or already executed.
    ProposalNotPassed,
    /// The proposal's timelock has not passed.
    TimelockNotOver,
    /// The proposal was executed or canceled already.
    ProposalFinished,
    /// The proposal passed, but its execution window (`grace_ms` after the timelock)
    /// is over.
    ProposalExpired,
    /// Only the guardian may do this.
    NotGuardian,
    /// The guardian cannot cancel a proposal that replaces the guardian or lifts a
    /// pause (it cannot entrench itself).
    GuardianCannotCancel,
    /// A period is zero, a share above 100 %, the rounds outside `1..=MAX_ROUNDS`, a
    /// quorum cap or minimum of jurors of zero, a case fee below the juror reward, the
    /// unbonding delay not longer than the longest case, or the longest case (plus a
    /// commit phase to execute it) not shorter than the vault's ruling window.
    InvalidParams,
    /// A period reaches further than `MAX_PERIOD_MS`.
    PeriodTooLong,
    /// The vault refused; its own reason is inside.
    Vault(VaultError),
    /// A call into the vault failed (trap, `LangError`, undecodable answer).
    VaultCallFailed,
    /// The registry or the compute market refused the call.
    TargetRefused,
    /// A call into the registry or the compute market failed.
    TargetCallFailed,
    /// The stake token refused; its own reason is inside.
    Token(TokenError),
    /// A call into the stake token failed.
    TokenCallFailed,
    /// An amount would overflow; nothing was written.
    Overflow,
    /// A slash ruling's collateral is released, gone or unreadable at the vault: the
    /// execution waits (until the vault's ruling deadline) rather than slash nothing.
    CollateralUnavailable,
}

/// The DAO's result type.
pub type Result<T> = core::result::Result<T, Error>;
