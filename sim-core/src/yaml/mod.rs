//! YAML documents → typed values, the way serde-saphyr reads them, through one small
//! deserializer.
//!
//! Why not serde-saphyr's own deserializer: it is instantiated once per target type,
//! and with the forty-odd Kubernetes and Calico types calisim reads that was two thirds
//! of the browser's wasm module (issue #8's size budget). Here granit-parser (the
//! parser under serde-saphyr) builds a [`Node`] tree once, and a deserializer over
//! `&Node` follows serde-saphyr's rules with its default options: scalars are kept as
//! written, typed only when the target asks (`"1.20"` stays text for a string field),
//! YAML 1.1 booleans, `0x`/`0o`/`0b` integers, merge keys, duplicate keys rejected.
//! CLI and browser share it, so both accept exactly the same input.

mod de;
mod error;
mod scalar;
mod tree;

use serde::de::DeserializeOwned;

pub use error::{Error, Location};

/// Reads one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let node = tree::parse(text)?;
    T::deserialize(&node)
}

#[cfg(test)]
mod tests;
