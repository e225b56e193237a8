//! Each message as the model predicts it: what it should answer (its value, or the
//! typed error its checks give first), what a success changes, and the events it
//! emits, each encoded as the tuple of its fields (which encodes the same).

use super::*;
use market_types::{ensure, EscrowTerms};

impl Run<'_> {
    /// The message of `op`, with the model's prediction and the events of a success.
    pub(super) fn message(&mut self, op: Op) -> Msg {
        let now = self.now;
        match op {
            Op::Register(w, p, royalty, mask, bad) => {
                let (owner, model_id) = (person(w), self.models.len() as u64 + 1);
                let parent = (p % 2 != 0).then(|| self.pick_model(p));
                let (name, uri, tags) = inputs(bad, mask);
                let exp = (|| {
                    ensure!(!self.paused, Error::Paused);
                    ensure!((1..=MAX_NAME_LEN).contains(&name.len()), Error::InvalidName);
                    ensure!((1..=MAX_URI_LEN).contains(&uri.len()), Error::InvalidUri);
                    tags_ok(&tags)?;
                    let Some(parent) = parent else {
                        ensure!(royalty == 0, Error::RoyaltyWithoutParent);
                        return Ok(model_id);
                    };
                    let pm = self.model(parent).map_err(|_| Error::ParentNotFound)?;
                    ensure!(pm.m.status != ModelStatus::Delisted, Error::ParentDelisted);
                    ensure!(royalty <= self.max_royalty, Error::RoyaltyAboveCap);
                    Ok(model_id)
                })();
                let (hash, version, status) = (hash(1), v(1, 0, 0), ModelStatus::Active);
                let (name_uri, t) = ((name.clone(), uri.clone()), tags.clone());
                let m = Model {
                    owner,
                    name,
                    metadata_uri: uri,
                    weights_hash: hash,
                    version,
                    parent,
                    royalty_bps: royalty,
                    tags,
                    status,
                    offer_count: 0,
                    auditor_count: 0,
                    created_at: now,
                    updated_at: now,
                };
                let event = (
                    model_id,
                    owner,
                    parent,
                    royalty,
                    name_uri.clone(),
                    hash,
                    version,
                );
                let call = move |c: &mut ModelRegistry| {
                    let (name, uri) = name_uri;
                    val(c.register_model(name, uri, hash, version, parent, royalty, t))
                };
                msg(owner, exp, call, move |r| {
                    let (offers, auditors) = (Vec::new(), Vec::new());
                    r.models.push(Expected {
                        m,
                        offers,
                        auditors,
                    });
                    ev(event) // ModelRegistered
                })
            }
            Op::SetTags(w, m, mask, bad) => {
                let id = self.pick_model(m);
                let (who, tags) = (party(w, self.owner(id)), inputs(bad, mask).2);
                let exp = self.live(id, who).and_then(|_| tags_ok(&tags));
                let t = tags.clone();
                msg(
                    who,
                    exp,
                    move |c| unit(c.set_tags(id, t)),
                    move |r| {
                        r.touch(id).m.tags.clone_from(&tags);
                        ev((id, tags)) // ModelTagsUpdated
                    },
                )
            }
            Op::Deprecate(w, m, s) => {
                let id = self.pick_model(m);
                let who = party(w, self.owner(id));
                let successor = (s % 3 != 0).then(|| self.pick_model(s));
                let exp = self.active(id, who).and_then(|_| {
                    let Some(s) = successor else { return Ok(0) };
                    ensure!(s != id, Error::InvalidSuccessor);
                    let next = self.model(s).map_err(|_| Error::SuccessorNotFound)?;
                    ensure!(
                        next.m.status != ModelStatus::Delisted,
                        Error::InvalidSuccessor
                    );
                    Ok(0)
                });
                msg(
                    who,
                    exp,
                    move |c| unit(c.deprecate(id, successor)),
                    move |r| {
                        r.touch(id).m.status = ModelStatus::Deprecated { successor };
                        ev((id, successor)) // ModelDeprecated
                    },
                )
            }
            Op::Delist(w, m) => {
                let id = self.pick_model(m);
                let who = party(w, self.owner(id));
                let exp = self.live(id, who).map(|_| 0);
                msg(
                    who,
                    exp,
                    move |c| unit(c.delist(id)),
                    move |r| {
                        r.touch(id).m.status = ModelStatus::Delisted;
                        ev(id) // ModelDelisted
                    },
                )
            }
            Op::Transfer(w, m, t) => {
                let (id, to) = (self.pick_model(m), person(t));
                let from = self.owner(id);
                let who = party(w, from);
                let exp = self.owned(id, who).and_then(|_| {
                    ensure!(to != from, Error::SameAccount);
                    Ok(0)
                });
                msg(
                    who,
                    exp,
                    move |c| unit(c.transfer_model(id, to)),
                    move |r| {
                        r.transfers.insert(id, to);
                        ev((id, from, to)) // ModelTransferOffered
                    },
                )
            }
            Op::Accept(w, m) => {
                let id = self.pick_in(self.transfers.keys().copied(), m);
                let (to, from) = (self.transfers.get(&id).copied(), self.owner(id));
                let who = party(w, to.unwrap_or(from));
                let exp = self.model(id).and_then(|_| {
                    ensure!(to.is_some(), Error::NoPendingTransfer);
                    ensure!(to == Some(who), Error::NotPendingOwner);
                    Ok(0)
                });
                msg(
                    who,
                    exp,
                    move |c| unit(c.accept_model(id)),
                    move |r| {
                        r.touch(id).m.owner = who;
                        r.transfers.remove(&id);
                        ev((id, from, who)) // ModelOwnershipTransferred
                    },
                )
            }
            Op::CancelTransfer(w, m) => {
                let id = self.pick_in(self.transfers.keys().copied(), m);
                let (who, to) = (party(w, self.owner(id)), self.transfers.get(&id).copied());
                let pending = to.map(|_| 0).ok_or(Error::NoPendingTransfer);
                let exp = self.owned(id, who).and(pending);
                msg(
                    who,
                    exp,
                    move |c| unit(c.cancel_model_transfer(id)),
                    move |r| {
                        r.transfers.remove(&id);
                        ev((id, to.unwrap())) // ModelTransferCancelled
                    },
                )
            }
            Op::AddOffer(w, m, kind, price, a) => {
                let (id, asset) = (self.pick_model(m), asset(a));
                let who = party(w, self.owner(id));
                let exp = (|| {
                    ensure!(!self.paused, Error::Paused);
                    let n = self.active(id, who)?.offers.len();
                    self.terms(kind, price, asset)?;
                    ensure!(n < MAX_OFFERS_PER_MODEL as usize, Error::TooManyOffers);
                    Ok(n as u64)
                })();
                let oid = *exp.as_ref().unwrap_or(&0) as OfferId;
                let status = OfferStatus::Active;
                let offer = Offer {
                    model_id: id,
                    offer_id: oid,
                    kind,
                    price,
                    asset,
                    status,
                    version: 1,
                };
                msg(
                    who,
                    exp,
                    move |c| val(c.add_offer(id, kind, price, asset)),
                    move |r| {
                        let e = r.touch(id);
                        e.offers.push(offer);
                        e.m.offer_count += 1;
                        ev((id, oid, kind, price, asset)) // OfferAdded
                    },
                )
            }
            Op::UpdateOffer(w, m, o, kind, price, a) => {
                let (id, asset) = (self.pick_model(m), asset(a));
                let (oid, who) = (self.pick_offer(id, o), party(w, self.owner(id)));
                let exp = self.live(id, who).and_then(|_| self.active_offer(id, oid));
                let exp = exp.and_then(|_| self.terms(kind, price, asset));
                let call =
                    move |c: &mut ModelRegistry| unit(c.update_offer(id, oid, kind, price, asset));
                msg(who, exp, call, move |r| {
                    let o = &mut r.models[id as usize - 1].offers[oid as usize];
                    (o.kind, o.price, o.asset, o.version) = (kind, price, asset, o.version + 1);
                    ev((id, oid, o.version, kind, price, asset)) // OfferUpdated
                })
            }
            Op::RetireOffer(w, m, o) => {
                let id = self.pick_model(m);
                let (oid, who) = (self.pick_offer(id, o), party(w, self.owner(id)));
                let exp = self.owned(id, who).and_then(|_| self.active_offer(id, oid));
                msg(
                    who,
                    exp.map(|_| 0),
                    move |c| unit(c.retire_offer(id, oid)),
                    move |r| {
                        r.models[id as usize - 1].offers[oid as usize].status =
                            OfferStatus::Retired;
                        ev((id, oid)) // OfferRetired
                    },
                )
            }
            Op::Buy(w, m, o, q, pay) => self.buy(w, (m, o), q, pay),
            Op::Release(w, l) => {
                let id = self.pick_license(l, is_open);
                let lic = self.license(id);
                let who = party(w, lic.as_ref().map_or(people()[0], |l| l.buyer));
                let exp = lic.and_then(|l| {
                    ensure!(who == l.buyer, Error::NotLicenseHolder);
                    let refused = Error::Vault(VaultError::NotController);
                    ensure!(!self.refusing.contains(&l.vault), refused);
                    let order = vault::with(l.vault, |v| {
                        v.escrows.get(&l.escrow_id).map(|e| e.record.state)
                    });
                    let state = order.ok_or(Error::Vault(VaultError::EscrowNotFound))?;
                    let open = matches!(state, EscrowState::Funded | EscrowState::Delivered);
                    ensure!(open, Error::Vault(VaultError::EscrowNotOpen));
                    Ok(0)
                });
                msg(
                    who,
                    exp,
                    move |c| unit(c.release_license(id)),
                    move |r| r.record(&[(id, Some(now))]),
                )
            }
            Op::Sync(w, a) => {
                let (account, id) = self.pick_pair(a, false);
                self.sync(person(w), account, id)
            }
            Op::Drop(w, l) => self.drop_license(w, self.pick_license(l, |l| l.granted.is_none())),
            Op::Consume(w, a, units) => {
                let (account, id) = self.pick_pair(a, true);
                let who = party(w, self.owner(id));
                let (e, recs) = self.entitlement(account, id, true);
                let units = units.unwrap_or(e.units_bought.saturating_sub(e.units_used));
                let exp = self.owned(id, who).and_then(|_| {
                    ensure!(units != 0, Error::ZeroUnits);
                    ensure!(e.units_bought != 0, Error::NotMetered);
                    let used = e.units_used.checked_add(units);
                    let left = used.and_then(|u| e.units_bought.checked_sub(u));
                    left.ok_or(Error::UnitsExhausted)
                });
                let left = *exp.as_ref().unwrap_or(&0);
                let call = move |c: &mut ModelRegistry| val(c.consume_units(account, id, units));
                msg(who, exp, call, move |r| {
                    *r.used.entry((account, id)).or_default() += units;
                    let mut events = r.record(&recs);
                    events.extend(ev((id, account, units, left))); // UnitsConsumed
                    events
                })
            }
            Op::Rate(a, stars) => {
                let (rater, id) = self.pick_pair(a, false);
                let (e, recs) = self.entitlement(rater, id, true);
                let exp = (|| {
                    ensure!((1..=5).contains(&stars), Error::InvalidRating);
                    self.model(id)?;
                    ensure!(!e.rated, Error::AlreadyRated);
                    ensure!(e.granted != 0, Error::LicenseNotReleased);
                    Ok(0)
                })();
                msg(
                    rater,
                    exp,
                    move |c| unit(c.rate_model(id, stars)),
                    move |r| {
                        r.rated.insert((rater, id));
                        let t = r.ratings.entry(id).or_default();
                        *t = (t.0 + u64::from(stars), t.1 + 1);
                        let mut events = r.record(&recs);
                        events.extend(ev((id, rater, stars))); // ModelRated
                        events
                    },
                )
            }
            Op::Attest(w, m, expiry) => {
                let auditors: Vec<_> = self.auditors.iter().copied().collect();
                let some = auditors.get(usize::from(m) % auditors.len().max(1));
                let (auditor, id) = (party(w, *some.unwrap_or(&person(w))), self.pick_model(m));
                let (report, expires_at) = (hash(2), now.saturating_add(expiry));
                let exp = (|| {
                    ensure!(self.auditors.contains(&auditor), Error::NotAuditor);
                    let e = self.model(id)?;
                    ensure!(e.m.status != ModelStatus::Delisted, Error::ModelDelisted);
                    ensure!(expires_at > now, Error::ExpiryNotInFuture);
                    Ok(0)
                })();
                let a = Attestation {
                    model_id: id,
                    auditor,
                    report_hash: report,
                    issued_at: now,
                    expires_at,
                    revoked: false,
                };
                let call = move |c: &mut ModelRegistry| unit(c.attest(id, report, expires_at));
                msg(auditor, exp, call, move |r| {
                    if r.attestations.insert((id, auditor), a).is_none() {
                        let e = &mut r.models[id as usize - 1];
                        e.auditors.push(auditor);
                        e.m.auditor_count += 1;
                    }
                    ev((id, auditor, report, expires_at)) // ModelAttested
                })
            }
            Op::Revoke(w, m) => {
                let known: Vec<_> = self.attestations.keys().copied().collect();
                let (id, auditor) = match known.get(usize::from(m) % known.len().max(1)) {
                    Some(k) if w % 4 != 0 => *k,
                    _ => (self.pick_model(m), person(w)),
                };
                let live = self.attestations.get(&(id, auditor)).filter(|a| !a.revoked);
                let exp = live.map(|_| 0).ok_or(Error::AttestationNotFound);
                msg(
                    auditor,
                    exp,
                    move |c| unit(c.revoke_attestation(id)),
                    move |r| {
                        r.attestations.get_mut(&(id, auditor)).unwrap().revoked = true;
                        ev((id, auditor)) // AttestationRevoked
                    },
                )
            }
            Op::Admin(w, a) => self.admin_msg(w, a),
            _ => unreachable!("not a message"),
        }
    }

    /// `sync_licenses` by `caller`: records what the vaults say, and only that.
    pub(super) fn sync(&self, caller: AccountId, account: AccountId, id: ModelId) -> Msg {
        let (e, recs) = self.entitlement(account, id, true);
        let (exp, kept) = (Ok(e.pending.len() as u64), self.kept(account, id, &e));
        msg(
            caller,
            exp,
            move |c| val(c.sync_licenses(account, id)),
            move |r| {
                assert!(
                    kept(&r.c),
                    "recording changed whether {account:?} may use {id}"
                );
                r.record(&recs)
            },
        )
    }

    pub(super) fn drop_license(&self, w: u8, id: LicenseId) -> Msg {
        let lic = self.license(id);
        let who = party(w, lic.as_ref().map_or(people()[0], |l| l.buyer));
        let exp = lic.and_then(|l| {
            ensure!(who == l.buyer, Error::NotLicenseHolder);
            ensure!(l.granted.is_none(), Error::LicenseNotPending);
            ensure!(status(&l).is_none(), Error::VaultStillAnswers);
            Ok(0)
        });
        msg(
            who,
            exp,
            move |c| unit(c.drop_license(id)),
            move |r| {
                r.dropped.insert(id);
                r.record(&[(id, None)])
            },
        )
    }

    fn admin_msg(&self, w: u8, op: AdminOp) -> Msg {
        let (admin, pending, accept) = (self.admin.0, self.admin.1, matches!(op, AdminOp::Accept));
        let right = if accept {
            pending.unwrap_or(admin)
        } else {
            admin
        };
        let who = party(w, right);
        let mut exp = match accept {
            true if pending != Some(who) => Err(AdminError::NotPendingAdmin),
            false if who != admin => Err(AdminError::NotAdmin),
            _ => Ok(()),
        };
        let check = market_types::admin::check_period;
        match op {
            AdminOp::Periods(d, r) => exp = exp.and_then(|()| check(d)).and_then(|()| check(r)),
            AdminOp::Royalty(bps) if bps > 5_000 => exp = exp.and(Err(AdminError::OutOfRange)),
            _ => {}
        }
        let o = op.clone();
        let call = move |c: &mut ModelRegistry| {
            let r = match o {
                AdminOp::Pause(p) => c.set_paused(p),
                AdminOp::SetVault(b) => c.set_vault(vault_at(b)),
                AdminOp::Allow(t, on) => c.set_asset_allowed(tok(t), on),
                AdminOp::Auditor(x, on) => c.set_auditor(person(x), on),
                AdminOp::Periods(d, r) => c.set_purchase_periods(d, r),
                AdminOp::Royalty(bps) => c.set_max_royalty_bps(bps),
                AdminOp::Propose(p) => c.propose_admin(p.map(person)),
                AdminOp::Accept => c.accept_admin(),
            };
            r.map(|()| 0).map_err(Refused::Admin)
        };
        // Each setter's event, encoded as the tuple of its fields.
        let apply = move |r: &mut Run| match op {
            AdminOp::Pause(p) => {
                r.paused = p;
                ev(p)
            }
            AdminOp::SetVault(b) => {
                r.vault = Some(vault_at(b));
                ev(vault_at(b))
            }
            AdminOp::Allow(t, on) => {
                set(&mut r.allowed, tok(t), on);
                ev((tok(t), on))
            }
            AdminOp::Auditor(x, on) => {
                set(&mut r.auditors, person(x), on);
                ev((person(x), on))
            }
            AdminOp::Periods(d, rw) => {
                r.periods = (d, rw);
                ev((d, rw))
            }
            AdminOp::Royalty(bps) => {
                r.max_royalty = bps;
                ev(bps)
            }
            AdminOp::Propose(p) => {
                r.admin.1 = p.map(person);
                ev((admin, p.map(person)))
            }
            AdminOp::Accept => {
                r.admin = (who, None);
                ev((admin, who))
            }
        };
        let exp = exp.map(|()| 0).map_err(Refused::Admin);
        Msg(who, exp, Box::new(call), Box::new(apply))
    }

    /// A purchase: mostly of an offer that exists, often by the last purchase's buyer
    /// from its model again; under the terms the buyer saw (`q`: its quote, the offer
    /// now, a stale version), paid as `pay` says (mostly exactly; else a wrong value, a
    /// short allowance or a short balance), the hostile token answering as `pay / 16`
    /// says.
    fn buy(&mut self, w: u8, (m, o): (u8, u8), q: u8, pay: u8) -> Msg {
        let offered = (1..)
            .zip(&self.models)
            .filter(|(_, e)| !e.offers.is_empty());
        let model_id = self.pick_in(offered.map(|(id, _)| id), m);
        let last = self.licenses.last().filter(|_| w % 8 < 5);
        let (buyer, mut model_id) =
            last.map_or((person(w / 8), model_id), |l| (l.buyer, l.model_id));
        let mut offer_id = self.pick_offer(model_id, o);
        let mut terms = self.offer(model_id, offer_id).ok();
        let quote = self.quotes.get(&buyer).copied().filter(|_| q % 4 == 0);
        if let Some(quote) = quote {
            (model_id, offer_id, terms) = (quote.model_id, quote.offer_id, Some(quote));
        }
        if q % 8 == 7 {
            terms.iter_mut().for_each(|t| t.version ^= 1);
        }
        let (offer_version, price, asset) =
            terms.map_or((1, 1, Asset::Native), |t| (t.version, t.price, t.asset));
        let native = asset == Asset::Native;
        let value = match (native, pay % 16) {
            (true, 13) => price.wrapping_add(1),
            (true, 14) => price.wrapping_sub(1),
            (true, _) => price,
            (false, 13) => 1,
            (false, _) => 0,
        };
        let (bal, allow) = match pay % 16 {
            14 => (price, price - 1),
            15 => (price - 1, price),
            _ => (price, price),
        };
        let token = match asset {
            Asset::Psp22(t) => t,
            Asset::Native => token(),
        };
        if token == hostile_token() {
            self.behaviour = behaviour(pay / 16);
            psp22::set_behaviour(token, self.behaviour.clone());
        }
        if !native {
            psp22::set_balance(token, buyer, bal);
            psp22::set_allowance(token, buyer, registry_id(), allow);
        }
        let vault = self.vault.unwrap_or(vault_a());
        let had = psp22::balance(token, vault);
        let escrow_id = vault::with(vault, |v| v.escrow_count) + 1;
        let (e, recs) = self.entitlement(buyer, model_id, true);
        let license_id = self.licenses.len() as u64 + 1;
        let exp = (|| {
            let m = self.model(model_id)?;
            ensure!(m.m.status == ModelStatus::Active, Error::ModelNotActive);
            let offer = self.active_offer(model_id, offer_id)?;
            ensure!(offer.version == offer_version, Error::OfferChanged);
            ensure!(buyer != m.m.owner, Error::CannotBuyOwnModel);
            self.vault.ok_or(Error::VaultNotSet)?;
            ensure!(value == if native { price } else { 0 }, Error::WrongPayment);
            self.now
                .checked_add(self.periods.0)
                .ok_or(Error::Overflow)?;
            ensure!(
                e.pending.len() < MAX_PENDING_LICENSES,
                Error::TooManyPendingLicenses
            );
            let skim = if native {
                0
            } else {
                self.transfer(token, price, (bal, allow), had)?
            };
            let refused = Error::Vault(VaultError::NotController);
            ensure!(!self.refusing.contains(&vault), refused);
            ensure!(skim == 0, Error::Vault(VaultError::TokenTransferFailed));
            Ok(license_id)
        })();
        let (now, periods, quoted) = (self.now, self.periods, quote.is_some());
        let kept = self.kept(buyer, model_id, &e);
        let call = move |c: &mut ModelRegistry| {
            set_value(value);
            val(c.purchase_license(model_id, offer_id, offer_version))
        };
        msg(buyer, exp, call, move |r| {
            let payee = r.owner(model_id);
            let kind = r.offer(model_id, offer_id).unwrap().kind;
            let (granted, released_at, purchased_at) = (None, None, now);
            r.licenses.push(License {
                buyer,
                model_id,
                offer_id,
                offer_version,
                kind,
                price,
                asset,
                vault,
                escrow_id,
                purchased_at,
                granted,
                released_at,
            });
            // One order for the buyer, of exactly the price it saw, paying the owner.
            let order = vault::escrow_of(vault, escrow_id);
            let o = &order.record;
            assert_eq!(
                (o.payer, o.payee, o.asset, o.context),
                (buyer, payee, asset, license_id)
            );
            let terms = match o.terms {
                EscrowTerms::Order {
                    amount,
                    delivery_deadline,
                    review_window_ms,
                    delivered_at,
                    ..
                } => Some((amount, delivery_deadline, review_window_ms, delivered_at)),
                EscrowTerms::Stream { .. } => None,
            };
            assert_eq!(terms, Some((price, now + periods.0, periods.1, None)));
            assert_eq!(order.sent, value);
            if !native {
                let left = (
                    psp22::balance(token, buyer),
                    psp22::allowance(token, buyer, registry_id()),
                );
                assert_eq!(left, (bal - price, allow - price));
                assert_eq!(psp22::balance(token, vault), had + price);
            }
            let paid_in = if native { "natively" } else { "in tokens" };
            r.seen.bump(&format!("bought {paid_in}"));
            if quoted {
                r.seen.bump("bought as quoted");
            }
            if price > u128::MAX / 2 {
                r.seen.bump("bought near u128::MAX");
            }
            assert!(kept(&r.c), "a purchase hid a valid license");
            let mut events = r.record(&recs);
            let paid = (vault, escrow_id, price, asset);
            events.extend(ev((
                license_id,
                model_id,
                buyer,
                offer_id,
                offer_version,
                paid,
            )));
            events // LicenseRecorded for each recorded, then LicensePurchased
        })
    }

    /// What the PSP22 token answers the registry's `transfer_from` of `price`, as the
    /// kit's double does: the hostile token's refusal, then allowance, balance, and the
    /// vault's balance overflowing. Returns what a skimming token keeps.
    fn transfer(
        &self,
        token: AccountId,
        price: Balance,
        (bal, allow): (Balance, Balance),
        had: Balance,
    ) -> Result<Balance> {
        use TokenError::*;
        let skim = match &self.behaviour {
            _ if token != hostile_token() => 0,
            Behaviour::Refuse(Custom(t)) => return Err(Error::Token(Custom(t[..64].into()))),
            Behaviour::Refuse(e) => return Err(Error::Token(e.clone())),
            Behaviour::Trap | Behaviour::LangError => return Err(Error::TokenCallFailed),
            Behaviour::Skim(fee) => *fee,
            Behaviour::Honest => 0,
        };
        ensure!(allow >= price, Error::Token(InsufficientAllowance));
        ensure!(bal >= price, Error::Token(InsufficientBalance));
        let fits = had.checked_add(price - skim.min(price)).is_some();
        ensure!(fits, Error::Token(Custom("overflow".into())));
        Ok(skim)
    }
}
