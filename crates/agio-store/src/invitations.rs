//! Invitations by email, and the people who hold roles (for the management pages).

use agio_domain::access::Scope;
use agio_domain::{Page, PageRequest, Role};

use crate::accounts::{
    person_row, scope_ids, scope_of, Person, RoleAssignment, PERSON_COLUMNS, SCOPE_COLUMNS, SCOPE_JOINS,
};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, push_contains};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

/// An invitation waiting for its link to be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub scope: Scope,
    /// The agenda title, territory or organisation name of the scope.
    pub scope_label: String,
    pub expires_at: String,
}

impl WriteTx {
    /// Records an invitation (its token's hash) for `email` to take `role` on `scope`.
    pub async fn invite(
        &mut self,
        token_hash: &str,
        email: &str,
        role: Role,
        scope: &Scope,
        expires_at: &str,
    ) -> Result<()> {
        let (agenda, territory, organization) = scope_ids(scope);
        let email = crate::normalize_email(email);
        Sql::insert(
            "invitations",
            columns![
                "token_hash" => token_hash,
                "email" => email.clone(),
                "role" => role.code(),
                "agenda_id" => agenda.clone(),
                "territory_id" => territory.clone(),
                "organization_id" => organization.clone(),
                "invited_by" => self.actor().person_id.clone(),
                "created_at" => now(),
                "expires_at" => expires_at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let after = serde_json::json!({
            "email": email, "role": role, "agenda_id": agenda, "territory_id": territory, "organization_id": organization,
        });
        let entity = EntityRef { kind: "invitation", id: token_hash, label: &email };
        self.record(entity, "invite", None, Some(&after), "").await
    }

    /// Marks an invitation accepted; false if it already was.
    pub async fn accept_invitation(&mut self, token_hash: &str) -> Result<bool> {
        let mut sql = Sql::new("UPDATE invitations SET accepted_at = ");
        sql.bind(now()).push(" WHERE accepted_at IS NULL AND token_hash = ").bind(token_hash);
        Ok(sql.query().execute(&mut *self.tx).await?.rows_affected() == 1)
    }

    /// Takes a role away.
    pub async fn revoke_role(&mut self, person: &Person, assignment: &RoleAssignment) -> Result<()> {
        let mut sql = Sql::new("DELETE FROM role_assignments WHERE id = ");
        sql.bind(assignment.id.clone()).push(" AND person_id = ").bind(person.id.clone());
        sql.query().execute(&mut *self.tx).await?;
        let before = serde_json::json!(assignment);
        let entity = EntityRef { kind: "person", id: &person.id, label: &person.email };
        self.record(entity, "revoke_role", Some(&before), None, "").await
    }
}

impl Store {
    /// The open invitation with this token hash, if `now` is before its expiry.
    pub async fn invitation(&self, token_hash: &str, now: &str) -> Result<Option<Invitation>> {
        let mut sql = Sql::new(&format!(
            "SELECT x.email, x.role, x.expires_at, {SCOPE_COLUMNS} \
             FROM invitations x {SCOPE_JOINS} WHERE x.accepted_at IS NULL AND x.token_hash = "
        ));
        sql.bind(token_hash).push(" AND x.expires_at > ").bind(now);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let (scope, scope_label) = scope_of(&r)?;
        Ok(Some(Invitation {
            email: col(&r, "email")?,
            role: code(&r, "role")?,
            scope,
            scope_label,
            expires_at: col(&r, "expires_at")?,
        }))
    }

    /// People with an open account, by name, optionally matching `q` (name or email).
    pub async fn people(&self, q: Option<&str>, page: PageRequest) -> Result<Page<Person>> {
        let mut count = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM people WHERE closed_at IS NULL");
        let mut list = Sql::new(PERSON_COLUMNS);
        if let Some(q) = q {
            push_contains(&mut count, &["name", "email"], q);
            push_contains(&mut list, &["name", "email"], q);
        }
        let total: i64 = col(&count.fetch_one(&self.pool).await?, "n")?;
        list.push(" ORDER BY name, email LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
        let items = list.map_all(&self.pool, |r| Ok(person_row(r)?.0)).await?;
        Ok(Page::new(items, page, total))
    }

    /// Everyone holding a role that reaches `agenda_id`: its coordinators (by agenda or by a
    /// territory in `territory_path`) and the referents of `organizations`.
    pub async fn agenda_people(
        &self,
        agenda_id: &str,
        territory_path: &[String],
        organizations: &[String],
    ) -> Result<Vec<(Person, RoleAssignment)>> {
        let mut sql = Sql::new("SELECT r.person_id, r.id FROM role_assignments r JOIN people p ON p.id = r.person_id WHERE (r.agenda_id = ");
        sql.bind(agenda_id);
        if !territory_path.is_empty() {
            sql.push(" OR r.territory_id IN (").bind_list(territory_path.iter().cloned()).push(")");
        }
        if !organizations.is_empty() {
            sql.push(" OR r.organization_id IN (").bind_list(organizations.iter().cloned()).push(")");
        }
        sql.push(") ORDER BY p.name, r.id");
        let mut out = Vec::new();
        for r in sql.fetch_all(&self.pool).await? {
            let (person_id, assignment_id): (String, String) = (col(&r, "person_id")?, col(&r, "id")?);
            let Some(person) = self.person(&person_id).await? else { continue };
            let roles = self.role_assignments(&person_id).await?;
            if let Some(a) = roles.into_iter().find(|a| a.id == assignment_id) {
                out.push((person, a));
            }
        }
        Ok(out)
    }
}
