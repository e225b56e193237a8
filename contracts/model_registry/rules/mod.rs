//! The registry's pure rules: plain functions over values, with no storage and no ink!
//! environment, unit-tested directly. The contract (`lib.rs`) and its helper modules
//! at the crate root call them.
//!
//! - [`licensing`]: what an account may do with a model, from the licenses it bought;
//! - [`validation`]: checks of what a caller sends (names, URIs, tags, terms).

pub mod licensing;
pub mod validation;
