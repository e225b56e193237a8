//! The vault's pure rules: plain functions over values, with no storage and no ink!
//! environment, unit-tested directly. The contract (`lib.rs`) and its helper modules
//! at the crate root call them.
//!
//! - [`money`]: parameter checks, stream accrual, what an escrow holds and owes;
//! - [`settlement`]: how an escrow's money is divided when it settles or a stream stops.

pub mod money;
pub mod settlement;
