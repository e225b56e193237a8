//! Unit tests of the DAO on ink!'s off-chain environment, with the test kit's stand-ins
//! (`market_types::testing::{psp22, vault, targets}`) for the token, the vault and the
//! governed contracts. Every refusal is
//! checked to leave the storage (a fingerprint of every view) and the events unchanged,
//! and `assert_solvent` checks the ledger's whole invariant. This file holds the
//! fixtures and helpers; the tests are under `tests/`, by theme.

use crate::calls::EscrowFacts;
use crate::dispute_dao::DisputeDao;
use crate::rules::jury;
use crate::types::*;
use crate::Error;
use ink::env::test;
use ink::primitives::{AccountId, Hash};
use ink::scale::Encode;
pub(crate) use market_types::assert_refused;
use market_types::testing::psp22::{self, Behaviour};
use market_types::testing::targets::{self, GovernedCall};
use market_types::testing::{self as kit, vault};
use market_types::{
    Asset, Balance, Collateral, CollateralId, Dispute, EscrowId, EscrowRecord, EscrowState,
    EscrowTerms,
};

mod appeal_tests;
mod case_tests;
mod dao_props;
mod governance_tests;
mod hostile_tests;
mod ledger_tests;
mod ruling_tests;
mod staking_tests;

pub(crate) type E = ink::env::DefaultEnvironment;

pub(crate) const ESCROW: u64 = 7;
pub(crate) const COLLATERAL: u64 = 3;
pub(crate) const HELD: Balance = 1_000_000;
pub(crate) const START: u64 = 1_000_000;
/// The block the stand-in vault opened escrow 7's dispute in (setup's block is 0).
pub(crate) const DISPUTE_BLOCK: u32 = 1;
/// The stand-in vault's ruling window of new disputes.
pub(crate) const RULING_WINDOW: u64 = 100_000;

pub(crate) fn accounts() -> test::DefaultAccounts<E> {
    test::default_accounts::<E>()
}

pub(crate) fn dao_id() -> AccountId {
    AccountId::from([0xDA; 32])
}

pub(crate) fn jury_params() -> JuryParams {
    JuryParams {
        commit_ms: 100,
        reveal_ms: 100,
        appeal_ms: 50,
        quorum_bps: 2_000,
        quorum_cap: 15_000,
        min_jurors: 1,
        rounds: 3,
        penalty_bps: 1_000,
        appeal_bond: 1_000,
        juror_reward: 500,
        case_fee: 600,
        slash_bps: 5_000,
    }
}

pub(crate) fn gov_params() -> GovParams {
    GovParams {
        voting_delay_ms: 10,
        voting_period_ms: 100,
        quorum_bps: 2_000,
        timelock_ms: 50,
        grace_ms: 40,
        extension_ms: 30,
        proposal_threshold: 100,
    }
}

pub(crate) fn as_caller(who: AccountId) {
    test::set_caller::<E>(who);
}

pub(crate) fn now() -> u64 {
    ink::env::block_timestamp::<E>()
}

/// Moves to the next block, `ms` later.
pub(crate) fn advance(ms: u64) {
    let t = now();
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(t + ms);
}

/// The stake token.
pub(crate) fn token_id() -> AccountId {
    AccountId::from([0x70; 32])
}

/// The vault the DAO arbitrates.
pub(crate) fn vault_id() -> AccountId {
    AccountId::from([0x71; 32])
}

/// The registry the DAO administers.
pub(crate) fn registry_id() -> AccountId {
    AccountId::from([0x72; 32])
}

/// The market the DAO administers.
pub(crate) fn market_id() -> AccountId {
    AccountId::from([0x73; 32])
}

pub(crate) fn balance(who: AccountId) -> Balance {
    psp22::balance(token_id(), who)
}

/// Sets `who`'s stake-token balance.
pub(crate) fn set_balance(who: AccountId, amount: Balance) {
    psp22::set_balance(token_id(), who, amount);
}

/// Makes every call into the stake token fail (a trap), or answer again.
pub(crate) fn token_fails(fails: bool) {
    let behaviour = if fails {
        Behaviour::Trap
    } else {
        Behaviour::Honest
    };
    psp22::set_behaviour(token_id(), behaviour);
}

/// A governed call as the stand-ins log it: the callee and the message.
pub(crate) type Call = (AccountId, GovernedCall);

/// Every governed call the DAO made so far, in order.
pub(crate) fn calls() -> Vec<Call> {
    targets::logged()
}

/// The governed calls the tests expect, by what the DAO does.
pub(crate) mod call {
    use super::*;
    use GovernedCall as G;

    pub(crate) fn resolve(id: EscrowId, payee_bps: u16) -> Call {
        (vault_id(), G::Resolve(id, payee_bps))
    }

    pub(crate) fn slash(id: CollateralId, receivers: Vec<(AccountId, Balance)>) -> Call {
        (vault_id(), G::SlashCollateral(id, receivers))
    }

    pub(crate) fn expire(id: EscrowId) -> Call {
        (vault_id(), G::ExpireDispute(id))
    }

    pub(crate) fn release_hold(id: EscrowId) -> Call {
        (vault_id(), G::ReleaseHold(id))
    }

    pub(crate) fn paused(target: Target, paused: bool) -> Call {
        (address(target), G::SetPaused(paused))
    }

    fn address(target: Target) -> AccountId {
        match target {
            Target::Registry => registry_id(),
            Target::Market => market_id(),
            Target::Vault => vault_id(),
        }
    }

    /// The call that executing `action` must make.
    ///
    /// # Panics
    /// For the DAO's own actions (jury, governance, guardian), which call nobody.
    pub(crate) fn action(action: Action) -> Call {
        let (v, r, m) = (vault_id(), registry_id(), market_id());
        match action {
            Action::SetFee { fee_bps } => (v, G::SetFeeBps(fee_bps)),
            Action::SetTreasury { treasury } => (v, G::SetTreasury(treasury)),
            Action::SetDisputeParams {
                bond_bps,
                ruling_window_ms,
            } => (v, G::SetDisputeParams(bond_bps, ruling_window_ms)),
            Action::SetMinDeposit { asset, amount } => (v, G::SetMinDeposit(asset, amount)),
            Action::SetController {
                controller,
                allowed,
            } => (v, G::SetController(controller, allowed)),
            Action::SetAssetAllowed {
                target,
                token,
                allowed,
            } => (address(target), G::SetAssetAllowed(token, allowed)),
            Action::SetAuditor { auditor, allowed } => (r, G::SetAuditor(auditor, allowed)),
            Action::SetPurchasePeriods {
                delivery_period_ms,
                review_window_ms,
            } => (
                r,
                G::SetPurchasePeriods(delivery_period_ms, review_window_ms),
            ),
            Action::SetMaxRoyalty { max_royalty_bps } => (r, G::SetMaxRoyaltyBps(max_royalty_bps)),
            Action::SetMarketRatios {
                collateral_ratio_bps,
                no_show_bps,
            } => (m, G::SetRatios(collateral_ratio_bps, no_show_bps)),
            Action::SetMaxStartWindow {
                max_start_window_ms,
            } => (m, G::SetMaxStartWindow(max_start_window_ms)),
            Action::SetPaused { target, paused } => (address(target), G::SetPaused(paused)),
            Action::SetVault { target, vault } => (address(target), G::SetVault(vault)),
            Action::SetAuditors { auditors } => (m, G::SetAuditors(auditors)),
            Action::SetRentalRules { min_charge_hours } => (m, G::SetRentalRules(min_charge_hours)),
            Action::SetMinCountedValue { asset, value } => (m, G::SetMinCountedValue(asset, value)),
            Action::HandOver { target, successor } => (address(target), G::ProposeAdmin(successor)),
            Action::SetJuryParams { .. }
            | Action::SetGovParams { .. }
            | Action::SetGuardian { .. } => panic!("the DAO's own action calls nobody"),
        }
    }
}

/// Makes the vault, the registry and the market refuse the DAO (or accept it again),
/// as contracts whose arbiter or admin it is not.
pub(crate) fn refuse_all(refusing: bool) {
    vault::set_refusing(vault_id(), refusing);
    targets::set_refusing(registry_id(), refusing);
    targets::set_refusing(market_id(), refusing);
}

/// What the DAO reads of escrow `id` at the stand-in vault.
pub(crate) fn facts(id: EscrowId) -> EscrowFacts {
    EscrowFacts::of(vault::escrow_of(vault_id(), id).record)
}

/// Puts an escrow of Alice's (payer) and Bob's (payee) at the stand-in vault: an order
/// with `HELD` frozen by a dispute opened now in block `opened_block`, whose ruling
/// deadline is the vault's ruling window from now, linked to `collateral` (which
/// counts it as open).
pub(crate) fn add_disputed_escrow(
    id: EscrowId,
    collateral: Option<CollateralId>,
    opened_block: u32,
) {
    let a = accounts();
    vault::with(vault_id(), |v| {
        let record = EscrowRecord {
            payer: a.alice,
            payee: a.bob,
            asset: Asset::Native,
            opener: a.alice,
            context: 0,
            collateral,
            fee_bps: 0,
            royalties: Vec::new(),
            state: EscrowState::Disputed,
            terms: EscrowTerms::Order {
                amount: HELD,
                delivery_deadline: now(),
                review_window_ms: 0,
                delivered_at: None,
                proof: None,
            },
            dispute: Some(Dispute {
                by: a.alice,
                bond: 0,
                opened_at: now(),
                ruling_deadline: now() + v.dispute_params.1,
                delivered_during: false,
                frozen: HELD,
                opened_block,
                collateral_held: false,
            }),
            settlement: None,
            opened_at: now(),
        };
        v.escrows.insert(id, vault::Escrow { record, sent: 0 });
        if let Some(l) = collateral.and_then(|c| v.collaterals.get_mut(&c)) {
            l.open += 1;
        }
    });
}

/// Edits the dispute of escrow `id` at the stand-in vault.
pub(crate) fn edit_dispute(id: EscrowId, f: impl FnOnce(&mut Dispute)) {
    vault::with(vault_id(), |v| {
        let e = v.escrows.get_mut(&id).expect("escrow");
        f(e.record.dispute.as_mut().expect("a dispute"));
    });
}

/// Sets what collateral `id` holds at the stand-in vault.
pub(crate) fn set_collateral(id: CollateralId, amount: Balance) {
    vault::with(vault_id(), |v| {
        v.collaterals.get_mut(&id).expect("collateral").amount = amount
    });
}

/// The stand-in vault forgets collateral `id` (gone, as far as the DAO can tell).
pub(crate) fn remove_collateral(id: CollateralId) {
    vault::with(vault_id(), |v| v.collaterals.remove(&id));
}

/// A fresh DAO (guardian: Frank), every dev account holding 1 000 000 tokens (the DAO
/// approved to take them all), a
/// disputed escrow 7 (payer Alice, payee Bob, 1 000 000 frozen, collateral 3 holding
/// 400 000, disputed in block `DISPUTE_BLOCK`, the next one) at the stand-in vault,
/// whose ruling window is `RULING_WINDOW`, and the clock at `START`.
pub(crate) fn setup() -> DisputeDao {
    kit::reset();
    let a = accounts();
    test::set_callee::<E>(dao_id());
    test::set_block_timestamp::<E>(START);
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        set_balance(who, 1_000_000);
        psp22::set_allowance(token_id(), who, dao_id(), Balance::MAX);
    }
    vault::with(vault_id(), |v| {
        v.dispute_params = (500, RULING_WINDOW);
        v.collaterals.insert(
            COLLATERAL,
            Collateral {
                owner: a.bob,
                controller: a.bob,
                asset: Asset::Native,
                amount: 400_000,
                unlock_after: 0,
                open: 0,
                released: false,
                at_stake: 0,
            },
        );
    });
    add_disputed_escrow(ESCROW, Some(COLLATERAL), DISPUTE_BLOCK);
    as_caller(a.alice);
    DisputeDao::new(
        token_id(),
        vault_id(),
        registry_id(),
        market_id(),
        jury_params(),
        gov_params(),
        5_000,
        Some(a.frank),
    )
    .unwrap()
}

/// `setup()` with Charlie, Django and Eve staking 10 000 each, the reserve funded with
/// 2 000 by Alice, in an earlier block than anything opened afterwards.
pub(crate) fn staked() -> DisputeDao {
    let mut dao = setup();
    let a = accounts();
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    as_caller(a.alice);
    dao.fund_rewards(2_000).unwrap();
    advance(1);
    dao
}

/// `staked()` with case 1 opened by Alice on escrow 7.
pub(crate) fn with_case() -> DisputeDao {
    let mut dao = staked();
    as_caller(accounts().alice);
    assert_eq!(dao.open_case(ESCROW, "ipfs://evidence".into()), Ok(1));
    dao
}

pub(crate) fn salt(n: u8) -> [u8; 32] {
    [n; 32]
}

pub(crate) fn commit(dao: &mut DisputeDao, who: AccountId, case: CaseId, choice: Choice, s: u8) {
    let round = dao.case(case).unwrap().case.round;
    as_caller(who);
    let c = jury::commitment(choice, salt(s), who, case, round);
    assert_eq!(dao.commit_vote(case, c), Ok(()));
}

pub(crate) fn reveal(dao: &mut DisputeDao, who: AccountId, case: CaseId, choice: Choice, s: u8) {
    as_caller(who);
    assert_eq!(dao.reveal_vote(case, choice, salt(s)), Ok(()));
}

/// Moves the clock to the start of `phase` of the case's current round.
pub(crate) fn to_phase(dao: &DisputeDao, case: CaseId, phase: Phase) {
    let c = dao.case(case).unwrap().case;
    let p = jury::phases(c.round_start, &c.jury, c.round).unwrap();
    let at = match phase {
        Phase::Commit => c.round_start,
        Phase::Reveal => p.commit_end,
        Phase::Appeal => p.reveal_end,
        _ => p.appeal_end,
    };
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(at);
}

impl market_types::testing::Fingerprint for DisputeDao {
    fn fingerprint(&self) -> Vec<u8> {
        fingerprint(self)
    }
}

/// Every view of the DAO, encoded: equal fingerprints mean equal state.
pub(crate) fn fingerprint(dao: &DisputeDao) -> Vec<u8> {
    let a = accounts();
    let mut out = Vec::new();
    (dao.config(), dao.totals()).encode_to(&mut out);
    dao.cases(0, MAX_PAGE).encode_to(&mut out);
    dao.proposals(0, MAX_PAGE).encode_to(&mut out);
    dao.case_of_escrow(ESCROW).encode_to(&mut out);
    let block = ink::env::block_number::<E>().saturating_add(1);
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        dao.member(who).encode_to(&mut out);
        dao.stake_at(Some(who), block).encode_to(&mut out);
        dao.votes_of(who, 0, MAX_PAGE).encode_to(&mut out);
        balance(who).encode_to(&mut out);
        for case in 1..3 {
            for round in 0..3 {
                dao.vote_of(case, round, who).encode_to(&mut out);
            }
        }
        for id in 1..3 {
            dao.ballot(id, who).encode_to(&mut out);
        }
    }
    for case in 1..3 {
        for round in 0..3 {
            dao.round_info(case, round).encode_to(&mut out);
            for choice in 0..CHOICES {
                dao.tally(case, round, choice).encode_to(&mut out);
            }
        }
    }
    dao.stake_at(None, block).encode_to(&mut out);
    balance(dao_id()).encode_to(&mut out);
    let at_vault = vault::with(vault_id(), |v| {
        format!("{:?}{:?}{:?}", v.escrows, v.collaterals, v.credits)
    });
    (format!("{:?}", calls()), at_vault).encode_to(&mut out);
    out
}

/// What a case holds of what the DAO owes (see `ledger.rs`): an open case its stake at
/// risk, appeal bonds and reward; a closed one the stake its unsettled votes get back
/// and its pool not yet paid. `members`: every account that may have voted on it.
pub(crate) fn case_holds(dao: &DisputeDao, id: CaseId, members: &[AccountId]) -> Balance {
    let c = dao.case(id).unwrap().case;
    if c.status == CaseStatus::Open {
        return c.risk_held + c.bonds_held + c.reward_reserved;
    }
    if c.status == CaseStatus::NoQuorum {
        assert_eq!(
            c.bonds_held, 0,
            "a case without a ruling never had an appeal"
        );
    }
    let mut to_return = 0;
    for round in 0..=c.round {
        for who in members {
            match dao.vote_of(id, round, *who) {
                Some(v) if !v.settled => to_return += jury::settlement(&c, &v).unwrap().1,
                _ => {}
            }
        }
    }
    to_return + c.pool - c.paid
}

/// The ledger's invariant, from the public views alone (`ledger.rs` states it): the
/// DAO's token balance is `owed`; `owed` is every member's stake, unbonding stake and
/// credit, the reserve and what each case holds; the total active stake is the
/// members' and the total's last checkpoint, each member's last checkpoint its stake;
/// a member's stake at risk and open votes are those of its votes neither settled nor
/// denounced. `members`: every account that ever held stake, voted or was credited.
pub(crate) fn assert_books(dao: &DisputeDao, members: &[AccountId]) {
    let (total, reserve, owed) = dao.totals();
    assert_eq!(balance(dao_id()), owed, "DAO balance != owed");
    let next = ink::env::block_number::<E>() + 1;
    assert_eq!(dao.stake_at(None, next), total, "total checkpoint != total");
    let cases = dao.cases(0, MAX_PAGE);
    assert!(cases.next.is_none(), "more cases than one page");
    let mut parts = reserve;
    let mut staked = 0;
    for who in members {
        let m = dao.member(*who);
        assert_eq!(
            dao.stake_at(Some(*who), next),
            m.staked,
            "checkpoint != stake"
        );
        staked += m.staked;
        parts += m.staked + m.unbonding + m.credit;
        let (mut risk, mut open) = (0, 0);
        for c in &cases.items {
            for round in 0..=c.case.round {
                match dao.vote_of(c.id, round, *who) {
                    Some(v) if !v.settled => {
                        risk += v.risk;
                        open += 1;
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(
            (m.at_risk, m.open_votes),
            (risk, open),
            "at risk != open votes"
        );
    }
    assert_eq!(staked, total, "total stake != the members' stakes");
    for c in &cases.items {
        parts += case_holds(dao, c.id, members);
    }
    assert_eq!(
        owed, parts,
        "owed != stakes + unbonding + credits + reserve + cases"
    );
}

/// [`assert_books`] over the dev accounts, the only ones unit tests stake or vote with.
pub(crate) fn assert_solvent(dao: &DisputeDao) {
    let a = accounts();
    assert_books(dao, &[a.alice, a.bob, a.charlie, a.django, a.eve, a.frank]);
}
