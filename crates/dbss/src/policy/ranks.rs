//! Rule ranks as order: the custom rules a document lists, in the order it lists them, are
//! the rank order wanted among those rules. Only their relative order is enforced: they are
//! put back in the places they hold between them, and every other rule (built in, or custom
//! and absent from the document) keeps its place.

/// One move: the rule `name` goes from rank `from` to rank `to` (ranks from 1), after which
/// the rules are in `order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Move {
    pub name: String,
    pub from: u32,
    pub to: u32,
    pub order: Vec<String>,
}

/// The moves, as few as can be, that put the rules named in `listed` in that relative order
/// within `current` (every rule's name, in rank order), leaving the other rules where they
/// are. Names in `listed` that `current` lacks are passed over; none when the order holds.
pub(crate) fn moves(current: &[String], listed: &[&str]) -> Vec<Move> {
    let wanted: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|name| current.iter().any(|c| c == name))
        .collect();
    // The places the listed rules hold, filled with them in the listed order.
    let mut target: Vec<&str> = current.iter().map(String::as_str).collect();
    let slots: Vec<usize> = (0..target.len()).filter(|i| wanted.contains(&target[*i])).collect();
    for (slot, name) in slots.iter().zip(&wanted) {
        target[*slot] = name;
    }
    if target.iter().zip(current).all(|(t, c)| *t == c.as_str()) {
        return Vec::new();
    }
    let place = |name: &str| target.iter().position(|t| *t == name).unwrap_or(usize::MAX);
    // The rules that stay put: as many as can, never moving one the document does not list
    // (those are in target order among themselves already, and outweigh all listed ones).
    let heavy = current.len().saturating_add(1);
    let weighted: Vec<(usize, usize)> = current
        .iter()
        .map(|c| (place(c), if wanted.contains(&c.as_str()) { 1 } else { heavy }))
        .collect();
    let keep = heaviest_increasing(&weighted);
    let kept: Vec<&str> = keep.iter().map(|i| current[*i].as_str()).collect();
    // Each rule out of place, in target order, goes right after the one before it in the
    // target (already in place by then), or first.
    let mut now: Vec<String> = current.to_vec();
    let mut out = Vec::new();
    for (t, name) in target.iter().enumerate() {
        if kept.contains(name) {
            continue;
        }
        let Some(from) = now.iter().position(|n| n == name) else {
            continue;
        };
        let rule = now.remove(from);
        let to = match t {
            0 => 0,
            _ => now.iter().position(|n| n == target[t - 1]).map_or(0, |p| p + 1),
        };
        now.insert(to, rule);
        if from != to {
            out.push(Move {
                name: (*name).to_owned(),
                from: rank(from),
                to: rank(to),
                order: now.clone(),
            });
        }
    }
    out
}

/// A position as a rank (from 1).
fn rank(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(u32::MAX).saturating_add(1)
}

/// The indexes of a heaviest strictly increasing subsequence of `(value, weight)` pairs.
fn heaviest_increasing(values: &[(usize, usize)]) -> Vec<usize> {
    // weight[i]: the heaviest ending at i; back[i]: the index before i in it.
    let mut weight: Vec<usize> = values.iter().map(|v| v.1).collect();
    let mut back = vec![None; values.len()];
    for i in 0..values.len() {
        for j in 0..i {
            let through = weight[j].saturating_add(values[i].1);
            if values[j].0 < values[i].0 && through > weight[i] {
                weight[i] = through;
                back[i] = Some(j);
            }
        }
    }
    let mut at = (0..values.len()).max_by_key(|i| (weight[*i], std::cmp::Reverse(*i)));
    let mut out = Vec::new();
    while let Some(i) = at {
        out.push(i);
        at = back[i];
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Applies the moves the way SetRiskRuleRank does: take the rule out, put it at `to`.
    fn replay(current: &[&str], moves: &[Move]) -> Vec<String> {
        let mut now = names(current);
        for m in moves {
            let from = now
                .iter()
                .position(|n| *n == m.name)
                .unwrap_or_else(|| panic!("{}", m.name));
            assert_eq!(m.from as usize, from + 1, "{m:?}");
            let rule = now.remove(from);
            now.insert(m.to as usize - 1, rule);
            assert_eq!(now, m.order);
        }
        now
    }

    #[test]
    fn policy_ranks_in_order_need_no_moves() {
        assert!(moves(&names(&["b1", "x", "b2", "y"]), &["x", "y"]).is_empty());
        assert!(moves(&names(&["y", "x"]), &["x"]).is_empty());
        assert!(moves(&names(&[]), &["x"]).is_empty());
    }

    #[test]
    fn policy_ranks_keep_other_rules_in_place() {
        let current = ["b1", "x", "b2", "y", "z", "other", "b3"];
        // z, x and y hold the places 2, 4 and 5 between them; only they move.
        let found = moves(&names(&current), &["z", "x", "y"]);
        let moved: Vec<(&str, u32, u32)> = found.iter().map(|m| (m.name.as_str(), m.from, m.to)).collect();
        assert_eq!(moved, [("z", 5, 2), ("x", 3, 4)]);
        assert_eq!(
            replay(&current, &found),
            names(&["b1", "z", "b2", "x", "y", "other", "b3"])
        );
    }

    #[test]
    fn policy_ranks_reverse_and_shuffles_converge() {
        let current = ["a", "b", "c", "d", "e"];
        let found = moves(&names(&current), &["e", "d", "c", "b", "a"]);
        assert_eq!(found.len(), 4);
        assert_eq!(replay(&current, &found), names(&["e", "d", "c", "b", "a"]));
        let found = moves(&names(&current), &["b", "c", "a"]);
        assert_eq!(found.len(), 1);
        assert_eq!(replay(&current, &found), names(&["b", "c", "a", "d", "e"]));
        let found = moves(&names(&["s1", "a", "s2", "b", "s3", "c"]), &["c", "a", "b"]);
        assert_eq!(
            replay(&["s1", "a", "s2", "b", "s3", "c"], &found),
            names(&["s1", "c", "s2", "a", "s3", "b"])
        );
    }
}
