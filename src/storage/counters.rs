//! Change counters (migration 0013): one per kind of thing a node caches (clients, policies,
//! trusted issuers, signing keys). A trigger raises a table's counter in the transaction of
//! every write to it, so no write can forget to; a node that sees a counter move drops what it
//! cached of that table.

use super::{Db, StorageResult};

/// A kind of cached thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    Clients,
    Policies,
    Trusts,
    Keys,
}

impl Counted {
    fn name(self) -> &'static str {
        match self {
            Counted::Clients => "clients",
            Counted::Policies => "policies",
            Counted::Trusts => "trusts",
            Counted::Keys => "keys",
        }
    }
}

/// The counter of `what` now.
pub async fn read(db: &Db, what: Counted) -> StorageResult<i64> {
    let (value,): (i64,) = sqlx::query_as("SELECT value FROM change_counters WHERE name = $1")
        .bind(what.name())
        .fetch_one(db.pool())
        .await?;
    Ok(value)
}
