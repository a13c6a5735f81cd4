//! A page has no file system. Saving a file downloads it (named as the path's last part); the
//! files a user hands the page (dropped on it, or chosen in a file input) are kept in memory by
//! name, so opening, listing and reading them goes through the same calls as on the desktop.
//! Nothing here runs on the desktop.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{MAX_INPUT_BYTES, ReadError};

/// The folder the page's files seem to be in.
pub const START_FOLDER: &str = "/page";

/// The files the user handed the page, by name, and those waiting to be opened.
struct PageFiles {
    files: BTreeMap<String, Vec<u8>>,
    to_open: Vec<PathBuf>,
}

static PAGE_FILES: Mutex<PageFiles> = Mutex::new(PageFiles {
    files: BTreeMap::new(),
    to_open: Vec::new(),
});

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Keeps a file the user handed the page; returns the path it opens by.
pub fn keep(name: &str, bytes: Vec<u8>) -> PathBuf {
    let name = name_of(Path::new(name));
    if let Ok(mut page) = PAGE_FILES.lock() {
        page.files.insert(name.clone(), bytes);
    }
    Path::new(START_FOLDER).join(name)
}

/// Whether the file chooser may still hand over a file (the page then looks for it often).
pub static CHOOSING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Keeps a file chosen in the file input or dropped on the page, to be opened.
pub fn keep_to_open(name: &str, bytes: Vec<u8>) {
    CHOOSING.store(false, std::sync::atomic::Ordering::Relaxed);
    let path = keep(name, bytes);
    if let Ok(mut page) = PAGE_FILES.lock() {
        page.to_open.push(path);
    }
}

/// The next file chosen (or dropped) that is still to be opened, one a frame.
pub fn next_to_open() -> Option<PathBuf> {
    let mut page = PAGE_FILES.lock().ok()?;
    (!page.to_open.is_empty()).then(|| page.to_open.remove(0))
}

/// The names of the files the page holds.
pub fn list() -> Vec<String> {
    PAGE_FILES
        .lock()
        .map(|p| p.files.keys().cloned().collect())
        .unwrap_or_default()
}

/// Saving downloads the bytes under the path's file name (and keeps them, so they reopen).
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = name_of(path);
    if name.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a download needs a file name",
        ));
    }
    download(&name, bytes).map_err(io::Error::other)?;
    keep(&name, bytes.to_vec());
    Ok(())
}

pub fn names_a_stream(_path: &Path) -> bool {
    false
}

pub fn same_file(a: &Path, b: &Path) -> bool {
    name_of(a) == name_of(b)
}

pub fn read_limited(path: &Path) -> Result<Vec<u8>, ReadError> {
    let name = name_of(path);
    let bytes = PAGE_FILES
        .lock()
        .ok()
        .and_then(|p| p.files.get(&name).cloned());
    match bytes {
        Some(b) if b.len() as u64 > MAX_INPUT_BYTES => Err(ReadError::TooLarge(b.len() as u64)),
        Some(b) => Ok(b),
        None => Err(ReadError::Io(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{name}: the page holds no such file (drop it on the page, or choose it)"),
        ))),
    }
}

/// Hands `bytes` to the browser as a download named `name`.
fn download(name: &str, bytes: &[u8]) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let why = |e: wasm_bindgen::JsValue| format!("the browser refused the download: {e:?}");
    let window = web_sys::window().ok_or("no browser window")?;
    let document = window.document().ok_or("no document")?;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(why)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(why)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(why)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has started the download; the browser keeps the blob until it is read.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Asks the browser for a file (its file chooser): once chosen, it opens as if dropped on the
/// page (`next_to_open`).
pub fn choose_file() -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let why = |e: wasm_bindgen::JsValue| format!("the browser refused the file chooser: {e:?}");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let input: web_sys::HtmlInputElement = document
        .create_element("input")
        .map_err(why)?
        .dyn_into()
        .map_err(|_| "no input element".to_string())?;
    input.set_type("file");
    input.set_accept(".ron,.json,.txt");
    let chosen = input.clone();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        let Some(file) = chosen.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                keep_to_open(&name, js_sys::Uint8Array::new(&buffer).to_vec());
            }
        });
    });
    input.set_onchange(Some(on_change.as_ref().unchecked_ref()));
    // The input lives as long as the page may still answer it.
    on_change.forget();
    CHOOSING.store(true, std::sync::atomic::Ordering::Relaxed);
    input.click();
    Ok(())
}
