//! Pages: every model id listed once, and the largest page of each view far below
//! 16 KiB.

use super::*;

// ------------------------------------------------------------ pages

#[ink::test]
fn models_pages_cover_every_id_once() {
    let mut c = setup();
    for i in 0..25 {
        register(&mut c, &format!("m{i}"), &["llm"]);
    }
    let mut all = Vec::new();
    let mut cursor = Some(0);
    let mut pages = 0;
    while let Some(at) = cursor {
        let page = c.models(at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        all.extend(ids(&page));
        cursor = page.next;
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(all, (1..=25).collect::<Vec<_>>());
    // Limits above the cap are clamped; small limits honoured.
    assert_eq!(c.models(1, 1_000).items.len(), MAX_PAGE as usize);
    assert_eq!(ids(&c.models(24, 5)), vec![24, 25]);
    assert_eq!(c.models(24, 5).next, None);
    assert_eq!(c.models(3, 2).next, Some(5));
    assert!(c.models(26, 5).items.is_empty());
    assert!(c.models(u64::MAX, u32::MAX).items.is_empty());
    // The same for the tag and owner indexes.
    let by_tag = c.models_by_tag(String::from("llm"), 20, 0);
    assert_eq!(ids(&by_tag), (21..=25).collect::<Vec<_>>());
    assert_eq!(by_tag.next, None);
    assert_eq!(c.models_by_owner(accounts().alice, 0, 0).next, Some(10));
    assert_eq!(c.owner_model_count(accounts().alice), 25);
    assert!(c
        .models_by_owner(accounts().alice, u64::MAX, 1)
        .items
        .is_empty());
    assert!(c
        .models_by_tag(String::from("NOT VALID"), 0, 0)
        .items
        .is_empty());
    assert_eq!(c.tag_model_count(String::from("NOT VALID")), 0);
}

#[ink::test]
fn largest_pages_stay_far_below_16_kib() {
    let mut c = setup();
    // Mappings live under the callee's account, so it is set before any write.
    test::set_callee::<E>(AccountId::from([0xEE; 32]));
    c.set_asset_allowed(accounts().frank, true).unwrap();
    let big_tags: Vec<String> = (0..MAX_TAGS)
        .map(|i| format!("{}{}", "t".repeat(MAX_TAG_LEN - 1), i))
        .collect();
    c.set_auditor(accounts().alice, true).unwrap();
    for _ in 0..MAX_PAGE {
        let id = c
            .register_model(
                text(MAX_NAME_LEN),
                text(MAX_URI_LEN),
                hash(1),
                v(u32::MAX, u32::MAX, u32::MAX),
                None,
                0,
                big_tags.clone(),
            )
            .unwrap();
        c.deprecate(id, Some(1)).ok();
    }
    for _ in 0..MAX_PAGE {
        c.add_offer(
            1,
            LicenseKind::TimeBound {
                duration_ms: u64::MAX,
            },
            u128::MAX,
            Asset::Psp22(accounts().frank),
        )
        .unwrap();
    }
    // Every auditor slot of model 1 taken, so the attestation page is full.
    for i in 0..MAX_PAGE {
        let auditor = AccountId::from([0x40 + i as u8; 32]);
        set_caller(accounts().alice);
        c.set_auditor(auditor, true).unwrap();
        set_caller(auditor);
        c.attest(1, hash(3), u64::MAX).unwrap();
    }
    // A full page of licenses with the widest fields: TimeBound, u128::MAX.
    set_caller(accounts().alice);
    c.set_vault(AccountId::from([0xA1; 32])).unwrap();
    set_caller(accounts().bob);
    let buyer = accounts().bob;
    psp22::mint(accounts().frank, buyer, u128::MAX);
    for i in 0..MAX_PAGE {
        psp22::set_allowance(
            accounts().frank,
            buyer,
            AccountId::from([0xEE; 32]),
            u128::MAX,
        );
        psp22::set_balance(accounts().frank, buyer, u128::MAX);
        // The vault's u128::MAX from the last purchase, and what it counted, reset.
        psp22::set_balance(accounts().frank, AccountId::from([0xA1; 32]), 0);
        market_types::testing::vault::with(AccountId::from([0xA1; 32]), |v| v.counted.clear());
        let l = c.purchase_license(1, i, 1).unwrap();
        c.release_license(l).unwrap();
    }
    let models = c.models(1, MAX_PAGE).encoded_size();
    let attestations = c.attestations(1, 0, MAX_PAGE).encoded_size();
    let licenses = c.licenses_of(buyer, 0, MAX_PAGE).encoded_size();
    let for_model = c.licenses_for_model(buyer, 1, 0, MAX_PAGE).encoded_size();
    let owned = c
        .models_by_owner(accounts().alice, 0, MAX_PAGE)
        .encoded_size();
    assert_eq!(
        c.attestations(1, 0, MAX_PAGE).items.len(),
        MAX_PAGE as usize
    );
    assert_eq!(
        c.licenses_of(buyer, 0, MAX_PAGE).items.len(),
        MAX_PAGE as usize
    );
    for size in [attestations, licenses, for_model, owned] {
        assert!(size < 8 * 1024, "page of {size} bytes");
    }
    let by_tag = c
        .models_by_tag(big_tags[0].clone(), 0, MAX_PAGE)
        .encoded_size();
    let offers = c.offers(1, 0, MAX_PAGE).encoded_size();
    assert_eq!(c.models(1, MAX_PAGE).items.len(), MAX_PAGE as usize);
    assert_eq!(c.offers(1, 0, MAX_PAGE).items.len(), MAX_PAGE as usize);
    for size in [models, by_tag, offers] {
        assert!(size < 8 * 1024, "page of {size} bytes");
    }
}
