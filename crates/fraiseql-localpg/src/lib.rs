//! A private, throwaway PostgreSQL server started from the locally installed server binaries.
//!
//! [`LocalPg::start`] runs `initdb` into a fresh temporary directory and starts `postgres`
//! with `pg_ctl` on a free TCP port of 127.0.0.1 (trust authentication, user `postgres`,
//! `fsync=off`). Dropping the [`LocalPg`] stops the server and removes the directory.
//!
//! PostgreSQL refuses to run as root. When the current process is root, the binaries are run
//! as the `postgres` system user (or the user named by `FRAISEQL_PG_USER`) and the temporary
//! directory, created under `/tmp`, is handed over to that user.
//!
//! Environment:
//! - `FRAISEQL_PG_BINDIR`: directory holding `initdb`, `pg_ctl` and `postgres`.
//! - `FRAISEQL_PG_USER`: unprivileged user to run the server as when running as root.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// Environment variable naming the directory of the PostgreSQL server binaries.
pub const BINDIR_ENV: &str = "FRAISEQL_PG_BINDIR";
/// Environment variable naming the user to run PostgreSQL as when the process is root.
pub const USER_ENV: &str = "FRAISEQL_PG_USER";

const REQUIRED_BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
const INSTALL_HINT: &str = "install PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; \
     macOS: brew install postgresql) or set DATABASE_URL / FRAISEQL_PG_BINDIR";
const START_ATTEMPTS: usize = 5;
const LOG_TAIL_LINES: usize = 30;

/// Everything that can go wrong while finding, starting or stopping a local PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    /// No usable PostgreSQL server binaries were found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: {searched}; {INSTALL_HINT}"
    )]
    BinariesNotFound {
        /// What was looked at.
        searched: String,
    },
    /// The process runs as root and no unprivileged user is available to run PostgreSQL.
    #[error(
        "running as root, and PostgreSQL refuses to run as root: user {user:?} not found in /etc/passwd; \
         create it (Debian: apt-get install postgresql, or useradd --system postgres) or set {USER_ENV} \
         to an unprivileged user"
    )]
    NoUnprivilegedUser {
        /// The user that was looked up.
        user: String,
    },
    /// An I/O operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A PostgreSQL program exited unsuccessfully.
    #[error("{command} failed ({status}):\n{output}")]
    CommandFailed {
        /// The command line that failed.
        command: String,
        /// Its exit status.
        status: String,
        /// The tail of its stderr/stdout and, for the server, of the server log.
        output: String,
    },
}

impl LocalPgError {
    fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            action: action.into(),
            source,
        }
    }
}

/// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
///
/// Looks at, in order: `FRAISEQL_PG_BINDIR`; `pg_config --bindir` if `pg_config` is on `PATH`;
/// the highest-version `/usr/lib/postgresql/*/bin`; `/usr/local/pgsql/bin`.
pub fn find_bindir() -> Result<PathBuf, LocalPgError> {
    if let Some(dir) = std::env::var_os(BINDIR_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_server_binaries(&dir) {
            Ok(dir)
        } else {
            Err(LocalPgError::BinariesNotFound {
                searched: format!(
                    "{BINDIR_ENV}={} does not contain initdb, pg_ctl and postgres",
                    dir.display()
                ),
            })
        };
    }
    let mut searched = Vec::new();

    match Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if has_server_binaries(&dir) {
                return Ok(dir);
            }
            searched.push(format!("pg_config --bindir ({})", dir.display()));
        }
        _ => searched.push("pg_config (not on PATH)".to_owned()),
    }

    let mut versioned: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(|p| p.parse::<u32>().ok())
                .collect::<Option<Vec<_>>>()?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    versioned.sort();
    if let Some((_, dir)) = versioned.pop() {
        return Ok(dir);
    }
    searched.push("/usr/lib/postgresql/*/bin".to_owned());

    let local = PathBuf::from("/usr/local/pgsql/bin");
    if has_server_binaries(&local) {
        return Ok(local);
    }
    searched.push(local.display().to_string());

    Err(LocalPgError::BinariesNotFound {
        searched: format!("looked at {}", searched.join(", ")),
    })
}

fn has_server_binaries(dir: &Path) -> bool {
    REQUIRED_BINARIES.iter().all(|b| dir.join(b).is_file())
}

/// The uid/gid PostgreSQL binaries are run as, when the current process is root.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// Effective uid of this process, if it can be determined without `libc`.
fn effective_uid() -> Option<u32> {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        // "Uid:\treal\teffective\tsaved\tfs"
        if let Some(euid) = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
        {
            return Some(euid);
        }
    }
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

fn lookup_user(name: &str) -> Option<RunAs> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(RunAs { uid, gid })
    })
}

fn run_as() -> Result<Option<RunAs>, LocalPgError> {
    if effective_uid() != Some(0) {
        return Ok(None);
    }
    let user = std::env::var(USER_ENV)
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres".to_owned());
    match lookup_user(&user) {
        Some(ids) if ids.uid != 0 => Ok(Some(ids)),
        _ => Err(LocalPgError::NoUnprivilegedUser { user }),
    }
}

/// A running, private PostgreSQL server. Dropping it stops the server and deletes its files.
#[derive(Debug)]
pub struct LocalPg {
    /// `None` once the server has been handed to [`LocalPg::stop_when_process_exits`].
    dir: Option<TempDir>,
    bindir: PathBuf,
    port: u16,
    run_as: Option<RunAs>,
}

impl LocalPg {
    /// Creates a fresh cluster in a temporary directory and starts it on a free port.
    pub fn start() -> Result<LocalPg, LocalPgError> {
        let bindir = find_bindir()?;
        let run_as = run_as()?;

        let mut builder = tempfile::Builder::new();
        builder.prefix("fraiseql-localpg-");
        // Under root the directory must be reachable by the unprivileged user: /tmp is.
        let dir = if run_as.is_some() {
            builder.tempdir_in("/tmp")
        } else {
            builder.tempdir()
        }
        .map_err(|e| LocalPgError::io("creating a temporary directory", e))?;
        if let Some(ids) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(ids.uid), Some(ids.gid)).map_err(|e| {
                LocalPgError::io(
                    format!("chown {} to uid {}", dir.path().display(), ids.uid),
                    e,
                )
            })?;
        }

        let mut pg = LocalPg {
            dir: Some(dir),
            bindir,
            port: 0,
            run_as,
        };
        pg.initdb()?;
        pg.start_server()?;
        Ok(pg)
    }

    /// The connection URL: `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The TCP port the server listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory holding the cluster (`data/`), the server log and the socket.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map_or(Path::new(""), TempDir::path)
    }

    /// Keeps the server running for the rest of this process and returns its URL.
    ///
    /// For servers held in a `static`, whose `Drop` never runs: a small watchdog process
    /// (`sh`) waits for this process to exit (its stdin pipe closes), then stops the server
    /// and deletes the directory.
    pub fn stop_when_process_exits(mut self) -> Result<String, LocalPgError> {
        let dir = self.dir().to_path_buf();
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(
                r#"cat >/dev/null; "$0" -D "$1" -m immediate -w stop >/dev/null 2>&1; rm -rf "$2""#,
            )
            .arg(self.bindir.join("pg_ctl"))
            .arg(dir.join("data"))
            .arg(&dir)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Own process group: a Ctrl-C on the test run must not kill the watchdog.
            .process_group(0);
        self.apply_user(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| LocalPgError::io("spawning the cleanup watchdog (/bin/sh)", e))?;
        // The write end stays open until this process exits; the kernel then closes it.
        std::mem::forget(child.stdin.take());
        drop(child);
        if let Some(dir) = self.dir.take() {
            let _kept = dir.keep();
        }
        Ok(self.url())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir().join("postgres.log")
    }

    fn apply_user(&self, cmd: &mut Command) {
        if let Some(ids) = self.run_as {
            cmd.uid(ids.uid).gid(ids.gid);
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        // A cwd the (possibly unprivileged) user can enter, and no inherited PG* settings.
        cmd.current_dir(self.dir()).stdin(Stdio::null());
        for var in [
            "PGDATA",
            "PGPORT",
            "PGHOST",
            "PGUSER",
            "PGDATABASE",
            "PGOPTIONS",
        ] {
            cmd.env_remove(var);
        }
        self.apply_user(&mut cmd);
        cmd
    }

    fn run(&self, mut cmd: Command, log: Option<&Path>) -> Result<Output, LocalPgError> {
        let line = command_line(&cmd);
        let out = cmd
            .output()
            .map_err(|e| LocalPgError::io(format!("running {line}"), e))?;
        if out.status.success() {
            return Ok(out);
        }
        let mut output = String::new();
        for (name, bytes) in [("stderr", &out.stderr), ("stdout", &out.stdout)] {
            let text = String::from_utf8_lossy(bytes);
            if !text.trim().is_empty() {
                let _ = writeln!(output, "--- {name} (tail) ---\n{}", tail(&text));
            }
        }
        if let Some((log, text)) = log.and_then(|l| Some((l, std::fs::read_to_string(l).ok()?))) {
            let _ = writeln!(output, "--- {} (tail) ---\n{}", log.display(), tail(&text));
        }
        Err(LocalPgError::CommandFailed {
            command: line,
            status: out.status.to_string(),
            output,
        })
    }

    fn initdb(&self) -> Result<(), LocalPgError> {
        let mut cmd = self.command("initdb");
        cmd.arg("-D").arg(self.data_dir()).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        self.run(cmd, None).map(drop)
    }

    fn start_server(&mut self) -> Result<(), LocalPgError> {
        let mut last_err = None;
        for _ in 0..START_ATTEMPTS {
            self.port = free_port()?;
            let log = self.log_file();
            let _ = std::fs::remove_file(&log);
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                self.port,
                shell_quote(self.dir())
            );
            let mut cmd = self.command("pg_ctl");
            cmd.arg("-D")
                .arg(self.data_dir())
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "-o", &options, "start"]);
            match self.run(cmd, Some(&log)) {
                Ok(_) => return Ok(()),
                Err(err) => {
                    let port_taken = std::fs::read_to_string(&log).is_ok_and(|l| {
                        l.contains("could not bind") || l.contains("already in use")
                    });
                    if !port_taken {
                        return Err(err);
                    }
                    last_err = Some(err);
                }
            }
        }
        Err(last_err.expect("at least one start attempt"))
    }

    fn stop(&self) {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

impl Drop for LocalPg {
    fn drop(&mut self) {
        if self.dir.is_some() {
            self.stop();
            // Dropping the TempDir removes the cluster.
            self.dir = None;
        }
    }
}

fn free_port() -> Result<u16, LocalPgError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LocalPgError::io("finding a free TCP port on 127.0.0.1", e))
}

/// Quotes a path for the `sh -c` that `pg_ctl` runs `postgres` through.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_binaries_or_explains() {
        match find_bindir() {
            Ok(dir) => assert!(has_server_binaries(&dir)),
            Err(e) => assert!(e.to_string().contains("FRAISEQL_PG_BINDIR"), "{e}"),
        }
    }

    #[test]
    fn quotes_for_shell() {
        assert_eq!(shell_quote(Path::new("/tmp/a'b")), r"'/tmp/a'\''b'");
    }

    #[test]
    fn tails_long_output() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("line 70") && t.ends_with("line 99"), "{t}");
    }
}
