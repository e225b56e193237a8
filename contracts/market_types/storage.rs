//! Storage helpers every contract uses: the swap-remove index behind per-account and
//! per-key lists, the allow-list behind every governed list, and the page builder
//! behind every paginated getter. (The two-step role handover is part of the governed
//! surface: [`crate::admin::Admin`].)

use crate::{Asset, Page};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::scale::EncodeLike;
use ink::storage::traits::{AutoKey, Packed, StorageKey};
use ink::storage::Mapping;

/// Position of an item in an index list.
pub type Pos = u32;

/// Lists of `V` per key `K` with O(1) `push`, O(1) `remove` by value (the last item
/// moves into the freed place) and pages in list order — what a dApp pages through as
/// "this account's open escrows" or "models tagged `llm`". Three mappings: each list's
/// length, the item at each position, each item's position.
///
/// Invariant: for every key, positions `0..len` hold distinct items and `pos(item)`
/// points back at each of them. No method loops over a list.
///
/// `KEY` lets the contract give each `SwapIndex` field its own storage key (ink!
/// resolves it from the field); without it two indexes in one contract would share
/// their cells.
#[ink::storage_item]
pub struct SwapIndex<K: Packed, V: Packed, KEY: StorageKey = AutoKey> {
    len: Mapping<K, Pos>,
    at: Mapping<(K, Pos), V>,
    pos: Mapping<(K, V), Pos>,
}

impl<K, V, KEY> Default for SwapIndex<K, V, KEY>
where
    K: Packed,
    V: Packed,
    KEY: StorageKey,
{
    fn default() -> Self {
        Self {
            len: Mapping::default(),
            at: Mapping::default(),
            pos: Mapping::default(),
        }
    }
}

/// Contract storage derives `Debug` in unit-test builds; the lists live in the chain's
/// storage, not in the struct, so there is nothing to print.
impl<K: Packed, V: Packed, KEY: StorageKey> core::fmt::Debug for SwapIndex<K, V, KEY> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SwapIndex")
    }
}

impl<K, V, KEY> SwapIndex<K, V, KEY>
where
    K: Packed + Copy + EncodeLike,
    V: Packed + Copy + PartialEq + EncodeLike,
    KEY: StorageKey,
{
    /// How many items `key`'s list holds.
    pub fn len(&self, key: K) -> Pos {
        self.len.get(key).unwrap_or(0)
    }

    /// Whether `key`'s list is empty.
    pub fn is_empty(&self, key: K) -> bool {
        self.len(key) == 0
    }

    /// Whether `item` is in `key`'s list.
    pub fn contains(&self, key: K, item: V) -> bool {
        self.pos.contains((key, item))
    }

    /// Whether one more item fits in `key`'s list (its length stays a `u32`). Check
    /// it before writing anything else, so a refused message writes nothing.
    pub fn has_room(&self, key: K) -> bool {
        self.len(key).checked_add(1).is_some()
    }

    /// Appends `item` to `key`'s list; `false` (and nothing written) if the list is full
    /// or already holds it.
    pub fn push(&mut self, key: K, item: V) -> bool {
        let len = self.len(key);
        let Some(new_len) = len.checked_add(1) else {
            return false;
        };
        if self.contains(key, item) {
            return false;
        }
        self.at.insert((key, len), &item);
        self.pos.insert((key, item), &len);
        self.len.insert(key, &new_len);
        true
    }

    /// Where the next item of `key`'s list goes, if one more fits (its length stays a
    /// `u32`): the one read [`Self::push_new`] needs, made while checking, so a refused
    /// message writes nothing.
    pub fn next_pos(&self, key: K) -> Option<Pos> {
        let len = self.len(key);
        len.checked_add(1).map(|_| len)
    }

    /// Appends `item` at `pos`, what [`Self::next_pos`] gave in the same message, with
    /// three writes and no read. For an item the caller knows is not in `key`'s list
    /// (a new id); [`Self::push`] checks it.
    pub fn push_new(&mut self, key: K, pos: Pos, item: V) {
        self.at.insert((key, pos), &item);
        self.pos.insert((key, item), &pos);
        self.len.insert(key, &pos.saturating_add(1));
    }

    /// [`Self::push_new`] for a list nothing is ever removed from (a history): the
    /// item's position is not stored, so [`Self::remove`] and [`Self::contains`] do not
    /// see it; pages do. Two writes.
    pub fn append(&mut self, key: K, pos: Pos, item: V) {
        self.at.insert((key, pos), &item);
        self.len.insert(key, &pos.saturating_add(1));
    }

    /// Removes `item` from `key`'s list by moving the last item into its place;
    /// `false` if it was not there.
    pub fn remove(&mut self, key: K, item: V) -> bool {
        let Some(pos) = self.pos.take((key, item)) else {
            return false;
        };
        let last = self.len(key).saturating_sub(1);
        if pos != last {
            if let Some(moved) = self.at.get((key, last)) {
                self.at.insert((key, pos), &moved);
                self.pos.insert((key, moved), &pos);
            }
        }
        self.at.remove((key, last));
        self.len.insert(key, &last);
        true
    }

    /// The item at `pos` in `key`'s list.
    pub fn get(&self, key: K, pos: Pos) -> Option<V> {
        self.at.get((key, pos))
    }

    /// A page of `key`'s list from position `cursor`, each item mapped by `f` (items
    /// `f` drops are skipped); see [`page`].
    pub fn page<T>(
        &self,
        key: K,
        cursor: u64,
        limit: u32,
        max: u32,
        mut f: impl FnMut(V) -> Option<T>,
    ) -> Page<T> {
        page(cursor, limit, max, u64::from(self.len(key)), |i| {
            let pos = Pos::try_from(i).ok()?;
            self.get(key, pos).and_then(&mut f)
        })
    }
}

/// A set of accounts — auditors, controllers, allowed PSP22 tokens — with the one
/// convention every contract uses: one setter taking a bool (idempotent), one event.
/// `KEY`: as for [`SwapIndex`], so two lists in one contract never share cells.
#[ink::storage_item]
pub struct AllowList<KEY: StorageKey = AutoKey> {
    members: Mapping<AccountId, ()>,
}

impl<KEY: StorageKey> Default for AllowList<KEY> {
    fn default() -> Self {
        Self {
            members: Mapping::default(),
        }
    }
}

impl<KEY: StorageKey> core::fmt::Debug for AllowList<KEY> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AllowList")
    }
}

impl<KEY: StorageKey> AllowList<KEY> {
    /// Adds (`allowed`) or removes `account`; setting what is already so is a no-op.
    pub fn set(&mut self, account: AccountId, allowed: bool) {
        if allowed {
            self.members.insert(account, &());
        } else {
            self.members.remove(account);
        }
    }

    /// Whether `account` is on the list.
    pub fn contains(&self, account: AccountId) -> bool {
        self.members.contains(account)
    }

    /// Whether `asset` may be used: native always, a PSP22 when its token is listed.
    pub fn allows(&self, asset: Asset) -> bool {
        match asset {
            Asset::Native => true,
            Asset::Psp22(token) => self.contains(token),
        }
    }
}

/// The one page builder: the items at positions `cursor..` (at most `limit`, clamped to
/// `1..=max`, 0 meaning `max`) of a list of `len` items, read with `item` (which may
/// skip a position by returning `None`), and the cursor of the next page, if any.
pub fn page<T>(
    cursor: u64,
    limit: u32,
    max: u32,
    len: u64,
    mut item: impl FnMut(u64) -> Option<T>,
) -> Page<T> {
    let end = cursor
        .saturating_add(u64::from(crate::page_len(limit, max)))
        .min(len);
    let mut items = Vec::new();
    let mut i = cursor;
    while i < end {
        if let Some(t) = item(i) {
            items.push(t);
        }
        i = i.saturating_add(1);
    }
    Page {
        items,
        next: (end < len).then_some(end),
    }
}

/// Returns `Err(err.into())` from the enclosing function unless `cond` holds: the guard
/// every message starts with.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $err:expr $(,)?) => {
        if !$cond {
            return ::core::result::Result::Err(::core::convert::From::from($err));
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_builder_clamps_and_continues() {
        let all: Vec<u64> = (0..25).collect();
        let read = |i: u64| all.get(usize::try_from(i).ok()?).copied();
        let p = page(0, 0, 10, 25, read);
        assert_eq!((p.items.len(), p.next), (10, Some(10)));
        let p = page(20, 100, 10, 25, read);
        assert_eq!((p.items, p.next), (vec![20, 21, 22, 23, 24], None));
        let p = page(u64::MAX, u32::MAX, 10, 25, read);
        assert_eq!((p.items.len(), p.next), (0, None));
        let odd = page(0, 10, 10, 25, |i| (i % 2 == 1).then_some(i));
        assert_eq!(odd.items, vec![1, 3, 5, 7, 9]);
    }

    fn guarded(x: u32) -> Result<u32, &'static str> {
        ensure!(x > 0, "zero");
        Ok(x)
    }

    #[test]
    fn ensure_returns_the_error() {
        assert_eq!(guarded(0), Err("zero"));
        assert_eq!(guarded(3), Ok(3));
    }

    type TagKey = (u8, [u8; 32]);

    /// A contract's storage holding indexes, as the contracts do: it must have a
    /// storage layout for the metadata.
    #[ink::storage_item]
    #[derive(Default)]
    struct Holder {
        by_account: SwapIndex<ink::primitives::AccountId, u64>,
        by_key: SwapIndex<TagKey, u64>,
    }

    #[test]
    fn indexes_have_a_storage_layout() {
        use ink::storage::traits::StorageLayout;
        let layout = <Holder as StorageLayout>::layout(&0);
        assert!(format!("{layout:?}").contains("by_account"));
        let _ = Holder::default();
    }

    /// Two helpers of one type in one storage struct must not share storage cells
    /// (found when two `AllowList`s, a contract's controllers and its tokens, collided).
    #[ink::storage_item]
    #[derive(Default)]
    struct TwoLists {
        first: AllowList,
        second: AllowList,
        one: SwapIndex<u8, u64>,
        two: SwapIndex<u8, u64>,
    }

    #[test]
    fn two_helpers_of_one_type_get_their_own_keys() {
        use ink::storage::traits::StorageLayout;
        let layout = format!("{:?}", <TwoLists as StorageLayout>::layout(&0));
        let marker = "root_key: LayoutKey { key: ";
        let keys: Vec<u64> = layout
            .split(marker)
            .skip(1)
            .filter_map(|rest| rest.split(' ').next()?.parse().ok())
            .collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(keys.len(), 8, "{layout}");
        assert_eq!(
            unique.len(),
            keys.len(),
            "a storage key is shared: {layout}"
        );
    }

    #[ink::test]
    fn two_allow_lists_never_see_each_others_members() {
        let mut lists = TwoLists::default();
        let a = AccountId::from([1; 32]);
        lists.first.set(a, true);
        assert!(lists.first.contains(a));
        assert!(!lists.second.contains(a));
        assert!(lists.one.push(1, 5));
        assert!(lists.two.is_empty(1));
    }

    #[ink::test]
    fn allow_list_sets_idempotently_and_always_allows_native() {
        let mut list: AllowList = AllowList::default();
        let a = AccountId::from([1; 32]);
        assert!(!list.contains(a) && !list.allows(Asset::Psp22(a)));
        assert!(list.allows(Asset::Native));
        list.set(a, true);
        list.set(a, true);
        assert!(list.contains(a) && list.allows(Asset::Psp22(a)));
        list.set(a, false);
        list.set(a, false);
        assert!(!list.contains(a));
    }

    #[ink::test]
    fn swap_index_pushes_removes_and_pages() {
        let mut idx: SwapIndex<u8, u64> = SwapIndex::default();
        for id in 1..=5 {
            assert!(idx.push(7, id));
        }
        assert!(!idx.push(7, 3), "no duplicates");
        assert_eq!(idx.len(7), 5);
        assert!(idx.remove(7, 2));
        assert!(!idx.remove(7, 2));
        let p = idx.page(7, 0, 0, 10, Some);
        assert_eq!(p.items, vec![1, 5, 3, 4]);
        assert!(idx.remove(7, 4), "the last one");
        assert_eq!(idx.page(7, 0, 0, 10, Some).items, vec![1, 5, 3]);
        assert!(idx.is_empty(8) && idx.has_room(7) && idx.contains(7, 5));
        let pos = idx.next_pos(7).expect("room");
        idx.push_new(7, pos, 9);
        assert_eq!(idx.page(7, 0, 0, 10, Some).items, vec![1, 5, 3, 9]);
        assert!(idx.remove(7, 5) && idx.contains(7, 9));
        assert_eq!(idx.page(7, 0, 0, 10, Some).items, vec![1, 9, 3]);
        let pos = idx.next_pos(8).expect("room");
        idx.append(8, pos, 4);
        idx.append(8, pos + 1, 6);
        assert_eq!(idx.page(8, 0, 0, 10, Some).items, vec![4, 6]);
        assert_eq!(idx.len(8), 2);
        assert_eq!(idx.page(7, 1, 1, 10, Some).next, Some(2));
    }

    #[ink::test]
    fn a_full_swap_index_list_has_no_next_position_and_refuses_a_push() {
        let mut idx: SwapIndex<u8, u64> = SwapIndex::default();
        idx.len.insert(3, &Pos::MAX);
        assert_eq!(idx.next_pos(3), None);
        assert!(!idx.has_room(3));
        assert!(!idx.push(3, 1), "a full list takes nothing");
        assert_eq!(idx.len(3), Pos::MAX);
        assert!(!idx.contains(3, 1));
        assert_eq!(idx.next_pos(4), Some(0), "other lists are unaffected");
    }
}
