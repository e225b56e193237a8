//! The market's pure rules: plain functions over values, with no storage and no ink!
//! environment (an offer's slot key is a hash of its id), unit-tested directly. The
//! contract (`lib.rs`) and its helper modules at the crate root call them.
//!
//! - [`offers`]: what a valid offer is and what its capacity allows;
//! - [`rentals`]: the arithmetic of a rental (hours, prices, collateral, penalties);
//! - [`reputation`]: how a finished rental counts in its provider's record.

pub mod offers;
pub mod rentals;
pub mod reputation;
