//! The outline of a file: its top-level field names and where each value starts, read by a
//! lenient scan rather than a parse, so that a file broken further down still says what it is
//! (a trace, a lesson, a fault script) and which protocol it names. Reads RON and JSON alike:
//! strings, raw strings and comments are skipped, brackets counted.

/// One top-level field: its name and the byte offset where its value starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopField<'a> {
    pub name: &'a str,
    pub value: usize,
}

/// The fields at the outermost level of `text`, in file order. A scan stops quietly where the
/// text stops making sense (an unclosed string): what was read before stays.
pub fn top_fields(text: &str) -> Vec<TopField<'_>> {
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(next) = skip_inert(text, i) {
            i = next;
            continue;
        }
        let c = bytes[i];
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' => {
                let end = skip_string(bytes, i);
                // A JSON key at the top level: `"name": value`.
                if depth == 1
                    && let Some(value) = after_colon(bytes, end)
                {
                    fields.push(TopField {
                        name: &text[i + 1..end.saturating_sub(1).max(i + 1)],
                        value,
                    });
                }
                i = end;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                // A RON field at the top level: `name: value` (not a path `a::b`).
                if depth == 1
                    && let Some(value) = after_colon(bytes, i)
                {
                    fields.push(TopField {
                        name: &text[start..i],
                        value,
                    });
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    fields
}

/// The offset where the value of top-level field `name` starts, if the file has one.
pub fn top_field(text: &str, name: &str) -> Option<usize> {
    top_fields(text)
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| f.value)
}

/// Where the value starting at `start` ends: at the first `,` or closing bracket outside its
/// own brackets, strings and comments (the end of the text if it never closes).
pub fn value_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if let Some(next) = skip_inert(text, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The string a top-level field holds (`protocol: "raft"`), if it is a plain string.
pub fn top_string<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let at = top_field(text, name)?;
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let end = skip_string(bytes, at);
    let inner = text.get(at + 1..end.checked_sub(1)?)?;
    (!inner.contains('\\') && end <= bytes.len() && bytes[end - 1] == b'"').then_some(inner)
}

/// What a file holds, told by its top-level fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A run: `actions`.
    Trace,
    /// A lesson: `steps`, no `actions`.
    Lesson,
    /// A fault script for `compare`: `faults` and `rounds`, neither `actions` nor `steps`.
    FaultScript,
}

/// The kind of file `text` is, or `None` when its fields do not tell.
pub fn kind_of(text: &str) -> Option<FileKind> {
    let fields = top_fields(text);
    let has = |name: &str| fields.iter().any(|f| f.name == name);
    if has("actions") {
        Some(FileKind::Trace)
    } else if has("steps") {
        Some(FileKind::Lesson)
    } else if has("faults") && !has("config") && !has("id") {
        Some(FileKind::FaultScript)
    } else {
        None
    }
}

/// Just past the comment or raw string that starts at `i`, if one does: text whose brackets
/// and names do not count. (Plain strings are each scan's own: a JSON key is one.)
fn skip_inert(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes[i] {
        b'/' if bytes.get(i + 1) == Some(&b'/') => {
            Some(text[i..].find('\n').map_or(bytes.len(), |k| i + k + 1))
        }
        b'/' if bytes.get(i + 1) == Some(&b'*') => Some(skip_block_comment(bytes, i)),
        b'r' if raw_string_start(bytes, i).is_some() => Some(raw_string_end(bytes, i)),
        _ => None,
    }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The value's start if a `:` (and not `::`) follows at `i`, after white space.
fn after_colon(bytes: &[u8], i: usize) -> Option<usize> {
    let at = skip_space(bytes, i);
    (bytes.get(at) == Some(&b':') && bytes.get(at + 1) != Some(&b':'))
        .then(|| skip_space(bytes, at + 1))
}

/// Just past the string literal starting at `start` (a `"`), or the end of the text.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    // RON's block comments nest.
    let (mut depth, mut i) = (0usize, start);
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The number of `#`s of a RON raw string (`r"..."`, `r#"..."#`) starting at `i`, if one does.
fn raw_string_start(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(i + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

fn raw_string_end(bytes: &[u8], i: usize) -> usize {
    let Some(hashes) = raw_string_start(bytes, i) else {
        return i + 1;
    };
    let mut k = i + 2 + hashes;
    while k < bytes.len() {
        if bytes[k] == b'"' && bytes[k + 1..].iter().take(hashes).all(|&b| b == b'#') {
            let end = k + 1 + hashes;
            if end <= bytes.len() {
                return end;
            }
        }
        k += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_protocol_of_a_file_broken_further_down() {
        let text = "(\n  version: 2,\n  protocol: \"raft\",\n  config: (servers: 3,, oops\n";
        assert_eq!(top_string(text, "protocol"), Some("raft"));
        let names: Vec<_> = top_fields(text).iter().map(|f| f.name).collect();
        assert_eq!(names, ["version", "protocol", "config"]);
    }

    #[test]
    fn nested_fields_strings_and_comments_are_not_top_level() {
        let text = r##"// protocol: "paxos"
(
  /* steps: [] /* nested */ */
  config: (protocol: "x", steps: 3),
  title: (en: "actions: here", zh: r#"faults: "x""#),
  faults: [(at: 1, do: Crash("S1"))],
  rounds: 10,
)"##;
        let names: Vec<_> = top_fields(text).iter().map(|f| f.name).collect();
        assert_eq!(names, ["config", "title", "faults", "rounds"]);
        assert_eq!(kind_of(text), None, "a config makes it no fault script");
        let script = "(servers: 3, faults: [], rounds: 40)";
        assert_eq!(kind_of(script), Some(FileKind::FaultScript));
    }

    #[test]
    fn reads_json_keys() {
        let text =
            r#"{"version": 2, "protocol": "multipaxos", "config": {"servers": 3}, "actions": [}"#;
        assert_eq!(top_string(text, "protocol"), Some("multipaxos"));
        assert_eq!(kind_of(text), Some(FileKind::Trace));
        let at = top_field(text, "config").unwrap();
        assert!(text[at..].starts_with("{\"servers\""));
        assert_eq!(&text[at..value_end(text, at)], "{\"servers\": 3}");
    }

    #[test]
    fn a_lesson_and_a_trace_are_told_apart() {
        assert_eq!(
            kind_of("(version: 1, id: \"x\", steps: [Say(\"hi\")])"),
            Some(FileKind::Lesson)
        );
        assert_eq!(
            kind_of("(version: 1, config: (), actions: [])"),
            Some(FileKind::Trace)
        );
    }
}
