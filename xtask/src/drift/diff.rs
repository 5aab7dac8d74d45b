//! The vocabulary of the drift report: what can differ, and one difference.
//!
//! The comparison produces [`Diff`]s; the allow-list names them by [`Kind::name`] and target.

use std::fmt;

macro_rules! kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// What differs. The order is the order of the report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Kind {
            $($variant,)*
        }

        impl Kind {
            pub const ALL: &[Kind] = &[$(Kind::$variant,)*];

            /// The name the report prints and the allow-list uses.
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }
        }
    };
}

kinds! {
    MissingOperation => "missing-operation",
    ExtraOperation => "extra-operation",
    Method => "method",
    Path => "path",
    Deprecated => "deprecated",
    ContentType => "content-type",
    BodyMediaType => "body-media-type",
    RequestBody => "request-body",
    ParamMissing => "param-missing",
    ParamExtra => "param-extra",
    ParamIn => "param-in",
    ParamRequired => "param-required",
    ParamType => "param-type",
    ResponseShape => "response-shape",
    SchemaMissing => "schema-missing",
    SchemaExtra => "schema-extra",
    FieldMissing => "field-missing",
    FieldExtra => "field-extra",
    FieldType => "field-type",
    Required => "required",
    Enum => "enum",
    EnumExtra => "enum-extra",
}

impl Kind {
    /// The kind the allow-list names `name`, if any.
    pub fn named(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference between the spec and the inventory. `target` is an operation id, an
/// `OperationId.parameter`, a `Model` or a `Model.field`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diff {
    pub kind: Kind,
    pub target: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_kind_has_its_own_kebab_case_name_and_is_found_by_it() {
        let names: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Kind::ALL.len(), "two kinds share a name");
        for kind in Kind::ALL {
            let name = kind.name();
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name} is not kebab-case"
            );
            assert_eq!(Kind::named(name), Some(*kind));
            assert_eq!(kind.to_string(), name);
        }
        assert_eq!(Kind::named("enums"), None);
    }

    #[test]
    fn the_report_order_is_the_order_of_declaration() {
        let mut sorted = Kind::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, Kind::ALL);
        assert!(Kind::MissingOperation < Kind::EnumExtra);
    }
}
