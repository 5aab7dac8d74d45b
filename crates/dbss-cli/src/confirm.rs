//! Confirmation before an action that cannot be taken back (deleting, stopping, rebooting,
//! unbinding): asked on a terminal, skipped by `--yes` or `--dry-run` (which does nothing),
//! and refused without a terminal, where nobody could answer: a script must say `--yes`.

use std::io::IsTerminal;

use crate::{error::CliError, settings::Global};

/// Asks whether to go on with `action` ("delete audit instance X"); `Ok` means go on.
pub fn destructive(global: &Global, action: &str) -> Result<(), CliError> {
    if global.yes || global.dry_run {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(CliError::Usage(format!(
            "refusing to {action} without confirmation: no terminal to ask on; pass --yes to confirm"
        )));
    }
    let answer = dialoguer::Confirm::new()
        .with_prompt(format!("{}?", capitalised(action)))
        .default(false)
        .wait_for_newline(true)
        .interact_on_opt(&dialoguer::console::Term::stderr());
    match answer {
        Ok(Some(true)) => Ok(()),
        // No, Escape, or an interrupted read: nothing is done.
        _ => Err(CliError::Usage(format!("not confirmed: did not {action}"))),
    }
}

/// Whether `dbss api OPERATION` is one that needs [`destructive`]'s confirmation: it deletes
/// (`DELETE`, or an id saying so), stops, reboots or unbinds something.
pub fn is_destructive(meta: &dbss::OperationMeta) -> bool {
    const VERBS: &[&str] = &["Delete", "BatchDelete", "Stop", "Reboot", "Unbind"];
    meta.method.eq_ignore_ascii_case("DELETE") || VERBS.iter().any(|verb| meta.id.starts_with(verb))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_stopping_rebooting_and_unbinding_operations_are_destructive() {
        let by_id = |id: &str| dbss::OPERATIONS.iter().find(|m| m.id == id).copied();
        for id in [
            "DeleteInstancesNew",
            "StopAuditInstanceNew",
            "RebootAuditInstanceNew",
            "BatchDeleteResourceTag",
        ] {
            let meta = by_id(id).unwrap_or_else(|| panic!("{id} is not an operation"));
            assert!(is_destructive(&meta), "{id}");
        }
        for id in [
            "ListAuditInstancesLast",
            "StartAuditInstanceNew",
            "UpdateAuditSecurityGroupNew",
        ] {
            let meta = by_id(id).unwrap_or_else(|| panic!("{id} is not an operation"));
            assert!(!is_destructive(&meta), "{id}");
        }
    }
}
