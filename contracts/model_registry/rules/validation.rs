//! Checks of what a caller sends, with no storage and no environment: each returns the
//! [`Error`] that names what is wrong (the governed values' checks: the [`AdminError`]
//! the admin setters answer with), and messages run them before reading or writing
//! anything else, so a refused message has changed nothing.
//!
//! The caps (in `types.rs`, re-exported at the crate root): a model name of 1 to 64
//! bytes (`MAX_NAME_LEN`), a metadata URI of 1 to 128 (`MAX_URI_LEN`), at most 5
//! distinct tags (`MAX_TAGS`) of 1 to 32 bytes of `a-z`, `0-9` and `-` (`MAX_TAG_LEN`),
//! and at most 32 offers per model, retired ones included (`MAX_OFFERS_PER_MODEL`,
//! `TooManyOffers`, checked by `add_offer`). The governed values: the royalty cap is
//! never above 50 % (`ROYALTY_HARD_CAP_BPS`, so a sale always leaves the seller
//! something), and a model's royalty is at most the cap in force when it is registered,
//! zero without a parent; the delivery period and review window of new purchases are
//! each 1 ms to 366 days (`MAX_PERIOD_MS`), 7 and 3 days until the admin changes them
//! (`DEFAULT_DELIVERY_PERIOD_MS`, `DEFAULT_REVIEW_WINDOW_MS`).

use crate::errors::{Error, Result};
use crate::types::{
    TagKey, MAX_NAME_LEN, MAX_TAGS, MAX_TAG_LEN, MAX_URI_LEN, ROYALTY_HARD_CAP_BPS,
};
use ink::prelude::{string::String, vec::Vec};
use market_types::admin::check_period;
use market_types::{ensure, AdminError, Balance, Bps, LicenseKind};

/// A model name: 1..=`MAX_NAME_LEN` bytes.
pub fn check_name(name: &str) -> Result<()> {
    ensure!(
        !name.is_empty() && name.len() <= MAX_NAME_LEN,
        Error::InvalidName
    );
    Ok(())
}

/// A metadata URI: 1..=`MAX_URI_LEN` bytes.
pub fn check_uri(uri: &str) -> Result<()> {
    ensure!(
        !uri.is_empty() && uri.len() <= MAX_URI_LEN,
        Error::InvalidUri
    );
    Ok(())
}

/// The index key of a valid tag (1..=`MAX_TAG_LEN` bytes of `a-z`, `0-9`, `-`), `None`
/// for an invalid one.
pub fn tag_key(tag: &str) -> Option<TagKey> {
    let bytes = tag.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.len() <= MAX_TAG_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    if !valid {
        return None;
    }
    let mut key = [0u8; MAX_TAG_LEN];
    key.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(key)
}

/// A tag list: at most `MAX_TAGS` valid, distinct tags. Returns their index keys, in
/// order.
pub fn check_tags(tags: &[String]) -> Result<Vec<TagKey>> {
    ensure!(tags.len() <= MAX_TAGS, Error::TooManyTags);
    let mut keys: Vec<TagKey> = Vec::with_capacity(tags.len());
    for tag in tags {
        let key = tag_key(tag).ok_or(Error::InvalidTag)?;
        ensure!(!keys.contains(&key), Error::DuplicateTag);
        keys.push(key);
    }
    Ok(keys)
}

/// An offer's terms: terms that sell something, a price above zero, and an asset offers
/// may be priced in (`asset_allowed`, read by the caller), checked in that order.
pub fn check_terms(kind: LicenseKind, price: Balance, asset_allowed: bool) -> Result<()> {
    ensure!(kind.is_valid(), Error::InvalidLicenseTerms);
    ensure!(price != 0, Error::ZeroPrice);
    ensure!(asset_allowed, Error::AssetNotAllowed);
    Ok(())
}

/// A royalty cap: at most `ROYALTY_HARD_CAP_BPS` (else `OutOfRange`).
pub fn check_royalty_cap(max_royalty_bps: Bps) -> core::result::Result<(), AdminError> {
    ensure!(
        max_royalty_bps <= ROYALTY_HARD_CAP_BPS,
        AdminError::OutOfRange
    );
    Ok(())
}

/// The delivery period and review window of new purchases: each above zero
/// (`InvalidPeriod`) and at most `MAX_PERIOD_MS` (`PeriodTooLong`).
pub fn check_periods(
    delivery_period_ms: u64,
    review_window_ms: u64,
) -> core::result::Result<(), AdminError> {
    check_period(delivery_period_ms)?;
    check_period(review_window_ms)
}

/// A rating: whole stars from 1 to 5.
pub fn check_rating(stars: u8) -> Result<()> {
    ensure!((1..=5).contains(&stars), Error::InvalidRating);
    Ok(())
}
