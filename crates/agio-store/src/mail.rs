//! Password-reset tokens and the outbox (messages kept when no SMTP server is configured).

use serde::Serialize;

use crate::read::{col, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: String,
    pub created_at: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// The language it is written in (`it`, `en`).
    pub lang: String,
}

impl Store {
    /// Records a reset token (its hash) for `person_id`, valid until `expires_at`.
    pub async fn create_password_reset(&self, token_hash: &str, person_id: &str, expires_at: &str) -> Result<()> {
        Sql::insert(
            "password_resets",
            columns![
                "token_hash" => token_hash,
                "person_id" => person_id,
                "created_at" => now(),
                "expires_at" => expires_at,
            ],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The person a reset token is for, if it is unused and `now` is before its expiry.
    pub async fn password_reset_person(&self, token_hash: &str, now: &str) -> Result<Option<String>> {
        let mut sql = Sql::new("SELECT person_id FROM password_resets WHERE used_at IS NULL AND token_hash = ");
        sql.bind(token_hash).push(" AND expires_at > ").bind(now);
        sql.fetch_optional(&self.pool).await?.map(|r| col(&r, "person_id")).transpose()
    }

    /// Marks a reset token used; false if it was already (two tabs racing: only one wins).
    pub async fn use_password_reset(&self, token_hash: &str) -> Result<bool> {
        let mut sql = Sql::new("UPDATE password_resets SET used_at = ");
        sql.bind(now()).push(" WHERE used_at IS NULL AND token_hash = ").bind(token_hash);
        Ok(sql.query().execute(&self.pool).await?.rows_affected() == 1)
    }

    /// Cancels every outstanding reset link of a person (their password just changed).
    pub async fn expire_password_resets(&self, person_id: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE password_resets SET used_at = ");
        sql.bind(now()).push(" WHERE used_at IS NULL AND person_id = ").bind(person_id);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Ends every session of a person (after a password change).
    pub async fn delete_sessions_of(&self, person_id: &str) -> Result<()> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE person_id = ");
        sql.bind(person_id);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    pub async fn put_in_outbox(&self, recipient: &str, subject: &str, body: &str, lang: &str) -> Result<()> {
        Sql::insert(
            "outbox",
            columns![
                "id" => new_id(),
                "created_at" => now(),
                "recipient" => recipient,
                "subject" => subject,
                "body" => body,
                "lang" => lang,
            ],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest messages of the outbox.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let mut sql = Sql::new(
            "SELECT id, created_at, recipient, subject, body, lang FROM outbox ORDER BY created_at DESC, id LIMIT ",
        );
        sql.bind(limit);
        sql.map_all(&self.pool, |r| Ok(from_row!(r, OutboxMessage { id, created_at, recipient, subject, body, lang })))
            .await
    }
}
