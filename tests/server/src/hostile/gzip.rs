//! `/gzip-1gib`: a gzip body that inflates to 1 GiB of zeros, served from
//! about 1 MB of bytes computed once.
//!
//! The deflate stream is one block run repeated: 1 MiB of zeros compressed
//! from a fresh compressor and ended with a sync flush, so it is byte-aligned,
//! not final, and refers to nothing before itself; any number of copies in a
//! row is valid deflate. An empty final block and the gzip trailer (CRC-32
//! and size of the whole 1 GiB) close it.

use std::io::{self, Write};
use std::sync::OnceLock;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

use super::{send, After, Conn};

const CHUNK: usize = 1024 * 1024;
const CHUNKS: usize = 1024;

/// gzip header: magic, deflate, no flags, no mtime, max compression, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
/// A final, empty, fixed-Huffman deflate block.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// A gzip stream of `chunks` MiB of zeros, in three parts.
pub struct ZeroBomb {
    /// gzip header (sent once).
    pub head: Vec<u8>,
    /// Deflate data for 1 MiB of zeros (sent `chunks` times).
    pub chunk: Vec<u8>,
    /// Final block + CRC-32 + ISIZE (sent once).
    pub tail: Vec<u8>,
    pub chunks: usize,
}

impl ZeroBomb {
    pub fn new(chunks: usize) -> io::Result<ZeroBomb> {
        let zeros = vec![0u8; CHUNK];
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&zeros)?;
        enc.flush()?;
        let chunk = std::mem::take(enc.get_mut());

        let mut one = Crc::new();
        one.update(&zeros);
        let mut all = Crc::new();
        for _ in 0..chunks {
            all.combine(&one);
        }
        let size = (CHUNK as u64 * chunks as u64) as u32; // ISIZE is mod 2^32
        let mut tail = FINAL_BLOCK.to_vec();
        tail.extend_from_slice(&all.sum().to_le_bytes());
        tail.extend_from_slice(&size.to_le_bytes());

        Ok(ZeroBomb {
            head: GZIP_HEADER.to_vec(),
            chunk,
            tail,
            chunks,
        })
    }

    pub fn len(&self) -> usize {
        self.head.len() + self.chunk.len() * self.chunks + self.tail.len()
    }
}

fn one_gib() -> io::Result<&'static ZeroBomb> {
    static BOMB: OnceLock<ZeroBomb> = OnceLock::new();
    if let Some(b) = BOMB.get() {
        return Ok(b);
    }
    let b = ZeroBomb::new(CHUNKS)?;
    Ok(BOMB.get_or_init(|| b))
}

/// 200 (or 302 to `redirect`) with `Content-Encoding: gzip` and the 1 GiB
/// bomb; stops at the first failed write (the client hung up).
pub async fn gzip_1gib(conn: &mut Conn, redirect: Option<&str>) -> io::Result<After> {
    let bomb = one_gib()?;
    let status = if redirect.is_some() {
        "302 Found"
    } else {
        "200 OK"
    };
    let location = redirect
        .map(|l| format!("Location: {l}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status}\r\n{location}Content-Type: application/octet-stream\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bomb.len()
    );
    send(conn, head.as_bytes()).await?;
    send(conn, &bomb.head).await?;
    for _ in 0..bomb.chunks {
        send(conn, &bomb.chunk).await?;
    }
    send(conn, &bomb.tail).await?;
    Ok(After::Close)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::ZeroBomb;

    #[test]
    fn small_bomb_inflates_to_zeros() {
        let b = ZeroBomb::new(3).unwrap();
        let mut bytes = b.head.clone();
        for _ in 0..b.chunks {
            bytes.extend_from_slice(&b.chunk);
        }
        bytes.extend_from_slice(&b.tail);
        assert_eq!(bytes.len(), b.len());
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 3 * 1024 * 1024);
        assert!(out.iter().all(|&x| x == 0));
        assert!(b.chunk.len() < 4096, "1 MiB of zeros should compress well");
    }
}
