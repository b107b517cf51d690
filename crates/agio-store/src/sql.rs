//! A small builder for SQL with `$n` placeholders and owned values, valid on both backends.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool};

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Value::Float(v)
    }
}

/// SQL text plus its arguments, in placeholder order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.args.push(value.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `$a, $b, …` for each value (for `IN (…)`).
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for arg in &self.args {
            q = match arg.clone() {
                Value::Text(v) => q.bind(v),
                Value::Int(v) => q.bind(v),
                Value::Float(v) => q.bind(v),
            };
        }
        q
    }

    pub async fn fetch_all(&self, pool: &AnyPool) -> sqlx::Result<Vec<AnyRow>> {
        self.query().fetch_all(pool).await
    }

    pub async fn fetch_optional(&self, pool: &AnyPool) -> sqlx::Result<Option<AnyRow>> {
        self.query().fetch_optional(pool).await
    }

    pub async fn fetch_one(&self, pool: &AnyPool) -> sqlx::Result<AnyRow> {
        self.query().fetch_one(pool).await
    }
}

impl Sql {
    /// `UPDATE table SET a = $1, b = $2, … WHERE id = $n`.
    pub fn update(table: &str, columns: Vec<(&str, Value)>, id: &str) -> Sql {
        let mut sql = Sql::new(&format!("UPDATE {table} SET "));
        for (i, (name, value)) in columns.into_iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push(name).push(" = ").bind(value);
        }
        sql.push(" WHERE id = ").bind(id);
        sql
    }

    /// `INSERT INTO table (a, b, …) VALUES ($1, $2, …)`.
    pub fn insert(table: &str, columns: Vec<(&str, Value)>) -> Sql {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        Sql::insert_rows(table, &names, vec![columns.into_iter().map(|(_, v)| v).collect()])
    }

    /// `INSERT INTO table (a, b) VALUES ($1, $2), ($3, $4), …`: many rows in one statement
    /// (imports write hundreds of thousands). Each row has a value per name, in order.
    pub fn insert_rows(table: &str, names: &[&str], rows: Vec<Vec<Value>>) -> Sql {
        let mut sql = Sql::new(&format!("INSERT INTO {table} ({}) VALUES ", names.join(", ")));
        for (i, row) in rows.into_iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind_list(row);
            sql.push(")");
        }
        sql
    }
}

/// Column list for [`Sql::insert`]: `columns!["id" => id, "name" => name]`.
macro_rules! columns {
    ($($name:literal => $value:expr),+ $(,)?) => {
        vec![$(($name, $crate::sql::Value::from($value))),+]
    };
}
pub(crate) use columns;
