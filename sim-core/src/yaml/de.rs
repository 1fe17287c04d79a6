//! A serde deserializer over `&Node`, following serde-saphyr's conversions.
//!
//! Every method places a location-less error (one a visitor raised) at its node, so an
//! error names the innermost value that failed: a scalar's own line, a mapping's first
//! key for a missing field.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::scalar;
use super::tree::{Kind, Node, Scalar, ScalarTag};
use super::Error;

/// Stands in for the content of an empty document where a scalar is asked for.
static EMPTY: Scalar = Scalar {
    text: String::new(),
    plain: true,
    tag: ScalarTag::None,
};

impl Node {
    fn error(&self, message: impl Into<String>) -> Error {
        Error::at(message, self.location)
    }

    /// A visitor's result, its location-less error placed at this node.
    fn located<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| e.or_at(self.location))
    }

    /// The scalar here, or an error saying what was expected instead.
    fn scalar(&self, expected: &str) -> Result<&Scalar, Error> {
        match &self.kind {
            Kind::Scalar(s) => Ok(s),
            Kind::Empty => Ok(&EMPTY),
            _ => Err(self.error(format!("expected {expected}"))),
        }
    }

    fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar(s) => s.is_null(),
            Kind::Empty => true,
            _ => false,
        }
    }

    fn text_for_string(&self) -> Result<&str, Error> {
        let s = self.scalar("string scalar")?;
        match s.tag {
            ScalarTag::Str => {}
            _ if s.is_null() => {
                return Err(self.error("cannot deserialize null into string; use Option<String>"))
            }
            ScalarTag::None => {}
            _ => return Err(self.error("cannot deserialize tagged scalar into string")),
        }
        Ok(&s.text)
    }

    /// A scalar's text for a typed target; a tag naming another type makes it invalid.
    fn typed_text(&self, tag: ScalarTag, ty: &str) -> Result<&str, Error> {
        let s = self.scalar("string scalar")?;
        if s.tag == ScalarTag::None || s.tag == tag {
            Ok(&s.text)
        } else {
            Err(self.error(format!("invalid {ty}")))
        }
    }

    fn signed(&self, ty: &str) -> Result<i128, Error> {
        let text = self.typed_text(ScalarTag::Int, ty)?;
        scalar::signed(text).ok_or_else(|| self.error(format!("invalid {ty}")))
    }

    fn unsigned(&self, ty: &str) -> Result<u128, Error> {
        let text = self.typed_text(ScalarTag::Int, ty)?;
        scalar::unsigned(text).ok_or_else(|| self.error(format!("invalid {ty}")))
    }

    fn float(&self) -> Result<f64, Error> {
        let text = self.typed_text(ScalarTag::Float, "floating point")?;
        scalar::float(text).ok_or_else(|| self.error("invalid floating point"))
    }

    /// Untyped targets (serde's buffers for `flatten` and untagged enums, JSON values).
    fn any<'de, V: Visitor<'de>>(&'de self, visitor: V) -> Result<V::Value, Error> {
        let s = match &self.kind {
            Kind::Seq(items) => return visitor.visit_seq(Items(items.iter())),
            Kind::Map(entries) => return visitor.visit_map(Entries::new(entries)),
            Kind::Empty => return visitor.visit_unit(),
            Kind::Scalar(s) => s,
        };
        match s.tag {
            ScalarTag::Null => return visitor.visit_unit(),
            ScalarTag::Bool => return de::Deserializer::deserialize_bool(self, visitor),
            ScalarTag::Int if scalar::trim(&s.text).starts_with('-') => {
                return de::Deserializer::deserialize_i64(self, visitor)
            }
            ScalarTag::Int => return de::Deserializer::deserialize_u64(self, visitor),
            ScalarTag::Float => {
                let v = scalar::untyped_float(&s.text)
                    .ok_or_else(|| self.error("invalid floating point"))?;
                return self.untyped_float(v, visitor);
            }
            ScalarTag::Str | ScalarTag::None => {}
        }
        if s.is_null() {
            return visitor.visit_unit();
        }
        if !s.plain || s.tag == ScalarTag::Str {
            return visitor.visit_borrowed_str(&s.text);
        }
        if let Some(b) = scalar::bool11(&s.text) {
            return visitor.visit_bool(b);
        }
        let t = scalar::trim(&s.text);
        if t.starts_with('-') {
            if let Some(v) = scalar::signed(t)
                .filter(|_| !scalar::leading_zero_decimal(t))
                .and_then(|v| i64::try_from(v).ok())
            {
                return visitor.visit_i64(v);
            }
        } else if let Some(v) = scalar::unsigned(t).and_then(|v| u64::try_from(v).ok()) {
            return visitor.visit_u64(v);
        }
        match scalar::untyped_float(&s.text) {
            Some(v) => self.untyped_float(v, visitor),
            None => visitor.visit_borrowed_str(&s.text),
        }
    }

    /// Infinity and NaN are refused where the type is not known (serde-saphyr's default).
    fn untyped_float<'de, V: Visitor<'de>>(&self, v: f64, visitor: V) -> Result<V::Value, Error> {
        if v.is_finite() {
            visitor.visit_f64(v)
        } else {
            let text = self
                .scalar("string scalar")
                .map(|s| s.text.as_str())
                .unwrap_or("");
            Err(self.error(format!(
                "non-finite float `{text}` rejected by the configured policy"
            )))
        }
    }

    fn enumeration<'de, V: Visitor<'de>>(&'de self, visitor: V) -> Result<V::Value, Error> {
        match &self.kind {
            Kind::Scalar(_) => visitor.visit_enum(Variant {
                name: self,
                value: None,
            }),
            Kind::Map(entries) if entries.len() == 1 => visitor.visit_enum(Variant {
                name: &entries[0].0,
                value: Some(&entries[0].1),
            }),
            _ => Err(self.error("externally tagged enum expected scalar or mapping")),
        }
    }
}

/// `deserialize_i8` .. `deserialize_u128`: the scalar read as a signed or unsigned
/// integer (by `$read`), then narrowed to the target's width.
macro_rules! integers {
    ($($method:ident $visit:ident $ty:ident $read:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let v = self.$read(stringify!($ty))?;
            let v = $ty::try_from(v).map_err(|_| self.error(concat!("invalid ", stringify!($ty))))?;
            self.located(visitor.$visit(v))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.located(self.any(visitor))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.typed_text(ScalarTag::Bool, "boolean")?;
        let b = scalar::bool11(text).ok_or_else(|| self.error("invalid boolean"))?;
        self.located(visitor.visit_bool(b))
    }

    integers!(
        deserialize_i8 visit_i8 i8 signed, deserialize_i16 visit_i16 i16 signed,
        deserialize_i32 visit_i32 i32 signed, deserialize_i64 visit_i64 i64 signed,
        deserialize_i128 visit_i128 i128 signed, deserialize_u8 visit_u8 u8 unsigned,
        deserialize_u16 visit_u16 u16 unsigned, deserialize_u32 visit_u32 u32 unsigned,
        deserialize_u64 visit_u64 u64 unsigned, deserialize_u128 visit_u128 u128 unsigned
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = self.float()?;
        self.located(visitor.visit_f32(v as f32))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = self.float()?;
        self.located(visitor.visit_f64(v))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.text_for_string()?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => self.located(visitor.visit_char(c)),
            _ => Err(self.error("invalid char: expected a single Unicode scalar value")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.text_for_string()?;
        self.located(visitor.visit_borrowed_str(text))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.kind {
            Kind::Seq(_) => self.deserialize_seq(visitor),
            _ => Err(self.error("bytes not supported (missing !!binary tag)")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.located(if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_null() {
            self.located(visitor.visit_unit())
        } else {
            Err(self.error("unexpected value for unit"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.kind {
            Kind::Map(entries) if entries.is_empty() => visitor.visit_unit(),
            _ => self.deserialize_unit(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.located(visitor.visit_newtype_struct(self))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: &[Node] = match &self.kind {
            Kind::Seq(items) => items,
            Kind::Empty => &[],
            _ => return Err(self.error("expected sequence start")),
        };
        self.located(visitor.visit_seq(Items(items.iter())))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let entries: &[(Node, Node)] = match &self.kind {
            Kind::Map(entries) => entries,
            Kind::Empty => &[],
            _ => return Err(self.error("expected mapping start")),
        };
        self.located(visitor.visit_map(Entries::new(entries)))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.located(self.enumeration(visitor))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let s = self.scalar("string scalar")?;
        self.located(visitor.visit_borrowed_str(&s.text))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// A sequence's items.
struct Items<'de>(std::slice::Iter<'de, Node>);

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|n| seed.deserialize(n)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A mapping's entries; the value of the last key read waits for `next_value_seed`.
struct Entries<'de> {
    entries: std::slice::Iter<'de, (Node, Node)>,
    value: Option<&'de Node>,
}

impl<'de> Entries<'de> {
    fn new(entries: &'de [(Node, Node)]) -> Self {
        Self {
            entries: entries.iter(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("value requested before key"))?;
        seed.deserialize(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as `Variant` or `{Variant: value}`.
struct Variant<'de> {
    name: &'de Node,
    value: Option<&'de Node>,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let name = self.name.scalar("string key for externally tagged enum")?;
        let variant = self
            .name
            .located(seed.deserialize(name.text.as_str().into_deserializer()))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Some(v) if !v.is_null() => Err(v.error("unexpected value for unit enum variant")),
            _ => Ok(()),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        match self.value {
            Some(v) => seed.deserialize(v),
            None => Err(self.name.error("expected a value for the enum variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(v) => de::Deserializer::deserialize_seq(v, visitor),
            None => Err(self.name.error("expected a sequence for the enum variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Some(v) => de::Deserializer::deserialize_map(v, visitor),
            None => Err(self.name.error("expected a mapping for the enum variant")),
        }
    }
}
