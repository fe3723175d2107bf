//! The records created once and updated by version that are not the desk's conversations and
//! cases: a guest's access, feature requests, organisations. One table each, `(key, order,
//! version, data)`, written by [`Versioned`].

use rusqlite::{Transaction, params};

use super::{Abort, to_json};
use crate::error::{Error, Result};
use crate::model::{Access, FeatureRequest, Millis, Organisation};
use crate::store::{AccessWrite, FeatureWrite, OrganisationWrite, Write};

/// How long an expired access record is kept before a write forgets it.
const ACCESS_KEPT_MS: Millis = 24 * 3_600_000;

pub(super) fn apply_access(tx: &Transaction<'_>, write: &AccessWrite) -> Result<(), Abort> {
    if let Write::Create(access) = write {
        // Forgetting as it writes keeps the table as small as the sessions in use.
        tx.execute(
            "DELETE FROM access WHERE expires_at < ?1",
            [access.created_at - ACCESS_KEPT_MS],
        )?;
    }
    let access = write.record();
    let row = Versioned {
        table: "access",
        key: ("key", &access.key),
        order: ("expires_at", access.expires_at),
        version: access.version,
    };
    row.write(tx, matches!(write, Write::Create(_)), |version| {
        to_json(&Access {
            version,
            ..access.clone()
        })
    })
}

pub(super) fn apply_feature(tx: &Transaction<'_>, write: &FeatureWrite) -> Result<(), Abort> {
    let feature = write.record();
    let row = Versioned {
        table: "feature_requests",
        key: ("id", &feature.id),
        order: ("updated_at", feature.updated_at),
        version: feature.version,
    };
    row.write(tx, matches!(write, Write::Create(_)), |version| {
        to_json(&FeatureRequest {
            version,
            ..feature.clone()
        })
    })
}

pub(super) fn apply_organisation(
    tx: &Transaction<'_>,
    write: &OrganisationWrite,
) -> Result<(), Abort> {
    let organisation = write.record();
    let row = Versioned {
        table: "organisations",
        key: ("id", &organisation.id),
        order: ("updated_at", organisation.updated_at),
        version: organisation.version,
    };
    row.write(tx, matches!(write, Write::Create(_)), |version| {
        to_json(&Organisation {
            version,
            ..organisation.clone()
        })
    })
}

/// A row of a table of records created once and updated by version: `(key, order, version,
/// data)`.
struct Versioned<'a> {
    table: &'static str,
    key: (&'static str, &'a str),
    order: (&'static str, i64),
    version: u64,
}

impl Versioned<'_> {
    /// Creates the row (`Stale` if its key exists), or updates it from `version` to the next
    /// (`Stale` if the stored one is not `version`); `data` is the record at the version written.
    fn write(
        &self,
        tx: &Transaction<'_>,
        create: bool,
        data: impl Fn(u64) -> Result<String>,
    ) -> Result<(), Abort> {
        let (table, (key_name, key), (order_name, order)) = (self.table, self.key, self.order);
        let changed = if create {
            tx.execute(
                &format!(
                    "INSERT INTO {table} ({key_name}, {order_name}, version, data)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT ({key_name}) DO NOTHING"
                ),
                params![key, order, self.version as i64, data(self.version)?],
            )?
        } else {
            let next = self.version + 1;
            tx.execute(
                &format!(
                    "UPDATE {table} SET {order_name} = ?1, version = ?2, data = ?3
                     WHERE {key_name} = ?4 AND version = ?5"
                ),
                params![order, next as i64, data(next)?, key, self.version as i64],
            )?
        };
        if changed != 1 {
            return Err(Abort::Error(Error::Stale));
        }
        Ok(())
    }
}
