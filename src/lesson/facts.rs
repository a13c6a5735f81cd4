//! Run facts in narration: `{leader}`, `{term}`, `{ballot}`, `{holders:1}` in a lesson's text
//! are filled from the run on screen, so a sentence after an exercise holds for every answer the
//! exercise accepts ("S2 leads term 4" when the student's S2 took two elections). `check`
//! refuses a placeholder the protocol does not know, or one the reference run leaves undefined
//! where the step is shown.

use std::ops::Range;

use super::Teach;
use crate::sim::World;

/// A `{name}` or `{name:arg}` in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub name: &'a str,
    pub arg: Option<&'a str>,
    /// Where it is in the text, braces included.
    pub range: Range<usize>,
}

/// The placeholders in `text`: braces around a lowercase name, optionally `:` and a word of
/// letters and digits. Any other brace is text.
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let Some(close) = text[open..].find('}').map(|i| open + i) else {
            break;
        };
        let inner = &text[open + 1..close];
        let (name, arg) = match inner.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (inner, None),
        };
        let name_ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        let arg_ok =
            arg.is_none_or(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric()));
        if name_ok && arg_ok {
            out.push(Placeholder {
                name,
                arg,
                range: open..close + 1,
            });
            from = close + 1;
        } else {
            from = open + 1;
        }
    }
    out
}

/// `text` with every placeholder filled from `world` (one the run leaves undefined reads `?`).
pub fn fill<P: Teach>(text: &str, world: &World<P>, zh: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for p in placeholders(text) {
        out.push_str(&text[at..p.range.start]);
        match P::run_fact(world, p.name, p.arg, zh) {
            Ok(Some(v)) => out.push_str(&v),
            _ => out.push('?'),
        }
        at = p.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Why a placeholder in `text` cannot be filled from `world`, if one cannot.
pub fn check<P: Teach>(text: &str, world: &World<P>, zh: bool) -> Result<(), String> {
    for p in placeholders(text) {
        let spelled = &text[p.range.clone()];
        match P::run_fact(world, p.name, p.arg, zh) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(format!(
                    "`{spelled}` has no value where this step is shown in the reference run"
                ));
            }
            Err(why) => return Err(format!("`{spelled}`: {why}")),
        }
    }
    Ok(())
}

/// Names read as a list: "S1 and S2", "S1, S2 and S3" (Chinese: "S1 和 S2", "S1、S2 和 S3").
pub fn list_words(items: &[String], zh: bool) -> String {
    let (comma, and) = if zh {
        ("、", " 和 ")
    } else {
        (", ", " and ")
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(comma)),
    }
}

/// A fact that lists names: none when the list is empty.
pub fn some_names(items: &[String], zh: bool) -> Option<String> {
    (!items.is_empty()).then(|| list_words(items, zh))
}

/// Why `name` is no run fact of a protocol that knows `known`.
pub fn unknown(name: &str, known: &[&str]) -> String {
    format!(
        "no run fact `{name}` in this protocol (it knows {})",
        known.join(", ")
    )
}

/// Parses `holders`'s argument: an entry or slot number from 1.
pub fn index_arg(arg: Option<&str>) -> Result<u32, String> {
    arg.and_then(|a| a.parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| "needs an entry or slot number from 1, as `{holders:1}`".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_lowercase_names_with_an_optional_argument() {
        let text = "{leader} leads term {term}; #1 is on {holders:1}. {Not} {a b} `{x` {}";
        let got: Vec<(&str, Option<&str>)> =
            placeholders(text).iter().map(|p| (p.name, p.arg)).collect();
        assert_eq!(
            got,
            [("leader", None), ("term", None), ("holders", Some("1"))]
        );
    }

    #[test]
    fn lists_read_as_sentences_in_both_languages() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list_words(&ids(&["S1"]), false), "S1");
        assert_eq!(list_words(&ids(&["S1", "S2"]), false), "S1 and S2");
        assert_eq!(
            list_words(&ids(&["S1", "S2", "S3"]), false),
            "S1, S2 and S3"
        );
        assert_eq!(list_words(&ids(&["S1", "S2", "S3"]), true), "S1、S2 和 S3");
    }
}
