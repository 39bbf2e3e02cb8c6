//! The alias-expansion and nesting bounds of a read tree ([`YAML_BOUNDS`]).
//!
//! The tree keeps an alias as a reference to its anchor's node, so reading is cheap
//! whatever the aliases stand for; the cost comes when values are built (`value.rs` copies
//! what an alias names). A few hundred bytes of nested aliases can stand for billions of
//! nodes, so before any value is built every node's expanded size and depth are counted
//! (children are always in the arena before their parent, and an anchor's node before its
//! aliases), and a document over a bound is refused at the alias or node that crosses it.

use homeamp_schemas::limits::YAML_BOUNDS;

use super::tree::{Kind, Tree};
use crate::error::ParseError;

pub fn check(text: &str, tree: &Tree) -> Result<(), ParseError> {
    let mut size = vec![0u64; tree.nodes.len()];
    let mut depth = vec![0usize; tree.nodes.len()];
    let mut added = 0u64;
    for (id, node) in tree.nodes.iter().enumerate() {
        let children: Vec<usize> = match &node.kind {
            Kind::Scalar(_) => Vec::new(),
            Kind::Alias(target) => {
                debug_assert!(*target < id, "an anchor's node comes before its aliases");
                size[id] = size[*target];
                depth[id] = depth[*target];
                added = added.saturating_add(size[id]);
                if added > YAML_BOUNDS.max_alias_nodes {
                    return Err(ParseError::at(
                        text,
                        node.content.start,
                        YAML_BOUNDS.alias_message(),
                    ));
                }
                continue;
            }
            Kind::Seq(seq) => seq.items.iter().map(|item| item.value).collect(),
            Kind::Map(map) => map.entries.iter().map(|entry| entry.value).collect(),
        };
        debug_assert!(children.iter().all(|&child| child < id));
        size[id] = children
            .iter()
            .fold(1u64, |total, &child| total.saturating_add(size[child]));
        depth[id] = match node.kind {
            Kind::Scalar(_) => 0,
            _ => {
                1 + children
                    .iter()
                    .map(|&child| depth[child])
                    .max()
                    .unwrap_or(0)
            }
        };
        if depth[id] > YAML_BOUNDS.max_depth {
            return Err(ParseError::at(
                text,
                node.props_start,
                YAML_BOUNDS.depth_message(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::yaml::YamlDocument;

    /// `levels` levels of ten aliases each to the level below (seven: 10^7 nodes).
    fn alias_bomb(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for level in 1..levels {
            let below = vec![format!("*a{}", level - 1); 10].join(",");
            text.push_str(&format!("a{level}: &a{level} [{below}]\n"));
        }
        text
    }

    #[test]
    fn alias_bomb_of_seven_levels_is_refused_at_its_line() {
        let err = YamlDocument::parse(&alias_bomb(7)).unwrap_err();
        assert!(err.message.contains("billion laughs"), "{err}");
        // Level 4 (line 5) is the first to expand past 100,000 nodes.
        assert_eq!(err.line, 5, "{err}");
    }

    #[test]
    fn alias_bomb_of_six_levels_is_refused() {
        let err = YamlDocument::parse(&alias_bomb(6)).unwrap_err();
        assert!(err.message.contains("billion laughs"), "{err}");
    }

    #[test]
    fn a_few_levels_of_aliases_read_as_copies() {
        let doc = YamlDocument::parse(&alias_bomb(3)).unwrap();
        let homeamp_schemas::Value::Map(root) = doc.root_value() else {
            panic!("a map")
        };
        assert!(matches!(&root["a2"], homeamp_schemas::Value::List(l) if l.len() == 10));
    }

    #[test]
    fn nesting_deeper_than_the_bound_is_refused() {
        for deep in [
            format!("{}{}", "[".repeat(150), "]".repeat(150)),
            format!("k: {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            (0..150)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect::<String>(),
        ] {
            let err = YamlDocument::parse(&deep).unwrap_err();
            assert!(err.message.contains("levels deep"), "{err}");
        }
        YamlDocument::parse(&format!("{}{}", "[".repeat(50), "]".repeat(50))).unwrap();
    }
}
