<?php
// One line per service of the LAMP pod; HTTP 500 if any check fails.
header('Content-Type: text/plain');
$fail = false;
mysqli_report(MYSQLI_REPORT_OFF);
$db = @mysqli_connect('mariadb', 'lamp', getenv('LAMP_DB_PASSWORD') ?: 'lamp', 'lamp', 3306);
if ($db) {
    $v = mysqli_fetch_row(mysqli_query($db, 'SELECT VERSION()'))[0] ?? '?';
    $ok = mysqli_query($db, 'INSERT INTO hits (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1');
    $n = $ok ? (mysqli_fetch_row(mysqli_query($db, 'SELECT n FROM hits WHERE id = 1'))[0] ?? '?') : null;
    if ($ok) {
        echo "mariadb: ok $v (hits $n)\n";
    } else {
        echo 'mariadb: FAIL ' . mysqli_error($db) . "\n";
        $fail = true;
    }
    mysqli_close($db);
} else {
    echo 'mariadb: FAIL ' . mysqli_connect_error() . "\n";
    $fail = true;
}
if (class_exists('Memcached')) {
    $mc = new Memcached();
    $mc->addServer('memcached', 11211);
    $key = 'lamp-' . getmypid() . '-' . mt_rand();
    if ($mc->set($key, 'ok', 60) && $mc->get($key) === 'ok') {
        echo "memcached: ok\n";
    } else {
        echo 'memcached: FAIL ' . $mc->getResultMessage() . "\n";
        $fail = true;
    }
} else {
    echo "memcached: FAIL no php-memcached extension\n";
    $fail = true;
}
echo 'php: ok ' . PHP_VERSION . "\n";
// nginx passed the request: it names itself in SERVER_SOFTWARE.
$sw = $_SERVER['SERVER_SOFTWARE'] ?? '';
if (str_starts_with($sw, 'nginx')) {
    echo "nginx: ok $sw\n";
} else {
    echo "nginx: FAIL not served by nginx ($sw)\n";
    $fail = true;
}
if ($fail) {
    http_response_code(500);
}
