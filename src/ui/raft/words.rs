//! Raft's own texts, in English and Simplified Chinese, kept with its views: the shared table
//! (`ui::i18n`) holds only what every protocol uses. Each is a `T`, so any view takes it.

use crate::ui::i18n::T;

pub const LESSONS: T = T::Own([
    "Raft: the same store, another algorithm",
    "Raft：同样的存储，另一种算法",
]);
pub const OPEN_SANDBOX: T = T::Own(["Raft sandbox: the same store", "Raft 沙盒：同样的键值存储"]);
pub const PROTOCOL: T = T::Own(["Raft (the same store)", "Raft（同样的键值存储）"]);
pub const LEADER_IN: T = T::Own(["leader, term {0}", "领导者，任期 {0}"]);
pub const CANDIDATE_IN: T = T::Own([
    "candidate, term {0}, votes: {1}",
    "候选人，任期 {0}，票数 {1}",
]);
pub const PRE_CANDIDATE_IN: T = T::Own([
    "pre-candidate for term {0}, pre-votes: {1} (still term {2})",
    "预候选人，争取任期 {0}，预投票 {1}（仍在任期 {2}）",
]);
pub const FOLLOWER_OF: T = T::Own(["follows {0}, term {1}", "跟随 {0}，任期 {1}"]);
pub const FOLLOWER_IN: T = T::Own(["follower, term {0}", "跟随者，任期 {0}"]);
pub const LOG_COMMIT_APPLIED: T = T::Own([
    "log {0} · commit {1} · applied {2}",
    "日志 {0} · 提交 {1} · 应用 {2}",
]);
pub const TERM: T = T::Own(["term {0}", "任期 {0}"]);
pub const LOG_TITLE: T = T::Own(["Logs", "日志"]);
pub const LOG_EMPTY: T = T::Own(["(empty)", "（空）"]);
pub const ROW_HOVER: T = T::Own([
    "{0}: term {1}, commit index {2}",
    "{0}：任期 {1}，提交索引 {2}",
]);
pub const ENTRY_COMMITTED: T = T::Own([
    "[{0}], term {1}: {2}, committed",
    "[{0}]，任期 {1}：{2}，已提交",
]);
pub const ENTRY_UNCOMMITTED: T = T::Own([
    "[{0}], term {1}: {2}, not committed yet (a later leader may overwrite it)",
    "[{0}]，任期 {1}：{2}，尚未提交（之后的领导者可能覆盖它）",
]);
pub const LOG_LEGEND: T = T::Own([
    "Solid: committed. Dashed: not committed yet. Colour: the entry's term. ★ the leader.",
    "实线：已提交。虚线：尚未提交。颜色：条目的任期。★ 领导者。",
]);
pub const NO_LEADER: T = T::Own(["No server leads.", "没有服务器在领导。"]);
pub const CAMPAIGNS: T = T::Own([
    "{0} campaigns in term {1}, votes: {2}",
    "{0} 在任期 {1} 竞选，票数 {2}",
]);
pub const LEADS: T = T::Own([
    "{0} leads term {1}, commit index {2}",
    "{0} 领导任期 {1}，提交索引 {2}",
]);
pub const ROW_TERM: T = T::Own(["term {0}", "任期 {0}"]);
pub const VOTED_FOR: T = T::Own(["term {0}, voted for {1}", "任期 {0}，投票给 {1}"]);
pub const CONFIGURATION: T = T::Own([
    "configuration: {0} (a majority is {1})",
    "配置：{0}（多数派为 {1}）",
]);
pub const OUTSIDE: T = T::Own(["outside its configuration", "不在自己的配置中"]);
pub const INV_ELECTION_SAFETY: T = T::Own([
    "election safety: one leader per term",
    "选举安全：每个任期至多一个领导者",
]);
pub const INV_LEADER_APPEND_ONLY: T = T::Own(["leaders only append", "领导者只追加日志"]);
pub const INV_LOG_MATCHING: T = T::Own(["log matching", "日志匹配"]);
pub const INV_LEADER_COMPLETENESS: T = T::Own([
    "leader completeness: leaders hold every committed entry",
    "领导者完整性：领导者拥有所有已提交的条目",
]);
pub const INV_STATE_MACHINE_SAFETY: T = T::Own([
    "replicas apply the same log in order",
    "副本按顺序应用相同的日志",
]);
pub const INV_TERMS_NEVER_GO_BACK: T = T::Own(["terms never go back", "任期从不倒退"]);
pub const INV_COMMITTED_NEVER_CHANGE: T =
    T::Own(["committed entries never change", "已提交的条目从不改变"]);

/// Every text of this file, for the translation and font tests.
pub const ALL: &[T] = &[
    LESSONS,
    OPEN_SANDBOX,
    PROTOCOL,
    LEADER_IN,
    CANDIDATE_IN,
    PRE_CANDIDATE_IN,
    FOLLOWER_OF,
    FOLLOWER_IN,
    LOG_COMMIT_APPLIED,
    TERM,
    LOG_TITLE,
    LOG_EMPTY,
    ROW_HOVER,
    ENTRY_COMMITTED,
    ENTRY_UNCOMMITTED,
    LOG_LEGEND,
    NO_LEADER,
    CAMPAIGNS,
    LEADS,
    ROW_TERM,
    VOTED_FOR,
    CONFIGURATION,
    OUTSIDE,
    INV_ELECTION_SAFETY,
    INV_LEADER_APPEND_ONLY,
    INV_LOG_MATCHING,
    INV_LEADER_COMPLETENESS,
    INV_STATE_MACHINE_SAFETY,
    INV_TERMS_NEVER_GO_BACK,
    INV_COMMITTED_NEVER_CHANGE,
];

/// The translated name of a Raft invariant, by its stable id.
pub fn invariant_name(id: &str) -> T {
    match id {
        "election-safety" => INV_ELECTION_SAFETY,
        "leader-append-only" => INV_LEADER_APPEND_ONLY,
        "log-matching" => INV_LOG_MATCHING,
        "leader-completeness" => INV_LEADER_COMPLETENESS,
        "state-machine-safety" => INV_STATE_MACHINE_SAFETY,
        "terms-never-go-back" => INV_TERMS_NEVER_GO_BACK,
        "committed-never-change" => INV_COMMITTED_NEVER_CHANGE,
        "exactly-once" => T::MpInvExactlyOnce,
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
