//! The operations of the property test: what each party may try, how they are drawn,
//! and for each the result predicted from the model and the vault — the typed error of
//! a refusal included — and, on success, the model's new state and the event checked.

use super::*;
use crate::events::{OfferPublished, OfferUpdated, RentalBooked, RentalExtended, RentalStarted};
use market_types::math::mul_div_floor;
use market_types::AdminError;

/// The hours `h` picks: below 2³¹ one of `lo..=hi`, else 0, `hi + 1` or `u32::MAX`.
pub(super) fn hours_of(h: u32, lo: u32, hi: u32) -> u32 {
    match h {
        0..0x8000_0000 => lo.saturating_add(h % hi.saturating_sub(lo).saturating_add(1)),
        _ => [0, hi.saturating_add(1), u32::MAX][h as usize % 3],
    }
}

/// Sets up a payment of `amount` by `payer`, a unit off as `off` says (-1 short, 1
/// over): the native value to send, or 0 with the tokens there and approved (short: a
/// unit less approved; over: 1 sent as value).
pub(super) fn pay(asset: Asset, payer: AccountId, amount: Balance, off: i8) -> Balance {
    let Asset::Psp22(t) = asset else {
        return amount.wrapping_add_signed(off.into());
    };
    psp22::set_balance(t, payer, amount);
    let approved = amount.saturating_sub(u128::from(off == -1));
    psp22::set_allowance(t, payer, market_id(), approved);
    u128::from(off == 1)
}

/// The checks of a payment `pay` set up, in the contract's order: the value, then the
/// token's transfer to the vault `to` (whose balance may not overflow).
pub(super) fn paid(asset: Asset, value: Balance, off: i8, to: AccountId, amount: Balance) -> Res {
    let Asset::Psp22(t) = asset else {
        return need(value == amount, WrongPayment);
    };
    need(value == 0, WrongPayment)?;
    let refused = Token(TokenError::InsufficientAllowance);
    need(off != -1, refused.clone())?;
    need(psp22::balance(t, to).checked_add(amount).is_some(), refused)
}

/// The native asset, or the token.
fn asset_of(tokens: bool) -> Asset {
    if tokens {
        Asset::Psp22(token())
    } else {
        Asset::Native
    }
}

/// `amount × bps / 10 000` through a wide product (not the contract's way).
pub(super) fn share(amount: Balance, bps: u16) -> Option<Balance> {
    mul_div_floor(amount, bps.into(), 10_000)
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Amount {
    Small(u128),
    /// The largest that fits `× per`, halved this many times.
    Top(u8),
    Raw(u128),
}

impl Amount {
    fn of(self, per: u128) -> Balance {
        match self {
            Amount::Small(n) | Amount::Raw(n) => n,
            Amount::Top(k) => (u128::MAX / per.max(1)) >> k,
        }
    }
}

/// What the vault's other parties do there.
#[derive(Clone, Copy, Debug)]
pub(super) enum AtVault {
    Claim,
    Dispute,
    Refund,
    Resolve(u16),
    Expire,
    /// By the arbiter, or by anyone after the ruling deadline.
    ReleaseHold(bool),
    Cancel,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Rule {
    Pause(bool),
    Ratios(u16, u16),
    MinCharge(u32),
    /// In tokens or not.
    MinCounted(bool, Balance),
    /// The second vault, or the first.
    Vault(bool),
}

/// The caller (`who`) and an offer or a rental (a pick) first; hours as `hours_of`
/// reads them; a payment a unit off as `pay` reads it.
#[derive(Clone, Debug)]
pub(super) enum Op {
    /// Capacity, price, (min, max) hours, in tokens, start window, payment.
    Publish(u8, u32, Amount, (u32, u32), bool, u64, i8),
    Update(u8, u8, Amount, (u32, u32)),
    Retire(u8, u8),
    /// GPUs, hours, a stale offer version, payment.
    Rent(u8, u8, u32, u32, bool, i8),
    Start(u8, u8),
    NoShow(u8),
    EndEarly(u8, u8),
    Extend(u8, u8, u32, i8),
    Settle(u8),
    Vault(AtVault, u8),
    Slash(u8, Amount),
    OwnerRelease(u8),
    Wait(u64),
    Admin(u8, Rule),
    /// The token or the vaults fail the next call that reaches them (see `arm`).
    Hostile(u8),
}

pub(super) fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        6 => (0u128..=40).prop_map(Amount::Small),
        3 => (0u8..3).prop_map(Amount::Top),
        1 => any::<u128>().prop_map(Amount::Raw),
    ]
}

pub(super) fn terms() -> impl Strategy<Value = (u32, u32)> {
    let h = || prop_oneof![16 => 1u32..=8, 1 => Just(0), 1 => MAX_HOURS - 1..=MAX_HOURS + 1];
    let swap = proptest::bool::weighted(0.05);
    (h(), h(), swap).prop_map(|(a, b, s)| {
        if s {
            (b.max(a), a.min(b))
        } else {
            (a.min(b), a.max(b))
        }
    })
}

pub(super) fn offset() -> impl Strategy<Value = i8> {
    prop_oneof![10 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)]
}

/// The collateral ratio and no-show penalty each sequence starts with (the admin sets
/// them): mostly the deployment's, sometimes a penalty as large as the collateral or a
/// ratio so small that cheap offers lock nothing.
pub(super) fn rules() -> impl Strategy<Value = Op> {
    let pairs = vec![(1, 1), (5_000, 5_000), (10_000, 10_000), (30_000, 10_000)];
    let ratios = prop_oneof![3 => Just((10_000, 2_500)), 2 => proptest::sample::select(pairs)];
    ratios.prop_map(|(r, n)| Op::Admin(5, Rule::Ratios(r, n)))
}

/// A valid offer, mostly: each sequence starts with a few.
pub(super) fn offer() -> impl Strategy<Value = Op> {
    let price =
        prop_oneof![3 => (1u128..=40).prop_map(Amount::Small), 1 => (0u8..3).prop_map(Amount::Top)];
    let terms = (
        1u32..=4,
        price,
        (1u32..=3, 4u32..=8),
        proptest::bool::weighted(0.3),
    );
    let all = (0u8..2, terms, 1..=2 * HOUR);
    all.prop_map(|(who, (cap, p, h, psp22), w)| Op::Publish(who, cap, p, h, psp22, w, 0))
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let who = || prop_oneof![0u8..5, 5u8..8];
    let one = || (who(), any::<u8>());
    let cap = prop_oneof![16 => 1u32..=4, 1 => Just(0), 1 => MAX_CAPACITY..=MAX_CAPACITY + 1];
    let window = prop_oneof![16 => 1..=2 * HOUR, 1 => Just(0), 1 => 10 * HOUR..=10 * HOUR + 1];
    let publish = (
        0u8..5,
        cap,
        (amount(), terms(), proptest::bool::weighted(0.3)),
        window,
        offset(),
    )
        .prop_map(|(w, cap, (p, h, t), win, off)| Op::Publish(w, cap, p, h, t, win, off));
    let gpus = prop_oneof![12 => 1u32..=2, 4 => 3u32..=4, 1 => Just(0), 1 => Just(u32::MAX)];
    let hours = || prop_oneof![8 => 0u32..1_000, 1 => any::<u32>()];
    let rent = (
        one(),
        gpus,
        hours(),
        proptest::bool::weighted(0.05),
        offset(),
    )
        .prop_map(|((w, o), g, h, stale, off)| Op::Rent(w, o, g, h, stale, off));
    let at = prop_oneof![
        2 => Just(AtVault::Claim),
        4 => Just(AtVault::Dispute),
        2 => Just(AtVault::Refund),
        2 => prop_oneof![0u16..=10_000, 4_999u16..=5_001].prop_map(AtVault::Resolve),
        1 => Just(AtVault::Expire),
        2 => any::<bool>().prop_map(AtVault::ReleaseHold),
        1 => Just(AtVault::Cancel),
    ];
    // The edges (a ratio of 1 bps makes tiny collateral, then a penalty of 100 %
    // outgrows it), and any pair.
    let ratios = prop_oneof![
        3 => proptest::sample::select(vec![
            (1, 0), (1, 1), (5_000, 5_000), (10_000, 2_500), (10_000, 10_000),
        ]),
        1 => (0u16..=30_001, 0u16..=10_001),
    ];
    let rule = prop_oneof![
        2 => proptest::bool::weighted(0.3).prop_map(Rule::Pause),
        2 => ratios.prop_map(|(r, n)| Rule::Ratios(r, n)),
        1 => (0u32..=25).prop_map(Rule::MinCharge),
        1 => (any::<bool>(), prop_oneof![0u128..=100, any::<u128>()])
            .prop_map(|(p, v)| Rule::MinCounted(p, v)),
        1 => any::<bool>().prop_map(Rule::Vault),
    ];
    let wait = prop_oneof![
        12 => 1..=WINDOW, 6 => 1..=2 * HOUR, 2 => 1..=12 * HOUR, 1 => Just(MAX_PERIOD_MS),
    ];
    prop_oneof![
        2 => publish,
        1 => (one(), amount(), terms()).prop_map(|((w, o), p, h)| Op::Update(w, o, p, h)),
        1 => one().prop_map(|(w, o)| Op::Retire(w, o)),
        8 => rent,
        6 => one().prop_map(|(w, r)| Op::Start(w, r)),
        1 => any::<u8>().prop_map(Op::NoShow),
        2 => one().prop_map(|(w, r)| Op::EndEarly(w, r)),
        3 => (one(), hours(), offset()).prop_map(|((w, r), h, p)| Op::Extend(w, r, h, p)),
        3 => any::<u8>().prop_map(Op::Settle),
        10 => (at, any::<u8>()).prop_map(|(a, r)| Op::Vault(a, r)),
        1 => (any::<u8>(), amount()).prop_map(|(o, a)| Op::Slash(o, a)),
        1 => any::<u8>().prop_map(Op::OwnerRelease),
        4 => wait.prop_map(Op::Wait),
        2 => (who(), rule).prop_map(|(w, r)| Op::Admin(w, r)),
        1 => any::<u8>().prop_map(Op::Hostile),
    ]
}

impl Run<'_> {
    pub(super) fn publish(&mut self, op: Op) -> Step {
        let Op::Publish(who, cap, price, (min_h, max_h), tokens, window, off) = op else {
            unreachable!()
        };
        let (provider, price) = (party(who), price.of(u128::from(cap) * u128::from(max_h)));
        let asset = asset_of(tokens);
        let collateral = cost(price, cap, max_h).and_then(|e| share(e, self.ratio));
        let value = pay(asset, provider, collateral.unwrap_or(0), off);
        let want = (|| -> Res {
            need(!self.paused, Paused)?;
            need((1..=MAX_CAPACITY).contains(&cap), InvalidCapacity)?;
            need(price > 0, ZeroPrice)?;
            need(min_h >= 1 && min_h <= max_h, InvalidHours)?;
            need(max_h <= MAX_HOURS, PeriodTooLong)?;
            need(window > 0 && window <= 10 * HOUR, InvalidStartWindow)?;
            let collateral = collateral.ok_or(Overflow)?;
            need(collateral > 0, ZeroCollateral)?;
            paid(asset, value, off, self.vault, collateral)
        })();
        set_caller(provider);
        set_value(value);
        let publish = |c: &mut ComputeMarket| {
            let (gpu, region, hash) = ("H100".into(), "eu-west".into(), hash(7));
            c.publish_offer(
                gpu, 80, cap, region, price, min_h, max_h, asset, hash, window,
            )
        };
        let id = self.call(want, "publish", publish)?;
        let lock = vault::with(self.vault, |v| v.collateral_count);
        let (o, locked) = (
            self.c.offer(id).expect("published").offer,
            collateral.unwrap(),
        );
        assert_eq!(id, self.offers.len() as u64 + 1);
        assert_eq!(
            (o.provider, o.asset, o.vault),
            (provider, asset, self.vault)
        );
        assert_eq!((o.capacity, o.min_hours, o.max_hours), (cap, min_h, max_h));
        assert_eq!((o.price_per_gpu_hour, o.start_window_ms), (price, window));
        assert_eq!((o.collateral_id, o.collateral), (lock, locked));
        assert_eq!(o.expires_at, self.now + MAX_PERIOD_MS);
        assert_eq!((o.version, o.status), (1, OfferStatus::Active));
        let e: OfferPublished = last_event();
        assert_eq!((e.offer_id, e.collateral_id), (id, lock));
        let (slashed, lock_gone) = (0, false);
        self.offers.push(MOffer {
            o,
            locked,
            slashed,
            lock_gone,
        });
        let what = if tokens { "publish_psp22" } else { "publish" };
        Ok(Done::Applied(what.into()))
    }

    /// The checks every provider message starts with.
    fn live(&self, id: OfferId, caller: AccountId) -> Res<&Offer> {
        let o = self.offer(id).ok_or(OfferNotFound)?;
        need(caller == o.provider, NotProvider)?;
        need(o.status != OfferStatus::Retired, OfferRetired)?;
        Ok(o)
    }

    pub(super) fn update(
        &mut self,
        who: u8,
        o: u8,
        price: Amount,
        (min_h, max_h): (u32, u32),
    ) -> Step {
        let id = pick(o, self.offers.len());
        let m = self.offer(id);
        let (caller, cap) = m.map_or((party(who), 1), |o| (actor(who, o.provider), o.capacity));
        let price = price.of(u128::from(cap) * u128::from(max_h));
        let want = self.live(id, caller).and_then(|_| {
            need(price > 0, ZeroPrice)?;
            need(min_h >= 1 && min_h <= max_h, InvalidHours)?;
            need(max_h <= MAX_HOURS, PeriodTooLong)?;
            let needed = cost(price, cap, max_h).and_then(|e| share(e, self.ratio));
            let needed = needed.ok_or(Overflow)?;
            need(needed <= self.collateral(id), CollateralShort)
        });
        set_caller(caller);
        self.call(want, "update", |c| c.update_offer(id, price, min_h, max_h))?;
        let o = &mut self.offers[idx(id)].o;
        (o.price_per_gpu_hour, o.min_hours, o.max_hours) = (price, min_h, max_h);
        o.version += 1;
        let _: OfferUpdated = last_event();
        Ok(Done::Applied("update".into()))
    }

    pub(super) fn retire(&mut self, who: u8, o: u8) -> Step {
        let id = pick(o, self.offers.len());
        let caller = self
            .offer(id)
            .map_or(party(who), |o| actor(who, o.provider));
        let open = self.of_offer(id).any(|m| m.r.status != Closed);
        let mut released = true;
        let want = self.live(id, caller).and_then(|o| {
            need(!open, RentalsOpen)?;
            let lock = vault::lock(o.vault, o.collateral_id);
            released = !lock.released;
            need(lock.released || lock.open == 0, CollateralHeld)
        });
        set_caller(caller);
        self.call(want, "retire", |c| c.retire_offer(id))?;
        let m = &mut self.offers[idx(id)];
        (m.o.status, m.lock_gone) = (OfferStatus::Retired, true);
        let e: crate::events::OfferRetired = last_event();
        assert_eq!((e.offer_id, e.released), (id, released));
        let what = if released {
            "retire"
        } else {
            "retire_unreleased"
        };
        Ok(Done::Applied(what.into()))
    }

    pub(super) fn rent(&mut self, op: Op) -> Step {
        let Op::Rent(who, o, gpus, h, stale, off) = op else {
            unreachable!()
        };
        let (renter, id) = (actor(who, accounts().django), pick(o, self.offers.len()));
        let m = self.offer(id);
        let hours = m.map_or(1, |o| hours_of(h, o.min_hours, o.max_hours));
        let amount = m.and_then(|o| cost(o.price_per_gpu_hour, gpus, hours));
        let asset = m.map_or(Asset::Native, |o| o.asset);
        let value = pay(asset, renter, amount.unwrap_or(0), off);
        let penalty = amount.map_or(0, |a| share(a, self.no_show).unwrap());
        let want = (|| -> Res {
            need(!self.paused, Paused)?;
            let o = m.ok_or(OfferNotFound)?;
            need(o.status == OfferStatus::Active, OfferNotActive)?;
            need(self.now < o.expires_at, OfferExpired)?;
            need(!stale, OfferChanged)?;
            need(renter != o.provider, CannotRentOwnOffer)?;
            need(gpus >= 1, ZeroGpus)?;
            let allowed = o.min_hours..=o.max_hours;
            need(allowed.contains(&hours), HoursOutOfRange)?;
            need(gpus <= o.capacity - self.in_use(id), CapacityExceeded)?;
            let amount = amount.ok_or(Overflow)?;
            let reserved = self.reserved(id).checked_add(penalty).ok_or(Overflow)?;
            need(reserved <= self.collateral(id), CollateralShort)?;
            paid(asset, value, off, o.vault, amount)?;
            let lock = vault::lock(o.vault, o.collateral_id);
            need(!lock.released, Vault(VaultError::CollateralNotFound))?;
            need(penalty <= lock.amount, Vault(VaultError::InvalidPenalty))
        })();
        let version = m.map_or(1, |o| o.version + u32::from(stale));
        set_caller(renter);
        set_value(value);
        let rid = self.call(want, "rent", |c| c.rent(id, gpus, hours, version))?;
        let (o, r) = (&self.offers[idx(id)].o, self.c.rental(rid).expect("booked"));
        let (amount, now) = (amount.unwrap(), self.now);
        let min_payout = cost(o.price_per_gpu_hour, gpus, hours.min(self.min_charge));
        let escrow = vault::with(o.vault, |v| v.escrow_count);
        assert_eq!((rid, r.offer_id), (self.rentals.len() as u64 + 1, id));
        assert_eq!(
            (r.offer_version, r.renter, r.provider),
            (version, renter, o.provider)
        );
        assert_eq!((r.gpus, r.hours, r.max_hours), (gpus, hours, o.max_hours));
        assert_eq!(
            (r.price_per_gpu_hour, r.asset),
            (o.price_per_gpu_hour, asset)
        );
        assert_eq!((r.paid, r.no_show_penalty), (amount, penalty));
        assert_eq!((Some(r.min_payout), r.booked_at), (min_payout, now));
        assert_eq!((r.start_by, r.vault), (now + o.start_window_ms, o.vault));
        assert_eq!((r.status, r.started_at, r.outcome), (Booked, None, None));
        // The vault's stream is checked every step; here what the booking sent it.
        let sent = vault::escrow_of(o.vault, escrow).sent;
        assert_eq!(
            (r.escrow_id, sent),
            (escrow, amount * u128::from(asset == Asset::Native))
        );
        let e: RentalBooked = last_event();
        assert_eq!((e.rental_id, e.amount, e.escrow_id), (rid, amount, escrow));
        let (paid_penalty, recorded) = (0, 0);
        self.rentals.push(MRental {
            r,
            paid_penalty,
            recorded,
        });
        let kind = match asset {
            _ if amount > u128::MAX / 8 => "rent_huge",
            Asset::Psp22(_) => "rent_psp22",
            Asset::Native => "rent",
        };
        Ok(Done::Applied(kind.into()))
    }

    pub(super) fn start(&mut self, who: u8, r: u8) -> Step {
        let id = self.rental_id(r);
        let caller = self
            .rental(id)
            .map_or(party(who), |r| actor(who, r.provider));
        let want = self.rental(id).ok_or(RentalNotFound).and_then(|r| {
            need(caller == r.provider, NotProvider)?;
            need(r.status == Booked, RentalNotBooked)?;
            need(self.now <= r.start_by, StartWindowPassed)?;
            let waiting = Self::state(&r) == S::Waiting;
            need(waiting, Vault(VaultError::EscrowNotOpen))
        });
        set_caller(caller);
        self.call(want, "start", |c| c.start(id, hash(9)))?;
        let r = &mut self.rentals[idx(id)].r;
        (r.status, r.started_at, r.access_hash) = (Running, Some(self.now), Some(hash(9)));
        let e: RentalStarted = last_event();
        assert_eq!(e.ends_at, self.now + u64::from(r.hours) * HOUR);
        Ok(Done::Applied("start".into()))
    }

    pub(super) fn no_show(&mut self, r: u8) -> Step {
        let id = self.rental_id(r);
        let mut closes = None;
        let want = self.rental(id).ok_or(RentalNotFound).and_then(|r| {
            need(r.status == Booked, RentalNotBooked)?;
            need(self.now > r.start_by, StartWindowOpen)?;
            // The market cancels a waiting stream (the vault pays the penalty now, at
            // most what the lock holds), or records how the vault settled it.
            let lock = vault::lock(r.vault, self.offers[idx(r.offer_id)].o.collateral_id);
            let cancelled = (Outcome::NoShow, r.no_show_penalty.min(lock.amount), true);
            closes = match Self::state(&r) {
                S::Waiting => Some(cancelled),
                _ => self.settled(&r).map(|(o, p)| (o, p, false)),
            };
            need(closes.is_some(), Vault(VaultError::EscrowNotOpen))
        });
        set_caller(accounts().django);
        self.call(want, "no_show", |c| c.cancel_no_show(id))?;
        let (outcome, penalty, now) = closes.expect("closes");
        if now {
            self.rentals[idx(id)].paid_penalty = penalty;
        }
        self.close(id, outcome, penalty);
        let what = if now { "no_show" } else { "no_show_at_vault" };
        Ok(Done::Applied(what.into()))
    }

    pub(super) fn end_early(&mut self, who: u8, r: u8) -> Step {
        let id = self.rental_id(r);
        let caller = self.rental(id).map_or(party(who), |r| actor(who, r.renter));
        let want = self.rental(id).ok_or(RentalNotFound).and_then(|r| {
            need(caller == r.renter, NotRenter)?;
            self.still_running(&r)?;
            Self::stream_open(&r)
        });
        let credits = |r: &Rental| {
            let credit = |who| vault::credit(r.vault, r.asset, who);
            (credit(r.provider), credit(r.renter))
        };
        let claimed = |r: &Rental| vault::escrow_of(r.vault, r.escrow_id).stream().paid_out;
        let before = self.rental(id).map(|r| (credits(&r), claimed(&r)));
        set_caller(caller);
        self.call(want, "end_early", |c| c.end_early(id))?;
        let (r, ((provider, renter), claimed)) = (self.rentals[idx(id)].r, before.unwrap());
        let now = credits(&r);
        // The provider is paid at least the minimum charge, for a withdrawn booking
        // exactly that and the renter the rest (the stand-in's credits saturate).
        let outcome = if r.status == Running {
            let all = claimed.saturating_add(now.0 - provider);
            let ok = all >= r.min_payout || now.0 == u128::MAX;
            assert!(ok, "paid below the minimum");
            Outcome::EndedEarly
        } else {
            let rest = r.paid - r.min_payout;
            let to = |had: Balance, got| had.saturating_add(got);
            let want = (to(provider, r.min_payout), to(renter, rest));
            assert_eq!(now, want, "withdrawn: the minimum charge, the rest back");
            Outcome::Withdrawn
        };
        self.close(id, outcome, 0);
        Ok(Done::Applied(format!("{outcome:?}")))
    }

    pub(super) fn extend(&mut self, who: u8, r: u8, extra: u32, off: i8) -> Step {
        let id = self.rental_id(r);
        let Some(r) = self.rental(id) else {
            set_caller(party(who));
            self.call(Err(RentalNotFound), "extend", |c| c.extend(id, 1))?;
            unreachable!("refused");
        };
        let caller = actor(who, r.renter);
        let extra = hours_of(extra, 1, r.max_hours.saturating_sub(r.hours));
        let added = cost(r.price_per_gpu_hour, r.gpus, extra);
        let value = pay(r.asset, r.renter, added.unwrap_or(0), off);
        let want = (|| -> Res {
            need(caller == r.renter, NotRenter)?;
            self.still_running(&r)?;
            need(extra >= 1, ZeroHours)?;
            let hours = r.hours.checked_add(extra).ok_or(Overflow)?;
            need(hours <= r.max_hours, HoursOutOfRange)?;
            let added = added.expect("within the offer's exposure");
            paid(r.asset, value, off, r.vault, added)?;
            Self::stream_open(&r)
        })();
        set_caller(caller);
        set_value(value);
        self.call(want, "extend", |c| c.extend(id, extra))?;
        let (r, added) = (&mut self.rentals[idx(id)].r, added.unwrap());
        (r.hours, r.paid) = (r.hours + extra, r.paid + added);
        let e: RentalExtended = last_event();
        assert_eq!((e.extra_hours, e.hours, e.added), (extra, r.hours, added));
        Ok(Done::Applied("extend".into()))
    }

    pub(super) fn settle(&mut self, r: u8) -> Step {
        let id = self.rental_id(r);
        let mut closes = None;
        let want = self.rental(id).ok_or(RentalNotFound).and_then(|r| {
            need(r.status != Closed, RentalClosed)?;
            closes = self.settled(&r);
            let frozen = Self::state(&r) == S::Disputed;
            match (r.status, Self::end(&r)) {
                _ if closes.is_some() => Ok(()),
                (Booked | Running, _) if frozen => Ok(()),
                (Running, Some(end)) => need(self.now >= end, RentalNotOver),
                (Ended, _) => Err(OutcomePending),
                _ => Err(RentalNotStarted),
            }
        });
        set_caller(accounts().eve);
        self.call(want, "settle", |c| c.settle(id))?;
        if let Some((outcome, penalty)) = closes {
            self.close(id, outcome, penalty);
            return Ok(Done::Applied(format!("settle:{outcome:?}")));
        }
        let r = &mut self.rentals[idx(id)].r;
        r.status = Ended;
        let e: RentalSettled = last_event();
        let got = (e.rental_id, e.gpus_returned, e.outcome);
        assert_eq!(got, (id, r.gpus, None));
        Ok(Done::Applied("settle:ended".into()))
    }

    /// Whether the vault lets its other parties do `act` to rental `r`'s stream now.
    fn can(&self, act: AtVault, r: &Rental) -> bool {
        let rec = vault::escrow_of(r.vault, r.escrow_id).record;
        let late = rec.dispute.is_some_and(|d| d.ruling_deadline <= self.now);
        let held = rec.dispute.is_some_and(|d| d.collateral_held);
        match act {
            AtVault::Claim => rec.state == S::Streaming,
            AtVault::Dispute => rec.state == S::Streaming && Self::end(r) > Some(self.now),
            AtVault::Refund => rec.state != S::Settled,
            AtVault::Resolve(_) => rec.state == S::Disputed,
            AtVault::Expire => rec.state == S::Disputed && late,
            AtVault::ReleaseHold(by_arbiter) => held && (by_arbiter || late),
            AtVault::Cancel => rec.state == S::Waiting && self.now > r.start_by,
        }
    }

    /// What the vault's other parties do there, to a rental (the `r`-th of those the
    /// vault lets them) behind the market's back.
    pub(super) fn at_vault(&mut self, act: AtVault, r: u8) -> Done {
        let mut ids = self.ids(|x| self.can(act, x));
        // Every other refund, of a disputed stream if there is one.
        let disputed = |id: &u64| self.can(AtVault::Resolve(0), &self.rentals[idx(*id)].r);
        if matches!(act, AtVault::Refund) && r % 2 == 0 && ids.iter().any(disputed) {
            ids.retain(disputed);
        }
        let Some(&id) = ids.get(usize::from(r) % ids.len().max(1)) else {
            return Done::Skip;
        };
        let m = &mut self.rentals[idx(id)];
        let (v, e) = (m.r.vault, m.r.escrow_id);
        let disputed = vault::escrow_of(v, e).record.state == S::Disputed;
        match act {
            AtVault::Claim => vault::claim(v, e),
            AtVault::Dispute => vault::dispute(v, e),
            AtVault::Refund => m.paid_penalty = vault::payee_refund(v, e),
            AtVault::Resolve(bps) => answered(vault::resolve(v, e, bps)),
            AtVault::Expire => answered(vault::expire_dispute(v, e)),
            AtVault::ReleaseHold(by_arbiter) => {
                vault::set_refusing(v, !by_arbiter);
                answered(vault::release_hold(v, e));
                vault::set_refusing(v, false);
            }
            AtVault::Cancel => m.paid_penalty = answered(vault::cancel_unstarted(v, e)),
        }
        Done::Outside(match act {
            AtVault::Claim => "vault:claim",
            AtVault::Dispute => "vault:dispute",
            AtVault::Refund if disputed => "vault:refund_disputed",
            AtVault::Refund => "vault:refund",
            AtVault::Resolve(_) => "vault:resolve",
            AtVault::Expire => "vault:expire",
            AtVault::ReleaseHold(_) => "vault:release_hold",
            AtVault::Cancel => "vault:cancel",
        })
    }

    pub(super) fn slash(&mut self, o: u8, a: Amount) -> Done {
        let id = pick(o, self.offers.len());
        let Some(o) = self.offer(id) else {
            return Done::Skip;
        };
        let (v, lock_id) = (o.vault, o.collateral_id);
        let lock = vault::lock(v, lock_id);
        let amount = a.of(1).min(lock.amount);
        if lock.released || amount == 0 {
            return Done::Skip;
        }
        let to = vec![(accounts().django, amount)];
        answered(vault::slash_collateral(v, lock_id, to));
        self.offers[idx(id)].slashed += amount;
        Done::Outside("vault:slash")
    }

    pub(super) fn owner_release(&mut self, o: u8) -> Done {
        let id = pick(o, self.offers.len());
        let Some(o) = self.offer(id) else {
            return Done::Skip;
        };
        if vault::owner_releases(o.vault, o.collateral_id).is_err() {
            return Done::Skip;
        }
        self.offers[idx(id)].lock_gone = true;
        Done::Outside("vault:owner_released")
    }

    pub(super) fn admin(&mut self, who: u8, rule: Rule) -> Step {
        let caller = actor(who, accounts().alice);
        let in_range = match rule {
            Rule::Ratios(r, n) => (1..=30_000).contains(&r) && n <= 10_000 && n <= r,
            Rule::MinCharge(h) => h <= MAX_MIN_CHARGE_HOURS,
            _ => true,
        };
        let want = match (caller == accounts().alice, in_range) {
            (false, _) => Err(AdminError::NotAdmin),
            (_, false) => Err(AdminError::OutOfRange),
            _ => Ok(()),
        };
        let before = want.is_err().then(|| snapshot(&self.c));
        set_caller(caller);
        let got = match rule {
            Rule::Pause(p) => self.c.set_paused(p),
            Rule::Ratios(r, n) => self.c.set_ratios(r, n),
            Rule::MinCharge(h) => self.c.set_rental_rules(h),
            Rule::MinCounted(t, v) => self.c.set_min_counted_value(asset_of(t), v),
            Rule::Vault(b) => self.c.set_vault(if b { vault_b() } else { vault() }),
        };
        assert_eq!(got, want, "{rule:?}");
        if let (Err(e), Some(before)) = (want, before) {
            assert_eq!(snapshot(&self.c), before, "{rule:?} wrote or emitted");
            return Err(Done::Refused(format!("admin:{e:?}")));
        }
        match rule {
            Rule::Pause(p) => self.paused = p,
            Rule::Ratios(r, n) => (self.ratio, self.no_show) = (r, n),
            Rule::MinCharge(h) => self.min_charge = h,
            Rule::MinCounted(t, v) => self.min_counted[usize::from(t)] = v,
            Rule::Vault(b) => self.vault = if b { vault_b() } else { vault() },
        }
        Ok(Done::Applied("admin".into()))
    }
}
