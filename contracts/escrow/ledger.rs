//! The vault's books, and the only path money moves through: every account's credit and,
//! per asset, the `owed` counter.
//!
//! `owed` counts everything the vault owes in an asset: what open escrows and collateral
//! hold, the bonds of open disputes and every unwithdrawn credit. Money arriving raises
//! it ([`Ledger::receive`]); a settlement, a slash or a release only moves part of it to
//! an account's credit ([`Ledger::credit`], `owed` unchanged); and it falls only when a
//! credit is paid out ([`Ledger::withdraw`]). So per asset `Σ credits ≤ owed`, and the
//! vault is solvent while what it holds covers `owed` (`reserves(asset)` shows both).

use ink::primitives::AccountId;
use ink::storage::Mapping;
use market_types::{ensure, Asset, Balance, VaultError};

type Result<T> = core::result::Result<T, VaultError>;

/// Credits per `(account, asset)` and what is owed per asset; see the module doc.
#[ink::storage_item]
#[derive(Default)]
#[cfg_attr(test, derive(Debug))]
pub struct Ledger {
    credits: Mapping<(AccountId, Asset), Balance>,
    owed: Mapping<Asset, Balance>,
}

impl Ledger {
    /// Everything the vault owes in `asset`.
    pub fn owed(&self, asset: Asset) -> Balance {
        self.owed.get(asset).unwrap_or(0)
    }

    /// What `withdraw` would pay `account` in `asset`.
    pub fn credit_of(&self, account: AccountId, asset: Asset) -> Balance {
        self.credits.get((account, asset)).unwrap_or(0)
    }

    /// Money in: `amount` of `asset` arrived and is now owed.
    ///
    /// Errors: `Overflow` (`owed` would pass `u128::MAX`; nothing written).
    pub fn receive(&mut self, asset: Asset, amount: Balance) -> Result<()> {
        let owed = self
            .owed(asset)
            .checked_add(amount)
            .ok_or(VaultError::Overflow)?;
        self.owed.insert(asset, &owed);
        Ok(())
    }

    /// Moves `amount` of what is owed in `asset` to `to`'s credit; zero writes nothing.
    ///
    /// Errors: `Overflow` (cannot happen while `Σ credits ≤ owed`; nothing written).
    pub fn credit(&mut self, to: AccountId, asset: Asset, amount: Balance) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let credit = self
            .credit_of(to, asset)
            .checked_add(amount)
            .ok_or(VaultError::Overflow)?;
        self.credits.insert((to, asset), &credit);
        Ok(())
    }

    /// [`Ledger::credit`] for each `(account, amount)` in order.
    pub fn credit_all(&mut self, asset: Asset, credits: &[(AccountId, Balance)]) -> Result<()> {
        for (to, amount) in credits {
            self.credit(*to, asset, *amount)?;
        }
        Ok(())
    }

    /// Money out: clears `account`'s whole credit in `asset`, lowers `owed` by it and
    /// returns it for the caller to transfer (a failed transfer must fail the message,
    /// so the chain reverts this too).
    ///
    /// Errors: `NothingToWithdraw`, `Overflow` (the credit exceeds `owed`, which the
    /// invariant rules out; nothing written).
    pub fn withdraw(&mut self, account: AccountId, asset: Asset) -> Result<Balance> {
        let amount = self.credit_of(account, asset);
        ensure!(amount > 0, VaultError::NothingToWithdraw);
        let owed = self
            .owed(asset)
            .checked_sub(amount)
            .ok_or(VaultError::Overflow)?;
        self.credits.remove((account, asset));
        self.owed.insert(asset, &owed);
        Ok(amount)
    }
}
