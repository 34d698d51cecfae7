//! Compose files mapped onto pods: a whole LAMP-like file field by field, and each refusal with
//! the path and line it must name.

use super::*;
use crate::pod::request::{AppRequest, ReadyRequest};

fn env() -> HashMap<String, String> {
    [
        ("HOME", "/home/ann"),
        ("TAG", "1.27"),
        ("PASSTHROUGH", "from-env"),
        ("EMPTY", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn map(text: &str) -> PodRequest {
    match parse(text, "compose.yaml", Path::new("/srv/shop"), &env()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

/// Asserts that `text` is refused at `line`, naming `path`, with `why` in the message.
fn refused(text: &str, line: usize, path: &str, why: &str) {
    let e = parse(text, "compose.yaml", Path::new("/srv/shop"), &env())
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{text}"))
        .to_string();
    let head = format!("compose.yaml: line {line}: {path}");
    assert!(e.starts_with(&head), "want {head:?}, got {e:?}");
    assert!(e.contains(why), "want {why:?} in {e:?}");
}

const LAMP: &str = r#"name: shop
version: "3.9"
x-php: &php-common
  environment:
    APP_ENV: prod
  cap_drop: [ALL]
  x-note: merged extension fields are ignored too
services:
  web:
    image: example.com/nginx:${TAG}
    ports:
      - "8080:80"
      - "127.0.0.1:8443:443/tcp"
      - target: 53
        published: "5353"
        protocol: udp
    volumes:
      - ./html:/var/www/html:ro
      - ~/certs:/etc/nginx/certs:ro
    depends_on:
      php:
        condition: service_started
    hostname: shop
    init: true
    networks: [default]
  php:
    <<: *php-common
    image: example.com/php:8.3-fpm
    command: php-fpm -F -d "memory_limit=256M"
    environment:
      DB_HOST: mariadb
      DB_PASSWORD: ${DB_PASSWORD:-secret}
      PASSTHROUGH:
      NOT_SET_ANYWHERE:
    volumes:
      - type: bind
        source: ./html
        target: /var/www/html
      - type: tmpfs
        target: /var/cache/php
        tmpfs:
          size: 64m
    depends_on:
      mariadb:
        condition: service_healthy
      memcached:
        condition: service_started
      migrate:
        condition: service_completed_successfully
  migrate:
    image: example.com/php:8.3-fpm
    entrypoint: ["php", "/app/migrate.php"]
    command: ["--force"]
    working_dir: /app
    depends_on: [mariadb]
  mariadb:
    image: example.com/mariadb:11
    environment:
      - MARIADB_ROOT_PASSWORD=${DB_PASSWORD:-secret}
      - MARIADB_DATABASE=shop
      - PASSTHROUGH
    volumes:
      - db:/var/lib/mysql
    healthcheck:
      test: ["CMD", "healthcheck.sh", "--connect"]
      interval: 10s
      timeout: 5s
      retries: 5
      start_period: 1m30s
    mem_limit: 512m
    stop_grace_period: 1m0.5s
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      nproc: 512
    cap_add: [CAP_CHOWN, setuid]
  memcached:
    image: example.com/memcached:1.6
    command: ["memcached", "-m", "64"]
    cpus: 0.5
    pids_limit: 100
    tmpfs: /tmp:size=16m,nosuid
    read_only: true
    user: "11211"
    healthcheck:
      test: echo stats | nc -w1 127.0.0.1 11211
volumes:
  db:
networks:
  default:
"#;

#[test]
fn a_lamp_file_maps_field_by_field() {
    let r = map(LAMP);
    assert_eq!(r.name.as_deref(), Some("shop"));
    assert_eq!(r.hostname.as_deref(), Some("shop"));
    assert_eq!(r.publish, ["8080:80", "127.0.0.1:8443:443", "5353:53/udp"]);
    // mariadb's 1m0.5s, rounded up; the others have Docker's 10s.
    assert_eq!(r.stop_timeout, 61);
    assert_eq!(r.net, "default");
    let names: Vec<_> = r.apps.iter().map(|a| a.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["web", "php", "migrate", "mariadb", "memcached"]);
    let [web, php, migrate, db, cache] = &r.apps[..] else {
        panic!("five apps")
    };
    assert_eq!(
        *web,
        AppRequest {
            image: "example.com/nginx:1.27".into(),
            name: Some("web".into()),
            volumes: vec![
                "/srv/shop/html:/var/www/html:ro".into(),
                "/home/ann/certs:/etc/nginx/certs:ro".into()
            ],
            after: vec!["php:started".into()],
            ..Default::default()
        }
    );
    assert_eq!(
        *php,
        AppRequest {
            image: "example.com/php:8.3-fpm".into(),
            name: Some("php".into()),
            args: Some(vec![
                "php-fpm".into(),
                "-F".into(),
                "-d".into(),
                "memory_limit=256M".into()
            ]),
            // A merge key is shallow: php's own environment replaces the block's.
            env: vec![
                "DB_HOST=mariadb".into(),
                "DB_PASSWORD=secret".into(),
                "PASSTHROUGH=from-env".into()
            ],
            cap_drop: vec!["ALL".into()],
            volumes: vec!["/srv/shop/html:/var/www/html".into()],
            tmpfs: vec!["/var/cache/php:size=67108864".into()],
            after: vec![
                "mariadb:ready".into(),
                "memcached:started".into(),
                "migrate:completed".into()
            ],
            ..Default::default()
        }
    );
    assert_eq!(
        migrate.exec,
        Some(vec!["php".into(), "/app/migrate.php".into()])
    );
    assert_eq!(migrate.args, Some(vec!["--force".into()]));
    assert_eq!(migrate.workdir.as_deref(), Some("/app"));
    assert_eq!(migrate.after, ["mariadb:started"]);
    assert_eq!(
        db.env,
        [
            "MARIADB_ROOT_PASSWORD=secret",
            "MARIADB_DATABASE=shop",
            "PASSTHROUGH=from-env"
        ]
    );
    assert_eq!(db.volumes, ["db:/var/lib/mysql"]);
    assert_eq!(db.memory.as_deref(), Some("512m"));
    assert_eq!(db.ulimits, ["nofile=1024:2048", "nproc=512"]);
    assert_eq!(db.cap_add, ["CAP_CHOWN", "setuid"]);
    assert_eq!(
        db.ready,
        Some(ReadyRequest {
            exec: Some(vec!["healthcheck.sh".into(), "--connect".into()]),
            interval: Some("10s".into()),
            timeout: Some("5s".into()),
            retries: Some(5),
            start_period: Some("1m30s".into()),
            start_interval: Some("5s".into()),
            tcp: None,
        })
    );
    assert_eq!(
        cache.args,
        Some(vec!["memcached".into(), "-m".into(), "64".into()])
    );
    assert_eq!(cache.cpus, Some(0.5));
    assert_eq!(cache.pids_limit, Some(100));
    assert_eq!(cache.tmpfs, ["/tmp:size=16m"]);
    assert!(cache.read_only);
    assert_eq!(cache.user.as_deref(), Some("11211"));
    // A string test is a shell command, and unset timings are Docker's defaults.
    let ready = cache.ready.as_ref().unwrap();
    assert_eq!(
        ready.exec.as_deref().unwrap(),
        ["/bin/sh", "-c", "echo stats | nc -w1 127.0.0.1 11211"]
    );
    assert_eq!(
        (
            ready.interval.as_deref(),
            ready.timeout.as_deref(),
            ready.retries,
            ready.start_period.as_deref()
        ),
        (Some("30s"), Some("30s"), Some(3), Some("0s"))
    );
    // Every duration given is one liftoff reads back.
    for a in &r.apps {
        if let Some(p) = &a.ready {
            for d in [&p.interval, &p.timeout, &p.start_period, &p.start_interval] {
                let d = d.as_deref().unwrap();
                assert!(liftoff_common::units::parse_duration(d).is_some(), "{d}");
            }
        }
    }
}

const ONE: &str = "services:\n  a:\n    image: x\n";

#[test]
fn refusals_name_the_path_and_line() {
    refused(&format!("{ONE}foo: 1\n"), 4, "foo", "unknown top-level key");
    refused(
        "services:\n  web:\n    image: x\n    build: .\n",
        4,
        "services.web.build",
        "liftoff runs signed images only; build the image elsewhere (buildah)",
    );
    refused(
        &format!("{ONE}networks:\n  default:\n  back:\n"),
        6,
        "networks.back",
        "liftoff runs one pod: its apps share one network namespace; a second network",
    );
    refused(
        &format!("{ONE}networks:\n  default:\n    driver: bridge\n"),
        6,
        "networks.default.driver",
        "not supported",
    );
    refused(
        &format!("{ONE}    privileged: true\n"),
        4,
        "services.a.privileged",
        "cap_add",
    );
    refused(
        &format!("{ONE}    restart: sometimes\n"),
        4,
        "services.a.restart",
        "use \"no\", on-failure[:N], always or unless-stopped",
    );
    refused(
        &format!("{ONE}    volumes:\n      - ./x:/x\n      - data:/data\n"),
        6,
        "services.a.volumes[1]",
        "volume \"data\" is not declared",
    );
    refused(
        &format!("{ONE}    volumes: [/data]\n"),
        4,
        "services.a.volumes[0]",
        "anonymous volume",
    );
    refused(
        &format!("{ONE}volumes:\n  data:\n    external: true\n"),
        6,
        "volumes.data.external",
        "not supported",
    );
    refused(
        "services:\n  a:\n    image: x\n  Web_1:\n    image: y\n",
        4,
        "services.Web_1",
        "rename the service",
    );
    refused(
        &format!("{ONE}    ports: [\"80\"]\n"),
        4,
        "services.a.ports[0]",
        "explicit ports",
    );
    refused(
        &format!("{ONE}    ports: [\"8000-8010:8000-8010\"]\n"),
        4,
        "services.a.ports[0]",
        "ranges",
    );
    refused(
        "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n  b:\n    image: y\n    ports:\n      - 8080:81\n",
        8,
        "services.b.ports[0]",
        "already published by services.a.ports[0] (line 4)",
    );
    refused(
        "services:\n  a:\n    image: x\n    hostname: one\n  b:\n    image: y\n    hostname: two\n",
        7,
        "services.b.hostname",
        "one host name",
    );
    refused(
        "services:\n  a:\n    image: x\n    ports: [\"127.0.0.1:53:53/udp\", \"53:5353/udp\"]\n",
        4,
        "services.a.ports[1]",
        "host port 53/udp is already published by services.a.ports[0]",
    );
    refused(
        "services:\n  a:\n    command: x\n",
        3,
        "services.a",
        "no image",
    );
    refused(
        &format!("{ONE}secrets:\n  s: {{}}\n"),
        4,
        "secrets",
        "volumes",
    );
    refused("version: 3\n", 1, "services", "at least one service");
}

#[test]
fn start_order_refusals_name_the_entry() {
    let cycle = "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on:\n      a:\n        condition: service_started\n";
    refused(cycle, 8, "services.b.depends_on.a", "cycle (a -> b -> a)");
    refused(
        &format!("{ONE}    depends_on: [nope]\n"),
        4,
        "services.a.depends_on[0]",
        "no app \"nope\"",
    );
    refused(
        "services:\n  a:\n    image: x\n  b:\n    image: x\n    depends_on:\n      a:\n        condition: service_healthy\n",
        7,
        "services.b.depends_on.a",
        "has no healthcheck",
    );
    refused(
        "services:\n  a:\n    image: x\n  b:\n    image: x\n    depends_on:\n      a:\n        condition: service_started\n        required: false\n",
        9,
        "services.b.depends_on.a.required",
        "always required",
    );
    refused(
        &format!("{ONE}    depends_on: [a]\n"),
        4,
        "services.a.depends_on[0]",
        "itself",
    );
}

#[test]
fn hostile_yaml_is_refused_with_the_line() {
    refused(
        "services:\n  a:\n    image: x\n    image: y\n",
        4,
        "services.a.image: duplicate key (first at line 3)",
        "",
    );
    let mut bomb = String::from("x-a: &a [l, l, l, l, l, l, l, l, l, l]\n");
    for i in 0..8u8 {
        let (p, n) = ((b'a' + i) as char, (b'a' + i + 1) as char);
        bomb.push_str(&format!(
            "x-{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    bomb.push_str(ONE);
    let e = parse(&bomb, "compose.yaml", Path::new("/"), &env())
        .unwrap_err()
        .to_string();
    assert!(e.contains("alias bomb"), "{e}");
    let deep = format!("{ONE}x-deep: {}{}\n", "[".repeat(100), "]".repeat(100));
    let e = parse(&deep, "c", Path::new("/"), &env())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 4: nested more than"), "{e}");
    let e = parse("services: [\n", "c", Path::new("/"), &env())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("c: line "), "{e}");
}

#[test]
fn interpolation() {
    let r = map(
        "services:\n  a:\n    image: \"x:${TAG:-latest}\"\n    command: echo $$HOME ${HOME} ${NOPE-dflt} ${EMPTY:-e} ${EMPTY-e} $NOPE.\n    x-unused: ${NOPE:?never looked at}\n",
    );
    assert_eq!(r.apps[0].image, "x:1.27");
    assert_eq!(
        r.apps[0].args.as_deref().unwrap(),
        ["echo", "$HOME", "/home/ann", "dflt", "e", "."]
    );
    refused(
        "services:\n  a:\n    image: x\n    environment:\n      PW: ${DB_PASSWORD:?set DB_PASSWORD in .env}\n",
        5,
        "services.a.environment.PW",
        "required variable DB_PASSWORD is unset or empty: set DB_PASSWORD in .env",
    );
    refused(
        &format!("{ONE}    user: ${{NOPE?}}\n"),
        4,
        "services.a.user",
        "required variable NOPE is unset",
    );
    refused(
        &format!("{ONE}    user: ${{A\n"),
        4,
        "services.a.user",
        "unclosed",
    );
}

#[test]
fn merge_keys_share_settings() {
    let r = map(
        "x-base: &base\n  image: example.com/app:1\n  environment: [MODE=prod]\n  mem_limit: 1g\nx-more: &more\n  user: \"1000\"\n  mem_limit: 2g\nservices:\n  a:\n    <<: [*base, *more]\n  b:\n    <<: *base\n    mem_limit: 256m\n",
    );
    let (a, b) = (&r.apps[0], &r.apps[1]);
    assert_eq!(
        (a.image.as_str(), a.user.as_deref()),
        ("example.com/app:1", Some("1000"))
    );
    assert_eq!(
        a.memory.as_deref(),
        Some("1g"),
        "the first merged mapping wins"
    );
    assert_eq!(a.env, ["MODE=prod"]);
    assert_eq!(
        b.memory.as_deref(),
        Some("256m"),
        "the service's own key wins"
    );
}

#[test]
fn env_files_then_environment() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("app.env"),
        "# settings\n\nexport A=1\nB = 'two words'\nC=\"q\\\"x\"\nD=plain # comment\nE=e\n",
    )
    .unwrap();
    let text = "services:\n  a:\n    image: x\n    env_file:\n      - app.env\n      - path: ./missing.env\n        required: false\n    environment:\n      E: override\n";
    let r = parse(text, "c.yaml", d.path(), &env()).unwrap();
    assert_eq!(
        r.apps[0].env,
        ["A=1", "B=two words", "C=q\"x", "D=plain", "E=override"]
    );
    let e = parse(
        "services:\n  a:\n    image: x\n    env_file: missing.env\n",
        "c.yaml",
        d.path(),
        &env(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("c.yaml: line 4: services.a.env_file: "),
        "{e}"
    );
    std::fs::write(d.path().join("bad.env"), "A=1\nnot a pair\n").unwrap();
    let e = parse(
        "services:\n  a:\n    image: x\n    env_file: [bad.env]\n",
        "c.yaml",
        d.path(),
        &env(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("line 4: services.a.env_file[0]: ") && e.contains("bad.env: line 2:"),
        "{e}"
    );
}

#[test]
fn load_reads_dot_env_and_the_process_wins() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join(".env"),
        "LIFTOFF_COMPOSE_TEST_ONLY_IN_DOTENV=dot\nPATH=from-dotenv\n",
    )
    .unwrap();
    let f = d.path().join("compose.yml");
    std::fs::write(
        &f,
        "services:\n  a:\n    image: x\n    environment:\n      - X=${LIFTOFF_COMPOSE_TEST_ONLY_IN_DOTENV}\n      - P=$PATH\n",
    )
    .unwrap();
    let r = crate::pod::podfile::load(&f).unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    assert_eq!(r.apps[0].env, ["X=dot".to_string(), format!("P={path}")]);
}

#[test]
fn disabled_healthchecks_and_other_forms() {
    let r = map(
        "services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"NONE\"]\n  b:\n    image: x\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n      disable: true\n  c:\n    image: x\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U app\"]\n      interval: 1.5s\n      start_interval: 500ms\n    stop_grace_period: 2s\n    extra_hosts:\n      - \"db.local:10.0.0.5\"\n      - \"v6=::1\"\n    dns: 9.9.9.9\n    pids_limit: -1\n    entrypoint: \"\"\n    command: /bin/run --now\n",
    );
    assert!(r.apps[0].ready.is_none() && r.apps[1].ready.is_none());
    let c = &r.apps[2];
    let p = c.ready.as_ref().unwrap();
    assert_eq!(
        p.exec.as_deref().unwrap(),
        ["/bin/sh", "-c", "pg_isready -U app"]
    );
    assert_eq!(p.interval.as_deref(), Some("1s500ms"));
    assert_eq!(p.start_interval.as_deref(), Some("500ms"));
    assert_eq!(r.add_hosts, ["db.local:10.0.0.5", "v6:::1"]);
    assert_eq!(r.dns, ["9.9.9.9"]);
    assert_eq!(c.pids_limit, None);
    assert_eq!(c.exec.as_deref().unwrap(), ["/bin/run", "--now"]);
    assert_eq!(c.args, None);
    assert_eq!(r.stop_timeout, 10, "a and b keep Docker's 10s");
    refused(
        &format!("{ONE}    healthcheck:\n      interval: 10s\n"),
        5,
        "services.a.healthcheck",
        "test: is required",
    );
    refused(
        &format!("{ONE}    healthcheck:\n      test: [CMD]\n"),
        5,
        "services.a.healthcheck.test",
        "expected",
    );
    refused(
        &format!("{ONE}    stop_grace_period: 10\n"),
        4,
        "services.a.stop_grace_period",
        "duration",
    );
}

#[test]
fn words_and_durations() {
    use super::service::{go_duration_ms, split_words};
    assert_eq!(
        split_words(r#"sh -c 'echo "$X"' a\ b "c\"d""#).unwrap(),
        ["sh", "-c", "echo \"$X\"", "a b", "c\"d"]
    );
    assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
    assert_eq!(split_words("''").unwrap(), [""]);
    assert!(split_words("'open").is_err());
    assert_eq!(go_duration_ms("1m30s"), Some(90_000));
    assert_eq!(go_duration_ms("1.5s"), Some(1500));
    assert_eq!(go_duration_ms("1h2m3s"), Some(3_723_000));
    assert_eq!(
        go_duration_ms("10us"),
        Some(1),
        "rounded up to a millisecond"
    );
    assert_eq!(go_duration_ms("0"), Some(0));
    for bad in ["", "10", "s", "1x", "1..5s", ".s"] {
        assert_eq!(go_duration_ms(bad), None, "{bad}");
    }
}

#[test]
fn load_caps_and_checks_the_text_first() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("compose.yaml");
    std::fs::write(&f, b"services:\n  a:\n    image: \xff\n").unwrap();
    let e = crate::pod::podfile::load(&f).unwrap_err().to_string();
    assert!(e.ends_with("not UTF-8 text"), "{e}");
    std::fs::write(&f, "x-pad: ".to_string() + &"a".repeat(1 << 20)).unwrap();
    let e = crate::pod::podfile::load(&f).unwrap_err().to_string();
    assert!(e.contains("larger than 1024 KiB"), "{e}");
}

#[test]
fn volume_names_become_liftoff_names() {
    let r = map("services:\n  a:\n    image: x\n    volumes:\n      - db_data:/var/lib/mysql\n      - type: volume\n        source: Cache.v2\n        target: /cache\n        read_only: true\nvolumes:\n  db_data:\n  Cache.v2: {}\n");
    assert_eq!(
        r.apps[0].volumes,
        ["db-data:/var/lib/mysql", "cache-v2:/cache:ro"]
    );
    refused(
        &format!("{ONE}volumes:\n  db_data:\n  db-data:\n"),
        6,
        "volumes.db-data",
        "both become liftoff's \"db-data\"",
    );
    refused(
        &format!("{ONE}volumes:\n  -x:\n"),
        5,
        "volumes.-x",
        "volume name",
    );
}

#[test]
fn long_volume_refusals() {
    refused(
        &format!("{ONE}    volumes:\n      - type: bind\n        target: /x\n"),
        5,
        "services.a.volumes[0]",
        "source: is required",
    );
    refused(
        &format!("{ONE}    volumes:\n      - type: npipe\n        source: x\n        target: /x\n"),
        5,
        "services.a.volumes[0].type",
        "use bind, volume or tmpfs",
    );
    refused(
        &format!("{ONE}    volumes:\n      - type: bind\n        source: ./x\n        target: /x\n        bind:\n          create_host_path: true\n"),
        8,
        "services.a.volumes[0].bind",
        "not supported",
    );
    refused(
        &format!("{ONE}    volumes: [\"./x:/x:z\"]\n"),
        4,
        "services.a.volumes[0]",
        "SELinux",
    );
}

#[test]
fn restart_policies_map_and_probe_bounds_have_lines() {
    let policy = |p: &str| {
        map(&format!(
            "services:\n  a:\n    image: x\n    restart: {p}\n"
        ))
        .apps[0]
            .restart
            .clone()
    };
    assert_eq!(policy("\"no\""), None);
    assert_eq!(policy("on-failure").as_deref(), Some("on-failure"));
    assert_eq!(policy("on-failure:3").as_deref(), Some("on-failure:3"));
    assert_eq!(policy("always").as_deref(), Some("always"));
    // liftoff stops an app only when asked, and does not restart it then.
    assert_eq!(policy("unless-stopped").as_deref(), Some("always"));
    refused(
        "services:\n  a:\n    image: x\n    restart: on-failure:0\n",
        4,
        "services.a.restart",
        "the count after ':' must be 1-",
    );
    refused(
        "services:\n  a:\n    image: x\n    restart: always:2\n",
        4,
        "services.a.restart",
        "unless-stopped",
    );
    refused(
        "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        restart: true\n  b:\n    image: y\n",
        6,
        "services.a.depends_on.b.restart",
        "restart: policy of its own",
    );
    refused(
        "services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 1ms\n",
        5,
        "services.a.healthcheck",
        "ready.interval",
    );
}

#[test]
fn expansion_is_bounded_in_bytes_too() {
    // One long scalar, aliased a thousand times over.
    let long = "x".repeat(100_000);
    let bomb = format!(
        "x-a: &a \"{long}\"\nx-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nx-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nx-d: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nservices:\n  a:\n    image: x\n"
    );
    let e = parse(&bomb, "compose.yaml", Path::new("/srv/shop"), &env())
        .unwrap_err()
        .to_string();
    assert!(e.contains("alias bomb"), "{e}");
    // A variable repeated until its value is huge, in one value and over many.
    let mut big = env();
    big.insert("BIG".into(), "y".repeat(600_000));
    let one = "services:\n  a:\n    image: x\n    command: \"${BIG}${BIG}\"\n";
    let e = parse(one, "compose.yaml", Path::new("/srv/shop"), &big)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 4") && e.contains("more than 1024 KiB"),
        "{e}"
    );
    let many: String = (0..40).map(|i| format!("      V{i}: ${{BIG}}\n")).collect();
    let text = format!("services:\n  a:\n    image: x\n    environment:\n{many}");
    let e = parse(&text, "compose.yaml", Path::new("/srv/shop"), &big)
        .unwrap_err()
        .to_string();
    assert!(e.contains("16 MiB in all"), "{e}");
}

#[test]
fn userns_mode_is_pod_wide() {
    let two = |a: &str, b: &str| {
        format!("services:\n  a:\n    image: x:1\n    userns_mode: {a}\n  b:\n    image: y:1\n    userns_mode: {b}\n")
    };
    assert_eq!(map(&two("host", "host")).userns.as_deref(), Some("host"));
    assert_eq!(
        map("services:\n  a:\n    image: x:1\n    userns_mode: \"auto:size=4096\"\n")
            .userns
            .as_deref(),
        Some("auto:size=4096")
    );
    assert_eq!(map("services:\n  a:\n    image: x:1\n").userns, None);
    refused(
        &two("host", "auto"),
        7,
        "services.b.userns_mode",
        "share one user namespace",
    );
    refused(
        "services:\n  a:\n    image: x:1\n    userns_mode: keep-id\n",
        4,
        "services.a.userns_mode",
        "accepted forms",
    );
}
