//! # gojson: Go's `encoding/json` output, byte for byte
//!
//! The go command prints JSON with `json.Marshal` / `json.MarshalIndent`
//! (`go mod edit -json`, `go mod download -json`, `.info` files, ...). To reproduce
//! that output exactly we build a small [`Value`] tree in the order Go's struct
//! fields are declared and serialize it with the same rules as Go 1.27:
//!
//! * Strings are escaped like `encoding/json`'s `appendString` with HTML escaping
//!   on (the default for `Marshal`): `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//!   other bytes below 0x20 as `\u00XX` (lowercase hex), `<` `>` `&` as
//!   `\u003c` `\u003e` `\u0026`, U+2028/U+2029 as `\u2028`/`\u2029`. Each byte that
//!   does not start a valid UTF-8 sequence (Go's `utf8.DecodeRune` returning
//!   `RuneError, 1`) becomes the character U+FFFD itself, *not* the escape
//!   `\ufffd`: Go 1.27's `encoding/json` is implemented on top of `json/v2`, whose
//!   v1-compatible mode replaces invalid UTF-8 that way (checked against
//!   `go mod edit -json`). Everything else, including DEL and non-ASCII text, is
//!   copied unchanged.
//! * [`marshal`] is the compact form; [`marshal_indent`] follows `json.Indent`:
//!   empty objects and arrays stay `{}` / `[]`, a newline plus `prefix` plus
//!   `indent × depth` after every `{`, `[` and `,`, and `": "` after keys. As in
//!   Go, `prefix` is not written before the first line.
//! * `omitempty` is the caller's choice per field ([`Object::field_omitempty`]),
//!   with Go's notion of empty: `false`, `0`, `""`, `null`, an empty array and an
//!   empty map. Go never omits a struct, so a struct-like [`Object`] is only
//!   omitted when it was built with [`Object::map`] semantics (see
//!   [`Value::is_empty`]).
//!
//! Strings are stored as bytes because Go strings are byte strings: a go.mod
//! token may legitimately hold invalid UTF-8 (for example from a `"\xff"` escape)
//! and Go's encoder turns each bad byte into U+FFFD. The output is therefore
//! always valid UTF-8.
//!
//! Floating-point numbers are not supported: nothing modgate prints needs them.

use crate::unicode::{RUNE_ERROR, decode_rune};

#[cfg(test)]
mod tests;

/// A JSON value, in the shape Go's encoder would see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null` (a nil slice, map or pointer in Go).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A string; arbitrary bytes, escaped as Go does.
    String(Vec<u8>),
    /// An array (a non-nil slice in Go).
    Array(Vec<Value>),
    /// An object (a struct or a map).
    Object(Object),
}

/// A JSON object: fields in the order they are written.
///
/// Use [`Object::new`] for a Go struct (fields in declaration order) and
/// [`Object::map`] for a Go map (keys sorted on output, as Go does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    fields: Vec<(String, Value)>,
    is_map: bool,
}

impl Object {
    /// An empty struct-like object; fields keep insertion order.
    pub fn new() -> Self {
        Object::default()
    }

    /// An empty map-like object: keys are written in sorted (byte) order and an
    /// empty map counts as empty for `omitempty`.
    pub fn map() -> Self {
        Object {
            fields: Vec::new(),
            is_map: true,
        }
    }

    /// Adds a field unconditionally (a Go field without `omitempty`).
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.push(key, value);
        self
    }

    /// Adds a field unless its value is empty in Go's sense (`omitempty`).
    pub fn field_omitempty(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.push_omitempty(key, value);
        self
    }

    /// In-place form of [`Object::field`].
    pub fn push(&mut self, key: &str, value: impl Into<Value>) {
        self.fields.push((key.to_string(), value.into()));
    }

    /// In-place form of [`Object::field_omitempty`].
    pub fn push_omitempty(&mut self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        if !value.is_empty() {
            self.fields.push((key.to_string(), value));
        }
    }

    /// The fields, in the order they will be written.
    pub fn fields(&self) -> Vec<(&str, &Value)> {
        let mut out: Vec<(&str, &Value)> =
            self.fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
        if self.is_map {
            // Go sorts map keys by their string (byte) value.
            out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        out
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the object has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl Value {
    /// Whether `omitempty` drops this value: `false`, `0`, `""`, `null`, an empty
    /// array or an empty map. Structs are never empty, as in Go.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Bool(b) => !b,
            Value::Int(n) => *n == 0,
            Value::Uint(n) => *n == 0,
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_map && o.fields.is_empty(),
        }
    }

    /// An array built from an iterator of values.
    pub fn array<I, T>(items: I) -> Value
    where
        I: IntoIterator<Item = T>,
        T: Into<Value>,
    {
        Value::Array(items.into_iter().map(Into::into).collect())
    }

    /// A Go slice: `null` when there are no items (a nil slice), otherwise an array.
    /// Combined with [`Object::field_omitempty`] such a field disappears.
    pub fn slice<I, T>(items: I) -> Value
    where
        I: IntoIterator<Item = T>,
        T: Into<Value>,
    {
        let items: Vec<Value> = items.into_iter().map(Into::into).collect();
        if items.is_empty() {
            Value::Null
        } else {
            Value::Array(items)
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::Int(i64::from(n))
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Uint(n)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Uint(u64::from(n))
    }
}
impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Uint(n as u64)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.as_bytes().to_vec())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into_bytes())
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.as_bytes().to_vec())
    }
}
impl From<&[u8]> for Value {
    fn from(s: &[u8]) -> Self {
        Value::String(s.to_vec())
    }
}
impl From<Vec<u8>> for Value {
    fn from(s: Vec<u8>) -> Self {
        Value::String(s)
    }
}
impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// `json.Marshal`: the compact encoding (no trailing newline).
pub fn marshal(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, prefix, indent)` (no trailing newline; the go command
/// appends one itself).
pub fn marshal_indent(v: &Value, prefix: &str, indent: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, v, Some((prefix, indent)), 0);
    out
}

/// `json.MarshalIndent(v, "", "\t")` followed by `"\n"` as a `String`: the exact
/// stdout of the go command's `-json` flags.
pub fn to_go_json_output(v: &Value) -> String {
    let mut out = marshal_indent(v, "", "\t");
    out.push(b'\n');
    // `append_string` only copies ASCII and complete, valid UTF-8 sequences, so
    // the conversion cannot fail; stay panic-free regardless.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends `s` as a JSON string literal with Go's escaping (HTML-safe).
pub fn append_string(dst: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    dst.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b < 0x80 {
            if b >= 0x20 && b != b'"' && b != b'\\' && b != b'<' && b != b'>' && b != b'&' {
                i += 1;
                continue;
            }
            dst.extend_from_slice(&s[start..i]);
            match b {
                b'\\' | b'"' => dst.extend_from_slice(&[b'\\', b]),
                0x08 => dst.extend_from_slice(b"\\b"),
                0x0c => dst.extend_from_slice(b"\\f"),
                b'\n' => dst.extend_from_slice(b"\\n"),
                b'\r' => dst.extend_from_slice(b"\\r"),
                b'\t' => dst.extend_from_slice(b"\\t"),
                _ => dst.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]),
            }
            i += 1;
            start = i;
            continue;
        }
        match decode_rune(&s[i..]) {
            (RUNE_ERROR, 1) => {
                dst.extend_from_slice(&s[start..i]);
                dst.extend_from_slice("\u{fffd}".as_bytes());
                i += 1;
                start = i;
            }
            (c @ ('\u{2028}' | '\u{2029}'), size) => {
                dst.extend_from_slice(&s[start..i]);
                dst.extend_from_slice(b"\\u202");
                dst.push(HEX[(c as usize) & 0xf]);
                i += size;
                start = i;
            }
            (_, size) => i += size,
        }
    }
    dst.extend_from_slice(&s[start..]);
    dst.push(b'"');
}

fn newline(out: &mut Vec<u8>, pretty: Option<(&str, &str)>, depth: usize) {
    if let Some((prefix, indent)) = pretty {
        out.push(b'\n');
        out.extend_from_slice(prefix.as_bytes());
        for _ in 0..depth {
            out.extend_from_slice(indent.as_bytes());
        }
    }
}

fn write_value(out: &mut Vec<u8>, v: &Value, pretty: Option<(&str, &str)>, depth: usize) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Uint(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => append_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    newline(out, pretty, depth + 1);
                    write_value(out, item, pretty, depth + 1);
                }
                newline(out, pretty, depth);
            }
            out.push(b']');
        }
        Value::Object(obj) => {
            out.push(b'{');
            let fields = obj.fields();
            if !fields.is_empty() {
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    newline(out, pretty, depth + 1);
                    append_string(out, key.as_bytes());
                    out.push(b':');
                    if pretty.is_some() {
                        out.push(b' ');
                    }
                    write_value(out, value, pretty, depth + 1);
                }
                newline(out, pretty, depth);
            }
            out.push(b'}');
        }
    }
}
