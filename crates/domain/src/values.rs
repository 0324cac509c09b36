//! Validated value types: a value of these types has passed the domain's rules.

use crate::error::{DomainError, Result};

/// Longest name or breed, in characters (Unicode scalar values), matching `VARCHAR(100)`.
pub const MAX_TEXT_CHARS: usize = 100;

fn parse_text(field: &'static str, raw: &str) -> Result<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(DomainError::validation(field, "must not be empty"));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(DomainError::validation(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters (got {chars})"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A cat's name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatName(String);

impl CatName {
    /// Validates and normalises a name.
    pub fn parse(raw: &str) -> Result<Self> {
        parse_text("name", raw).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A cat's breed: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breed(String);

impl Breed {
    /// Validates and normalises a breed.
    pub fn parse(raw: &str) -> Result<Self> {
        parse_text("breed", raw).map(Self)
    }

    /// The breed as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A cat's age in whole years, from 0 to 40.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Age(i32);

impl Age {
    /// The oldest age accepted.
    pub const MAX: i32 = 40;

    /// Validates an age.
    pub fn parse(years: i64) -> Result<Self> {
        if (0..=i64::from(Self::MAX)).contains(&years) {
            // In range, so it fits an i32.
            Ok(Self(years as i32))
        } else {
            Err(DomainError::validation(
                "age",
                format!(
                    "must be a whole number from 0 to {} (got {years})",
                    Self::MAX
                ),
            ))
        }
    }

    /// The age in years.
    pub fn years(self) -> i32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_at_the_boundaries_are_accepted() {
        assert_eq!(Age::parse(0).map(Age::years).ok(), Some(0));
        assert_eq!(Age::parse(40).map(Age::years).ok(), Some(40));
    }

    #[test]
    fn ages_outside_zero_to_forty_are_rejected() {
        for bad in [-1, 41, i64::from(i32::MAX) + 1, i64::MIN] {
            assert!(
                matches!(
                    Age::parse(bad),
                    Err(DomainError::Validation { field: "age", .. })
                ),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn every_age_in_range_round_trips() {
        for years in 0..=40 {
            assert_eq!(
                Age::parse(years).map(|a| i64::from(a.years())).ok(),
                Some(years)
            );
        }
    }

    #[test]
    fn names_are_trimmed() {
        let name = CatName::parse("  Tama \n").map(|n| n.as_str().to_owned());
        assert_eq!(name.ok().as_deref(), Some("Tama"));
    }

    #[test]
    fn a_name_of_exactly_100_characters_is_accepted_and_101_is_not() {
        assert!(CatName::parse(&"a".repeat(100)).is_ok());
        assert!(matches!(
            CatName::parse(&"a".repeat(101)),
            Err(DomainError::Validation { field: "name", .. })
        ));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 100 three-byte characters: 300 bytes, still 100 characters.
        let multibyte = "猫".repeat(100);
        assert_eq!(multibyte.len(), 300);
        assert!(CatName::parse(&multibyte).is_ok());
        assert!(Breed::parse(&multibyte).is_ok());
        assert!(CatName::parse(&"猫".repeat(101)).is_err());
        // Emoji outside the BMP count once each too.
        assert!(Breed::parse(&"🐈".repeat(100)).is_ok());
        assert!(Breed::parse(&"🐈".repeat(101)).is_err());
    }

    #[test]
    fn blank_and_whitespace_only_text_is_rejected() {
        for bad in ["", "   ", "\t\n"] {
            assert!(matches!(
                CatName::parse(bad),
                Err(DomainError::Validation { field: "name", .. })
            ));
            assert!(matches!(
                Breed::parse(bad),
                Err(DomainError::Validation { field: "breed", .. })
            ));
        }
    }

    #[test]
    fn trimming_happens_before_the_length_check() {
        let padded = format!("  {}  ", "b".repeat(100));
        assert_eq!(
            Breed::parse(&padded).map(|b| b.as_str().len()).ok(),
            Some(100)
        );
    }

    #[test]
    fn control_characters_inside_text_are_rejected() {
        assert!(CatName::parse("Ta\u{0}ma").is_err());
        assert!(CatName::parse("Ta\nma").is_err());
    }
}
