//! Running one method body against either backend.
//!
//! sqlx's `Any` driver would give one pool type but cannot even decode a bool, so the store
//! holds a typed pool per backend and [`with_pool!`] expands the same code once for each.
//! Helpers that need a connection are macros too, for the same reason.

/// `with_pool!(self, pool => body)`: evaluates `body` with `pool` bound to the store's
/// `&MySqlPool` or `&SqlitePool`.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::backend::Pool::MySql($pool) => $body,
            $crate::store::backend::Pool::Sqlite($pool) => $body,
        }
    };
}

/// `instance_ids!(executor, name)`: `(instance id, physical server id)` of the instance
/// named `name`, or `StoreError::NotFound`. Evaluates to a `Result`.
macro_rules! instance_ids {
    ($executor:expr, $name:expr) => {{
        let name: &str = $name;
        let found: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, physical_server_id FROM instances WHERE instance_name = ?")
                .bind(name)
                .fetch_optional($executor)
                .await?;
        found.ok_or_else(|| $crate::store::StoreError::NotFound {
            kind: "instance",
            name: name.to_owned(),
        })
    }};
}
