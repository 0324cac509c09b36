//! The Cattery server: typed settings, start-up, HTTP routes and the command line.
//!
//! `main.rs` only parses the command line and calls into this crate, so that tests can build the very
//! same [`Application`] on port 0.

pub mod cli;
mod routes;
pub mod settings;
mod startup;
pub mod telemetry;

pub use settings::Settings;
pub use startup::Application;

/// The SDL of the schema the server serves (what `cattery schema` prints).
pub fn schema_sdl() -> String {
    cattery_api::schema_sdl()
}
