//! The property test's operations and their generator, and the small pieces the model
//! is built from: how a license's order reads at its vault, a message to send.

use super::*;
use market_types::{ensure, MAX_PERIOD_MS};
use std::cell::RefCell;

/// `right` three times in four, else anyone (a hostile stranger, or `right` again).
pub(super) fn party(w: u8, right: AccountId) -> AccountId {
    if w % 8 < 6 {
        right
    } else {
        person(w)
    }
}
pub(super) fn tok(hostile: bool) -> AccountId {
    if hostile {
        hostile_token()
    } else {
        token()
    }
}
pub(super) fn asset(a: u8) -> Asset {
    match a % 5 {
        0 | 1 => Asset::Native,
        2 => Asset::Psp22(token()),
        3 => Asset::Psp22(hostile_token()),
        _ => Asset::Psp22(AccountId::from([0x7C; 32])),
    }
}
pub(super) fn behaviour(b: u8) -> Behaviour {
    match b % 9 {
        3 => Behaviour::Refuse(TokenError::Custom("x".repeat(100))),
        4 => Behaviour::Refuse(TokenError::ZeroSenderAddress),
        5 => Behaviour::Trap,
        6 => Behaviour::LangError,
        7 | 8 => Behaviour::Skim(1),
        _ => Behaviour::Honest,
    }
}
pub(super) fn set(s: &mut BTreeSet<AccountId>, who: AccountId, on: bool) {
    if on {
        s.insert(who);
    } else {
        s.remove(&who);
    }
}
/// The encoded event, as the environment records it.
pub(super) fn ev(e: impl Encode) -> Vec<Vec<u8>> {
    vec![e.encode()]
}

/// One step. `u8`s pick parties, models, offers and licenses (see `Run::pick`).
#[derive(Clone, Debug)]
pub(super) enum Op {
    Register(u8, u8, Bps, u8, u8),
    SetTags(u8, u8, u8, u8),
    Deprecate(u8, u8, u8),
    Delist(u8, u8),
    Transfer(u8, u8, u8),
    Accept(u8, u8),
    CancelTransfer(u8, u8),
    AddOffer(u8, u8, LicenseKind, Balance, u8),
    /// The owner adds offers until the model has `MAX_OFFERS_PER_MODEL`.
    Fill(u8, u8),
    UpdateOffer(u8, u8, u8, LicenseKind, Balance, u8),
    RetireOffer(u8, u8, u8),
    /// A buyer reads an offer: the terms it will agree to.
    Quote(u8, u8, u8),
    /// Buyer, model, offer, which terms (its quote, the offer now, a stale version),
    /// how it pays (exactly, a wrong value, a short allowance or balance) and how the
    /// hostile token answers meanwhile.
    Buy(u8, u8, u8, u8, u8),
    /// The last buyer buys its last offer again until it is refused (at the latest
    /// once `MAX_PENDING_LICENSES` wait).
    Rush,
    Release(u8, u8),
    Sync(u8, u8),
    Drop(u8, u8),
    /// `None`: every unit left.
    Consume(u8, u8, Option<u64>),
    Rate(u8, u8),
    Attest(u8, u8, u64),
    Revoke(u8, u8),
    Admin(u8, AdminOp),
    /// At a license's order, or at vault A or B.
    Vault(u8, VaultOp),
    Wait(u64),
    /// Time moves to the end of a granted TimeBound license or of an attestation, or to
    /// the millisecond before it.
    Expire(u8, bool),
}

#[derive(Clone, Debug)]
pub(super) enum AdminOp {
    Pause(bool),
    SetVault(bool),
    Allow(bool, bool),
    Auditor(u8, bool),
    Periods(u64, u64),
    Royalty(Bps),
    Propose(Option<u8>),
    Accept,
}

#[derive(Clone, Debug)]
pub(super) enum VaultOp {
    Settle(Bps),
    Dispute,
    Forget,
    Unreadable(bool),
    RefuseNext,
}

fn kind() -> impl Strategy<Value = LicenseKind> {
    let n = || prop_oneof![1 => Just(0u64), 6 => 1..5_000u64, 2 => (u64::MAX - 2)..=u64::MAX];
    prop_oneof![
        Just(LicenseKind::Perpetual),
        n().prop_map(|duration_ms| LicenseKind::TimeBound { duration_ms }),
        n().prop_map(|units| LicenseKind::Metered { units }),
    ]
}

fn price() -> impl Strategy<Value = Balance> {
    prop_oneof![
        1 => Just(0u128),
        6 => 1..=1_000u128,
        1 => any::<u128>(),
        2 => (u128::MAX - 2)..=u128::MAX,
    ]
}

fn admin_op() -> impl Strategy<Value = AdminOp> {
    let period = || prop_oneof![Just(0u64), 1..=DAY, MAX_PERIOD_MS..=MAX_PERIOD_MS + 1];
    prop_oneof![
        2 => proptest::bool::weighted(0.3).prop_map(AdminOp::Pause),
        2 => any::<bool>().prop_map(AdminOp::SetVault),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(t, a)| AdminOp::Allow(t, a)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(w, a)| AdminOp::Auditor(w, a)),
        1 => (period(), period()).prop_map(|(d, r)| AdminOp::Periods(d, r)),
        1 => prop_oneof![0..=5_001u16, any::<u16>()].prop_map(AdminOp::Royalty),
        1 => proptest::option::of(any::<u8>()).prop_map(AdminOp::Propose),
        1 => Just(AdminOp::Accept),
    ]
}

fn vault_op() -> impl Strategy<Value = VaultOp> {
    let share = prop_oneof![Just(10_000u16), Just(0), Just(9_999), 1..10_000u16];
    prop_oneof![
        8 => share.prop_map(VaultOp::Settle),
        2 => Just(VaultOp::Dispute),
        2 => Just(VaultOp::Forget),
        2 => proptest::bool::weighted(0.4).prop_map(VaultOp::Unreadable),
        1 => Just(VaultOp::RefuseNext),
    ]
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let b = any::<u8>;
    let royalty = prop_oneof![4 => Just(0u16), 2 => 1..=2_001u16, 1 => 4_999..=5_001u16];
    let bad = prop_oneof![6 => Just(0u8), 1 => 1u8..10];
    let some = (1..20u64).prop_map(Some);
    let units =
        prop_oneof![2 => Just(None), 4 => some, 1 => Just(Some(0)), 1 => Just(Some(u64::MAX))];
    let expiry = prop_oneof![Just(0u64), 1..=DAY, Just(u64::MAX)];
    let wait = prop_oneof![8 => 1..=2 * DAY, 2 => 400 * DAY..=800 * DAY, 1 => Just(u64::MAX)];
    prop_oneof![
        4 => (b(), b(), royalty, b(), bad).prop_map(|(w, p, r, t, x)| Op::Register(w, p, r, t, x)),
        1 => (b(), b(), b(), 0u8..10).prop_map(|(w, m, t, x)| Op::SetTags(w, m, t, x)),
        1 => (b(), b(), b()).prop_map(|(w, m, s)| Op::Deprecate(w, m, s)),
        1 => (b(), b()).prop_map(|(w, m)| Op::Delist(w, m)),
        1 => (b(), b(), b()).prop_map(|(w, m, t)| Op::Transfer(w, m, t)),
        2 => (b(), b()).prop_map(|(w, m)| Op::Accept(w, m)),
        2 => (b(), b()).prop_map(|(w, m)| Op::CancelTransfer(w, m)),
        5 => (b(), b(), kind(), price(), b()).prop_map(|(w, m, k, p, a)| Op::AddOffer(w, m, k, p, a)),
        1 => (b(), b()).prop_map(|(w, m)| Op::Fill(w, m)),
        2 => (b(), b(), b(), kind(), price(), b())
            .prop_map(|(w, m, o, k, p, a)| Op::UpdateOffer(w, m, o, k, p, a)),
        1 => (b(), b(), b()).prop_map(|(w, m, o)| Op::RetireOffer(w, m, o)),
        3 => (b(), b(), b()).prop_map(|(w, m, o)| Op::Quote(w, m, o)),
        14 => (b(), b(), b(), b(), b()).prop_map(|(w, m, o, q, p)| Op::Buy(w, m, o, q, p)),
        1 => Just(Op::Rush),
        5 => (b(), b()).prop_map(|(w, l)| Op::Release(w, l)),
        2 => (b(), b()).prop_map(|(w, a)| Op::Sync(w, a)),
        2 => (b(), b()).prop_map(|(w, l)| Op::Drop(w, l)),
        5 => (b(), b(), units).prop_map(|(w, a, u)| Op::Consume(w, a, u)),
        2 => (b(), 0u8..7).prop_map(|(a, s)| Op::Rate(a, s)),
        2 => (b(), b(), expiry).prop_map(|(w, m, e)| Op::Attest(w, m, e)),
        1 => (b(), b()).prop_map(|(w, m)| Op::Revoke(w, m)),
        4 => (b(), admin_op()).prop_map(|(w, a)| Op::Admin(w, a)),
        9 => (b(), vault_op()).prop_map(|(l, v)| Op::Vault(l, v)),
        3 => wait.prop_map(Op::Wait),
        2 => (b(), any::<bool>()).prop_map(|(l, before)| Op::Expire(l, before)),
    ]
}

/// A name, a URI and tags: valid, or wrong in the way `bad` picks.
pub(super) fn inputs(bad: u8, mask: u8) -> (String, String, Vec<String>) {
    let mut tags: Vec<String> = (0..5)
        .filter(|i| (mask >> i) & 1 == 1)
        .map(|i| String::from(TAGS[i]))
        .collect();
    let (mut name, mut uri) = (String::from("model"), String::from("ipfs://card"));
    match bad {
        1 => name.clear(),
        2 => name = text(MAX_NAME_LEN + 1),
        3 => uri.clear(),
        4 => uri = text(MAX_URI_LEN + 1),
        5 => {
            tags = TAGS
                .iter()
                .chain(&["more"])
                .map(|t| String::from(*t))
                .collect()
        }
        6 => tags.push(String::from("Bad!")),
        7 => tags.push(String::from(TAGS[usize::from(mask) % 5])),
        8 => name = text(MAX_NAME_LEN),
        9 => uri = text(MAX_URI_LEN),
        _ => {}
    }
    (name, uri, tags)
}

pub(super) fn tags_ok(tags: &[String]) -> Result<u64> {
    ensure!(tags.len() <= MAX_TAGS, Error::TooManyTags);
    for (i, t) in tags.iter().enumerate() {
        ensure!(t != "Bad!", Error::InvalidTag);
        ensure!(!tags[..i].contains(t), Error::DuplicateTag);
    }
    Ok(0)
}

/// An order's status as the registry reads it from its vault.
pub(super) fn status(l: &License) -> Option<EscrowStatus> {
    vault::with(l.vault, |v| {
        let e = v.escrows.get(&l.escrow_id).filter(|_| !v.unreadable)?;
        Some(EscrowStatus {
            state: e.record.state,
            settlement: e.record.settlement,
        })
    })
}
pub(super) fn settled(s: &Option<EscrowStatus>) -> bool {
    s.is_some_and(|s| s.state == EscrowState::Settled)
}
/// When the order was released to the seller in full, if it was.
pub(super) fn released(s: &Option<EscrowStatus>) -> Option<Timestamp> {
    let s = s.filter(|s| s.state == EscrowState::Settled)?.settlement?;
    (s.payee_share_bps == 10_000).then_some(s.at)
}

/// A refusal: the registry's, or its admin messages'.
#[derive(Debug, PartialEq)]
pub(super) enum Refused {
    Registry(Error),
    Admin(AdminError),
}
pub(super) type Out = core::result::Result<u64, Refused>;
pub(super) fn val<T: Into<u64>>(r: Result<T>) -> Out {
    r.map(Into::into).map_err(Refused::Registry)
}
pub(super) fn unit(r: Result<()>) -> Out {
    val(r.map(|()| 0u64))
}

/// A message to send: its caller, the model's prediction, the call, and what a success
/// changes in the model (returning the events it must have emitted, encoded).
pub(super) struct Msg(pub AccountId, pub Out, pub Call, pub Apply);
pub(super) type Call = Box<dyn FnOnce(&mut ModelRegistry) -> Out>;
pub(super) type Apply = Box<dyn FnOnce(&mut Run) -> Vec<Vec<u8>>>;
pub(super) fn msg(
    who: AccountId,
    exp: Result<u64>,
    call: impl FnOnce(&mut ModelRegistry) -> Out + 'static,
    apply: impl FnOnce(&mut Run) -> Vec<Vec<u8>> + 'static,
) -> Msg {
    Msg(who, val(exp), Box::new(call), Box::new(apply))
}

/// How often each kind of step succeeded, and each refusal was met.
#[derive(Default)]
pub(super) struct Seen(pub RefCell<BTreeMap<String, u32>>);
impl Seen {
    pub(super) fn bump(&self, what: &str) {
        *self.0.borrow_mut().entry(what.into()).or_default() += 1;
    }
}

pub(super) type Recs = Vec<(LicenseId, Option<Timestamp>)>;
