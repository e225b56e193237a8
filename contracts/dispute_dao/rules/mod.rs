//! The DAO's pure rules: plain functions over values, with no storage and no ink!
//! environment, unit-tested directly. The contract (`lib.rs`) and its helper modules
//! at the crate root call them.
//!
//! - [`checkpoints`]: stake histories and the stake before a block;
//! - [`jury`]: a round's phases, commitments, tallies, appeals and juror rewards;
//! - [`plan`]: what a ruling, a fallback or a settled vote moves, before anything moves;
//! - [`governance`]: the state of a proposal and which actions are the DAO's own.

pub mod checkpoints;
pub mod governance;
pub mod jury;
pub mod plan;
