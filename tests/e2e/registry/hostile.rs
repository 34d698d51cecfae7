//! Registries that attack the fetch pipeline (issue 14, items 2 and 3), served by a small HTTP
//! server in the test (a `TcpListener` thread speaking just enough of the /v2/ API):
//! - a correctly signed manifest whose layer blob is swapped for a zstd bomb: the fetch must fail
//!   on the blob's digest without the bomb ever being decompressed, so the bytes written to the
//!   state dir stay near the blob's own size;
//! - a registry that drips a layer a byte at a time: the fetch must give up within the configured
//!   rate window, and `image gc` started meanwhile must return within its `--wait`, naming the
//!   fetch that holds the store.
//!
//! Every server thread stops by itself: connections are answered once and closed, drips are bounded
//! in bytes and time, and writes to a client that went away end the thread.

use super::*;
use std::collections::HashMap;
use std::io::Read as _;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the server answers for one path.
#[derive(Clone)]
struct Answer {
    body: Vec<u8>,
    content_type: String,
    /// Send the body one byte per this interval instead of at once.
    drip: Option<Duration>,
}

/// A /v2/ server answering fixed paths; everything else is a 404.
struct Hostile {
    /// Paths requested, in order.
    seen: Arc<Mutex<Vec<String>>>,
    /// Set when a dripped body starts being sent.
    dripping: Arc<AtomicBool>,
}

/// The longest a drip goes on, whatever the client does.
const MAX_DRIP: Duration = Duration::from_secs(90);

impl Hostile {
    fn start(listener: TcpListener, routes: HashMap<String, Answer>) -> Hostile {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let dripping = Arc::new(AtomicBool::new(false));
        let routes = Arc::new(routes);
        let (s, d) = (seen.clone(), dripping.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (routes, s, d) = (routes.clone(), s.clone(), d.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &routes, &s, &d);
                });
            }
        });
        Hostile { seen, dripping }
    }
}

fn serve(
    mut conn: TcpStream,
    routes: &HashMap<String, Answer>,
    seen: &Mutex<Vec<String>>,
    dripping: &AtomicBool,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16384 {
        if conn.read(&mut byte)? == 0 {
            return Ok(());
        }
        // A TLS ClientHello (liftoff tries HTTPS first): not ours to answer.
        if head.is_empty() && byte[0] == 0x16 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let path = words.next().unwrap_or("").to_string();
    seen.lock().unwrap().push(path.clone());
    let answer = if path == "/v2/" {
        Some(Answer {
            body: b"{}".to_vec(),
            content_type: "application/json".into(),
            drip: None,
        })
    } else {
        routes.get(&path).cloned()
    };
    let Some(a) = answer else {
        let body = r#"{"errors":[{"code":"NOT_FOUND","message":"not here"}]}"#;
        return write!(
            conn,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    };
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        a.content_type,
        a.body.len()
    )?;
    if method == "HEAD" {
        return Ok(());
    }
    match a.drip {
        None => conn.write_all(&a.body),
        Some(every) => {
            dripping.store(true, Ordering::SeqCst);
            let started = Instant::now();
            for b in &a.body {
                if started.elapsed() > MAX_DRIP {
                    break;
                }
                conn.write_all(std::slice::from_ref(b))?;
                std::thread::sleep(every);
            }
            Ok(())
        }
    }
}

/// Serves the image `reference` of an OCI layout as `repo:tag`: its manifest under the tag and
/// its digest, every blob of the layout, and the signature manifest when the layout has one.
fn routes_of(l: &Layout, reference: &str, repo: &str, tag: &str) -> HashMap<String, Answer> {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(l.dir.join("index.json")).unwrap()).unwrap();
    let mut routes = HashMap::new();
    let plain = |body: Vec<u8>, ct: &str| Answer {
        body,
        content_type: ct.to_string(),
        drip: None,
    };
    for m in index["manifests"].as_array().unwrap() {
        let r = m["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .unwrap();
        let d = Digest::parse(m["digest"].as_str().unwrap()).unwrap();
        let bytes = std::fs::read(l.dir.join("blobs/sha256").join(d.hex())).unwrap();
        let mt = m["mediaType"].as_str().unwrap();
        let as_tag = if r == reference { tag } else { r };
        for name in [as_tag.to_string(), d.to_string()] {
            routes.insert(
                format!("/v2/{repo}/manifests/{name}"),
                plain(bytes.clone(), mt),
            );
        }
    }
    for e in std::fs::read_dir(l.dir.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        let hex = e.file_name().to_string_lossy().to_string();
        routes.insert(
            format!("/v2/{repo}/blobs/sha256:{hex}"),
            plain(std::fs::read(e.path()).unwrap(), "application/octet-stream"),
        );
    }
    routes
}

/// The digest of the first layer of the layout's manifest `m`.
fn first_layer(l: &Layout, m: &Digest) -> Digest {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(l.dir.join("blobs/sha256").join(m.hex())).unwrap())
            .unwrap();
    Digest::parse(v["layers"][0]["digest"].as_str().unwrap()).unwrap()
}

/// A zstd stream of a tar holding one file of `size` zero bytes, padded with a zstd skippable frame
/// to exactly `pad_to` bytes (so that only its digest, not its size, gives it away).
fn zstd_bomb(size: u64, pad_to: usize) -> Vec<u8> {
    let mut enc = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_path("zeros").unwrap();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    enc.write_all(h.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut left = size + 1024; // the file, then the two end-of-archive blocks
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        enc.write_all(&zeros[..n]).unwrap();
        left -= n as u64;
    }
    let mut bomb = enc.finish().unwrap();
    assert!(
        bomb.len() + 8 <= pad_to,
        "the bomb ({} bytes) must be smaller than the layer it replaces ({pad_to})",
        bomb.len()
    );
    let skip = (pad_to - bomb.len() - 8) as u32;
    bomb.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    bomb.extend_from_slice(&skip.to_le_bytes());
    bomb.resize(pad_to, 0);
    bomb
}

/// Size of everything under `root`: (apparent bytes, allocated bytes).
fn usage(root: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let (mut apparent, mut allocated) = (0, 0);
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(e.path());
            } else {
                apparent += md.len();
                allocated += md.blocks() * 512;
            }
        }
    }
    (apparent, allocated)
}

/// Waits for `child` at most `limit`; kills it (by its pid) and panics past that.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "{what} did not end within {limit:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn signed_manifest_with_a_bomb_layer_is_refused_before_decompression() {
    require_tools(&[]);
    let e = Env::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let name = format!("{host}/hostile/app:1");
    let (key, public) = e.keypair("publisher");
    e.trust(&public, &format!("{host}/hostile"));
    // The publisher's image: one zstd layer of incompressible data, signed for `name`.
    let mut l = Layout::new(&e.p("work/layout"));
    let img = l.image(
        &[(vec![("data.bin".into(), noise(3, 512 << 10))], Comp::Zstd)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    e.ok(&[
        "image",
        "sign",
        &l.oci("1"),
        "--identity",
        &name,
        "--key",
        key.to_str().unwrap(),
    ]);
    let layer = first_layer(&l, &img.0);
    let layer_size = std::fs::metadata(l.dir.join("blobs/sha256").join(layer.hex()))
        .unwrap()
        .len() as usize;
    // The registry swaps the layer for a bomb of the same size: 1 GiB of zeros in a tar.
    const BOMB: u64 = 1 << 30;
    let bomb = zstd_bomb(BOMB, layer_size);
    let mut routes = routes_of(&l, "1", "hostile/app", "1");
    routes.insert(
        format!("/v2/hostile/app/blobs/{layer}"),
        Answer {
            body: bomb.clone(),
            content_type: "application/octet-stream".into(),
            drip: None,
        },
    );
    let reg = Hostile::start(listener, routes);

    // Watch the state dir while the fetch runs.
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(Mutex::new((0u64, 0u64)));
    let watcher = {
        let (stop, peak, root) = (stop.clone(), peak.clone(), e.root.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let (a, b) = usage(&root);
                let mut p = peak.lock().unwrap();
                *p = (p.0.max(a), p.1.max(b));
                drop(p);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let before = snapshot(&e.root);
    let base = usage(&e.root).0;
    let child = e
        .cmd(&[
            "fetch",
            "--insecure-options=http",
            &format!("docker://{name}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = wait_bounded(child, Duration::from_secs(120), "the fetch of the bomb");
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(254), "{err}");
    // Refused for its digest, naming the layer, after the signature was verified.
    assert!(
        err.contains(&layer.to_string()) && err.contains("does not match its content"),
        "{err}"
    );
    assert!(
        reg.seen
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.ends_with(&format!("blobs/{layer}"))),
        "the layer was never requested"
    );
    let (apparent, allocated) = *peak.lock().unwrap();
    let written = apparent.max(allocated).saturating_sub(base);
    let bound = 2 * bomb.len() as u64 + (4 << 20);
    eprintln!(
        "bomb: {} bytes compressed, {BOMB} expanded; peak written to the state dir: {written} bytes (bound {bound})",
        bomb.len()
    );
    assert!(
        written < bound,
        "{written} bytes were written to the state dir for a {}-byte blob: the bomb was decompressed",
        bomb.len()
    );
    assert_eq!(before, snapshot(&e.root), "store changed");
}

#[test]
#[ignore = "needs root and the tools tests/run.sh installs"]
fn drip_fed_layer_times_out_and_gc_does_not_hang() {
    require_tools(&[]);
    let e = Env::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut l = Layout::new(&e.p("work/layout"));
    let img = l.image(
        &[(vec![("data.bin".into(), noise(5, 64 << 10))], Comp::Gzip)],
        &host_arch(),
    );
    l.tag_image("1", &img);
    let layer = first_layer(&l, &img.0);
    let mut routes = routes_of(&l, "1", "slow/app", "1");
    routes
        .get_mut(&format!("/v2/slow/app/blobs/{layer}"))
        .unwrap()
        .drip = Some(Duration::from_millis(250));
    let reg = Hostile::start(listener, routes);
    // A short rate window, so the test is quick; the default minimum rate (10 KiB/s) stands.
    const WINDOW: u64 = 3;
    std::fs::write(
        e.p("config.toml"),
        format!("[registries]\ninsecure = [\"{host}\"]\nrate_window = {WINDOW}\n"),
    )
    .unwrap();
    let before = snapshot(&e.root);
    let fetch = e
        .cmd(&[
            "fetch",
            "--insecure-options=image",
            &format!("docker://{host}/slow/app:1"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let fetch_pid = fetch.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !reg.dripping.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the layer was never requested");
        std::thread::sleep(Duration::from_millis(10));
    }
    let stuck_at = Instant::now();

    // gc while the fetch holds the store: it gives up after its wait, naming the fetch.
    let gc = e
        .cmd(&["image", "gc", "--wait", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let g = wait_bounded(gc, Duration::from_secs(10), "image gc");
    let gc_took = stuck_at.elapsed();
    let gc_err = String::from_utf8_lossy(&g.stderr).to_string();
    assert_eq!(g.status.code(), Some(254), "{gc_err}");
    assert!(
        gc_err.contains(&format!("pid {fetch_pid}")) && gc_err.contains("fetch"),
        "gc does not name the fetch (pid {fetch_pid}) holding the store: {gc_err}"
    );
    assert!(gc_err.contains("--wait"), "{gc_err}");
    assert!(gc_took < Duration::from_secs(WINDOW), "gc took {gc_took:?}");

    // The fetch gives up once a rate window has passed below the minimum.
    let o = wait_bounded(fetch, Duration::from_secs(30), "the drip-fed fetch");
    let took = stuck_at.elapsed();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains(&host) && err.contains(&layer.to_string()) && err.contains("min_rate"),
        "{err}"
    );
    assert!(!err.contains("TooSlow"), "Debug text in a message: {err}");
    assert!(
        took < Duration::from_secs(WINDOW + 5),
        "the fetch took {took:?} with a {WINDOW} s window"
    );
    assert_eq!(before, snapshot(&e.root), "store changed");
    // With the fetch gone, gc runs.
    e.ok(&["image", "gc", "--wait", "1s"]);
}
