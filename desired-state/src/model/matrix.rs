//! The validated deployment matrix: which plugin runs on which instance, at which version.

use std::collections::BTreeMap;

use homeamp_schemas::desired::Platform;

/// One marked cell: the plugin runs on the instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Deployment {
    /// `True`: whatever version the update source gives.
    Latest,
    /// A version string: pinned to it.
    Pinned(String),
}

impl Deployment {
    /// The pinned version, `None` for `Latest`.
    pub fn version(&self) -> Option<&str> {
        match self {
            Deployment::Latest => None,
            Deployment::Pinned(v) => Some(v),
        }
    }
}

impl std::fmt::Display for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Deployment::Latest => f.write_str("latest"),
            Deployment::Pinned(v) => write!(f, "{v}"),
        }
    }
}

/// One plugin row of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub plugin: String,
    pub platform: Platform,
    pub auto_update: bool,
    pub update_source: String,
    /// Canonical instance name → deployment, for marked cells only.
    pub deployments: BTreeMap<String, Deployment>,
    /// The row's line in `deployment_matrix.csv`.
    pub line: usize,
}

/// The matrix, one row per (platform, plugin).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matrix {
    pub rows: BTreeMap<(Platform, String), MatrixRow>,
}

impl Matrix {
    /// The plugins of `platform` deployed on `instance`, by name.
    pub fn deployed_on<'a>(
        &'a self,
        platform: Platform,
        instance: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Deployment)> + 'a {
        self.rows
            .range((platform, String::new())..)
            .take_while(move |((p, _), _)| *p == platform)
            .filter_map(move |((_, name), row)| {
                row.deployments.get(instance).map(|d| (name.as_str(), d))
            })
    }
}
