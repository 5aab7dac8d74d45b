//! Setting keys of one section of a profile file by editing its text: the lines set are
//! replaced or added, every other line (comments, blank lines, other sections and keys, their
//! order and spelling) stays as the user wrote it.

use super::lines::{Line, classify};

/// `text` with `settings` (lower-case keys) set in `[section]`: each key's line replaced where
/// the section has it (its continuation lines dropped), else added after the section's last
/// setting; the section added at the end when the file has none. Names and values hold no
/// line break (checked by [`super::ProfileFile::edit`]).
pub(super) fn set(text: &str, section: &str, settings: &[(&str, &str)]) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // Each line with its own ending, so that untouched lines are copied byte for byte.
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bare: Vec<&str> = lines.iter().map(|l| l.trim_end_matches(['\n', '\r'])).collect();
    let kinds = classify(&bare);
    let setting_line = |key: &str, value: &str| format!("{key} = {value}{newline}");
    let ended = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
    };

    let mut out = String::with_capacity(text.len() + 64);
    let Some(start) = kinds.iter().position(|k| *k == Line::Header(section)) else {
        out.push_str(text);
        ended(&mut out);
        if !out.trim().is_empty() {
            out.push_str(newline);
        }
        out.push_str(&format!("[{section}]{newline}"));
        settings.iter().for_each(|(k, v)| out.push_str(&setting_line(k, v)));
        return out;
    };
    let end = (start + 1..kinds.len())
        .find(|&i| matches!(kinds[i], Line::Header(_)))
        .unwrap_or(kinds.len());

    lines[..=start].iter().for_each(|l| out.push_str(l));
    ended(&mut out);
    // Where the keys the section lacks go: after its last setting, else under the header.
    let mut insert_at = out.len();
    let mut written: Vec<&str> = Vec::new();
    let mut i = start + 1;
    while i < end {
        let Line::Setting(key, _) = &kinds[i] else {
            out.push_str(lines[i]);
            i += 1;
            continue;
        };
        let mut next = i + 1;
        while next < end && kinds[next] == Line::Continuation {
            next += 1;
        }
        match settings.iter().find(|(k, _)| k == key) {
            // A key given twice keeps its first line only (Python refuses such a file).
            Some((k, _)) if written.contains(k) => {}
            Some((k, v)) => {
                out.push_str(&setting_line(k, v));
                written.push(k);
            }
            None => lines[i..next].iter().for_each(|l| out.push_str(l)),
        }
        ended(&mut out);
        insert_at = out.len();
        i = next;
    }
    let missing: String = settings
        .iter()
        .filter(|(k, _)| !written.contains(k))
        .map(|(k, v)| setting_line(k, v))
        .collect();
    out.insert_str(insert_at, &missing);
    lines[end..].iter().for_each(|l| out.push_str(l));
    out
}

#[cfg(test)]
mod tests {
    use super::set;

    const KEYS: [(&str, &str); 2] = [("ak", "NEWAK"), ("sk", "new#sk")];

    #[test]
    fn comments_order_and_other_sections_stay_as_written() {
        let text =
            "# my keys, do not share\n[Prod]\n; rotated monthly\nAK: OLD\nregion = r1\nsk=old\n\n[other]\nak = keep\n";
        assert_eq!(
            set(text, "Prod", &KEYS),
            "# my keys, do not share\n[Prod]\n; rotated monthly\nak = NEWAK\nregion = r1\nsk = new#sk\n\n[other]\nak = keep\n"
        );
    }

    #[test]
    fn missing_keys_follow_the_sections_last_setting() {
        let text = "[basic]\nregion = r1\n\n# next\n[other]\nx = 1";
        assert_eq!(
            set(text, "basic", &KEYS),
            "[basic]\nregion = r1\nak = NEWAK\nsk = new#sk\n\n# next\n[other]\nx = 1"
        );
        assert_eq!(set("[basic]", "basic", &KEYS), "[basic]\nak = NEWAK\nsk = new#sk\n");
        assert_eq!(
            set("[basic]\nregion = r", "basic", &KEYS[..1]),
            "[basic]\nregion = r\nak = NEWAK\n"
        );
    }

    #[test]
    fn a_missing_section_is_added_at_the_end_and_names_are_exact() {
        assert_eq!(set("", "basic", &KEYS[..1]), "[basic]\nak = NEWAK\n");
        assert_eq!(
            set("[prod]\nak = x", "Prod", &KEYS[..1]),
            "[prod]\nak = x\n\n[Prod]\nak = NEWAK\n"
        );
    }

    #[test]
    fn a_replaced_value_loses_its_continuation_lines_and_keeps_the_files_line_endings() {
        let text = "[basic]\r\nsk = part one\r\n   part two\r\n   # a comment\r\nregion = r\r\n";
        assert_eq!(
            set(text, "basic", &KEYS[1..]),
            "[basic]\r\nsk = new#sk\r\n   # a comment\r\nregion = r\r\n"
        );
        // A key given twice: the first line takes the value, the second goes.
        assert_eq!(
            set("[basic]\nak = 1\nAK = 2\n", "basic", &KEYS[..1]),
            "[basic]\nak = NEWAK\n"
        );
    }

    #[test]
    fn what_it_writes_reads_back() {
        let text = "# c\n[Prod]\nak = old\n  cont\n[basic]\nsk = s\n";
        let written = set(text, "Prod", &[("ak", "A"), ("sk", "S"), ("region", "r")]);
        let file = super::super::ProfileFile::parse(&written).unwrap_or_else(|e| panic!("{e}: {written}"));
        let prod = file.section("Prod");
        assert_eq!(prod.and_then(|s| s.get("ak")), Some("A"));
        assert_eq!(prod.and_then(|s| s.get("sk")), Some("S"));
        assert_eq!(prod.and_then(|s| s.get("region")), Some("r"));
        assert_eq!(file.section("basic").and_then(|s| s.get("sk")), Some("s"));
    }
}
