//! The two databases a library can live in (design.md §5, "Backends"): a SQLite file, the
//! default, and a PostgreSQL server, for several machines sharing one library. The store's
//! queries are written once, against [`Db`], in the SQL both dialects share: `?N` parameters
//! (rewritten to `$N` for PostgreSQL), `ON CONFLICT` upserts, `RETURNING`, `FILTER` on
//! aggregates, and a `rowid` column that PostgreSQL's tables declare where SQLite has it
//! implicitly. The few queries that differ ask [`Db::dialect`].

mod postgres;
mod sqlite;

use std::cell::RefCell;
use std::path::Path;

use crate::error::Result;

pub use self::postgres::{Location, is_url, mask_url, url_without_password};
pub use self::sqlite::{BUSY_TIMEOUT, DAMAGED_HINT, open_error as sqlite_open_error};

/// Which SQL a query is written in, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.4x (bundled).
    Sqlite,
    /// PostgreSQL 13 or newer.
    Postgres,
}

/// An open database.
pub enum Db {
    /// A SQLite file.
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL connection (its client needs `&mut`, the store is used through `&`).
    Postgres(Box<RefCell<postgres::Pg>>),
}

/// How a transaction takes its locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Locks as it goes (SQLite `BEGIN`; PostgreSQL `READ COMMITTED`).
    Deferred,
    /// One writer at a time from the start (SQLite `BEGIN IMMEDIATE`; PostgreSQL a
    /// transaction-wide advisory lock), for read-check-write sequences such as saving a version.
    Exclusive,
}

/// A value a query takes: anything both drivers can bind. Integers are `i64` (PostgreSQL
/// columns are `BIGINT`), times are RFC 3339 text, JSON is text.
pub trait Param {
    /// As SQLite binds it.
    fn sqlite(&self) -> &dyn rusqlite::ToSql;
    /// As PostgreSQL binds it.
    fn postgres(&self) -> &(dyn ::postgres::types::ToSql + Sync);
}

impl<T: rusqlite::ToSql + ::postgres::types::ToSql + Sync> Param for T {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn postgres(&self) -> &(dyn ::postgres::types::ToSql + Sync) {
        self
    }
}

/// The parameters of a query: `args![a, b]` is `&[&a, &b]` as [`Param`]s.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$(&$value as &dyn $crate::store::backend::Param),*] as &[&dyn $crate::store::backend::Param]
    };
}
pub(crate) use args;

/// One result row.
pub enum Row<'a> {
    /// A SQLite row.
    Sqlite(&'a rusqlite::Row<'a>),
    /// A PostgreSQL row.
    Postgres(&'a ::postgres::Row),
}

/// A column value both drivers can read.
pub trait Column: Sized {
    /// Reads column `index` of a SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self>;
    /// Reads column `index` of a PostgreSQL row.
    fn from_postgres(row: &::postgres::Row, index: usize) -> std::result::Result<Self, ::postgres::Error>;
}

impl<T> Column for T
where
    T: rusqlite::types::FromSql + for<'b> ::postgres::types::FromSql<'b>,
{
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn from_postgres(row: &::postgres::Row, index: usize) -> std::result::Result<Self, ::postgres::Error> {
        row.try_get(index)
    }
}

impl Row<'_> {
    /// Column `index` as text, borrowed from the row rather than copied (`None` for NULL).
    pub fn with_text<T>(&self, index: usize, read: impl FnOnce(Option<&str>) -> T) -> Result<T> {
        Ok(match self {
            Row::Sqlite(row) => read(row.get_ref(index)?.as_str_or_null().map_err(rusqlite::Error::from)?),
            Row::Postgres(row) => read(row.try_get::<_, Option<&str>>(index)?),
        })
    }

    /// Column `index`, converted.
    pub fn get<T: Column>(&self, index: usize) -> Result<T> {
        Ok(match self {
            Row::Sqlite(row) => T::from_sqlite(row, index)?,
            Row::Postgres(row) => T::from_postgres(row, index)?,
        })
    }
}

impl Db {
    /// Opens (creating) a SQLite file.
    pub fn open_sqlite(path: &Path) -> Result<Db> {
        sqlite::open(path).map(Db::Sqlite)
    }

    /// Connects to a PostgreSQL server.
    pub fn connect_postgres(url: &str) -> Result<Db> {
        postgres::Pg::connect(url).map(|pg| Db::Postgres(Box::new(RefCell::new(pg))))
    }

    /// Which SQL this database speaks.
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.iter().map(|p| p.sqlite())))?)
            }
            Db::Postgres(pg) => pg.borrow_mut().execute(sql, params),
        }
    }

    /// Runs a query and maps every row.
    pub fn query<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut map: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, params, |row| {
            out.push(map(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs a query and hands every row to `each`, keeping nothing itself (for a caller that
    /// keeps some rows only).
    pub fn for_each(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut each: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(|p| p.sqlite())))?;
                while let Some(row) = rows.next()? {
                    each(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Db::Postgres(pg) => {
                let rows = pg.borrow_mut().query(sql, params)?;
                rows.iter().try_for_each(|row| each(&Row::Postgres(row)))
            }
        }
    }

    /// The first row, if any.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        map: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(|p| p.sqlite())))?;
                match rows.next()? {
                    Some(row) => map(&Row::Sqlite(row)).map(Some),
                    None => Ok(None),
                }
            }
            Db::Postgres(pg) => {
                let rows = pg.borrow_mut().query(sql, params)?;
                rows.first().map(|row| map(&Row::Postgres(row))).transpose()
            }
        }
    }

    /// The first row, which must exist.
    pub fn query_one<T>(&self, sql: &str, params: &[&dyn Param], map: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.query_opt(sql, params, map)?.ok_or_else(|| {
            crate::error::Error::Storage(format!("the database returned no row for: {}", first_line(sql)))
        })
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T>(&self, lock: Lock, work: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        self.batch(match (self.dialect(), lock) {
            (Dialect::Sqlite, Lock::Deferred) => "BEGIN",
            (Dialect::Sqlite, Lock::Exclusive) => "BEGIN IMMEDIATE",
            (Dialect::Postgres, Lock::Deferred) => "BEGIN",
            // One lock for every writer that reads before it writes, as SQLite's IMMEDIATE.
            (Dialect::Postgres, Lock::Exclusive) => "BEGIN; SELECT pg_advisory_xact_lock(7414711)",
        })?;
        match work(self) {
            Ok(value) => {
                self.batch("COMMIT")?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Runs statements without parameters (schema changes, transaction control).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Db::Postgres(pg) => pg.borrow_mut().batch(sql),
        }
    }

    /// Wakes whoever waits on `channel` in other processes (PostgreSQL `NOTIFY`; SQLite has no
    /// such thing and its waiters poll).
    pub fn notify(&self, channel: &str) -> Result<()> {
        match self {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(pg) => pg.borrow_mut().notify(channel),
        }
    }

    /// Waits up to `timeout` for a notification on `channel` (PostgreSQL `LISTEN`), or simply
    /// `timeout` on SQLite. True when woken by one.
    pub fn wait_for(&self, channel: &str, timeout: std::time::Duration) -> Result<bool> {
        match self {
            Db::Sqlite(_) => {
                std::thread::sleep(timeout);
                Ok(false)
            }
            Db::Postgres(pg) => pg.borrow_mut().wait_for(channel, timeout),
        }
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}
