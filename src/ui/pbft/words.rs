//! PBFT's own texts, in English and Simplified Chinese, kept with its views: the shared table
//! (`ui::i18n`) holds only what every protocol uses. Each is a `T`, so any view takes it.

use crate::ui::i18n::T;

pub const LESSONS: T = T::Own([
    "Byzantine faults: when nodes lie (PBFT)",
    "拜占庭故障：当节点说谎时（PBFT）",
]);
pub const OPEN_SANDBOX: T = T::Own([
    "PBFT sandbox: a store that survives liars",
    "PBFT 沙盒：能容忍说谎者的键值存储",
]);
pub const PROTOCOL: T = T::Own([
    "PBFT (the same store, Byzantine faults)",
    "PBFT（同样的键值存储，拜占庭故障）",
]);
pub const PRIMARY_IN: T = T::Own(["primary of view {0}", "视图 {0} 的主节点"]);
pub const BACKUP_IN: T = T::Own(["backup in view {0}", "视图 {0} 的备份节点"]);
pub const CHANGING_TO: T = T::Own(["asks for view {0}", "请求视图 {0}"]);
pub const EXECUTED_UPTO: T = T::Own(["executed {0}", "已执行 {0}"]);
pub const VIEW: T = T::Own(["view {0}", "视图 {0}"]);
pub const LOG_EMPTY: T = T::Own(["(nothing yet)", "（尚无内容）"]);
pub const ROW_HOVER: T = T::Own([
    "{0}: view {1}, executed up to slot {2}",
    "{0}：视图 {1}，已执行到槽位 {2}",
]);
pub const STAGE_PRE_PREPARED: T = T::Own(["pre-prepared", "已预准备"]);
pub const STAGE_PREPARED: T = T::Own(["prepared", "已准备（PBFT 的准备阶段完成）"]);
pub const STAGE_COMMITTED: T = T::Own(["committed-local", "本地已提交"]);
pub const STAGE_EXECUTED: T = T::Own(["executed", "已执行"]);
pub const CELL_HOVER: T = T::Own([
    "slot {0}: {1}, {2} ({3} prepares, {4} commits heard)",
    "槽位 {0}：{1}，{2}（收到 {3} 个准备消息，{4} 个提交消息）",
]);
pub const LOG_LEGEND: T = T::Own([
    "PP pre-prepared · P prepared (pre-prepare + 2f prepares) · C committed-local (2f + 1 commits) · E executed. ★ the primary; red: a liar.",
    "PP 已预准备 · P 已准备（预准备 + 2f 个准备消息）· C 本地已提交（2f + 1 个提交消息）· E 已执行。★ 主节点；红色：说谎者。",
]);
pub const PANEL_VIEW: T = T::Own(["View", "视图"]);
pub const PANEL_PRIMARY: T = T::Own(["Primary", "主节点"]);
pub const PANEL_QUORUM: T = T::Own(["Quorum (n − f)", "法定人数（n − f）"]);
pub const PANEL_REPLIES: T = T::Own([
    "Replies a client needs (f + 1)",
    "客户端需要的回复数（f + 1）",
]);
pub const PANEL_CHANGING: T = T::Own(["Asking for a new view", "正在请求新视图"]);
pub const PANEL_EXECUTED: T = T::Own(["Requests executed", "已执行的请求"]);
pub const BOUND_HOLDS: T = T::Own([
    "n = {0} ≥ 3f + 1 = {1}: any two quorums of {2} share an honest replica",
    "n = {0} ≥ 3f + 1 = {1}：任意两个 {2} 个副本的法定人数都至少共有一个诚实副本",
]);
pub const BOUND_BROKEN: T = T::Own([
    "n = {0} < 3f + 1 = {1}: two quorums of {2} may meet only in a liar",
    "n = {0} < 3f + 1 = {1}：两个 {2} 个副本的法定人数可能只在一个说谎者处相交",
]);
pub const TOO_MANY_LIARS: T = T::Own([
    "{0} liars, but the quorums are sized for f = {1}",
    "{0} 个说谎者，但法定人数只按 f = {1} 设计",
]);
pub const INV_COMMIT_AGREEMENT: T = T::Own([
    "honest replicas commit one request per slot",
    "诚实副本在每个槽位只提交一个请求",
]);
pub const INV_EXECUTION_AGREEMENT: T = T::Own([
    "honest replicas execute the same requests in order",
    "诚实副本按顺序执行相同的请求",
]);
pub const INV_CLIENT_ACCEPTS_ONCE: T = T::Own([
    "a client accepts one result per request",
    "客户端对每个请求只接受一个结果",
]);

/// Every text of this file, for the translation and font tests.
pub const ALL: &[T] = &[
    LESSONS,
    OPEN_SANDBOX,
    PROTOCOL,
    PRIMARY_IN,
    BACKUP_IN,
    CHANGING_TO,
    EXECUTED_UPTO,
    VIEW,
    LOG_EMPTY,
    ROW_HOVER,
    STAGE_PRE_PREPARED,
    STAGE_PREPARED,
    STAGE_COMMITTED,
    STAGE_EXECUTED,
    CELL_HOVER,
    LOG_LEGEND,
    PANEL_VIEW,
    PANEL_PRIMARY,
    PANEL_QUORUM,
    PANEL_REPLIES,
    PANEL_CHANGING,
    PANEL_EXECUTED,
    BOUND_HOLDS,
    BOUND_BROKEN,
    TOO_MANY_LIARS,
    INV_COMMIT_AGREEMENT,
    INV_EXECUTION_AGREEMENT,
    INV_CLIENT_ACCEPTS_ONCE,
];

/// The translated name of a PBFT invariant, by its stable id.
pub fn invariant_name(id: &str) -> T {
    match id {
        "commit-agreement" => INV_COMMIT_AGREEMENT,
        "execution-agreement" => INV_EXECUTION_AGREEMENT,
        "client-accepts-once" => INV_CLIENT_ACCEPTS_ONCE,
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
