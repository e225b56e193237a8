//! The property test: random sequences of what model owners, buyers, auditors, the
//! admin and hostile strangers do, and of what happens at the vault meanwhile (orders
//! released, refunded, split, disputed or forgotten; a vault that cannot be read or
//! refuses its next write; a PSP22 token that refuses, traps or skims), with time
//! passing (also to the exact end of a license or an attestation, and the millisecond
//! before), against a model of the registry (`props/messages.rs`, `props/model.rs`;
//! the operations and their generator in `props/ops.rs`), which predicts each
//! message's result: its value, or the typed error its doc names, in the order the
//! checks run. Then:
//! - a refusal changed nothing a caller can observe (the fingerprint and the vaults'
//!   orders) and emitted nothing (the chain reverts the token transfer with the
//!   message: the harness puts the PSP22 ledger back);
//! - a success emitted exactly the events the model expects, field for field;
//! - a purchase opened one order for exactly the price and asset of the offer version
//!   the buyer saw, for the buyer, paying the owner, and moved exactly the price from
//!   the buyer to the vault; terms changed after the buyer's quote are refused;
//! - after every change every view equals the model: each model record, offer,
//!   attestation, rating and the admin state; every paged list (models, an owner's, a
//!   tag's, a model's offers and attestations, an account's licenses, per model) holds
//!   exactly its items, once each, in pages of at most `MAX_PAGE`; each license, its
//!   state and its order; each entitlement is the union of the recorded outcomes
//!   (granted only when the order was released in full) with at most
//!   `MAX_PENDING_LICENSES` pending; `has_valid_license` is what the outcomes grant;
//! - at the end, once every order has settled, anyone can record every license, and
//!   each records what its vault says.
//!
//! Counters (`Seen`) show at the end that every kind of step happened.

mod messages;
mod model;
mod ops;

use super::*;
use market_types::testing::psp22::Behaviour;
use market_types::{EscrowState, EscrowStatus};
use ops::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRunner};
use std::collections::{BTreeMap, BTreeSet};

const TAGS: [&str; 5] = ["llm", "vision", "audio", "speech", "new-tag"];
const DAY: u64 = 86_400_000;

fn people() -> [AccountId; 5] {
    let a = accounts();
    [a.alice, a.bob, a.charlie, a.django, a.eve]
}
fn person(w: u8) -> AccountId {
    people()[usize::from(w % 5)]
}
/// An allow-listed token that may refuse, trap or skim when a purchase calls it.
fn hostile_token() -> AccountId {
    AccountId::from([0x7B; 32])
}
fn vault_at(b: bool) -> AccountId {
    if b {
        vault_b()
    } else {
        vault_a()
    }
}
fn is_open(l: &License) -> bool {
    vault::with(l.vault, |v| {
        v.escrows.get(&l.escrow_id).map(|e| e.record.state)
    })
    .is_some_and(|s| s != EscrowState::Settled)
}

/// The name of a step's operation.
fn op_kind(what: &str) -> &str {
    what.split('(').next().unwrap_or_default()
}

/// Every item of a paged view; pages hold at most `MAX_PAGE` and always advance.
fn all<T>(mut page: impl FnMut(u64) -> Page<T>) -> Vec<T> {
    let (mut out, mut cursor) = (Vec::new(), Some(0));
    while let Some(at) = cursor {
        let p = page(at);
        assert!(p.items.len() <= MAX_PAGE as usize && p.next.is_none_or(|n| n > at));
        out.extend(p.items);
        cursor = p.next;
    }
    out
}

/// A model as the harness expects it: its record, offers, and auditors in order.
struct Expected {
    m: Model,
    offers: Vec<Offer>,
    auditors: Vec<AccountId>,
}

/// The registry under test and the model of what it should hold.
struct Run<'a> {
    c: ModelRegistry,
    now: Timestamp,
    steps: u32,
    models: Vec<Expected>,
    transfers: BTreeMap<ModelId, AccountId>,
    licenses: Vec<License>,
    used: BTreeMap<(AccountId, ModelId), u64>,
    rated: BTreeSet<(AccountId, ModelId)>,
    ratings: BTreeMap<ModelId, (u64, u32)>,
    attestations: BTreeMap<(ModelId, AccountId), Attestation>,
    auditors: BTreeSet<AccountId>,
    allowed: BTreeSet<AccountId>,
    paused: bool,
    vault: Option<AccountId>,
    periods: (u64, u64),
    max_royalty: Bps,
    admin: (AccountId, Option<AccountId>),
    /// The terms each buyer last read.
    quotes: BTreeMap<AccountId, Offer>,
    /// Vaults whose next write refuses.
    refusing: BTreeSet<AccountId>,
    behaviour: Behaviour,
    /// Licenses their buyers gave up while their vault could not be read.
    dropped: BTreeSet<LicenseId>,
    seen: &'a Seen,
}

impl Run<'_> {
    /// One step, then every view against the model when something changed (a refusal
    /// is shown to leave every view as it was, and the model did not change).
    fn step(&mut self, op: Op) {
        self.steps += 1;
        let what = format!("{op:?}");
        let changed = match op {
            Op::Quote(..) | Op::Vault(..) | Op::Wait(_) | Op::Expire(..) => self.outside(op),
            Op::Fill(w, m) => (1..=MAX_OFFERS_PER_MODEL as u128 + 1).all(|price| {
                let m = self.message(Op::AddOffer(w, m, LicenseKind::Perpetual, price, 0));
                self.send(&what, m)
            }),
            // The last buyer buys its last offer again and again.
            Op::Rush => (0..=MAX_PENDING_LICENSES).all(|_| {
                let last = self.licenses.last().map_or(0, |l| l.offer_id as u8);
                let m = self.message(Op::Buy(0, 0, last, 1, 0));
                self.send(&what, m)
            }),
            op => {
                let m = self.message(op);
                self.send(&what, m)
            }
        };
        if changed || matches!(op_kind(&what), "Fill" | "Rush") {
            self.check();
        }
    }

    /// Sends a message and checks the outcome: the predicted one; a refusal changed
    /// and emitted nothing; a success emitted exactly the events expected.
    fn send(&mut self, what: &str, Msg(who, exp, call, apply): Msg) -> bool {
        let before = exp.is_err().then(|| (self.snapshot(), psp22::snapshot()));
        let (events, calls) = (event_count(), vault::all_calls());
        set_caller(who);
        let got = call(&mut self.c);
        set_value(0);
        // No message loops over what an account bought: one read per pending license.
        let calls = vault::all_calls() - calls;
        assert!(
            calls <= MAX_PENDING_LICENSES as u32 + 1,
            "{calls} vault calls: {what}"
        );
        self.refusing
            .retain(|v| vault::with(*v, |v| v.refuse_next.is_some()));
        assert_eq!(got, exp, "{what}");
        let emitted: Vec<Vec<u8>> = test::recorded_events()
            .skip(events)
            .map(|e| e.data)
            .collect();
        if let (Err(e), Some((snapshot, tokens))) = (got, before) {
            self.seen.bump(&format!("{e:?}"));
            psp22::restore(tokens);
            assert!(
                self.snapshot() == snapshot,
                "refused but changed state: {what}"
            );
            assert!(emitted.is_empty(), "refused but emitted: {what}");
            return false;
        }
        self.seen.bump(op_kind(what));
        assert_eq!(emitted, apply(self), "events of {what}");
        true
    }

    /// What happens outside the registry: a buyer reading an offer, the vault's other
    /// parties and knobs, the token changing, time passing. Whether anything changed.
    fn outside(&mut self, op: Op) -> bool {
        match op {
            Op::Quote(w, m, o) => {
                // Mostly the last buyer, who is the most likely to buy next.
                let last = self.licenses.last().filter(|_| w % 2 == 0);
                let buyer = last.map_or(person(w), |l| l.buyer);
                let id = self.pick_model(m);
                let oid = self.pick_offer(id, o);
                let offer = self.c.offer(id, oid);
                assert_eq!(offer, self.offer(id, oid).ok());
                if let Some(offer) = offer {
                    self.quotes.insert(buyer, offer);
                }
                return false;
            }
            Op::Wait(ms) => {
                self.now = self.now.saturating_add(ms);
                set_now(self.now);
                return true;
            }
            Op::Expire(s, before) => {
                let end = |l: &License| match l.kind {
                    LicenseKind::TimeBound { duration_ms } => l
                        .released_at
                        .or(released(&status(l)))
                        .map(|at| at.saturating_add(duration_ms)),
                    _ => None,
                };
                let ends = self.licenses.iter().filter_map(end);
                let expiries = self.attestations.values().map(|a| a.expires_at);
                let later = |t: &u64| t.saturating_sub(u64::from(before)) > self.now;
                let times: Vec<u64> = ends.chain(expiries).filter(later).collect();
                let Some(to) = times.get(usize::from(s) % times.len().max(1)) else {
                    return false;
                };
                self.seen.bump("expired");
                self.now = to.saturating_sub(u64::from(before));
                set_now(self.now);
                return true;
            }
            _ => {}
        }
        let Op::Vault(l, op) = op else {
            unreachable!("a message")
        };
        let lic = self.license(self.pick_license(l, is_open)).ok();
        let (at, open) = (vault_at(l % 2 == 1), lic.filter(is_open));
        match (op, open) {
            (VaultOp::Settle(share), Some(l)) => {
                let reason = match share {
                    10_000 => SettleReason::AutoReleased,
                    0 => SettleReason::RefundedAfterDeadline,
                    _ => SettleReason::Resolved,
                };
                vault::settle(l.vault, l.escrow_id, reason, share);
                self.seen.bump(&format!("{reason:?}"));
            }
            (VaultOp::Dispute, Some(l)) => {
                let state = vault::escrow_of(l.vault, l.escrow_id).record.state;
                if state == EscrowState::Disputed {
                    return false;
                }
                vault::dispute(l.vault, l.escrow_id);
                self.seen.bump("disputed");
            }
            (VaultOp::Forget, _) => match lic {
                Some(l) => vault::forget(l.vault, l.escrow_id),
                None => return false,
            },
            (VaultOp::Unreadable(on), _) => vault::set_unreadable(at, on),
            (VaultOp::RefuseNext, _) => {
                vault::refuse_next(at, VaultError::NotController);
                self.refusing.insert(at);
            }
            _ => return false,
        }
        true
    }

    /// What a refusal must leave unchanged: the shared fingerprint (models, offers,
    /// lists, attestations, auditors, licenses, entitlements, ratings) and the vaults'
    /// orders; the other views (validity, license states) read those and the clock.
    fn snapshot(&self) -> Vec<u8> {
        let mut out = fingerprint(&self.c);
        for v in [vault_a(), vault_b()] {
            let orders = vault::with(v, |v| format!("{:?}{:?}", v.escrows, v.counted));
            out.extend(orders.into_bytes());
        }
        out
    }

    /// Every view against the model. Views emit nothing, and a page past the end (or any
    /// limit) is empty.
    fn check(&self) {
        let (c, n, limit) = (&self.c, self.models.len() as u64, self.steps % 12);
        let events = event_count();
        let (end, most) = (u64::MAX, u32::MAX);
        assert!(c.models(end, most).items.is_empty() && c.offers(1, end, most).items.is_empty());
        assert!(c.licenses_of(people()[3], end, most).items.is_empty());
        assert_eq!(c.model_count(), n);
        let listed = all(|at| c.models(at, limit));
        assert!(listed.iter().map(|(id, _)| *id).eq(1..=n));
        for ((id, got), e) in listed.iter().zip(&self.models) {
            let id = *id;
            assert_eq!(got, &e.m, "model {id}");
            assert_eq!(all(|at| c.offers(id, at, limit)), e.offers);
            let atts: Vec<_> = e
                .auditors
                .iter()
                .map(|a| self.attestations[&(id, *a)])
                .collect();
            assert_eq!(all(|at| c.attestations(id, at, limit)), atts);
            let (sum, count) = self.ratings.get(&id).copied().unwrap_or_default();
            assert_eq!(c.rating(id), (sum, count));
            let average = (count > 0).then(|| (sum * 100 / u64::from(count)) as u32);
            assert_eq!(c.average_rating_x100(id), average);
            assert_eq!(c.pending_transfer(id), self.transfers.get(&id).copied());
            for a in people() {
                let att = self.attestations.get(&(id, a));
                let live = att.is_some_and(|x| !x.revoked && x.expires_at > self.now);
                assert_eq!(
                    c.is_attestation_valid(id, a),
                    live && self.auditors.contains(&a)
                );
            }
        }
        let sorted = |page: Vec<(ModelId, Model)>| {
            let mut ids: Vec<ModelId> = page.into_iter().map(|(id, _)| id).collect();
            ids.sort();
            ids
        };
        let models_where = |f: &dyn Fn(&Model) -> bool| -> Vec<ModelId> {
            (1..)
                .zip(&self.models)
                .filter(|(_, e)| f(&e.m))
                .map(|(id, _)| id)
                .collect()
        };
        for tag in TAGS {
            let tagged =
                |m: &Model| m.status != ModelStatus::Delisted && m.tags.contains(&tag.into());
            let want = models_where(&tagged);
            assert_eq!(
                sorted(all(|at| c.models_by_tag(tag.into(), at, limit))),
                want
            );
            assert_eq!(c.tag_model_count(tag.into()) as usize, want.len());
        }
        assert_eq!(c.license_count(), self.licenses.len() as u64);
        // Every order is the buyer's, for its license; the vault holds exactly the price
        // of every PSP22 license paid into it (the kit's vault pays nothing out); the
        // registry never holds tokens.
        for (id, l) in (1..).zip(&self.licenses) {
            let order = vault::with(l.vault, |v| v.escrows.get(&l.escrow_id).cloned());
            assert!(order.is_none_or(|o| (o.record.payer, o.record.context) == (l.buyer, id)));
        }
        for t in [token(), hostile_token()] {
            assert_eq!(psp22::balance(t, registry_id()), 0);
            for v in [vault_a(), vault_b()] {
                let paid = self
                    .licenses
                    .iter()
                    .filter(|l| l.vault == v && l.asset == Asset::Psp22(t));
                assert_eq!(psp22::balance(t, v), paid.map(|l| l.price).sum::<Balance>());
            }
        }
        let mut ents = BTreeMap::new();
        for who in people() {
            let owned = models_where(&|m| m.owner == who);
            assert_eq!(sorted(all(|at| c.models_by_owner(who, at, limit))), owned);
            assert_eq!(c.owner_model_count(who) as usize, owned.len());
            assert_eq!(c.is_auditor(who), self.auditors.contains(&who));
            for id in 0..=n + 1 {
                let (e, _) = self.entitlement(who, id, false);
                assert!(e.pending.len() <= MAX_PENDING_LICENSES);
                assert_eq!(c.entitlement(who, id), e, "entitlement of {who:?} for {id}");
                let calls = vault::all_calls();
                assert_eq!(
                    c.has_valid_license(who, id),
                    self.valid(who, id, &e),
                    "valid: {id}"
                );
                assert!(vault::all_calls() - calls <= e.pending.len() as u32);
                if e.bought > 0 {
                    let page = all(|at| c.licenses_for_model(who, id, at, limit));
                    let mine = self.of(who, id).map(|(l, _)| l);
                    assert!(page.iter().map(|v| v.license_id).eq(mine));
                }
                ents.insert((who, id), e);
            }
        }
        for who in people() {
            let views = all(|at| c.licenses_of(who, at, limit));
            let mine = (1..).zip(&self.licenses).filter(|(_, l)| l.buyer == who);
            assert!(views
                .iter()
                .map(|v| v.license_id)
                .eq(mine.clone().map(|(id, _)| id)));
            assert_eq!(c.account_license_count(who) as usize, mine.count());
            for v in views {
                let l = &self.licenses[v.license_id as usize - 1];
                let state = self.state(l, &ents[&(l.buyer, l.model_id)]);
                assert_eq!((&v.license, v.state, v.escrow), (l, state, status(l)));
            }
        }
        let allowed = |t| c.is_asset_allowed(Asset::Psp22(t));
        assert_eq!(allowed(token()), self.allowed.contains(&token()));
        assert_eq!(
            allowed(hostile_token()),
            self.allowed.contains(&hostile_token())
        );
        let views = (
            c.paused(),
            c.vault(),
            c.purchase_periods(),
            c.max_royalty_bps(),
        );
        assert_eq!(
            views,
            (self.paused, self.vault, self.periods, self.max_royalty)
        );
        assert_eq!((c.admin(), c.pending_admin()), self.admin);
        assert_eq!(event_count(), events, "a view emitted");
    }
}

/// Runs `ops` after a start (two models, the second derived from the first, four
/// offers, two of them in the hostile token, one near `u128::MAX`, two auditors), then lets every order settle (released in full) and has a
/// stranger record every license (its buyer drops those its vault forgot): nothing
/// stays pending, and each outcome is the vault's.
fn replay(with_vault: bool, ops: Vec<Op>, seen: &Seen) {
    let mut c = setup();
    test::set_callee::<E>(registry_id());
    c.set_asset_allowed(token(), true).unwrap();
    c.set_asset_allowed(hostile_token(), true).unwrap();
    if with_vault {
        c.set_vault(vault_a()).unwrap();
    }
    let mut r = Run {
        c,
        now: T0,
        steps: 0,
        models: Vec::new(),
        transfers: BTreeMap::new(),
        licenses: Vec::new(),
        used: BTreeMap::new(),
        rated: BTreeSet::new(),
        ratings: BTreeMap::new(),
        attestations: BTreeMap::new(),
        auditors: BTreeSet::new(),
        allowed: BTreeSet::from([token(), hostile_token()]),
        paused: false,
        vault: with_vault.then(vault_a),
        periods: (DEFAULT_DELIVERY_PERIOD_MS, DEFAULT_REVIEW_WINDOW_MS),
        max_royalty: 2_000,
        admin: (accounts().alice, None),
        quotes: BTreeMap::new(),
        refusing: BTreeSet::new(),
        behaviour: Behaviour::Honest,
        dropped: BTreeSet::new(),
        seen,
    };
    let metered = LicenseKind::Metered { units: 10 };
    let day = LicenseKind::TimeBound { duration_ms: DAY };
    let start = [
        Op::Register(1, 0, 0, 0b1, 0),
        Op::Register(2, 1, 500, 0b11, 0),
        Op::AddOffer(0, 0, LicenseKind::Perpetual, 100, 0),
        Op::AddOffer(0, 0, metered, 7, 2),
        Op::AddOffer(0, 1, day, 50, 3),
        Op::AddOffer(0, 1, LicenseKind::Perpetual, u128::MAX - 1, 3),
        Op::Admin(0, AdminOp::Auditor(3, true)),
        Op::Admin(0, AdminOp::Auditor(4, true)),
    ];
    for op in start.into_iter().chain(ops) {
        r.step(op);
    }
    for v in [vault_a(), vault_b()] {
        vault::set_unreadable(v, false);
    }
    for l in r.licenses.iter().filter(|l| is_open(l)) {
        vault::settle(l.vault, l.escrow_id, SettleReason::AutoReleased, 10_000);
    }
    for id in 1..=r.licenses.len() as u64 {
        let l = r.license(id).unwrap();
        let m = r.sync(people()[4], l.buyer, l.model_id);
        r.send("final sync", m);
        if r.license(id).unwrap().granted.is_none() {
            let m = r.drop_license(0, id);
            r.send("final drop", m);
        }
        let (l, st) = (r.license(id).unwrap(), status(&l));
        let dropped = r.dropped.contains(&id);
        assert!(st.is_none() || dropped || l.granted == Some(released(&st).is_some()));
        assert!(l.granted.is_some());
    }
    r.check();
}

/// The one place where recording a settled order changes whether an account may use a
/// model, which `Run::kept` leaves out: a saturated metered pool. `Entitlement::record`
/// saturates on purpose (a seller's huge metered licenses must not jam an entitlement),
/// so once the owner's gateway has counted `u64::MAX` units, a released metered license
/// reads valid while unrecorded and adds nothing once recorded.
#[ink::test]
fn a_saturated_pool_is_the_one_place_recording_changes_validity() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.bob);
    let huge = LicenseKind::Metered { units: u64::MAX };
    assert_eq!(c.add_offer(id, huge, 3, Asset::Native), Ok(3));
    set_caller(a.charlie);
    let l = buy(&mut c, id, 3).unwrap();
    c.release_license(l).unwrap();
    set_caller(a.bob);
    assert_eq!(c.consume_units(a.charlie, id, u64::MAX), Ok(0));
    set_caller(a.charlie);
    let more = buy(&mut c, id, 1).unwrap();
    let (v, e) = escrow_of(&c, more);
    vault::settle(v, e, SettleReason::AutoReleased, 10_000);
    assert!(c.has_valid_license(a.charlie, id));
    assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
    assert!(!c.has_valid_license(a.charlie, id));
    assert_eq!(c.entitlement(a.charlie, id).units_bought, u64::MAX);
}

#[test]
fn the_registry_matches_its_model_for_any_sequence() {
    let seen = Seen::default();
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    });
    let input = (
        proptest::bool::weighted(0.9),
        proptest::collection::vec(op(), 1..60),
    );
    runner
        .run(&input, |(with_vault, ops)| {
            test::run_test::<E, _>(|_| {
                replay(with_vault, ops, &seen);
                Ok(())
            })
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))
        })
        .unwrap();
    let seen = seen.0.into_inner();
    println!("{seen:?}");
    let at_least = |what: &str, n: u32| {
        let times = seen.get(what).copied().unwrap_or(0);
        assert!(times >= n, "{what}: {times} times, fewer than {n}");
    };
    // Every kind of step succeeded, and every refusal the model predicts was met.
    let steps = "Register, SetTags, Deprecate, Delist, Transfer, Accept, CancelTransfer, \
        AddOffer, Fill, UpdateOffer, RetireOffer, Buy, Rush, Release, Sync, Drop, Consume, Rate, \
        Attest, Revoke, Admin, bought natively, bought in tokens, bought as quoted, \
        bought near u128::MAX, granted, not granted, disputed, AutoReleased, \
        RefundedAfterDeadline, Resolved, expired, final drop";
    for what in steps.split(", ") {
        at_least(what, 3);
    }
    let refusals = "OfferChanged, TooManyPendingLicenses, TooManyOffers, WrongPayment, \
        CannotBuyOwnModel, Overflow, Paused, VaultNotSet, ModelNotActive, OfferRetired, \
        Token(InsufficientAllowance), Token(InsufficientBalance), Token(ZeroSenderAddress), \
        TokenCallFailed, Vault(TokenTransferFailed), Vault(NotController), \
        Vault(EscrowNotFound), Vault(EscrowNotOpen), VaultStillAnswers, LicenseNotPending, \
        NotLicenseHolder, UnitsExhausted, NotMetered, ZeroUnits, LicenseNotReleased, \
        NotModelOwner, NoPendingTransfer, SameAccount, AssetNotAllowed, ZeroPrice, \
        InvalidLicenseTerms, RoyaltyAboveCap, RoyaltyWithoutParent, ParentDelisted, \
        ExpiryNotInFuture, NotAuditor, AttestationNotFound, InvalidRating";
    // A hostile token's refusals, its text cut to 64 bytes; a vault balance overflowing.
    let long = format!("Token(Custom({:?}))", "x".repeat(64));
    let token = [long.as_str(), "Token(Custom(\"overflow\"))"];
    for what in refusals.split(", ").chain(token) {
        at_least(&format!("Registry({what})"), 1);
    }
    for what in ["NotAdmin", "NotPendingAdmin", "InvalidPeriod", "OutOfRange"] {
        at_least(&format!("Admin({what})"), 1);
    }
}
