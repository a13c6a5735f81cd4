//! File helpers shared by every read and save. Saves are atomic and never replace what is not
//! ours to replace: a regular file is replaced by a rename (keeping its mode and owner), a link's
//! target is saved in place of the link's, a terminal or pipe is written straight into, and
//! anything else is refused. Reads take regular files only, up to `MAX_INPUT_BYTES`.

use std::fs::{self, Metadata, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The largest file paxos-lab reads: a million-step trace is about 20 MB of RON.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// How many symbolic links a save follows before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` atomically, following the rules in the module comment.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && names_a_stream(path) => {
            // `-o /dev/stdout >> log`: the shell's file, opened by another name; add to it as the
            // shell would, never replace it.
            fs::OpenOptions::new()
                .append(true)
                .open(path)?
                .write_all(bytes)
        }
        Ok(m) if m.is_file() => replace_file(&fs::canonicalize(path)?, bytes, Some(&m)),
        Ok(m) if m.file_type().is_char_device() || m.file_type().is_fifo() => {
            // `-o /dev/stdout`, a terminal or a pipe: there is nothing to replace.
            fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(bytes)
        }
        Ok(m) if m.is_dir() => Err(refusal("is a folder, not a file")),
        Ok(_) => Err(refusal(
            "is not a regular file (a socket or block device): refusing to replace it",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            replace_file(&link_target(path)?, bytes, None)
        }
        Err(e) => Err(e),
    }
}

/// Whether a path names an open stream rather than a file (`/dev/stdout`, `/proc/self/fd/1`).
pub fn names_a_stream(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

fn refusal(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// Where a path that does not exist yet really points: the end of its chain of links (a
/// dangling link is saved through, so the link stays), or the path itself.
fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(refusal("too many levels of symbolic links"))
}

/// Temp files being written, removed by the Ctrl-C / SIGTERM handler before the process exits.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn track(path: &Path, pending: bool) {
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        // Failing to install (another handler is set) only loses the clean-up, not the save.
        let _ = ctrlc::set_handler(|| {
            if let Ok(paths) = PENDING.lock() {
                for p in paths.iter() {
                    let _ = fs::remove_file(p);
                }
            }
            std::process::exit(130);
        });
    });
    if let Ok(mut paths) = PENDING.lock() {
        if pending {
            paths.push(path.to_path_buf());
        } else {
            paths.retain(|p| p != path);
        }
    }
}

/// Replaces (or creates) the regular file `target` through a fresh temp file beside it.
fn replace_file(target: &Path, bytes: &[u8], existing: Option<&Metadata>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    // A new file gets the usual 0666 less the umask, as `File::create` would give it.
    let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
    // The name is registered for the signal handler before the file exists, so no moment
    // passes in which a temp file is on disk but unknown to the handler.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .make_in(dir, |path| {
            track(path, true);
            let created = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(path);
            if created.is_err() {
                track(path, false);
            }
            created
        })
        // tempfile's error names the temp file, which means nothing to the user.
        .map_err(|e| io::Error::from(e.kind()))?;
    let result = (|| {
        let mut file = tmp.as_file();
        file.write_all(bytes)?;
        if let Some(m) = existing {
            // Exactly the old mode (the umask applied at creation may have cut it), and the old
            // owner where we may set it (root re-saving a user's file); a refusal is not an error.
            file.set_permissions(Permissions::from_mode(mode))?;
            let _ = std::os::unix::fs::fchown(file, Some(m.uid()), Some(m.gid()));
        }
        file.sync_all()
    })();
    let tmp_path = tmp.path().to_path_buf();
    let result = result.and_then(|()| tmp.persist(target).map(drop).map_err(|e| e.error));
    // On failure the temp file was removed when `tmp` dropped.
    track(&tmp_path, false);
    result
}

/// Whether `a` and `b` name the same file: the same device and inode when both exist, else the
/// same absolute path once links and `..` are resolved.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
        return x.dev() == y.dev() && x.ino() == y.ino();
    }
    match (absolute(a), absolute(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A path with its folder resolved (the file itself may not exist yet).
fn absolute(p: &Path) -> Option<PathBuf> {
    let p = link_target(p).ok()?;
    if let Ok(c) = fs::canonicalize(&p) {
        return Some(c);
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// Why a file cannot be read, in words for people.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    NotRegular(&'static str),
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
            ReadError::NotRegular(what) => write!(
                f,
                "cannot read the file: it is {what}, not a regular file (paxos-lab reads only regular files)"
            ),
            ReadError::TooLarge(n) => write!(
                f,
                "the file is {:.1} MiB; paxos-lab reads files up to {} MiB",
                *n as f64 / (1u64 << 20) as f64,
                MAX_INPUT_BYTES >> 20
            ),
        }
    }
}

/// Reads a regular file of at most `MAX_INPUT_BYTES`: a FIFO, a device or a folder is refused
/// before it is opened, so `/dev/zero` or a pipe with no writer cannot hang or fill memory.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::Io)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotRegular(if kind.is_dir() {
            "a folder"
        } else if kind.is_fifo() {
            "a pipe (FIFO)"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else {
            "a socket"
        }));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between the check and the read: never take more than the limit.
    fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("paxos-lab-fsutil-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temp() {
        let dir = scratch("replace");
        let p = dir.join("t.ron");
        atomic_write(&p, b"first, longer content").unwrap();
        atomic_write(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        assert!(leftovers(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_resave_keeps_the_files_mode() {
        let dir = scratch("mode");
        let p = dir.join("private.ron");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o600)).unwrap();
        atomic_write(&p, b"new").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
            0o600
        );
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        atomic_write(&p, b"newer").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
            0o640
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_file_gets_the_usual_mode_not_the_temp_files_0600() {
        let dir = scratch("newmode");
        let p = dir.join("new.ron");
        atomic_write(&p, b"x").unwrap();
        let reference = dir.join("reference");
        fs::File::create(&reference).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode(),
            fs::metadata(&reference).unwrap().permissions().mode()
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn saving_through_a_link_keeps_the_link_and_updates_its_target() {
        let dir = scratch("link");
        let real = dir.join("real.svg");
        let link = dir.join("link.svg");
        fs::write(&real, b"stale").unwrap();
        std::os::unix::fs::symlink("real.svg", &link).unwrap();
        atomic_write(&link, b"fresh").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"fresh");
        // A dangling link is saved through too.
        let dangling = dir.join("dangling.svg");
        std::os::unix::fs::symlink("later.svg", &dangling).unwrap();
        atomic_write(&dangling, b"made").unwrap();
        assert!(
            fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(dir.join("later.svg")).unwrap(), b"made");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_device_is_written_into_and_a_folder_is_refused() {
        atomic_write(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let dir = scratch("dir");
        let err = atomic_write(&dir, b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(dir.is_dir());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temp_names_are_unpredictable_and_a_planted_link_is_never_followed() {
        let dir = scratch("plant");
        let victim = dir.join("victim");
        fs::write(&victim, b"precious").unwrap();
        // The old scheme's name: `.out.svg.PID.tmp`.
        let planted = dir.join(format!(".out.svg.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        atomic_write(&dir.join("out.svg"), b"export").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(dir.join("out.svg")).unwrap(), b"export");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn same_file_sees_through_links_and_dots() {
        let dir = scratch("same");
        let a = dir.join("a.ron");
        fs::write(&a, b"x").unwrap();
        std::os::unix::fs::symlink("a.ron", dir.join("l.ron")).unwrap();
        assert!(same_file(&a, &dir.join("l.ron")));
        assert!(same_file(&a, &dir.join(".").join("a.ron")));
        assert!(!same_file(&a, &dir.join("b.ron")));
        assert!(same_file(&dir.join("n.ron"), &dir.join("./n.ron")));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reading_refuses_what_is_not_a_regular_file() {
        assert!(matches!(
            read_limited(Path::new("/dev/zero")),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_limited(Path::new("/")),
            Err(ReadError::NotRegular("a folder"))
        ));
    }

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let t = "ab\n接受者x";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 3 + 9), (2, 4));
    }
}
