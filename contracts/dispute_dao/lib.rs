//! # dispute_dao
//!
//! The marketplace's staked DAO: members stake the market token, decide the vault's
//! disputes by commit–reveal votes with appeals, and govern every parameter of the
//! vault, the model registry and the compute market by timelocked proposals. After
//! deployment it is the vault's arbiter and the registry's and market's admin, so no
//! single key can move funds or change a parameter.
//!
//! ## Overview
//! - **Stake**: `stake` (PSP22 `transfer_from`, approve the DAO first); every change is
//!   checkpointed per block. `request_unstake` starts the unbonding delay (longer than
//!   the longest case); `withdraw_unstaked` pays it out once the delay passed and every
//!   vote of the member is settled.
//! - **Cases**: a party of a disputed vault escrow `open_case`s it with an evidence URI
//!   and the case fee (into the reward reserve; at least the juror reward, so a
//!   self-dealt case never pays); the case snapshots the stake (weights are stakes
//!   before the block the vault dispute opened in) and the jury parameters, and opens
//!   only if every round, plus one commit phase of margin to execute the ruling, ends
//!   before the vault's ruling deadline (`RulingWindowTooShort`). An escrow its payee
//!   refunded while disputed stays hearable while the vault holds its collateral (only a
//!   slash can apply). Round `r` has a commit phase, a reveal phase and (but the last)
//!   an appeal window, each `r + 1` times the first round's. Jurors (never the parties,
//!   `PartyCannotVote`, whose stake is also left out of the quorum base) commit
//!   `blake2_256((choice, salt, juror, case, round))` (bound to the juror, so a copied
//!   commitment never verifies for the copier) — committing puts `penalty_bps` of
//!   the vote's weight at risk (taken out of the stake) — and reveal. A choice is one of
//!   the fixed splits `0, 2 500, 5 000, 7 500, 10 000` bps to the payee, with or without
//!   a collateral slash (`choice = option + 5 × slash`). The round's ruling is the
//!   choice with most revealed weight (ties to the lower choice) if the revealed weight
//!   reaches the quorum, `(r + 1) × min(quorum_bps of the snapshotted stake,
//!   quorum_cap)` (at most all of it), from at least `min_jurors` reveals: stake that
//!   never votes cannot block a hearing. A party the ruling did not fully favour may
//!   `appeal` during the window, posting `appeal_bond × 2^r` in the stake token: a new,
//!   longer round with a higher quorum. The bond comes back if the final ruling differs
//!   from the one appealed; else it joins the coherent votes' pool. When the case is
//!   final anyone `execute_ruling`s: the vault resolves the frozen amount by the split
//!   and, for a slash, `slash_bps` of the frozen amount (at most the collateral) moves
//!   from the collateral to the payer — also after a payee's refund, then the vault's
//!   hold of the collateral ends (`release_hold`); a collateral that cannot be read is
//!   an error, never a slash of zero. If the vault refuses (e.g. the DAO is not its
//!   arbiter yet) or cannot be read, the execution reverts and can be retried until the
//!   vault's ruling deadline; after it the case closes with what failed unapplied (the
//!   vault's own fallback then decides the escrow), so jurors are never stuck. A round
//!   without quorum leaves the previous ruling standing; a first round without quorum
//!   has no ruling, and the vault's own fallback (`expire_dispute` after its ruling
//!   deadline, which the DAO also triggers when executing late enough; a forfeited bond
//!   goes to the counterparty, never the treasury) decides the escrow. Anyone who proves
//!   a juror's hidden vote before the reveal phase (`denounce` with the choice and salt)
//!   gets half of that vote's stake at risk, rounded down, and the reward reserve the
//!   rest (so denouncing one's own vote through a second account is no way out of it);
//!   the vote is void (anti-bribery).
//! - **Incentives, settled lazily**: each vote is settled on its own (`settle_vote`, by
//!   anyone, for the juror) — never a loop over voters. Coherent votes (with the final
//!   ruling, after appeals) get their risk back plus a share, by weight, of the pool:
//!   the risk forfeited by incoherent and unrevealed votes, the bonds of appeals whose
//!   appealed ruling stood, and `juror_reward` drawn from the reward reserve
//!   (`fund_rewards` and the case fees) when the case opened. The last coherent vote to
//!   settle takes the rounding remainder, so the pool is paid exactly. A juror who never
//!   comes back blocks nobody: its forfeited risk is in the pool from execution on; its
//!   own stake stays its own.
//! - **Governance**: `propose` a typed [`Action`] (fee, treasury, dispute bond and
//!   ruling window, minimum deposit, controllers, asset and auditor allow-lists,
//!   purchase periods, royalty cap, collateral ratio and no-show share, start window, a
//!   rental's minimum charged hours, the least a rental counts in reputation for, pause,
//!   the DAO's own jury and governance parameters and unbonding delay, the guardian,
//!   handing a contract's admin role over); an action naming a contract without that
//!   setting (a pause or a vault pointer at the vault) is refused (`InvalidParams`).
//!   `vote` after the voting delay with the stake held before the proposal's block,
//!   quorum of the snapshotted stake, a late-quorum extension, then a timelock (twice as
//!   long for hand-overs, controllers, the treasury and vaults) before anyone may
//!   `execute_proposal`, within `grace_ms` (snapshotted when proposed) after it: later
//!   the proposal is `Expired` (`ProposalExpired`), so a stale decision never lands
//!   months later. An execution the governed contract refused reverts and can be retried
//!   until then. A jury change and the vault's ruling window are checked against each
//!   other when proposed and when executed.
//! - **Guardian**: may `guardian_pause` new listings and rentals at the registry or the
//!   market and `cancel_proposal` (a hand-over included, but not its own replacement
//!   nor the lifting of a pause); it can never move funds or change a parameter.
//!
//! ## Invariants
//! - `owed` (what the DAO owes in the stake token) equals every stake, unbonding stake,
//!   credit, the reward reserve (case fees included), and what each case holds: an
//!   open case its stake at risk, bonds and reward, a closed one the stake its
//!   unsettled votes get back and its pool not yet paid (`ledger.rs` states it
//!   exactly); the DAO's token balance equals it. Only the ledger writes money.
//! - A vote's weight is the member's stake before the block the vault dispute (for a
//!   case) or the proposal opened in (stake added later counts zero); O(log n)
//!   checkpoint lookups.
//! - Every case and proposal period is snapshotted when it opens: a later governance
//!   change never moves a running case's deadlines.
//! - No message loops over members, voters, cases or proposals; the only loops are
//!   over the 10 choices and the at most `MAX_ROUNDS` rounds of a case.
//! - A refused message changes nothing and emits nothing; every change emits an event.
//!
//! ## Errors
//! One [`Error`] enum; the vault's and the token's own refusals are wrapped (`Vault(..)`,
//! `Token(..)`). Each message's doc names who may call it.
//!
//! ## Code map
//! `lib.rs`: storage, constructor, messages · `types.rs`, `events.rs`, `errors.rs` · pure
//! logic in [`rules`]: [`rules::checkpoints`], [`rules::jury`], [`rules::plan`] (what
//! executing a case and settling a vote do with its money), [`rules::governance`] · the books: `ledger.rs`, the only writer of money ·
//! contract helpers (check → plan → calls → apply → events): `staking.rs`, `cases.rs`,
//! `execution.rs`, `proposals.rs` · `calls.rs`: calls into the token, the vault, the
//! registry and the market (in unit tests answered by the stand-ins of
//! `market_types::testing`) · `tests.rs` (fixtures), `tests/`.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::dispute_dao::{DisputeDao, DisputeDaoRef};
pub use self::errors::{Error, Result};
/// Every event, for dApps and tests that decode them.
pub use self::events::*;
pub use self::types::*;

mod calls;
mod cases;
mod errors;
mod events;
mod execution;
mod ledger;
mod proposals;
pub mod rules;
mod staking;
#[cfg(test)]
mod tests;
mod types;

#[ink::contract]
mod dispute_dao {
    use crate::errors::Result;
    use crate::events::*;
    use crate::ledger::StakeLedger;
    use crate::types::*;
    use ink::prelude::string::String;
    use ink::storage::Mapping;
    use market_types::storage::SwapIndex;
    use market_types::{EscrowId, Page};

    /// DAO storage. The root holds the configuration and counters; everything that
    /// grows lives in `Mapping`s. Fields are `pub(crate)` for the helpers in
    /// `staking.rs`, `cases.rs`, `execution.rs` and `proposals.rs`.
    #[ink(storage)]
    pub struct DisputeDao {
        pub(crate) config: Config,
        /// Stakes, their histories, credits, the reserve and `owed`: every balance.
        pub(crate) ledger: StakeLedger,
        pub(crate) case_count: CaseId,
        pub(crate) cases: Mapping<CaseId, Case>,
        pub(crate) case_of_escrow: Mapping<EscrowId, CaseId>,
        pub(crate) rounds: Mapping<(CaseId, Round), RoundInfo>,
        /// Revealed weight and risk per case and round, of every choice in one cell.
        pub(crate) tallies: Mapping<(CaseId, Round), Tallies>,
        /// The same summed over every round of a case: who is coherent with the final
        /// ruling, whichever round they voted in.
        pub(crate) coherence: Mapping<CaseId, Tallies>,
        pub(crate) votes: Mapping<VoteKey, Vote>,
        /// Each juror's votes not yet settled.
        pub(crate) juror_votes: SwapIndex<AccountId, (CaseId, Round)>,
        pub(crate) proposal_count: ProposalId,
        pub(crate) proposals: Mapping<ProposalId, Proposal>,
        /// How each member voted on each proposal.
        pub(crate) ballots: Mapping<(ProposalId, AccountId), bool>,
    }

    impl DisputeDao {
        /// Creates the DAO. `token`: the PSP22 members stake; `vault`, `registry`,
        /// `market`: the contracts it will arbitrate and administer (each hands its role
        /// over with `propose_arbiter` / `propose_admin`; the DAO takes it with
        /// `accept_role`); `jury`, `gov`, `unbonding_ms`: see [`JuryParams`] and
        /// [`GovParams`]; `guardian`: may pause and cancel, nothing else.
        ///
        /// Errors: `InvalidParams`, `PeriodTooLong`. Emits `DaoCreated`.
        #[ink(constructor)]
        #[allow(clippy::too_many_arguments)]
        pub fn new(
            token: AccountId,
            vault: AccountId,
            registry: AccountId,
            market: AccountId,
            jury: JuryParams,
            gov: GovParams,
            unbonding_ms: u64,
            guardian: Option<AccountId>,
        ) -> Result<Self> {
            let longest = crate::rules::jury::check_jury(&jury)?;
            crate::rules::governance::check_gov(&gov, unbonding_ms, longest)?;
            Self::env().emit_event(DaoCreated {
                token,
                vault,
                registry,
                market,
            });
            Ok(Self {
                config: Config {
                    token,
                    vault,
                    registry,
                    market,
                    jury,
                    gov,
                    unbonding_ms,
                    guardian,
                },
                ledger: StakeLedger::default(),
                case_count: 0,
                cases: Mapping::default(),
                case_of_escrow: Mapping::default(),
                rounds: Mapping::default(),
                tallies: Mapping::default(),
                coherence: Mapping::default(),
                votes: Mapping::default(),
                juror_votes: SwapIndex::default(),
                proposal_count: 0,
                proposals: Mapping::default(),
                ballots: Mapping::default(),
            })
        }

        // ------------------------------------------------------------ staking

        /// Stakes `amount` of the stake token (approve the DAO for it first). It counts
        /// for cases and proposals opened in later blocks.
        ///
        /// Who: anyone. Errors: `ZeroAmount`, `Token`, `TokenCallFailed`, `Overflow`.
        /// Emits `Staked`.
        #[ink(message)]
        pub fn stake(&mut self, amount: Balance) -> Result<()> {
            let event = self.do_stake(amount)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Moves `amount` of the caller's active stake to unbonding: it stops counting
        /// for new cases and proposals at once and may be withdrawn after the unbonding
        /// delay (the timer restarts for everything unbonding).
        ///
        /// Who: a member. Errors: `ZeroAmount`, `InsufficientStake`, `Overflow`.
        /// Emits `UnstakeRequested`.
        #[ink(message)]
        pub fn request_unstake(&mut self, amount: Balance) -> Result<()> {
            let event = self.do_request_unstake(amount)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Pays the caller's unbonded stake out, once the delay has passed and every
        /// vote of the caller is settled. Returns the amount.
        ///
        /// Who: a member. Errors: `NothingUnbonding`, `StillUnbonding`,
        /// `UnsettledVotes`, `Token`, `TokenCallFailed`. Emits `Withdrawn`.
        #[ink(message)]
        pub fn withdraw_unstaked(&mut self) -> Result<Balance> {
            let (amount, event) = self.do_withdraw_unstaked()?;
            self.env().emit_event(event);
            Ok(amount)
        }

        /// Pays the caller's credit (rewards, returned appeal bonds, bounties) out.
        ///
        /// Who: anyone with credit. Errors: `NothingToWithdraw`, `Token`,
        /// `TokenCallFailed`. Emits `Withdrawn`.
        #[ink(message)]
        pub fn withdraw_credit(&mut self) -> Result<Balance> {
            let (amount, event) = self.do_withdraw_credit()?;
            self.env().emit_event(event);
            Ok(amount)
        }

        /// Adds `amount` of the stake token to the reward reserve, from which each new
        /// case draws `juror_reward` for its coherent jurors (the platform's share of
        /// the fees it earns, paid in by the treasury).
        ///
        /// Who: anyone. Errors: `ZeroAmount`, `Token`, `TokenCallFailed`, `Overflow`.
        /// Emits `RewardsFunded`.
        #[ink(message)]
        pub fn fund_rewards(&mut self, amount: Balance) -> Result<()> {
            let event = self.do_fund_rewards(amount)?;
            self.env().emit_event(event);
            Ok(())
        }

        // ------------------------------------------------------------ cases

        /// Opens a case for the vault's dispute of `escrow`, with the caller's evidence,
        /// and takes the case fee (`jury.case_fee`, approve the DAO first) into the
        /// reward reserve, out of which the juror reward is drawn. The case snapshots
        /// the jury parameters now and the stake as it was before the block the vault
        /// dispute opened in; its commit phase starts at once. An escrow its payee
        /// refunded while disputed, whose collateral the vault still holds (before the
        /// ruling deadline), can become a case too: only a slash can apply to it.
        ///
        /// Who: the escrow's payer or payee. Errors: `InvalidUri`, `CaseExists`,
        /// `EscrowNotDisputed` (not disputed, nor held), `VaultCallFailed`, `NotParty`,
        /// `RulingWindowTooShort` (the vault's ruling deadline is too close for every
        /// round), `Token`, `TokenCallFailed` (the fee), `Overflow`. Emits `CaseOpened`,
        /// `EvidenceSubmitted`.
        #[ink(message)]
        pub fn open_case(&mut self, escrow: EscrowId, evidence_uri: String) -> Result<CaseId> {
            let (id, opened, evidence) = self.do_open_case(escrow, evidence_uri)?;
            self.env().emit_event(opened);
            self.env().emit_event(evidence);
            Ok(id)
        }

        /// Adds evidence to an open case (an event; the document lives at `uri`).
        ///
        /// Who: the payer or the payee. Errors: `CaseNotFound`, `CaseClosed`,
        /// `NotParty`, `InvalidUri`. Emits `EvidenceSubmitted`.
        #[ink(message)]
        pub fn submit_evidence(&mut self, case_id: CaseId, uri: String) -> Result<()> {
            let event = self.do_submit_evidence(case_id, uri)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Commits a hidden vote in the current round: `commitment` is
        /// `blake2_256(SCALE(choice, salt, juror, case, round))` (see `commitment`).
        /// `penalty_bps` of the vote's weight (the caller's stake before the case's
        /// snapshot block, at most its stake now) leaves the stake and is at risk until
        /// the vote settles.
        ///
        /// Who: a member with weight on the case, not a party. Errors: `CaseNotFound`,
        /// `CaseClosed`, `NotCommitPhase`, `PartyCannotVote`, `AlreadyVoted`,
        /// `NoVotingWeight`, `Overflow`. Emits `VoteCommitted`.
        #[ink(message)]
        pub fn commit_vote(&mut self, case_id: CaseId, commitment: Hash) -> Result<()> {
            let event = self.do_commit(case_id, commitment)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Reveals the caller's vote of the current round.
        ///
        /// A reveal sent outside the reveal phase (e.g. before the commit phase ends)
        /// fails on chain with `NotRevealPhase`, but the failed transaction still
        /// publishes `choice` and `salt`: anyone can then `denounce` the vote and take
        /// its stake at risk. Clients must dry-run the reveal, or check the case's phase
        /// at the current block, before submitting it.
        ///
        /// Who: a juror that committed. Errors: `CaseNotFound`, `CaseClosed`,
        /// `NotRevealPhase`, `VoteNotFound`, `VoteVoided`, `AlreadyRevealed`,
        /// `CommitmentMismatch`, `InvalidChoice`, `Overflow`. Emits `VoteRevealed`.
        #[ink(message)]
        pub fn reveal_vote(
            &mut self,
            case_id: CaseId,
            choice: Choice,
            salt: [u8; 32],
        ) -> Result<()> {
            let event = self.do_reveal(case_id, choice, salt)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Proves `juror`'s hidden vote of the current round before the reveal phase:
        /// the vote is void and its stake at risk is credited to the caller.
        ///
        /// Who: anyone but the juror. Errors: `CaseNotFound`, `CaseClosed`,
        /// `NotCommitPhase`, `VoteNotFound`, `VoteVoided`, `CommitmentMismatch`,
        /// `Overflow`. Emits `VoteDenounced`.
        #[ink(message)]
        pub fn denounce(
            &mut self,
            case_id: CaseId,
            juror: AccountId,
            choice: Choice,
            salt: [u8; 32],
        ) -> Result<()> {
            let event = self.do_denounce(case_id, juror, choice, salt)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Appeals the current round's ruling during its appeal window, posting
        /// `appeal_bond(case)` in the stake token (approve the DAO first); a new round
        /// starts now. The bond comes back if the final ruling differs from the one
        /// appealed, and goes to the coherent jurors otherwise.
        ///
        /// Who: a party the ruling did not fully favour. Errors: `CaseNotFound`,
        /// `CaseClosed`, `NotAppealPhase`, `NotParty`, `CannotAppeal`, `Token`,
        /// `TokenCallFailed`, `Overflow`. Emits `RulingAppealed`.
        #[ink(message)]
        pub fn appeal(&mut self, case_id: CaseId) -> Result<()> {
            let event = self.do_appeal(case_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Executes a final case: the ruling at the vault (the split while the escrow
        /// is disputed; a slash where ruled, of `slash_bps` of what the escrow held when
        /// the vault dispute opened, at most what the collateral holds, even if the
        /// payee refunded the escrow meanwhile), then ends the vault's hold of the
        /// collateral of an escrow its payee refunded during the dispute. When the first
        /// round missed quorum: the vault's fallback once its ruling deadline has passed
        /// (otherwise the case closes and anyone applies the fallback at the vault
        /// later), and the end of a hold. Fixes the jurors' pool; appeal bonds of
        /// appeals that succeeded are credited back. Before the vault's ruling deadline
        /// any refusal or failed read reverts the whole execution (never a slash of
        /// zero for a collateral that cannot be read); after it the case closes with
        /// what could be applied.
        ///
        /// Who: anyone. Errors: `CaseNotFound`, `CaseClosed`, `NotFinal`,
        /// `CollateralUnavailable` (a slash ruling whose collateral is released, gone or
        /// unreadable), `Vault`, `VaultCallFailed`, `Overflow`. Emits `RulingExecuted`
        /// or `CaseFellBack`, and `AppealBondReturned`.
        #[ink(message)]
        pub fn execute_ruling(&mut self, case_id: CaseId) -> Result<()> {
            self.do_execute(case_id)
        }

        /// Settles `juror`'s vote in `round` of a closed case: a coherent vote gets its
        /// risk back into the stake and its reward as credit; an incoherent or
        /// unrevealed one forfeits its risk; with no ruling a revealed vote gets its
        /// risk back. Returns the reward.
        ///
        /// Who: anyone (the juror gains or loses the same either way). Errors:
        /// `CaseNotFound`, `VoteNotFound`, `AlreadySettled`, `NotFinal`, `Overflow`.
        /// Emits `VoteSettled`.
        #[ink(message)]
        pub fn settle_vote(
            &mut self,
            case_id: CaseId,
            round: Round,
            juror: AccountId,
        ) -> Result<Balance> {
            let (reward, event) = self.do_settle(case_id, round, juror)?;
            self.env().emit_event(event);
            Ok(reward)
        }

        // ------------------------------------------------------------ governance

        /// Proposes `action`; `description` is the hash of its text. Voting starts after
        /// the voting delay, with the stake held before this block. A critical action
        /// (`HandOver`, `SetController`, `SetTreasury`, `SetVault`) waits twice the
        /// timelock.
        ///
        /// Who: a member with at least the proposal threshold staked. Errors:
        /// `BelowProposalThreshold`, `InvalidParams`, `PeriodTooLong` (the DAO's own
        /// parameters are checked now; jury parameters and the vault's ruling window
        /// against each other, reading the vault's `dispute_params`), `VaultCallFailed`,
        /// `Overflow`. Emits `ProposalCreated`.
        #[ink(message)]
        pub fn propose(&mut self, action: Action, description: Hash) -> Result<ProposalId> {
            let (id, event) = self.do_propose(action, description)?;
            self.env().emit_event(event);
            Ok(id)
        }

        /// Votes for (`support`) or against a proposal during its voting period.
        ///
        /// Who: a member with stake before the proposal's block. Errors:
        /// `ProposalNotFound`, `VotingClosed`, `AlreadyVoted`, `NoVotingWeight`,
        /// `Overflow`. Emits `ProposalVoted`, and `VotingExtended` when quorum came late.
        #[ink(message)]
        pub fn vote(&mut self, id: ProposalId, support: bool) -> Result<()> {
            self.do_vote(id, support)
        }

        /// Executes a passed proposal after its timelock, by a typed call into the
        /// governed contract (or on the DAO's own parameters). The checks made when it
        /// was proposed run again against what is in force now (a jury change against
        /// the vault's ruling window, a ruling window against the jury).
        ///
        /// Who: anyone. Errors: `ProposalNotFound`, `ProposalNotPassed`,
        /// `TimelockNotOver`, `ProposalFinished`, `ProposalExpired`, `InvalidParams`,
        /// `PeriodTooLong`, `Vault`,
        /// `VaultCallFailed`, `TargetRefused`, `TargetCallFailed`. Emits
        /// `ProposalExecuted` (and `ParamsChanged` for the DAO's own parameters).
        #[ink(message)]
        pub fn execute_proposal(&mut self, id: ProposalId) -> Result<()> {
            self.do_execute_proposal(id)
        }

        /// Cancels a proposal that is not executed yet (queued ones included), hand-overs
        /// of a role included; never one that replaces the guardian or lifts a pause.
        ///
        /// Who: the guardian. Errors: `NotGuardian`, `ProposalNotFound`,
        /// `ProposalFinished`, `GuardianCannotCancel`. Emits `ProposalCanceled`.
        #[ink(message)]
        pub fn cancel_proposal(&mut self, id: ProposalId) -> Result<()> {
            let event = self.do_cancel(id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Pauses (or resumes) new listings and rentals at the registry or the market.
        ///
        /// Who: the guardian. Errors: `NotGuardian`, `InvalidParams` (the vault),
        /// `TargetRefused`, `TargetCallFailed`. Emits `GuardianPaused`.
        #[ink(message)]
        pub fn guardian_pause(&mut self, target: Target, paused: bool) -> Result<()> {
            crate::ensure_guardian(self.config.guardian, self.env().caller())?;
            crate::calls::set_paused(&self.config, target, paused)?;
            self.env().emit_event(GuardianPaused { target, paused });
            Ok(())
        }

        /// Takes the arbiter (vault) or admin (registry, market) role its holder
        /// proposed to the DAO.
        ///
        /// Who: anyone. Errors: `Vault`, `VaultCallFailed`, `TargetRefused`,
        /// `TargetCallFailed`. Emits `RoleAccepted`.
        #[ink(message)]
        pub fn accept_role(&mut self, target: Target) -> Result<()> {
            crate::calls::accept_role(&self.config, target)?;
            self.env().emit_event(RoleAccepted { target });
            Ok(())
        }

        // ------------------------------------------------------------ views

        /// The configuration.
        #[ink(message)]
        pub fn config(&self) -> Config {
            self.config
        }

        /// A member's stake, stake at risk, unbonding, open votes, credit and realised
        /// rewards and penalties.
        #[ink(message)]
        pub fn member(&self, account: AccountId) -> Member {
            self.ledger.member(account)
        }

        /// Active stake of `account` (or the total, `None`) before `block`.
        #[ink(message)]
        pub fn stake_at(&self, account: Option<AccountId>, block: u32) -> Balance {
            self.ledger.stake_before(account, block)
        }

        /// `(total active stake, reward reserve, owed)`.
        #[ink(message)]
        pub fn totals(&self) -> (Balance, Balance, Balance) {
            self.ledger.totals()
        }

        /// A case with its phase, the end of that phase, the current round's tally,
        /// the leading choice and the bond an appeal would need.
        #[ink(message)]
        pub fn case(&self, id: CaseId) -> Option<CaseView> {
            self.case_view(id)
        }

        /// Cases by id from `cursor` (0 = the first), at most `MAX_PAGE`.
        #[ink(message)]
        pub fn cases(&self, cursor: u64, limit: u32) -> Page<CaseView> {
            market_types::storage::page(cursor, limit, MAX_PAGE, self.case_count, |i| {
                self.case_view(i.checked_add(1)?)
            })
        }

        /// The case opened for an escrow's dispute.
        #[ink(message)]
        pub fn case_of_escrow(&self, escrow: EscrowId) -> Option<CaseId> {
            self.case_of_escrow.get(escrow)
        }

        /// A round's commits, reveals, revealed weight, ruling and appeal.
        #[ink(message)]
        pub fn round_info(&self, case_id: CaseId, round: Round) -> RoundInfo {
            self.rounds.get((case_id, round)).unwrap_or_default()
        }

        /// Revealed weight and risk of one choice in one round.
        #[ink(message)]
        pub fn tally(&self, case_id: CaseId, round: Round, choice: Choice) -> Tally {
            self.tallies
                .get((case_id, round))
                .and_then(|t| t.get(usize::from(choice)).copied())
                .unwrap_or_default()
        }

        /// A juror's vote in a round.
        #[ink(message)]
        pub fn vote_of(&self, case_id: CaseId, round: Round, juror: AccountId) -> Option<Vote> {
            self.votes.get((case_id, round, juror))
        }

        /// A juror's votes not yet settled, with what settling each would give now
        /// (pending rewards and penalties).
        #[ink(message)]
        pub fn votes_of(&self, juror: AccountId, cursor: u64, limit: u32) -> Page<VoteView> {
            self.juror_votes
                .page(juror, cursor, limit, MAX_PAGE, |(case, round)| {
                    self.vote_view(case, round, juror)
                })
        }

        /// The weight `account` would vote with on a case now (0: none, e.g. stake
        /// added after the case opened).
        #[ink(message)]
        pub fn weight_on_case(&self, case_id: CaseId, account: AccountId) -> Balance {
            self.cases
                .get(case_id)
                .map(|c| self.ledger.weight(account, c.snapshot_block))
                .unwrap_or(0)
        }

        /// The commitment for a vote (the dApp computes the same locally, so the salt
        /// never leaves the browser).
        #[ink(message)]
        pub fn commitment(
            &self,
            choice: Choice,
            salt: [u8; 32],
            juror: AccountId,
            case_id: CaseId,
            round: Round,
        ) -> Hash {
            crate::rules::jury::commitment(choice, salt, juror, case_id, round)
        }

        /// The bond an appeal of the case's current round needs.
        #[ink(message)]
        pub fn appeal_bond(&self, case_id: CaseId) -> Option<Balance> {
            let c = self.cases.get(case_id)?;
            crate::rules::jury::appeal_bond(c.jury.appeal_bond, c.round)
        }

        /// A proposal with its state and execution time.
        #[ink(message)]
        pub fn proposal(&self, id: ProposalId) -> Option<ProposalView> {
            self.proposal_view(id)
        }

        /// Proposals by id from `cursor` (0 = the first), at most `MAX_PAGE`.
        #[ink(message)]
        pub fn proposals(&self, cursor: u64, limit: u32) -> Page<ProposalView> {
            market_types::storage::page(cursor, limit, MAX_PAGE, self.proposal_count, |i| {
                self.proposal_view(i.checked_add(1)?)
            })
        }

        /// The weight `account` votes with on a proposal (its stake before the
        /// proposal's block).
        #[ink(message)]
        pub fn weight_on_proposal(&self, id: ProposalId, account: AccountId) -> Balance {
            self.proposals
                .get(id)
                .map(|p| self.ledger.stake_before(Some(account), p.snapshot_block))
                .unwrap_or(0)
        }

        /// How `account` voted on a proposal.
        #[ink(message)]
        pub fn ballot(&self, id: ProposalId, account: AccountId) -> Option<bool> {
            self.ballots.get((id, account))
        }
    }
}

/// `Ok` if `caller` is the guardian.
pub(crate) fn ensure_guardian(
    guardian: Option<ink::primitives::AccountId>,
    caller: ink::primitives::AccountId,
) -> Result<()> {
    if guardian == Some(caller) {
        Ok(())
    } else {
        Err(Error::NotGuardian)
    }
}
