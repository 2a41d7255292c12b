//! The macro that turns the one declaration of the settings (in `config.rs`) into
//! the `Config` struct, its `Default`, and [`KEYS`](super::KEYS), from which the
//! TOML keys, `MODGATE_*` variables, `--flags`, defaults, help and docs table
//! all come.

/// ```text
/// settings! {
///     keys {
///         /// Help text (markdown; the docs table's "Meaning", the flag's --help).
///         name: Type [Codec, "VALUE_NAME"] = default_expression;
///         /// A default computed from other settings is described in words:
///         name: Option<Type> [Codec, "VALUE_NAME", "(what the default is)"] = None;
///     }
///     tables {
///         /// Fields set only by TOML tables.
///         name: Type,
///     }
/// }
/// ```
macro_rules! settings {
    (
        keys {
            $(
                $(#[doc = $doc:literal])*
                $name:ident : $ty:ty [$codec:ident, $value_name:literal $(, $default_note:literal)?]
                    = $default:expr;
            )*
        }
        tables {
            $(
                $(#[doc = $tdoc:literal])*
                $tname:ident : $tty:ty,
            )*
        }
    ) => {
        /// Every setting of `modgate serve`.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Config {
            $( $(#[doc = $doc])* pub $name: $ty, )*
            $( $(#[doc = $tdoc])* pub $tname: $tty, )*
        }

        impl Default for Config {
            fn default() -> Self {
                Config {
                    $( $name: $default, )*
                    $( $tname: Default::default(), )*
                }
            }
        }

        /// Every scalar key, in declaration order (the docs table's order).
        pub static KEYS: &[Key] = &[
            $(
                Key {
                    name: stringify!($name),
                    doc: concat!($($doc, "\n",)*),
                    value_name: $value_name,
                    switch: <codec::$codec as codec::Codec>::SWITCH,
                    secret_urls: <codec::$codec as codec::Codec>::SECRET_URLS,
                    example: <codec::$codec as codec::Codec>::EXAMPLE,
                    default_note: settings!(@opt $($default_note)?),
                    set: |cfg, text| {
                        cfg.$name = <codec::$codec as codec::Codec>::parse(text)?;
                        Ok(())
                    },
                    text: |cfg| <codec::$codec as codec::Codec>::text(&cfg.$name),
                    toml: |cfg| <codec::$codec as codec::Codec>::toml(&cfg.$name),
                },
            )*
        ];
    };
    (@opt) => { None };
    (@opt $x:literal) => { Some($x) };
}
