//! The model's own views: what an account holds (entitlements), whether it may use a
//! model, where each license stands; and how a step picks parties, models, offers and
//! licenses from its bytes.

use super::*;
use market_types::ensure;

impl Run<'_> {
    /// Mostly an existing id (1..=n), sometimes 0 or n + 1.
    pub(super) fn pick(n: usize, s: u8) -> u64 {
        match (n as u64, s) {
            (0, _) | (_, 240..=247) => 0,
            (n, 248..) => n + 1,
            (n, s) => 1 + u64::from(s) % n,
        }
    }
    pub(super) fn pick_model(&self, s: u8) -> ModelId {
        Self::pick(self.models.len(), s)
    }
    /// Mostly one of `ids`, else any model.
    pub(super) fn pick_in(&self, ids: impl Iterator<Item = ModelId>, s: u8) -> ModelId {
        let ids: Vec<ModelId> = ids.collect();
        match ids.get(usize::from(s) % ids.len().max(1)) {
            Some(id) if s % 8 != 0 => *id,
            _ => self.pick_model(s),
        }
    }
    pub(super) fn pick_offer(&self, id: ModelId, s: u8) -> OfferId {
        let n = self.model(id).map_or(0, |e| e.offers.len() as u32);
        if n == 0 || s >= 250 {
            n
        } else {
            u32::from(s) % n
        }
    }
    /// Mostly a license that is `like` so (any, if none is), else any id.
    pub(super) fn pick_license(&self, s: u8, like: impl Fn(&License) -> bool) -> LicenseId {
        let ids: Vec<LicenseId> = (1..)
            .zip(&self.licenses)
            .filter(|(_, l)| like(l))
            .map(|(id, _)| id)
            .collect();
        match ids.get(usize::from(s) % ids.len().max(1)) {
            Some(id) if s % 8 != 0 => *id,
            _ => Self::pick(self.licenses.len(), s),
        }
    }
    /// Mostly the buyer and model of a license (with `metered`, a granted metered one),
    /// else anyone and any model.
    pub(super) fn pick_pair(&self, a: u8, metered: bool) -> (AccountId, ModelId) {
        let granted = |l: &License| l.granted == Some(true) || released(&status(l)).is_some();
        let units = |l: &License| matches!(l.kind, LicenseKind::Metered { .. }) && granted(l);
        match self.license(self.pick_license(a, |l| !metered || units(l))) {
            Ok(l) if a % 4 != 0 => (l.buyer, l.model_id),
            _ => (person(a), self.pick_model(a)),
        }
    }
    pub(super) fn model(&self, id: ModelId) -> Result<&Expected> {
        let i = usize::try_from(id).ok().and_then(|i| i.checked_sub(1));
        i.and_then(|i| self.models.get(i))
            .ok_or(Error::ModelNotFound)
    }
    /// The model, its `updated_at` stamped now.
    pub(super) fn touch(&mut self, id: ModelId) -> &mut Expected {
        let (now, e) = (self.now, &mut self.models[id as usize - 1]);
        e.m.updated_at = now;
        e
    }
    pub(super) fn owner(&self, id: ModelId) -> AccountId {
        self.model(id).map_or(people()[0], |e| e.m.owner)
    }
    pub(super) fn owned(&self, id: ModelId, who: AccountId) -> Result<&Expected> {
        let e = self.model(id)?;
        ensure!(e.m.owner == who, Error::NotModelOwner);
        Ok(e)
    }
    pub(super) fn live(&self, id: ModelId, who: AccountId) -> Result<&Expected> {
        let e = self.owned(id, who)?;
        ensure!(e.m.status != ModelStatus::Delisted, Error::ModelDelisted);
        Ok(e)
    }
    pub(super) fn active(&self, id: ModelId, who: AccountId) -> Result<&Expected> {
        let e = self.owned(id, who)?;
        ensure!(e.m.status == ModelStatus::Active, Error::ModelNotActive);
        Ok(e)
    }
    pub(super) fn offer(&self, id: ModelId, oid: OfferId) -> Result<Offer> {
        let e = self.model(id).map_err(|_| Error::OfferNotFound)?;
        e.offers
            .get(oid as usize)
            .copied()
            .ok_or(Error::OfferNotFound)
    }
    pub(super) fn active_offer(&self, id: ModelId, oid: OfferId) -> Result<Offer> {
        let o = self.offer(id, oid)?;
        ensure!(o.status == OfferStatus::Active, Error::OfferRetired);
        Ok(o)
    }
    pub(super) fn terms(&self, kind: LicenseKind, price: Balance, asset: Asset) -> Result<u64> {
        ensure!(kind.is_valid(), Error::InvalidLicenseTerms);
        ensure!(price != 0, Error::ZeroPrice);
        let allowed = match asset {
            Asset::Native => true,
            Asset::Psp22(t) => self.allowed.contains(&t),
        };
        ensure!(allowed, Error::AssetNotAllowed);
        Ok(0)
    }
    pub(super) fn license(&self, id: LicenseId) -> Result<License> {
        let i = usize::try_from(id).ok().and_then(|i| i.checked_sub(1));
        let l = i.and_then(|i| self.licenses.get(i));
        l.copied().ok_or(Error::LicenseNotFound)
    }
    /// The licenses `a` bought for model `m`, with their ids.
    pub(super) fn of(
        &self,
        a: AccountId,
        m: ModelId,
    ) -> impl Iterator<Item = (LicenseId, &License)> {
        let mine = move |(_, l): &(LicenseId, &License)| l.buyer == a && l.model_id == m;
        (1..).zip(self.licenses.iter()).filter(mine)
    }

    /// What `a` holds for model `m` by the outcomes recorded so far, or (`refresh`)
    /// also by those of its settled orders, which it returns.
    pub(super) fn entitlement(
        &self,
        a: AccountId,
        m: ModelId,
        refresh: bool,
    ) -> (Entitlement, Recs) {
        let mut e = Entitlement {
            units_used: self.used.get(&(a, m)).copied().unwrap_or(0),
            rated: self.rated.contains(&(a, m)),
            ..Default::default()
        };
        let mut recs = Vec::new();
        for (id, l) in self.of(a, m) {
            e.bought += 1;
            let st = status(l);
            let at = match l.granted {
                Some(_) => l.released_at,
                None if refresh && settled(&st) => {
                    recs.push((id, released(&st)));
                    released(&st)
                }
                None => {
                    e.pending.push(id);
                    continue;
                }
            };
            let Some(at) = at else { continue };
            e.granted += 1;
            match l.kind {
                LicenseKind::Perpetual => e.perpetual = true,
                LicenseKind::TimeBound { duration_ms: d } => {
                    e.valid_until = e.valid_until.max(at.saturating_add(d))
                }
                LicenseKind::Metered { units } => {
                    e.units_bought = e.units_bought.saturating_add(units)
                }
            }
        }
        (e, recs)
    }
    /// Writes recorded outcomes into the model; returns their `LicenseRecorded` events.
    pub(super) fn record(&mut self, recs: &[(LicenseId, Option<Timestamp>)]) -> Vec<Vec<u8>> {
        let mut events = Vec::new();
        for (id, at) in recs {
            let l = &mut self.licenses[*id as usize - 1];
            (l.granted, l.released_at) = (Some(at.is_some()), *at);
            events.extend(ev((*id, l.model_id, l.buyer, at.is_some())));
            self.seen.bump(if at.is_some() {
                "granted"
            } else {
                "not granted"
            });
        }
        events
    }
    /// Whether any license of `a` for `m` (its entitlement `e`) lets it use the model.
    pub(super) fn valid(&self, a: AccountId, m: ModelId, e: &Entitlement) -> bool {
        let unrecorded = self.of(a, m).any(|(_, l)| {
            let at = released(&status(l)).filter(|_| l.granted.is_none());
            at.is_some_and(|at| match l.kind {
                LicenseKind::TimeBound { duration_ms: d } => self.now < at.saturating_add(d),
                _ => true,
            })
        });
        e.perpetual || self.now < e.valid_until || e.units_used < e.units_bought || unrecorded
    }
    /// The state `licenses_of` shows for `l` (its buyer's entitlement `e`).
    pub(super) fn state(&self, l: &License, e: &Entitlement) -> LicenseState {
        let st = status(l);
        let at = match l.granted {
            Some(false) => return LicenseState::NotGranted,
            Some(true) => l.released_at,
            None if !settled(&st) => return LicenseState::Pending,
            None => match released(&st) {
                None => return LicenseState::NotGranted,
                at => at,
            },
        };
        let usable = match l.kind {
            LicenseKind::Perpetual => true,
            LicenseKind::TimeBound { duration_ms: d } => {
                self.now < at.unwrap_or(0).saturating_add(d)
            }
            LicenseKind::Metered { .. } => l.granted.is_none() || e.units_used < e.units_bought,
        };
        if usable {
            LicenseState::Active
        } else {
            LicenseState::Expired
        }
    }
    /// Whether `account` may use model `id` after a message that records its settled
    /// orders (its entitlement then is `e`) exactly when it could before: recording
    /// only writes down what the vaults say. The one exception is the saturated
    /// metered pool (see `a_saturated_pool_is_the_one_place_recording_changes_validity`).
    pub(super) fn kept(
        &self,
        account: AccountId,
        id: ModelId,
        e: &Entitlement,
    ) -> impl Fn(&ModelRegistry) -> bool {
        let (before, saturated) = (
            self.c.has_valid_license(account, id),
            e.units_bought == u64::MAX,
        );
        move |c| saturated || c.has_valid_license(account, id) == before
    }
}
