//! Inputs of the `cats` connection: filter and order.

use async_graphql::{Enum, InputObject};
use cattery_domain::{CatFilter, CatOrder, SortDirection};

use crate::error::ApiError;

/// Which cats to list; all given conditions must hold.
#[derive(InputObject, Default)]
#[graphql(name = "CatFilter")]
pub(crate) struct CatFilterInput {
    /// Exact breed, case-insensitive.
    pub breed: Option<String>,
    /// Part of the name, case-insensitive.
    pub name_contains: Option<String>,
    /// Youngest age included.
    pub min_age: Option<i32>,
    /// Oldest age included.
    pub max_age: Option<i32>,
}

impl CatFilterInput {
    pub(crate) fn into_domain(self) -> Result<CatFilter, ApiError> {
        if let (Some(min), Some(max)) = (self.min_age, self.max_age)
            && min > max
        {
            return Err(ApiError::bad_input(
                "filter",
                format!("minAge ({min}) is greater than maxAge ({max})"),
            ));
        }
        Ok(CatFilter {
            breed: self.breed.map(|b| b.trim().to_owned()),
            name_contains: self.name_contains,
            min_age: self.min_age,
            max_age: self.max_age,
        })
    }
}

/// Field to sort cats by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub(crate) enum CatOrderField {
    /// Registration time (default; newest first unless a direction is given).
    CreatedAt,
    /// Name (A to Z unless a direction is given).
    Name,
    /// Age (youngest first unless a direction is given).
    Age,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub(crate) enum OrderDirection {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// Ordering of a cat listing; ties are broken by id, so every ordering is total and stable.
#[derive(InputObject)]
#[graphql(name = "CatOrder")]
pub(crate) struct CatOrderInput {
    /// Field to sort by.
    pub field: CatOrderField,
    /// Direction; defaults to DESC for CREATED_AT and ASC for NAME and AGE.
    pub direction: Option<OrderDirection>,
}

impl CatOrderInput {
    pub(crate) fn into_domain(self) -> CatOrder {
        let field = match self.field {
            CatOrderField::CreatedAt => cattery_domain::CatOrderField::CreatedAt,
            CatOrderField::Name => cattery_domain::CatOrderField::Name,
            CatOrderField::Age => cattery_domain::CatOrderField::Age,
        };
        let direction = match (self.direction, field) {
            (Some(OrderDirection::Asc), _) => SortDirection::Asc,
            (Some(OrderDirection::Desc), _) => SortDirection::Desc,
            (None, cattery_domain::CatOrderField::CreatedAt) => SortDirection::Desc,
            (None, _) => SortDirection::Asc,
        };
        CatOrder { field, direction }
    }
}
