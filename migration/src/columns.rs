//! Column helpers shared by the migrations: exact amounts and timestamps on both backends.

use sea_orm_migration::{prelude::*, schema, sea_orm::DbBackend};

/// An exact decimal: `NUMERIC(38, 18)` on PostgreSQL, `TEXT` on SQLite (which would otherwise store a `REAL`).
pub fn amount(backend: DbBackend, name: &'static str) -> ColumnDef {
    match backend {
        DbBackend::Sqlite => schema::text(name),
        _ => schema::decimal_len(name, 38, 18),
    }
}

/// A nullable [`amount`].
pub fn amount_null(backend: DbBackend, name: &'static str) -> ColumnDef {
    match backend {
        DbBackend::Sqlite => schema::text_null(name),
        _ => schema::decimal_len_null(name, 38, 18),
    }
}

/// `TIMESTAMP WITH TIME ZONE`, not null.
pub fn at(name: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone(name)
}

/// A foreign key `table.column → target.id`, deleting children with their parent.
pub fn fk(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
