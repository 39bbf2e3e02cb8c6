//! `homeamp config get|set|remove|flatten`: read and edit one config file in place,
//! losslessly (the `homeamp-configfiles` crate does the work; this file does the IO).
//!
//! Writes are atomic: the new text goes to a temporary file in the same folder, which is
//! synced, given the original's permissions, and renamed over it. A file that does not
//! parse is never written.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use homeamp_configfiles::{Document, Format, KeyPath, Value};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the value at a key path (YAML, or JSON with --format json).
    #[command(
        after_help = "Examples:\n  homeamp config get plugins/Essentials/config.yml chat.radius\n  homeamp config get plugins/LuckPerms/config.yml 'groups.\"essentials.home\"' --format json\n\nExit status: 0 found, 1 missing key or unreadable file."
    )]
    Get(GetArgs),
    /// Set the value at a key path, changing nothing else in the file.
    #[command(
        after_help = "Examples:\n  homeamp config set config.yml settings.enabled true\n  homeamp config set config.yml worlds '[world, world_nether]'\n  homeamp config set server.properties max-players 40\n  homeamp config set config.yml table-prefix 007 --type string\n\nVALUE is a YAML value: true, 42, 1.5, \"text\", [a, b], {k: v}.\nExit status: 0 set (or already so), 1 error (the file is left as it was)."
    )]
    Set(SetArgs),
    /// Remove the key or list item at a key path.
    #[command(after_help = "Example:\n  homeamp config remove config.yml settings.old-option")]
    Remove(RemoveArgs),
    /// Print every leaf value with its key path and type.
    #[command(
        after_help = "Examples:\n  homeamp config flatten config.yml             # path<TAB>type<TAB>value lines\n  homeamp config flatten velocity.toml --format json"
    )]
    Flatten(FlattenArgs),
}

#[derive(clap::Args)]
pub struct FileArgs {
    /// The config file.
    pub file: PathBuf,
    /// Read the file as this format instead of guessing from its extension
    /// (.yml/.yaml/.txt yaml, .properties, .toml, .json, .conf hocon).
    #[arg(long = "as", value_name = "yaml|properties|toml|json|hocon")]
    pub as_format: Option<Format>,
}

#[derive(clap::Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// Key path: dot-separated, `"quoted.segment"` for keys with dots, `[n]` for list items.
    pub path: String,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: ValueOutput,
}

#[derive(clap::Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub file: FileArgs,
    pub path: String,
    /// A YAML value (`true`, `42`, `"text"`, `[a, b]`, `{k: v}`).
    pub value: String,
    /// `string` takes VALUE as text as it is (so `007` stays `007`, `yes` stays `yes`).
    #[arg(long = "type", value_enum)]
    pub value_type: Option<ValueType>,
}

#[derive(clap::Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub file: FileArgs,
    pub path: String,
}

#[derive(clap::Args)]
pub struct FlattenArgs {
    #[command(flatten)]
    pub file: FileArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: FlattenOutput,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ValueOutput {
    Yaml,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FlattenOutput {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ValueType {
    /// Read VALUE as YAML (the default).
    Auto,
    String,
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Get(args) => get(args),
        Command::Set(args) => set(args),
        Command::Remove(args) => remove(args),
        Command::Flatten(args) => flatten(args),
    }
}

fn load(args: &FileArgs) -> anyhow::Result<Document> {
    let file = &args.file;
    let format = match args.as_format {
        Some(f) => f,
        None => Format::from_path(file).ok_or_else(|| {
            anyhow!(
                "{}: cannot tell the format from the file name; pass --as yaml|properties|toml|json|hocon",
                file.display()
            )
        })?,
    };
    let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {}); homeamp reads UTF-8 config files",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Document::parse(format, &text).map_err(|e| {
        anyhow!(
            "{}:{}:{}: {} (not valid {format}; the file was not changed)",
            file.display(),
            e.line,
            e.column,
            e.message
        )
    })
}

fn key_path(text: &str) -> anyhow::Result<KeyPath> {
    KeyPath::parse(text).map_err(|e| anyhow!("{e} (quote a key with dots: a.\"b.c\".d)"))
}

fn get(args: GetArgs) -> anyhow::Result<ExitCode> {
    let doc = load(&args.file)?;
    let path = key_path(&args.path)?;
    let Some(value) = doc.get(&path) else {
        bail!("{}: no value at {path}", args.file.file.display());
    };
    match args.format {
        ValueOutput::Yaml => println!("{}", homeamp_configfiles::to_yaml(&value)),
        ValueOutput::Json => println!("{}", serde_json::to_string_pretty(&value)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn set(args: SetArgs) -> anyhow::Result<ExitCode> {
    let mut doc = load(&args.file)?;
    let file = &args.file.file;
    let path = key_path(&args.path)?;
    let value = match args.value_type {
        Some(ValueType::String) => Value::String(args.value.clone()),
        _ => homeamp_configfiles::parse_yaml_value(&args.value).map_err(|e| {
            anyhow!(
                "VALUE {:?} is not a YAML value ({}:{}: {}); quote it, or pass --type string",
                args.value,
                e.line,
                e.column,
                e.message
            )
        })?,
    };
    let before = doc.to_string();
    doc.set(&path, &value).map_err(|e| {
        anyhow!(
            "{}: cannot set {path}: {e} (the file was not changed)",
            file.display()
        )
    })?;
    if doc.text() == before {
        eprintln!(
            "{}: {path} already has this value; nothing written",
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    write_atomic(file, doc.text().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn remove(args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut doc = load(&args.file)?;
    let file = &args.file.file;
    let path = key_path(&args.path)?;
    let removed = doc.remove(&path).map_err(|e| {
        anyhow!(
            "{}: cannot remove {path}: {e} (the file was not changed)",
            file.display()
        )
    })?;
    if !removed {
        eprintln!("{}: no value at {path}; nothing written", file.display());
        return Ok(ExitCode::SUCCESS);
    }
    write_atomic(file, doc.text().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn flatten(args: FlattenArgs) -> anyhow::Result<ExitCode> {
    let doc = load(&args.file)?;
    let leaves = doc.flatten();
    match args.format {
        FlattenOutput::Text => {
            let mut out = String::new();
            for (path, value) in &leaves {
                let text = homeamp_configfiles::to_yaml(value);
                out.push_str(&format!("{path}\t{}\t{text}\n", value.kind()));
            }
            print!("{out}");
        }
        FlattenOutput::Json => {
            let rows: Vec<serde_json::Value> = leaves
                .iter()
                .map(|(path, value)| {
                    serde_json::json!({ "path": path.to_string(), "type": value.kind(), "value": value })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces `file` with `bytes`: temp file in the same folder, fsync, same permissions,
/// rename, then fsync of the folder so the rename itself is durable.
fn write_atomic(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(file)
        .with_context(|| format!("reading the permissions of {}", file.display()))?
        .permissions();
    let tmp = dir.join(format!(".{name}.homeamp-{}.tmp", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let mut out = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        out.write_all(bytes)?;
        out.set_permissions(permissions)?;
        out.sync_all()?;
        drop(out);
        fs::rename(&tmp, file)?;
        if let Ok(d) = File::open(&dir) {
            // Not every platform can sync a folder; the rename is done either way.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", file.display()))
}
