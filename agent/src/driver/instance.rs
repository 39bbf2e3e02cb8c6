//! [`Instance`]: one Minecraft instance as any driver names it.

/// An instance a [`Driver`](super::Driver) found. The driver keeps whatever it needs to
/// reach it (a folder, an AMP instance id) keyed by `name`; above the trait an instance
/// is only its name and a description of where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The instance's name: the key the desired state uses.
    pub name: String,
    /// Where the driver found it, for people (a folder's path, "AMP instance …").
    pub location: String,
}
