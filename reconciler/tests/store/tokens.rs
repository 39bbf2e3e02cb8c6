//! Tokens: created once, verified by hash, never stored in clear.

use anyhow::Result;
use homeamp_reconciler::store::{NewToken, Role, StoreError};
use sha2::{Digest, Sha256};

use crate::support::{Db, t};

fn token(name: &str, role: Role, server: Option<&str>) -> NewToken {
    NewToken {
        name: name.into(),
        role,
        server: server.map(str::to_owned),
    }
}

async fn tokens_are_stored_only_as_hashes(db: Db) -> Result<()> {
    let issued = db
        .store
        .create_token(&token("ops", Role::Operator, None), t(1))
        .await?;
    let agent = db
        .store
        .create_token(&token("agent-ovh", Role::Agent, Some("ovh")), t(1))
        .await?;
    let configured = "hamp_configured-token-from-host-config";
    db.store
        .register_token(&token("ci", Role::Viewer, None), configured, t(1))
        .await?;

    let raw = db.raw_contents("tokens").await?;
    assert!(
        raw.contains(&hex::encode(Sha256::digest(issued.secret.as_bytes()))),
        "hash is stored"
    );
    for secret in [issued.secret.as_str(), agent.secret.as_str(), configured] {
        assert!(
            !raw.contains(secret),
            "plaintext token found in the tokens table"
        );
    }
    Ok(())
}

async fn a_token_verifies_until_it_is_revoked(db: Db) -> Result<()> {
    let store = db.store;
    let issued = store
        .create_token(&token("agent-ovh", Role::Agent, Some("ovh")), t(1))
        .await?;
    let verified = store.verify_token(&issued.secret).await?.expect("valid");
    assert_eq!(verified.role, Role::Agent);
    assert_eq!(verified.server.as_deref(), Some("ovh"));
    assert_eq!(verified.created_at, t(1));
    let used = verified.last_used_at.expect("verification is recorded");
    let listed = store.list_tokens().await?;
    assert_eq!(listed[0].last_used_at, Some(used));
    assert!(store.verify_token("hamp_guess").await?.is_none());
    assert!(
        store
            .verify_token(&issued.secret.to_uppercase())
            .await?
            .is_none()
    );

    assert!(store.revoke_token("agent-ovh", t(2)).await?);
    assert!(!store.revoke_token("agent-ovh", t(3)).await?);
    assert!(store.verify_token(&issued.secret).await?.is_none());

    // The name is free again; the old token stays revoked.
    let fresh = store
        .create_token(&token("agent-ovh", Role::Agent, Some("ovh")), t(4))
        .await?;
    assert!(store.verify_token(&fresh.secret).await?.is_some());
    assert!(store.verify_token(&issued.secret).await?.is_none());
    let all = store.list_tokens().await?;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].revoked_at, Some(t(2)));
    Ok(())
}

async fn token_rules_are_enforced(db: Db) -> Result<()> {
    let store = db.store;
    store
        .create_token(&token("admin", Role::Admin, None), t(1))
        .await?;
    let err = store
        .create_token(&token("admin", Role::Viewer, None), t(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TokenNameTaken(ref n) if n == "admin"),
        "{err}"
    );
    let err = store
        .create_token(&token("a", Role::Agent, None), t(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidToken { .. }), "{err}");
    let err = store
        .create_token(&token("v", Role::Viewer, Some("ovh")), t(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidToken { .. }), "{err}");
    let err = store
        .register_token(&token("short", Role::Viewer, None), "abc", t(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidToken { .. }), "{err}");
    assert_eq!(store.list_tokens().await?.len(), 1);
    Ok(())
}

store_tests!(
    tokens_are_stored_only_as_hashes,
    a_token_verifies_until_it_is_revoked,
    token_rules_are_enforced,
);
