//! Multi-Paxos's own texts, in English and Simplified Chinese, kept with its views: the shared
//! table (`ui::i18n`) holds only what every protocol uses. Each is a `T`, so any view takes it.

use crate::ui::i18n::T;

pub const LESSONS: T = T::Own([
    "Paxos applied: Multi-Paxos under a key-value store",
    "Paxos 的应用：键值存储之下的 Multi-Paxos",
]);
pub const OPEN_SANDBOX: T = T::Own([
    "Multi-Paxos sandbox: a replicated key-value store",
    "Multi-Paxos 沙盒：复制的键值存储",
]);
pub const PROTOCOL: T = T::Own([
    "Multi-Paxos (a replicated key-value store)",
    "Multi-Paxos（复制的键值存储）",
]);
pub const LEADER_IN: T = T::Own(["leader in {0}", "领导者，提案编号 {0}"]);
pub const PRE_CANDIDATE_IN: T = T::Own(["asking Pre-Votes for {0}", "为 {0} 征求预投票"]);
pub const CANDIDATE_IN: T = T::Own(["candidate in {0}", "候选人，提案编号 {0}"]);
pub const FOLLOWER_OF: T = T::Own(["follows {0}", "跟随 {0}"]);
pub const FOLLOWER: T = T::Own(["follower", "跟随者"]);
pub const COMMIT_APPLIED: T = T::Own(["commit {0} · applied {1}", "提交 {0} · 应用 {1}"]);
pub const INV_AGREEMENT: T = T::Own([
    "agreement: one command per slot",
    "一致决定：每个槽位只有一条命令",
]);
pub const INV_APPLIED_IS_CHOSEN: T =
    T::Own(["applied commands were chosen", "已应用的命令均已被选定"]);
pub const INV_STATE_MACHINE_SAFETY: T = T::Own([
    "replicas apply the same log in order",
    "副本按顺序应用相同的日志",
]);
pub const INV_PROMISE_RULE: T = T::Own(["promises never go back", "承诺从不倒退"]);
pub const INV_ACCEPT_RULE: T = T::Own(["no vote below a promise", "不在承诺之下接受"]);

/// Every text of this file, for the translation test.
pub const ALL: &[T] = &[
    LESSONS,
    OPEN_SANDBOX,
    PROTOCOL,
    LEADER_IN,
    CANDIDATE_IN,
    PRE_CANDIDATE_IN,
    FOLLOWER_OF,
    FOLLOWER,
    COMMIT_APPLIED,
    INV_AGREEMENT,
    INV_APPLIED_IS_CHOSEN,
    INV_STATE_MACHINE_SAFETY,
    INV_PROMISE_RULE,
    INV_ACCEPT_RULE,
];

/// The translated name of a Multi-Paxos invariant, by its stable id (the store's own rules,
/// exactly-once and linearizability, are the shared table's).
pub fn invariant_name(id: &str) -> T {
    match id {
        "agreement" => INV_AGREEMENT,
        "applied-is-chosen" => INV_APPLIED_IS_CHOSEN,
        "state-machine-safety" => INV_STATE_MACHINE_SAFETY,
        "exactly-once" => T::MpInvExactlyOnce,
        "promise-rule" => INV_PROMISE_RULE,
        "accept-rule" => INV_ACCEPT_RULE,
        _ => T::MpInvLinearizable,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_is_translated_into_chinese() {
        for t in super::ALL {
            assert_eq!(crate::ui::i18n::untranslated(*t), None);
        }
    }
}
