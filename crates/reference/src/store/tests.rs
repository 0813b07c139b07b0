//! The store's rules, one test per rule.

use super::*;

fn seeded() -> (Store, Seed, User) {
    let (store, seed) = Store::seeded(None, None);
    let recipient = store
        .user_by_key(seed.recipient_key.expose().as_bytes())
        .unwrap();
    (store, seed, recipient)
}

fn library(store: &Store, user: &User) -> Vec<String> {
    store
        .library(user, &user.organization_id, 100, 0, &ReadRules::default())
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect()
}

fn all_tokens(seed: &Seed) -> [(&'static str, &str); 5] {
    [
        ("live", &seed.tokens.live),
        ("revoked", &seed.tokens.revoked),
        ("expired", &seed.tokens.expired),
        ("removed", &seed.tokens.removed),
        ("collection", &seed.tokens.collection),
    ]
}

#[test]
fn tokens_are_stored_only_as_hashes() {
    let (store, seed, _) = seeded();
    let dump = format!("{store:?}");
    for (state, token) in all_tokens(&seed) {
        assert!(!dump.contains(token), "{state} token stored in clear");
    }
    assert!(!dump.contains(seed.recipient_key.expose()));
}

#[test]
fn the_seed_writes_itself_as_fixtures() {
    let (_, seed, _) = seeded();
    let text = seed.fixtures_toml();
    let value: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(value["api_key"].as_str(), Some(seed.recipient_key.expose()));
    assert_eq!(
        value["tokens"]["live"].as_str(),
        Some(seed.tokens.live.as_str())
    );
    assert_eq!(
        value["recipient"]["organization_id"].as_str(),
        Some(seed.recipient_organization_id.as_str())
    );
    assert_eq!(
        value["expected"]["track_id"].as_str(),
        Some(seed.track_id.as_str())
    );
}

#[test]
fn saving_each_state() {
    let (mut store, seed, user) = seeded();
    let live = seed.tokens.live.as_str();
    let strict = SaveRules::default();
    assert!(library(&store, &user).is_empty());
    let saved = store.save_shared(&user, live, &strict).unwrap();
    assert!(!saved.repeat);
    assert_eq!(saved.edge.track_id, seed.track_id);
    assert_eq!(
        saved.edge.share_link_id.as_deref(),
        Some(seed.live_share_link_id.as_str())
    );
    assert_eq!(library(&store, &user), vec![seed.track_id.clone()]);
    let again = store.save_shared(&user, live, &strict).unwrap();
    assert!(again.repeat);
    assert_eq!(
        again.edge, saved.edge,
        "a repeat save returns the same edge"
    );
    for (token, refusal) in [
        (&seed.tokens.revoked, Refusal::Revoked),
        (&seed.tokens.expired, Refusal::Expired),
        (&seed.tokens.removed, Refusal::Removed),
        (&seed.tokens.collection, Refusal::Collection),
    ] {
        assert_eq!(
            store.save_shared(&user, token, &strict).unwrap_err(),
            refusal,
            "{refusal:?}"
        );
    }
    assert_eq!(
        store.save_shared(&user, "shr_nope", &strict).unwrap_err(),
        Refusal::Unknown
    );
    assert_eq!(library(&store, &user), vec![seed.track_id.clone()]);
}

#[test]
fn the_library_is_the_callers_own_and_other_organizations_are_not_found() {
    let (mut store, seed, user) = seeded();
    let sharer = store
        .user_by_key(seed.sharer_key.expose().as_bytes())
        .unwrap();
    let live = seed.tokens.live.as_str();
    store
        .save_shared(&user, live, &SaveRules::default())
        .unwrap();
    assert!(library(&store, &sharer).is_empty());
    assert!(
        store
            .library(&user, &seed.organization_id, 100, 0, &ReadRules::default())
            .is_err()
    );
    assert!(
        store
            .library(&user, &user.organization_id, 100, 1, &ReadRules::default())
            .unwrap()
            .is_empty(),
        "offset past the end"
    );
}

#[test]
fn repeat_policies() {
    let (mut store, seed, user) = seeded();
    let live = seed.tokens.live.as_str();
    let rules = |repeat| SaveRules {
        repeat,
        ..SaveRules::default()
    };
    let first = store
        .save_shared(&user, live, &rules(Repeat::NewEdge))
        .unwrap();
    let second = store
        .save_shared(&user, live, &rules(Repeat::NewEdge))
        .unwrap();
    assert!(second.repeat);
    assert_ne!(first.edge.id, second.edge.id);
    assert_eq!(
        store
            .save_shared(&user, live, &rules(Repeat::Refuse))
            .unwrap_err(),
        Refusal::AlreadySaved
    );
}

#[test]
fn faulty_rules_store_nothing_or_store_refused_saves() {
    let (mut store, seed, user) = seeded();
    let nothing = SaveRules {
        store: false,
        ..SaveRules::default()
    };
    let live = seed.tokens.live.as_str();
    store.save_shared(&user, live, &nothing).unwrap();
    assert!(library(&store, &user).is_empty());
    let leaky = SaveRules {
        store_despite: &[Refusal::Collection],
        ..SaveRules::default()
    };
    let collection = seed.tokens.collection.as_str();
    assert_eq!(
        store.save_shared(&user, collection, &leaky).unwrap_err(),
        Refusal::Collection
    );
    assert_eq!(library(&store, &user).len(), 2);
}

#[test]
fn unknown_keys_match_no_user() {
    let (store, seed, _) = seeded();
    assert!(store.user_by_key(b"ak_unknown").is_none());
    assert!(
        store
            .user_by_key(seed.sharer_key.expose().as_bytes())
            .is_some()
    );
}

#[test]
fn share_options_follow_the_docs() {
    assert_eq!(
        ShareOptions::from_body(b"").unwrap().visibility,
        "link_only"
    );
    assert_eq!(
        ShareOptions::from_body(br#"{"expires_in_days": 400}"#)
            .unwrap()
            .expires_in_days,
        Some(90)
    );
    assert!(ShareOptions::from_body(br#"{"expires_in_days": 0}"#).is_err());
    assert!(ShareOptions::from_body(br#"{"expires_in_days": 1.5}"#).is_err());
    assert!(ShareOptions::from_body(br#"{"visibility": "everyone"}"#).is_err());
    assert_eq!(
        ShareOptions::from_body(b"{").unwrap_err(),
        Denial::BodyNotJson
    );
    assert!(ShareOptions::from_body(b"[]").is_err());
}

#[test]
fn revoke_delete_and_their_effects() {
    let (mut store, seed, recipient) = seeded();
    let sharer = store
        .user_by_key(seed.sharer_key.expose().as_bytes())
        .unwrap();
    let org = seed.organization_id.clone();
    let options = ShareOptions::from_body(b"").unwrap();
    let link = store
        .share(
            &sharer,
            &org,
            ShareTargetRef::Track(&seed.spare_track_id),
            &options,
        )
        .unwrap();
    store
        .save_shared(&recipient, &link.token, &SaveRules::default())
        .unwrap();
    assert_eq!(
        library(&store, &recipient),
        vec![seed.spare_track_id.clone()]
    );

    // Only the creator may share, revoke or delete.
    assert!(
        store
            .share(
                &recipient,
                &org,
                ShareTargetRef::Track(&seed.track_id),
                &options,
            )
            .is_err()
    );
    assert!(store.revoke(&recipient, &org, &link.id, None).is_err());
    assert_eq!(
        store
            .delete_track(&recipient, &org, &seed.spare_track_id)
            .unwrap_err(),
        Denial::NotFound("No track with this id in the caller's organization")
    );

    store
        .delete_track(&sharer, &org, &seed.spare_track_id)
        .unwrap();
    assert_eq!(
        store
            .save_shared(&recipient, &link.token, &SaveRules::default())
            .unwrap_err(),
        Refusal::Removed
    );
    assert!(
        library(&store, &recipient).is_empty(),
        "deleted tracks leave libraries"
    );
    let view = store.resolve(&link.token, &ReadRules::default()).unwrap();
    assert!(view.content.is_none());

    store.revoke(&sharer, &org, &link.id, None).unwrap();
    store
        .revoke(&sharer, &org, &link.id, None)
        .expect("revoking twice is a no-op");
    assert_eq!(
        store
            .resolve(&link.token, &ReadRules::default())
            .unwrap_err(),
        Denial::ShareUnavailable
    );
}

#[test]
fn resolves_count_views_and_list_a_collection() {
    let (mut store, seed, _) = seeded();
    let live = seed.tokens.live.as_str();
    assert_eq!(store.resolve(live, &ReadRules::default()).unwrap().views, 1);
    let view = store.resolve(live, &ReadRules::default()).unwrap();
    assert_eq!(view.views, 2);
    assert!(matches!(view.content, Some(Shared::Track(t)) if t.id == seed.track_id));
    let collection = store
        .resolve(&seed.tokens.collection, &ReadRules::default())
        .unwrap();
    assert_eq!(collection.target_type, "collection");
    assert!(matches!(collection.content, Some(Shared::Collection(_, tracks)) if tracks.len() == 2));
}

#[test]
fn relaxed_rules_save_what_the_docs_forbid() {
    let (mut store, seed) = Store::seeded(None, None);
    let user = store.recipient().unwrap();
    let all = SaveRules {
        allow_revoked: true,
        allow_expired: true,
        allow_removed: true,
        allow_collection: true,
        rename: Rename::FirstSaveOfShare,
        ..SaveRules::default()
    };
    for (state, token) in all_tokens(&seed) {
        assert!(store.save_shared(&user, token, &all).is_ok(), "{state}");
    }
    let live = seed.tokens.live.as_str();
    store.save_shared(&user, live, &all).unwrap();
    let Some(Shared::Track(track)) = store.resolve(live, &ReadRules::default()).unwrap().content
    else {
        panic!("the live share shows its track");
    };
    // The live, revoked, expired and collection shares all lead to this track, and each
    // was saved once: four renames; the second save of the live share renamed nothing.
    assert_eq!(
        track.title,
        format!("Harbour Lights{}", " (saved)".repeat(4))
    );
}
