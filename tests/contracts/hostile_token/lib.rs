//! # hostile_token — test only
//!
//! A PSP22 token (the `psp22` crate's logic) whose `transfer` and `transfer_from` can be
//! switched to misbehave, so the e2e tests can show that the escrow vault survives it:
//!
//! - mode 0 (`NORMAL`): an ordinary token;
//! - mode 1 (`RETURN_ERR`): both return `Err(PSP22Error::Custom("hostile_token: refused"))`
//!   and move nothing (the callee's error layer);
//! - mode 2 (`TRAP`): both panic, so the contract traps and the caller's cross-contract
//!   call fails at the environment layer;
//! - mode 3 (`REENTER`): before doing the transfer, the token calls back into a
//!   marketplace contract — the target chosen with `set_target_*`: the vault's
//!   `withdraw(Asset::Psp22(self))` (the default), the vault's `release(id)`, or the
//!   registry's `purchase_license(..)` — and records whether that call got through; then
//!   it transfers normally. Every attempt is written to the debug buffer first
//!   (`hostile_token: re-entry attempt …`), so a test can show from a dry-run that the
//!   attack really ran even when the chain denies it and reverts everything.
//!
//! Never deploy it anywhere but a test chain.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::hostile_token::{
    HostileToken, HostileTokenRef, NORMAL, REENTER, RETURN_ERR, TARGET_PURCHASE, TARGET_RELEASE,
    TARGET_WITHDRAW, TRAP,
};

#[ink::contract]
mod hostile_token {
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Lazy;
    use market_types::{Asset, EscrowId, EscrowVault, ModelId, OfferId};
    use model_registry::ModelRegistryRef;
    use psp22::{PSP22Data, PSP22Error, PSP22Event, PSP22};

    pub const NORMAL: u8 = 0;
    pub const RETURN_ERR: u8 = 1;
    pub const TRAP: u8 = 2;
    pub const REENTER: u8 = 3;

    /// Re-entry targets of mode 3.
    pub const TARGET_WITHDRAW: u8 = 0;
    pub const TARGET_RELEASE: u8 = 1;
    pub const TARGET_PURCHASE: u8 = 2;

    /// The registry, model, offer and offer version `TARGET_PURCHASE` buys.
    type Purchase = (AccountId, ModelId, OfferId, u32);

    #[ink(storage)]
    pub struct HostileToken {
        data: PSP22Data,
        mode: u8,
        vault: Option<AccountId>,
        /// Set while a re-entry is in flight, so the token does not recurse. `Lazy`
        /// (its own storage cell) so a nested message's writes survive the outer
        /// message writing its root storage back.
        attacking: Lazy<bool>,
        /// Re-entry attempts, and those that returned `Ok` (with money, for withdraw).
        stats: Lazy<(u32, u32)>,
        target: u8,
        /// The escrow `TARGET_RELEASE` releases.
        release_id: EscrowId,
        /// The registry, model, offer and offer version `TARGET_PURCHASE` buys.
        purchase: Option<Purchase>,
    }

    impl HostileToken {
        /// Mints `supply` to the caller.
        #[ink(constructor)]
        pub fn new(supply: u128) -> Self {
            let (data, events) = PSP22Data::new(supply, Self::env().caller());
            let token = Self {
                data,
                mode: NORMAL,
                vault: None,
                attacking: Lazy::new(),
                stats: Lazy::new(),
                target: TARGET_WITHDRAW,
                release_id: 0,
                purchase: None,
            };
            token.emit_events(events);
            token
        }

        /// Switches the behaviour (anyone may; it is a test contract). Modes above 3
        /// are refused.
        #[ink(message)]
        pub fn set_mode(&mut self, mode: u8) -> Result<(), PSP22Error> {
            if mode > REENTER {
                return Err(PSP22Error::Custom(String::from("hostile_token: bad mode")));
            }
            self.mode = mode;
            Ok(())
        }

        /// The vault that mode 3 re-enters.
        #[ink(message)]
        pub fn set_vault(&mut self, vault: AccountId) {
            self.vault = Some(vault);
        }

        /// The token withdraws its own credit from the vault, allowing the vault to call
        /// back into it (`ALLOW_REENTRY`), so that in mode 3 its `transfer`, run by the
        /// vault during the payout, tries to withdraw a second time. Returns what the
        /// outer withdraw paid (0 if it failed).
        #[ink(message)]
        pub fn attack_withdraw(&mut self) -> u128 {
            let Some(vault) = self.vault else {
                return 0;
            };
            let mut v: ink::contract_ref!(EscrowVault) = vault.into();
            let me = Asset::Psp22(self.env().account_id());
            match v
                .call_mut()
                .withdraw(me)
                .call_flags(ink::env::CallFlags::ALLOW_REENTRY)
                .try_invoke()
            {
                Ok(Ok(Ok(amount))) => amount,
                _ => 0,
            }
        }

        /// Mode 3 re-enters the vault's `withdraw` (the default).
        #[ink(message)]
        pub fn set_target_withdraw(&mut self) {
            self.target = TARGET_WITHDRAW;
        }

        /// Mode 3 re-enters the vault's `release(id)`.
        #[ink(message)]
        pub fn set_target_release(&mut self, id: EscrowId) {
            self.target = TARGET_RELEASE;
            self.release_id = id;
        }

        /// Mode 3 re-enters `registry.purchase_license(model, offer, version)`.
        #[ink(message)]
        pub fn set_target_purchase(
            &mut self,
            registry: AccountId,
            model: ModelId,
            offer: OfferId,
            version: u32,
        ) {
            self.target = TARGET_PURCHASE;
            self.purchase = Some((registry, model, offer, version));
        }

        #[ink(message)]
        pub fn mode(&self) -> u8 {
            self.mode
        }

        /// `(attempts, successes)` of re-entries into the vault.
        #[ink(message)]
        pub fn reentry_stats(&self) -> (u32, u32) {
            self.stats.get().unwrap_or_default()
        }

        fn emit_events(&self, events: Vec<PSP22Event>) {
            for event in events {
                match event {
                    PSP22Event::Transfer(e) => self.env().emit_event(e),
                    PSP22Event::Approval(e) => self.env().emit_event(e),
                }
            }
        }

        /// Applies the mode before a transfer: refuse, trap, or re-enter the vault.
        fn misbehave(&mut self) -> Result<(), PSP22Error> {
            match self.mode {
                RETURN_ERR => Err(PSP22Error::Custom(String::from("hostile_token: refused"))),
                TRAP => panic!("hostile_token: trapping on purpose"),
                REENTER => {
                    if self.attacking.get().unwrap_or(false) {
                        return Ok(());
                    }
                    self.attacking.set(&true);
                    let (mut attempts, mut successes) = self.stats.get().unwrap_or_default();
                    attempts = attempts.saturating_add(1);
                    ink::env::debug_println!(
                        "hostile_token: re-entry attempt {} into target {}",
                        attempts,
                        self.target
                    );
                    if self.reenter() {
                        successes = successes.saturating_add(1);
                    }
                    self.stats.set(&(attempts, successes));
                    self.attacking.set(&false);
                    Ok(())
                }
                _ => Ok(()),
            }
        }

        /// Calls the target; whether the call got through (money, for withdraw).
        fn reenter(&mut self) -> bool {
            match (self.target, self.vault, self.purchase) {
                (TARGET_WITHDRAW, Some(vault), _) => {
                    let mut v: ink::contract_ref!(EscrowVault) = vault.into();
                    let me = Asset::Psp22(self.env().account_id());
                    matches!(v.call_mut().withdraw(me).try_invoke(), Ok(Ok(Ok(amount))) if amount > 0)
                }
                (TARGET_RELEASE, Some(vault), _) => {
                    let mut v: ink::contract_ref!(EscrowVault) = vault.into();
                    matches!(
                        v.call_mut().release(self.release_id).try_invoke(),
                        Ok(Ok(Ok(())))
                    )
                }
                (TARGET_PURCHASE, _, Some((registry, model, offer, version))) => {
                    let mut r: ModelRegistryRef =
                        ink::env::call::FromAccountId::from_account_id(registry);
                    matches!(
                        r.call_mut()
                            .purchase_license(model, offer, version)
                            .try_invoke(),
                        Ok(Ok(Ok(_)))
                    )
                }
                _ => false,
            }
        }
    }

    impl PSP22 for HostileToken {
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        #[ink(message)]
        fn transfer(
            &mut self,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            self.misbehave()?;
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            self.misbehave()?;
            let events = self
                .data
                .transfer_from(self.env().caller(), from, to, value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit_events(events);
            Ok(())
        }

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

    #[cfg(test)]
    mod tests {
        use super::*;

        fn bob() -> AccountId {
            ink::env::test::default_accounts::<ink::env::DefaultEnvironment>().bob
        }

        #[ink::test]
        fn behaves_normally_by_default() {
            let mut t = HostileToken::new(100);
            assert_eq!(t.mode(), NORMAL);
            assert_eq!(t.transfer(bob(), 40, Vec::new()), Ok(()));
            assert_eq!(t.balance_of(bob()), 40);
            assert_eq!(t.reentry_stats(), (0, 0));
        }

        #[ink::test]
        fn return_err_mode_refuses_and_moves_nothing() {
            let mut t = HostileToken::new(100);
            assert_eq!(t.set_mode(RETURN_ERR), Ok(()));
            assert!(matches!(
                t.transfer(bob(), 40, Vec::new()),
                Err(PSP22Error::Custom(_))
            ));
            assert_eq!(t.balance_of(bob()), 0);
            assert_eq!(t.total_supply(), 100);
        }

        #[ink::test]
        fn unknown_mode_is_refused() {
            let mut t = HostileToken::new(1);
            assert!(t.set_mode(4).is_err());
            t.set_target_release(7);
            t.set_target_withdraw();
            assert_eq!(t.mode(), NORMAL);
        }

        #[ink::test]
        #[should_panic(expected = "trapping on purpose")]
        fn trap_mode_panics() {
            let mut t = HostileToken::new(1);
            t.set_mode(TRAP).unwrap();
            let _ = t.transfer(bob(), 1, Vec::new());
        }
    }
}
