//! The shared `jwt-fixtures.mjs` tool (`../shared/tools`): a local JWKS server and 16
//! good and bad tokens. `npm i jose` runs once into `target/node-tools-jwt`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A running fixture server and the tokens it wrote.
#[derive(Debug)]
pub struct JwtFixtures {
    pub port: u16,
    /// Token name (`valid`, `expired`, ...) → token.
    pub tokens: HashMap<String, String>,
    child: Child,
    dir: PathBuf,
}

impl JwtFixtures {
    /// `http://127.0.0.1:<port>/`, the issuer of every token.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("http://127.0.0.1:{}/.well-known/jwks.json", self.port)
    }

    /// The audience of the good tokens.
    pub const AUDIENCE: &'static str = "graphql-api";

    /// Starts the fixture server; `None` (with a loud message) only when node or npm is
    /// not installed.
    pub fn start(target_tmpdir: &Path) -> Option<JwtFixtures> {
        if !present("node") || !present("npm") {
            // Straight to stderr: the test harness captures eprintln! of passing tests.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"\n!!! SKIPPED: `node` and `npm` are needed for jwt-fixtures.mjs and are not installed !!!\n",
            );
            return None;
        }
        let tools = target_tmpdir
            .parent()
            .unwrap_or(target_tmpdir)
            .join("node-tools-jwt");
        install_jose(&tools);
        let script = fixture_script();
        let dir = tools.join(format!(
            "run-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("fixture folder");
        // Node resolves imports from the script's folder upwards: a copy in the run's own
        // folder (below node_modules' folder) finds jose, and concurrent runs never share it.
        let local = dir.join("jwt-fixtures.mjs");
        std::fs::copy(&script, &local).expect("copy jwt-fixtures.mjs");
        let port = free_port();
        let child = Command::new("node")
            .arg(&local)
            .arg(port.to_string())
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node jwt-fixtures.mjs");
        let mut fixtures = JwtFixtures {
            port,
            tokens: HashMap::new(),
            child,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let written = std::fs::read_to_string(fixtures.dir.join("tokens.json")).ok();
            let listening = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
            if let (Some(text), true) = (written, listening)
                && let Ok(tokens) = serde_json_tokens(&text)
            {
                fixtures.tokens = tokens;
                return Some(fixtures);
            }
            assert!(
                Instant::now() < deadline,
                "jwt-fixtures.mjs did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The token named `name`.
    pub fn token(&self, name: &str) -> &str {
        self.tokens
            .get(name)
            .unwrap_or_else(|| panic!("no fixture token {name}"))
    }
}

impl Drop for JwtFixtures {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static INSTALL: Mutex<()> = Mutex::new(());

fn serde_json_tokens(text: &str) -> Result<HashMap<String, String>, serde_json::Error> {
    serde_json::from_str(text)
}

fn present(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn fixture_script() -> PathBuf {
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/jwt-fixtures.mjs");
    assert!(
        shared.is_file(),
        "{} is missing: the shared tools must sit beside the repository",
        shared.display()
    );
    shared
}

fn install_jose(dir: &Path) {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if dir.join("node_modules/jose/package.json").is_file() {
        return;
    }
    std::fs::create_dir_all(dir).expect("node tools folder");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "node-tools-jwt", "private": true}"#,
    )
    .expect("package.json");
    let out = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "jose@6",
        ])
        .current_dir(dir)
        .output()
        .expect("run npm");
    assert!(
        out.status.success(),
        "npm install jose failed in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
