//! Introspection of the migrated schema, the same shape for both backends, so that a test can
//! compare them and `agio migrate --to` can copy every table generically.

use std::collections::{BTreeMap, BTreeSet};

use crate::read::{col, flag};
use crate::sql::{Sql, Value};
use crate::{Backend, Result, Store, StoreError};

/// A column type reduced to what both dialects share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeFamily {
    Integer,
    Float,
    Text,
    Boolean,
    /// Files: BYTEA on PostgreSQL, BYTEA (stored as a blob) on SQLite.
    Bytes,
    Other,
}

fn family(declared: &str) -> TypeFamily {
    let t = declared.to_lowercase();
    if t.contains("bool") {
        TypeFamily::Boolean
    } else if t.contains("bytea") || t.contains("blob") {
        TypeFamily::Bytes
    } else if t.contains("int") {
        TypeFamily::Integer
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        TypeFamily::Text
    } else if t.contains("double") || t.contains("real") || t.contains("float") || t.contains("numeric") {
        TypeFamily::Float
    } else {
        TypeFamily::Other
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub name: String,
    pub family: TypeFamily,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// Name of an explicitly created index; None for the ones that back a key or unique constraint,
    /// whose names each backend chooses itself.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub indexes: BTreeSet<Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

/// Tables by name.
pub type Snapshot = BTreeMap<String, Table>;

fn split(list: Option<String>) -> Vec<String> {
    list.unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl Store {
    /// The application tables (not the migration bookkeeping) with columns, indexes and foreign keys.
    pub async fn schema_snapshot(&self) -> Result<Snapshot> {
        match self.backend {
            Backend::Sqlite => self.sqlite_snapshot().await,
            Backend::Postgres => self.postgres_snapshot().await,
        }
    }

    async fn sqlite_snapshot(&self) -> Result<Snapshot> {
        let mut out = Snapshot::new();
        let tables = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        for t in tables {
            let name: String = col(&t, "name")?;
            let mut table = Table::default();
            for c in Sql::new("SELECT name, type, \"notnull\", pk FROM pragma_table_info(")
                .bind(name.clone())
                .push(") ORDER BY cid")
                .fetch_all(&self.pool)
                .await?
            {
                let declared: String = col(&c, "type")?;
                table.columns.push(Column {
                    name: col(&c, "name")?,
                    family: family(&declared),
                    not_null: flag(&c, "notnull")? || flag(&c, "pk")?,
                });
            }
            for i in Sql::new("SELECT name, \"unique\", origin FROM pragma_index_list(")
                .bind(name.clone())
                .push(")")
                .fetch_all(&self.pool)
                .await?
            {
                let index_name: String = col(&i, "name")?;
                let origin: String = col(&i, "origin")?;
                let columns = Sql::new("SELECT name FROM pragma_index_info(")
                    .bind(index_name.clone())
                    .push(") ORDER BY seqno")
                    .map_all(&self.pool, |r| col(r, "name"))
                    .await?;
                table.indexes.insert(Index {
                    name: (origin == "c").then_some(index_name),
                    columns,
                    unique: flag(&i, "unique")?,
                });
            }
            let mut fks: BTreeMap<i64, ForeignKey> = BTreeMap::new();
            for f in Sql::new("SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(")
                .bind(name.clone())
                .push(") ORDER BY id, seq")
                .fetch_all(&self.pool)
                .await?
            {
                let fk = fks.entry(col(&f, "id")?).or_insert_with(|| ForeignKey {
                    columns: vec![],
                    references: String::new(),
                    referenced_columns: vec![],
                    on_delete: String::new(),
                });
                fk.references = col(&f, "table")?;
                fk.columns.push(col(&f, "from")?);
                fk.referenced_columns.push(col(&f, "to")?);
                fk.on_delete = col::<String>(&f, "on_delete")?.to_uppercase();
            }
            table.foreign_keys = fks.into_values().collect();
            out.insert(name, table);
        }
        Ok(out)
    }

    async fn postgres_snapshot(&self) -> Result<Snapshot> {
        let mut out = Snapshot::new();
        let columns = sqlx::query(
            "SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name, \
             CAST(data_type AS TEXT) AS data_type, CAST(is_nullable AS TEXT) AS is_nullable \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' \
             AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE') ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&self.pool)
        .await?;
        for c in columns {
            let declared: String = col(&c, "data_type")?;
            out.entry(col(&c, "table_name")?).or_default().columns.push(Column {
                name: col(&c, "column_name")?,
                family: family(&declared),
                not_null: col::<String>(&c, "is_nullable")? == "NO",
            });
        }
        let indexes = sqlx::query(
            "SELECT CAST(t.relname AS TEXT) AS table_name, CAST(i.relname AS TEXT) AS index_name, ix.indisunique AS is_unique, \
             (SELECT string_agg(CAST(a.attname AS TEXT), ',' ORDER BY k.ord) FROM unnest(CAST(ix.indkey AS int2[])) WITH ORDINALITY k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS column_names, \
             EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) AS backs_constraint \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND t.relname <> 'schema_migrations'",
        )
        .fetch_all(&self.pool)
        .await?;
        for i in indexes {
            let backs_constraint: bool = col(&i, "backs_constraint")?;
            out.entry(col(&i, "table_name")?).or_default().indexes.insert(Index {
                name: if backs_constraint { None } else { Some(col(&i, "index_name")?) },
                columns: split(col(&i, "column_names")?),
                unique: col(&i, "is_unique")?,
            });
        }
        let fks = sqlx::query(
            "SELECT CAST(cl.relname AS TEXT) AS table_name, CAST(ft.relname AS TEXT) AS referenced_table, \
             (SELECT string_agg(CAST(a.attname AS TEXT), ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS column_names, \
             (SELECT string_agg(CAST(a.attname AS TEXT), ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS referenced_columns, \
             CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS on_delete \
             FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ft ON ft.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()",
        )
        .fetch_all(&self.pool)
        .await?;
        for f in fks {
            out.entry(col(&f, "table_name")?).or_default().foreign_keys.insert(ForeignKey {
                columns: split(col(&f, "column_names")?),
                references: col(&f, "referenced_table")?,
                referenced_columns: split(col(&f, "referenced_columns")?),
                on_delete: col(&f, "on_delete")?,
            });
        }
        Ok(out)
    }

    /// Every row of `table`, each cell decoded by the column's type family, ordered by all columns.
    pub async fn dump_table(&self, table: &str, columns: &[Column], order: &str) -> Result<Vec<Vec<Cell>>> {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| {
                        Ok(match c.family {
                            TypeFamily::Integer => Cell::Int(col(r, &c.name)?),
                            TypeFamily::Float => Cell::Float(col(r, &c.name)?),
                            TypeFamily::Text | TypeFamily::Other => Cell::Text(col(r, &c.name)?),
                            TypeFamily::Bytes => Cell::Bytes(col(r, &c.name)?),
                            // Flags are BIGINT 0/1 (the Any driver cannot read SQLite booleans).
                            TypeFamily::Boolean => {
                                return Err(StoreError::InvalidData(format!(
                                    "{table}.{}: boolean columns are not supported",
                                    c.name
                                )))
                            }
                        })
                    })
                    .collect::<Result<Vec<Cell>>>()
            })
            .collect()
    }
}

/// A value read generically from any table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Cell {
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Int(None) | Cell::Float(None) | Cell::Text(None) | Cell::Bytes(None))
    }
}

impl From<Cell> for Value {
    fn from(c: Cell) -> Value {
        match c {
            Cell::Int(v) => Value::Int(v),
            Cell::Float(v) => Value::Float(v),
            Cell::Text(v) => Value::Text(v),
            Cell::Bytes(v) => Value::Bytes(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("BIGINT"), TypeFamily::Integer);
        assert_eq!(family("double precision"), TypeFamily::Float);
        assert_eq!(family("character varying"), TypeFamily::Text);
        assert_eq!(family("boolean"), TypeFamily::Boolean);
    }
}
