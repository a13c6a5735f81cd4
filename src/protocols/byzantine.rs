//! What every protocol's config says about lying nodes: which nodes are Byzantine, checked the
//! same way for all (each id in the cluster, none twice, some node honest, and only nodes whose
//! role sends messages, since a node that sends nothing has nothing to lie with).

use crate::sim::ids::NodeId;

/// Checks a config's `byzantine` list; the message starts with the field's name.
pub fn check(
    byzantine: &[NodeId],
    roster: &[NodeId],
    sends_nothing: impl Fn(NodeId) -> Option<&'static str>,
) -> Result<(), String> {
    let mut seen: Vec<NodeId> = Vec::new();
    for &id in byzantine {
        if !roster.contains(&id) {
            return Err(format!("byzantine: there is no node {id} in this cluster"));
        }
        if seen.contains(&id) {
            return Err(format!("byzantine: {id} is listed twice"));
        }
        if let Some(why) = sends_nothing(id) {
            return Err(format!("byzantine: {id} cannot lie: {why}"));
        }
        seen.push(id);
    }
    if !byzantine.is_empty() && byzantine.len() >= roster.len() {
        return Err(format!(
            "byzantine: {} of the {} nodes would lie, and safety is only judged among honest ones",
            byzantine.len(),
            roster.len()
        ));
    }
    Ok(())
}

/// Whether a config field holding the Byzantine nodes is empty (serde leaves it out then, so
/// files written before lies existed read and write the same).
pub fn none(byzantine: &[NodeId]) -> bool {
    byzantine.is_empty()
}

/// The ids given to `--byzantine`, read.
pub fn parse(ids: &[String]) -> Result<Vec<NodeId>, String> {
    ids.iter()
        .map(|s| {
            s.parse::<NodeId>()
                .map_err(|e| format!("--byzantine {s}: {e}"))
        })
        .collect()
}
