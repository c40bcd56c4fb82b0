//! A map key in a [`FactTree`](super::FactTree): text, as serde_json
//! writes a key.

use serde::ser::{self, Impossible, Serialize};

use super::{Error, Span};

/// Where a key's text is kept (the tree builder's text buffer).
pub(super) trait KeyText {
    fn text(&mut self, s: &str) -> Result<Span, Error>;
}

/// A map key, written as text as serde_json writes it: strings as they
/// are, numbers, bools and unit variants as their text.
pub(super) struct MapKey<'b, K: KeyText>(pub(super) &'b mut K);

fn not_text() -> Error {
    Error("a map key must be text".into())
}

impl<K: KeyText> MapKey<'_, K> {
    fn display(self, v: impl std::fmt::Display) -> Result<Span, Error> {
        self.0.text(&v.to_string())
    }
}

impl<K: KeyText> ser::Serializer for MapKey<'_, K> {
    type Ok = Span;
    type Error = Error;
    type SerializeSeq = Impossible<Span, Error>;
    type SerializeTuple = Impossible<Span, Error>;
    type SerializeTupleStruct = Impossible<Span, Error>;
    type SerializeTupleVariant = Impossible<Span, Error>;
    type SerializeMap = Impossible<Span, Error>;
    type SerializeStruct = Impossible<Span, Error>;
    type SerializeStructVariant = Impossible<Span, Error>;

    fn serialize_bool(self, v: bool) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_i8(self, v: i8) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_f32(self, _v: f32) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_f64(self, _v: f64) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_char(self, v: char) -> Result<Span, Error> {
        self.display(v)
    }
    fn serialize_str(self, v: &str) -> Result<Span, Error> {
        self.0.text(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_none(self) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_unit(self) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Span, Error> {
        self.0.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Span, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Span, Error> {
        Err(not_text())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_text())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_text())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_text())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_text())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_text())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(not_text())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_text())
    }
}
