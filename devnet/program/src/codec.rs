//! Custom-section stripping and the brotli + prefix code format.

use std::io::Read;

use crate::{ValidationError, MAX_WASM_SIZE, STYLUS_DISCRIMINANT, STYLUS_PREFIX};

/// Brotli quality used for deployment (maximum), as `cargo stylus` and nitro use.
const BROTLI_QUALITY: i32 = 11;
/// Brotli window (log2 of the window size), as `cargo stylus` and nitro use.
const BROTLI_WINDOW: i32 = 22;
/// WASM binary header: magic `\0asm` and version 1.
const WASM_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
/// Section id of custom sections.
const CUSTOM_SECTION_ID: u8 = 0;

/// Removes every custom section (`name`, `producers`, `target_features`, ...) from a WASM
/// binary; deployment and execution need none of them.
///
/// The other sections are copied byte for byte, in order. If `wasm` is not a well-formed
/// sequence of sections it is returned unchanged, so that [`crate::validate`] reports the
/// actual problem.
pub fn strip(wasm: &[u8]) -> Vec<u8> {
    strip_sections(wasm).unwrap_or_else(|| wasm.to_vec())
}

fn strip_sections(wasm: &[u8]) -> Option<Vec<u8>> {
    let body = wasm.strip_prefix(&WASM_HEADER)?;
    let mut out = Vec::with_capacity(wasm.len());
    out.extend_from_slice(&WASM_HEADER);
    let mut rest = body;
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, leb_len) = read_leb_u32(after_id)?;
        let total = 1 + leb_len + usize::try_from(size).ok()?;
        let section = rest.get(..total)?;
        if id != CUSTOM_SECTION_ID {
            out.extend_from_slice(section);
        }
        rest = &rest[total..];
    }
    Some(out)
}

/// Reads an unsigned LEB128 `u32`, returning the value and the number of bytes read.
fn read_leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        let chunk = u32::from(byte & 0x7F);
        if i == 4 && chunk > 0x0F {
            return None;
        }
        value |= chunk << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Compresses a WASM for deployment: `STYLUS_PREFIX || brotli(wasm)` with quality 11 and
/// window 22, byte-identical to what `cargo stylus` deploys for the same WASM.
///
/// Does not strip or validate; call [`strip`] and [`crate::validate`] first.
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        size_hint: wasm.len(),
        ..Default::default()
    };
    let mut out = STYLUS_PREFIX.to_vec();
    let mut input = wasm;
    // Writing into a Vec cannot fail, and reading from a slice cannot fail.
    if brotli::BrotliCompress(&mut input, &mut out, &params).is_err() {
        unreachable!("in-memory brotli compression cannot fail");
    }
    out
}

/// Decompresses deployed Stylus code back to its WASM.
///
/// # Errors
///
/// - [`ValidationError::NotStylus`] if `code` lacks the `0xEFF000` discriminant;
/// - [`ValidationError::UnsupportedDictionary`] for a dictionary byte other than `0x00`;
/// - [`ValidationError::Brotli`] if the payload is not valid brotli;
/// - [`ValidationError::WasmTooLarge`] if it decompresses past [`MAX_WASM_SIZE`].
pub fn decompress(code: &[u8]) -> Result<Vec<u8>, ValidationError> {
    if !crate::is_stylus_code(code) {
        return Err(ValidationError::NotStylus);
    }
    let dictionary = code[STYLUS_DISCRIMINANT.len()];
    if dictionary != STYLUS_PREFIX[3] {
        return Err(ValidationError::UnsupportedDictionary(dictionary));
    }
    let payload = &code[STYLUS_PREFIX.len()..];
    let limit = MAX_WASM_SIZE as u64 + 1;
    let mut wasm = Vec::new();
    brotli::Decompressor::new(payload, 4096)
        .take(limit)
        .read_to_end(&mut wasm)
        .map_err(|e| ValidationError::Brotli(e.to_string()))?;
    if wasm.len() > MAX_WASM_SIZE {
        return Err(ValidationError::WasmTooLarge {
            size: wasm.len(),
            limit: MAX_WASM_SIZE,
        });
    }
    Ok(wasm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_with_custom_sections() -> Vec<u8> {
        let wat = r#"(module $named
            (memory (export "memory") 1)
            (func $main (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#;
        let mut wasm = wat::parse_str(wat).expect("valid wat");
        // Append a producers-like custom section too.
        let name = b"producers";
        let mut contents = vec![name.len() as u8];
        contents.extend_from_slice(name);
        contents.extend_from_slice(b"payload");
        wasm.push(CUSTOM_SECTION_ID);
        wasm.push(contents.len() as u8);
        wasm.extend_from_slice(&contents);
        wasm
    }

    #[test]
    fn strip_removes_custom_sections_only() {
        let wasm = module_with_custom_sections();
        let stripped = strip(&wasm);
        assert!(stripped.len() < wasm.len());
        let customs = wasmparser::Parser::new(0)
            .parse_all(&stripped)
            .filter(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(_))))
            .count();
        assert_eq!(customs, 0);
        crate::validate(&stripped).expect("stripped module still valid");
        // Idempotent.
        assert_eq!(strip(&stripped), stripped);
    }

    #[test]
    fn strip_returns_garbage_unchanged() {
        assert_eq!(strip(b"not wasm"), b"not wasm");
        let truncated = [&WASM_HEADER[..], &[1, 0x7F]].concat();
        assert_eq!(strip(&truncated), truncated);
    }

    #[test]
    fn compress_roundtrip_and_prefix() {
        let wasm = module_with_custom_sections();
        let code = compress(&wasm);
        assert_eq!(&code[..4], &STYLUS_PREFIX);
        assert_eq!(decompress(&code).expect("roundtrip"), wasm);
        // Deterministic.
        assert_eq!(compress(&wasm), code);
    }

    #[test]
    fn decompress_rejects_bad_code() {
        assert_eq!(decompress(&[0x60, 0x80]), Err(ValidationError::NotStylus));
        assert_eq!(decompress(&[0xEF, 0xF0]), Err(ValidationError::NotStylus));
        assert_eq!(
            decompress(&[0xEF, 0xF0, 0x00, 0x01, 1, 2]),
            Err(ValidationError::UnsupportedDictionary(1))
        );
        assert!(matches!(
            decompress(&[0xEF, 0xF0, 0x00, 0x00, 0xFF, 0xFF, 0xFF]),
            Err(ValidationError::Brotli(_))
        ));
    }

    #[test]
    fn decompress_bounds_output() {
        let big = vec![0u8; MAX_WASM_SIZE + 10];
        let code = compress(&big);
        assert!(code.len() < 1000, "zeros compress well");
        assert!(matches!(
            decompress(&code),
            Err(ValidationError::WasmTooLarge { .. })
        ));
    }

    #[test]
    fn leb_reader() {
        assert_eq!(read_leb_u32(&[0x00]), Some((0, 1)));
        assert_eq!(read_leb_u32(&[0xE5, 0x8E, 0x26]), Some((624_485, 3)));
        assert_eq!(read_leb_u32(&[0x80]), None);
        assert_eq!(read_leb_u32(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), None);
    }
}
