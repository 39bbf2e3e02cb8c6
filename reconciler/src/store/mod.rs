//! The store: MariaDB or SQLite through sqlx, one schema.
