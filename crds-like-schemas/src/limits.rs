//! Bounds on what one input may cost, shared by every reader of it (`validate`, the host,
//! the agent) so that they refuse the same things. Their meaning and defaults are in
//! `docs/limits.md`.
//!
//! - [`YamlBounds`]: how far a YAML document may grow once its aliases are expanded, and
//!   how deep it may nest (the "billion laughs" guard, after SnakeYAML's
//!   `maxAliasesForCollections` and `nestingDepthLimit`). Fixed: no real config comes near.

/// The alias-expansion and nesting bounds of one YAML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YamlBounds {
    /// Nodes that alias expansion may add to a document, over the nodes written in it.
    pub max_alias_nodes: u64,
    /// Levels of nested maps and lists, aliases expanded.
    pub max_depth: usize,
}

/// The bounds every YAML reader of homeamp applies.
pub const YAML_BOUNDS: YamlBounds = YamlBounds {
    max_alias_nodes: 100_000,
    max_depth: 100,
};

impl YamlBounds {
    /// The message for a document whose aliases expand past `max_alias_nodes`.
    pub fn alias_message(&self) -> String {
        format!(
            "YAML aliases (*name) here expand the document by more than {} nodes (a \"billion laughs\" document): write the values out, or use fewer nested aliases",
            self.max_alias_nodes
        )
    }

    /// The message for a document nested deeper than `max_depth`.
    pub fn depth_message(&self) -> String {
        format!(
            "maps and lists nest more than {} levels deep here (aliases expanded): flatten the document",
            self.max_depth
        )
    }
}
