//! The field names a type expects at each object of a JSON value, as the type's own
//! `Deserialize` says them: serde hands every struct's field list to the deserializer, so a
//! deserializer that walks the value and notes those lists learns them, for any type and at
//! any depth, without a table to keep in step with the generated types.

use std::{cell::RefCell, collections::HashMap};

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value;

/// The objects of a value, by address, and the fields their type expects.
pub(crate) type Known = HashMap<*const Value, &'static [&'static str]>;

/// Decodes `value` as `T` once more, noting the fields each of its objects was expected to
/// have. What is noted before a failure is kept.
pub(crate) fn known_fields<T: DeserializeOwned>(value: &Value) -> Known {
    let known = RefCell::new(Known::new());
    let _ = T::deserialize(Probe { value, known: &known });
    known.into_inner()
}

/// A deserializer of a borrowed value that notes struct field lists, and hands itself on to
/// what is inside objects and arrays; every other value is decoded by `serde_json` itself, so
/// that decoding goes exactly as it does for [`crate::from_json`].
struct Probe<'v, 'k> {
    value: &'v Value,
    known: &'k RefCell<Known>,
}

impl<'v, 'k> Probe<'v, 'k> {
    fn inside(&self, value: &'v Value) -> Probe<'v, 'k> {
        Probe {
            value,
            known: self.known,
        }
    }

    /// Objects and arrays are walked with this probe; anything else is left to `otherwise`.
    fn walk<V: Visitor<'v>>(
        self,
        visitor: V,
        otherwise: impl FnOnce(&'v Value, V) -> Result<V::Value, serde_json::Error>,
    ) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Value::Object(map) => visitor.visit_map(Fields {
                entries: map.iter(),
                next: None,
                probe: self.inside(self.value),
            }),
            Value::Array(items) => visitor.visit_seq(Items {
                items: items.iter(),
                probe: self.inside(self.value),
            }),
            other => otherwise(other, visitor),
        }
    }
}

/// Methods decoded by `serde_json` whatever the value.
macro_rules! by_serde_json {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            de::Deserializer::$method(self.value, visitor)
        }
    )*};
}

impl<'v> de::Deserializer<'v> for Probe<'v, '_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.walk(visitor, de::Deserializer::deserialize_any)
    }

    fn deserialize_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.known.borrow_mut().insert(std::ptr::from_ref(self.value), fields);
        self.walk(visitor, |value, visitor| {
            de::Deserializer::deserialize_struct(value, name, fields, visitor)
        })
    }

    fn deserialize_map<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.walk(visitor, de::Deserializer::deserialize_map)
    }

    fn deserialize_seq<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.walk(visitor, de::Deserializer::deserialize_seq)
    }

    fn deserialize_tuple<V: Visitor<'v>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.walk(visitor, |value, visitor| {
            de::Deserializer::deserialize_tuple(value, len, visitor)
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.walk(visitor, |value, visitor| {
            de::Deserializer::deserialize_tuple_struct(value, name, len, visitor)
        })
    }

    fn deserialize_option<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'v>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // The fields of a struct variant are not noted: the generated types have none.
        de::Deserializer::deserialize_enum(self.value, name, variants, visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'v>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_unit_struct(self.value, name, visitor)
    }

    by_serde_json!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_identifier,
        deserialize_ignored_any,
    );
}

/// The entries of an object, each value walked by the probe.
struct Fields<'v, 'k> {
    entries: serde_json::map::Iter<'v>,
    next: Option<&'v Value>,
    probe: Probe<'v, 'k>,
}

impl<'v> de::MapAccess<'v> for Fields<'v, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'v>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.next = Some(value);
        seed.deserialize(key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'v>>(&mut self, seed: S) -> Result<S::Value, Self::Error> {
        let value = self
            .next
            .take()
            .ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        seed.deserialize(self.probe.inside(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The items of an array, each walked by the probe.
struct Items<'v, 'k> {
    items: std::slice::Iter<'v, Value>,
    probe: Probe<'v, 'k>,
}

impl<'v> de::SeqAccess<'v> for Items<'v, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<S: DeserializeSeed<'v>>(&mut self, seed: S) -> Result<Option<S::Value>, Self::Error> {
        match self.items.next() {
            Some(item) => seed.deserialize(self.probe.inside(item)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
