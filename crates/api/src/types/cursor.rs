//! Opaque connection cursors.
//!
//! A cursor is base64url (no padding) of `field|id|value`, where value is the row's sort value. Clients
//! must treat it as opaque; the server rejects a cursor that does not decode or that belongs to another
//! ordering with `BAD_USER_INPUT`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cattery_domain::{CatCursor, SortValue};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::ApiError;

/// Encodes a cursor.
pub(crate) fn encode(cursor: &CatCursor) -> String {
    let (field, value) = match &cursor.value {
        SortValue::CreatedAt(at) => ("c", at.to_rfc3339()),
        SortValue::Name(name) => ("n", name.clone()),
        SortValue::Age(age) => ("a", age.to_string()),
    };
    URL_SAFE_NO_PAD.encode(format!("{field}|{}|{value}", cursor.id))
}

/// Decodes a cursor given as argument `arg`.
pub(crate) fn decode(arg: &'static str, raw: &str) -> Result<CatCursor, ApiError> {
    let invalid = || ApiError::bad_input(arg, format!("`{raw}` is not a valid cursor"));
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '|');
    let (Some(field), Some(id), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let id = Uuid::parse_str(id).map_err(|_| invalid())?;
    let value = match field {
        "c" => SortValue::CreatedAt(
            DateTime::parse_from_rfc3339(value)
                .map_err(|_| invalid())?
                .with_timezone(&Utc),
        ),
        "n" => SortValue::Name(value.to_owned()),
        "a" => SortValue::Age(value.parse().map_err(|_| invalid())?),
        _ => return Err(invalid()),
    };
    Ok(CatCursor { value, id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_for_every_ordering() {
        let id = Uuid::new_v4();
        for value in [
            SortValue::CreatedAt(Utc::now()),
            SortValue::Name("Mi|ke: the 猫".to_owned()),
            SortValue::Age(7),
        ] {
            let cursor = CatCursor { value, id };
            assert_eq!(decode("after", &encode(&cursor)).ok(), Some(cursor));
        }
    }

    #[test]
    fn garbage_cursors_are_bad_user_input() {
        for raw in ["", "!!!", "bm90aGluZw", "eHx4fHg"] {
            let err = decode("after", raw).err().map(|e| e.code());
            assert_eq!(err, Some(crate::ErrorCode::BadUserInput), "{raw}");
        }
    }
}
