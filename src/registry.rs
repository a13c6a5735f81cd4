//! The one list of protocols. Every layer reaches a protocol through it: `trace::Protocol` (the
//! tag a file names) is made from it, and `with_protocol!` turns a tag into the protocol's type,
//! so the CLI, `check`, `lesson`, `gui`, `explore`, `export` and the pickers name no protocol.
//! What each layer needs of a protocol is a trait it implements in its own folders
//! (`protocols/<name>/`, `ui/<name>/`) or the lesson conditions it adds (`lesson/teach.rs`).
//!
//! The list itself is `each_protocol!` in `protocols/mod.rs`, beside the protocols' folders: a
//! new protocol is its folder's `pub mod` and one line there.

/// `with_protocol!(tag, P => body)`: `body` with `P` the type of the protocol `tag` names. The
/// body is compiled once per protocol, so whatever it asks of `P` every protocol provides.
#[macro_export]
macro_rules! with_protocol {
    ($tag:expr, $P:ident => $body:expr) => {
        $crate::each_protocol!(__protocol_match!($tag, $P, $body))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __protocol_match {
    (($tag:expr, $P:ident, $body:expr) $($tag_name:ident : $folder:ident :: $t:ident,)*) => {
        match $tag {
            $( $crate::trace::Protocol::$tag_name => {
                #[allow(dead_code)]
                type $P = $crate::protocols::$folder::$t;
                $body
            } )*
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __protocol_enum {
    (() $($tag_name:ident : $folder:ident :: $t:ident,)*) => {
        /// The protocols a file may name: one per line of `crate::registry`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Protocol {
            $($tag_name),*
        }

        impl Protocol {
            pub const ALL: &'static [Protocol] = &[$(Protocol::$tag_name),*];

            /// The name `--protocol` and a file's `protocol` field use.
            pub fn name(self) -> &'static str {
                match self {
                    $(Protocol::$tag_name => <$crate::protocols::$folder::$t as $crate::protocols::Plugin>::NAME),*
                }
            }

            /// The name people read (`Multi-Paxos`).
            pub fn title(self) -> &'static str {
                match self {
                    $(Protocol::$tag_name => <$crate::protocols::$folder::$t as $crate::protocols::Plugin>::TITLE),*
                }
            }
        }
    };
}
