//! A bench-only contract that measures what entering one more contract costs, apart
//! from what any message does there (`make bench`, scripts/bench.ts, docs/costs.md).
//!
//! `enter(target, selector, times)` calls the message `selector` of `target` `times`
//! times and ignores what it answers. A dry-run of it with `times` 0, 1 and 2 on a second
//! probe (whose `noop` does nothing) gives the cost of one more hop; the same call on a
//! trivial view of each marketplace contract (15 to 94 KB of code) gives what a
//! contract's code size adds to every call into it; `touch(reads, writes)` what one
//! more storage cell read or written costs. Never deployed for real.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod cost_probe {
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::storage::Mapping;

    #[ink(storage)]
    #[derive(Default)]
    pub struct CostProbe {
        cells: Mapping<u32, u128>,
        blobs: Mapping<u32, ink::prelude::vec::Vec<u8>>,
    }

    impl CostProbe {
        #[ink(constructor)]
        pub fn new() -> Self {
            Self::default()
        }

        /// Reads cells `0..reads`, then writes cells `0..writes` (a 16-byte value each);
        /// returns the sum read.
        #[ink(message)]
        pub fn touch(&mut self, reads: u32, writes: u32) -> u128 {
            let mut sum: u128 = 0;
            for i in 0..reads {
                sum = sum.wrapping_add(self.cells.get(i).unwrap_or(0));
            }
            for i in 0..writes {
                self.cells.insert(i, &u128::from(i));
            }
            sum
        }

        /// Reads blobs `0..reads`, then writes blobs `0..writes` of `len` bytes each;
        /// returns the bytes read: the cost of a cell by the size of its value.
        #[ink(message)]
        pub fn touch_blobs(&mut self, reads: u32, writes: u32, len: u32) -> u32 {
            let mut read: u32 = 0;
            for i in 0..reads {
                let n = self.blobs.get(i).map_or(0, |b| b.len());
                read = read.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            }
            let blob = ink::prelude::vec![7u8; len as usize];
            for i in 0..writes {
                self.blobs.insert(i, &blob);
            }
            read
        }

        /// Does nothing: the cheapest message a contract can have.
        #[ink(message)]
        pub fn noop(&self) {}

        /// Calls `selector` (no arguments) on `target` `times` times; returns how many of
        /// the calls returned (their answers are not decoded, so a decoding error counts
        /// as returned; a trap or a revert does not).
        #[ink(message)]
        pub fn enter(&self, target: AccountId, selector: [u8; 4], times: u32) -> u32 {
            let mut ran: u32 = 0;
            for _ in 0..times {
                let call = build_call::<Environment>()
                    .call(target)
                    .exec_input(ExecutionInput::new(Selector::new(selector)))
                    .returns::<()>()
                    .try_invoke();
                // A view answers with bytes a `()` does not decode: the call still ran.
                if matches!(call, Ok(_) | Err(ink::env::Error::Decode(_))) {
                    ran = ran.saturating_add(1);
                }
            }
            ran
        }
    }
}
