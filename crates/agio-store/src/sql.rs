//! A small builder for SQL with `$n` placeholders and owned values, valid on both backends.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Executor};

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bytes(Option<Vec<u8>>),
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Some(v))
    }
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

/// `query` with each of `args` bound, in order (a macro: the drivers' queries share no trait).
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg.clone() {
                Value::Text(v) => query.bind(v),
                Value::Int(v) => query.bind(v),
                Value::Float(v) => query.bind(v),
                Value::Bytes(v) => query.bind(v),
            };
        }
        query
    }};
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

    /// Appends a placeholder for `value`; a null number is written as `NULL` instead. sqlx 0.8
    /// sends PostgreSQL a null `f64` as a `float4` (its `Real` and `Double` nulls are swapped),
    /// and the statement, prepared once per connection with that type, then refuses a number
    /// in the same place ("incorrect binary data format"): found by Schemathesis.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        let value = value.into();
        if let Value::Float(None) = value {
            self.text.push_str("NULL");
            return self;
        }
        self.args.push(value);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// The same statement with SQLite's anonymous `?` placeholders, when every placeholder
    /// came from [`Sql::bind`] (they are then in argument order). SQLite looks a named
    /// parameter such as `$7` up in a list, once per argument bound: binding the thousands of
    /// arguments of a many-row insert that way is quadratic, and took a quarter of a large
    /// import's time.
    pub fn for_backend(mut self, backend: crate::Backend) -> Self {
        let placeholders = self.text.matches('$').count();
        if backend == crate::Backend::Sqlite && placeholders == self.args.len() {
            let mut text = String::with_capacity(self.text.len());
            let mut rest = self.text.as_str();
            while let Some(at) = rest.find('$') {
                text.push_str(&rest[..at]);
                text.push('?');
                rest = rest[at + 1..].trim_start_matches(|c: char| c.is_ascii_digit());
            }
            text.push_str(rest);
            self.text = text;
        }
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
        bind_all!(sqlx::query(&self.text), &self.args)
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

    /// Every row, each made into a `T` by `map` (on a pool or in a transaction).
    pub async fn map_all<'e, T>(
        &'e self,
        on: impl Executor<'e, Database = Any>,
        map: impl FnMut(&AnyRow) -> crate::Result<T>,
    ) -> crate::Result<Vec<T>> {
        self.query().fetch_all(on).await?.iter().map(map).collect()
    }

    /// The rows of this statement's `FROM …` (and what follows it), with `columns` (name,
    /// expression), read as `T`s by the columns' names. On SQLite the database aggregates them
    /// into one JSON array of objects: sqlx hands SQLite's rows over one at a time from its
    /// worker thread, which for thousands of rows costs several times the query itself. On
    /// PostgreSQL building that JSON costs five times the query (50 against 11 ms for the
    /// region's plan), so its rows are read as they come, through the native driver, each
    /// value borrowed from the row until `T` takes it. The order of the rows is not kept.
    pub async fn json_rows<T: serde::de::DeserializeOwned>(
        &self,
        store: &crate::Store,
        columns: &[(&str, &str)],
    ) -> crate::Result<Vec<T>> {
        let invalid = |e: serde_json::Error| crate::StoreError::InvalidData(format!("rows as JSON: {e}"));
        let Some(bulk) = &store.bulk else {
            let pairs: Vec<String> = columns.iter().map(|(name, expr)| format!("'{name}', {expr}")).collect();
            let select = format!("SELECT json_group_array(json_object({})) AS rows_json ", pairs.join(", "));
            let all = Sql { text: format!("{select}{}", self.text), args: self.args.clone() };
            let json: String = crate::read::col(&all.query().fetch_one(&store.pool).await?, "rows_json")?;
            return serde_json::from_str(&json).map_err(invalid);
        };
        let named: Vec<String> = columns.iter().map(|(name, expr)| format!("{expr} AS {name}")).collect();
        let text = format!("SELECT {} {}", named.join(", "), self.text);
        let rows = bind_all!(sqlx::query::<sqlx::Postgres>(&text), &self.args).fetch_all(bulk).await?;
        // Every row has the same types: each column's is looked up once.
        let kinds = match rows.first() {
            Some(first) => sqlx::Row::columns(first).iter().map(Kind::of).collect::<crate::Result<Vec<_>>>()?,
            None => return Ok(Vec::new()),
        };
        rows.iter()
            .map(|row| {
                let cells =
                    kinds.iter().enumerate().map(|(i, kind)| kind.cell(row, i)).collect::<crate::Result<Vec<_>>>()?;
                let map = serde::de::value::MapDeserializer::new(columns.iter().map(|(name, _)| *name).zip(cells));
                T::deserialize(map)
                    .map_err(|e: serde::de::value::Error| crate::StoreError::InvalidData(format!("rows: {e}")))
            })
            .collect()
    }

    /// The row, if there is one, made into a `T` by `map`.
    pub async fn map_optional<'e, T>(
        &'e self,
        on: impl Executor<'e, Database = Any>,
        map: impl FnOnce(&AnyRow) -> crate::Result<T>,
    ) -> crate::Result<Option<T>> {
        self.query().fetch_optional(on).await?.as_ref().map(map).transpose()
    }

    /// The one row there must be, made into a `T` by `map`.
    pub async fn map_one<'e, T>(
        &'e self,
        on: impl Executor<'e, Database = Any>,
        map: impl FnOnce(&AnyRow) -> crate::Result<T>,
    ) -> crate::Result<T> {
        map(&self.query().fetch_one(on).await?)
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

/// A PostgreSQL value as a row holds it, text borrowed: given to serde, each is copied once,
/// into the field that takes it.
enum Cell<'r> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'r str),
}

/// The types of PostgreSQL's columns that [`Cell`] reads.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    BigInt,
    Integer,
    SmallInt,
    Double,
    Real,
    Bool,
}

impl Kind {
    fn of(column: &sqlx::postgres::PgColumn) -> crate::Result<Kind> {
        use sqlx::{Column, Postgres as Pg, Type, TypeInfo};
        let ty = column.type_info();
        let kinds = [
            (<&str as Type<Pg>>::compatible(ty), Kind::Text),
            (<i64 as Type<Pg>>::compatible(ty), Kind::BigInt),
            (<i32 as Type<Pg>>::compatible(ty), Kind::Integer),
            (<i16 as Type<Pg>>::compatible(ty), Kind::SmallInt),
            (<f64 as Type<Pg>>::compatible(ty), Kind::Double),
            (<f32 as Type<Pg>>::compatible(ty), Kind::Real),
            (<bool as Type<Pg>>::compatible(ty), Kind::Bool),
        ];
        kinds.into_iter().find_map(|(compatible, kind)| compatible.then_some(kind)).ok_or_else(|| {
            crate::StoreError::InvalidData(format!("column {}: {} is not read", column.name(), ty.name()))
        })
    }

    /// The row's value at `index`, a column of this kind.
    fn cell<'r>(self, row: &'r sqlx::postgres::PgRow, index: usize) -> crate::Result<Cell<'r>> {
        use sqlx::{Decode, Postgres as Pg, Row, ValueRef};
        let raw = row.try_get_raw(index)?;
        if raw.is_null() {
            return Ok(Cell::Null);
        }
        let decoded = match self {
            Kind::Text => <&str as Decode<Pg>>::decode(raw).map(Cell::Text),
            Kind::BigInt => <i64 as Decode<Pg>>::decode(raw).map(Cell::Int),
            Kind::Integer => <i32 as Decode<Pg>>::decode(raw).map(|n| Cell::Int(n.into())),
            Kind::SmallInt => <i16 as Decode<Pg>>::decode(raw).map(|n| Cell::Int(n.into())),
            Kind::Double => <f64 as Decode<Pg>>::decode(raw).map(Cell::Float),
            Kind::Real => <f32 as Decode<Pg>>::decode(raw).map(|n| Cell::Float(n.into())),
            Kind::Bool => <bool as Decode<Pg>>::decode(raw).map(Cell::Bool),
        };
        decoded.map_err(|e| {
            let name = sqlx::Column::name(&row.columns()[index]);
            crate::StoreError::InvalidData(format!("column {name}: {e}"))
        })
    }
}

impl<'de> serde::de::IntoDeserializer<'de> for Cell<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Cell<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Cell::Null => visitor.visit_unit(),
            Cell::Bool(b) => visitor.visit_bool(b),
            Cell::Int(n) => visitor.visit_i64(n),
            Cell::Float(n) => visitor.visit_f64(n),
            Cell::Text(text) => visitor.visit_str(text),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Cell::Null => visitor.visit_none(),
            cell => visitor.visit_some(cell),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;

    fn rows() -> Sql {
        Sql::insert_rows("t", &["a", "b"], vec![vec![1i64.into(), "x".into()], vec![2i64.into(), "y".into()]])
    }

    #[test]
    fn sqlite_gets_anonymous_placeholders_in_argument_order() {
        assert_eq!(rows().for_backend(Backend::Sqlite).text, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        assert_eq!(rows().for_backend(Backend::Postgres).text, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn numbers_of_several_digits_are_replaced_whole() {
        let many = Sql::insert_rows("t", &["a"], (0..12i64).map(|n| vec![n.into()]).collect());
        assert_eq!(
            many.for_backend(Backend::Sqlite).text,
            format!("INSERT INTO t (a) VALUES {}", ["(?)"; 12].join(", "))
        );
    }

    #[test]
    fn placeholders_written_by_hand_are_left_alone() {
        let mut sql = Sql::new("SELECT $1 || ");
        sql.bind("x");
        assert_eq!(sql.for_backend(Backend::Sqlite).text, "SELECT $1 || $1");
    }

    #[test]
    fn a_null_number_is_written_not_bound() {
        let insert = Sql::insert_rows("t", &["a", "b"], vec![vec![None::<f64>.into(), Some(1.5).into()]]);
        assert_eq!(insert.args.len(), 1);
        assert_eq!(insert.for_backend(Backend::Postgres).text, "INSERT INTO t (a, b) VALUES (NULL, $1)");
    }
}
