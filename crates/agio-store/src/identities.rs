//! External identities (OpenID Connect) and the sign-ins under way at the provider.

use serde::Serialize;

use crate::accounts::Person;
use crate::audit::{EntityRef, WriteTx};
use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

/// An external identity linked to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExternalIdentity {
    pub issuer: String,
    pub subject: String,
    pub created_at: String,
}

/// What the callback of a sign-in needs back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

impl Store {
    pub async fn create_oidc_login(&self, state_hash: &str, login: &PendingLogin, expires_at: &str) -> Result<()> {
        Sql::insert(
            "oidc_logins",
            columns![
                "state_hash" => state_hash,
                "nonce" => login.nonce.clone(),
                "pkce_verifier" => login.pkce_verifier.clone(),
                "next" => login.next.clone(),
                "created_at" => now(),
                "expires_at" => expires_at,
            ],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The sign-in with this state, removed so that it serves once; None when unknown or expired.
    pub async fn take_oidc_login(&self, state_hash: &str, now: &str) -> Result<Option<PendingLogin>> {
        let mut sql = Sql::new("SELECT nonce, pkce_verifier, next, expires_at FROM oidc_logins WHERE state_hash = ");
        sql.bind(state_hash);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let mut delete = Sql::new("DELETE FROM oidc_logins WHERE state_hash = ");
        delete.bind(state_hash);
        // Two callbacks racing with the same state: only the one that deletes it goes on.
        if delete.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let mut purge = Sql::new("DELETE FROM oidc_logins WHERE expires_at < ");
        purge.bind(now);
        purge.query().execute(&self.pool).await?;
        let expires_at: String = col(&r, 3)?;
        if expires_at.as_str() <= now {
            return Ok(None);
        }
        Ok(Some(PendingLogin { nonce: col(&r, 0)?, pkce_verifier: col(&r, 1)?, next: col(&r, 2)? }))
    }

    /// The open account an external identity is linked to.
    pub async fn person_by_identity(&self, issuer: &str, subject: &str) -> Result<Option<Person>> {
        let mut sql = Sql::new("SELECT person_id FROM external_identities WHERE issuer = ");
        sql.bind(issuer).push(" AND subject = ").bind(subject);
        match sql.fetch_optional(&self.pool).await? {
            Some(r) => self.person(&col::<String>(&r, 0)?).await,
            None => Ok(None),
        }
    }

    pub async fn identities(&self, person_id: &str) -> Result<Vec<ExternalIdentity>> {
        let mut sql = Sql::new("SELECT issuer, subject, created_at FROM external_identities WHERE person_id = ");
        sql.bind(person_id).push(" ORDER BY created_at");
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(ExternalIdentity { issuer: col(r, 0)?, subject: col(r, 1)?, created_at: col(r, 2)? }))
            .collect()
    }
}

impl WriteTx {
    /// Links an external identity to a person.
    pub async fn link_identity(&mut self, person: &Person, issuer: &str, subject: &str) -> Result<()> {
        Sql::insert(
            "external_identities",
            columns!["issuer" => issuer, "subject" => subject, "person_id" => person.id.clone(), "created_at" => now()],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let after = serde_json::json!({ "issuer": issuer, "subject": subject });
        let entity = EntityRef { kind: "person", id: &person.id, label: &person.email };
        self.record(entity, "link_identity", None, Some(&after), "").await
    }
}
