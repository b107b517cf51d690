//! Throttled attempts (sign-ins, password-reset requests): each scope may make a few attempts
//! freely within a window, then each further one waits twice as long as the one before, up to
//! a ceiling. Nobody is locked out: after the wait, an attempt is checked again.
//!
//! An attempt is taken (counted) before it is checked, with a compare-and-set on the stored
//! count, so that of many concurrent attempts exactly those that fit are taken.

use time::{Duration, OffsetDateTime};

use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{Result, Store};

/// How a scope is throttled.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Attempts taken without any wait within one window.
    pub free: i64,
    /// A scope with no attempt for this long starts again from nothing.
    pub window: Duration,
    /// The longest wait between two attempts.
    pub longest_wait: Duration,
}

impl ThrottlePolicy {
    /// The wait after the `attempts`-th attempt of a window: none for the free ones, then
    /// 1 s, 2 s, 4 s… up to the ceiling.
    pub fn wait_after(&self, attempts: i64) -> Duration {
        let extra = attempts - self.free;
        if extra < 0 {
            return Duration::ZERO;
        }
        Duration::seconds(1i64 << extra.min(30)).min(self.longest_wait)
    }
}

/// Taken, or how long the scope must wait before its next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted; `earlier` attempts of this window came before it.
    Taken {
        earlier: i64,
    },
    Wait(Duration),
}

/// Compare-and-set rounds before an attempt that keeps losing the race is told to wait.
const ROUNDS: usize = 16;

/// Whole seconds, so that stored times compare as text too.
fn stamp(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formatting of a UTC time cannot fail")
}

fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

impl Store {
    /// Takes one attempt for `scope` at `now`, unless the scope must still wait.
    pub async fn take_attempt(&self, scope: &str, policy: &ThrottlePolicy, now: OffsetDateTime) -> Result<Attempt> {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        for _ in 0..ROUNDS {
            let mut read = Sql::new("SELECT attempts, last_at, next_at FROM sign_in_throttle WHERE scope = ");
            read.bind(scope);
            let Some(row) = read.fetch_optional(&self.pool).await? else {
                let next = stamp(now + policy.wait_after(1));
                let mut insert = Sql::insert(
                    "sign_in_throttle",
                    columns!["scope" => scope, "attempts" => 1i64, "last_at" => stamp(now), "next_at" => next],
                );
                insert.push(" ON CONFLICT (scope) DO NOTHING");
                if insert.query().execute(&self.pool).await?.rows_affected() == 1 {
                    return Ok(Attempt::Taken { earlier: 0 });
                }
                continue;
            };
            let attempts: i64 = col(&row, "attempts")?;
            let last_at: String = col(&row, "last_at")?;
            let next_at: String = col(&row, "next_at")?;
            if let Some(next) = parse(&next_at).filter(|next| *next > now) {
                return Ok(Attempt::Wait(next - now));
            }
            let window_over = parse(&last_at).is_none_or(|last| now - last > policy.window);
            let earlier = if window_over { 0 } else { attempts };
            let mut update = Sql::new("UPDATE sign_in_throttle SET attempts = ");
            update
                .bind(earlier + 1)
                .push(", last_at = ")
                .bind(stamp(now))
                .push(", next_at = ")
                .bind(stamp(now + policy.wait_after(earlier + 1)))
                .push(" WHERE scope = ")
                .bind(scope)
                .push(" AND attempts = ")
                .bind(attempts)
                .push(" AND last_at = ")
                .bind(last_at);
            if update.query().execute(&self.pool).await?.rows_affected() == 1 {
                return Ok(Attempt::Taken { earlier });
            }
        }
        Ok(Attempt::Wait(Duration::seconds(1)))
    }

    /// Gives back an attempt that turned out well (a right password): it no longer counts
    /// against the scope, while the others' failures still do.
    pub async fn give_back_attempt(&self, scope: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE attempts > 0 AND scope = ");
        sql.bind(scope);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets a scope (an account whose owner has just signed in).
    pub async fn forget_attempts(&self, scope: &str) -> Result<()> {
        let mut sql = Sql::new("DELETE FROM sign_in_throttle WHERE scope = ");
        sql.bind(scope);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Deletes the scopes whose window ended before `before` and that no longer wait: what keeps
    /// anonymous attempts from growing the table.
    pub async fn forget_old_attempts(&self, before: OffsetDateTime) -> Result<u64> {
        let mut sql = Sql::new("DELETE FROM sign_in_throttle WHERE last_at < ");
        sql.bind(stamp(before)).push(" AND next_at < ").bind(stamp(before));
        Ok(sql.query().execute(&self.pool).await?.rows_affected())
    }

    /// How many scopes are kept (for the tests that show the table stays bounded).
    pub async fn throttled_scopes(&self) -> Result<i64> {
        let row = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sign_in_throttle").fetch_one(&self.pool).await?;
        col(&row, "n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_attempts_up_to_the_ceiling() {
        let p = ThrottlePolicy { free: 3, window: Duration::minutes(15), longest_wait: Duration::minutes(5) };
        let waits: Vec<i64> = (1..=7).map(|n| p.wait_after(n).whole_seconds()).collect();
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(p.wait_after(60), Duration::minutes(5));
    }
}
