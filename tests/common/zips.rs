//! Zip files written by hand, byte by byte, so that tests can make the ones no zip library
//! would: duplicate or unsafe names, sizes that lie, unknown compression methods.

use std::io::Read;

#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    /// 0 stored, 8 deflated, anything else unknown.
    pub method: u16,
    pub flags: u16,
    pub crc: u32,
    /// What the headers claim the entry unpacks to.
    pub declared_size: u32,
    /// As stored in the file (compressed when `method` says so).
    pub data: Vec<u8>,
}

impl Entry {
    pub fn stored(name: &str, data: Vec<u8>) -> Self {
        Self {
            name: name.to_string(),
            method: 0,
            flags: 0,
            crc: crc32fast::hash(&data),
            declared_size: data.len() as u32,
            data,
        }
    }
}

/// A zip of `entries`, in order, with the sizes and names they claim.
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for entry in entries {
        let offset = out.len() as u32;
        let name = entry.name.as_bytes();
        let common = |into: &mut Vec<u8>| {
            into.extend_from_slice(&20u16.to_le_bytes());
            into.extend_from_slice(&(entry.flags | 0x0800).to_le_bytes()); // UTF-8 names
            into.extend_from_slice(&entry.method.to_le_bytes());
            into.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01 00:00
            into.extend_from_slice(&entry.crc.to_le_bytes());
            into.extend_from_slice(&(entry.data.len() as u32).to_le_bytes());
            into.extend_from_slice(&entry.declared_size.to_le_bytes());
            into.extend_from_slice(&(name.len() as u16).to_le_bytes());
            into.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.data);
        directory.extend_from_slice(b"PK\x01\x02");
        directory.extend_from_slice(&20u16.to_le_bytes());
        common(&mut directory);
        directory.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name);
    }
    let directory_at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let count = (entries.len() as u16).to_le_bytes();
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Every entry of a well-formed zip, unpacked, as stored entries to write again.
pub fn entries(bytes: &[u8]) -> Vec<Entry> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            Entry::stored(&file.name().unwrap(), data)
        })
        .collect()
}

/// `size` zero bytes, deflated (about a thousandth of their size), as an entry's raw data.
pub fn deflated_zeros(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(size as u64 >= u32::MAX as u64);
    writer.start_file("zeros", options).unwrap();
    let chunk = vec![0; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        writer.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    let bytes = writer.finish().unwrap().into_inner();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut raw = Vec::new();
    archive
        .by_index_raw(0)
        .unwrap()
        .read_to_end(&mut raw)
        .unwrap();
    raw
}

/// What Python's standard `zipfile` makes of the zip at `path`: its entry count, the first
/// bad entry of `testzip()` (`None` when every entry's CRC and size check out) and the bytes
/// its entries unpack to; `None` (with the reason printed) where there is no `python3`.
pub fn python_zipfile(path: &std::path::Path) -> Option<String> {
    const SCRIPT: &str = "import sys, zipfile\n\
        with zipfile.ZipFile(sys.argv[1]) as z:\n\
        \x20   infos = z.infolist()\n\
        \x20   print(len(infos), z.testzip(), sum(i.file_size for i in infos))\n";
    let output = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(path)
        .output();
    match output {
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
