//! The DAO's books in the stake token, and the only code that writes them: each
//! member's active stake (with its checkpointed history and the total's), stake at
//! risk, unbonding stake and credit, the total active stake, the reward reserve and
//! `owed`; and the money fields of a case (`risk_held`, `bonds_held`,
//! `reward_reserved`, `pool`, `paid`) as votes, appeals and rulings move money into
//! and out of it.
//!
//! Every operation is all or nothing: it reads the books and does every sum with
//! checked arithmetic first, and returns a typed error with nothing written when one
//! does not fit (or a check refuses); only then does it write. An operation through
//! which tokens arrive or leave takes the token call as a closure (`receive`, `pay`)
//! and runs it between its sums and its writes, so a refused transfer also leaves the
//! books as they were. Accounts, blocks and times are passed in; the ledger never
//! reads the environment. A case passed in is the caller's copy, updated with the
//! books and stored by the caller.
//!
//! ## Invariant
//! `owed` rises only when tokens arrive ([`StakeLedger::stake`], [`StakeLedger::fund`],
//! the case fee of [`StakeLedger::open_case`], the bond of [`StakeLedger::post_bond`])
//! and falls only when they leave ([`StakeLedger::withdraw_unbonded`],
//! [`StakeLedger::withdraw_credit`]); every other operation moves money from one place
//! below to another, so after every message
//!
//! ```text
//! owed = Σ members (staked + unbonding + credit) + reward_reserve + Σ cases held(case)
//! held(open case)   = risk_held + bonds_held + reward_reserved
//! held(closed case) = Σ its unsettled votes' stake to return + pool − paid
//! ```
//!
//! A closed case's unsettled vote returns its risk when it is coherent with the ruling
//! (or revealed, in a case without a ruling) and nothing otherwise: its risk is in the
//! pool, or went to the reserve. A case without a ruling follows a first round without
//! quorum, so it never holds an appeal bond. Besides, `total_staked` is Σ staked and the
//! total's last checkpoint, each member's `at_risk` is the risk of its votes neither
//! settled nor denounced, and the DAO's token balance equals `owed`. A member's
//! `earned` and `lost` are lifetime statistics outside the invariant: the same tokens
//! can be staked, lost, and staked again, so they are not bounded by `owed` and
//! saturate instead of refusing the operation that adds to them.
//! `tests/dao_props.rs` checks all of it after every step of random juries;
//! `tests/ledger_tests.rs` checks every operation for any amounts.

use crate::errors::{Error, Result};
use crate::rules::checkpoints::{self, Checkpoint};
use crate::rules::plan::{self, RulingPlan, VoteSplit};
use crate::types::{BlockNumber, Case, CheckpointKey, Member, Vote, VoteOutcome};
use ink::primitives::AccountId;
use ink::storage::Mapping;
use market_types::math::bps_of;
use market_types::{ensure, Balance, Timestamp};

fn add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

/// The books; see the module doc.
#[ink::storage_item]
#[derive(Default)]
#[cfg_attr(feature = "std", derive(Debug))]
pub struct StakeLedger {
    /// Everything the DAO owes in the stake token.
    owed: Balance,
    total_staked: Balance,
    reward_reserve: Balance,
    /// The total's history head, in the root cell every message reads anyway.
    total_history: History,
    /// Each member's record with its history head: one cell, read once, for the
    /// record and for where its stake history stands.
    members: Mapping<AccountId, MemberRecord>,
    /// Stake histories: `Some(member)` per member, `None` for the total.
    checkpoints: Mapping<CheckpointKey, Checkpoint>,
}

/// Where a stake history stands: its length and the block of its last entry (whose
/// amount is always the stake now: the member's `staked`, or `total_staked`, since
/// only [`StakeLedger::store`] changes either, and it checkpoints every change). Kept
/// beside what it describes, so neither a lookup before a later block nor a new
/// checkpoint reads the history itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct History {
    len: u32,
    last_block: BlockNumber,
}

/// A member's stored record: the [`Member`] the views return and its history head.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MemberRecord {
    member: Member,
    history: History,
}

/// One checkpoint to write: entry `index` of a history, whose head becomes `head`.
#[derive(Clone, Copy)]
struct Slot {
    index: u32,
    head: History,
    checkpoint: Checkpoint,
}

impl StakeLedger {
    // ------------------------------------------------------------ reads

    /// `(total active stake, reward reserve, owed)`.
    pub fn totals(&self) -> (Balance, Balance, Balance) {
        (self.total_staked, self.reward_reserve, self.owed)
    }

    /// `who`'s record (all zero for an account that never staked nor was credited).
    pub fn member(&self, who: AccountId) -> Member {
        self.record(who).member
    }

    /// Active stake of `who` (`None`: the total) before `block`.
    pub fn stake_before(&self, who: Option<AccountId>, block: BlockNumber) -> Balance {
        match who {
            Some(account) => {
                let r = self.record(account);
                self.before(who, r.history, r.member.staked, block)
            }
            None => self.before(None, self.total_history, self.total_staked, block),
        }
    }

    /// What `who` votes with when weights are stakes before `block`: that stake, at
    /// most its active stake now (stake at risk or unbonding since weighs nothing).
    pub fn weight(&self, who: AccountId, block: BlockNumber) -> Balance {
        self.weight_of(who, &self.record(who), block)
    }

    /// [`Self::weight`] for `who`'s record `r`, already read.
    fn weight_of(&self, who: AccountId, r: &MemberRecord, block: BlockNumber) -> Balance {
        self.before(Some(who), r.history, r.member.staked, block)
            .min(r.member.staked)
    }

    // ------------------------------------------------------------ internals

    fn record(&self, who: AccountId) -> MemberRecord {
        self.members.get(who).unwrap_or_default()
    }

    /// The stake before `block` in the history `who` whose head is `head` and whose
    /// last entry's amount is `now` (see [`History`]): no read when that entry is older
    /// than `block`, else a search of the entries before it.
    fn before(
        &self,
        who: Option<AccountId>,
        head: History,
        now: Balance,
        block: BlockNumber,
    ) -> Balance {
        let Some(older) = head.len.checked_sub(1) else {
            return 0;
        };
        if head.last_block < block {
            return now;
        }
        checkpoints::before(older, block, |i| self.checkpoints.get((who, i)))
    }

    /// Where `amount` at `block` goes in the history whose head is `head`.
    fn slot(head: History, amount: Balance, block: BlockNumber) -> Result<Slot> {
        let last = (head.len > 0).then_some(Checkpoint {
            block: head.last_block,
            amount: 0,
        });
        let (index, len) = checkpoints::write_slot(head.len, last, block).ok_or(Error::Overflow)?;
        Ok(Slot {
            index,
            head: History {
                len,
                last_block: block,
            },
            checkpoint: Checkpoint { block, amount },
        })
    }

    /// Stores `m` as `who`'s record `r`, whose active stake was `before`: when it
    /// changed, the total moves with it and both histories get a checkpoint at `block`.
    /// Checks first, then writes: an operation's last fallible step.
    fn store(
        &mut self,
        who: AccountId,
        mut r: MemberRecord,
        m: &Member,
        before: Balance,
        block: BlockNumber,
    ) -> Result<()> {
        if m.staked != before {
            let total = add(sub(self.total_staked, before)?, m.staked)?;
            let mine = Self::slot(r.history, m.staked, block)?;
            let all = Self::slot(self.total_history, total, block)?;
            self.total_staked = total;
            let total_key: CheckpointKey = (None, all.index);
            self.checkpoints
                .insert((Some(who), mine.index), &mine.checkpoint);
            self.checkpoints.insert(total_key, &all.checkpoint);
            self.total_history = all.head;
            r.history = mine.head;
        }
        r.member = *m;
        self.members.insert(who, &r);
        Ok(())
    }

    /// Stores `m` as `who`'s record `r` when its active stake did not change.
    fn put(&mut self, who: AccountId, mut r: MemberRecord, m: &Member) {
        r.member = *m;
        self.members.insert(who, &r);
    }

    // ------------------------------------------------------------ operations

    /// Money in: `amount` of `who`'s tokens, collected by `receive`, join its active
    /// stake. Returns the new stake.
    ///
    /// Errors: `Overflow` (also after `receive`, for the total or a history that
    /// cannot grow: the message then fails and the chain reverts the transfer), or
    /// `receive`'s.
    pub fn stake(
        &mut self,
        who: AccountId,
        amount: Balance,
        block: BlockNumber,
        receive: impl FnOnce() -> Result<()>,
    ) -> Result<Balance> {
        let r = self.record(who);
        let mut m = r.member;
        let before = m.staked;
        m.staked = add(before, amount)?;
        let owed = add(self.owed, amount)?;
        receive()?;
        self.store(who, r, &m, before, block)?;
        self.owed = owed;
        Ok(m.staked)
    }

    /// `amount` of `who`'s active stake starts unbonding; everything unbonding may
    /// leave `delay_ms` after `now`. Returns that time.
    ///
    /// Errors: `InsufficientStake`, `Overflow`.
    pub fn unbond(
        &mut self,
        who: AccountId,
        amount: Balance,
        now: Timestamp,
        delay_ms: u64,
        block: BlockNumber,
    ) -> Result<Timestamp> {
        let r = self.record(who);
        let mut m = r.member;
        let before = m.staked;
        m.staked = before.checked_sub(amount).ok_or(Error::InsufficientStake)?;
        m.unbonding = add(m.unbonding, amount)?;
        m.unbond_at = now.checked_add(delay_ms).ok_or(Error::Overflow)?;
        self.store(who, r, &m, before, block)?;
        Ok(m.unbond_at)
    }

    /// Money out: all of `who`'s unbonding stake, once its delay passed (at `now`) and
    /// every vote of `who` is settled, paid by `pay`. Returns the amount.
    ///
    /// Errors: `NothingUnbonding`, `StillUnbonding`, `UnsettledVotes`, `Overflow`, or
    /// `pay`'s.
    pub fn withdraw_unbonded(
        &mut self,
        who: AccountId,
        now: Timestamp,
        pay: impl FnOnce(Balance) -> Result<()>,
    ) -> Result<Balance> {
        let r = self.record(who);
        let mut m = r.member;
        ensure!(m.unbonding > 0, Error::NothingUnbonding);
        ensure!(now >= m.unbond_at, Error::StillUnbonding);
        ensure!(m.open_votes == 0, Error::UnsettledVotes);
        let amount = m.unbonding;
        let owed = sub(self.owed, amount)?;
        pay(amount)?;
        m.unbonding = 0;
        self.put(who, r, &m);
        self.owed = owed;
        Ok(amount)
    }

    /// Money out: all of `who`'s credit, paid by `pay`. Returns the amount.
    ///
    /// Errors: `NothingToWithdraw`, `Overflow`, or `pay`'s.
    pub fn withdraw_credit(
        &mut self,
        who: AccountId,
        pay: impl FnOnce(Balance) -> Result<()>,
    ) -> Result<Balance> {
        let r = self.record(who);
        let mut m = r.member;
        ensure!(m.credit > 0, Error::NothingToWithdraw);
        let amount = m.credit;
        let owed = sub(self.owed, amount)?;
        pay(amount)?;
        m.credit = 0;
        self.put(who, r, &m);
        self.owed = owed;
        Ok(amount)
    }

    /// Money in: `amount`, collected by `receive`, joins the reward reserve. Returns
    /// the reserve.
    ///
    /// Errors: `Overflow`, or `receive`'s.
    pub fn fund(
        &mut self,
        amount: Balance,
        receive: impl FnOnce() -> Result<()>,
    ) -> Result<Balance> {
        let reserve = add(self.reward_reserve, amount)?;
        let owed = add(self.owed, amount)?;
        receive()?;
        self.reward_reserve = reserve;
        self.owed = owed;
        Ok(reserve)
    }

    /// Money in: a new case's `fee`, collected by `receive`, joins the reserve, then
    /// the case draws its jury's `juror_reward` out of it (what the reserve holds, if
    /// less) into `reward_reserved`.
    ///
    /// Errors: `Overflow`, or `receive`'s.
    pub fn open_case(
        &mut self,
        case: &mut Case,
        receive: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let reserve = add(self.reward_reserve, case.fee)?;
        let reward = case.jury.juror_reward.min(reserve);
        let reserve = sub(reserve, reward)?;
        let owed = add(self.owed, case.fee)?;
        receive()?;
        self.reward_reserve = reserve;
        self.owed = owed;
        case.reward_reserved = reward;
        Ok(())
    }

    /// A vote committed on `case` at `block`: it weighs `juror`'s stake before the
    /// case's snapshot block, at most its stake now ([`Self::weight`]), and the jury's
    /// `penalty_bps` of that leaves the active stake and is at risk in the case until
    /// the vote settles. Returns `(weight, risk)`.
    ///
    /// Errors: `NoVotingWeight`, `Overflow`.
    pub fn lock_risk(
        &mut self,
        juror: AccountId,
        case: &mut Case,
        block: BlockNumber,
    ) -> Result<(Balance, Balance)> {
        let r = self.record(juror);
        let mut m = r.member;
        let weight = self.weight_of(juror, &r, case.snapshot_block);
        ensure!(weight > 0, Error::NoVotingWeight);
        let risk = bps_of(weight, case.jury.penalty_bps).ok_or(Error::Overflow)?;
        let before = m.staked;
        m.staked = sub(before, risk)?;
        m.at_risk = add(m.at_risk, risk)?;
        m.open_votes = m.open_votes.checked_add(1).ok_or(Error::Overflow)?;
        let held = add(case.risk_held, risk)?;
        self.store(juror, r, &m, before, block)?;
        case.risk_held = held;
        Ok((weight, risk))
    }

    /// A denounced vote: its `risk` leaves the case and `juror` loses it; `by` is
    /// credited the bounty and the rest joins the reserve ([`plan::bounty`]). Returns
    /// the bounty.
    ///
    /// Errors: `SelfDenounce`, `Overflow`.
    pub fn denounce(
        &mut self,
        juror: AccountId,
        by: AccountId,
        case: &mut Case,
        risk: Balance,
    ) -> Result<Balance> {
        ensure!(juror != by, Error::SelfDenounce);
        let (bounty, to_reserve) = plan::bounty(risk)?;
        let r = self.record(juror);
        let mut m = r.member;
        m.at_risk = sub(m.at_risk, risk)?;
        m.lost = m.lost.saturating_add(risk);
        m.open_votes = m.open_votes.checked_sub(1).ok_or(Error::Overflow)?;
        let rd = self.record(by);
        let mut d = rd.member;
        d.credit = add(d.credit, bounty)?;
        d.earned = d.earned.saturating_add(bounty);
        let reserve = add(self.reward_reserve, to_reserve)?;
        let held = sub(case.risk_held, risk)?;
        self.put(juror, r, &m);
        self.put(by, rd, &d);
        self.reward_reserve = reserve;
        case.risk_held = held;
        Ok(bounty)
    }

    /// Money in: an appeal's `bond`, collected by `receive`, held by the case.
    ///
    /// Errors: `Overflow`, or `receive`'s.
    pub fn post_bond(
        &mut self,
        case: &mut Case,
        bond: Balance,
        receive: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let owed = add(self.owed, bond)?;
        let held = add(case.bonds_held, bond)?;
        receive()?;
        self.owed = owed;
        case.bonds_held = held;
        Ok(())
    }

    /// A final ruling executed by `plan` (this case's [`plan::ruling`]): the bonds of
    /// appeals that overturned the ruling they appealed back to their appellants'
    /// credit, what no coherent vote can take to the reserve, and the pool and coherent
    /// weight fixed on the case.
    ///
    /// Errors: `Overflow`.
    pub fn close_ruled(&mut self, case: &mut Case, plan: &RulingPlan) -> Result<()> {
        let reserve = add(self.reward_reserve, plan.to_reserve)?;
        // Every credit checked before the first write (an appellant may get several
        // bonds back, together at most all the bonds the case holds).
        for returned in plan.returned {
            let Some((who, _)) = returned else { continue };
            add(self.member(who).credit, case.bonds_held)?;
        }
        for returned in plan.returned {
            let Some((who, bond)) = returned else {
                continue;
            };
            let r = self.record(who);
            let mut m = r.member;
            m.credit = add(m.credit, bond)?;
            self.put(who, r, &m);
        }
        self.reward_reserve = reserve;
        case.pool = plan.pool;
        case.coherent_weight = plan.coherent_weight;
        Ok(())
    }

    /// A case closed without a ruling: `to_reserve` (its unrevealed risk and its
    /// reward) joins the reserve.
    ///
    /// Errors: `Overflow`.
    pub fn close_unruled(&mut self, to_reserve: Balance) -> Result<()> {
        self.reward_reserve = add(self.reward_reserve, to_reserve)?;
        Ok(())
    }

    /// `juror`'s `vote` settled by `split`: its risk is no longer at risk; what returns
    /// goes back into the active stake, the reward (out of the case's pool) to credit,
    /// the rest is lost.
    ///
    /// Errors: `Overflow`.
    pub fn settle(
        &mut self,
        juror: AccountId,
        case: &mut Case,
        vote: &Vote,
        split: &VoteSplit,
        block: BlockNumber,
    ) -> Result<()> {
        let r = self.record(juror);
        let mut m = r.member;
        let before = m.staked;
        m.at_risk = sub(m.at_risk, vote.risk)?;
        m.open_votes = m.open_votes.checked_sub(1).ok_or(Error::Overflow)?;
        m.credit = add(m.credit, split.reward)?;
        m.earned = m.earned.saturating_add(split.reward);
        m.lost = m.lost.saturating_add(split.forfeited);
        m.staked = add(m.staked, split.returned)?;
        let (paid_weight, paid) = if split.outcome == VoteOutcome::Coherent {
            (
                add(case.paid_weight, vote.weight)?,
                add(case.paid, split.reward)?,
            )
        } else {
            (case.paid_weight, case.paid)
        };
        self.store(juror, r, &m, before, block)?;
        case.paid_weight = paid_weight;
        case.paid = paid;
        Ok(())
    }
}
