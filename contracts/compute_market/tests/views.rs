//! The views: offer views with reputation, free GPUs and attestation; the bounded,
//! filtered searches and their cursors; the paginated lists; page sizes.

use super::*;
use market_types::MAX_PERIOD_MS;

fn ids(page: &market_types::Page<OfferView>) -> Vec<OfferId> {
    page.items.iter().map(|v| v.offer_id).collect()
}

#[ink::test]
fn an_offer_view_carries_reputation_free_gpus_and_a_valid_attestation() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 3, 1).unwrap();
    set_now(T0 + WINDOW + 1);
    c.cancel_no_show(r).unwrap();
    let r = rent(&mut c, id, 1, 1).unwrap();
    set_caller(auditor());
    c.attest_offer(id, hash(4), T0 + 10 * HOUR).unwrap();
    let v = c.offer(id).unwrap();
    assert_eq!((v.offer_id, v.free_gpus), (id, 3));
    assert_eq!(v.reputation.no_shows, 1);
    assert_eq!(v.attestation.map(|a| a.report_hash), Some(hash(4)));
    assert_eq!(c.rental(r).unwrap().gpus, 1);
    assert_eq!(c.offer(99), None);
}

#[ink::test]
fn searches_filter_by_price_and_vram_and_ignore_case() {
    let mut c = setup();
    let mut d = draft();
    let a = publish(&mut c, &d);
    d.price = 30;
    let b = publish(&mut c, &d);
    d.vram = 24;
    d.gpu = "RTX 4090".into();
    d.price = 5;
    let g = publish(&mut c, &d);
    d.region = "us-east".into();
    let us = publish(&mut c, &d);
    let region = |c: &ComputeMarket, r: &str, p, v| ids(&c.offers_by_region(r.into(), 0, 0, p, v));
    assert_eq!(region(&c, "eu-west", None, None), vec![a, b, g]);
    assert_eq!(region(&c, "EU-West", Some(10), None), vec![a, g]);
    assert_eq!(region(&c, "eu-west", Some(10), Some(48)), vec![a]);
    assert_eq!(region(&c, "eu-west", None, Some(81)), Vec::<OfferId>::new());
    assert_eq!(region(&c, "us-east", None, None), vec![us]);
    assert_eq!(region(&c, "mars", None, None), Vec::<OfferId>::new());
    assert_eq!(region(&c, "bad;text", None, None), Vec::<OfferId>::new());
    let gpu = |c: &ComputeMarket, m: &str| ids(&c.offers_by_gpu(m.into(), 0, 0, None, None));
    assert_eq!(gpu(&c, "rtx 4090"), vec![g, us]);
    assert_eq!(gpu(&c, "h100"), vec![a, b]);
    // Paused offers do not match; retired ones leave the lists.
    c.pause_offer(a).unwrap();
    c.retire_offer(b).unwrap();
    assert_eq!(gpu(&c, "h100"), Vec::<OfferId>::new());
    c.resume_offer(a).unwrap();
    assert_eq!(gpu(&c, "h100"), vec![a]);
    // An expired offer does not match.
    set_now(T0 + MAX_PERIOD_MS);
    assert_eq!(gpu(&c, "h100"), Vec::<OfferId>::new());
}

#[ink::test]
fn a_search_examines_a_bounded_stretch_and_its_cursor_continues_the_scan() {
    let mut c = setup();
    let mut d = draft();
    let total = MAX_SCAN + 5;
    for i in 1..=total {
        // Only the first and the last are cheap enough.
        d.price = if i == 1 || i == total { 10 } else { 50 };
        publish(&mut c, &d);
    }
    let cheap = Some(10);
    let p = c.offers_by_region("eu-west".into(), 0, 0, cheap, None);
    assert_eq!((ids(&p), p.next), (vec![1], Some(u64::from(MAX_SCAN))));
    let p = c.offers_by_region("eu-west".into(), p.next.unwrap(), 0, cheap, None);
    assert_eq!((ids(&p), p.next), (vec![u64::from(total)], None));
    // Without a filter, `limit` ends the page first.
    let p = c.offers_by_region("eu-west".into(), 0, 3, None, None);
    assert_eq!((ids(&p), p.next), (vec![1, 2, 3], Some(3)));
    let p = c.offers_by_region("eu-west".into(), 0, 0, None, None);
    assert_eq!(
        (p.items.len(), p.next),
        (MAX_PAGE as usize, Some(u64::from(MAX_PAGE)))
    );
    // Past the end: empty and final.
    let p = c.offers_by_region("eu-west".into(), 1_000, 0, None, None);
    assert_eq!((p.items.len(), p.next), (0, None));
}

#[ink::test]
fn lists_page_through_offers_and_rentals() {
    let mut c = setup();
    for _ in 0..12 {
        publish(&mut c, &draft());
    }
    let p = c.offers_of(provider(), 0, 0);
    assert_eq!((ids(&p), p.next), ((1..=10).collect::<Vec<_>>(), Some(10)));
    let p = c.offers_of(provider(), 10, 0);
    assert_eq!((ids(&p), p.next), (vec![11, 12], None));
    assert!(c.offers_of(renter(), 0, 0).items.is_empty());
    set_caller(renter());
    let first = rent(&mut c, 1, 1, 1).unwrap();
    let second = rent(&mut c, 2, 1, 1).unwrap();
    set_caller(accounts().django);
    let third = rent(&mut c, 1, 1, 1).unwrap();
    let rows = |p: market_types::Page<(RentalId, Rental)>| -> Vec<RentalId> {
        p.items.iter().map(|(id, _)| *id).collect()
    };
    assert_eq!(
        rows(c.rentals_of(renter(), Party::Renter, 0, 0)),
        vec![first, second]
    );
    assert_eq!(
        rows(c.rentals_of(accounts().django, Party::Renter, 0, 0)),
        vec![third]
    );
    assert_eq!(
        rows(c.rentals_of(provider(), Party::Provider, 0, 0)),
        vec![first, second, third]
    );
    assert_eq!(
        rows(c.rentals_of(provider(), Party::Provider, 1, 1)),
        vec![second]
    );
    assert!(c
        .rentals_of(provider(), Party::Renter, 0, 0)
        .items
        .is_empty());
    assert_eq!(rows(c.open_rentals(1, 0, 0)), vec![first, third]);
    set_caller(renter());
    c.end_early(first).unwrap();
    assert_eq!(rows(c.open_rentals(1, 0, 0)), vec![third]);
    assert_eq!(
        rows(c.rentals_of(renter(), Party::Renter, 0, 0)),
        vec![first, second],
        "history stays"
    );
    assert_eq!(c.rental_count(), 3);
}

#[ink::test]
fn largest_pages_stay_far_below_16_kib() {
    let mut c = setup();
    let mut d = draft();
    d.gpu = "G".repeat(MAX_TEXT_LEN);
    d.region = "R".repeat(MAX_TEXT_LEN);
    d.asset = Asset::Psp22(token());
    for _ in 0..MAX_PAGE {
        publish(&mut c, &d);
    }
    set_caller(auditor());
    for id in 1..=u64::from(MAX_PAGE) {
        c.attest_offer(id, hash(5), T0 + HOUR).unwrap();
    }
    set_caller(renter());
    for id in 1..=u64::from(MAX_PAGE) {
        let r = rent(&mut c, id, 1, 1).unwrap();
        start(&mut c, r);
    }
    let region = c
        .offers_by_region(d.region.clone(), 0, 0, Some(u128::MAX), Some(1))
        .encoded_size();
    let mine = c.offers_of(provider(), 0, 0).encoded_size();
    let rentals = c.rentals_of(renter(), Party::Renter, 0, 0).encoded_size();
    let open = c.open_rentals(1, 0, 0).encoded_size();
    for size in [region, mine, rentals, open] {
        assert!(size < 8 * 1024, "a page of {size} bytes");
    }
    assert!(region > 3_000, "the page was full: {region}");
}
