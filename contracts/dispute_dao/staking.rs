//! Staking: stake, unbonding, withdrawals, the reward reserve, and the checkpointed
//! stake histories every vote weight is read from.

use crate::calls;
use crate::checkpoints::{self, Checkpoint};
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::{RewardsFunded, Staked, UnstakeRequested, Withdrawn};
use crate::types::Member;
use ink::codegen::Env;
use ink::primitives::AccountId;
use market_types::{ensure, Balance};

impl DisputeDao {
    pub(crate) fn member_of(&self, account: AccountId) -> Member {
        self.members.get(account).unwrap_or_default()
    }

    /// Stake of `who` (`None`: the total) before `block`.
    pub(crate) fn stake_before(&self, who: Option<AccountId>, block: u32) -> Balance {
        let len = self.checkpoint_len.get(who).unwrap_or(0);
        checkpoints::before(len, block, |i| self.checkpoints.get((who, i)))
    }

    fn write_checkpoint(&mut self, who: Option<AccountId>, amount: Balance) -> Result<()> {
        let block = self.env().block_number();
        let len = self.checkpoint_len.get(who).unwrap_or(0);
        let last = len
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get((who, i)));
        let (slot, new_len) = checkpoints::write_slot(len, last, block).ok_or(Error::Overflow)?;
        self.checkpoints
            .insert((who, slot), &Checkpoint { block, amount });
        self.checkpoint_len.insert(who, &new_len);
        Ok(())
    }

    /// Sets `account`'s active stake to `staked` (in `member`, which the caller then
    /// stores) and moves the total with it, checkpointing both.
    pub(crate) fn set_staked(
        &mut self,
        account: AccountId,
        member: &mut Member,
        staked: Balance,
    ) -> Result<()> {
        let total = self
            .total_staked
            .checked_sub(member.staked)
            .and_then(|t| t.checked_add(staked))
            .ok_or(Error::Overflow)?;
        member.staked = staked;
        self.total_staked = total;
        self.write_checkpoint(Some(account), staked)?;
        self.write_checkpoint(None, total)
    }

    pub(crate) fn do_stake(&mut self, amount: Balance) -> Result<Staked> {
        ensure!(amount > 0, Error::ZeroAmount);
        let caller = self.env().caller();
        let mut m = self.member_of(caller);
        let staked = m.staked.checked_add(amount).ok_or(Error::Overflow)?;
        let owed = self.owed.checked_add(amount).ok_or(Error::Overflow)?;
        calls::transfer_from(self.config.token, caller, self.env().account_id(), amount)?;
        self.set_staked(caller, &mut m, staked)?;
        self.members.insert(caller, &m);
        self.owed = owed;
        Ok(Staked {
            member: caller,
            amount,
            staked,
        })
    }

    pub(crate) fn do_request_unstake(&mut self, amount: Balance) -> Result<UnstakeRequested> {
        ensure!(amount > 0, Error::ZeroAmount);
        let caller = self.env().caller();
        let mut m = self.member_of(caller);
        let staked = m
            .staked
            .checked_sub(amount)
            .ok_or(Error::InsufficientStake)?;
        let unbonding = m.unbonding.checked_add(amount).ok_or(Error::Overflow)?;
        let unbond_at = self
            .env()
            .block_timestamp()
            .checked_add(self.config.unbonding_ms)
            .ok_or(Error::Overflow)?;
        self.set_staked(caller, &mut m, staked)?;
        m.unbonding = unbonding;
        m.unbond_at = unbond_at;
        self.members.insert(caller, &m);
        Ok(UnstakeRequested {
            member: caller,
            amount,
            unbond_at,
        })
    }

    pub(crate) fn do_withdraw_unstaked(&mut self) -> Result<(Balance, Withdrawn)> {
        let caller = self.env().caller();
        let mut m = self.member_of(caller);
        ensure!(m.unbonding > 0, Error::NothingUnbonding);
        ensure!(
            self.env().block_timestamp() >= m.unbond_at,
            Error::StillUnbonding
        );
        ensure!(m.open_votes == 0, Error::UnsettledVotes);
        let amount = m.unbonding;
        let owed = self.owed.checked_sub(amount).ok_or(Error::Overflow)?;
        // The transfer first: a failed payout returns before anything is written (the
        // token cannot re-enter: the DAO never allows re-entry).
        calls::transfer(self.config.token, caller, amount)?;
        m.unbonding = 0;
        self.members.insert(caller, &m);
        self.owed = owed;
        Ok((
            amount,
            Withdrawn {
                member: caller,
                amount,
                unbonded: true,
            },
        ))
    }

    pub(crate) fn do_withdraw_credit(&mut self) -> Result<(Balance, Withdrawn)> {
        let caller = self.env().caller();
        let mut m = self.member_of(caller);
        ensure!(m.credit > 0, Error::NothingToWithdraw);
        let amount = m.credit;
        let owed = self.owed.checked_sub(amount).ok_or(Error::Overflow)?;
        calls::transfer(self.config.token, caller, amount)?;
        m.credit = 0;
        self.members.insert(caller, &m);
        self.owed = owed;
        Ok((
            amount,
            Withdrawn {
                member: caller,
                amount,
                unbonded: false,
            },
        ))
    }

    pub(crate) fn do_fund_rewards(&mut self, amount: Balance) -> Result<RewardsFunded> {
        ensure!(amount > 0, Error::ZeroAmount);
        let caller = self.env().caller();
        let reserve = self
            .reward_reserve
            .checked_add(amount)
            .ok_or(Error::Overflow)?;
        let owed = self.owed.checked_add(amount).ok_or(Error::Overflow)?;
        calls::transfer_from(self.config.token, caller, self.env().account_id(), amount)?;
        self.reward_reserve = reserve;
        self.owed = owed;
        Ok(RewardsFunded {
            by: caller,
            amount,
            reserve,
        })
    }
}
