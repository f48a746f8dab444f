//! Starts a throwaway PostgreSQL, queries it, and checks that dropping it stops the server.

use std::net::{Ipv4Addr, TcpStream};
use std::process::Command;
use std::time::Duration;

use fraiseql_localpg::LocalPg;

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(2)).is_ok()
}

async fn select_one(url: &str) -> i32 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .query_one("select 1", &[])
        .await
        .expect("select 1")
        .get(0)
}

#[tokio::test]
async fn start_query_drop() {
    let pg = LocalPg::start().expect("start local PostgreSQL");
    let port = pg.port();
    let dir = pg.dir().to_path_buf();
    assert_eq!(
        pg.url(),
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    );
    assert_eq!(select_one(&pg.url()).await, 1);
    assert!(accepts_connections(port));

    drop(pg);
    assert!(
        !accepts_connections(port),
        "port {port} still accepts connections after drop"
    );
    assert!(!dir.exists(), "{} still exists after drop", dir.display());
}

const CHILD_ENV: &str = "FRAISEQL_LOCALPG_DETACH_CHILD";

/// Runs in a child process (see `detached_server_stops_when_process_exits`).
#[tokio::test]
async fn detach_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let pg = LocalPg::start().expect("start local PostgreSQL");
    let port = pg.port();
    let url = pg.stop_when_process_exits().expect("detach");
    assert_eq!(select_one(&url).await, 1);
    println!("DETACHED_PORT={port}");
}

#[test]
fn detached_server_stops_when_process_exits() {
    let out = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", "detach_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run child test process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port: u16 = stdout
        .split("DETACHED_PORT=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in child output:\n{stdout}"));
    // The watchdog stops the server shortly after the child exits.
    for _ in 0..100 {
        if !accepts_connections(port) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server on port {port} still running 10 s after its process exited");
}
