//! People, their roles, their sessions and failed sign-ins.
//!
//! Passwords arrive here already hashed and tokens as their SHA-256 (see
//! `agio_domain::credentials`): this module never sees a secret in clear.

use agio_domain::access::{Grant, Scope};
use agio_domain::{Role, TokenScope};
use serde::Serialize;

use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store, StoreError};

/// A person with an account. Only what is needed: name, email, organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub organization_name: String,
    pub has_password: bool,
    /// False once the person has turned password sign-in off (they sign in with SPID/CIE).
    pub password_sign_in: bool,
    pub is_demo: bool,
    pub created_at: String,
}

/// A role held by a person, with the place it applies to, readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoleAssignment {
    pub id: String,
    pub role: Role,
    /// What the scope is: `agenda`, `territory`, `organization`, or empty.
    pub scope_kind: String,
    pub scope_id: String,
    /// The agenda title, territory or organisation name.
    pub scope_label: String,
    /// The page of what the role concerns (an agenda, a territory, an organisation); empty for none.
    pub scope_path: String,
}

/// A new person.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub organization_name: String,
    pub password_hash: Option<String>,
    pub is_demo: bool,
}

/// A live session, found by the hash of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub person_id: String,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// Started with a digital identity (SPID, CIE, the gateway), not a password or a link.
    pub with_identity: bool,
}

/// Emails are compared and stored lowercased and trimmed.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) const PERSON_COLUMNS: &str =
    "SELECT id, email, name, organization_name, password_hash, password_sign_in_off, is_demo, created_at FROM people WHERE closed_at IS NULL";

pub(crate) fn person_row(r: &sqlx::any::AnyRow) -> Result<(Person, Option<String>)> {
    let hash: Option<String> = col(r, "password_hash")?;
    Ok((
        from_row!(r, Person {
            id, email, name, organization_name, created_at;
            has_password: hash.is_some(),
            password_sign_in: !flag(r, "password_sign_in_off")?,
            is_demo: flag(r, "is_demo")?,
        }),
        hash,
    ))
}

/// The ids a scope is stored as: agenda, territory, organisation (at most one of them).
pub(crate) fn scope_ids(scope: &Scope) -> (Option<String>, Option<String>, Option<String>) {
    match scope {
        Scope::Everywhere => (None, None, None),
        Scope::Agenda(id) => (Some(id.clone()), None, None),
        Scope::Territory(id) => (None, Some(id.clone()), None),
        Scope::Organization(id) => (None, None, Some(id.clone())),
    }
}

/// The scope of a row `x` (role assignment, invitation) with the title or name it has now;
/// goes with [`SCOPE_JOINS`] and is read by [`scope_of`].
pub(crate) const SCOPE_COLUMNS: &str = "x.agenda_id, a.title AS agenda_title, a.slug AS agenda_slug, \
    x.territory_id, t.name AS territory_name, t.slug AS territory_slug, t.kind AS territory_kind, \
    x.organization_id, o.name AS organization_name, o.slug AS organization_slug";
pub(crate) const SCOPE_JOINS: &str = "LEFT JOIN agendas a ON a.id = x.agenda_id \
    LEFT JOIN territories t ON t.id = x.territory_id LEFT JOIN organizations o ON o.id = x.organization_id";

/// The page of a scope read with [`SCOPE_COLUMNS`]: the agenda, the territory (a comune has no
/// page of its own: its agendas), the organisation.
fn scope_path(r: &sqlx::any::AnyRow, scope: &Scope) -> Result<String> {
    Ok(match scope {
        Scope::Everywhere => String::new(),
        Scope::Agenda(_) => format!("/agende/{}", col::<String>(r, "agenda_slug")?),
        Scope::Organization(_) => format!("/soggetti/{}", col::<String>(r, "organization_slug")?),
        Scope::Territory(_) => {
            let slug: String = col(r, "territory_slug")?;
            match col::<String>(r, "territory_kind")?.as_str() {
                "region" => "/territori".to_string(),
                "district" => format!("/territori/{slug}"),
                "union" => format!("/territori/unioni/{slug}"),
                _ => format!("/agende?territory={slug}"),
            }
        }
    })
}

/// The scope read with [`SCOPE_COLUMNS`], and its label.
pub(crate) fn scope_of(r: &sqlx::any::AnyRow) -> Result<(Scope, String)> {
    if let Some(id) = col(r, "agenda_id")? {
        return Ok((Scope::Agenda(id), col(r, "agenda_title")?));
    }
    if let Some(id) = col(r, "territory_id")? {
        return Ok((Scope::Territory(id), col(r, "territory_name")?));
    }
    if let Some(id) = col(r, "organization_id")? {
        return Ok((Scope::Organization(id), col(r, "organization_name")?));
    }
    Ok((Scope::Everywhere, String::new()))
}

impl WriteTx {
    /// Creates a person; an email already in use is `StoreError::Conflict`.
    pub async fn create_person(&mut self, new: &NewPerson) -> Result<Person> {
        let email = normalize_email(&new.email);
        let taken = Sql::new("SELECT id FROM people WHERE email = ").bind(email.clone()).clone();
        if taken.query().fetch_optional(&mut *self.tx).await?.is_some() {
            return Err(StoreError::Conflict(format!("email {email} already has an account")));
        }
        let (id, at) = (new_id(), now());
        Sql::insert(
            "people",
            columns![
                "id" => id.clone(),
                "email" => email.clone(),
                "name" => new.name.trim(),
                "organization_name" => new.organization_name.trim(),
                "password_hash" => new.password_hash.clone(),
                "is_demo" => i64::from(new.is_demo),
                "created_at" => at.clone(),
                "updated_at" => at.clone(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let person = Person {
            id,
            email,
            name: new.name.trim().to_string(),
            organization_name: new.organization_name.trim().to_string(),
            has_password: new.password_hash.is_some(),
            password_sign_in: true,
            is_demo: new.is_demo,
            created_at: at,
        };
        // The password hash is a secret: the audit records only that one was set.
        self.record(person_entity(&person), "create", None, Some(&serde_json::json!(person)), "").await?;
        Ok(person)
    }

    /// Gives a person a role; the scope ids must match the role (checked by the database too).
    pub async fn grant_role(&mut self, person: &Person, role: Role, scope: &Scope) -> Result<()> {
        let (agenda, territory, organization) = scope_ids(scope);
        let after = serde_json::json!({
            "role": role.code(), "agenda_id": agenda, "territory_id": territory, "organization_id": organization,
        });
        Sql::insert(
            "role_assignments",
            columns![
                "id" => new_id(),
                "person_id" => person.id.clone(),
                "role" => role.code(),
                "agenda_id" => agenda,
                "territory_id" => territory,
                "organization_id" => organization,
                "created_at" => now(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.record(person_entity(person), "grant_role", None, Some(&after), "").await
    }
}

/// A personal access token, as its owner sees it (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const TOKEN_COLUMNS: &str =
    "SELECT id, person_id, name, scope, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE 1 = 1";

fn api_token(r: &sqlx::any::AnyRow) -> Result<ApiToken> {
    Ok(from_row!(r, ApiToken {
        id, person_id, name, created_at, expires_at, last_used_at, revoked_at;
        scope: code(r, "scope")?,
    }))
}

impl WriteTx {
    /// Records a new token for `person` (its hash only).
    pub async fn create_api_token(
        &mut self,
        person: &Person,
        name: &str,
        token_hash: &str,
        scope: TokenScope,
        expires_at: Option<String>,
    ) -> Result<ApiToken> {
        let token = ApiToken {
            id: new_id(),
            person_id: person.id.clone(),
            name: name.to_string(),
            scope,
            created_at: now(),
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        Sql::insert(
            "api_tokens",
            columns![
                "id" => token.id.clone(),
                "person_id" => person.id.clone(),
                "name" => name,
                "token_hash" => token_hash,
                "scope" => scope.code(),
                "created_at" => token.created_at.clone(),
                "expires_at" => token.expires_at.clone(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.record(person_entity(person), "create_token", None, Some(&serde_json::json!(token)), "").await?;
        Ok(token)
    }

    /// Revokes one of `person`'s tokens; false when there is no such live token.
    pub async fn revoke_api_token(&mut self, person: &Person, token_id: &str) -> Result<bool> {
        let mut sql = Sql::new("UPDATE api_tokens SET revoked_at = ");
        sql.bind(now())
            .push(" WHERE revoked_at IS NULL AND id = ")
            .bind(token_id)
            .push(" AND person_id = ")
            .bind(person.id.clone());
        if sql.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let note = serde_json::json!({ "token_id": token_id });
        self.record(person_entity(person), "revoke_token", None, Some(&note), "").await?;
        Ok(true)
    }
}

impl Store {
    /// A person's tokens, newest first.
    pub async fn api_tokens(&self, person_id: &str) -> Result<Vec<ApiToken>> {
        let mut sql = Sql::new(TOKEN_COLUMNS);
        sql.push(" AND person_id = ").bind(person_id).push(" ORDER BY created_at DESC, id");
        sql.map_all(&self.pool, api_token).await
    }

    /// The live (not revoked) token with this hash; expiry is the caller's to check.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let mut sql = Sql::new(TOKEN_COLUMNS);
        sql.push(" AND revoked_at IS NULL AND token_hash = ").bind(token_hash);
        sql.map_optional(&self.pool, api_token).await
    }

    pub async fn touch_api_token(&self, id: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE api_tokens SET last_used_at = ");
        sql.bind(now()).push(" WHERE id = ").bind(id);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }
}

impl WriteTx {
    /// Closes an account: the name, email, organisation and password are erased (the row stays,
    /// so that the audit log keeps pointing at "a closed account"), roles, sessions and tokens go.
    pub async fn close_account(&mut self, person: &Person) -> Result<()> {
        let at = now();
        let mut sql = Sql::new("UPDATE people SET name = '', organization_name = '', password_hash = NULL, email = ");
        sql.bind(format!("closed-{}@invalid", person.id))
            .push(", closed_at = ")
            .bind(at.clone())
            .push(", updated_at = ")
            .bind(at)
            .push(" WHERE id = ")
            .bind(person.id.clone());
        sql.query().execute(&mut *self.tx).await?;
        for table in
            ["role_assignments", "sessions", "api_tokens", "password_resets", "external_identities", "identity_links"]
        {
            let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE person_id = "));
            sql.bind(person.id.clone());
            sql.query().execute(&mut *self.tx).await?;
        }
        let entity = EntityRef { kind: "person", id: &person.id, label: "account chiuso" };
        self.record(entity, "close_account", None, None, "").await
    }

    /// Sets a person's password (already hashed); the audit records that it changed, not how.
    pub async fn set_password_hash(&mut self, person: &Person, hash: &str, note: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE people SET password_hash = ");
        sql.bind(hash).push(", updated_at = ").bind(now()).push(" WHERE id = ").bind(person.id.clone());
        sql.query().execute(&mut *self.tx).await?;
        self.record(person_entity(person), "set_password", None, None, note).await
    }
}

impl WriteTx {
    /// Turns password sign-in on or off for a person (off: only their linked digital identities
    /// sign them in). Off also ends every session of theirs but `keep` (the one asking) and
    /// revokes their access tokens, in the same transaction: whatever a stolen password opened
    /// closes with it. The hashes of the sessions ended, for the caches.
    pub async fn set_password_sign_in(&mut self, person: &Person, on: bool, keep: &str) -> Result<Vec<String>> {
        let at = now();
        let mut sql = Sql::new("UPDATE people SET password_sign_in_off = ");
        sql.bind(i64::from(!on)).push(", updated_at = ").bind(at.clone()).push(" WHERE id = ").bind(person.id.clone());
        sql.query().execute(&mut *self.tx).await?;
        let mut ended = Vec::new();
        if !on {
            let mut sessions = Sql::new("DELETE FROM sessions WHERE person_id = ");
            sessions.bind(person.id.clone()).push(" AND token_hash <> ").bind(keep).push(" RETURNING token_hash");
            ended = sessions.map_all(&mut *self.tx, |r| col(r, "token_hash")).await?;
            let mut tokens = Sql::new("UPDATE api_tokens SET revoked_at = ");
            tokens.bind(at).push(" WHERE revoked_at IS NULL AND person_id = ").bind(person.id.clone());
            tokens.query().execute(&mut *self.tx).await?;
        }
        let before = serde_json::json!({ "password_sign_in": person.password_sign_in });
        let after = serde_json::json!({ "password_sign_in": on });
        self.record(person_entity(person), "set_password_sign_in", Some(&before), Some(&after), "").await?;
        Ok(ended)
    }
}

fn person_entity(person: &Person) -> EntityRef<'_> {
    EntityRef { kind: "person", id: &person.id, label: &person.email }
}

impl Store {
    /// An open account by email, with its password hash if it has one.
    pub async fn person_by_email(&self, email: &str) -> Result<Option<(Person, Option<String>)>> {
        let mut sql = Sql::new(PERSON_COLUMNS);
        sql.push(" AND email = ").bind(normalize_email(email));
        sql.map_optional(&self.pool, person_row).await
    }

    pub async fn person(&self, id: &str) -> Result<Option<Person>> {
        let mut sql = Sql::new(PERSON_COLUMNS);
        sql.push(" AND id = ").bind(id);
        Ok(sql.map_optional(&self.pool, person_row).await?.map(|(p, _)| p))
    }

    /// The roles of a person, with readable scopes.
    pub async fn role_assignments(&self, person_id: &str) -> Result<Vec<RoleAssignment>> {
        let mut sql = Sql::new(&format!(
            "SELECT x.id, x.role, {SCOPE_COLUMNS} FROM role_assignments x {SCOPE_JOINS} WHERE x.person_id = "
        ));
        sql.bind(person_id).push(" ORDER BY x.created_at, x.id");
        sql.map_all(&self.pool, |r| {
            let (scope, scope_label) = scope_of(r)?;
            let scope_path = scope_path(r, &scope)?;
            let (scope_kind, scope_id) = match scope {
                Scope::Everywhere => (String::new(), String::new()),
                Scope::Agenda(id) => ("agenda".to_string(), id),
                Scope::Territory(id) => ("territory".to_string(), id),
                Scope::Organization(id) => ("organization".to_string(), id),
            };
            Ok(RoleAssignment {
                id: col(r, "id")?,
                role: code(r, "role")?,
                scope_kind,
                scope_id,
                scope_label,
                scope_path,
            })
        })
        .await
    }

    /// The grants the authorisation module reasons about.
    pub async fn grants(&self, person_id: &str) -> Result<Vec<Grant>> {
        Ok(self
            .role_assignments(person_id)
            .await?
            .into_iter()
            .map(|a| Grant {
                role: a.role,
                scope: match a.scope_kind.as_str() {
                    "agenda" => Scope::Agenda(a.scope_id),
                    "territory" => Scope::Territory(a.scope_id),
                    "organization" => Scope::Organization(a.scope_id),
                    _ => Scope::Everywhere,
                },
            })
            .collect())
    }

    // --- sessions -------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        token_hash: &str,
        person_id: &str,
        csrf_token: &str,
        with_identity: bool,
    ) -> Result<()> {
        let at = now();
        Sql::insert(
            "sessions",
            columns![
                "token_hash" => token_hash,
                "person_id" => person_id,
                "csrf_token" => csrf_token,
                "created_at" => at.clone(),
                "last_seen_at" => at,
                "with_identity" => i64::from(with_identity),
            ],
        )
        .query()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let mut sql = Sql::new(
            "SELECT s.person_id, s.csrf_token, s.created_at, s.last_seen_at, s.with_identity FROM sessions s \
             JOIN people p ON p.id = s.person_id AND p.closed_at IS NULL WHERE s.token_hash = ",
        );
        sql.bind(token_hash);
        sql.fetch_optional(&self.pool)
            .await?
            .map(|r| {
                Ok(from_row!(&r, SessionRecord {
                    person_id, csrf_token, created_at, last_seen_at;
                    with_identity: flag(&r, "with_identity")?,
                }))
            })
            .transpose()
    }

    pub async fn touch_session(&self, token_hash: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE sessions SET last_seen_at = ");
        sql.bind(now()).push(" WHERE token_hash = ").bind(token_hash);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE token_hash = ");
        sql.bind(token_hash);
        sql.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Drops the sessions that started before `created_before` or idled since `idle_since`.
    pub async fn delete_expired_sessions(&self, created_before: &str, idle_since: &str) -> Result<u64> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE created_at < ");
        sql.bind(created_before).push(" OR last_seen_at < ").bind(idle_since);
        Ok(sql.query().execute(&self.pool).await?.rows_affected())
    }
}
