//! What can go wrong with a policy: a refused document, a failed call, a partial apply.

/// An error of [`crate::policy`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not a policy: unknown key, wrong type, duplicate or unknown name.
    /// Refused before any write (parsing errors before any call).
    #[error("{}", document_message(.line, .column, .field, .message))]
    Document {
        /// 1-based line of the offending value, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Path of the offending field, e.g. `risk_rules.custom[0].risk_level`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A call failed while reading the instance's configuration.
    #[error(transparent)]
    Api(#[from] crate::Error),
    /// The service holds a value the document cannot express.
    #[error("instance {instance}: {message}")]
    Unexpected {
        /// The instance.
        instance: String,
        /// What was found.
        message: String,
    },
    /// Applying stopped at a failed change; the changes before it were made. Running the
    /// same apply again converges.
    #[error("instance {instance}: {failed} failed after {} change(s) applied: {source}", .applied.len())]
    Apply {
        /// The instance.
        instance: String,
        /// The changes made before the failure, as the plan prints them.
        applied: Vec<String>,
        /// The change that failed.
        failed: String,
        /// Why it failed.
        source: Box<PolicyError>,
    },
    /// The service took a request but answered that the change failed.
    #[error("{operation}: the service answered {answer:?}")]
    Refused {
        /// Operation id.
        operation: &'static str,
        /// Its `status`/`result` answer.
        answer: String,
    },
}

fn document_message(line: &Option<usize>, column: &Option<usize>, field: &str, message: &str) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("policy line {line} column {column}, field {field}: {message}"),
        (Some(line), None) => format!("policy line {line}, field {field}: {message}"),
        _ => format!("policy field {field}: {message}"),
    }
}

impl PolicyError {
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError::Document {
            line: None,
            column: None,
            field: field.into(),
            message: message.into(),
        }
    }
}
