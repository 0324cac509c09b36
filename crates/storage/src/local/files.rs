//! The local backend's files: objects, their metadata sidecars, and writes through hidden temporary
//! files renamed into place.

use std::path::{Path, PathBuf};

use cattery_domain::{ImageBody, ImageKey, StoredObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::fs::{self, File};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::LocalStore;
use crate::{Result, StorageError};

/// The metadata sidecar of an object.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Meta {
    pub(super) content_type: String,
}

impl LocalStore {
    pub(super) fn object_path(&self, key: &ImageKey) -> PathBuf {
        // `ImageKey::parse` allows no `..`, `//` or leading `/`: the path stays under the root.
        self.objects.join(key.as_str())
    }

    pub(super) fn meta_path(&self, key: &ImageKey) -> PathBuf {
        self.meta.join(format!("{}.json", key.as_str()))
    }

    pub(super) async fn read_meta(&self, key: &ImageKey) -> Result<Option<Meta>> {
        let path = self.meta_path(key);
        match fs::read(&path).await {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StorageError::Metadata {
                        key: key.to_string(),
                        source,
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StorageError::io(
                format!("cannot read {}", path.display()),
                e,
            )),
        }
    }

    pub(super) async fn write_meta(&self, key: &ImageKey, content_type: &str) -> Result<()> {
        let meta = Meta {
            content_type: content_type.to_owned(),
        };
        let bytes = serde_json::to_vec(&meta).map_err(|source| StorageError::Metadata {
            key: key.to_string(),
            source,
        })?;
        let target = self.meta_path(key);
        let (mut file, temp) = create_temp(&target).await?;
        file.write_all(&bytes)
            .await
            .map_err(|e| StorageError::io(format!("cannot write {}", temp.path.display()), e))?;
        finish_file(file, &temp).await?;
        temp.persist().await
    }

    pub(super) async fn stat(&self, key: &ImageKey) -> Result<StoredObject> {
        self.head_file(key)
            .await?
            .ok_or_else(|| StorageError::NotFound(key.to_string()))
    }

    pub(super) async fn head_file(&self, key: &ImageKey) -> Result<Option<StoredObject>> {
        let path = self.object_path(key);
        let metadata = match fs::metadata(&path).await {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StorageError::io(
                    format!("cannot stat {}", path.display()),
                    e,
                ));
            }
        };
        Ok(Some(StoredObject {
            key: key.clone(),
            byte_size: metadata.len(),
            content_type: self.read_meta(key).await?.map(|m| m.content_type),
            last_modified: metadata.modified().ok().map(DateTime::<Utc>::from),
        }))
    }

    pub(super) async fn put_body(
        &self,
        key: &ImageKey,
        body: ImageBody,
        content_type: &str,
    ) -> Result<StoredObject> {
        let target = self.object_path(key);
        let (mut file, temp) = create_temp(&target).await?;
        match body {
            ImageBody::File(source) => {
                let mut input = File::open(&source).await.map_err(|e| {
                    StorageError::io(format!("cannot open {}", source.display()), e)
                })?;
                tokio::io::copy(&mut input, &mut file).await.map_err(|e| {
                    StorageError::io(format!("cannot copy {}", source.display()), e)
                })?;
            }
            ImageBody::Bytes(bytes) => file.write_all(&bytes).await.map_err(|e| {
                StorageError::io(format!("cannot write {}", temp.path.display()), e)
            })?,
        }
        finish_file(file, &temp).await?;
        self.write_meta(key, content_type).await?;
        temp.persist().await?;
        self.stat(key).await
    }

    pub(super) async fn read_head(&self, key: &ImageKey, len: u64) -> Result<Vec<u8>> {
        let path = self.object_path(key);
        let file = match File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(key.to_string()));
            }
            Err(e) => {
                return Err(StorageError::io(
                    format!("cannot open {}", path.display()),
                    e,
                ));
            }
        };
        let mut bytes = Vec::new();
        file.take(len)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| StorageError::io(format!("cannot read {}", path.display()), e))?;
        Ok(bytes)
    }

    pub(super) async fn copy_file(&self, from: &ImageKey, to: &ImageKey) -> Result<()> {
        let source = self.object_path(from);
        let meta = self.read_meta(from).await?;
        let target = self.object_path(to);
        let (file, temp) = create_temp(&target).await?;
        drop(file);
        match fs::copy(&source, &temp.path).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(from.to_string()));
            }
            Err(e) => {
                return Err(StorageError::io(
                    format!(
                        "cannot copy {} to {}",
                        source.display(),
                        temp.path.display()
                    ),
                    e,
                ));
            }
        }
        if let Some(meta) = meta {
            self.write_meta(to, &meta.content_type).await?;
        }
        temp.persist().await
    }

    pub(super) async fn remove(&self, key: &ImageKey) -> Result<()> {
        for (path, base) in [
            (self.object_path(key), &self.objects),
            (self.meta_path(key), &self.meta),
        ] {
            match fs::remove_file(&path).await {
                Ok(()) => remove_empty_parents(&path, base).await,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StorageError::io(
                        format!("cannot remove {}", path.display()),
                        e,
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) async fn list_files(&self, prefix: &str) -> Result<Vec<StoredObject>> {
        let valid = prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_'));
        if !valid || prefix.contains("..") || prefix.starts_with('/') {
            return Err(StorageError::InvalidPrefix(prefix.to_owned()));
        }
        // Walk only the deepest folder the prefix names in full.
        let folder = &prefix[..prefix.rfind('/').map_or(0, |i| i + 1)];
        let mut pending = vec![(self.objects.join(folder), folder.to_owned())];
        let mut objects = Vec::new();
        while let Some((dir, dir_key)) = pending.pop() {
            let mut entries = match fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(StorageError::io(
                        format!("cannot list {}", dir.display()),
                        e,
                    ));
                }
            };
            loop {
                let entry = match entries.next_entry().await {
                    Ok(Some(entry)) => entry,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(StorageError::io(
                            format!("cannot list {}", dir.display()),
                            e,
                        ));
                    }
                };
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                if name.starts_with('.') {
                    continue; // a write in progress
                }
                let key = format!("{dir_key}{name}");
                let file_type = entry.file_type().await.map_err(|e| {
                    StorageError::io(format!("cannot stat {}", entry.path().display()), e)
                })?;
                if file_type.is_dir() {
                    if prefix.starts_with(&key) || key.starts_with(prefix) {
                        pending.push((entry.path(), format!("{key}/")));
                    }
                    continue;
                }
                if !key.starts_with(prefix) {
                    continue;
                }
                let Ok(image_key) = ImageKey::parse(&key) else {
                    tracing::warn!(key, "skipping a file whose path is not an image key");
                    continue;
                };
                let metadata = entry.metadata().await.map_err(|e| {
                    StorageError::io(format!("cannot stat {}", entry.path().display()), e)
                })?;
                objects.push(StoredObject {
                    key: image_key,
                    byte_size: metadata.len(),
                    content_type: None,
                    last_modified: metadata.modified().ok().map(DateTime::<Utc>::from),
                });
            }
        }
        objects.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
        Ok(objects)
    }
}

/// A hidden temporary file beside `target`, removed on drop unless persisted (so an error, a
/// cancelled request or a length mismatch leaves nothing behind).
pub(super) struct TempFile {
    pub(super) path: PathBuf,
    target: PathBuf,
    persisted: bool,
}

impl TempFile {
    /// Renames the temporary file onto its target (atomic on one file system).
    pub(super) async fn persist(mut self) -> Result<()> {
        fs::rename(&self.path, &self.target).await.map_err(|e| {
            StorageError::io(
                format!(
                    "cannot rename {} to {}",
                    self.path.display(),
                    self.target.display()
                ),
                e,
            )
        })?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort, and synchronous because Drop cannot await; the file is one unlink away.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Creates `target`'s folder and a new temporary file in it.
pub(super) async fn create_temp(target: &Path) -> Result<(File, TempFile)> {
    let dir = target.parent().ok_or_else(|| {
        StorageError::io(
            format!("{} has no parent folder", target.display()),
            std::io::Error::other("no parent folder"),
        )
    })?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    // A concurrent delete may remove the (empty) folder between its creation and the file's: retry.
    let mut attempts = 0;
    let file = loop {
        attempts += 1;
        fs::create_dir_all(dir)
            .await
            .map_err(|e| StorageError::io(format!("cannot create {}", dir.display()), e))?;
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
        {
            Ok(file) => break file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 3 => continue,
            Err(e) => {
                return Err(StorageError::io(
                    format!("cannot create {}", path.display()),
                    e,
                ));
            }
        }
    };
    Ok((
        file,
        TempFile {
            path,
            target: target.to_owned(),
            persisted: false,
        },
    ))
}

/// Flushes the file's bytes to disk before it is renamed into place.
pub(super) async fn finish_file(mut file: File, temp: &TempFile) -> Result<()> {
    file.flush()
        .await
        .map_err(|e| StorageError::io(format!("cannot write {}", temp.path.display()), e))?;
    file.sync_all()
        .await
        .map_err(|e| StorageError::io(format!("cannot sync {}", temp.path.display()), e))
}

/// Removes the now-empty folders between `path` and `base` (best effort: a concurrent write may have
/// just created a file in one of them, in which case removing it fails and it stays).
pub(super) async fn remove_empty_parents(path: &Path, base: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == base || !d.starts_with(base) || fs::remove_dir(d).await.is_err() {
            break;
        }
        dir = d.parent();
    }
}
