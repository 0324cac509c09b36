//! Listing cats: filters, orderings and keyset (cursor) pages.
//!
//! Pages are keyset pages on `(sort field, id)`: a cursor names the last row seen, never an offset, so
//! pages stay stable while rows are inserted.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::cat::Cat;

/// Which cats to list. Every part is optional; all given parts must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatFilter {
    /// Exact breed, compared case-insensitively.
    pub breed: Option<String>,
    /// Substring of the name, compared case-insensitively.
    pub name_contains: Option<String>,
    /// Youngest age included.
    pub min_age: Option<i32>,
    /// Oldest age included.
    pub max_age: Option<i32>,
}

/// The field a listing is sorted by; ties are broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CatOrderField {
    /// Creation time (the default).
    #[default]
    CreatedAt,
    /// Name.
    Name,
    /// Age.
    Age,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortDirection {
    /// The other direction.
    pub fn reversed(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

/// A full ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatOrder {
    /// Sort field.
    pub field: CatOrderField,
    /// Sort direction.
    pub direction: SortDirection,
}

impl Default for CatOrder {
    /// Newest first.
    fn default() -> Self {
        Self {
            field: CatOrderField::CreatedAt,
            direction: SortDirection::Desc,
        }
    }
}

/// The value of the sort field in a cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    /// A creation time.
    CreatedAt(DateTime<Utc>),
    /// A name.
    Name(String),
    /// An age.
    Age(i32),
}

impl SortValue {
    /// The field this value belongs to.
    pub fn field(&self) -> CatOrderField {
        match self {
            Self::CreatedAt(_) => CatOrderField::CreatedAt,
            Self::Name(_) => CatOrderField::Name,
            Self::Age(_) => CatOrderField::Age,
        }
    }
}

/// A position in a listing: the sort value and id of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct CatCursor {
    /// Sort field value of the row.
    pub value: SortValue,
    /// Id of the row (tie-breaker).
    pub id: Uuid,
}

impl CatCursor {
    /// The cursor of `cat` under `field`.
    pub fn of(cat: &Cat, field: CatOrderField) -> Self {
        let value = match field {
            CatOrderField::CreatedAt => SortValue::CreatedAt(cat.created_at),
            CatOrderField::Name => SortValue::Name(cat.name.as_str().to_owned()),
            CatOrderField::Age => SortValue::Age(cat.age.years()),
        };
        Self { value, id: cat.id }
    }
}

/// Which slice of the ordering to return.
#[derive(Debug, Clone, PartialEq)]
pub enum PageRequest {
    /// Up to `limit` rows after `after` (or from the start).
    Forward {
        /// Rows wanted.
        limit: u64,
        /// Exclusive start.
        after: Option<CatCursor>,
    },
    /// Up to `limit` rows before `before` (or up to the end), still returned in the listing's order.
    Backward {
        /// Rows wanted.
        limit: u64,
        /// Exclusive end.
        before: Option<CatCursor>,
    },
}

/// A complete listing request.
#[derive(Debug, Clone, PartialEq)]
pub struct CatListQuery {
    /// Which cats.
    pub filter: CatFilter,
    /// In which order.
    pub order: CatOrder,
    /// Which slice.
    pub page: PageRequest,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct CatPage {
    /// The rows, in the listing's order.
    pub cats: Vec<Cat>,
    /// Whether more rows exist beyond the page in the direction of travel.
    pub has_more: bool,
}
