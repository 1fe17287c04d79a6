//! The one error type of YAML reading: a message and, when known, where.

use std::fmt;

/// A 1-based line and column in the document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub(crate) fn from_marker(marker: &granit_parser::Marker) -> Self {
        Self {
            line: marker.line(),
            column: marker.col() + 1,
        }
    }
}

/// A syntax or type error; its message never repeats the location.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    message: String,
    location: Option<Location>,
}

impl Error {
    pub(crate) fn at(message: impl Into<String>, location: Location) -> Self {
        Self {
            message: message.into(),
            location: Some(location),
        }
    }

    /// The error's own words, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// Places an error raised without a location (by a visitor) at `location`: the
    /// innermost node that failed names it first.
    pub(crate) fn or_at(mut self, location: Location) -> Self {
        self.location.get_or_insert(location);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match self.location {
            Some(l) => write!(f, " at line {} column {}", l.line, l.column),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            message: msg.to_string(),
            location: None,
        }
    }
}
