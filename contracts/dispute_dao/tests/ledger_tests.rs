//! The stake ledger on its own, for any amounts up to `u128::MAX`, against a model of
//! four members and one case: after every operation the ledger's invariant holds
//! (`owed` = stakes + unbonding + credits + reserve + what the case holds; the total is
//! the members' stakes and both are checkpointed; stake at risk is the open votes');
//! money in is refused with `Overflow` exactly when `owed` would pass `u128::MAX`, and
//! before the token is asked; nothing else ever overflows (every other sum is bounded
//! by `owed`, and the lifetime statistics `earned` and `lost`, which are not,
//! saturate); and a refused operation, a refused transfer included, leaves the books
//! and the caller's case as they were.

use super::*;
use crate::ledger::StakeLedger;
use crate::rules::plan::tests::{account, case, reader};
use crate::rules::plan::{self, APPEAL_SLOTS};
use market_types::math::bps_of;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;

const MEMBERS: u8 = 4;

fn who(w: u8) -> AccountId {
    account(w % MEMBERS)
}

fn ok() -> Result<(), Error> {
    Ok(())
}

fn refused() -> Result<(), Error> {
    Err(Error::TokenCallFailed)
}

#[ink::test]
fn staking_checkpoints_the_member_and_the_total_in_its_block() {
    let mut l = StakeLedger::default();
    assert_eq!(l.stake(who(0), 700, 5, ok), Ok(700));
    assert_eq!(l.stake(who(0), 300, 5, ok), Ok(1_000));
    assert_eq!(l.stake(who(1), 50, 6, ok), Ok(50));
    assert_eq!(l.totals(), (1_050, 0, 1_050));
    // Stake counts from the next block on; two changes in one block are one entry.
    assert_eq!(l.stake_before(Some(who(0)), 5), 0);
    assert_eq!(l.stake_before(Some(who(0)), 6), 1_000);
    assert_eq!(l.stake_before(None, 6), 1_000);
    assert_eq!(l.stake_before(None, 7), 1_050);
    // A vote weighs the stake before the case's block, at most the stake now.
    assert_eq!(l.weight(who(0), 6), 1_000);
    assert_eq!(l.unbond(who(0), 400, 0, 10, 8), Ok(10));
    assert_eq!(l.weight(who(0), 6), 600);
    assert_eq!(l.weight(who(1), 6), 0);
}

#[ink::test]
fn a_refused_transfer_writes_nothing() {
    let mut l = StakeLedger::default();
    assert_eq!(
        l.stake(who(0), 100, 1, refused),
        Err(Error::TokenCallFailed)
    );
    assert_eq!(l.fund(100, refused), Err(Error::TokenCallFailed));
    let mut c = case(0, 0, 0);
    c.fee = 600;
    assert_eq!(l.open_case(&mut c, refused), Err(Error::TokenCallFailed));
    assert_eq!(l.post_bond(&mut c, 5, refused), Err(Error::TokenCallFailed));
    assert_eq!(
        c,
        Case {
            fee: 600,
            ..case(0, 0, 0)
        },
        "the case is unchanged"
    );
    assert_eq!(
        (l.totals(), l.member(who(0))),
        ((0, 0, 0), Member::default())
    );
    assert_eq!(l.stake_before(None, 2), 0);
    assert_eq!(l.stake(who(0), 100, 1, ok), Ok(100));
    assert_eq!(l.unbond(who(0), 40, 0, 0, 2), Ok(0));
    let before = (l.totals(), l.member(who(0)));
    assert_eq!(
        l.withdraw_unbonded(who(0), 0, |_| refused()),
        Err(Error::TokenCallFailed)
    );
    assert_eq!((l.totals(), l.member(who(0))), before);
    // The payout is asked for exactly what leaves.
    let mut paid = 0;
    assert_eq!(
        l.withdraw_unbonded(who(0), 0, |a| {
            paid = a;
            ok()
        }),
        Ok(40)
    );
    assert_eq!((paid, l.totals()), (40, (60, 0, 60)));
}

#[ink::test]
fn money_in_that_would_overflow_owed_is_refused_before_the_transfer() {
    let mut l = StakeLedger::default();
    assert_eq!(l.stake(who(0), u128::MAX - 10, 1, ok), Ok(u128::MAX - 10));
    // `refused` would answer `TokenCallFailed`: the sums refuse first.
    assert_eq!(l.stake(who(1), 11, 2, refused), Err(Error::Overflow));
    assert_eq!(l.fund(11, refused), Err(Error::Overflow));
    let mut c = case(0, 0, 0);
    c.fee = 11;
    let before = c;
    assert_eq!(l.open_case(&mut c, refused), Err(Error::Overflow));
    assert_eq!(l.post_bond(&mut c, 11, refused), Err(Error::Overflow));
    assert_eq!(c, before, "the caller's case is unchanged");
    assert_eq!(l.totals(), (u128::MAX - 10, 0, u128::MAX - 10));
    assert_eq!(l.member(who(1)), Member::default());
    assert_eq!(l.fund(10, ok), Ok(10));
    assert_eq!(l.totals(), (u128::MAX - 10, 10, u128::MAX));
}

#[ink::test]
fn a_case_draws_its_reward_from_the_reserve_its_fee_refilled() {
    let mut l = StakeLedger::default();
    assert_eq!(l.fund(100, ok), Ok(100));
    let mut c = case(0, 0, 0);
    c.fee = 600;
    c.jury.juror_reward = 500;
    assert_eq!(l.open_case(&mut c, ok), Ok(()));
    assert_eq!((c.reward_reserved, l.totals()), (500, (0, 200, 700)));
    // A reserve that cannot pay the whole reward gives what it has.
    let mut l = StakeLedger::default();
    c.fee = 0;
    assert_eq!(l.open_case(&mut c, ok), Ok(()));
    assert_eq!((c.reward_reserved, l.totals()), (0, (0, 0, 0)));
}

#[ink::test]
fn a_vote_weighs_the_stake_before_the_snapshot_and_risks_its_penalty() {
    let mut l = StakeLedger::default();
    assert_eq!(l.stake(who(0), 10_000, 1, ok), Ok(10_000));
    // Staked in the snapshot block: no weight.
    assert_eq!(l.stake(who(1), 5_000, 2, ok), Ok(5_000));
    let mut c = case(0, 0, 0);
    c.snapshot_block = 2;
    let before = (l.totals(), l.member(who(1)), c);
    assert_eq!(l.lock_risk(who(1), &mut c, 3), Err(Error::NoVotingWeight));
    assert_eq!((l.totals(), l.member(who(1)), c), before);
    // A penalty share past 100 % is refused, never wrapped.
    c.jury.penalty_bps = 10_001;
    assert_eq!(l.lock_risk(who(0), &mut c, 3), Err(Error::Overflow));
    c.jury.penalty_bps = 1_001;
    assert_eq!(l.lock_risk(who(0), &mut c, 3), Ok((10_000, 1_001)));
    let m = l.member(who(0));
    assert_eq!(
        (m.staked, m.at_risk, m.open_votes, c.risk_held),
        (8_999, 1_001, 1, 1_001)
    );
    // The stake at risk weighs nothing in a second vote.
    assert_eq!(l.lock_risk(who(0), &mut c, 4), Ok((8_999, 900)));
    assert_eq!(l.stake_before(Some(who(0)), 5), 8_099);
    assert_eq!(l.totals(), (13_099, 0, 15_000));
}

#[ink::test]
fn a_denunciation_splits_the_risk_and_refuses_the_juror_itself() {
    let mut l = StakeLedger::default();
    assert_eq!(l.stake(who(0), 10_000, 1, ok), Ok(10_000));
    let mut c = case(0, 0, 0);
    c.snapshot_block = 2;
    assert_eq!(l.lock_risk(who(0), &mut c, 2), Ok((10_000, 1_000)));
    let before = (l.totals(), l.member(who(0)), c);
    assert_eq!(
        l.denounce(who(0), who(0), &mut c, 1_000),
        Err(Error::SelfDenounce)
    );
    assert_eq!((l.totals(), l.member(who(0)), c), before);
    assert_eq!(
        l.denounce(who(0), who(1), &mut c, 1_001),
        Err(Error::Overflow)
    );
    assert_eq!((l.totals(), l.member(who(0)), c), before);
    assert_eq!(l.denounce(who(0), who(1), &mut c, 1_000), Ok(500));
    let (m, d) = (l.member(who(0)), l.member(who(1)));
    assert_eq!(
        (m.staked, m.at_risk, m.lost, m.open_votes),
        (9_000, 0, 1_000, 0)
    );
    assert_eq!((d.credit, d.earned), (500, 500));
    assert_eq!((c.risk_held, l.totals()), (0, (9_000, 500, 10_000)));
}

#[ink::test]
fn unbonding_and_withdrawals_refuse_what_is_not_there() {
    let mut l = StakeLedger::default();
    assert_eq!(l.unbond(who(0), 1, 0, 10, 1), Err(Error::InsufficientStake));
    assert_eq!(
        l.withdraw_unbonded(who(0), 0, |_| ok()),
        Err(Error::NothingUnbonding)
    );
    assert_eq!(
        l.withdraw_credit(who(0), |_| ok()),
        Err(Error::NothingToWithdraw)
    );
    assert_eq!(l.stake(who(0), 100, 1, ok), Ok(100));
    assert_eq!(l.unbond(who(0), 60, 1_000, 10, 2), Ok(1_010));
    assert_eq!(
        l.withdraw_unbonded(who(0), 1_009, |_| ok()),
        Err(Error::StillUnbonding)
    );
    let mut c = case(0, 0, 0);
    c.snapshot_block = 2;
    // The stake before the snapshot (100), at most the stake now (40).
    assert_eq!(l.lock_risk(who(0), &mut c, 3), Ok((40, 4)));
    assert_eq!(
        l.withdraw_unbonded(who(0), 1_010, |_| ok()),
        Err(Error::UnsettledVotes)
    );
    assert_eq!(
        l.unbond(who(0), u128::MAX, 0, 0, 3),
        Err(Error::InsufficientStake)
    );
    assert_eq!(c.risk_held, 4);
    assert_eq!(l.stake_before(Some(who(0)), 4), 36);
    assert_eq!(l.totals(), (36, 0, 100));
}

#[derive(Clone, Debug)]
enum Op {
    /// Member `.0` stakes `.1`; the token refuses if `.2`.
    Stake(u8, Balance, bool),
    Unbond(u8, Balance),
    Withdraw(u8, bool),
    WithdrawCredit(u8, bool),
    Fund(Balance, bool),
    /// Member `.0` commits a vote, revealed as `.1` (10: never).
    Commit(u8, u8),
    /// Vote `.0` (modulo the open votes) denounced by member `.1`.
    Denounce(u8, u8),
    /// The payer (`.0`) or the payee appeals with bond `.1` a round that ruled `.2`;
    /// the token refuses if `.3`.
    Appeal(bool, Balance, u8, bool),
    /// The case closes with ruling `.0` (10: none, if nobody appealed).
    Execute(u8),
    Settle(u8),
}

fn any_amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        Just(0u128),
        1..=1_000u128,
        any::<u128>(),
        (u128::MAX - 1_000)..=u128::MAX,
    ]
}

/// A token that refuses one call in eight.
fn refuses() -> impl Strategy<Value = bool> {
    proptest::bool::weighted(0.125)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..MEMBERS, any_amount(), refuses()).prop_map(|(w, a, r)| Op::Stake(w, a, r)),
        1 => (0..MEMBERS, any_amount()).prop_map(|(w, a)| Op::Unbond(w, a)),
        1 => (0..MEMBERS, refuses()).prop_map(|(w, r)| Op::Withdraw(w, r)),
        1 => (0..MEMBERS, refuses()).prop_map(|(w, r)| Op::WithdrawCredit(w, r)),
        1 => (any_amount(), refuses()).prop_map(|(a, r)| Op::Fund(a, r)),
        3 => (0..MEMBERS, 0u8..=10).prop_map(|(w, c)| Op::Commit(w, c)),
        2 => (any::<u8>(), 0..MEMBERS).prop_map(|(v, by)| Op::Denounce(v, by)),
        1 => (any::<bool>(), any_amount(), 0u8..10, refuses())
            .prop_map(|(p, b, r, x)| Op::Appeal(p, b, r, x)),
        1 => (0u8..=10).prop_map(Op::Execute),
        2 => any::<u8>().prop_map(Op::Settle),
    ]
}

/// One member's vote in the model's case.
struct ModelVote {
    who: AccountId,
    vote: Vote,
}

struct Run<'a> {
    l: StakeLedger,
    case: Case,
    votes: Vec<ModelVote>,
    rounds: Vec<RoundInfo>,
    block: u32,
    now: u64,
    /// Unbonding delay.
    delay: u64,
    /// Revealed weight per choice.
    tally: [Balance; CHOICES as usize],
    seen: &'a Seen,
}

#[derive(Default)]
struct Seen {
    overflowed: Cell<u32>,
    token_refused: Cell<u32>,
    accepted_in: Cell<u32>,
    settled: Cell<u32>,
    denounced: Cell<u32>,
    withdrawn: Cell<u32>,
}

fn bump(c: &Cell<u32>) {
    c.set(c.get() + 1);
}

/// The token call of an operation: refused, or accepted.
fn token(refuse: bool) -> Result<(), Error> {
    if refuse {
        Err(Error::TokenCallFailed)
    } else {
        Ok(())
    }
}

impl Run<'_> {
    fn open(&self) -> bool {
        self.case.status == CaseStatus::Open
    }

    /// The books and the case.
    fn snapshot(&self) -> ((Balance, Balance, Balance), Vec<Member>, Case) {
        let members = (0..MEMBERS).map(|w| self.l.member(who(w))).collect();
        (self.l.totals(), members, self.case)
    }

    /// What the case holds of what is owed (see `ledger.rs`).
    fn case_holds(&self) -> Balance {
        let c = &self.case;
        if self.open() {
            return c.risk_held + c.bonds_held + c.reward_reserved;
        }
        let to_return: Balance = self
            .votes
            .iter()
            .filter(|v| !v.vote.settled)
            .map(|v| jury::settlement(c, &v.vote).unwrap().1)
            .sum();
        to_return + c.pool - c.paid
    }

    fn check(&self) {
        let (total, reserve, owed) = self.l.totals();
        let mut parts = reserve + self.case_holds();
        let mut staked: Balance = 0;
        for w in 0..MEMBERS {
            let m = self.l.member(who(w));
            staked += m.staked;
            parts = parts
                .checked_add(m.staked + m.unbonding + m.credit)
                .expect("the parts of owed fit in owed");
            assert_eq!(self.l.stake_before(Some(who(w)), self.block + 1), m.staked);
            let open: Vec<&ModelVote> = self
                .votes
                .iter()
                .filter(|v| v.who == who(w) && !v.vote.settled)
                .collect();
            assert_eq!(m.at_risk, open.iter().map(|v| v.vote.risk).sum::<Balance>());
            assert_eq!(m.open_votes as usize, open.len());
        }
        assert_eq!(staked, total, "total != Σ staked");
        assert_eq!(self.l.stake_before(None, self.block + 1), total);
        assert_eq!(parts, owed, "owed != its parts");
    }

    /// Money in of `amount` to `owed`: refused with `Overflow` exactly when `owed`
    /// would pass `u128::MAX` (before the token is asked), else with the token's
    /// refusal, else accepted. Returns whether it was accepted.
    fn money_in<T>(
        &self,
        owed: Balance,
        amount: Balance,
        refuse: bool,
        r: Result<T, Error>,
    ) -> bool {
        let fits = owed.checked_add(amount).is_some();
        match r {
            Ok(_) => {
                assert!(
                    fits && !refuse,
                    "money in accepted: fits {fits}, refused {refuse}"
                );
                bump(&self.seen.accepted_in);
                true
            }
            Err(Error::Overflow) => {
                assert!(!fits, "Overflow for money in that fits");
                bump(&self.seen.overflowed);
                false
            }
            Err(err) => {
                assert_eq!((err, fits, refuse), (Error::TokenCallFailed, true, true));
                bump(&self.seen.token_refused);
                false
            }
        }
    }

    fn step(&mut self, op: Op) {
        self.block += 1;
        self.now += 10;
        let before = self.snapshot();
        let owed = before.0 .2;
        let applied = match op {
            Op::Stake(w, amount, refuse) => {
                let r = self.l.stake(who(w), amount, self.block, || token(refuse));
                self.money_in(owed, amount, refuse, r)
            }
            Op::Fund(amount, refuse) => {
                let r = self.l.fund(amount, || token(refuse));
                self.money_in(owed, amount, refuse, r)
            }
            Op::Appeal(payer, bond, ruling, refuse) => {
                if !self.open() || self.rounds.len() + 1 >= APPEAL_SLOTS {
                    return;
                }
                let mut c = self.case;
                let r = self.l.post_bond(&mut c, bond, || token(refuse));
                let by = if payer { c.payer } else { c.payee };
                let ok = self.money_in(owed, bond, refuse, r);
                if ok {
                    self.case = c;
                    self.case.round += 1;
                    self.rounds.push(RoundInfo {
                        ruling: Some(ruling),
                        appeal: Some((by, bond)),
                        ..RoundInfo::default()
                    });
                } else {
                    assert_eq!(c, self.case, "a refused bond changed the case");
                }
                ok
            }
            Op::Unbond(w, amount) => {
                let staked = self.l.member(who(w)).staked;
                match self
                    .l
                    .unbond(who(w), amount, self.now, self.delay, self.block)
                {
                    Ok(at) => {
                        assert!(amount <= staked);
                        assert_eq!(at, self.now + self.delay);
                        true
                    }
                    Err(err) => {
                        assert_eq!((err, amount > staked), (Error::InsufficientStake, true));
                        false
                    }
                }
            }
            Op::Withdraw(w, refuse) => {
                let m = self.l.member(who(w));
                let expected = if m.unbonding == 0 {
                    Err(Error::NothingUnbonding)
                } else if self.now < m.unbond_at {
                    Err(Error::StillUnbonding)
                } else if m.open_votes > 0 {
                    Err(Error::UnsettledVotes)
                } else if refuse {
                    Err(Error::TokenCallFailed)
                } else {
                    Ok(m.unbonding)
                };
                let r = self.l.withdraw_unbonded(who(w), self.now, |amount| {
                    assert_eq!(amount, m.unbonding);
                    token(refuse)
                });
                assert_eq!(r, expected);
                self.withdrawn(r.is_ok())
            }
            Op::WithdrawCredit(w, refuse) => {
                let credit = self.l.member(who(w)).credit;
                let expected = match (credit, refuse) {
                    (0, _) => Err(Error::NothingToWithdraw),
                    (_, true) => Err(Error::TokenCallFailed),
                    _ => Ok(credit),
                };
                let r = self.l.withdraw_credit(who(w), |amount| {
                    assert_eq!(amount, credit);
                    token(refuse)
                });
                assert_eq!(r, expected);
                self.withdrawn(r.is_ok())
            }
            Op::Commit(w, choice) => {
                if !self.open() {
                    return;
                }
                let staked = self.l.member(who(w)).staked;
                let weight = self.l.weight(who(w), self.case.snapshot_block);
                assert!(weight <= staked);
                let mut c = self.case;
                let r = self.l.lock_risk(who(w), &mut c, self.block);
                if weight == 0 {
                    assert_eq!(r, Err(Error::NoVotingWeight));
                    return;
                }
                let risk = bps_of(weight, c.jury.penalty_bps).unwrap();
                assert_eq!(r, Ok((weight, risk)));
                self.case = c;
                // A reveal whose weight would overflow its choice's tally is refused
                // by the contract: such a vote stays unrevealed.
                let revealed = (choice < 10)
                    .then_some(choice)
                    .filter(|ch| self.tally[usize::from(*ch)].checked_add(weight).is_some());
                if let Some(ch) = revealed {
                    self.tally[usize::from(ch)] += weight;
                }
                self.votes.push(ModelVote {
                    who: who(w),
                    vote: Vote {
                        commitment: Default::default(),
                        weight,
                        risk,
                        revealed,
                        voided: false,
                        settled: false,
                    },
                });
                true
            }
            Op::Denounce(v, by) => {
                let Some(i) = self.pick(v) else {
                    return;
                };
                if !self.open() {
                    return;
                }
                let mv = &mut self.votes[i];
                let mut c = self.case;
                let r = self.l.denounce(mv.who, who(by), &mut c, mv.vote.risk);
                if mv.who == who(by) {
                    assert_eq!(r, Err(Error::SelfDenounce));
                    assert_eq!(c, self.case);
                    false
                } else {
                    assert_eq!(r, Ok(mv.vote.risk / 2));
                    self.case = c;
                    mv.vote.voided = true;
                    mv.vote.settled = true;
                    bump(&self.seen.denounced);
                    true
                }
            }
            Op::Execute(choice) => {
                if !self.open() {
                    return;
                }
                let live = self.votes.iter().filter(|v| !v.vote.voided);
                let mut c = self.case;
                if choice == 10 && self.rounds.is_empty() {
                    let mut revealed = [Tally::default(); CHOICES as usize];
                    for v in live {
                        if let Some(ch) = v.vote.revealed {
                            revealed[usize::from(ch)].risk += v.vote.risk;
                        }
                    }
                    let p = plan::fallback(&c, |ch| revealed[usize::from(ch)].risk).unwrap();
                    assert_eq!(self.l.close_unruled(p.to_reserve), Ok(()));
                    c.status = CaseStatus::NoQuorum;
                } else {
                    let choice = choice % 10;
                    let mut coherent = Tally::default();
                    for v in live.filter(|v| v.vote.revealed == Some(choice)) {
                        coherent.weight += v.vote.weight;
                        coherent.risk += v.vote.risk;
                    }
                    let p = plan::ruling(&c, choice, coherent, reader(&self.rounds)).unwrap();
                    assert_eq!(self.l.close_ruled(&mut c, &p), Ok(()));
                    c.status = CaseStatus::Ruled {
                        choice,
                        applied: true,
                    };
                }
                self.case = c;
                true
            }
            Op::Settle(v) => {
                if self.open() {
                    return;
                }
                let Some(i) = self.pick(v) else {
                    return;
                };
                let mv = &mut self.votes[i];
                let mut c = self.case;
                let split = plan::vote_split(&c, &mv.vote).unwrap();
                let r = self.l.settle(mv.who, &mut c, &mv.vote, &split, self.block);
                assert_eq!(r, Ok(()));
                self.case = c;
                mv.vote.settled = true;
                bump(&self.seen.settled);
                true
            }
        };
        if !applied {
            assert_eq!(
                self.snapshot(),
                before,
                "a refused operation wrote something"
            );
        }
        self.check();
    }

    fn withdrawn(&self, ok: bool) -> bool {
        if ok {
            bump(&self.seen.withdrawn);
        }
        ok
    }

    /// The `v`-th (modulo) vote not settled.
    fn pick(&self, v: u8) -> Option<usize> {
        let ids: Vec<usize> = (0..self.votes.len())
            .filter(|i| !self.votes[*i].vote.settled)
            .collect();
        (!ids.is_empty()).then(|| ids[usize::from(v) % ids.len()])
    }
}

/// Opens a case with these parameters, runs `ops` against the model, then closes the
/// case with `ruling`, settles every vote and withdraws everything: the pool is paid to
/// the last unit and the books end holding only stakes and the reserve. Returns the
/// ledger at the end.
fn replay(
    (fee, reward, delay, penalty, snapshot): (Balance, Balance, u64, u16, u32),
    ops: Vec<Op>,
    ruling: u8,
    seen: &Seen,
) -> StakeLedger {
    let mut case = case(0, 0, 0);
    case.fee = fee;
    case.jury.juror_reward = reward;
    case.jury.penalty_bps = penalty;
    case.snapshot_block = snapshot;
    let mut l = StakeLedger::default();
    l.open_case(&mut case, ok).unwrap();
    let mut r = Run {
        l,
        case,
        votes: Vec::new(),
        rounds: Vec::new(),
        block: 0,
        now: 0,
        delay,
        tally: [0; CHOICES as usize],
        seen,
    };
    r.check();
    for op in ops {
        r.step(op);
    }
    r.step(Op::Execute(ruling));
    while r.votes.iter().any(|v| !v.vote.settled) {
        r.step(Op::Settle(0));
    }
    assert_eq!(r.case.paid, r.case.pool, "the pool is paid exactly");
    r.now += delay;
    for w in 0..MEMBERS {
        r.step(Op::WithdrawCredit(w, false));
        r.step(Op::Withdraw(w, false));
    }
    let (total, reserve, owed) = r.l.totals();
    assert_eq!(owed, total + reserve);
    r.l
}

/// Found by the property test below in CI: a juror who loses most of a stake near
/// `u128::MAX` to a denunciation, stakes again and loses again has lost more than
/// `u128::MAX` in all. That lifetime statistic once used checked addition, so the
/// second vote's settlement failed with `Overflow` and its stake stayed locked.
#[ink::test]
fn a_lifetime_loss_past_u128_max_saturates_instead_of_locking_a_vote() {
    let seen = Seen::default();
    let ops = vec![
        Op::Stake(3, u128::MAX - 1_000, false),
        Op::Commit(3, 0),
        Op::Denounce(0, 1),
        Op::WithdrawCredit(1, false),
        Op::Stake(3, 99_527_366_144_677_762_600_287_635_179_821_408_192, false),
        Op::Commit(3, 0),
    ];
    let l = replay((0, 0, 0, 5_860, 32), ops, 0, &seen);
    // The path ran: the denounced risk and the second vote's forfeited risk (it voted
    // 7, the ruling is 0) add up past u128::MAX, and both votes settled.
    let m = l.member(who(3));
    assert_eq!((m.lost, m.at_risk, m.open_votes), (u128::MAX, 0, 0));
    assert!(seen.denounced.get() == 1 && seen.settled.get() == 1);
}

#[test]
fn the_ledger_keeps_its_invariant_for_any_amounts() {
    let seen = Seen::default();
    let mut runner = TestRunner::new(Config {
        cases: 1_500,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..Config::default()
    });
    let input = (
        (
            0u128..2_000,
            0u128..2_000,
            0u64..40,
            0u16..=10_000,
            0u32..90,
        ),
        proptest::collection::vec(op(), 1..80),
    );
    let input = (input, 0u8..=10);
    runner
        .run(&input, |((params, ops), ruling)| {
            ink::env::test::run_test::<E, _>(|_| {
                replay(params, ops, ruling, &seen);
                Ok(())
            })
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))
        })
        .unwrap();
    // About a third of the least seen over many seeds (settled 316–386, denounced
    // 213–301, the others 780 and more): `make fuzz` draws new seeds, and a kind of
    // step must not fall short by luck.
    for (what, n, least) in [
        ("overflowed", &seen.overflowed, 200),
        ("refused by the token", &seen.token_refused, 200),
        ("accepted money in", &seen.accepted_in, 200),
        ("settled", &seen.settled, 100),
        ("denounced", &seen.denounced, 70),
        ("withdrawn", &seen.withdrawn, 200),
    ] {
        assert!(n.get() >= least, "{what}: only {}", n.get());
    }
}
