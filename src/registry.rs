//! The one list of protocols. Every layer reaches a protocol through it: `trace::Protocol` (the
//! tag a file names) is made from it, and `with_protocol!` turns a tag into the protocol's type,
//! so the CLI, `check`, `lesson`, `gui`, `explore`, `export` and the pickers name no protocol.
//! What each layer needs of a protocol is a trait it implements in its own folders
//! (`protocols/<name>/`, `ui/<name>/`) or the lesson conditions it adds (`lesson/teach.rs`).
//!
//! A new protocol is one line here: its tag (the `trace::Protocol` variant) and its type.

/// Calls `$callback! { (args) Tag: Type, ... }` over every protocol, in the order pickers and
/// `--protocol`'s help list them.
#[doc(hidden)]
#[macro_export]
macro_rules! each_protocol {
    ($callback:ident ! ( $($args:tt)* )) => {
        $crate::$callback! { ($($args)*)
            Paxos: $crate::protocols::paxos::Paxos,
            MultiPaxos: $crate::protocols::multipaxos::MultiPaxos,
            Raft: $crate::protocols::raft::Raft,
        }
    };
}

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
    (($tag:expr, $P:ident, $body:expr) $($tag_name:ident : $t:ty,)*) => {
        match $tag {
            $( $crate::trace::Protocol::$tag_name => {
                #[allow(dead_code)]
                type $P = $t;
                $body
            } )*
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __protocol_enum {
    (() $($tag_name:ident : $t:ty,)*) => {
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
                    $(Protocol::$tag_name => <$t as $crate::protocols::Plugin>::NAME),*
                }
            }

            /// The name people read (`Multi-Paxos`).
            pub fn title(self) -> &'static str {
                match self {
                    $(Protocol::$tag_name => <$t as $crate::protocols::Plugin>::TITLE),*
                }
            }
        }
    };
}
