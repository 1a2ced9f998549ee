//! The zip container, read with limits that the file cannot talk its way around, and written
//! under the same limits.
//!
//! Both ends work on streams, not on the whole file in memory: [`Archive`] reads from any
//! seekable reader (a `BufReader<File>` in the CLI, a byte slice in the page), unpacking one
//! entry at a time; [`ArchiveWriter`] writes entry after entry into any [`Write`] sink (a
//! `BufWriter<File>`, a `Vec<u8>`), never seeking back, so each entry's CRC and sizes follow
//! its data in a data descriptor. The central directory at the end has them too, and is what
//! readers go by (ours, the `zip` crate's, Python's `zipfile`); only a reader that walks the
//! local headers alone (Java's `ZipInputStream`) cannot tell where a stored entry ends.
//!
//! Zip64: the `zip` crate (9.x) writes the zip64 end-of-central-directory record and locator
//! by itself when there are more than 65,535 entries or the central directory starts or ends
//! past 4 GiB, and a zip64 extra field in a central header whose entry starts past 4 GiB. It
//! does not do it for an entry's own sizes when streaming (it fails once 4 GiB have been
//! written): [`ArchiveWriter::add`] knows each entry's size beforehand and asks for them
//! ([`LARGE_ENTRY_BYTES`]). Under today's limits no entry comes near that, nor the file near
//! 4 GiB ([`super::limits`]); the zip64 records are tested through the entry count.

use std::io::{Read, Seek, SeekFrom, Write};

use zip::result::ZipError;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::ProjectError;
use super::limits::{MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES};

/// An entry this large is written with zip64 sizes (its local header's extra field and a
/// zip64 data descriptor): streaming, the `zip` crate only learns an entry's size once it is
/// written, and refuses to go past 4 GiB in one that did not ask beforehand. Half that
/// leaves room for deflate's growth on data that does not compress.
const LARGE_ENTRY_BYTES: u64 = 1 << 31;

/// A project file opened for reading: its names are checked, nothing is unpacked yet.
pub struct Archive<R> {
    zip: ZipArchive<R>,
    /// Bytes still allowed to be unpacked, all entries together.
    budget: u64,
}

impl<R: Read + Seek> Archive<R> {
    /// Opens the whole of `reader` (from its start, whatever its position) as a zip.
    pub fn open(reader: R) -> Result<Self, ProjectError> {
        Self::open_with(reader, MAX_ENTRIES)
    }

    /// [`Self::open`] with another entry limit (tests that need more than 65,535 entries).
    fn open_with(mut reader: R, max_entries: u64) -> Result<Self, ProjectError> {
        let size = reader.seek(SeekFrom::End(0)).map_err(io_error)?;
        if size > MAX_FILE_BYTES {
            return Err(ProjectError::FileTooLarge(size));
        }
        // Every zip this app writes, and every ordinary zip, starts with a local header (or,
        // when empty, the end record): anything else is some other kind of file.
        let start = read_at(&mut reader, 0, size.min(4))?;
        if !(start == b"PK\x03\x04" || start == b"PK\x05\x06") {
            return Err(ProjectError::NotZip);
        }
        // The zip reader allocates for every entry of the central directory while it opens
        // the archive, so the count is checked on the raw end record first.
        if let Some(entries) = declared_entries(&mut reader, size)?
            && entries > max_entries
        {
            return Err(ProjectError::TooManyEntries(entries));
        }
        reader.seek(SeekFrom::Start(0)).map_err(io_error)?;
        let zip = ZipArchive::new(reader).map_err(zip_error)?;
        if zip.len() as u64 > max_entries {
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

/// The reader failed (not the file's content): said as a file that cannot be read whole.
fn io_error(error: std::io::Error) -> ProjectError {
    ProjectError::Corrupt(error.to_string())
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

/// `len` bytes of `reader` from `at`, which the caller knows are there (`len` is small).
fn read_at<R: Read + Seek>(reader: &mut R, at: u64, len: u64) -> Result<Vec<u8>, ProjectError> {
    reader.seek(SeekFrom::Start(at)).map_err(io_error)?;
    let mut bytes = vec![0; usize::try_from(len).expect("a few kilobytes")];
    reader.read_exact(&mut bytes).map_err(io_error)?;
    Ok(bytes)
}

/// The number of entries the end-of-central-directory record of the `size` bytes of
/// `reader` declares (its zip64 record's when the classic one defers to it); `None` when
/// there is no readable record, which the zip reader then reports. Only the file's tail is
/// read (at most 64 KiB), and the zip64 record if it points to one.
fn declared_entries<R: Read + Seek>(
    reader: &mut R,
    size: u64,
) -> Result<Option<u64>, ProjectError> {
    const END: &[u8] = b"PK\x05\x06";
    const END_LEN: u64 = 22;
    const LOCATOR_LEN: u64 = 20;
    /// The zip64 end record up to its entry count (the rest is of no use here).
    const ZIP64_END_LEN: u64 = 40;
    // The record ends the file, followed only by a comment of at most 65,535 bytes.
    let tail_at = size.saturating_sub(END_LEN + u64::from(u16::MAX));
    let tail = read_at(reader, tail_at, size - tail_at)?;
    let Some(last) = tail.len().checked_sub(END_LEN as usize) else {
        return Ok(None);
    };
    let Some(end) = (0..=last).rev().find(|&at| &tail[at..at + 4] == END) else {
        return Ok(None);
    };
    let entries = u16::from_le_bytes([tail[end + 10], tail[end + 11]]);
    if entries != u16::MAX {
        return Ok(Some(u64::from(entries)));
    }
    let Some(locator_at) = (tail_at + end as u64).checked_sub(LOCATOR_LEN) else {
        return Ok(Some(u64::from(entries)));
    };
    let locator = read_at(reader, locator_at, LOCATOR_LEN)?;
    if &locator[..4] != b"PK\x06\x07" {
        return Ok(Some(u64::from(entries)));
    }
    let record_at = u64_at(&locator, 8);
    if record_at
        .checked_add(ZIP64_END_LEN)
        .is_none_or(|record_end| record_end > size)
    {
        return Ok(None);
    }
    let record = read_at(reader, record_at, ZIP64_END_LEN)?;
    if &record[..4] != b"PK\x06\x06" {
        return Ok(None);
    }
    Ok(Some(u64_at(&record, 32)))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// A project file being written into `W`, entry after entry, under the limits it will be
/// read with. Nothing is held back but the central directory (a few dozen bytes an entry):
/// each entry goes to `W` as it is added.
pub struct ArchiveWriter<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    entries: u64,
    max_entries: u64,
    budget: u64,
}

impl<W: Write> ArchiveWriter<W> {
    pub fn new(out: W) -> Self {
        Self::with_max_entries(out, MAX_ENTRIES)
    }

    /// [`Self::new`] with another entry limit (tests that need more than 65,535 entries).
    fn with_max_entries(out: W, max_entries: u64) -> Self {
        Self {
            zip: ZipWriter::new_stream(out),
            entries: 0,
            max_entries,
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
        if self.entries == self.max_entries {
            return Err(ProjectError::TooManyEntries(self.max_entries + 1));
        }
        let method = if compress {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(size >= LARGE_ENTRY_BYTES);
        self.zip.start_file(name, options).map_err(write_error)?;
        self.zip.write_all(bytes).map_err(write_error)?;
        self.entries += 1;
        self.budget -= size;
        Ok(())
    }

    /// Writes the central directory and gives the sink back, unflushed: a `BufWriter` still
    /// holds the end of the file.
    pub fn finish(self) -> Result<W, ProjectError> {
        let mut stream = self.zip.finish().map_err(write_error)?;
        let size = stream.stream_position().map_err(write_error)?;
        if size > MAX_FILE_BYTES {
            return Err(ProjectError::FileTooLarge(size));
        }
        Ok(stream.into_inner())
    }
}

fn write_error(error: impl std::fmt::Display) -> ProjectError {
    ProjectError::Write(error.to_string())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io::Cursor;
    use std::path::Path;
    use std::process::Command;
    use std::rc::Rc;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut writer = ArchiveWriter::new(Vec::new());
        for &(name, bytes, compress) in entries {
            writer.add(name, bytes, 1 << 20, compress).unwrap();
        }
        writer.finish().unwrap()
    }

    fn open(bytes: &[u8]) -> Result<Archive<Cursor<&[u8]>>, ProjectError> {
        Archive::open(Cursor::new(bytes))
    }

    fn declared(bytes: &[u8]) -> Option<u64> {
        declared_entries(&mut Cursor::new(bytes), bytes.len() as u64).unwrap()
    }

    fn contains(bytes: &[u8], what: &[u8]) -> bool {
        bytes.windows(what.len()).any(|window| window == what)
    }

    /// A sink that can be looked at while the writer holds it.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What Python's standard `zipfile` makes of the zip at `path`: its entry count, the
    /// first bad entry of `testzip()` (CRC and sizes of every entry checked), and the contents
    /// of its first and last entries; `None` (with the reason printed) without `python3`.
    fn python_zipfile(path: &Path) -> Option<String> {
        const SCRIPT: &str = "import sys, zipfile\n\
            with zipfile.ZipFile(sys.argv[1]) as z:\n\
            \x20   names = z.namelist()\n\
            \x20   print(len(names), z.testzip(), z.read(names[0]).decode(), \
            z.read(names[-1]).decode())\n";
        match Command::new("python3")
            .args(["-c", SCRIPT])
            .arg(path)
            .output()
        {
            Ok(output) => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert!(output.status.success(), "python3 zipfile: {stderr}");
                Some(String::from_utf8(output.stdout).unwrap().trim().to_string())
            }
            Err(error) => {
                println!("skipping the check with Python's zipfile: no python3 ({error})");
                None
            }
        }
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
        let mut archive = open(&bytes).unwrap();
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
        let mut archive = open(&bytes).unwrap();
        archive.budget = 1000;
        assert_eq!(archive.read("a", 700).unwrap().len(), 600);
        assert_eq!(archive.read("b", 700), Err(ProjectError::TotalTooLarge));
    }

    #[test]
    fn the_entry_count_is_read_from_the_end_record() {
        let bytes = zip_of(&[("a", b"1", false), ("b", b"2", false), ("c", b"3", true)]);
        assert_eq!(declared(&bytes), Some(3));
        assert_eq!(declared(&zip_of(&[])), Some(0));
        assert_eq!(declared(b"PK\x03\x04 no end record"), None);
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
        assert_eq!(declared(&zip64), Some(1_000_000_000));
        assert_eq!(
            open(&zip64).err(),
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
            assert_eq!(open(bytes).err(), Some(ProjectError::NotZip));
        }
        let bytes = zip_of(&[("a", &[1; 100], false)]);
        assert!(matches!(
            open(&bytes[..bytes.len() - 10]),
            Err(ProjectError::Corrupt(_))
        ));
    }

    #[test]
    fn writing_keeps_to_the_reading_limits() {
        let mut writer = ArchiveWriter::new(Vec::new());
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

    #[test]
    fn entries_reach_the_sink_as_they_are_added_and_the_zip_crate_reads_them_back() {
        let sink = Shared::default();
        let mut writer = ArchiveWriter::new(sink.clone());
        let photo: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let text = b"{\"classes\": []}".repeat(100);
        writer
            .add("images/0/0.png", &photo, 1 << 20, false)
            .unwrap();
        writer.add("manifest.json", &text, 1 << 20, true).unwrap();
        // The first entry is in the sink once the second starts: nothing waits for the end.
        assert!(sink.0.borrow().len() > photo.len());
        writer.add("empty", &[], 1 << 20, true).unwrap();
        writer.finish().unwrap();
        let bytes = sink.0.borrow().clone();
        // Local headers flag a data descriptor (bit 3), which follows each entry's data.
        assert_eq!(bytes[6] & 0x08, 0x08);
        assert!(contains(&bytes, b"PK\x07\x08"));
        assert!(!contains(&bytes, b"PK\x06\x06"), "no zip64 without need");

        let mut zip = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(zip.len(), 3);
        for (name, expected, method) in [
            ("images/0/0.png", &photo[..], CompressionMethod::Stored),
            ("manifest.json", &text[..], CompressionMethod::Deflated),
            ("empty", &[][..], CompressionMethod::Deflated),
        ] {
            let mut entry = zip.by_name(name).unwrap();
            assert_eq!(entry.compression(), method, "{name}");
            let mut read = Vec::new();
            entry.read_to_end(&mut read).unwrap();
            assert_eq!(read, expected, "{name}");
        }

        // Ours, from wherever the reader was left.
        let mut cursor = Cursor::new(&bytes[..]);
        cursor.set_position(100);
        let mut archive = Archive::open(cursor).unwrap();
        assert_eq!(archive.read("images/0/0.png", 1 << 20).unwrap(), photo);
        assert_eq!(archive.read("manifest.json", 1 << 20).unwrap(), text);
    }

    /// More entries than the classic end record counts: the zip64 end record and its locator
    /// are written, and our reader, the `zip` crate and Python's `zipfile` all read them.
    #[test]
    fn more_than_65535_entries_make_a_zip64_archive_every_reader_opens() {
        const COUNT: u64 = 70_000;
        let mut writer = ArchiveWriter::with_max_entries(Vec::new(), COUNT);
        for i in 0..COUNT {
            let compress = i % 2 == 1;
            (writer.add(&format!("e/{i}"), i.to_string().as_bytes(), 16, compress)).unwrap();
        }
        assert_eq!(
            writer.add("one/more", b"x", 16, false),
            Err(ProjectError::TooManyEntries(COUNT + 1))
        );
        let bytes = writer.finish().unwrap();
        assert!(contains(&bytes, b"PK\x06\x06") && contains(&bytes, b"PK\x06\x07"));
        let end = &bytes[bytes.len() - 22..];
        assert_eq!(
            (&end[..4], &end[10..12]),
            (&b"PK\x05\x06"[..], &[0xff; 2][..])
        );
        assert_eq!(declared(&bytes), Some(COUNT));

        // Ours: refused under the real limit before the directory is read, opened above it.
        assert_eq!(
            open(&bytes).err(),
            Some(ProjectError::TooManyEntries(COUNT))
        );
        let mut archive = Archive::open_with(Cursor::new(&bytes[..]), COUNT).unwrap();
        for i in [0, 65_535, 65_536, COUNT - 1] {
            let name = format!("e/{i}");
            assert_eq!(archive.read(&name, 16).unwrap(), i.to_string().as_bytes());
        }

        let mut zip = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(zip.len() as u64, COUNT);
        let mut last = String::new();
        (zip.by_name(&format!("e/{}", COUNT - 1)).unwrap())
            .read_to_string(&mut last)
            .unwrap();
        assert_eq!(last, (COUNT - 1).to_string());

        let path = std::env::temp_dir().join(format!("ajuste-zip64-{}.zip", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let python = python_zipfile(&path);
        std::fs::remove_file(&path).unwrap();
        if let Some(python) = python {
            assert_eq!(python, format!("{COUNT} None 0 {}", COUNT - 1));
        }
    }
}
