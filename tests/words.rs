//! Every broken rule speaks both of the app's languages: replaying each flaw's hand-written
//! scenario, each violation's Chinese detail is Chinese (not the English copied), and names the
//! same nodes, entries and numbers as the English.

use std::path::Path;

use paxos_lab::protocols::Plugin;
use paxos_lab::protocols::multipaxos::MultiPaxos;
use paxos_lab::protocols::paxos::Paxos;
use paxos_lab::protocols::raft::Raft;
use paxos_lab::trace;

/// The ids and numbers of a sentence, in order (`S2`, `#1`, `4`, `2.1`...).
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '#' || c == '.' {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|t| t.trim_end_matches('.').to_string())
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

fn violations_of<P: Plugin>(dir: &str) -> Vec<(String, paxos_lab::sim::Violation)> {
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{dir}");
    for path in files {
        let (t, _) = trace::load_as::<P>(Path::new(&path)).unwrap();
        let mut world = P::world(&t.config);
        for a in &t.actions {
            world.apply(a).unwrap();
        }
        assert!(!world.violations().is_empty(), "{}", path.display());
        for v in world.violations() {
            found.push((path.display().to_string(), v.clone()));
        }
    }
    found
}

#[test]
fn every_broken_rule_is_told_in_chinese_with_the_same_names_and_numbers() {
    let mut all = violations_of::<Paxos>("tests/scenarios");
    all.extend(violations_of::<MultiPaxos>("tests/scenarios/multipaxos"));
    all.extend(violations_of::<Raft>("tests/scenarios/raft"));
    let mut rules = std::collections::BTreeSet::new();
    for (file, v) in &all {
        let (en, zh) = (&v.detail, &v.detail_zh);
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{file}: {} has no Chinese: {zh}",
            v.invariant
        );
        assert_ne!(en, zh, "{file}");
        let mut en_tokens = tokens(en);
        let mut zh_tokens = tokens(zh);
        en_tokens.sort();
        zh_tokens.sort();
        assert_eq!(en_tokens, zh_tokens, "{file}:\n  {en}\n  {zh}");
        rules.insert(v.invariant);
    }
    // The scenarios break a good share of the rules, across the three protocols.
    assert!(rules.len() >= 10, "{rules:?}");
}
