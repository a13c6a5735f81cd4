//! Files on a desktop (Unix): the rules of the parent module's comment.

// Only the desktop has these files (the page has `web`): threads, clocks and all.
#![allow(clippy::disallowed_methods)]

use super::{MAX_INPUT_BYTES, ReadError};
use std::fs::{self, Metadata, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where the file dialog starts when the working folder cannot be read.
pub const START_FOLDER: &str = ".";

/// The browser's file chooser, which only a page has.
pub fn choose_file() -> Result<(), String> {
    Err("only the page in a browser has a file chooser".into())
}

/// How many symbolic links a save follows before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` atomically, following the rules in the module comment.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let resolved = resolve(path)?;
    if resolved.stream {
        // `-o /dev/stdout`: whatever the shell opened, by another name. A file (`>> log`) is
        // added to as the shell would, never replaced; a terminal or pipe is written into.
        let file = fs::metadata(path).is_ok_and(|m| m.is_file());
        return fs::OpenOptions::new()
            .write(true)
            .append(file)
            .open(path)?
            .write_all(bytes);
    }
    let target = resolved.path;
    match fs::symlink_metadata(&target) {
        Ok(m) if m.is_file() => {
            writable(&target, &m)?;
            replace_file(&target, bytes, Some(&m))
        }
        Ok(m) if m.file_type().is_fifo() => write_to_fifo(&target, bytes),
        // `/dev/null`, a terminal, a named pipe: there is nothing to replace. (A regular file
        // under `/dev`, as in `/dev/shm`, is a file like any other.)
        Ok(m) if m.file_type().is_char_device() || m.file_type().is_fifo() => {
            fs::OpenOptions::new()
                .write(true)
                .open(&target)?
                .write_all(bytes)
        }
        Ok(m) if m.is_dir() => Err(refusal("is a folder, not a file")),
        Ok(_) => Err(refusal(
            "is not a regular file (a socket or block device): refusing to replace it",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace_file(&target, bytes, None),
        Err(e) => Err(e),
    }
}

/// Whether a path names an open stream rather than a file: one of this process's descriptors
/// (`/dev/stdout`, `/proc/self/fd/1`), a terminal or a pipe.
pub fn names_a_stream(path: &Path) -> bool {
    match resolve(path) {
        Ok(r) if r.stream => true,
        Ok(r) => fs::metadata(&r.path)
            .is_ok_and(|m| m.file_type().is_char_device() || m.file_type().is_fifo()),
        Err(_) => false,
    }
}

fn refusal(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// How long a save waits for a named pipe's reader to come (`cat fifo` started just after).
const FIFO_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Writes into a named pipe once it has a reader, within `FIFO_GRACE`; a pipe nobody reads
/// would block the save forever, so it is refused instead. Opening for writing without waiting
/// fails (`ENXIO`) while no reader has it open; the descriptor that succeeds is the one written
/// through (closing a probe would hand a waiting reader an end of file).
fn write_to_fifo(fifo: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let started = std::time::Instant::now();
    let mut file = loop {
        match fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(fifo)
        {
            Ok(f) => break f,
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                if started.elapsed() >= FIFO_GRACE {
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        "is a named pipe (FIFO) that nothing is reading: start its reader first",
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    };
    // Back to ordinary blocking writes: a slow reader is waited for, not an error.
    // SAFETY: fcntl on a descriptor this function owns, with flags it read from it.
    let fd = file.as_raw_fd();
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    file.write_all(bytes)
}

/// A file that nobody may write is not replaced, even by root (as `vi` will not without `!`);
/// one the caller may not write is refused as the shell's `>` would refuse it.
fn writable(path: &Path, m: &Metadata) -> io::Result<()> {
    let mode = m.permissions().mode();
    if mode & 0o222 == 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "is read-only (mode {:04o}): refusing to replace it; make it writable first (chmod u+w)",
                mode & 0o7777
            ),
        ));
    }
    // Opened for writing without truncating: nothing changes, but the kernel's answer is the
    // shell's.
    fs::OpenOptions::new().write(true).open(path).map(drop)
}

/// A path with every symbolic link resolved, as the save will use it.
struct Resolved {
    path: PathBuf,
    /// The path went through one of this process's descriptors (`/proc/<pid>/fd/N`): it names
    /// whatever the shell opened, and is opened as it is rather than resolved further.
    stream: bool,
}

/// Resolves `path` one component at a time, so that every link on the way is checked: a link in
/// a shared sticky folder (`/tmp`) owned neither by the caller nor by the folder's owner is not
/// followed, as the kernel's `protected_symlinks` rule would refuse it had the kernel followed
/// it (a save resolves links itself, to replace a link's target rather than the link). A path
/// that does not exist resolves to itself past the last part that does.
fn resolve(path: &Path) -> io::Result<Resolved> {
    use std::ffi::OsString;
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let push_parts = |pending: &mut Vec<OsString>, p: &Path| {
        let parts: Vec<OsString> = p
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect();
        pending.extend(parts.into_iter().rev());
    };
    let mut pending = Vec::new();
    push_parts(&mut pending, &absolute);
    let mut at = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            at.pop();
            continue;
        }
        let next = at.join(&part);
        let meta = match fs::symlink_metadata(&next) {
            Ok(m) => m,
            Err(_) => {
                // The rest does not exist (yet): nothing more to follow.
                at = next;
                while let Some(rest) = pending.pop() {
                    if rest == ".." {
                        at.pop();
                    } else {
                        at.push(rest);
                    }
                }
                break;
            }
        };
        if !meta.file_type().is_symlink() {
            at = next;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(refusal("too many levels of symbolic links"));
        }
        if is_descriptor(&next) {
            return Ok(Resolved {
                path: next,
                stream: true,
            });
        }
        protected_link(&at, &next, &meta)?;
        let target = fs::read_link(&next)?;
        if target.is_absolute() {
            at = PathBuf::from("/");
        }
        push_parts(&mut pending, &target);
    }
    Ok(Resolved {
        path: at,
        stream: false,
    })
}

/// `/proc/<pid>/fd/<n>` (or `/proc/self/...`, `/proc/thread-self/...`): one of a process's
/// open descriptors.
fn is_descriptor(p: &Path) -> bool {
    let parts: Vec<_> = p.components().collect();
    matches!(parts.as_slice(), [_, proc_, _, fd, _] if proc_.as_os_str() == "proc" && fd.as_os_str() == "fd")
        || matches!(parts.as_slice(), [_, proc_, _, task, _, fd, _] if proc_.as_os_str() == "proc" && task.as_os_str() == "task" && fd.as_os_str() == "fd")
}

/// The kernel's `protected_symlinks` rule for a link in `dir`: in a world-writable sticky folder,
/// only a link owned by the caller or by the folder's owner is followed.
fn protected_link(dir: &Path, link: &Path, link_meta: &Metadata) -> io::Result<()> {
    let dir_meta = fs::metadata(dir)?;
    let mode = dir_meta.permissions().mode();
    let shared = mode & 0o1000 != 0 && mode & 0o002 != 0;
    let me = effective_uid();
    if shared && link_meta.uid() != dir_meta.uid() && Some(link_meta.uid()) != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symbolic link another user (uid {}) left in the shared folder {}: refusing to follow it",
                link.display(),
                link_meta.uid(),
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// This process's effective user id (Linux: from `/proc/self/status`, read once).
fn effective_uid() -> Option<u32> {
    static UID: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UID.get_or_init(|| {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("Uid:"))?;
        line.split_whitespace().nth(2)?.parse().ok()
    })
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
    remove_stale_temps(dir);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.{}.", std::process::id()))
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

/// How many entries of a folder the clean-up looks at before a save (a huge folder is not read
/// whole for it).
const STALE_SCAN_LIMIT: usize = 10_000;

/// Removes the temp files that saves of ours killed mid-write (`kill -9`, a power cut) left in
/// `dir`: named `.NAME.PID.XXXXXX.tmp`, regular files of the caller's, whose process is gone. A
/// live process's temp, another user's file or anything else is left alone.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let me = effective_uid();
    for entry in entries.take(STALE_SCAN_LIMIT).flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(stale_temp_pid) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && Some(m.uid()) == me) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The writer's process id, if `name` is one of our temp files' names: `.NAME.PID.XXXXXX.tmp`.
fn stale_temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (rest, random) = rest.rsplit_once('.')?;
    let (target, pid) = rest.rsplit_once('.')?;
    let ok = !target.is_empty()
        && random.len() == 6
        && random.chars().all(|c| c.is_ascii_alphanumeric())
        && !pid.is_empty()
        && pid.chars().all(|c| c.is_ascii_digit());
    ok.then(|| pid.parse().ok()).flatten()
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

/// A path with its folders and links resolved (the file itself may not exist yet).
fn absolute(p: &Path) -> Option<PathBuf> {
    resolve(p).ok().map(|r| r.path)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::line_col;

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

    /// A sticky, world-writable folder as `/tmp` is, of our own.
    fn shared_folder(name: &str) -> PathBuf {
        let dir = scratch(name);
        fs::set_permissions(&dir, Permissions::from_mode(0o1777)).unwrap();
        dir
    }

    #[test]
    fn a_link_another_user_left_in_a_sticky_folder_is_not_followed() {
        let dir = shared_folder("sticky");
        let victim = dir.join("victim");
        fs::write(&victim, b"precious").unwrap();
        let planted = dir.join("out.svg");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let dangling = dir.join("new.svg");
        std::os::unix::fs::symlink(dir.join("created-through-link"), &dangling).unwrap();
        // Owned by nobody (65534): only root may give a link away; elsewhere the rule for a
        // link of one's own is all that can be tried.
        let given_away = std::os::unix::fs::lchown(&planted, Some(65534), Some(65534)).is_ok()
            && std::os::unix::fs::lchown(&dangling, Some(65534), Some(65534)).is_ok();
        if given_away {
            let err = atomic_write(&planted, b"export").unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
            assert!(err.to_string().contains("refusing to follow it"), "{err}");
            assert_eq!(fs::read(&victim).unwrap(), b"precious");
            assert!(atomic_write(&dangling, b"export").is_err());
            assert!(!dir.join("created-through-link").exists());
        }
        // A link of one's own in the same folder is followed.
        let mine = dir.join("mine.svg");
        std::os::unix::fs::symlink(&victim, &mine).unwrap();
        atomic_write(&mine, b"mine").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"mine");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_regular_file_under_dev_shm_is_replaced_not_appended_to() {
        let Ok(dir) = tempfile::Builder::new()
            .prefix("paxos-lab-")
            .tempdir_in("/dev/shm")
        else {
            return; // no /dev/shm here
        };
        let p = dir.path().join("t.svg");
        atomic_write(&p, b"first document").unwrap();
        atomic_write(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        assert!(!names_a_stream(&p));
        assert!(names_a_stream(Path::new("/dev/stdout")) || !Path::new("/dev/stdout").exists());
    }

    #[test]
    fn a_read_only_file_is_not_replaced() {
        let dir = scratch("readonly");
        let p = dir.join("kept.svg");
        fs::write(&p, b"kept").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o444)).unwrap();
        let err = atomic_write(&p, b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("read-only (mode 0444)"), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"kept");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_killed_saves_temp_file_is_removed_by_the_next_save_there() {
        let dir = scratch("stale");
        // A process that has ended: its id names no process now.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = dir.join(format!(".big.svg.{dead}.aB3xYz.tmp"));
        fs::write(&stale, b"half an export").unwrap();
        // A live writer's temp, and files that only look alike, stay.
        let live = dir.join(format!(".big.svg.{}.Qw9rT2.tmp", std::process::id()));
        fs::write(&live, b"being written").unwrap();
        let other = dir.join(format!(".notes.{dead}.tmp"));
        fs::write(&other, b"someone else's").unwrap();
        atomic_write(&dir.join("other.svg"), b"x").unwrap();
        assert!(!stale.exists(), "the stale temp is removed");
        assert!(live.exists() && other.exists());
        assert_eq!(stale_temp_pid(".a.b.c.12.abcdef.tmp"), Some(12));
        assert_eq!(stale_temp_pid(".12.abcdef.tmp"), None);
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
