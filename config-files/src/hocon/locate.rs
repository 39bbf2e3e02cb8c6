//! Where a key path is written in a [`Tree`]. A HOCON value may be written in several
//! places (an object given twice merges, `a.b = 1` defines `a` too), so the search goes
//! from the last definition back, as the last one wins.

use homeamp_schemas::Segment;

use super::tree::{Id, Kind, Member, Separator, Tree};

/// Where a value sits: the field that gives it, or its place in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Site {
    Field { object: Id, index: usize },
    Item { array: Id, index: usize },
}

/// Where a missing key (or the item just past a list's end) can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// Inside this object, as a new field naming the rest of the path.
    Object(Id),
    /// Just after this field (`a.b.c = 1`), whose key already names `shared` segments of
    /// the path: the new field repeats them (`a.b.d = …`).
    AfterField {
        object: Id,
        index: usize,
        shared: usize,
    },
    /// At the end of this list.
    Array(Id),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// The value at the whole path.
    Value { node: Id, site: Site },
    /// The path is missing; its first `depth` segments exist and the rest goes at `place`.
    Missing { place: Place, depth: usize },
    /// The first `depth` segments lead to this value, which is not an object or a list the
    /// rest can go into (a string, a substitution, a concatenation, or a list given a key).
    Blocked {
        node: Id,
        site: Option<Site>,
        depth: usize,
    },
    /// The path leads to or through a list built with `+=`, which has no text of its own
    /// to edit.
    Appended { depth: usize },
    /// The path names an object that exists only through dotted keys (`a.b = 1` makes
    /// `a`), with no `{ }` of its own to replace.
    Implicit { depth: usize },
}

pub(super) fn find(tree: &Tree, path: &[Segment]) -> Found {
    descend(tree, tree.root, None, path, 0)
}

/// The search inside the value `id` (at `site`) for `path`, which starts at `depth`.
fn descend(tree: &Tree, id: Id, site: Option<Site>, path: &[Segment], depth: usize) -> Found {
    let Some(first) = path.first() else {
        return match site {
            Some(site) => Found::Value { node: id, site },
            None => Found::Blocked {
                node: id,
                site,
                depth,
            },
        };
    };
    match (&tree.nodes[id].kind, first) {
        (Kind::Object(_), Segment::Key(_)) => in_object(tree, id, path, depth),
        (Kind::Array(items), Segment::Index(i)) => match items.get(*i) {
            Some(&item) => descend(
                tree,
                item,
                Some(Site::Item {
                    array: id,
                    index: *i,
                }),
                &path[1..],
                depth + 1,
            ),
            None => Found::Missing {
                place: Place::Array(id),
                depth,
            },
        },
        _ => Found::Blocked {
            node: id,
            site,
            depth,
        },
    }
}

fn in_object(tree: &Tree, object: Id, path: &[Segment], depth: usize) -> Found {
    let Kind::Object(o) = &tree.nodes[object].kind else {
        unreachable!("in_object is called on objects");
    };
    let mut best = Found::Missing {
        place: Place::Object(object),
        depth,
    };
    let mut best_depth = depth;
    for (index, member) in o.members.iter().enumerate().rev() {
        let Member::Field(field) = member else {
            continue;
        };
        let shared = field
            .path
            .iter()
            .zip(path)
            .take_while(|(k, s)| matches!(s, Segment::Key(s) if s == *k))
            .count();
        if shared == 0 {
            continue;
        }
        let site = Site::Field { object, index };
        if shared == field.path.len() && field.separator == Separator::Append {
            return Found::Appended {
                depth: depth + shared,
            };
        }
        if shared == field.path.len() {
            let found = descend(
                tree,
                field.value,
                Some(site),
                &path[shared..],
                depth + shared,
            );
            match found {
                // An object given earlier may still hold the key: keep looking.
                Found::Missing { depth: d, .. } if is_object(tree, field.value) => {
                    if d > best_depth {
                        best = found;
                        best_depth = d;
                    }
                }
                _ => return found,
            }
        } else if shared == path.len() {
            return Found::Implicit {
                depth: depth + shared,
            };
        } else if depth + shared > best_depth {
            best = Found::Missing {
                place: Place::AfterField {
                    object,
                    index,
                    shared,
                },
                depth: depth + shared,
            };
            best_depth = depth + shared;
        }
    }
    best
}

fn is_object(tree: &Tree, id: Id) -> bool {
    matches!(tree.nodes[id].kind, Kind::Object(_))
}
