//! Every event the DAO emits. Topics only on ids and accounts a dApp filters by.
#![allow(clippy::cast_possible_truncation)]

use crate::types::{
    Action, CaseId, Choice, GovParams, JuryParams, ProposalId, Round, Target, VoteOutcome,
};
use ink::prelude::string::String;
use ink::primitives::{AccountId, Hash};
use market_types::{Balance, Bps, EscrowId, Timestamp};

/// The DAO was deployed.
#[ink::event]
pub struct DaoCreated {
    pub token: AccountId,
    pub vault: AccountId,
    pub registry: AccountId,
    pub market: AccountId,
}

/// Stake added.
#[ink::event]
pub struct Staked {
    #[ink(topic)]
    pub member: AccountId,
    pub amount: Balance,
    pub staked: Balance,
}

/// Stake started unbonding.
#[ink::event]
pub struct UnstakeRequested {
    #[ink(topic)]
    pub member: AccountId,
    pub amount: Balance,
    pub unbond_at: Timestamp,
}

/// Unbonded stake or credit paid out.
#[ink::event]
pub struct Withdrawn {
    #[ink(topic)]
    pub member: AccountId,
    pub amount: Balance,
    /// `true`: unbonded stake; `false`: credit (rewards, bonds, bounties).
    pub unbonded: bool,
}

/// The reward reserve was funded.
#[ink::event]
pub struct RewardsFunded {
    #[ink(topic)]
    pub by: AccountId,
    pub amount: Balance,
    pub reserve: Balance,
}

/// A vault dispute became a case.
#[ink::event]
pub struct CaseOpened {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub escrow: EscrowId,
    pub payer: AccountId,
    pub payee: AccountId,
    /// The quorum base: stake before the block the vault dispute opened in, less the
    /// parties' own.
    pub total_stake: Balance,
    pub commit_ends: Timestamp,
    /// The case fee the opener paid into the reward reserve.
    pub fee: Balance,
}

/// A party submitted evidence (kept off chain at `uri`).
#[ink::event]
pub struct EvidenceSubmitted {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub by: AccountId,
    pub uri: String,
}

/// A juror committed a hidden vote.
#[ink::event]
pub struct VoteCommitted {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub juror: AccountId,
    pub round: Round,
    pub weight: Balance,
    pub risk: Balance,
}

/// A juror revealed its vote.
#[ink::event]
pub struct VoteRevealed {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub juror: AccountId,
    pub round: Round,
    pub choice: Choice,
    pub weight: Balance,
}

/// Someone proved a juror's hidden vote before the reveal phase: the vote is void and
/// its stake at risk went to the denouncer.
#[ink::event]
pub struct VoteDenounced {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub juror: AccountId,
    #[ink(topic)]
    pub by: AccountId,
    pub round: Round,
    pub bounty: Balance,
}

/// A party appealed a round's ruling; a new round started.
#[ink::event]
pub struct RulingAppealed {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub by: AccountId,
    pub appealed: Choice,
    pub new_round: Round,
    pub bond: Balance,
}

/// The final ruling was executed at the vault.
#[ink::event]
pub struct RulingExecuted {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub escrow: EscrowId,
    pub choice: Choice,
    pub payee_bps: Bps,
    /// Collateral moved to the payer.
    pub slashed: Balance,
    /// `false`: the escrow had already left its dispute at the vault.
    pub applied: bool,
    /// Shared by the coherent jurors.
    pub pool: Balance,
    /// The vault let go of the collateral it held for this case (its payee had
    /// refunded the escrow while disputed).
    pub hold_released: bool,
}

/// The first round missed quorum: no ruling; the vault's fallback decides the escrow
/// (applied now if its ruling deadline has passed).
#[ink::event]
pub struct CaseFellBack {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub escrow: EscrowId,
    pub vault_fallback_applied: bool,
    /// The vault let go of the collateral it held for this case.
    pub hold_released: bool,
}

/// An appeal bond went back to its poster (the ruling it appealed did not stand).
#[ink::event]
pub struct AppealBondReturned {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub to: AccountId,
    pub amount: Balance,
}

/// A vote was settled.
#[ink::event]
pub struct VoteSettled {
    #[ink(topic)]
    pub case: CaseId,
    #[ink(topic)]
    pub juror: AccountId,
    pub round: Round,
    pub outcome: VoteOutcome,
    pub returned: Balance,
    pub reward: Balance,
    pub forfeited: Balance,
}

/// A proposal was made.
#[ink::event]
pub struct ProposalCreated {
    #[ink(topic)]
    pub id: ProposalId,
    #[ink(topic)]
    pub proposer: AccountId,
    pub action: Action,
    pub description: Hash,
    pub vote_start: Timestamp,
    pub vote_end: Timestamp,
}

/// A member voted on a proposal.
#[ink::event]
pub struct ProposalVoted {
    #[ink(topic)]
    pub id: ProposalId,
    #[ink(topic)]
    pub voter: AccountId,
    pub support: bool,
    pub weight: Balance,
}

/// Quorum came late: voting was extended.
#[ink::event]
pub struct VotingExtended {
    #[ink(topic)]
    pub id: ProposalId,
    pub vote_end: Timestamp,
}

/// A passed proposal was executed.
#[ink::event]
pub struct ProposalExecuted {
    #[ink(topic)]
    pub id: ProposalId,
    pub action: Action,
}

/// The guardian canceled a proposal.
#[ink::event]
pub struct ProposalCanceled {
    #[ink(topic)]
    pub id: ProposalId,
}

/// The guardian paused (or resumed) new listings and rentals at a contract.
#[ink::event]
pub struct GuardianPaused {
    pub target: Target,
    pub paused: bool,
}

/// The DAO took over a role (arbiter or admin) proposed to it.
#[ink::event]
pub struct RoleAccepted {
    pub target: Target,
}

/// The DAO's own parameters changed (by proposal).
#[ink::event]
pub struct ParamsChanged {
    pub jury: JuryParams,
    pub gov: GovParams,
    pub unbonding_ms: u64,
    pub guardian: Option<AccountId>,
}
