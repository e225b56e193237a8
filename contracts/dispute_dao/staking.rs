//! Staking: stake, unbonding, withdrawals and the reward reserve, each a check and one
//! ledger operation (which runs the token call between its sums and its writes).

use crate::calls;
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::{RewardsFunded, Staked, UnstakeRequested, Withdrawn};
use ink::codegen::Env;
use market_types::{ensure, Balance};

impl DisputeDao {
    pub(crate) fn do_stake(&mut self, amount: Balance) -> Result<Staked> {
        ensure!(amount > 0, Error::ZeroAmount);
        let (caller, dao, token) = (
            self.env().caller(),
            self.env().account_id(),
            self.config.token,
        );
        let block = self.env().block_number();
        let staked = self.ledger.stake(caller, amount, block, || {
            calls::transfer_from(token, caller, dao, amount)
        })?;
        Ok(Staked {
            member: caller,
            amount,
            staked,
        })
    }

    pub(crate) fn do_request_unstake(&mut self, amount: Balance) -> Result<UnstakeRequested> {
        ensure!(amount > 0, Error::ZeroAmount);
        let caller = self.env().caller();
        let (now, block) = (self.env().block_timestamp(), self.env().block_number());
        let unbond_at = self
            .ledger
            .unbond(caller, amount, now, self.config.unbonding_ms, block)?;
        Ok(UnstakeRequested {
            member: caller,
            amount,
            unbond_at,
        })
    }

    pub(crate) fn do_withdraw_unstaked(&mut self) -> Result<(Balance, Withdrawn)> {
        let (caller, token) = (self.env().caller(), self.config.token);
        // The transfer before the writes: a failed payout returns before anything is
        // written (the token cannot re-enter: the DAO never allows re-entry).
        let amount =
            self.ledger
                .withdraw_unbonded(caller, self.env().block_timestamp(), |amount| {
                    calls::transfer(token, caller, amount)
                })?;
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
        let (caller, token) = (self.env().caller(), self.config.token);
        let amount = self
            .ledger
            .withdraw_credit(caller, |amount| calls::transfer(token, caller, amount))?;
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
        let (caller, dao, token) = (
            self.env().caller(),
            self.env().account_id(),
            self.config.token,
        );
        let reserve = self
            .ledger
            .fund(amount, || calls::transfer_from(token, caller, dao, amount))?;
        Ok(RewardsFunded {
            by: caller,
            amount,
            reserve,
        })
    }
}
