//! The allow-list of reviewed differences (`openapi/upstream/allowlist.yaml`) and the verdict:
//! every difference must be allowed, and every entry must still allow one.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::diff::{Diff, Kind};
use crate::Result;

pub const ALLOWLIST: &str = "openapi/upstream/allowlist.yaml";

/// A reviewed difference: its kind and target, and why the spec differs from the SDK there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    pub kind: String,
    pub target: String,
    pub reason: String,
}

/// Parses `allowlist.yaml`: a YAML list of `{kind, target, reason}` (an empty document is `[]`).
pub fn parse_allowlist(text: &str) -> Result<Vec<AllowEntry>> {
    let entries: Option<Vec<AllowEntry>> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let entries = entries.unwrap_or_default();
    for entry in &entries {
        if Kind::named(&entry.kind).is_none() {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            return Err(format!("unknown kind {:?} (known: {})", entry.kind, known.join(", ")));
        }
        if entry.target.trim().is_empty() || entry.reason.trim().is_empty() {
            return Err(format!("{} entry without target or reason", entry.kind));
        }
    }
    Ok(entries)
}

/// The drift report: one line a difference (marked when allowed), one a stale entry, then the
/// counts by kind.
pub struct Report {
    pub text: String,
    pub unallowed: usize,
    pub stale: usize,
}

impl Report {
    pub fn passes(&self) -> bool {
        self.unallowed == 0 && self.stale == 0
    }
}

/// Marks the allowed differences and the stale allow-list entries, and writes the report.
pub fn judge(diffs: &[Diff], allowlist: &[AllowEntry]) -> Report {
    let matches = |entry: &AllowEntry, diff: &Diff| entry.kind == diff.kind.name() && entry.target == diff.target;
    let mut text = String::new();
    let mut counts: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    let mut unallowed = 0;
    for diff in diffs {
        let allowed = allowlist.iter().find(|entry| matches(entry, diff));
        let line = format!("{} {}: {}", diff.kind, diff.target, diff.detail);
        let count = counts.entry(diff.kind).or_default();
        count.0 += 1;
        match allowed {
            Some(entry) => {
                count.1 += 1;
                text.push_str(&format!("{line} (allowed: {})\n", entry.reason.trim()));
            }
            None => {
                unallowed += 1;
                text.push_str(&format!("{line}\n"));
            }
        }
    }
    let stale: Vec<&AllowEntry> = allowlist
        .iter()
        .filter(|entry| !diffs.iter().any(|diff| matches(entry, diff)))
        .collect();
    for entry in &stale {
        text.push_str(&format!(
            "stale allow-list entry {} {}: matches no difference ({})\n",
            entry.kind,
            entry.target,
            entry.reason.trim()
        ));
    }
    text.push_str(&format!(
        "drift: {} difference(s): {} allowed, {unallowed} not allowed; {} stale allow-list entr{}\n",
        diffs.len(),
        diffs.len() - unallowed,
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" }
    ));
    for (kind, (total, allowed)) in &counts {
        text.push_str(&format!("  {kind}: {total} ({allowed} allowed)\n"));
    }
    Report {
        text,
        unallowed,
        stale: stale.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, target: &str) -> AllowEntry {
        AllowEntry {
            kind: kind.into(),
            target: target.into(),
            reason: "documented quirk".into(),
        }
    }

    /// A missing operation and an enum the SDK lacks, as the comparison reports them.
    fn some_diffs() -> Vec<Diff> {
        let diff = |kind, target: &str, detail: &str| Diff {
            kind,
            target: target.into(),
            detail: detail.into(),
        };
        vec![
            diff(
                Kind::MissingOperation,
                "DeleteThing",
                "DELETE /v1/{project_id}/things/{thing_id} is in operations.tsv, not in the spec",
            ),
            diff(Kind::EnumExtra, "Thing.id", r#"spec enum ["x"], the SDK has none"#),
        ]
    }

    #[test]
    fn allow_listed_differences_pass_and_are_marked() {
        let diffs = some_diffs();
        assert_eq!(diffs.len(), 2);
        let report = judge(&diffs, &[]);
        assert!(!report.passes());
        assert_eq!(report.unallowed, 2);
        assert!(
            report.text.contains("missing-operation DeleteThing: "),
            "{}",
            report.text
        );

        let allowlist = [
            entry("missing-operation", "DeleteThing"),
            entry("enum-extra", "Thing.id"),
        ];
        let report = judge(&diffs, &allowlist);
        assert!(report.passes(), "{}", report.text);
        assert!(report.text.contains("(allowed: documented quirk)"), "{}", report.text);
        assert!(
            report.text.contains("2 difference(s): 2 allowed, 0 not allowed"),
            "{}",
            report.text
        );

        let report = judge(&diffs, &allowlist[..1]);
        assert!(!report.passes());
        assert_eq!(report.unallowed, 1);
    }

    #[test]
    fn a_stale_allow_list_entry_fails() {
        let diffs = some_diffs();
        let allowlist = [
            entry("missing-operation", "DeleteThing"),
            entry("enum-extra", "Thing.id"),
            entry("field-missing", "Thing.size"),
        ];
        let report = judge(&diffs, &allowlist);
        assert_eq!((report.unallowed, report.stale), (0, 1));
        assert!(!report.passes());
        assert!(
            report.text.contains("stale allow-list entry field-missing Thing.size"),
            "{}",
            report.text
        );
        // Nothing to allow, and an entry: stale too.
        assert!(!judge(&[], &allowlist[..1]).passes());
        assert!(judge(&[], &[]).passes());
    }

    #[test]
    fn the_allow_list_format() {
        assert!(parse_allowlist("# nothing allowed\n[]\n").expect("parses").is_empty());
        assert!(parse_allowlist("# nothing allowed\n").expect("parses").is_empty());
        let entries =
            parse_allowlist("- kind: enum\n  target: Thing.state\n  reason: the docs list more\n").expect("parses");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].kind.as_str(), entries[0].target.as_str()),
            ("enum", "Thing.state")
        );
        let unknown = parse_allowlist("- {kind: enums, target: X, reason: y}").expect_err("unknown kind");
        assert!(unknown.contains("unknown kind"), "{unknown}");
        assert!(parse_allowlist("- {kind: enum, target: X, reason: ' '}").is_err());
        assert!(parse_allowlist("- {kind: enum, target: X, reason: y, note: z}").is_err());
    }
}
