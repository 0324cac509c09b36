//! [`CatRepository`] on SeaORM.

use async_trait::async_trait;
use cattery_domain::{
    Age, Breed, Cat, CatCursor, CatFilter, CatId, CatImage, CatListQuery, CatName, CatOrderField,
    CatPage, CatPatch, CatRepository, DomainError, ImageKey, NewCat, PageRequest, Result,
    SortDirection, SortValue,
};
use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use tracing::instrument;
use uuid::Uuid;

use crate::entity::cat::{self, Column, Entity};

/// Cats stored in a SeaORM-managed `cats` table.
pub struct SeaCatRepository {
    db: DatabaseConnection,
}

impl SeaCatRepository {
    /// A repository on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Why a conditional update of `id` touched no row: the cat is gone, or it changed (`what`).
    async fn not_found_or_conflict(&self, id: CatId, what: &str) -> DomainError {
        match Entity::find_by_id(id).one(&self.db).await {
            Ok(Some(_)) => DomainError::Conflict(format!("cat {id} {what}")),
            Ok(None) => DomainError::NotFound(id),
            Err(err) => db_error(err),
        }
    }
}

fn db_error(err: DbErr) -> DomainError {
    DomainError::repository(err)
}

/// Timestamps are kept to the microsecond, PostgreSQL's precision, so that a value read back equals the
/// value written on both backends (cursors and `updatedAt` preconditions compare them exactly).
fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(Duration::microseconds(1)).unwrap_or(now)
}

impl TryFrom<cat::Model> for Cat {
    type Error = DomainError;

    fn try_from(row: cat::Model) -> Result<Self> {
        let corrupt =
            |what: &str| DomainError::repository(DbErr::Type(format!("cat {} has {what}", row.id)));
        Ok(Cat {
            id: row.id,
            name: CatName::parse(&row.name).map_err(|_| corrupt("an invalid name"))?,
            age: Age::parse(i64::from(row.age)).map_err(|_| corrupt("an invalid age"))?,
            breed: Breed::parse(&row.breed).map_err(|_| corrupt("an invalid breed"))?,
            image: image_of(&row).map_err(|_| corrupt("an invalid image"))?,
            created_at: row.created_at.ok_or_else(|| corrupt("no created_at"))?,
            updated_at: row
                .updated_at
                .or(row.created_at)
                .ok_or_else(|| corrupt("no updated_at"))?,
        })
    }
}

/// The photo columns as a domain value; all of them are set together or none is.
fn image_of(row: &cat::Model) -> Result<Option<CatImage>> {
    let Some(key) = &row.image_url else {
        return Ok(None);
    };
    Ok(Some(CatImage {
        key: ImageKey::parse(key)?,
        content_type: row.image_content_type.clone().unwrap_or_default(),
        byte_size: row
            .image_byte_size
            .and_then(|b| u64::try_from(b).ok())
            .unwrap_or_default(),
        width: row
            .image_width
            .and_then(|w| u32::try_from(w).ok())
            .unwrap_or_default(),
        height: row
            .image_height
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or_default(),
    }))
}

fn filter_condition(filter: &CatFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(breed) = &filter.breed {
        cond = cond.add(Expr::expr(Func::lower(Expr::col(Column::Breed))).eq(breed.to_lowercase()));
    }
    if let Some(part) = &filter.name_contains {
        let escaped = part
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col(Column::Name)))
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    if let Some(min) = filter.min_age {
        cond = cond.add(Column::Age.gte(min));
    }
    if let Some(max) = filter.max_age {
        cond = cond.add(Column::Age.lte(max));
    }
    cond
}

fn sort_column(field: CatOrderField) -> Column {
    match field {
        CatOrderField::CreatedAt => Column::CreatedAt,
        CatOrderField::Name => Column::Name,
        CatOrderField::Age => Column::Age,
    }
}

fn sort_value(value: &SortValue) -> sea_orm::Value {
    match value {
        SortValue::CreatedAt(at) => (*at).into(),
        SortValue::Name(name) => name.clone().into(),
        SortValue::Age(age) => (*age).into(),
    }
}

/// Rows strictly beyond `cursor` when walking in `direction`.
///
/// Written as `col <= v AND (col < v OR id < id0)` (for descending) rather than a row comparison so
/// that a single-column index on the sort field (the seed's `idx_cats_created_at`) bounds the scan.
fn keyset_condition(cursor: &CatCursor, direction: SortDirection) -> SimpleExpr {
    let col = Expr::col(sort_column(cursor.value.field()));
    let id = Expr::col(Column::Id);
    let v = sort_value(&cursor.value);
    match direction {
        SortDirection::Asc => col
            .clone()
            .gte(v.clone())
            .and(col.gt(v).or(id.gt(cursor.id))),
        SortDirection::Desc => col
            .clone()
            .lte(v.clone())
            .and(col.lt(v).or(id.lt(cursor.id))),
    }
}

fn order(direction: SortDirection) -> Order {
    match direction {
        SortDirection::Asc => Order::Asc,
        SortDirection::Desc => Order::Desc,
    }
}

#[async_trait]
impl CatRepository for SeaCatRepository {
    #[instrument(skip(self), err)]
    async fn create(&self, new: NewCat) -> Result<Cat> {
        let now = now_micros();
        let row = cat::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(new.name.as_str().to_owned()),
            age: Set(new.age.years()),
            breed: Set(new.breed.as_str().to_owned()),
            image_url: Set(None),
            created_at: Set(Some(now)),
            updated_at: Set(Some(now)),
            image_content_type: Set(None),
            image_byte_size: Set(None),
            image_width: Set(None),
            image_height: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(db_error)?;
        Cat::try_from(row)
    }

    #[instrument(skip(self), fields(count = ids.len()), err)]
    async fn find_many(&self, ids: &[CatId]) -> Result<Vec<Cat>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(Cat::try_from)
            .collect()
    }

    #[instrument(skip(self), err)]
    async fn list(&self, query: &CatListQuery) -> Result<CatPage> {
        let (limit, cursor, walk) = match &query.page {
            PageRequest::Forward { limit, after } => {
                (*limit, after.as_ref(), query.order.direction)
            }
            PageRequest::Backward { limit, before } => {
                (*limit, before.as_ref(), query.order.direction.reversed())
            }
        };
        if let Some(cursor) = cursor
            && cursor.value.field() != query.order.field
        {
            return Err(DomainError::validation(
                "cursor",
                "the cursor belongs to a different ordering",
            ));
        }
        let mut cond = filter_condition(&query.filter);
        if let Some(cursor) = cursor {
            cond = cond.add(keyset_condition(cursor, walk));
        }
        let rows = Entity::find()
            .filter(cond)
            .order_by(sort_column(query.order.field), order(walk))
            .order_by(Column::Id, order(walk))
            .limit(limit + 1)
            .all(&self.db)
            .await
            .map_err(db_error)?;
        let has_more = rows.len() as u64 > limit;
        let mut cats = rows
            .into_iter()
            .take(limit as usize)
            .map(Cat::try_from)
            .collect::<Result<Vec<_>>>()?;
        if matches!(query.page, PageRequest::Backward { .. }) {
            cats.reverse();
        }
        Ok(CatPage { cats, has_more })
    }

    #[instrument(skip(self), err)]
    async fn count(&self, filter: &CatFilter) -> Result<u64> {
        Entity::find()
            .filter(filter_condition(filter))
            .count(&self.db)
            .await
            .map_err(db_error)
    }

    #[instrument(skip(self), err)]
    async fn update(&self, id: CatId, patch: CatPatch) -> Result<Cat> {
        let mut now = now_micros();
        if let Some(expected) = patch.expected_updated_at {
            // The version token must move even when two writes land in the same microsecond.
            now = Ord::max(now, expected + Duration::microseconds(1));
        }
        let mut update = Entity::update_many()
            .col_expr(Column::UpdatedAt, Expr::value(Some(now)))
            .filter(Column::Id.eq(id));
        if let Some(name) = &patch.name {
            update = update.col_expr(Column::Name, Expr::value(name.as_str()));
        }
        if let Some(age) = patch.age {
            update = update.col_expr(Column::Age, Expr::value(age.years()));
        }
        if let Some(breed) = &patch.breed {
            update = update.col_expr(Column::Breed, Expr::value(breed.as_str()));
        }
        if let Some(expected) = patch.expected_updated_at {
            update = update.filter(Column::UpdatedAt.eq(expected));
        }
        let mut rows = update
            .exec_with_returning(&self.db)
            .await
            .map_err(db_error)?;
        match rows.pop() {
            Some(row) => Cat::try_from(row),
            None => Err(self
                .not_found_or_conflict(
                    id,
                    "was changed since the given updatedAt; reload it and retry",
                )
                .await),
        }
    }

    #[instrument(skip(self), err)]
    async fn delete(&self, id: CatId) -> Result<Cat> {
        let row = Entity::delete_by_id(id)
            .exec_with_returning(&self.db)
            .await
            .map_err(db_error)?;
        match row {
            Some(row) => Cat::try_from(row),
            None => Err(DomainError::NotFound(id)),
        }
    }

    #[instrument(skip(self, image), err)]
    async fn set_image(
        &self,
        id: CatId,
        image: Option<CatImage>,
        expected: Option<&ImageKey>,
    ) -> Result<Cat> {
        let (key, content_type, byte_size, width, height) = match &image {
            Some(i) => (
                Some(i.key.as_str().to_owned()),
                Some(i.content_type.clone()),
                Some(i64::try_from(i.byte_size).unwrap_or(i64::MAX)),
                Some(i32::try_from(i.width).unwrap_or(i32::MAX)),
                Some(i32::try_from(i.height).unwrap_or(i32::MAX)),
            ),
            None => (None, None, None, None, None),
        };
        let current = match expected {
            Some(key) => Column::ImageUrl.eq(key.as_str()),
            None => Column::ImageUrl.is_null(),
        };
        let mut rows = Entity::update_many()
            .col_expr(Column::ImageUrl, Expr::value(key))
            .col_expr(Column::ImageContentType, Expr::value(content_type))
            .col_expr(Column::ImageByteSize, Expr::value(byte_size))
            .col_expr(Column::ImageWidth, Expr::value(width))
            .col_expr(Column::ImageHeight, Expr::value(height))
            .col_expr(Column::UpdatedAt, Expr::value(Some(now_micros())))
            .filter(Column::Id.eq(id))
            .filter(current)
            .exec_with_returning(&self.db)
            .await
            .map_err(db_error)?;
        match rows.pop() {
            Some(row) => Cat::try_from(row),
            None => Err(self
                .not_found_or_conflict(id, "had its photo changed by another request; retry")
                .await),
        }
    }

    #[instrument(skip(self), err)]
    async fn image_keys(&self) -> Result<Vec<(CatId, ImageKey)>> {
        let rows: Vec<(Uuid, Option<String>)> = Entity::find()
            .select_only()
            .column(Column::Id)
            .column(Column::ImageUrl)
            .filter(Column::ImageUrl.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_error)?;
        rows.into_iter()
            .filter_map(|(id, key)| key.map(|k| (id, k)))
            .map(|(id, key)| Ok((id, ImageKey::parse(&key)?)))
            .collect()
    }

    #[instrument(skip(self), err)]
    async fn ping(&self) -> Result<()> {
        self.db
            .execute_unprepared("SELECT 1")
            .await
            .map(drop)
            .map_err(db_error)
    }
}
