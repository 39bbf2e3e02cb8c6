//! Finding the node a key path names, with what owns it (a map entry, a list item, the root).

use homeamp_schemas::{KeyPath, Segment};

use super::tree::{Kind, NodeId, Tree};
use super::value::{is_merge_key, node_value};
use crate::error::EditError;

#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Root,
    Entry { map: NodeId, index: usize },
    Item { seq: NodeId, index: usize },
}

#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub node: NodeId,
    pub owner: Owner,
    /// Inside a flow collection (`[ ]` / `{ }`), where plain scalars have more limits.
    pub in_flow: bool,
}

#[derive(Debug)]
pub enum Located {
    Found(Found),
    /// The path stops existing at segment `depth`; `parent` is the last node that exists.
    Missing {
        parent: Found,
        depth: usize,
    },
    /// The document has no content at all.
    EmptyDocument,
}

fn prefix(path: &KeyPath, len: usize) -> KeyPath {
    KeyPath::from_segments(path.segments()[..len].to_vec())
}

pub fn locate(tree: &Tree, path: &KeyPath) -> Result<Located, EditError> {
    let Some(root) = tree.root else {
        return Ok(Located::EmptyDocument);
    };
    let mut cur = Found {
        node: root,
        owner: Owner::Root,
        in_flow: false,
    };
    for (depth, segment) in path.segments().iter().enumerate() {
        let node = tree.node(cur.node);
        let in_flow = cur.in_flow || node.is_flow_collection();
        match (&node.kind, segment) {
            (Kind::Alias(_), _) => return Err(EditError::ThroughAlias { path: path.clone() }),
            (Kind::Map(map), Segment::Key(key)) => {
                let found = map
                    .entries
                    .iter()
                    .rposition(|e| e.key == *key && !is_merge_key(&e.key, e.key_style));
                match found {
                    Some(index) => {
                        cur = Found {
                            node: map.entries[index].value,
                            owner: Owner::Entry {
                                map: cur.node,
                                index,
                            },
                            in_flow,
                        };
                    }
                    None => {
                        let merged = map
                            .entries
                            .iter()
                            .any(|e| is_merge_key(&e.key, e.key_style))
                            && matches!(node_value(tree, cur.node), homeamp_schemas::Value::Map(m) if m.contains_key(key));
                        if merged && depth + 1 < path.len() {
                            return Err(EditError::ThroughAlias { path: path.clone() });
                        }
                        return Ok(Located::Missing { parent: cur, depth });
                    }
                }
            }
            (Kind::Map(_), Segment::Index(_)) => {
                return Err(EditError::IndexIntoMap {
                    path: path.clone(),
                    parent: prefix(path, depth),
                });
            }
            (Kind::Seq(seq), Segment::Index(i)) => match seq.items.get(*i) {
                Some(item) => {
                    cur = Found {
                        node: item.value,
                        owner: Owner::Item {
                            seq: cur.node,
                            index: *i,
                        },
                        in_flow,
                    };
                }
                None => return Ok(Located::Missing { parent: cur, depth }),
            },
            (Kind::Seq(_), Segment::Key(_)) => {
                return Err(EditError::KeyIntoList {
                    path: path.clone(),
                    parent: prefix(path, depth),
                });
            }
            (Kind::Scalar(_), _) => return Ok(Located::Missing { parent: cur, depth }),
        }
    }
    Ok(Located::Found(cur))
}
