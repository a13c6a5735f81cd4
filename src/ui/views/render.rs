//! Pictures of the app's views without a window or a GPU: the view draws into an egui context as
//! it does in the app, egui tessellates the shapes into triangles, and a small CPU rasteriser
//! fills them. So a PNG or a GIF frame is the graph exactly as the app draws it, and the same
//! input always gives the same pixels.
//!
//! Blending follows egui's own renderers: vertex colours and textures are premultiplied sRGB,
//! interpolated and blended in gamma space.

use std::collections::HashMap;

use egui::epaint::{ClippedPrimitive, Primitive, Vertex};
use egui::{Color32, ColorImage, Context, Pos2, RawInput, Rect, TextureId, Ui, Vec2};

use crate::export::{Format, Run, StepRange};
use crate::protocols::paxos::Paxos;
use crate::session::{Command, Session};
use crate::trace::Trace;
use crate::ui::i18n::Lang;
use crate::ui::paxos::graph::GraphView;
use crate::ui::{Anim, Frame, install_fonts};

/// An egui context that draws into memory.
pub struct Offscreen {
    ctx: Context,
    textures: HashMap<TextureId, ColorImage>,
    /// In points.
    size: Vec2,
    pixels_per_point: f32,
}

impl Offscreen {
    /// A canvas of `size` points, each `pixels_per_point` pixels wide, with the app's fonts.
    pub fn new(size: Vec2, pixels_per_point: f32, dark: bool) -> Self {
        let ctx = Context::default();
        install_fonts(&ctx);
        ctx.set_visuals(if dark {
            egui::Visuals::dark()
        } else {
            egui::Visuals::light()
        });
        Offscreen {
            ctx,
            textures: HashMap::new(),
            size,
            pixels_per_point,
        }
    }

    fn input(&self) -> RawInput {
        let mut input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, self.size)),
            ..Default::default()
        };
        input
            .viewports
            .entry(egui::ViewportId::ROOT)
            .or_default()
            .native_pixels_per_point = Some(self.pixels_per_point);
        input
    }

    /// Runs `draw` as one frame and returns the pixels. A first pass lays text out and fills
    /// the font atlas; the second is the one painted.
    pub fn render(&mut self, mut draw: impl FnMut(&mut Ui)) -> ColorImage {
        let mut output = None;
        for _ in 0..2 {
            let mut out = self.ctx.run_ui(self.input(), &mut draw);
            for (id, deltas) in &out.textures_delta.set {
                for delta in deltas {
                    self.apply_texture(*id, delta);
                }
            }
            // Freed textures are not drawn from again; the next pass may reuse their ids.
            for id in &out.textures_delta.free {
                self.textures.remove(id);
            }
            out.textures_delta.clear();
            output = Some(out);
        }
        let out = output.expect("two passes ran");
        let ppp = out.pixels_per_point;
        let primitives = self.ctx.tessellate(out.shapes, ppp);
        let w = (self.size.x * ppp).round() as usize;
        let h = (self.size.y * ppp).round() as usize;
        let mut canvas = Canvas {
            width: w,
            height: h,
            pixels: vec![Color32::BLACK; w * h],
        };
        let background = self.ctx.global_style().visuals.panel_fill;
        canvas.pixels.fill(background);
        for ClippedPrimitive {
            clip_rect,
            primitive,
        } in &primitives
        {
            if let Primitive::Mesh(mesh) = primitive {
                let Some(texture) = self.textures.get(&mesh.texture_id) else {
                    continue;
                };
                let clip = [
                    (clip_rect.min.x * ppp).max(0.0),
                    (clip_rect.min.y * ppp).max(0.0),
                    (clip_rect.max.x * ppp).min(w as f32),
                    (clip_rect.max.y * ppp).min(h as f32),
                ];
                for tri in mesh.indices.chunks_exact(3) {
                    let v = [
                        mesh.vertices[tri[0] as usize],
                        mesh.vertices[tri[1] as usize],
                        mesh.vertices[tri[2] as usize],
                    ];
                    canvas.triangle(v, ppp, clip, texture);
                }
            }
        }
        ColorImage::new([w, h], canvas.pixels)
    }

    fn apply_texture(&mut self, id: TextureId, delta: &egui::epaint::ImageDelta) {
        let egui::ImageData::Color(image) = &delta.image;
        match delta.pos {
            None => {
                self.textures.insert(id, (**image).clone());
            }
            Some([x0, y0]) => {
                let Some(t) = self.textures.get_mut(&id) else {
                    return;
                };
                let [pw, ph] = image.size;
                for y in 0..ph {
                    for x in 0..pw {
                        let (tx, ty) = (x0 + x, y0 + y);
                        if tx < t.size[0] && ty < t.size[1] {
                            t.pixels[ty * t.size[0] + tx] = image.pixels[y * pw + x];
                        }
                    }
                }
            }
        }
    }
}

struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<Color32>,
}

/// Bilinear sample of premultiplied texels, as [r, g, b, a] in 0..=1.
fn sample(t: &ColorImage, uv: Pos2) -> [f32; 4] {
    let [w, h] = t.size;
    let x = (uv.x * w as f32 - 0.5).clamp(0.0, w as f32 - 1.0);
    let y = (uv.y * h as f32 - 0.5).clamp(0.0, h as f32 - 1.0);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let px = |x: usize, y: usize| t.pixels[y * w + x].to_array().map(|c| c as f32 / 255.0);
    let (a, b, c, d) = (px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1));
    std::array::from_fn(|i| {
        let top = a[i] + (b[i] - a[i]) * fx;
        let bottom = c[i] + (d[i] - c[i]) * fx;
        top + (bottom - top) * fy
    })
}

impl Canvas {
    /// Fills one triangle: pixel centres inside it (shared edges owned by one side only, so
    /// translucent meshes do not double up along their seams), colour and texture interpolated,
    /// blended premultiplied over what is there.
    fn triangle(&mut self, v: [Vertex; 3], ppp: f32, clip: [f32; 4], texture: &ColorImage) {
        let p = v.map(|v| Pos2::new(v.pos.x * ppp, v.pos.y * ppp));
        let area = (p[1].x - p[0].x) * (p[2].y - p[0].y) - (p[1].y - p[0].y) * (p[2].x - p[0].x);
        if area.abs() < 1e-6 {
            return;
        }
        // Counter-clockwise in screen space (y down) from here on.
        let (v, p, area) = if area < 0.0 {
            ([v[0], v[2], v[1]], [p[0], p[2], p[1]], -area)
        } else {
            (v, p, area)
        };
        let min_x = p.iter().map(|q| q.x).fold(f32::MAX, f32::min).max(clip[0]);
        let max_x = p.iter().map(|q| q.x).fold(f32::MIN, f32::max).min(clip[2]);
        let min_y = p.iter().map(|q| q.y).fold(f32::MAX, f32::min).max(clip[1]);
        let max_y = p.iter().map(|q| q.y).fold(f32::MIN, f32::max).min(clip[3]);
        if min_x >= max_x || min_y >= max_y {
            return;
        }
        let edge =
            |a: Pos2, b: Pos2, q: Pos2| (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
        // The top-left rule, for a triangle wound this way round.
        let owns = |a: Pos2, b: Pos2| (a.y == b.y && b.x < a.x) || b.y < a.y;
        let edges = [(p[1], p[2]), (p[2], p[0]), (p[0], p[1])];
        let own = edges.map(|(a, b)| owns(a, b));
        let x_start = (min_x - 0.5).ceil().max(0.0) as usize;
        let x_end = ((max_x - 0.5).floor() as usize).min(self.width.saturating_sub(1));
        let y_start = (min_y - 0.5).ceil().max(0.0) as usize;
        let y_end = ((max_y - 0.5).floor() as usize).min(self.height.saturating_sub(1));
        let colors = v.map(|v| v.color.to_array().map(|c| c as f32 / 255.0));
        for y in y_start..=y_end {
            for x in x_start..=x_end {
                let q = Pos2::new(x as f32 + 0.5, y as f32 + 0.5);
                let mut w = [0.0f32; 3];
                let mut inside = true;
                for (i, (a, b)) in edges.iter().enumerate() {
                    let e = edge(*a, *b, q);
                    if e < 0.0 || (e == 0.0 && !own[i]) {
                        inside = false;
                        break;
                    }
                    w[i] = e / area;
                }
                if !inside {
                    continue;
                }
                let uv = Pos2::new(
                    v[0].uv.x * w[0] + v[1].uv.x * w[1] + v[2].uv.x * w[2],
                    v[0].uv.y * w[0] + v[1].uv.y * w[1] + v[2].uv.y * w[2],
                );
                let tex = sample(texture, uv);
                let src: [f32; 4] = std::array::from_fn(|i| {
                    (colors[0][i] * w[0] + colors[1][i] * w[1] + colors[2][i] * w[2]) * tex[i]
                });
                let dst = &mut self.pixels[y * self.width + x];
                let d = dst.to_array();
                let keep = 1.0 - src[3];
                let out: [u8; 4] = std::array::from_fn(|i| {
                    (src[i] * 255.0 + d[i] as f32 * keep)
                        .round()
                        .clamp(0.0, 255.0) as u8
                });
                *dst = Color32::from_rgba_premultiplied(out[0], out[1], out[2], out[3]);
            }
        }
    }
}

/// How graph pictures look.
#[derive(Clone, Copy, Debug)]
pub struct PictureOptions {
    /// In points.
    pub size: Vec2,
    pub pixels_per_point: f32,
    pub lang: Lang,
    pub dark: bool,
    /// Frames drawn per step of a GIF (the step's transition, eased as in the app).
    pub frames_per_step: u32,
}

impl Default for PictureOptions {
    fn default() -> Self {
        PictureOptions {
            size: Vec2::new(960.0, 600.0),
            pixels_per_point: 1.0,
            lang: Lang::En,
            dark: true,
            frames_per_step: 4,
        }
    }
}

/// A protocol whose graph view can be drawn into a picture.
pub trait GraphPicture: crate::protocols::Plugin {
    /// Draws the graph of `session` at its current position, at animation time `anim`.
    fn draw_graph(ui: &mut Ui, session: &Session<Self>, anim: Anim, opts: &PictureOptions);
}

impl GraphPicture for crate::protocols::paxos::Paxos {
    fn draw_graph(ui: &mut Ui, session: &Session<Paxos>, anim: Anim, opts: &PictureOptions) {
        let mut frame = Frame::at_rest(session, opts.lang);
        frame.palette = crate::ui::views::theme::Palette::standard(opts.dark);
        frame.anim = anim;
        let mut ignored: Vec<Command<Paxos>> = Vec::new();
        GraphView::default().ui(ui, &frame, &mut ignored);
    }
}

/// The store protocols' pictures: one graph, drawn at rest but for the animation time.
fn draw_store_graph<P: crate::ui::store::graph::StoreGraphView>(
    ui: &mut Ui,
    session: &Session<P>,
    anim: Anim,
    opts: &PictureOptions,
) {
    let frame = crate::ui::store::graph::GraphFrame {
        world: session.world(),
        anim,
        lang: opts.lang,
        palette: crate::ui::views::theme::Palette::standard(opts.dark),
        text_scale: 1.0,
        selection: None,
        held: &session.held,
        highlight: &[],
    };
    let mut ignored = Vec::new();
    crate::ui::store::graph::StoreGraph::<P>::default().ui(ui, &frame, &mut ignored);
}

impl<P: crate::ui::store::graph::StoreGraphView> GraphPicture for P {
    fn draw_graph(ui: &mut Ui, session: &Session<Self>, anim: Anim, opts: &PictureOptions) {
        draw_store_graph(ui, session, anim, opts);
    }
}

/// The graph view of `session` at its current position, at animation time `anim`.
fn draw_graph<P: GraphPicture>(
    offscreen: &mut Offscreen,
    session: &Session<P>,
    anim: Anim,
    opts: &PictureOptions,
) -> ColorImage {
    offscreen.render(|ui| P::draw_graph(ui, session, anim, opts))
}

/// The graph view at `step`, settled.
pub fn graph_picture<P: GraphPicture>(
    session: &mut Session<P>,
    step: u64,
    opts: &PictureOptions,
) -> ColorImage {
    session.apply(Command::Seek(step));
    let mut offscreen = Offscreen::new(opts.size, opts.pixels_per_point, opts.dark);
    let now = session.world().now() as f64;
    draw_graph(
        &mut offscreen,
        session,
        Anim {
            display_now: now,
            progress: 1.0,
        },
        opts,
    )
}

/// One frame of an animation, with how long it stays, in milliseconds.
pub struct AnimationFrame {
    pub image: ColorImage,
    pub delay_ms: u32,
    pub step: u64,
}

/// The most frames a GIF may have, and the most pixels a picture (or a GIF frame) may have: an
/// 8K picture (7680x4320) fits. Both are checked before anything is drawn.
pub const MAX_GIF_FRAMES: u64 = 20_000;
pub const MAX_PICTURE_PIXELS: u64 = 7680 * 4320;

/// Checks a picture's size (and a GIF's frame count for `steps` steps) before drawing, so a
/// request too large for memory is an error that says how to stay under the limit.
pub fn check_picture(opts: &PictureOptions, gif_steps: Option<u64>) -> Result<(), String> {
    let w = (opts.size.x * opts.pixels_per_point).round() as u64;
    let h = (opts.size.y * opts.pixels_per_point).round() as u64;
    if w * h > MAX_PICTURE_PIXELS {
        return Err(format!(
            "a picture of {w}x{h} pixels is larger than the limit of {MAX_PICTURE_PIXELS} pixels (7680x4320): lower --size or --scale"
        ));
    }
    if let Some(steps) = gif_steps {
        let frames = 1 + steps.saturating_mul(opts.frames_per_step.max(1) as u64);
        if frames > MAX_GIF_FRAMES {
            return Err(format!(
                "{steps} steps at {} frames per step make {frames} frames, more than the limit of {MAX_GIF_FRAMES}: lower --frames-per-step or export a shorter range with --from and --to",
                opts.frames_per_step
            ));
        }
    }
    Ok(())
}

/// The graph animated over `range`: the state at `range.from`, then for every step after it
/// `frames_per_step` frames easing the messages along as the app does. Each frame goes to `emit`
/// as soon as the next one is drawn (the last one is held to lengthen its delay), so only two
/// frames are ever in memory.
pub fn graph_animation<P: GraphPicture>(
    session: &mut Session<P>,
    range: StepRange,
    opts: &PictureOptions,
    mut emit: impl FnMut(AnimationFrame) -> Result<(), String>,
) -> Result<(), String> {
    let mut offscreen = Offscreen::new(opts.size, opts.pixels_per_point, opts.dark);
    session.apply(Command::Seek(range.from));
    let mut before = session.world().now() as f64;
    let mut held = AnimationFrame {
        image: draw_graph(
            &mut offscreen,
            session,
            Anim {
                display_now: before,
                progress: 1.0,
            },
            opts,
        ),
        delay_ms: 700,
        step: range.from,
    };
    let n = opts.frames_per_step.max(1);
    for step in range.from + 1..=range.to {
        session.apply(Command::Seek(step));
        let now = session.world().now() as f64;
        for k in 1..=n {
            let t = k as f64 / n as f64;
            let eased = t * t * (3.0 - 2.0 * t);
            let anim = Anim {
                display_now: before + (now - before) * eased,
                progress: t as f32,
            };
            let next = AnimationFrame {
                image: draw_graph(&mut offscreen, session, anim, opts),
                delay_ms: if k == n { 450 } else { 90 },
                step,
            };
            emit(std::mem::replace(&mut held, next))?;
        }
        before = now;
    }
    held.delay_ms = 2000;
    emit(held)
}

/// The bytes of any export of `trace` (already checked to replay): pictures drawn with the app's
/// graph view as `pictures` says, text by `crate::export`.
pub fn export<P: GraphPicture>(
    trace: &Trace<P>,
    format: Format,
    range: StepRange,
    pictures: &PictureOptions,
) -> Result<Vec<u8>, String> {
    if format.is_picture() {
        check_picture(pictures, None)?;
        let mut session = Session::from_trace(trace)?;
        return match format {
            Format::Png => png_bytes(&graph_picture(&mut session, range.to, pictures)),
            _ => gif_bytes(&mut session, range, pictures),
        };
    }
    let run = Run::of(trace).map_err(|(i, e)| format!("action {} cannot apply: {e}", i + 1))?;
    crate::export::text_export(trace, &run, format, range).map(String::into_bytes)
}

/// An egui image (premultiplied) as a plain RGBA buffer for the encoders.
fn rgba(img: &ColorImage) -> Result<image::RgbaImage, String> {
    let [w, h] = img.size;
    let bytes: Vec<u8> = img
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    image::RgbaImage::from_raw(w as u32, h as u32, bytes).ok_or_else(|| "bad image size".into())
}

/// PNG bytes of an image.
pub fn png_bytes(img: &ColorImage) -> Result<Vec<u8>, String> {
    let mut png = Vec::new();
    rgba(img)?
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}

/// GIF bytes of the graph animated over `range`, looping forever, encoded frame by frame.
pub fn gif_bytes<P: GraphPicture>(
    session: &mut Session<P>,
    range: StepRange,
    opts: &PictureOptions,
) -> Result<Vec<u8>, String> {
    use image::codecs::gif::{GifEncoder, Repeat};
    check_picture(opts, Some(range.to - range.from))?;
    let mut out = Vec::new();
    {
        // Speed 10 of 30 quantises well enough for flat UI colours and keeps a long run quick.
        let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        graph_animation(session, range, opts, |f| {
            let buffer = rgba(&f.image)?;
            let delay = image::Delay::from_numer_denom_ms(f.delay_ms, 1);
            encoder
                .encode_frame(image::Frame::from_parts(buffer, 0, 0, delay))
                .map_err(|e| e.to_string())
        })?;
    }
    Ok(out)
}
