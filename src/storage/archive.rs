//! The zip container, read with limits that the file cannot talk its way around, and written
//! under the same limits.

use std::io::{Cursor, Read, Write};

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::ProjectError;
use super::limits::{MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES};

/// A project file opened for reading: its names are checked, nothing is unpacked yet.
pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// Bytes still allowed to be unpacked, all entries together.
    budget: u64,
}

impl<'a> Archive<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Self, ProjectError> {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ProjectError::FileTooLarge(bytes.len() as u64));
        }
        // Every zip this app writes, and every ordinary zip, starts with a local header (or,
        // when empty, the end record): anything else is some other kind of file.
        if !(bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")) {
            return Err(ProjectError::NotZip);
        }
        // The zip reader allocates for every entry of the central directory while it opens
        // the archive, so the count is checked on the raw end record first.
        if let Some(entries) = declared_entries(bytes)
            && entries > MAX_ENTRIES
        {
            return Err(ProjectError::TooManyEntries(entries));
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if zip.len() as u64 > MAX_ENTRIES {
            return Err(ProjectError::TooManyEntries(zip.len() as u64));
        }
        if zip.has_duplicate_names() {
            return Err(ProjectError::DuplicateEntries);
        }
        for name in zip.file_names() {
            check_name(&name.map_err(zip_error)?)?;
        }
        Ok(Self {
            zip,
            budget: MAX_TOTAL_BYTES,
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The first bytes of an entry, at most `count` (a header), outside the budget.
    pub fn peek(&mut self, name: &str, count: u64) -> Result<Vec<u8>, ProjectError> {
        let mut bytes = Vec::new();
        self.entry(name)?
            .take(count)
            .read_to_end(&mut bytes)
            .map_err(|e| read_error(name, &e))?;
        Ok(bytes)
    }

    /// A whole entry, refused when it unpacks to more than `limit` bytes or past the budget,
    /// whatever size it declares.
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, ProjectError> {
        let allowed = limit.min(self.budget);
        let mut bytes = Vec::new();
        self.entry(name)?
            .take(allowed + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| read_error(name, &e))?;
        let read = bytes.len() as u64;
        if read > limit {
            return Err(ProjectError::EntryTooLarge {
                name: name.to_string(),
                limit,
            });
        }
        if read > allowed {
            return Err(ProjectError::TotalTooLarge);
        }
        self.budget -= read;
        Ok(bytes)
    }

    fn entry(&mut self, name: &str) -> Result<impl Read + '_, ProjectError> {
        self.zip.by_name(name).map_err(|error| match error {
            ZipError::FileNotFound => ProjectError::MissingEntry(name.to_string()),
            other => zip_error(other),
        })
    }
}

/// The zip reader reports an unknown compression method only once an entry is read.
fn read_error(name: &str, error: &std::io::Error) -> ProjectError {
    if error.kind() == std::io::ErrorKind::Unsupported {
        return ProjectError::Unsupported(format!("{name}: {error}"));
    }
    ProjectError::Corrupt(format!("{name}: {error}"))
}

fn zip_error(error: ZipError) -> ProjectError {
    match error {
        ZipError::UnsupportedArchive(what) => ProjectError::Unsupported(what.to_string()),
        ZipError::CompressionMethodNotSupported(method) => {
            ProjectError::Unsupported(format!("compression method {method}"))
        }
        ZipError::InvalidPassword => ProjectError::Unsupported("encryption".into()),
        other => ProjectError::Corrupt(other.to_string()),
    }
}

/// Entry names are relative paths of plain components. Nothing is ever extracted to disk,
/// but a name that would escape a folder there has no business in a project file.
pub fn check_name(name: &str) -> Result<(), ProjectError> {
    let path = name.strip_suffix('/').unwrap_or(name);
    let unsafe_name = path.is_empty()
        || path.starts_with('/')
        || path.contains(['\\', ':'])
        || path.chars().any(char::is_control)
        || path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if unsafe_name {
        return Err(ProjectError::UnsafeName(name.to_string()));
    }
    Ok(())
}

/// The number of entries the end-of-central-directory record declares (its zip64 record's
/// when the classic one defers to it); `None` when there is no readable record, which the zip
/// reader then reports.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const END: &[u8] = b"PK\x05\x06";
    const END_LEN: usize = 22;
    let last = bytes.len().checked_sub(END_LEN)?;
    // The record ends the file, followed only by a comment of at most 65 535 bytes.
    let first = last.saturating_sub(usize::from(u16::MAX));
    let end = (first..=last).rev().find(|&at| &bytes[at..at + 4] == END)?;
    let entries = u16::from_le_bytes([bytes[end + 10], bytes[end + 11]]);
    if entries != u16::MAX {
        return Some(u64::from(entries));
    }
    let locator = bytes.get(end.checked_sub(20)?..end)?;
    if &locator[..4] != b"PK\x06\x07" {
        return Some(u64::from(entries));
    }
    let record = usize::try_from(u64_at(locator, 8)?).ok()?;
    let record = bytes.get(record..record.checked_add(40)?)?;
    if &record[..4] != b"PK\x06\x06" {
        return None;
    }
    u64_at(record, 32)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A project file being written, under the limits it will be read with.
pub struct ArchiveWriter {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    entries: u64,
    budget: u64,
}

impl ArchiveWriter {
    pub fn new() -> Self {
        Self {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
            entries: 0,
            budget: MAX_TOTAL_BYTES,
        }
    }

    /// Adds an entry; `compress` is worth it for text and weights, not for PNGs.
    pub fn add(
        &mut self,
        name: &str,
        bytes: &[u8],
        limit: u64,
        compress: bool,
    ) -> Result<(), ProjectError> {
        let size = bytes.len() as u64;
        if size > limit {
            return Err(ProjectError::EntryTooLarge {
                name: name.to_string(),
                limit,
            });
        }
        if size > self.budget {
            return Err(ProjectError::TotalTooLarge);
        }
        if self.entries == MAX_ENTRIES {
            return Err(ProjectError::TooManyEntries(MAX_ENTRIES + 1));
        }
        let method = if compress {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default().compression_method(method);
        self.zip.start_file(name, options).map_err(write_error)?;
        self.zip.write_all(bytes).map_err(write_error)?;
        self.entries += 1;
        self.budget -= size;
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, ProjectError> {
        let bytes = self.zip.finish().map_err(write_error)?.into_inner();
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ProjectError::FileTooLarge(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

fn write_error(error: impl std::fmt::Display) -> ProjectError {
    ProjectError::Write(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut writer = ArchiveWriter::new();
        for &(name, bytes, compress) in entries {
            writer.add(name, bytes, 1 << 20, compress).unwrap();
        }
        writer.finish().unwrap()
    }

    #[test]
    fn names_that_could_escape_a_folder_are_unsafe() {
        for name in [
            "manifest.json",
            "images/0/1.png",
            "images/",
            "a b/ç.png",
            "..x",
        ] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
        for name in [
            "",
            "/",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a\\b",
            "C:x",
            "c:/x",
            "a\0b",
            "./a",
        ] {
            assert_eq!(
                check_name(name),
                Err(ProjectError::UnsafeName(name.into())),
                "{name:?}"
            );
        }
    }

    #[test]
    fn entries_are_read_whole_within_their_limit() {
        let bytes = zip_of(&[("a", b"hello", true), ("b", &[7; 1000], false)]);
        let mut archive = Archive::open(&bytes).unwrap();
        assert!(archive.contains("a") && !archive.contains("c"));
        assert_eq!(archive.peek("b", 3).unwrap(), vec![7; 3]);
        assert_eq!(archive.read("a", 5).unwrap(), b"hello");
        assert_eq!(
            archive.read("b", 999),
            Err(ProjectError::EntryTooLarge {
                name: "b".into(),
                limit: 999
            })
        );
        assert_eq!(
            archive.read("c", 10),
            Err(ProjectError::MissingEntry("c".into()))
        );
    }

    #[test]
    fn the_total_budget_spans_entries() {
        let bytes = zip_of(&[("a", &[1; 600], true), ("b", &[2; 600], true)]);
        let mut archive = Archive::open(&bytes).unwrap();
        archive.budget = 1000;
        assert_eq!(archive.read("a", 700).unwrap().len(), 600);
        assert_eq!(archive.read("b", 700), Err(ProjectError::TotalTooLarge));
    }

    #[test]
    fn the_entry_count_is_read_from_the_end_record() {
        let bytes = zip_of(&[("a", b"1", false), ("b", b"2", false), ("c", b"3", true)]);
        assert_eq!(declared_entries(&bytes), Some(3));
        assert_eq!(declared_entries(&zip_of(&[])), Some(0));
        assert_eq!(declared_entries(b"PK\x03\x04 no end record"), None);
        // A zip64 end record declaring a billion entries.
        let mut zip64 = b"PK\x03\x04".to_vec();
        let record_at = zip64.len() as u64;
        zip64.extend_from_slice(b"PK\x06\x06");
        zip64.extend_from_slice(&[0; 28]);
        zip64.extend_from_slice(&1_000_000_000u64.to_le_bytes());
        zip64.extend_from_slice(&[0; 16]);
        zip64.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        zip64.extend_from_slice(&record_at.to_le_bytes());
        zip64.extend_from_slice(&[1, 0, 0, 0]);
        zip64.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff");
        zip64.extend_from_slice(&[0xff; 8]);
        zip64.extend_from_slice(&[0; 2]);
        assert_eq!(declared_entries(&zip64), Some(1_000_000_000));
        assert_eq!(
            Archive::open(&zip64).err(),
            Some(ProjectError::TooManyEntries(1_000_000_000))
        );
    }

    #[test]
    fn other_files_are_not_zips() {
        for bytes in [
            &b""[..],
            b"PK",
            b"{\"format\":1}",
            &[0x89, b'P', b'N', b'G'],
        ] {
            assert_eq!(Archive::open(bytes).err(), Some(ProjectError::NotZip));
        }
        let bytes = zip_of(&[("a", &[1; 100], false)]);
        assert!(matches!(
            Archive::open(&bytes[..bytes.len() - 10]),
            Err(ProjectError::Corrupt(_))
        ));
    }

    #[test]
    fn writing_keeps_to_the_reading_limits() {
        let mut writer = ArchiveWriter::new();
        assert_eq!(
            writer.add("a", &[0; 11], 10, true),
            Err(ProjectError::EntryTooLarge {
                name: "a".into(),
                limit: 10
            })
        );
        writer.budget = 5;
        assert_eq!(
            writer.add("a", &[0; 6], 10, true),
            Err(ProjectError::TotalTooLarge)
        );
    }
}
