//! Rebuilds the store when a migration is added or changed: `sqlx::migrate!` embeds the migration files at
//! compile time, and without this cargo would keep a build that lacks a new one (as sqlx documents).

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
