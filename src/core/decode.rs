//! Content-Encoding: decodes a response body as it arrives, a piece at a
//! time, so that a decompression bomb stops at the body cap instead of
//! filling memory first.
//!
//! libreqc decodes bodies itself (libcurl's decoding is off) so every build
//! decodes the same codings, whatever libcurl it links: the bundled libcurl
//! has neither brotli nor zstd. Codings: gzip (x-gzip; several members in a
//! row are one body), deflate (zlib-wrapped, or raw as some servers send it),
//! br, zstd, identity, and any chain of them ("gzip, br" = gzip applied
//! first). A body whose codings include one libreqc does not know is kept as
//! received, undecoded (as urllib3 does), never refused.

use flate2::{Decompress, FlushDecompress, Status};

/// What libreqc sends as `Accept-Encoding` unless a layer sets that header:
/// every coding it can decode, in Requests' (urllib3's) order.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// The largest zstd window accepted: 8 MiB, which RFC 9659 makes the limit
/// for the `zstd` content coding (encoders must not need more). Without it a
/// frame could make the decoder allocate up to 2 GiB before any output.
const ZSTD_WINDOW_LOG_MAX: u32 = 23;

/// Size of the buffer each stage decodes into: the most one step produces
/// before the sink sees it (and can stop it).
const STEP: usize = 32 * 1024;

/// True for the `reqc_has_feature` names of the codings libreqc decodes.
pub fn supports(feature: &str) -> bool {
    matches!(feature, "gzip" | "deflate" | "brotli" | "zstd")
}

/// Why decoding stopped before its input was used up.
#[derive(Debug, PartialEq, Eq)]
pub enum Halt {
    /// The sink asked to stop (cap reached, callback said stop).
    Sink,
    /// The bytes are not valid for their coding: the message says why.
    Invalid(String),
}

/// Where decoded bytes go; `Err(Halt::Sink)` stops the decoding.
pub type Sink<'a> = &'a mut dyn FnMut(&[u8]) -> Result<(), Halt>;

/// Decodes one body, stage by stage: the first stage undoes the coding
/// applied last.
pub struct Decoder {
    stages: Vec<Stage>,
}

impl Decoder {
    /// The decoder for a response's `Content-Encoding` values (every header
    /// line of that name, in order). `None` when the body is to be kept as
    /// received: no coding but identity, or one libreqc does not decode.
    pub fn for_codings<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Decoder> {
        let mut stages = Vec::new();
        for coding in values.into_iter().flat_map(|v| v.split(',')) {
            let coding = coding.trim();
            if coding.is_empty() || coding.eq_ignore_ascii_case("identity") {
                continue;
            }
            stages.push(Stage::new(coding)?);
        }
        if stages.is_empty() {
            return None;
        }
        stages.reverse();
        Some(Decoder { stages })
    }

    /// Decodes `input`, handing every decoded piece to `sink` as it is made.
    pub fn feed(&mut self, input: &[u8], sink: Sink) -> Result<(), Halt> {
        feed(&mut self.stages, input, sink)
    }
}

fn feed(stages: &mut [Stage], input: &[u8], sink: Sink) -> Result<(), Halt> {
    match stages.split_first_mut() {
        None => sink(input),
        Some((first, rest)) => first.feed(input, &mut |piece| feed(rest, piece, sink)),
    }
}

/// One coding being undone.
struct Stage {
    codec: Codec,
    out: Box<[u8]>,
}

enum Codec {
    Gzip(Decompress),
    /// Until two bytes tell whether the stream is zlib-wrapped or raw.
    DeflateStart(Vec<u8>),
    Deflate(Decompress),
    Brotli(Box<BrotliState>),
    Zstd(Box<zstd::stream::raw::Decoder<'static>>),
    /// The (non-repeatable) stream ended; only nothing may follow.
    Done(&'static str),
}

type BrotliState = brotli_decompressor::BrotliState<
    brotli_decompressor::StandardAlloc,
    brotli_decompressor::StandardAlloc,
    brotli_decompressor::StandardAlloc,
>;

impl Stage {
    fn new(coding: &str) -> Option<Stage> {
        let codec = match coding.to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Codec::Gzip(Decompress::new_gzip(15)),
            "deflate" => Codec::DeflateStart(Vec::new()),
            "br" => Codec::Brotli(Box::new(BrotliState::new(
                Default::default(),
                Default::default(),
                Default::default(),
            ))),
            "zstd" => {
                use zstd::stream::raw::DParameter;
                let mut decoder = zstd::stream::raw::Decoder::new().ok()?;
                decoder
                    .set_parameter(DParameter::WindowLogMax(ZSTD_WINDOW_LOG_MAX))
                    .ok()?;
                Codec::Zstd(Box::new(decoder))
            }
            _ => return None,
        };
        Some(Stage {
            codec,
            out: vec![0; STEP].into_boxed_slice(),
        })
    }

    fn feed(&mut self, mut input: &[u8], sink: Sink) -> Result<(), Halt> {
        if let Codec::DeflateStart(seen) = &mut self.codec {
            // RFC 9110 says zlib-wrapped; some servers send raw deflate. A
            // zlib header is two bytes whose value is a multiple of 31,
            // method 8, window at most 32 KiB (RFC 1950); as in libcurl,
            // anything else is taken as raw deflate.
            let need = 2 - seen.len().min(2);
            seen.extend_from_slice(&input[..need.min(input.len())]);
            input = &input[need.min(input.len())..];
            if seen.len() < 2 {
                return Ok(());
            }
            let (cmf, flg) = (seen[0], seen[1]);
            let zlib = cmf & 0x0f == 8
                && cmf >> 4 <= 7
                && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
            let start = std::mem::take(seen);
            self.codec = Codec::Deflate(Decompress::new(zlib));
            self.feed(&start, sink)?;
        }
        match &mut self.codec {
            Codec::DeflateStart(_) => Ok(()),
            Codec::Gzip(z) => {
                // Another gzip member may follow one that ended (RFC 1952
                // §2.2); a fresh decompressor rejects anything else.
                while let Some(rest) = inflate(z, &mut self.out, input, sink, "gzip")? {
                    *z = Decompress::new_gzip(15);
                    if rest.is_empty() {
                        break;
                    }
                    input = rest;
                }
                Ok(())
            }
            Codec::Deflate(z) => match inflate(z, &mut self.out, input, sink, "deflate")? {
                None => Ok(()),
                Some(rest) => {
                    self.codec = Codec::Done("deflate");
                    trailing("deflate", rest)
                }
            },
            Codec::Brotli(state) => match brotli(state, &mut self.out, input, sink)? {
                None => Ok(()),
                Some(rest) => {
                    self.codec = Codec::Done("br");
                    trailing("br", rest)
                }
            },
            Codec::Zstd(decoder) => zstd(decoder, &mut self.out, input, sink),
            Codec::Done(name) => trailing(name, input),
        }
    }
}

fn invalid(coding: &str, detail: impl std::fmt::Display) -> Halt {
    Halt::Invalid(format!("the body is not valid {coding}: {detail}"))
}

/// Bytes after the end of a stream that cannot be continued are an error,
/// as in libcurl.
fn trailing(coding: &str, rest: &[u8]) -> Result<(), Halt> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(invalid(coding, "data after the end of the stream"))
    }
}

/// Inflates `input` through `z`; `Some(rest)` when the stream ended, with
/// the input bytes that follow its end.
fn inflate<'i>(
    z: &mut Decompress,
    out: &mut [u8],
    mut input: &'i [u8],
    sink: Sink,
    coding: &str,
) -> Result<Option<&'i [u8]>, Halt> {
    loop {
        let (in0, out0) = (z.total_in(), z.total_out());
        let status = z
            .decompress(input, out, FlushDecompress::None)
            .map_err(|e| invalid(coding, e))?;
        let used = (z.total_in() - in0) as usize;
        let made = (z.total_out() - out0) as usize;
        input = &input[used..];
        if made > 0 {
            sink(&out[..made])?;
        }
        match status {
            Status::StreamEnd => return Ok(Some(input)),
            // Output buffer full: there may be more to flush.
            _ if made == out.len() => {}
            _ if input.is_empty() || used == 0 => return Ok(None),
            _ => {}
        }
    }
}

fn brotli<'i>(
    state: &mut BrotliState,
    out: &mut [u8],
    input: &'i [u8],
    sink: Sink,
) -> Result<Option<&'i [u8]>, Halt> {
    use brotli_decompressor::BrotliResult;
    let (mut available_in, mut input_offset) = (input.len(), 0);
    loop {
        let (mut available_out, mut output_offset, mut total_out) = (out.len(), 0, 0);
        let result = brotli_decompressor::BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            out,
            &mut total_out,
            state,
        );
        if output_offset > 0 {
            sink(&out[..output_offset])?;
        }
        match result {
            BrotliResult::NeedsMoreOutput => {}
            BrotliResult::NeedsMoreInput => return Ok(None),
            BrotliResult::ResultSuccess => return Ok(Some(&input[input_offset..])),
            BrotliResult::ResultFailure => {
                return Err(invalid("br", format!("{:?}", state.error_code)))
            }
        }
    }
}

fn zstd(
    decoder: &mut zstd::stream::raw::Decoder<'static>,
    out: &mut [u8],
    input: &[u8],
    sink: Sink,
) -> Result<(), Halt> {
    use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
    let mut source = InBuffer::around(input);
    loop {
        let mut target = OutBuffer::around(&mut *out);
        // Frames in a row decode as one body (RFC 8878 §3.1).
        decoder
            .run(&mut source, &mut target)
            .map_err(|e| invalid("zstd", e))?;
        let made = target.pos();
        if made > 0 {
            sink(&out[..made])?;
        }
        if made < out.len() && source.pos() == input.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn decode(codings: &str, data: &[u8], piece: usize) -> Result<Vec<u8>, Halt> {
        let mut d = Decoder::for_codings([codings]).expect("a known coding");
        let mut out = Vec::new();
        for chunk in data.chunks(piece.max(1)) {
            d.feed(chunk, &mut |p| {
                out.extend_from_slice(p);
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn body() -> Vec<u8> {
        (0..200_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 7) as u8)
            .collect()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn every_coding_in_any_piece_size() {
        let data = body();
        let zlib = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
            e.write_all(&data).unwrap();
            e.finish().unwrap()
        };
        let raw = {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
            e.write_all(&data).unwrap();
            e.finish().unwrap()
        };
        let zstd = zstd::encode_all(&data[..], 3).unwrap();
        for piece in [1, 7, 4096, 1 << 20] {
            assert_eq!(decode("gzip", &gzip(&data), piece).unwrap(), data);
            assert_eq!(decode("X-Gzip", &gzip(&data), piece).unwrap(), data);
            assert_eq!(decode("deflate", &zlib, piece).unwrap(), data);
            assert_eq!(decode("deflate", &raw, piece).unwrap(), data);
            assert_eq!(decode("zstd", &zstd, piece).unwrap(), data);
        }
    }

    #[test]
    fn gzip_members_in_a_row_and_chains() {
        let data = body();
        let mut two = gzip(&data[..1000]);
        two.extend(gzip(&data[1000..]));
        assert_eq!(decode("gzip", &two, 333).unwrap(), data);
        // "gzip, zstd": gzip applied first, so zstd is undone first.
        let both = zstd::encode_all(&gzip(&data)[..], 1).unwrap();
        assert_eq!(decode("gzip, zstd", &both, 1000).unwrap(), data);
        assert_eq!(decode("identity, gzip", &gzip(&data), 1000).unwrap(), data);
    }

    #[test]
    fn unknown_or_identity_is_kept_as_is() {
        assert!(Decoder::for_codings(["identity"]).is_none());
        assert!(Decoder::for_codings(["compress"]).is_none());
        assert!(Decoder::for_codings(["gzip, x-unknown"]).is_none());
        assert!(Decoder::for_codings(Vec::<&str>::new()).is_none());
    }

    #[test]
    fn garbage_and_trailing_data_are_invalid() {
        assert!(matches!(
            decode("gzip", b"this is not gzip at all", 5),
            Err(Halt::Invalid(_))
        ));
        assert!(matches!(
            decode("br", b"this is not brotli at all", 5),
            Err(Halt::Invalid(_))
        ));
        assert!(matches!(
            decode("zstd", b"this is not zstd at all", 5),
            Err(Halt::Invalid(_))
        ));
        let mut g = gzip(b"hello");
        g.extend_from_slice(b"junk");
        assert!(matches!(decode("gzip", &g, 100), Err(Halt::Invalid(_))));
    }

    #[test]
    fn a_bomb_stops_at_the_sink() {
        let zeros = vec![0u8; 64 << 20];
        let bomb = gzip(&zeros);
        let mut d = Decoder::for_codings(["gzip"]).unwrap();
        let mut seen = 0usize;
        let r = d.feed(&bomb, &mut |p| {
            seen += p.len();
            if seen > 1 << 20 {
                Err(Halt::Sink)
            } else {
                Ok(())
            }
        });
        assert_eq!(r, Err(Halt::Sink));
        assert!(seen <= (1 << 20) + STEP);
    }

    #[test]
    fn zstd_window_over_8_mib_is_refused() {
        let data = vec![7u8; 1 << 20];
        let mut e = zstd::stream::raw::Encoder::new(3).unwrap();
        use zstd::stream::raw::{CParameter, Operation};
        e.set_parameter(CParameter::WindowLog(27)).unwrap();
        let mut out = vec![0u8; 1 << 21];
        let mut ob = zstd::stream::raw::OutBuffer::around(&mut out[..]);
        let mut ib = zstd::stream::raw::InBuffer::around(&data[..]);
        e.run(&mut ib, &mut ob).unwrap();
        e.finish(&mut ob, true).unwrap();
        let n = ob.pos();
        assert!(matches!(
            decode("zstd", &out[..n], 4096),
            Err(Halt::Invalid(_))
        ));
    }
}
