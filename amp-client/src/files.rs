//! FileManagerPlugin: listing, chunked reads, and writes that never leave a torn file.
//!
//! Paths are AMP's: relative to the instance's application folder (`Minecraft/` for a
//! Minecraft instance), `/` separated.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use crate::client::AmpClient;
use crate::error::AmpError;
use crate::session::Target;
use crate::transport::{action, decode};
use crate::wire::DirEntry;

/// Splits `a/b/c.yml` into (`a/b`, `c.yml`).
fn split(path: &str) -> (&str, &str) {
    let path = path.trim_start_matches('/');
    path.rsplit_once('/').unwrap_or(("", path))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A name beside the target no one else uses: a dot file, so it is hidden from most eyes,
/// with a random part, so two writers never share one.
fn sidecar(name: &str, kind: &str) -> String {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    format!(".{name}.homeamp-{}.{kind}", hex::encode(bytes))
}

impl AmpClient {
    /// The entries of a directory (`""` or `"/"` for the root).
    pub async fn list_dir(&self, instance: &str, dir: &str) -> Result<Vec<DirEntry>, AmpError> {
        let m = "FileManagerPlugin/GetDirectoryListing";
        let answer = self
            .call(Target::Instance(instance), m, json!({ "Dir": dir }))
            .await?;
        decode(m, answer)
    }

    /// A whole file, read chunk by chunk until AMP sends an empty one (AMP may send less
    /// than asked, so a short chunk is not the end).
    pub async fn read_file(&self, instance: &str, path: &str) -> Result<Vec<u8>, AmpError> {
        let m = "FileManagerPlugin/ReadFileChunk";
        let mut out = Vec::new();
        loop {
            let args = json!({ "Filename": path, "Offset": out.len(), "ChunkSize": self.chunk });
            let result = action(m, self.call(Target::Instance(instance), m, args).await?)?;
            let text = result.as_str().unwrap_or("");
            let bytes = BASE64.decode(text).map_err(|source| AmpError::Base64 {
                path: path.to_string(),
                source,
            })?;
            if bytes.is_empty() {
                return Ok(out);
            }
            out.extend_from_slice(&bytes);
        }
    }

    /// Writes a whole file so that no reader ever sees it half written, even if this call
    /// stops midway: the bytes go to a temporary name beside it, chunk by chunk, and only a
    /// complete upload is renamed over the target.
    ///
    /// AMP's RenameFile may refuse an existing target (.NET's `File.Move` does); then the old
    /// file is renamed aside first, the new one put in place, and the old one trashed. Between
    /// those two renames the target is briefly absent, never torn.
    pub async fn write_file_atomic(
        &self,
        instance: &str,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), AmpError> {
        let (dir, name) = split(path);
        let temp = join(dir, &sidecar(name, "tmp"));
        let result = self
            .upload_and_swap(instance, dir, name, &temp, bytes)
            .await;
        if result.is_err() {
            // Best effort: a leftover temporary file is harmless but untidy.
            let _ = self.trash(instance, &temp).await;
        }
        result
    }

    async fn upload_and_swap(
        &self,
        instance: &str,
        dir: &str,
        name: &str,
        temp: &str,
        bytes: &[u8],
    ) -> Result<(), AmpError> {
        self.upload(instance, temp, bytes).await?;
        let target = join(dir, name);
        let Err(refused) = self.rename(instance, temp, name).await else {
            return Ok(());
        };
        // Either the target exists and AMP will not replace it, or the rename failed for a
        // reason of its own: moving the old file aside tells the two apart.
        let aside = sidecar(name, "old");
        if self.rename(instance, &target, &aside).await.is_err() {
            return Err(refused);
        }
        if let Err(e) = self.rename(instance, temp, name).await {
            let _ = self.rename(instance, &join(dir, &aside), name).await;
            return Err(e);
        }
        if let Err(e) = self.trash(instance, &join(dir, &aside)).await {
            tracing::warn!(instance, file = %join(dir, &aside), error = %e, "could not trash the replaced file");
        }
        Ok(())
    }

    async fn upload(&self, instance: &str, file: &str, bytes: &[u8]) -> Result<(), AmpError> {
        let m = "FileManagerPlugin/WriteFileChunk";
        let mut offset = 0;
        loop {
            let end = (offset + self.chunk).min(bytes.len());
            let last = end == bytes.len();
            let args = json!({
                "Filename": file,
                "Data": BASE64.encode(&bytes[offset..end]),
                "Offset": offset,
                "FinalChunk": last,
            });
            action(m, self.call(Target::Instance(instance), m, args).await?)?;
            if last {
                return Ok(());
            }
            offset = end;
        }
    }

    /// Renames `file` to `new_name`, a name in the same directory.
    async fn rename(&self, instance: &str, file: &str, new_name: &str) -> Result<(), AmpError> {
        let m = "FileManagerPlugin/RenameFile";
        let args = json!({ "Filename": file, "NewFilename": new_name });
        action(m, self.call(Target::Instance(instance), m, args).await?).map(drop)
    }

    async fn trash(&self, instance: &str, file: &str) -> Result<Value, AmpError> {
        let m = "FileManagerPlugin/TrashFile";
        action(
            m,
            self.call(Target::Instance(instance), m, json!({ "Filename": file }))
                .await?,
        )
    }

    /// Creates the directory `path` (FileManagerPlugin/CreateDirectory); its parent must
    /// exist. An existing directory is AMP's `Status: false`, as any other refusal.
    pub async fn create_dir(&self, instance: &str, path: &str) -> Result<(), AmpError> {
        let m = "FileManagerPlugin/CreateDirectory";
        let args = json!({ "NewPath": path });
        action(m, self.call(Target::Instance(instance), m, args).await?).map(drop)
    }

    /// Deletes a file (AMP moves it to the instance's trash). Deleting a file that is not
    /// there succeeds, so a retried delete job changes nothing the second time.
    pub async fn delete_file(&self, instance: &str, path: &str) -> Result<(), AmpError> {
        match self.trash(instance, path).await {
            Ok(_) => Ok(()),
            Err(e @ AmpError::ActionFailed { .. }) => {
                let (dir, name) = split(path);
                let entries = self.list_dir(instance, dir).await?;
                if entries.iter().any(|d| d.filename == name) {
                    Err(e)
                } else {
                    Ok(())
                }
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_name() {
        assert_eq!(
            split("/plugins/Foo/config.yml"),
            ("plugins/Foo", "config.yml")
        );
        assert_eq!(split("server.properties"), ("", "server.properties"));
        assert_eq!(join("", "a"), "a");
        assert!(sidecar("config.yml", "tmp").starts_with(".config.yml.homeamp-"));
    }
}
