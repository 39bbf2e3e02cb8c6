//! `homeamp import`: the prototype's fleet data into a desired-state repository.
//!
//! The source folder (`examples/archivesmp/source` is the real one) holds
//! `instances.sql` (the inventory), `deployment_matrix.csv`, `aliases.yaml` and, per
//! platform, `<platform>/universal_configs.json` and `<platform>/variable_configs.json`.
//! The import reads all of it first and writes nothing when any file is malformed
//! (`file:line:col: message`). Then it writes, as one commit, `homeamp.yaml`,
//! `deployment_matrix.csv` and `plugins/<platform>/<Plugin>.yaml`; next to the
//! repository (never in it) `<out>.secrets.env` (mode 0600) and
//! `<out>.import-report.json`.
//!
//! Map of the flow, one file per step:
//! - [`source_json`], [`inventory`], [`matrix`], [`aliases`]: reading the sources;
//! - [`files`]: which file and key path a source key is;
//! - [`settings`]: source settings into per-plugin drafts, with moves and drops;
//! - [`deploy`]: deployments from the evidence, and the matrix to write;
//! - [`fleet`]: the fleet file, `homeamp.yaml`;
//! - [`secrets`], [`plugin_files`]: secrets out, file formats chosen, values linted;
//! - [`emit`], [`repo`]: bytes and the commit; [`report`]: what it all did.
//!
//! Output is deterministic: the same input gives byte-identical files.

pub mod aliases;
pub mod deploy;
pub mod emit;
pub mod error;
pub mod files;
pub mod fleet;
pub mod inventory;
pub mod matrix;
pub mod plugin_files;
pub mod repo;
pub mod report;
pub mod secrets;
pub mod settings;
pub mod source_json;

#[cfg(test)]
mod real_data_tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use homeamp_schemas::desired::Platform;

pub use error::ImportError;
pub use report::ImportReport;

use aliases::Names;
use report::{AliasLine, UnknownName};
use settings::{PlatformData, UniversalItem, VariableItem};
use source_json::{FiledUniversal, FiledVariable, FlatUniversal, FlatVariable, StrictMap};

/// What to convert.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    pub from: PathBuf,
    /// An aliases file; default `<from>/aliases.yaml` when it exists.
    pub aliases_file: Option<PathBuf>,
    /// `OLD=NEW` flags; they override the file.
    pub aliases: Vec<String>,
    /// The server that runs the host; default: see [`fleet`].
    pub host_server: Option<String>,
}

/// Where to write.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub convert: ConvertOptions,
    pub out: PathBuf,
    /// Default `<out>.secrets.env` beside the repository.
    pub secrets_file: Option<PathBuf>,
    /// Default `<out>.import-report.json` beside the repository.
    pub report_file: Option<PathBuf>,
}

/// The import in memory, before anything is written.
#[derive(Debug)]
pub struct Converted {
    /// Repository path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The `secrets.env` text.
    pub secrets_env: String,
    pub report: ImportReport,
}

/// What an import wrote.
#[derive(Debug)]
pub struct ImportOutcome {
    pub report: ImportReport,
    pub repo: PathBuf,
    /// `None` when the repository already held exactly this import.
    pub commit: Option<String>,
    pub secrets_file: PathBuf,
    pub report_file: PathBuf,
}

const SQL: &str = "instances.sql";
const MATRIX: &str = "deployment_matrix.csv";
const ALIASES: &str = "aliases.yaml";

fn read_text(path: &Path) -> Result<Option<String>, ImportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ImportError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn flat_universal(data: FlatUniversal) -> Vec<(String, Vec<UniversalItem>)> {
    data.0
        .into_iter()
        .map(|(plugin, StrictMap(keys))| {
            let items = keys
                .into_iter()
                .map(|(key, v)| UniversalItem {
                    file: None,
                    key,
                    value: v.0,
                })
                .collect();
            (plugin, items)
        })
        .collect()
}

fn filed_universal(data: FiledUniversal) -> Vec<(String, Vec<UniversalItem>)> {
    data.0
        .into_iter()
        .map(|(plugin, StrictMap(files))| {
            let items = files
                .into_iter()
                .flat_map(|(file, StrictMap(keys))| {
                    keys.into_iter().map(move |(key, v)| UniversalItem {
                        file: Some(file.clone()),
                        key,
                        value: v.0,
                    })
                })
                .collect();
            (plugin, items)
        })
        .collect()
}

fn values(map: StrictMap<source_json::SrcValue>) -> Vec<(String, homeamp_schemas::Value)> {
    map.0
        .into_iter()
        .map(|(instance, v)| (instance, v.0))
        .collect()
}

fn flat_variable(data: FlatVariable) -> Vec<(String, Vec<VariableItem>)> {
    data.0
        .into_iter()
        .map(|(plugin, StrictMap(keys))| {
            let items = keys
                .into_iter()
                .map(|(key, m)| VariableItem {
                    file: None,
                    key,
                    values: values(m),
                })
                .collect();
            (plugin, items)
        })
        .collect()
}

fn filed_variable(data: FiledVariable) -> Vec<(String, Vec<VariableItem>)> {
    data.0
        .into_iter()
        .map(|(plugin, StrictMap(files))| {
            let items = files
                .into_iter()
                .flat_map(|(file, StrictMap(keys))| {
                    keys.into_iter().map(move |(key, m)| VariableItem {
                        file: Some(file.clone()),
                        key,
                        values: values(m),
                    })
                })
                .collect();
            (plugin, items)
        })
        .collect()
}

/// Reads one platform's two files (velocity's nest one level deeper, per file).
fn read_platform(
    from: &Path,
    platform: Platform,
    files_read: &mut Vec<String>,
) -> Result<PlatformData, ImportError> {
    let universal_file = format!("{platform}/universal_configs.json");
    let variable_file = format!("{platform}/variable_configs.json");
    let (u_path, v_path) = (from.join(&universal_file), from.join(&variable_file));
    let (universal, variable) = if platform == Platform::Velocity {
        (
            source_json::read_optional::<FiledUniversal>(&u_path)?.map(filed_universal),
            source_json::read_optional::<FiledVariable>(&v_path)?.map(filed_variable),
        )
    } else {
        (
            source_json::read_optional::<FlatUniversal>(&u_path)?.map(flat_universal),
            source_json::read_optional::<FlatVariable>(&v_path)?.map(flat_variable),
        )
    };
    if universal.is_some() {
        files_read.push(universal_file.clone());
    }
    if variable.is_some() {
        files_read.push(variable_file.clone());
    }
    Ok(PlatformData {
        platform: (universal.is_some() || variable.is_some()).then_some(platform),
        universal_file,
        variable_file,
        universal: universal.unwrap_or_default(),
        variable: variable.unwrap_or_default(),
    })
}

/// Reads and converts the source; writes nothing.
pub fn convert(options: &ConvertOptions) -> Result<Converted, ImportError> {
    let from = &options.from;
    let not_a_source = || ImportError::NotASource { path: from.clone() };
    if !from.is_dir() {
        return Err(not_a_source());
    }
    let mut report = ImportReport {
        source: display(from),
        ..ImportReport::default()
    };
    let sql_path = from.join(SQL);
    let sql = read_text(&sql_path)?.ok_or_else(not_a_source)?;
    let inventory = inventory::parse(&display(&sql_path), &sql)?;
    report.files_read.push(SQL.into());

    let mut names = Names::new(inventory.iter().map(|i| i.id.clone()));
    let aliases_path = options
        .aliases_file
        .clone()
        .unwrap_or_else(|| from.join(ALIASES));
    match read_text(&aliases_path)? {
        Some(text) => {
            names.add_file(&display(&aliases_path), &text)?;
            report.files_read.push(match &options.aliases_file {
                Some(path) => display(path),
                None => ALIASES.into(),
            });
        }
        None if options.aliases_file.is_some() => {
            return Err(ImportError::Read {
                path: aliases_path,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        None => {}
    }
    for flag in &options.aliases {
        names.add_flag(flag)?;
    }

    let matrix_path = from.join(MATRIX);
    let matrix = match read_text(&matrix_path)? {
        Some(text) => {
            report.files_read.push(MATRIX.into());
            Some(matrix::parse(&display(&matrix_path), &text)?)
        }
        None => None,
    };
    let mut platforms = Vec::new();
    for platform in Platform::ALL {
        platforms.push(read_platform(from, platform, &mut report.files_read)?);
    }
    if platforms.iter().all(|p| p.platform.is_none()) {
        return Err(not_a_source());
    }

    // Settings, deployments, fleet.
    let platform_of: BTreeMap<String, Platform> = inventory
        .iter()
        .map(|i| (i.id.clone(), i.platform))
        .collect();
    let mut drafts = settings::build(&platforms, &names, &platform_of, &mut report);
    let plugins: BTreeSet<(Platform, String)> = drafts.plugins.keys().cloned().collect();
    let (deployments, matrix_out) = deploy::resolve(
        matrix.as_ref(),
        MATRIX,
        &plugins,
        &drafts.evidence,
        &inventory,
        &names,
        &mut drafts.alias_uses,
        &mut drafts.unknown,
        &mut report,
    );
    report.counts.matrix_rows_in = matrix.as_ref().map_or(0, |m| m.rows.len());
    report.counts.matrix_rows_out = matrix_out.rows.len();
    // A deployed plugin needs a plugin file, even an empty one (matrix rows of the
    // proxy's plugins, deployed by platform, have no settings in the source).
    for key in deployments.keys() {
        if !drafts.plugins.contains_key(key) {
            let draft = drafts.plugins.entry(key.clone()).or_default();
            draft.sources.insert(MATRIX.into());
            report.notes.push(format!(
                "plugins/{}/{}.yaml created without settings: the matrix lists {} and it is deployed",
                key.0,
                plugin_files::file_stem(&key.1).0,
                key.1
            ));
        }
    }
    let fleet = fleet::build(
        &inventory,
        &names,
        options.host_server.as_deref(),
        &mut report,
    )?;
    alias_report(&names, &drafts, &mut report);

    let mut secrets = secrets::SecretBook::default();
    let plugin_outs = plugin_files::build(
        std::mem::take(&mut drafts.plugins),
        &mut secrets,
        &mut report,
    );
    report.counts.universal_settings_dropped = report
        .dropped
        .iter()
        .filter(|d| d.kind == "universal")
        .map(|d| d.count)
        .sum();
    report.counts.variable_values_dropped = report
        .dropped
        .iter()
        .filter(|d| d.kind == "variable")
        .map(|d| d.count)
        .sum();

    let mut files = BTreeMap::new();
    let mut fleet_sources = vec![SQL.to_string()];
    if let Some(file) = report
        .files_read
        .iter()
        .find(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
    {
        fleet_sources.push(file.clone());
    }
    if !options.aliases.is_empty() {
        fleet_sources.push("--alias flags".into());
    }
    files.insert(
        "homeamp.yaml".to_string(),
        emit::fleet(&fleet, &fleet_sources)?,
    );
    files.insert(
        MATRIX.to_string(),
        matrix::write(&matrix_out.columns, &matrix_out.rows)?,
    );
    for out in plugin_outs {
        let sources: Vec<String> = out.sources.iter().cloned().collect();
        let bytes = emit::plugin(&out.path, &out.file, &sources)?;
        files.insert(out.path, bytes);
    }
    Ok(Converted {
        files,
        secrets_env: secrets.env_file(),
        report,
    })
}

fn alias_report(names: &Names, drafts: &settings::Drafts, report: &mut ImportReport) {
    for (old, alias) in names.aliases() {
        let line = |used_in: Vec<String>| AliasLine {
            from: old.clone(),
            to: alias.to.clone(),
            origin: alias.origin.0.clone(),
            used_in,
        };
        match drafts.alias_uses.get(old) {
            Some(files) => report
                .aliases_applied
                .push(line(files.iter().cloned().collect())),
            None => report.aliases_unused.push(line(Vec::new())),
        }
    }
    let mut unknown: BTreeMap<&String, (BTreeSet<String>, usize)> =
        drafts.unknown.iter().map(|(k, v)| (k, v.clone())).collect();
    for name in names.declared_unknown() {
        unknown.entry(name).or_default();
    }
    for (name, (seen_in, count)) in unknown {
        report.unknown_names.push(UnknownName {
            name: name.clone(),
            declared_unknown: names.declared_unknown().contains(name),
            seen_in: seen_in.into_iter().collect(),
            values_not_imported: count,
        });
    }
}

/// `<dir>/<name><suffix>` beside `out`.
fn beside(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fleet".into());
    out.with_file_name(format!("{name}{suffix}"))
}

fn absolute(path: &Path) -> Result<PathBuf, ImportError> {
    let abs = std::path::absolute(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    // Resolve what exists (symlinks, `..`), keep the rest as written.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return Ok(abs),
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(out)
}

/// Converts, then writes the repository (one commit), the secrets and the report.
pub fn import(options: &ImportOptions) -> Result<ImportOutcome, ImportError> {
    let converted = convert(&options.convert)?;
    let out = absolute(&options.out)?;
    let secrets_file = absolute(
        &options
            .secrets_file
            .clone()
            .unwrap_or_else(|| beside(&out, ".secrets.env")),
    )?;
    let report_file = absolute(
        &options
            .report_file
            .clone()
            .unwrap_or_else(|| beside(&out, ".import-report.json")),
    )?;
    for path in [&secrets_file, &report_file] {
        if path.starts_with(&out) {
            return Err(ImportError::InsideRepo {
                path: path.clone(),
                repo: out.clone(),
            });
        }
    }
    if options.secrets_file.is_none() {
        refuse_inside_a_work_tree(&secrets_file)?;
    }
    let target = repo::check(&out)?;
    let report_json =
        serde_json::to_string_pretty(&converted.report).map_err(|err| ImportError::Serialize {
            what: "the import report".into(),
            message: err.to_string(),
        })?;
    let c = &converted.report.counts;
    let message = format!(
        "Import the fleet from {}\n\n{} servers, {} instances, {} plugins, {} files, {} deployments.\nUniversal settings: {} written, {} not imported; variable values: {} written, {} not imported.\nSee the import report for every assumption and everything not imported.\n",
        options.convert.from.display(),
        c.servers,
        c.instances,
        c.plugins,
        c.files,
        c.deployments,
        c.universal_settings_written,
        c.universal_settings_dropped,
        c.variable_values_written,
        c.variable_values_dropped,
    );
    let commit = repo::commit(&target, &converted.files, &message)?;
    write_private(&secrets_file, converted.secrets_env.as_bytes())?;
    write_file(&report_file, format!("{report_json}\n").as_bytes())?;
    Ok(ImportOutcome {
        report: converted.report,
        repo: out,
        commit,
        secrets_file,
        report_file,
    })
}

/// The default secrets file lands beside the repository; when that folder is itself in
/// a git working tree (`--out fleet` inside a checkout), one `git add -A` would commit the
/// secrets there. Refuse and ask for `--secrets`.
fn refuse_inside_a_work_tree(secrets_file: &Path) -> Result<(), ImportError> {
    let mut dir = secrets_file.parent();
    while let Some(d) = dir {
        if d.exists() {
            break;
        }
        dir = d.parent();
    }
    let Some(dir) = dir else { return Ok(()) };
    match git2::Repository::discover(dir) {
        Ok(repo) => match repo.workdir() {
            Some(workdir) => Err(ImportError::SecretsInWorkTree {
                path: secrets_file.to_path_buf(),
                work_tree: workdir.to_path_buf(),
            }),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ImportError> {
    let fail = |source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(path, bytes).map_err(fail)
}

/// Writes a file readable by its owner only (0600), also when it existed before.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ImportError> {
    use std::io::Write;
    let fail = |source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path).map_err(fail)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
        file.write_all(bytes).map_err(fail)
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path).map_err(fail)?;
        file.write_all(bytes).map_err(fail)
    }
}
