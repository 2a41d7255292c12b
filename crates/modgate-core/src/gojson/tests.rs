//! Expected outputs were produced by Go 1.27.3's `encoding/json` (`json.Marshal`
//! and `json.MarshalIndent`) on the same inputs.

use super::*;

fn quoted(s: &[u8]) -> Vec<u8> {
    marshal(&Value::String(s.to_vec()))
}

#[test]
fn string_escaping_matches_go() {
    let cases: &[(&[u8], &str)] = &[
        (b"plain", r#""plain""#),
        (b"", r#""""#),
        (b"quote\" back\\slash", r#""quote\" back\\slash""#),
        (b"\x08\x0c\n\r\t", r#""\b\f\n\r\t""#),
        (b"\x00\x01\x1f\x7f", "\"\\u0000\\u0001\\u001f\x7f\""),
        (
            b"<a href=\"x\">&amp;</a>",
            r#""\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e""#,
        ),
        (
            "line\u{2028}para\u{2029}".as_bytes(),
            r#""line\u2028para\u2029""#,
        ),
        (b"bad\xffutf8", "\"bad\u{fffd}utf8\""),
        (b"\xe2\x82", "\"\u{fffd}\u{fffd}\""),
        (b"\xe2\x82a", "\"\u{fffd}\u{fffd}a\""),
        (b"\xed\xa0\x80", "\"\u{fffd}\u{fffd}\u{fffd}\""),
        ("héllo 世界 🎉".as_bytes(), "\"héllo 世界 🎉\""),
        (b"\xc0\xaf", "\"\u{fffd}\u{fffd}\""),
        (b"\xf4\x90\x80\x80", "\"\u{fffd}\u{fffd}\u{fffd}\u{fffd}\""),
        (
            "\u{a0}\u{85}\u{feff}".as_bytes(),
            "\"\u{a0}\u{85}\u{feff}\"",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            String::from_utf8_lossy(&quoted(input)),
            *want,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(quoted(input), want.as_bytes());
    }
}

fn sample() -> Value {
    let inner = |a: &str, b: Vec<i64>, c: bool| {
        Object::new()
            .field("A", a)
            .field_omitempty("B", Value::slice(b))
            .field_omitempty("C", c)
    };
    let m = Object::map()
        .field("b", 1i64)
        .field("a", 2i64)
        .field("B", 3i64);
    Object::new()
        .field("Name", "x")
        .field("Empty", Value::Array(vec![]))
        .field_omitempty("Nil", Value::slice(Vec::<String>::new()))
        .field("Obj", inner("a", vec![], false))
        .field(
            "Objs",
            Value::array([inner("1", vec![1, 2], false), inner("2", vec![], true)]),
        )
        .field("M", m)
        .field("EM", Object::map())
        .field("N", -5i64)
        .field("U", u64::MAX)
        .field("T", true)
        .into()
}

#[test]
fn marshal_indent_matches_go() {
    let want = "{
\t\"Name\": \"x\",
\t\"Empty\": [],
\t\"Obj\": {
\t\t\"A\": \"a\"
\t},
\t\"Objs\": [
\t\t{
\t\t\t\"A\": \"1\",
\t\t\t\"B\": [
\t\t\t\t1,
\t\t\t\t2
\t\t\t]
\t\t},
\t\t{
\t\t\t\"A\": \"2\",
\t\t\t\"C\": true
\t\t}
\t],
\t\"M\": {
\t\t\"B\": 3,
\t\t\"a\": 2,
\t\t\"b\": 1
\t},
\t\"EM\": {},
\t\"N\": -5,
\t\"U\": 18446744073709551615,
\t\"T\": true
}";
    assert_eq!(
        String::from_utf8(marshal_indent(&sample(), "", "\t")).unwrap(),
        want
    );
    assert_eq!(to_go_json_output(&sample()), format!("{want}\n"));
}

#[test]
fn marshal_indent_with_prefix_matches_go() {
    let want = "{
>>  \"Name\": \"x\",
>>  \"Empty\": [],
>>  \"Obj\": {
>>    \"A\": \"a\"
>>  },
>>  \"Objs\": [
>>    {
>>      \"A\": \"1\",
>>      \"B\": [
>>        1,
>>        2
>>      ]
>>    },
>>    {
>>      \"A\": \"2\",
>>      \"C\": true
>>    }
>>  ],
>>  \"M\": {
>>    \"B\": 3,
>>    \"a\": 2,
>>    \"b\": 1
>>  },
>>  \"EM\": {},
>>  \"N\": -5,
>>  \"U\": 18446744073709551615,
>>  \"T\": true
>>}";
    assert_eq!(
        String::from_utf8(marshal_indent(&sample(), ">>", "  ")).unwrap(),
        want
    );
}

#[test]
fn marshal_compact_matches_go() {
    let want = r#"{"Name":"x","Empty":[],"Obj":{"A":"a"},"Objs":[{"A":"1","B":[1,2]},{"A":"2","C":true}],"M":{"B":3,"a":2,"b":1},"EM":{},"N":-5,"U":18446744073709551615,"T":true}"#;
    assert_eq!(String::from_utf8(marshal(&sample())).unwrap(), want);
}

#[test]
fn empty_values() {
    assert_eq!(marshal_indent(&Object::new().into(), "", "\t"), b"{}");
    assert_eq!(marshal(&Value::Null), b"null");
    assert_eq!(marshal(&Value::slice(Vec::<bool>::new())), b"null");
    assert_eq!(marshal(&Value::from(None::<String>)), b"null");
    assert_eq!(marshal(&Value::from(false)), b"false");
    assert_eq!(marshal(&Value::from(-1i32)), b"-1");
    // omitempty: Go's empty values are dropped; structs are not.
    let o = Object::new()
        .field_omitempty("S", "")
        .field_omitempty("B", false)
        .field_omitempty("I", 0i64)
        .field_omitempty("U", 0u64)
        .field_omitempty("N", Value::Null)
        .field_omitempty("A", Value::Array(vec![]))
        .field_omitempty("M", Object::map())
        .field_omitempty("Struct", Object::new());
    assert_eq!(marshal(&o.into()), br#"{"Struct":{}}"#);
}
