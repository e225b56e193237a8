//! What the DAO stores and returns. These types live outside the contract module to
//! scope one lint: the derived SCALE encoding of an enum with data-carrying variants
//! casts the variant index to `u8`, and cargo-contract runs clippy with
//! `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use ink::primitives::{AccountId, Hash};
use market_types::{Asset, Balance, Bps, CollateralId, EscrowId, Timestamp};

/// Id of a case (a vault dispute the jury decides); ids start at 1.
pub type CaseId = u64;
/// Id of a governance proposal; ids start at 1.
pub type ProposalId = u64;
/// Round of a case: 0 is the first hearing, each appeal adds one.
pub type Round = u8;
/// A juror's choice: `option + 5 × slash`, where `option` indexes [`OPTIONS`].
pub type Choice = u8;
/// Block number, as in ink!'s default environment.
pub type BlockNumber = u32;
/// A stake history entry: `(Some(member) or None for the total, index)`.
pub type CheckpointKey = (Option<AccountId>, u32);
/// `(case, round, choice)`.
pub type TallyKey = (CaseId, Round, Choice);
/// Revealed weight and risk of every choice, indexed by choice: one storage cell, as a
/// ruling reads them all.
pub type Tallies = [Tally; CHOICES as usize];
/// `(case, round, juror)`.
pub type VoteKey = (CaseId, Round, AccountId);

/// The fixed ruling options: the share of the frozen amount that goes to the payee.
pub const OPTIONS: [Bps; 5] = [0, 2_500, 5_000, 7_500, 10_000];
/// Number of choices: each option, without and with a collateral slash.
pub const CHOICES: u8 = 10;
/// Hard cap on the rounds of a case (first hearing plus appeals).
pub const MAX_ROUNDS: Round = 4;
/// Longest evidence URI, in bytes.
pub const MAX_URI_LEN: usize = 128;
/// Most items on one page of a paginated getter.
pub const MAX_PAGE: u32 = 10;

/// How cases are heard. Snapshotted into each case when it opens, so a later change
/// never moves the deadlines or stakes of a case in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct JuryParams {
    /// Commit phase of the first round; round `r` lasts `(r + 1)` times as long.
    pub commit_ms: u64,
    /// Reveal phase of the first round; scaled like `commit_ms`.
    pub reveal_ms: u64,
    /// Appeal window after a round's reveal phase; scaled like `commit_ms`.
    pub appeal_ms: u64,
    /// Quorum of the first round: revealed weight as a share of the stake snapshotted
    /// when the case opened (the parties' own left out), but never more than
    /// `quorum_cap`. Round `r` needs `(r + 1)` times as much (at most 100 % of the
    /// snapshotted stake).
    pub quorum_bps: Bps,
    /// Most revealed weight the first round's quorum asks for, in the stake token
    /// (`> 0`; round `r` asks for up to `(r + 1)` times it). Stake that never takes
    /// part (e.g. a party's second account, staked before the snapshot) raises the
    /// share-based quorum only up to this cap, so it cannot block a hearing.
    pub quorum_cap: Balance,
    /// Fewest revealed votes a round needs for its quorum (`>= 1`), whatever their
    /// weight.
    pub min_jurors: u32,
    /// Rounds a case may have (1 = no appeals), `1..=MAX_ROUNDS`.
    pub rounds: Round,
    /// Share of a juror's vote weight put at risk when it commits: lost if it does not
    /// reveal or votes against the final ruling, returned otherwise.
    pub penalty_bps: Bps,
    /// Bond of the first appeal, in the stake token; each later appeal doubles it.
    pub appeal_bond: Balance,
    /// Reward per case for its coherent jurors, drawn from the reward reserve (the
    /// platform's contribution, funded with `fund_rewards`, and the case fees) when
    /// the case opens.
    pub juror_reward: Balance,
    /// What opening a case costs its opener, in the stake token (approve the DAO
    /// first), at least `juror_reward`. It goes to the reward reserve, never to the
    /// case's own jurors: a party that opens a self-dealt case and votes it with its
    /// own stake pays at least the reward its jurors can take.
    pub case_fee: Balance,
    /// Share of a disputed escrow's frozen amount that a "slash" ruling takes out of its
    /// collateral for the payer (at most what the collateral holds).
    pub slash_bps: Bps,
}

/// How proposals are decided. Snapshotted into each proposal when it is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct GovParams {
    /// From proposal to the start of voting.
    pub voting_delay_ms: u64,
    /// How long voting lasts.
    pub voting_period_ms: u64,
    /// For + against weight needed, as a share of the stake snapshotted at proposal.
    pub quorum_bps: Bps,
    /// From the end of voting until anyone may execute a passed proposal. Critical
    /// actions (`HandOver`, `SetController`, `SetTreasury`, `SetVault`: who holds a
    /// role, who may open escrows, where fees go, where payments go) wait twice as
    /// long, so the guardian and the members have time to react to a captured vote.
    pub timelock_ms: u64,
    /// How long after its timelock a passed proposal stays executable; then it expires
    /// (a stale decision never lands months later, when the market has moved on).
    pub grace_ms: u64,
    /// When quorum is first reached less than this before the end, voting is extended
    /// to this long after that vote (no last-minute capture).
    pub extension_ms: u64,
    /// Stake a proposer must hold.
    pub proposal_threshold: Balance,
}

/// Everything the DAO is configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Config {
    /// The PSP22 members stake (the market token); appeal bonds and rewards are in it.
    pub token: AccountId,
    /// The escrow vault whose arbiter the DAO is.
    pub vault: AccountId,
    /// The model registry the DAO administers.
    pub registry: AccountId,
    /// The compute market the DAO administers.
    pub market: AccountId,
    pub jury: JuryParams,
    pub gov: GovParams,
    /// From `request_unstake` to `withdraw_unstaked`; always longer than the longest
    /// possible case.
    pub unbonding_ms: u64,
    /// May pause new listings and rentals and cancel proposals; nothing else.
    pub guardian: Option<AccountId>,
}

/// A member's stake and what it is owed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Member {
    /// Active stake: what future snapshots see. Stake at risk in open votes is not in it.
    pub staked: Balance,
    /// Stake on its way out.
    pub unbonding: Balance,
    /// When `unbonding` may be withdrawn.
    pub unbond_at: Timestamp,
    /// Stake taken out of `staked` by open votes: returned or forfeited when they settle.
    pub at_risk: Balance,
    /// Votes not yet settled (committed, and not denounced or settled); stake cannot
    /// leave while any is open.
    pub open_votes: u32,
    /// Withdrawable: rewards, returned appeal bonds, denunciation bounties.
    pub credit: Balance,
    /// Everything ever earned as rewards and bounties (realised yield). A lifetime
    /// statistic, not money the DAO holds: it saturates at `u128::MAX` rather than
    /// refuse the settlement or denunciation that adds to it.
    pub earned: Balance,
    /// Everything ever lost as penalties. A lifetime statistic like `earned`: the same
    /// stake can be restaked and lost again, so it can pass what `owed` bounds, and it
    /// saturates instead of blocking a settlement.
    pub lost: Balance,
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum CaseStatus {
    /// Rounds are running (or finished and waiting for `execute_ruling`).
    Open,
    /// The final ruling was executed. `applied` is false when the escrow had already
    /// left its dispute at the vault (e.g. the payee refunded it, and only a slash
    /// could still apply); jurors settle either way.
    Ruled { choice: Choice, applied: bool },
    /// The first round missed its quorum: no ruling; the vault's own fallback
    /// (`expire_dispute` after its ruling deadline) decides the escrow, and a
    /// collateral the vault held for the case is let go.
    NoQuorum,
}

/// A vault dispute the jury decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Case {
    pub escrow: EscrowId,
    pub payer: AccountId,
    pub payee: AccountId,
    /// The escrow's asset (for views).
    pub asset: Asset,
    /// Collateral linked to the escrow: slash options exist only when set.
    pub collateral: Option<CollateralId>,
    /// What the escrow held (frozen) when its vault dispute opened (the dispute's
    /// `frozen`): the base of a slash, so a payee refunding the escrow before the
    /// ruling does not shrink or dodge it.
    pub held: Balance,
    pub opened_at: Timestamp,
    /// Weights are stakes as they were before this block: the block the vault dispute
    /// opened in (not the case's), so nobody can stake for a side after seeing the
    /// dispute.
    pub snapshot_block: BlockNumber,
    /// Total active stake before `snapshot_block`, less the parties' own (who cannot
    /// vote): the quorum base.
    pub total_stake: Balance,
    /// The vault's ruling deadline for this dispute.
    pub ruling_deadline: Timestamp,
    pub jury: JuryParams,
    pub round: Round,
    pub round_start: Timestamp,
    pub status: CaseStatus,
    /// Stake at risk of the votes not denounced, in every round.
    pub risk_held: Balance,
    /// Appeal bonds posted.
    pub bonds_held: Balance,
    /// Drawn from the reward reserve when the case opened.
    pub reward_reserved: Balance,
    /// The case fee its opener paid (into the reward reserve).
    pub fee: Balance,
    /// Shared by coherent jurors in proportion to weight (set at execution).
    pub pool: Balance,
    /// Weight of every coherent vote (set at execution).
    pub coherent_weight: Balance,
    /// Coherent weight and rewards settled so far; the last coherent juror to settle
    /// takes what rounding left, so the pool is paid out exactly.
    pub paid_weight: Balance,
    pub paid: Balance,
}

/// Per case and round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct RoundInfo {
    /// Votes committed and not denounced.
    pub commits: u32,
    pub reveals: u32,
    pub revealed_weight: Balance,
    /// The ruling this round reached (set when the round is appealed or executed).
    pub ruling: Option<Choice>,
    /// Who appealed this round's ruling, and the bond it posted.
    pub appeal: Option<(AccountId, Balance)>,
}

/// Revealed weight and stake at risk of one choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Tally {
    pub weight: Balance,
    pub risk: Balance,
}

/// One juror's vote in one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Vote {
    /// blake2-256 of `(choice, salt, juror, case, round)` SCALE-encoded.
    pub commitment: Hash,
    pub weight: Balance,
    /// Taken out of the juror's stake at commit; returned or forfeited at settlement.
    pub risk: Balance,
    pub revealed: Option<Choice>,
    /// Denounced before the reveal phase: the risk went to the denouncer.
    pub voided: bool,
    pub settled: bool,
}

/// What settling a vote did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum VoteOutcome {
    /// Voted with the final ruling: risk back plus a share of the pool.
    Coherent,
    /// Voted against the final ruling: risk forfeited to the coherent jurors.
    Incoherent,
    /// Never revealed: risk forfeited.
    NotRevealed,
    /// The case ended without a ruling (no quorum): a revealed vote gets its risk back.
    NoRuling,
}

/// A vote as `votes_of` lists it, with what settling it would do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct VoteView {
    pub case: CaseId,
    pub round: Round,
    pub vote: Vote,
    /// `Some` once the case is final: the outcome, the stake returned and the reward.
    pub pending: Option<(VoteOutcome, Balance, Balance)>,
}

/// A case's phase now, for views ("expires in").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Phase {
    Commit,
    Reveal,
    /// The round ruled; the losing side may appeal until the deadline.
    Appeal,
    /// Final: anyone may execute the ruling (or record the missed quorum).
    Executable,
    /// Executed or closed.
    Closed,
}

/// A case with its phase and the end of that phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct CaseView {
    pub id: CaseId,
    pub case: Case,
    pub phase: Phase,
    /// End of the current phase (0 when executable or closed).
    pub phase_ends: Timestamp,
    pub round_info: RoundInfo,
    /// The ruling of the current round as tallied so far.
    pub leading: Option<Choice>,
    /// The bond an appeal of the current round would need.
    pub appeal_bond: Option<Balance>,
}

/// A contract the DAO administers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Target {
    Vault,
    Registry,
    Market,
}

/// What a proposal does when executed: a typed call into a governed contract (or the
/// DAO's own parameters). Never raw call bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Action {
    /// Vault: platform fee for escrows opened from then on.
    SetFee { fee_bps: Bps },
    /// Vault: where fees and forfeited bonds go.
    SetTreasury { treasury: AccountId },
    /// Vault: dispute bond and ruling window.
    SetDisputeParams {
        bond_bps: Bps,
        ruling_window_ms: u64,
    },
    /// Vault: smallest escrow in an asset.
    SetMinDeposit { asset: Asset, amount: Balance },
    /// Vault: a controller contract allowed or not.
    SetController {
        controller: AccountId,
        allowed: bool,
    },
    /// A PSP22 token allowed or not, at the vault, the registry or the market.
    SetAssetAllowed {
        target: Target,
        token: AccountId,
        allowed: bool,
    },
    /// Registry: an auditor allowed or not.
    SetAuditor { auditor: AccountId, allowed: bool },
    /// Registry: delivery period and review window of license purchases.
    SetPurchasePeriods {
        delivery_period_ms: u64,
        review_window_ms: u64,
    },
    /// Registry: royalty cap.
    SetMaxRoyalty { max_royalty_bps: Bps },
    /// Market: collateral ratio and no-show share.
    SetMarketRatios {
        collateral_ratio_bps: Bps,
        no_show_bps: Bps,
    },
    /// Market: longest start window.
    SetMaxStartWindow { max_start_window_ms: u64 },
    /// Registry or market: lift (or set) the pause of new listings and rentals.
    SetPaused { target: Target, paused: bool },
    /// Registry or market: the vault new purchases (registry) or new offers (market)
    /// pay into; what is already open stays with its vault. The DAO stays the arbiter
    /// of the vault it was deployed with.
    SetVault { target: Target, vault: AccountId },
    /// Market: the auditor list it reads (a registry).
    SetAuditors { auditors: AccountId },
    /// The DAO: how cases are heard (for cases opened from then on).
    SetJuryParams { jury: JuryParams },
    /// The DAO: how proposals are decided (for proposals made from then on), and the
    /// unbonding delay.
    SetGovParams { gov: GovParams, unbonding_ms: u64 },
    /// The DAO: the guardian (or none).
    SetGuardian { guardian: Option<AccountId> },
    /// Hand a contract's admin (arbiter) role over: the first step of the two-step
    /// handover; the successor accepts at the contract. The guardian may cancel it.
    HandOver {
        target: Target,
        successor: Option<AccountId>,
    },
    // New variants go last: a variant's SCALE index is its position.
    /// Market: the hours of a rental its provider is paid at least, however soon the
    /// renter ends or withdraws it.
    SetRentalRules { min_charge_hours: u32 },
    /// Market: the least a rental in `asset` must pay to count in its provider's
    /// reputation.
    SetMinCountedValue { asset: Asset, value: Balance },
}

/// Where a proposal stands (computed from its record and the time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum ProposalState {
    /// Voting has not started.
    Pending,
    Active,
    /// Voting ended without quorum or with no more for than against.
    Defeated,
    /// Passed; executable from `eta`.
    Queued,
    /// Passed and past its timelock: anyone may execute it.
    Ready,
    Executed,
    Canceled,
    /// Passed, but nobody executed it within `grace_ms` after its timelock.
    Expired,
}

/// A governance proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Proposal {
    pub proposer: AccountId,
    pub action: Action,
    /// Hash of the proposal's text, kept off chain.
    pub description: Hash,
    pub snapshot_block: BlockNumber,
    pub total_stake: Balance,
    pub vote_start: Timestamp,
    pub vote_end: Timestamp,
    pub quorum_bps: Bps,
    /// The governance timelock when proposed, doubled for a critical action.
    pub timelock_ms: u64,
    pub grace_ms: u64,
    pub extension_ms: u64,
    pub for_weight: Balance,
    pub against_weight: Balance,
    /// Voting was extended once because quorum came late.
    pub extended: bool,
    pub executed: bool,
    pub canceled: bool,
}

/// A proposal with its state and the time it may be executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct ProposalView {
    pub id: ProposalId,
    pub proposal: Proposal,
    pub state: ProposalState,
    /// `vote_end + timelock_ms`.
    pub eta: Timestamp,
    /// `eta + grace_ms`: a passed proposal not executed by then expires.
    pub expires_at: Timestamp,
}
