//! Pending self-registrations: an account asked for, created when the link sent to its address
//! is followed (`accounts::registration` in the web crate).

use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{normalize_email, now, Result, Store};

/// Registrations waiting for their link kept in all: past this, the oldest go first.
pub const PENDING_REGISTRATIONS_AT_MOST: i64 = 5_000;

/// An account asked for, not yet confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRegistration {
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

impl Store {
    /// Keeps a registration until `expires_at`, replacing any other for the same address and
    /// dropping the expired and, past the bound, the oldest.
    pub async fn create_registration(
        &self,
        token_hash: &str,
        pending: &PendingRegistration,
        expires_at: &str,
    ) -> Result<()> {
        let now = now();
        let email = normalize_email(&pending.email);
        let mut tx = self.pool.begin().await?;
        let mut expired = Sql::new("DELETE FROM registrations WHERE expires_at < ");
        expired.bind(now.clone()).push(" OR email = ").bind(email.clone());
        expired.query().execute(&mut *tx).await?;
        // Every registration lives as long, so the order of expiry is the order of arrival.
        let mut oldest = Sql::new(
            "DELETE FROM registrations WHERE (expires_at, token_hash) < \
             (SELECT expires_at, token_hash FROM registrations ORDER BY expires_at DESC, token_hash DESC LIMIT 1 OFFSET ",
        );
        oldest.bind(PENDING_REGISTRATIONS_AT_MOST - 2).push(")");
        oldest.query().execute(&mut *tx).await?;
        Sql::insert(
            "registrations",
            columns![
                "token_hash" => token_hash, "email" => email, "name" => pending.name.clone(),
                "password_hash" => pending.password_hash.clone(), "created_at" => now,
                "expires_at" => expires_at,
            ],
        )
        .query()
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The registration a link is for, if it has not expired.
    pub async fn registration(&self, token_hash: &str) -> Result<Option<PendingRegistration>> {
        let mut sql = Sql::new("SELECT email, name, password_hash FROM registrations WHERE token_hash = ");
        sql.bind(token_hash).push(" AND expires_at >= ").bind(now());
        sql.map_optional(&self.pool, |r| {
            Ok(PendingRegistration {
                email: col(r, "email")?,
                name: col(r, "name")?,
                password_hash: col(r, "password_hash")?,
            })
        })
        .await
    }

    /// Uses a registration's link: true for the one request that removes it.
    pub async fn take_registration(&self, token_hash: &str) -> Result<bool> {
        let mut sql = Sql::new("DELETE FROM registrations WHERE token_hash = ");
        sql.bind(token_hash);
        Ok(sql.query().execute(&self.pool).await?.rows_affected() == 1)
    }

    /// How many registrations are waiting for their link.
    pub async fn pending_registrations(&self) -> Result<i64> {
        col(&Sql::new("SELECT COUNT(*) AS n FROM registrations").fetch_one(&self.pool).await?, "n")
    }
}
