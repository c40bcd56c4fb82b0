//! Writing a value into a [`FactTree`], as serde_json writes it into JSON.

use serde::ser::{self, Serialize};

use super::map_key::{KeyText, MapKey};
use super::{Error, FactTree, Name, Node, Span};

/// `value` as a tree.
pub(super) fn tree<T: Serialize + ?Sized>(value: &T) -> Result<FactTree, Error> {
    let mut b = Builder {
        tree: FactTree {
            nodes: Vec::with_capacity(256),
            keys: Vec::with_capacity(256),
            text: String::with_capacity(4096),
            root: Node::Null,
        },
        pending: Vec::with_capacity(64),
    };
    let root = value.serialize(&mut b)?;
    b.tree.root = root;
    Ok(b.tree)
}

/// Writes a value into a tree: a container's entries are kept in `pending`
/// while their own entries are written, then moved to the tree together.
pub(super) struct Builder {
    tree: FactTree,
    pending: Vec<(Name, Node)>,
}

fn span(start: usize, len: usize) -> Result<Span, Error> {
    match (u32::try_from(start), u32::try_from(start + len)) {
        (Ok(start), Ok(_)) => Ok(Span {
            start,
            len: len as u32,
        }),
        _ => Err(Error("facts too large for a fact tree".into())),
    }
}

impl KeyText for Builder {
    fn text(&mut self, s: &str) -> Result<Span, Error> {
        let start = self.tree.text.len();
        self.tree.text.push_str(s);
        span(start, s.len())
    }
}

impl Builder {
    /// Moves the entries pending since `from` into the tree, as one list
    /// or object.
    fn close(&mut self, from: usize, object: bool) -> Result<Node, Error> {
        let start = self.tree.nodes.len();
        for (key, node) in self.pending.drain(from..) {
            self.tree.nodes.push(node);
            self.tree.keys.push(key);
        }
        let s = span(start, self.tree.nodes.len() - start)?;
        Ok(if object {
            Node::Object(s)
        } else {
            Node::List(s)
        })
    }

    /// `{variant: value}`: serde_json's form of an enum variant with data.
    fn wrap(&mut self, variant: &'static str, value: Node) -> Result<Node, Error> {
        let key = Name::Static(variant);
        let from = self.pending.len();
        self.pending.push((key, value));
        self.close(from, true)
    }

    fn uint(v: u64) -> Node {
        i64::try_from(v).map_or(Node::UInt(v), Node::Int)
    }

    fn float(v: f64) -> Node {
        // serde_json writes a number that is not finite as null.
        if v.is_finite() {
            Node::Float(v)
        } else {
            Node::Null
        }
    }
}

/// A list, an object, or an enum variant holding one, being written.
pub(super) struct Compound<'b> {
    b: &'b mut Builder,
    from: usize,
    object: bool,
    /// The variant that wraps the result, if any.
    variant: Option<&'static str>,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Name,
}

impl<'b> Compound<'b> {
    fn new(b: &'b mut Builder, object: bool, variant: Option<&'static str>) -> Compound<'b> {
        let from = b.pending.len();
        Compound {
            b,
            from,
            object,
            variant,
            key: Name::default(),
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, key: Name, value: &T) -> Result<(), Error> {
        let node = value.serialize(&mut *self.b)?;
        self.b.pending.push((key, node));
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.element(Name::Static(key), value)
    }

    fn finish(self) -> Result<Node, Error> {
        let node = self.b.close(self.from, self.object)?;
        match self.variant {
            Some(v) => self.b.wrap(v, node),
            None => Ok(node),
        }
    }
}

impl<'b> ser::Serializer for &'b mut Builder {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = Compound<'b>;
    type SerializeTuple = Compound<'b>;
    type SerializeTupleStruct = Compound<'b>;
    type SerializeTupleVariant = Compound<'b>;
    type SerializeMap = Compound<'b>;
    type SerializeStruct = Compound<'b>;
    type SerializeStructVariant = Compound<'b>;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Error> {
        Ok(Node::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, Error> {
        if let Ok(i) = i64::try_from(v) {
            Ok(Node::Int(i))
        } else if let Ok(u) = u64::try_from(v) {
            Ok(Node::UInt(u))
        } else {
            Err(Error("number out of range".into()))
        }
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Error> {
        Ok(Builder::uint(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Node, Error> {
        u64::try_from(v)
            .map(Builder::uint)
            .map_err(|_| Error("number out of range".into()))
    }
    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        Ok(Builder::float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        Ok(Builder::float(v))
    }
    fn serialize_char(self, v: char) -> Result<Node, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        self.text(v).map(Node::Str)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        let from = self.pending.len();
        self.pending
            .extend(v.iter().map(|&b| (Name::default(), Node::Int(b.into()))));
        self.close(from, false)
    }
    fn serialize_none(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        let node = value.serialize(&mut *self)?;
        self.wrap(variant, node)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, false, None))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, false, None))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, false, None))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, false, Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, true, None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, true, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(Compound::new(self, true, Some(variant)))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(Name::default(), value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(Name::default(), value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(Name::default(), value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(Name::default(), value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Name::Text(key.serialize(MapKey(&mut *self.b))?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(self.key, value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}
