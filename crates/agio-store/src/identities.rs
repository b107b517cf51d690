//! External identities (OpenID Connect) and the sign-ins under way at the provider.

use serde::Serialize;

use crate::accounts::Person;
use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, from_row};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

/// An external identity linked to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExternalIdentity {
    pub issuer: String,
    pub subject: String,
    pub created_at: String,
}

/// The issuer under which a fiscal number from SPID or CIE is kept as an identity: the name both
/// give the attribute. Every SPID identity provider and CIE give a person the same fiscal
/// number, so any of them signs that person in to the same account.
pub const FISCAL_NUMBER_ISSUER: &str = "https://attributes.eid.gov.it/fiscal_number";

impl ExternalIdentity {
    /// A fiscal number from SPID or CIE, rather than a provider's own subject.
    pub fn is_fiscal_number(&self) -> bool {
        self.issuer == FISCAL_NUMBER_ISSUER
    }
}

/// What the callback of a sign-in needs back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    /// The hash of the random value the starting browser holds in a cookie.
    pub browser_hash: String,
}

/// Sign-ins under way kept for one address: a person needs one, a few tabs a handful.
pub const PENDING_LOGINS_PER_ADDRESS: i64 = 20;
/// Sign-ins under way kept in all: past this, the oldest go first.
pub const PENDING_LOGINS_AT_MOST: i64 = 5_000;

impl Store {
    /// Keeps a sign-in that leaves for the provider, dropping the expired ones and, past the
    /// limits, the oldest of this address and then of all: anonymous starts keep the table bounded.
    pub async fn create_oidc_login(
        &self,
        state_hash: &str,
        login: &PendingLogin,
        address: &str,
        expires_at: &str,
    ) -> Result<()> {
        let now = now();
        let mut expired = Sql::new("DELETE FROM oidc_logins WHERE expires_at < ");
        expired.bind(now.clone());
        expired.query().execute(&self.pool).await?;
        let mut same_address = Sql::new("DELETE FROM oidc_logins WHERE address = ");
        same_address
            .bind(address)
            .push(" AND state_hash NOT IN (SELECT state_hash FROM oidc_logins WHERE address = ")
            .bind(address)
            .push(" ORDER BY created_at DESC, state_hash LIMIT ")
            .bind(PENDING_LOGINS_PER_ADDRESS - 1)
            .push(")");
        same_address.query().execute(&self.pool).await?;
        // Every sign-in lives as long, so the order of expiry is the order of arrival.
        let mut all = Sql::new(
            "DELETE FROM oidc_logins WHERE (expires_at, state_hash) < \
             (SELECT expires_at, state_hash FROM oidc_logins ORDER BY expires_at DESC, state_hash DESC LIMIT 1 OFFSET ",
        );
        all.bind(PENDING_LOGINS_AT_MOST - 2).push(")");
        all.query().execute(&self.pool).await?;
        Sql::insert(
            "oidc_logins",
            columns![
                "state_hash" => state_hash,
                "browser_hash" => login.browser_hash.clone(),
                "address" => address,
                "nonce" => login.nonce.clone(),
                "pkce_verifier" => login.pkce_verifier.clone(),
                "next" => login.next.clone(),
                "created_at" => now,
                "expires_at" => expires_at,
            ],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many sign-ins are under way (for the tests that show the table stays bounded).
    pub async fn pending_oidc_logins(&self) -> Result<i64> {
        let row = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM oidc_logins").fetch_one(&self.pool).await?;
        col(&row, "n")
    }

    /// The sign-in with this state, removed so that it serves once; None when unknown or expired.
    pub async fn take_oidc_login(&self, state_hash: &str, now: &str) -> Result<Option<PendingLogin>> {
        let mut sql = Sql::new(
            "SELECT nonce, pkce_verifier, next, browser_hash, expires_at FROM oidc_logins WHERE state_hash = ",
        );
        sql.bind(state_hash);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let mut delete = Sql::new("DELETE FROM oidc_logins WHERE state_hash = ");
        delete.bind(state_hash);
        // Two callbacks racing with the same state: only the one that deletes it goes on.
        if delete.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let expires_at: String = col(&r, "expires_at")?;
        if expires_at.as_str() <= now {
            return Ok(None);
        }
        Ok(Some(from_row!(&r, PendingLogin { nonce, pkce_verifier, next, browser_hash })))
    }

    /// Keeps an external identity for `person_id` to confirm (replacing one kept before).
    pub async fn offer_identity_link(
        &self,
        person_id: &str,
        issuer: &str,
        subject: &str,
        expires_at: &str,
    ) -> Result<()> {
        let mut old = Sql::new("DELETE FROM identity_links WHERE person_id = ");
        old.bind(person_id).push(" OR expires_at < ").bind(now());
        old.query().execute(&self.pool).await?;
        Sql::insert(
            "identity_links",
            columns!["person_id" => person_id, "issuer" => issuer, "subject" => subject, "expires_at" => expires_at],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The identity `person_id` was offered and has not confirmed yet, if still valid:
    /// (issuer, subject).
    pub async fn offered_identity_link(&self, person_id: &str) -> Result<Option<(String, String)>> {
        let mut sql = Sql::new("SELECT issuer, subject FROM identity_links WHERE person_id = ");
        sql.bind(person_id).push(" AND expires_at > ").bind(now());
        sql.fetch_optional(&self.pool).await?.map(|r| Ok((col(&r, "issuer")?, col(&r, "subject")?))).transpose()
    }

    /// The open account an external identity is linked to.
    pub async fn person_by_identity(&self, issuer: &str, subject: &str) -> Result<Option<Person>> {
        let mut sql = Sql::new("SELECT person_id FROM external_identities WHERE issuer = ");
        sql.bind(issuer).push(" AND subject = ").bind(subject);
        match sql.fetch_optional(&self.pool).await? {
            Some(r) => self.person(&col::<String>(&r, "person_id")?).await,
            None => Ok(None),
        }
    }

    pub async fn identities(&self, person_id: &str) -> Result<Vec<ExternalIdentity>> {
        let mut sql = Sql::new("SELECT issuer, subject, created_at FROM external_identities WHERE person_id = ");
        sql.bind(person_id).push(" ORDER BY created_at");
        sql.map_all(&self.pool, |r| Ok(from_row!(r, ExternalIdentity { issuer, subject, created_at }))).await
    }
}

impl WriteTx {
    /// Links an external identity to a person (and forgets any link offered to them).
    pub async fn link_identity(&mut self, person: &Person, issuer: &str, subject: &str) -> Result<()> {
        let mut offered = Sql::new("DELETE FROM identity_links WHERE person_id = ");
        offered.bind(person.id.clone());
        offered.query().execute(&mut *self.tx).await?;
        Sql::insert(
            "external_identities",
            columns!["issuer" => issuer, "subject" => subject, "person_id" => person.id.clone(), "created_at" => now()],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        // A subject is personal data (a fiscal number, or a gateway's subject that spells one):
        // the audit log, which administrators read, says only that an identity was linked.
        let after = serde_json::json!({ "issuer": issuer });
        let entity = EntityRef { kind: "person", id: &person.id, label: &person.email };
        self.record(entity, "link_identity", None, Some(&after), "").await
    }
}
