//! SeaORM entities (crate-private: an ORM model never leaves this crate).

pub(crate) mod cat;
pub(crate) mod upload;
