//! The governed surface every marketplace contract shares, written once: who governs
//! it (a role handed on in two steps), whether new business is paused, and which PSP22
//! tokens it accepts.
//!
//! [`Admin`] is a plain storage struct with no ink! environment: each method takes the
//! caller explicitly, checks it, changes its fields and **returns the event** for the
//! contract to emit (so a message reads "call, emit, return"), or refuses with an
//! [`AdminError`] having changed nothing.
//!
//! - **Handover**: the admin proposes a successor ([`Admin::propose`], `None` withdraws
//!   the proposal) and the role moves only when that account accepts
//!   ([`Admin::accept`]), so it is never handed to a mistyped address. The registry and
//!   the market call the role their *admin*; the vault calls it its *arbiter* (it also
//!   rules on disputes) and uses the same struct, the same errors and the same events.
//! - **Pause**: a flag the admin sets ([`Admin::set_paused`]); each contract decides
//!   what it stops (the registry new listings, the market new offers and rentals; the
//!   vault never pauses: nothing may stop money from leaving it).
//! - **Tokens**: the allow-list of PSP22 tokens new business may use
//!   ([`Admin::set_asset_allowed`], [`Admin::allows`]); the native asset is always
//!   allowed.
//!
//! The governed parameters' own bounds are checked by the contracts; the refusals they
//! share are here too ([`AdminError::InvalidPeriod`], [`AdminError::PeriodTooLong`],
//! [`AdminError::OutOfRange`], and [`check_period`]), because the DAO calls every
//! setter through the traits of [`crate::governed`], which answer with this one type.

use crate::events::{AdminChanged, AdminProposed, AssetAllowanceChanged, PauseChanged};
use crate::storage::AllowList;
use crate::{ensure, Asset, MAX_PERIOD_MS};
use ink::primitives::AccountId;
use ink::storage::traits::{AutoKey, StorageKey};

/// Why a governed contract refused an admin call. Nothing changed when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum AdminError {
    /// The caller is not the admin (the vault: not the arbiter).
    NotAdmin,
    /// The caller is not the account proposed as the next admin, or none is proposed.
    NotPendingAdmin,
    /// A period must be above zero.
    InvalidPeriod,
    /// A period is longer than [`MAX_PERIOD_MS`] (366 days).
    PeriodTooLong,
    /// A value is outside the bounds its setter documents (a royalty cap above the
    /// hard cap, a collateral ratio of zero or above its maximum, a no-show penalty
    /// above 100 % or above the ratio, a minimum charge above its cap).
    OutOfRange,
}

/// A period parameter: 1 ms up to [`MAX_PERIOD_MS`].
pub fn check_period(ms: u64) -> Result<(), AdminError> {
    ensure!(ms != 0, AdminError::InvalidPeriod);
    ensure!(ms <= MAX_PERIOD_MS, AdminError::PeriodTooLong);
    Ok(())
}

/// A contract's governed state: its admin and the successor proposed, the pause flag
/// and the PSP22 allow-list. The first three live in the contract's root cell; the
/// allow-list in its own mapping. `KEY`: as for [`AllowList`], so the allow-list never
/// shares cells with another one in the same contract.
#[ink::storage_item]
pub struct Admin<KEY: StorageKey = AutoKey> {
    admin: AccountId,
    pending: Option<AccountId>,
    paused: bool,
    allowed_tokens: AllowList,
}

/// Contract storage derives `Debug` in unit-test builds; the allow-list lives in the
/// chain's storage, so only the fields are printed.
impl<KEY: StorageKey> core::fmt::Debug for Admin<KEY> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Admin")
            .field("admin", &self.admin)
            .field("pending", &self.pending)
            .field("paused", &self.paused)
            .finish()
    }
}

impl<KEY: StorageKey> Admin<KEY> {
    /// Governed by `admin` (the deployer, later the DAO), no successor proposed, not
    /// paused, no token allowed.
    pub fn new(admin: AccountId) -> Self {
        Self {
            admin,
            pending: None,
            paused: false,
            allowed_tokens: Default::default(),
        }
    }

    /// Who holds the role.
    pub fn admin(&self) -> AccountId {
        self.admin
    }

    /// The account proposed as the next admin, until it accepts.
    pub fn pending(&self) -> Option<AccountId> {
        self.pending
    }

    /// Whether the admin paused new business.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Whether `asset` may be used: native always, a PSP22 when its token is listed.
    pub fn allows(&self, asset: Asset) -> bool {
        self.allowed_tokens.allows(asset)
    }

    /// Refuses with `NotAdmin` unless `caller` holds the role.
    pub fn ensure_admin(&self, caller: AccountId) -> Result<(), AdminError> {
        ensure!(caller == self.admin, AdminError::NotAdmin);
        Ok(())
    }

    /// The admin proposes `candidate` as its successor, replacing any earlier proposal;
    /// `None` withdraws it. Nothing else changes until the candidate accepts.
    ///
    /// Errors: `NotAdmin`. Emits: `AdminProposed`.
    pub fn propose(
        &mut self,
        caller: AccountId,
        candidate: Option<AccountId>,
    ) -> Result<AdminProposed, AdminError> {
        self.ensure_admin(caller)?;
        self.pending = candidate;
        Ok(AdminProposed {
            admin: caller,
            proposed: candidate,
        })
    }

    /// The proposed account takes the role; the proposal is cleared.
    ///
    /// Errors: `NotPendingAdmin`. Emits: `AdminChanged`.
    pub fn accept(&mut self, caller: AccountId) -> Result<AdminChanged, AdminError> {
        ensure!(self.pending == Some(caller), AdminError::NotPendingAdmin);
        let previous = self.admin;
        self.admin = caller;
        self.pending = None;
        Ok(AdminChanged {
            previous,
            new: caller,
        })
    }

    /// The admin pauses (`true`) or resumes (`false`) new business; setting what is
    /// already set changes nothing and still emits.
    ///
    /// Errors: `NotAdmin`. Emits: `PauseChanged`.
    pub fn set_paused(
        &mut self,
        caller: AccountId,
        paused: bool,
    ) -> Result<PauseChanged, AdminError> {
        self.ensure_admin(caller)?;
        self.paused = paused;
        Ok(PauseChanged { paused })
    }

    /// The admin lets new business use the PSP22 `token` (`allowed`), or stops it;
    /// setting what is already set changes nothing and still emits.
    ///
    /// Errors: `NotAdmin`. Emits: `AssetAllowanceChanged`.
    pub fn set_asset_allowed(
        &mut self,
        caller: AccountId,
        token: AccountId,
        allowed: bool,
    ) -> Result<AssetAllowanceChanged, AdminError> {
        self.ensure_admin(caller)?;
        self.allowed_tokens.set(token, allowed);
        Ok(AssetAllowanceChanged { token, allowed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    /// The admin's fields, to show a refused call changed nothing.
    fn fields(a: &Admin) -> (AccountId, Option<AccountId>, bool) {
        (a.admin(), a.pending(), a.paused())
    }

    #[test]
    fn check_period_bounds_a_period() {
        assert_eq!(check_period(0), Err(AdminError::InvalidPeriod));
        assert_eq!(check_period(1), Ok(()));
        assert_eq!(check_period(MAX_PERIOD_MS), Ok(()));
        assert_eq!(
            check_period(MAX_PERIOD_MS + 1),
            Err(AdminError::PeriodTooLong)
        );
    }

    #[ink::test]
    fn a_new_admin_holds_the_role_alone_and_pauses_nothing() {
        let a: Admin = Admin::new(account(1));
        assert_eq!(fields(&a), (account(1), None, false));
        assert!(a.allows(Asset::Native));
        assert!(!a.allows(Asset::Psp22(account(9))));
        assert_eq!(a.ensure_admin(account(1)), Ok(()));
        assert_eq!(a.ensure_admin(account(2)), Err(AdminError::NotAdmin));
    }

    #[ink::test]
    fn the_role_moves_only_when_the_proposed_account_accepts() {
        let [alice, bob, carol] = [1, 2, 3].map(account);
        let mut a: Admin = Admin::new(alice);
        let before = fields(&a);
        assert_eq!(
            a.propose(bob, Some(carol)).err(),
            Some(AdminError::NotAdmin)
        );
        assert_eq!(a.accept(bob).err(), Some(AdminError::NotPendingAdmin));
        assert_eq!(fields(&a), before, "refusals change nothing");

        let e = a.propose(alice, Some(bob)).expect("the admin proposes");
        assert_eq!((e.admin, e.proposed), (alice, Some(bob)));
        assert_eq!(a.pending(), Some(bob));
        assert_eq!(a.admin(), alice, "nothing moves before the acceptance");
        assert_eq!(a.accept(carol).err(), Some(AdminError::NotPendingAdmin));
        assert_eq!(a.accept(alice).err(), Some(AdminError::NotPendingAdmin));

        let e = a.accept(bob).expect("the proposed account accepts");
        assert_eq!((e.previous, e.new), (alice, bob));
        assert_eq!(fields(&a), (bob, None, false));
        assert_eq!(a.ensure_admin(alice), Err(AdminError::NotAdmin));
        assert_eq!(a.accept(bob).err(), Some(AdminError::NotPendingAdmin));
    }

    #[ink::test]
    fn a_withdrawn_or_replaced_proposal_cannot_be_accepted() {
        let [alice, bob, carol] = [1, 2, 3].map(account);
        let mut a: Admin = Admin::new(alice);
        a.propose(alice, Some(bob)).expect("proposed");
        let e = a.propose(alice, None).expect("withdrawn");
        assert_eq!(e.proposed, None);
        assert_eq!(a.accept(bob).err(), Some(AdminError::NotPendingAdmin));
        a.propose(alice, Some(bob)).expect("proposed again");
        a.propose(alice, Some(carol)).expect("replaced");
        assert_eq!(a.accept(bob).err(), Some(AdminError::NotPendingAdmin));
        assert_eq!(a.accept(carol).map(|e| e.new), Ok(carol));
    }

    #[ink::test]
    fn only_the_admin_pauses_and_each_setting_emits() {
        let [alice, bob] = [1, 2].map(account);
        let mut a: Admin = Admin::new(alice);
        assert_eq!(a.set_paused(bob, true).err(), Some(AdminError::NotAdmin));
        assert!(!a.paused());
        assert!(a.set_paused(alice, true).expect("paused").paused);
        assert!(
            a.set_paused(alice, true)
                .expect("again: still emits")
                .paused
        );
        assert!(a.paused());
        assert!(!a.set_paused(alice, false).expect("resumed").paused);
        assert!(!a.paused());
    }

    #[ink::test]
    fn only_the_admin_allows_tokens_and_native_is_always_allowed() {
        let [alice, bob, token] = [1, 2, 9].map(account);
        let mut a: Admin = Admin::new(alice);
        assert_eq!(
            a.set_asset_allowed(bob, token, true).err(),
            Some(AdminError::NotAdmin)
        );
        assert!(!a.allows(Asset::Psp22(token)));
        let e = a.set_asset_allowed(alice, token, true).expect("allowed");
        assert_eq!((e.token, e.allowed), (token, true));
        assert!(a.allows(Asset::Psp22(token)));
        let e = a
            .set_asset_allowed(alice, token, false)
            .expect("disallowed");
        assert!(!e.allowed);
        assert!(!a.allows(Asset::Psp22(token)) && a.allows(Asset::Native));
    }

    /// A contract's storage holding the admin beside another allow-list, as the vault
    /// does (its controllers): the two lists must not share cells.
    #[ink::storage_item]
    struct Holder {
        admin: Admin,
        controllers: AllowList,
    }

    #[ink::test]
    fn the_token_list_never_shares_cells_with_another_list() {
        use ink::storage::traits::StorageLayout;
        let layout = format!("{:?}", <Holder as StorageLayout>::layout(&0));
        assert!(layout.contains("allowed_tokens") && layout.contains("paused"));
        let keys: Vec<&str> = layout
            .split("root_key: LayoutKey { key: ")
            .skip(1)
            .filter_map(|rest| rest.split(' ').next())
            .collect();
        assert_eq!(keys.len(), 2, "{layout}");
        assert_ne!(keys[0], keys[1], "the two lists share a key: {layout}");
        let [alice, token] = [1, 9].map(account);
        let mut h = Holder {
            admin: Admin::new(alice),
            controllers: AllowList::default(),
        };
        h.admin
            .set_asset_allowed(alice, token, true)
            .expect("allowed");
        assert!(h.admin.allows(Asset::Psp22(token)));
        assert!(!h.controllers.contains(token));
        h.controllers.set(alice, true);
        assert!(!h.admin.allows(Asset::Psp22(alice)));
    }
}
