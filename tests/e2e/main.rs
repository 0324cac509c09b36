//! End-to-end tests: the real application on port 0, over HTTP, on PostgreSQL and on SQLite.

#![allow(clippy::unwrap_used)]

mod crud;
mod deploy;
mod http;
mod listing;
mod loader;
mod migrations;
mod photos;
mod repository;
mod schema;
mod tls;
mod versioning;
