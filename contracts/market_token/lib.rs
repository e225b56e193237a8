//! # market_token
//!
//! The marketplace's PSP22 token: what license offers and compute rentals may be priced
//! in, and what DAO jurors stake. The token logic is the audited `psp22` crate
//! (Cardinal-Cryptography); this contract only stores its `PSP22Data`, adds the
//! `PSP22Metadata` extension and re-emits the events the crate returns.
//!
//! ## Mint policy
//! **Fixed supply.** The whole supply is minted once, to the deployer, in the
//! constructor. There is no mint, no burn and no owner afterwards, so no key can inflate
//! the token that escrows and stakes are denominated in. Distribution (to buyers, renters,
//! jurors) is by ordinary transfers from the deployer.
//!
//! ## Errors
//! Every message returns `psp22::PSP22Error` (`InsufficientBalance`,
//! `InsufficientAllowance`, …) and leaves state unchanged on error.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::market_token::{MarketToken, MarketTokenRef};

#[ink::contract]
mod market_token {
    use ink::prelude::{string::String, vec::Vec};
    use psp22::{PSP22Data, PSP22Error, PSP22Event, PSP22Metadata, PSP22};

    /// Token storage: balances and allowances live in the `psp22` crate's struct.
    #[ink(storage)]
    pub struct MarketToken {
        data: PSP22Data,
        name: Option<String>,
        symbol: Option<String>,
        decimals: u8,
    }

    impl MarketToken {
        /// Mints `supply` to the caller, once; see the mint policy in the crate docs.
        ///
        /// Emits: `Transfer { from: None, to: caller, value: supply }` (if supply > 0).
        #[ink(constructor)]
        pub fn new(
            supply: u128,
            name: Option<String>,
            symbol: Option<String>,
            decimals: u8,
        ) -> Self {
            let (data, events) = PSP22Data::new(supply, Self::env().caller());
            let token = Self {
                data,
                name,
                symbol,
                decimals,
            };
            token.emit_events(events);
            token
        }

        // The crate returns events as values; the contract is the one that emits them,
        // using the crate's own `Transfer` and `Approval` event types.
        fn emit_events(&self, events: Vec<PSP22Event>) {
            for event in events {
                match event {
                    PSP22Event::Transfer(e) => self.env().emit_event(e),
                    PSP22Event::Approval(e) => self.env().emit_event(e),
                }
            }
        }
    }

    impl PSP22 for MarketToken {
        /// Total tokens in existence; fixed at construction.
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        /// Tokens held by `owner`.
        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        /// Tokens `spender` may still move out of `owner`'s balance.
        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        /// Moves `value` from the caller to `to`.
        ///
        /// Errors: `InsufficientBalance`. Emits: `Transfer` (none when value is 0 or
        /// caller == to).
        #[ink(message)]
        fn transfer(
            &mut self,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Moves `value` from `from` to `to` using the caller's allowance.
        ///
        /// Errors: `InsufficientAllowance`, `InsufficientBalance`. Emits: `Approval`
        /// (the reduced allowance) and `Transfer`.
        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .transfer_from(self.env().caller(), from, to, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Sets the caller's allowance for `spender` to `value`.
        ///
        /// Emits: `Approval`.
        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Raises the caller's allowance for `spender` by `delta_value` (saturating).
        ///
        /// Emits: `Approval`.
        #[ink(message)]
        fn increase_allowance(
            &mut self,
            spender: AccountId,
            delta_value: u128,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .increase_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }

        /// Lowers the caller's allowance for `spender` by `delta_value`.
        ///
        /// Errors: `InsufficientAllowance` if it would go below zero. Emits: `Approval`.
        #[ink(message)]
        fn decrease_allowance(
            &mut self,
            spender: AccountId,
            delta_value: u128,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }
    }

    impl PSP22Metadata for MarketToken {
        /// The token's name, if set at construction.
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            self.name.clone()
        }

        /// The token's ticker symbol, if set at construction.
        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            self.symbol.clone()
        }

        /// Number of decimals a display should use.
        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            self.decimals
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        // The psp22 crate's own conformance suite, run against this contract.
        psp22::tests!(
            MarketToken,
            (|supply| MarketToken::new(supply, None, None, 18))
        );

        #[ink::test]
        fn metadata_is_what_the_deployer_set() {
            let token = MarketToken::new(
                1_000,
                Some(String::from("Market Token")),
                Some(String::from("MKT")),
                12,
            );
            assert_eq!(token.token_name().as_deref(), Some("Market Token"));
            assert_eq!(token.token_symbol().as_deref(), Some("MKT"));
            assert_eq!(token.token_decimals(), 12);
        }

        #[ink::test]
        fn supply_is_fixed_and_goes_to_the_deployer() {
            let accounts = ink::env::test::default_accounts::<ink::env::DefaultEnvironment>();
            ink::env::test::set_caller::<ink::env::DefaultEnvironment>(accounts.bob);
            let mut token = MarketToken::new(500, None, None, 18);
            assert_eq!(token.balance_of(accounts.bob), 500);
            assert_eq!(token.balance_of(accounts.alice), 0);
            // Moving tokens never changes the supply.
            token.transfer(accounts.charlie, 200, Vec::new()).unwrap();
            assert_eq!(token.total_supply(), 500);
            assert_eq!(token.balance_of(accounts.bob), 300);
            assert_eq!(token.balance_of(accounts.charlie), 200);
        }

        #[ink::test]
        fn failed_transfer_leaves_balances_unchanged() {
            let accounts = ink::env::test::default_accounts::<ink::env::DefaultEnvironment>();
            ink::env::test::set_caller::<ink::env::DefaultEnvironment>(accounts.alice);
            let mut token = MarketToken::new(100, None, None, 18);
            assert_eq!(
                token.transfer(accounts.bob, 101, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(accounts.alice), 100);
            assert_eq!(token.balance_of(accounts.bob), 0);
        }
    }
}
