//! Line charts as PNG, drawn by hand: an RGB canvas, Bresenham lines, a
//! built-in 3×5 pixel font for the axis numbers, and a PNG encoder (zlib by
//! `miniz_oxide`, CRC-32 here). No system library, no font file.

use std::path::Path;

use anyhow::Result;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Colours of the series, in order.
pub const PALETTE: [Rgb; 5] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [148, 103, 189],
    [140, 86, 75],
];
const SHOCK: Rgb = [214, 39, 40];
const GRID: Rgb = [225, 225, 225];
const AXIS: Rgb = [90, 90, 90];
const BAND: Rgb = [160, 160, 160];

/// A chart: series over a shared x axis (hours), shock spans, reference lines.
pub struct Chart<'a> {
    /// x values `[hours]`.
    pub x: &'a [f64],
    /// Series (one colour each from [`PALETTE`]).
    pub series: Vec<&'a [f64]>,
    /// Horizontal reference lines (e.g. the ±1% band).
    pub hlines: Vec<f64>,
    /// Shock spans `[hours]`, drawn as red marks.
    pub shocks: Vec<(f64, f64)>,
    /// Force the y range to include these values.
    pub include: Vec<f64>,
}

struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            px: vec![255; w * h * 3],
        }
    }
    fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            let i = (y as usize * self.w + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }
    fn line(&mut self, (mut x0, mut y0): (i64, i64), (x1, y1): (i64, i64), c: Rgb) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.set(x0, y0, c);
            if x0 == x1 && y0 == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x0 += sx;
            }
            if e2 <= dx {
                err += dx;
                y0 += sy;
            }
        }
    }
    fn text(&mut self, x: i64, y: i64, s: &str, c: Rgb) {
        let mut cx = x;
        for ch in s.chars() {
            let g = glyph(ch);
            for (row, bits) in g.iter().enumerate() {
                for col in 0..3 {
                    if bits & (4 >> col) != 0 {
                        // 2× scale.
                        for (ox, oy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                            self.set(cx + col * 2 + ox, y + row as i64 * 2 + oy, c);
                        }
                    }
                }
            }
            cx += 8;
        }
    }
}

/// 3×5 glyphs (bit 2 = left column).
fn glyph(c: char) -> [u8; 5] {
    match c {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 2, 2],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        '.' => [0, 0, 0, 0, 2],
        '-' => [0, 0, 7, 0, 0],
        '%' => [5, 1, 2, 4, 5],
        'k' => [4, 5, 6, 5, 5],
        'M' => [5, 7, 7, 5, 5],
        'd' => [1, 1, 7, 5, 7],
        _ => [0; 5],
    }
}

fn label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

impl Chart<'_> {
    /// Renders to `path` (`w` × `h` pixels).
    ///
    /// # Errors
    /// I/O.
    pub fn render(&self, path: &Path, w: usize, h: usize) -> Result<()> {
        let mut c = Canvas::new(w, h);
        let (left, right, top, bottom) = (76i64, 10i64, 8i64, 22i64);
        let (pw, ph) = (w as i64 - left - right, h as i64 - top - bottom);
        let xmax = self.x.last().copied().unwrap_or(1.0).max(1e-9);
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for v in self
            .series
            .iter()
            .flat_map(|s| s.iter())
            .chain(&self.include)
            .filter(|v| v.is_finite())
        {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo < 1e-12 {
            (lo, hi) = (lo - 0.5 * lo.abs().max(1e-3), hi + 0.5 * hi.abs().max(1e-3));
        }
        let pad = (hi - lo) * 0.05;
        (lo, hi) = (lo - pad, hi + pad);
        let px = |x: f64| left + ((x / xmax) * (pw - 1) as f64).round() as i64;
        let py = |y: f64| top + (((hi - y) / (hi - lo)) * (ph - 1) as f64).round() as i64;
        // Grid and y labels.
        for i in 0..=4 {
            let y = lo + (hi - lo) * f64::from(i) / 4.0;
            let yy = py(y);
            c.line((left, yy), (left + pw - 1, yy), GRID);
            c.text(2, yy - 5, &label(y), AXIS);
        }
        // x labels in days.
        let days = xmax / 24.0;
        let step = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 90.0]
            .into_iter()
            .find(|s| days / s <= 8.0)
            .unwrap_or(180.0);
        let mut d = 0.0;
        while d <= days + 1e-9 {
            let xx = px(d * 24.0);
            c.line((xx, top), (xx, top + ph - 1), GRID);
            c.text(xx - 6, top + ph + 6, &format!("{d:.0}d"), AXIS);
            d += step;
        }
        for &(a, b) in &self.shocks {
            let (xa, xb) = (px(a), px(b.min(xmax)));
            for xx in xa..=xb.max(xa) {
                if (xx - xa) % 3 == 0 || xx == xa {
                    c.line((xx, top), (xx, top + 6), SHOCK);
                }
            }
            c.line((xa, top), (xa, top + ph - 1), SHOCK);
        }
        for &y in &self.hlines {
            let yy = py(y);
            let mut xx = left;
            while xx < left + pw {
                c.line((xx, yy), ((xx + 4).min(left + pw - 1), yy), BAND);
                xx += 8;
            }
        }
        c.line((left, top), (left, top + ph - 1), AXIS);
        c.line((left, top + ph - 1), (left + pw - 1, top + ph - 1), AXIS);
        for (k, s) in self.series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let mut prev: Option<(i64, i64)> = None;
            for (x, y) in self.x.iter().zip(s.iter()) {
                if !y.is_finite() {
                    prev = None;
                    continue;
                }
                let p = (px(*x), py(*y));
                if let Some(q) = prev {
                    c.line(q, p, colour);
                } else {
                    c.set(p.0, p.1, colour);
                }
                prev = Some(p);
            }
        }
        std::fs::write(path, encode_png(w, h, &c.px))?;
        Ok(())
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An 8-bit RGB PNG of `w` × `h` pixels.
pub fn encode_png(w: usize, h: usize, rgb: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((w * 3 + 1) * h);
    for row in rgb.chunks(w * 3) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_png_reference_value() {
        // CRC of "IEND" with no data, as in every PNG file.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn png_round_trips_through_zlib() {
        let png = encode_png(2, 1, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&png[41..41 + len]).unwrap();
        assert_eq!(raw, vec![0, 1, 2, 3, 4, 5, 6]);
    }
}
