#compdef liftoff

autoload -U is-at-least

_liftoff() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_liftoff_commands" \
"*::: :->liftoff" \
&& ret=0
    case $state in
    (liftoff)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-command-$line[1]:"
        case $line[1] in
            (fetch)
_arguments "${_arguments_options[@]}" : \
'--as=[Name in the store (default\: the source'\''s own ref name)]:NAME:TAG:_default' \
'--platform=[Platform to pick from a multi-platform image (default\: this host'\''s)]:OS/ARCH[/VARIANT]:_default' \
'--max-layer-entries=[Refuse layers with more entries than this]:N:_default' \
'--max-layer-bytes=[Refuse layers that expand to more bytes than this]:BYTES:_default' \
'--jobs=[Layers to download at once (as many are unpacked at once, each only once verified)]:N:_default' \
'*--insecure-options=[Skip checks\: \`image\` stores the image WITHOUT verifying its signature (recorded as insecure in its provenance and shown by \`image list\`); \`http\` allows plain HTTP to the registry]:image,http:((image\:"Do not verify the image'\''s signature"
http\:"Allow plain HTTP (and an HTTP token server) for the registry"))' \
'--creds=[Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)]:USER:PASSWORD:_default' \
'--authfile=[Registry credentials file (containers auth.json format), instead of the default search]:FILE:_files' \
'*--tls-ca=[Extra CA certificate(s) (PEM) to trust for the registry'\''s TLS; repeatable]:FILE:_files' \
'--cert-dir=[Per-registry certificate dirs (DIR/<host\[\:port\]>/*.crt, client.cert, client.key)]:DIR:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--allow-devices[Keep device nodes (with their numbers) and fifos found in layers; by default they are left out with a warning naming them (pods get their own /dev). Same as \[unpack\] allow_devices]' \
'-q[No progress display (it is drawn only when stderr is a terminal anyway)]' \
'--quiet[No progress display (it is drawn only when stderr is a terminal anyway)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':source -- docker\://NAME or a bare NAME (registry), oci\:DIR\[\:REF\], oci-archive\:FILE\[\:REF\] or docker-archive\:FILE\[\:NAME\:TAG|\:@INDEX\]:_default' \
&& ret=0
;;
(run)
_arguments "${_arguments_options[@]}" : \
'--name=[App name in the pod (default\: the image'\''s last path component)]:NAME:_default' \
'*-e+[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'*--env=[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'-u+[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'--user=[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'-w+[Working directory inside the app]:WORKDIR:_default' \
'--workdir=[Working directory inside the app]:WORKDIR:_default' \
'--entrypoint=[Override the image'\''s entrypoint (a single program; its arguments go after \`--\`)]:ENTRYPOINT:_default' \
'-m+[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--memory=[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--cpus=[CPU limit in CPUs (e.g. 0.5)]:CPUS:_default' \
'--pids-limit=[Maximum number of processes]:PIDS_LIMIT:_default' \
'*--cap-add=[Add a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'*--cap-drop=[Drop a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'--seccomp=[Seccomp profile\: default, unconfined, or a Docker/OCI JSON profile file]:default|unconfined|FILE:_default' \
'*--ulimit=[Resource limit NAME=SOFT\[\:HARD\] (repeatable), e.g. nofile=4096\:8192]:NAME=SOFT[:HARD]:_default' \
'*--group-add=[Additional supplementary group (repeatable)]:GROUP:_default' \
'*-v+[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--volume=[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--tmpfs=[Mount a fresh tmpfs (noexec,nosuid,nodev)\: /PATH\[\:size=64m,mode=1777,exec,ro\] (repeatable)]:PATH[:OPTIONS]:_default' \
'*--after=[Start this app once app NAME is ready (or started, without a probe); \:started, \:ready or \:completed (exited with status 0) say which (repeatable; podman'\''s --requires)]:NAME[:COND]:_default' \
'(--health-cmd)--ready-tcp=[Ready probe\: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST\:PORT) in the pod is accepted]:[HOST:]PORT:_default' \
'--health-cmd=[Ready probe\: a shell command run in the app, as the app, that exits 0 once it is ready]:COMMAND:_default' \
'--health-interval=[Time between probes (default 100ms)]:DURATION:_default' \
'--health-timeout=[Time after which one probe counts as failed (default 1s)]:DURATION:_default' \
'--health-retries=[Failed probes in a row before the app, and the pod, fail (default 300)]:N:_default' \
'--health-start-period=[Probe failures in this time after the start do not count]:DURATION:_default' \
'--restart=[Start the app again when it ends on its own\: no (the default), on-failure (after a status other than 0, or a signal) or always; \:N caps the restarts. The pause between starts grows from 100 ms to 10 s]:no|on-failure[:N]|always[:N]:_default' \
'()--pod=[Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml]:FILE:_files' \
'--hostname=[The pod'\''s host name (default\: the first app'\''s name)]:HOSTNAME:_default' \
'--userns=[The pod'\''s user ids\: auto (the default\: pod uid 0 is an unprivileged host uid from liftoff'\''s pool, a range of 65536 of its own), auto\:size=N, or host (the pod'\''s root is the host'\''s root)]:auto[:size=N]|host:_default' \
'--net=[Network\: default (liftoff'\''s bridge, outbound NAT), none (loopback only), host, or NAME\[,NAME…\] (CNI lists NAME.conflist in /etc/liftoff/net.d)]:default|none|host|NAME:_default' \
'*-p+[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--publish=[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--add-host=[Add a line to the pod'\''s /etc/hosts (repeatable)]:NAME:IP:_default' \
'--notify=[Tell systemd (\$NOTIFY_SOCKET) READY=1 once every app has started; with app\:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1]::pod|app:NAME:_default' \
'--socket-app=[Which app gets the sockets of socket activation (LISTEN_FDS); default the first]:NAME:_default' \
'--stop-timeout=[Seconds between SIGTERM and SIGKILL when stopping]:SECONDS:_default' \
'*--dns=[DNS server for the pod'\''s /etc/resolv.conf (repeatable)]:IP:_default' \
'*--dns-search=[DNS search domain (repeatable)]:DOMAIN:_default' \
'*--insecure-options=[\`image\`\: run images that do not verify; \`net-host-apps\`\: allow several apps in a --net=host --userns=host pod, where they share the host'\''s user namespace and can read each other'\''s files and environment through /proc (both loud; never the default)]:image|net-host-apps:_default' \
'--pull=[When to fetch the images\: never (store only), missing (default) or always]:PULL:((never\:"Use only what is in the store; fail if the image is not there"
missing\:"Fetch only when the image is not in the store (the default)"
always\:"Fetch every time (a tag may have moved); layers already stored are not downloaded again"))' \
'--uuid-file-save=[Write the pod'\''s uuid to FILE (for \`--uuid-file\` of the other commands)]:FILE:_files' \
'--log-max-size=[Rotate each app'\''s log file at this size (one older file is kept; k, M, G are powers of 1024)]:SIZE:_default' \
'--disk-limit=[Limit what the pod writes to disk (its apps'\'' changes, named volumes and logs together), e.g. 1G\: the apps get "no space left" at the limit (\[pods\] disk_limit sets a default)]:SIZE:_default' \
'--exit-code-from=[End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME'\''s exit code (as docker compose --exit-code-from)]:NAME:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--read-only[Mount the app'\''s root filesystem read-only]' \
'(--pod)--sandbox[Start a sandbox\: a pod without apps of its own that stays up until it is stopped; its apps come and go with \`liftoff app add/start/stop/rm\` (--name names the pod)]' \
'--etc-writable[Bind the pod'\''s /etc/hosts, hostname and resolv.conf writable (read-only by default)]' \
'-i[Keep stdin open and pass it to the app (single-app pods)]' \
'--interactive[Keep stdin open and pass it to the app (single-app pods)]' \
'-t[Give the app a terminal (single-app pods)]' \
'--tty[Give the app a terminal (single-app pods)]' \
'--no-prefix[Do not prefix output lines with the app name (several apps)]' \
'-d[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--detach[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--rm[Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::image -- Image to run (name or digest prefix of an image in the store):_default' \
'*::command -- Command and arguments (after `--`), replacing the image'\''s Cmd:_default' \
&& ret=0
;;
(prepare)
_arguments "${_arguments_options[@]}" : \
'--name=[App name in the pod (default\: the image'\''s last path component)]:NAME:_default' \
'*-e+[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'*--env=[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'-u+[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'--user=[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'-w+[Working directory inside the app]:WORKDIR:_default' \
'--workdir=[Working directory inside the app]:WORKDIR:_default' \
'--entrypoint=[Override the image'\''s entrypoint (a single program; its arguments go after \`--\`)]:ENTRYPOINT:_default' \
'-m+[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--memory=[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--cpus=[CPU limit in CPUs (e.g. 0.5)]:CPUS:_default' \
'--pids-limit=[Maximum number of processes]:PIDS_LIMIT:_default' \
'*--cap-add=[Add a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'*--cap-drop=[Drop a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'--seccomp=[Seccomp profile\: default, unconfined, or a Docker/OCI JSON profile file]:default|unconfined|FILE:_default' \
'*--ulimit=[Resource limit NAME=SOFT\[\:HARD\] (repeatable), e.g. nofile=4096\:8192]:NAME=SOFT[:HARD]:_default' \
'*--group-add=[Additional supplementary group (repeatable)]:GROUP:_default' \
'*-v+[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--volume=[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--tmpfs=[Mount a fresh tmpfs (noexec,nosuid,nodev)\: /PATH\[\:size=64m,mode=1777,exec,ro\] (repeatable)]:PATH[:OPTIONS]:_default' \
'*--after=[Start this app once app NAME is ready (or started, without a probe); \:started, \:ready or \:completed (exited with status 0) say which (repeatable; podman'\''s --requires)]:NAME[:COND]:_default' \
'(--health-cmd)--ready-tcp=[Ready probe\: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST\:PORT) in the pod is accepted]:[HOST:]PORT:_default' \
'--health-cmd=[Ready probe\: a shell command run in the app, as the app, that exits 0 once it is ready]:COMMAND:_default' \
'--health-interval=[Time between probes (default 100ms)]:DURATION:_default' \
'--health-timeout=[Time after which one probe counts as failed (default 1s)]:DURATION:_default' \
'--health-retries=[Failed probes in a row before the app, and the pod, fail (default 300)]:N:_default' \
'--health-start-period=[Probe failures in this time after the start do not count]:DURATION:_default' \
'--restart=[Start the app again when it ends on its own\: no (the default), on-failure (after a status other than 0, or a signal) or always; \:N caps the restarts. The pause between starts grows from 100 ms to 10 s]:no|on-failure[:N]|always[:N]:_default' \
'()--pod=[Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml]:FILE:_files' \
'--hostname=[The pod'\''s host name (default\: the first app'\''s name)]:HOSTNAME:_default' \
'--userns=[The pod'\''s user ids\: auto (the default\: pod uid 0 is an unprivileged host uid from liftoff'\''s pool, a range of 65536 of its own), auto\:size=N, or host (the pod'\''s root is the host'\''s root)]:auto[:size=N]|host:_default' \
'--net=[Network\: default (liftoff'\''s bridge, outbound NAT), none (loopback only), host, or NAME\[,NAME…\] (CNI lists NAME.conflist in /etc/liftoff/net.d)]:default|none|host|NAME:_default' \
'*-p+[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--publish=[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--add-host=[Add a line to the pod'\''s /etc/hosts (repeatable)]:NAME:IP:_default' \
'--notify=[Tell systemd (\$NOTIFY_SOCKET) READY=1 once every app has started; with app\:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1]::pod|app:NAME:_default' \
'--socket-app=[Which app gets the sockets of socket activation (LISTEN_FDS); default the first]:NAME:_default' \
'--stop-timeout=[Seconds between SIGTERM and SIGKILL when stopping]:SECONDS:_default' \
'*--dns=[DNS server for the pod'\''s /etc/resolv.conf (repeatable)]:IP:_default' \
'*--dns-search=[DNS search domain (repeatable)]:DOMAIN:_default' \
'*--insecure-options=[\`image\`\: run images that do not verify; \`net-host-apps\`\: allow several apps in a --net=host --userns=host pod, where they share the host'\''s user namespace and can read each other'\''s files and environment through /proc (both loud; never the default)]:image|net-host-apps:_default' \
'--pull=[When to fetch the images\: never (store only), missing (default) or always]:PULL:((never\:"Use only what is in the store; fail if the image is not there"
missing\:"Fetch only when the image is not in the store (the default)"
always\:"Fetch every time (a tag may have moved); layers already stored are not downloaded again"))' \
'--uuid-file-save=[Write the pod'\''s uuid to FILE (for \`--uuid-file\` of the other commands)]:FILE:_files' \
'--log-max-size=[Rotate each app'\''s log file at this size (one older file is kept; k, M, G are powers of 1024)]:SIZE:_default' \
'--disk-limit=[Limit what the pod writes to disk (its apps'\'' changes, named volumes and logs together), e.g. 1G\: the apps get "no space left" at the limit (\[pods\] disk_limit sets a default)]:SIZE:_default' \
'--exit-code-from=[End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME'\''s exit code (as docker compose --exit-code-from)]:NAME:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--read-only[Mount the app'\''s root filesystem read-only]' \
'(--pod)--sandbox[Start a sandbox\: a pod without apps of its own that stays up until it is stopped; its apps come and go with \`liftoff app add/start/stop/rm\` (--name names the pod)]' \
'--etc-writable[Bind the pod'\''s /etc/hosts, hostname and resolv.conf writable (read-only by default)]' \
'-i[Keep stdin open and pass it to the app (single-app pods)]' \
'--interactive[Keep stdin open and pass it to the app (single-app pods)]' \
'-t[Give the app a terminal (single-app pods)]' \
'--tty[Give the app a terminal (single-app pods)]' \
'--no-prefix[Do not prefix output lines with the app name (several apps)]' \
'-d[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--detach[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--rm[Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::image -- Image to run (name or digest prefix of an image in the store):_default' \
'*::command -- Command and arguments (after `--`), replacing the image'\''s Cmd:_default' \
&& ret=0
;;
(run-prepared)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'*--insecure-options=[\`image\`\: start even if the images no longer verify (loud; never the default)]:image:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'-d[Start in the background\: print the uuid once every app has started, and return]' \
'--detach[Start in the background\: print the uuid once every app has started, and return]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--all[Also show pods marked for garbage collection]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(ps)
_arguments "${_arguments_options[@]}" : \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--all[Also show pods marked for garbage collection]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--format=[]:FORMAT:(table json)' \
'--wait=[Wait until the pod has exited]::DURATION:_default' \
'--wait-ready=[Wait until every app of the pod has started]::DURATION:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--check-network[Ask each CNI network'\''s plugins whether the pod'\''s attachment is intact (CNI CHECK)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
&& ret=0
;;
(logs)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--app=[Only this app'\''s output]:APP:_default' \
'--tail=[Only the last N lines]:N:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'-f[Keep printing new output until the pod exits]' \
'--follow[Keep printing new output until the pod exits]' \
'-t[Show each line'\''s time (RFC 3339, UTC)]' \
'--timestamps[Show each line'\''s time (RFC 3339, UTC)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
&& ret=0
;;
(stop)
_arguments "${_arguments_options[@]}" : \
'--uuid-file=[Read a pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--timeout=[Seconds to wait after SIGTERM before SIGKILL (default\: the pod'\''s --stop-timeout)]:SECONDS:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--force[Kill the pod'\''s processes at once (SIGKILL) instead of SIGTERM]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'*::pods -- Pod uuids (any unique prefix) or names:_default' \
&& ret=0
;;
(stats)
_arguments "${_arguments_options[@]}" : \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--no-stream[Print one sample and exit, also on a terminal]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'*::pods -- Pod uuids (any unique prefix) or names; default every running pod:_default' \
&& ret=0
;;
(top)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--app=[Only this app'\''s processes]:APP:_default' \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
&& ret=0
;;
(enter)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--app=[The app to enter (required when the pod has several)]:APP:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
'*::command -- Command and arguments (default /bin/sh):_default' \
&& ret=0
;;
(app)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_liftoff__subcmd__app_commands" \
"*::: :->app" \
&& ret=0

    case $state in
    (app)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-app-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'--name=[App name in the pod (default\: the image'\''s last path component)]:NAME:_default' \
'*-e+[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'*--env=[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'-u+[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'--user=[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'-w+[Working directory inside the app]:WORKDIR:_default' \
'--workdir=[Working directory inside the app]:WORKDIR:_default' \
'--entrypoint=[Override the image'\''s entrypoint (a single program; its arguments go after \`--\`)]:ENTRYPOINT:_default' \
'-m+[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--memory=[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--cpus=[CPU limit in CPUs (e.g. 0.5)]:CPUS:_default' \
'--pids-limit=[Maximum number of processes]:PIDS_LIMIT:_default' \
'*--cap-add=[Add a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'*--cap-drop=[Drop a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'--seccomp=[Seccomp profile\: default, unconfined, or a Docker/OCI JSON profile file]:default|unconfined|FILE:_default' \
'*--ulimit=[Resource limit NAME=SOFT\[\:HARD\] (repeatable), e.g. nofile=4096\:8192]:NAME=SOFT[:HARD]:_default' \
'*--group-add=[Additional supplementary group (repeatable)]:GROUP:_default' \
'*-v+[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--volume=[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--tmpfs=[Mount a fresh tmpfs (noexec,nosuid,nodev)\: /PATH\[\:size=64m,mode=1777,exec,ro\] (repeatable)]:PATH[:OPTIONS]:_default' \
'*--after=[Start this app once app NAME is ready (or started, without a probe); \:started, \:ready or \:completed (exited with status 0) say which (repeatable; podman'\''s --requires)]:NAME[:COND]:_default' \
'(--health-cmd)--ready-tcp=[Ready probe\: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST\:PORT) in the pod is accepted]:[HOST:]PORT:_default' \
'--health-cmd=[Ready probe\: a shell command run in the app, as the app, that exits 0 once it is ready]:COMMAND:_default' \
'--health-interval=[Time between probes (default 100ms)]:DURATION:_default' \
'--health-timeout=[Time after which one probe counts as failed (default 1s)]:DURATION:_default' \
'--health-retries=[Failed probes in a row before the app, and the pod, fail (default 300)]:N:_default' \
'--health-start-period=[Probe failures in this time after the start do not count]:DURATION:_default' \
'--restart=[Start the app again when it ends on its own\: no (the default), on-failure (after a status other than 0, or a signal) or always; \:N caps the restarts. The pause between starts grows from 100 ms to 10 s]:no|on-failure[:N]|always[:N]:_default' \
'*--insecure-options=[\`image\`\: add an image that does not verify; \`net-host-apps\`\: allow a second app in a --net=host --userns=host pod (both loud; never the default)]:image|net-host-apps:_default' \
'--pull=[When to fetch the image\: never (store only), missing (default) or always]:PULL:((never\:"Use only what is in the store; fail if the image is not there"
missing\:"Fetch only when the image is not in the store (the default)"
always\:"Fetch every time (a tag may have moved); layers already stored are not downloaded again"))' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--read-only[Mount the app'\''s root filesystem read-only]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':pod -- The running pod (uuid, unique uuid prefix, or name):_default' \
':image -- Image of the new app (name or digest prefix of an image in the store, or one to fetch):_default' \
'*::command -- Command and arguments (after `--`), replacing the image'\''s Cmd:_default' \
&& ret=0
;;
(start)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--attach[Print the app'\''s output from its start until it exits, and exit with its exit status (stdin and the terminal are not passed to it)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':pod -- The pod (uuid, unique uuid prefix, or name):_default' \
':name -- The app'\''s name in the pod:_default' \
&& ret=0
;;
(stop)
_arguments "${_arguments_options[@]}" : \
'--timeout=[Seconds between SIGTERM and SIGKILL (default\: the pod'\''s --stop-timeout; at most 3600)]:SECONDS:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':pod -- The pod (uuid, unique uuid prefix, or name):_default' \
':name -- The app'\''s name in the pod:_default' \
&& ret=0
;;
(restart)
_arguments "${_arguments_options[@]}" : \
'--timeout=[Seconds between SIGTERM and SIGKILL (default\: the pod'\''s --stop-timeout; at most 3600)]:SECONDS:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':pod -- The pod (uuid, unique uuid prefix, or name):_default' \
':name -- The app'\''s name in the pod:_default' \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':pod -- The pod (uuid, unique uuid prefix, or name):_default' \
':name -- The app'\''s name in the pod:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':pod -- The pod (uuid, unique uuid prefix, or name):_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__app__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-app-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(start)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(stop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(restart)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(diff)
_arguments "${_arguments_options[@]}" : \
'()--uuid-file=[Read the pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--app=[The app (required when the pod has several)]:APP:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'::pod -- Pod uuid (any unique prefix) or the name given at run time:_default' \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
'--uuid-file=[Read a pod'\''s uuid from FILE (as written by \`run --uuid-file-save\`)]:FILE:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'*::pods -- Pod uuids (any unique prefix) or names:_default' \
&& ret=0
;;
(gc)
_arguments "${_arguments_options[@]}" : \
'--grace-period=[How long a pod stays marked before it is removed (e.g. 30m, 1h30m, 0s)]:DURATION:_default' \
'--expire-prepared=[Also remove prepared pods that were never started, this long after \`prepare\`]:DURATION:_default' \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--mark-only[Only mark; remove nothing]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(image)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_liftoff__subcmd__image_commands" \
"*::: :->image" \
&& ret=0

    case $state in
    (image)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-image-command-$line[1]:"
        case $line[1] in
            (import)
_arguments "${_arguments_options[@]}" : \
'--entrypoint=[Entrypoint\: comma-separated or a JSON array]:ENTRYPOINT:_default' \
'--cmd=[Default command (arguments to the entrypoint)\: comma-separated or a JSON array]:CMD:_default' \
'*-e+[Environment variable KEY=VALUE (repeatable)]:KEY=VALUE:_default' \
'*--env=[Environment variable KEY=VALUE (repeatable)]:KEY=VALUE:_default' \
'-w+[Working directory]:WORKDIR:_default' \
'--workdir=[Working directory]:WORKDIR:_default' \
'-u+[User (name or uid\[\:gid\])]:USER:_default' \
'--user=[User (name or uid\[\:gid\])]:USER:_default' \
'*--expose=[Exposed port PORT\[/tcp|udp|sctp\] (repeatable)]:PORT[/PROTO]:_default' \
'*-l+[Label KEY=VALUE (repeatable)]:KEY=VALUE:_default' \
'*--label=[Label KEY=VALUE (repeatable)]:KEY=VALUE:_default' \
'--compression=[Layer compression]:COMPRESSION:(zstd gzip none)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--allow-devices[Keep the source'\''s device nodes (with their numbers) and fifos; by default they are left out with a warning (pods get their own /dev). Sockets are always left out]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':source -- A root filesystem directory, or a tar / tar.gz / tar.zst file:_files' \
':name -- Name in the store, e.g. example.com/hello\:1:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--format=[Output format]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'-q[Print names only]' \
'--quiet[Print names only]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
'--format=[Output format (json is the full record)]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':image -- Image name or digest prefix:_default' \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'*::images -- Image names or digest prefixes:_default' \
&& ret=0
;;
(gc)
_arguments "${_arguments_options[@]}" : \
'--format=[Output format]:FORMAT:(table json)' \
'--wait=[How long to wait for running fetches and imports to release the store (e.g. 5s, 2m, or \`forever\`); past that gc fails, naming the processes that hold it]:DURATION:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(extract)
_arguments "${_arguments_options[@]}" : \
'*--insecure-options=[\`image\`\: extract an image that does not verify (loud)]:image:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--preserve-setid[Keep setuid/setgid bits, file capabilities and device nodes (left out by default)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':image -- Image name or digest prefix:_default' \
':dest -- Destination directory (new, or empty and yours; never a symlink):_files' \
&& ret=0
;;
(sign)
_arguments "${_arguments_options[@]}" : \
'--key=[Private key, mode 0600\: Ed25519 or ECDSA P-256, PKCS#8 PEM or cosign'\''s encrypted format]:KEY:_files' \
'--passphrase-file=[File whose first line is the passphrase of a cosign key (else \$COSIGN_PASSWORD, else asked on the terminal)]:FILE:_files' \
'--identity=[The name the signature vouches for (default\: the image'\''s store name)]:NAME:TAG:_default' \
'--creds=[Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)]:USER:PASSWORD:_default' \
'--authfile=[Registry credentials file (containers auth.json format), instead of the default search]:FILE:_files' \
'*--tls-ca=[Extra CA certificate(s) (PEM) to trust for the registry'\''s TLS; repeatable]:FILE:_files' \
'--cert-dir=[Per-registry certificate dirs (DIR/<host\[\:port\]>/*.crt, client.cert, client.key)]:DIR:_files' \
'*--insecure-options=[\`http\`\: allow plain HTTP to the registry]:http:((http\:"Allow plain HTTP for the registry"))' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':image -- An image in the store (name or digest prefix), oci\:DIR\[\:REF\], or docker\://NAME\:TAG in a registry:_default' \
&& ret=0
;;
(push)
_arguments "${_arguments_options[@]}" : \
'--creds=[Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)]:USER:PASSWORD:_default' \
'--authfile=[Registry credentials file (containers auth.json format), instead of the default search]:FILE:_files' \
'*--tls-ca=[Extra CA certificate(s) (PEM) to trust for the registry'\''s TLS; repeatable]:FILE:_files' \
'--cert-dir=[Per-registry certificate dirs (DIR/<host\[\:port\]>/*.crt, client.cert, client.key)]:DIR:_files' \
'*--insecure-options=[\`http\`\: allow plain HTTP to the registry]:http:((http\:"Allow plain HTTP for the registry"))' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':image -- The image in the store (name or digest prefix):_default' \
':dest -- Where to push it\: docker\://HOST/REPO\:TAG:_default' \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--force[Replace an existing oci-archive FILE (a layout directory is added to, never replaced)]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':image -- The image in the store (name or digest prefix):_default' \
':dest -- Where to write it\: oci\:DIR\[\:REF\] or oci-archive\:FILE\[\:REF\]:_default' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':image -- Image name or digest prefix:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__image__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-image-help-command-$line[1]:"
        case $line[1] in
            (import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(gc)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(extract)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(sign)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(push)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(trust)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_liftoff__subcmd__trust_commands" \
"*::: :->trust" \
&& ret=0

    case $state in
    (trust)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-trust-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'(--root)--prefix=[Name prefix the key is trusted for, e.g. example.com/team]:PREFIX:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--root[Trust the key for EVERY image name (discouraged)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':key -- Public key file (PEM SPKI or minisign .pub):_files' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--format=[]:FORMAT:(table json)' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
'(--root)--prefix=[The prefix it is trusted for]:PREFIX:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--root[The key is a root key]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':keyid -- Key id (as `trust list` shows it):_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__trust__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-trust-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(key)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_liftoff__subcmd__key_commands" \
"*::: :->key" \
&& ret=0

    case $state in
    (key)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-key-command-$line[1]:"
        case $line[1] in
            (gen)
_arguments "${_arguments_options[@]}" : \
'--out=[Path prefix of the two files to write (refuses to overwrite)]:PREFIX:_files' \
'--algorithm=[Key algorithm]:ALGORITHM:((ed25519\:"Ed25519 (liftoff'\''s default; cosign, skopeo and podman sign and verify with it too)"
p256\:"ECDSA P-256 over SHA-256 (cosign'\''s default type)"))' \
'--format=[Format of the private key file]:FORMAT:((pkcs8\:"Unencrypted PKCS#8 PEM, protected by its file mode (what openssl reads and writes)"
cosign\:"cosign'\''s \`ENCRYPTED COSIGN PRIVATE KEY\` (scrypt + NaCl secretbox), encrypted with a passphrase"))' \
'--passphrase-file=[File whose first line is the passphrase of a cosign key]:FILE:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
'--out=[The file to write]:FILE:_files' \
'--passphrase-file=[File whose first line is the passphrase]:FILE:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':key -- The private key to convert (PKCS#8 PEM, SEC1 EC PEM or cosign encrypted; mode 0600):_files' \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
'--out=[The file to write]:FILE:_files' \
'--passphrase-file=[File whose first line is the passphrase]:FILE:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':key -- The private key to convert (PKCS#8 PEM, SEC1 EC PEM or cosign encrypted; mode 0600):_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__key__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-key-help-command-$line[1]:"
        case $line[1] in
            (gen)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(generate)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_liftoff__subcmd__generate_commands" \
"*::: :->generate" \
&& ret=0

    case $state in
    (generate)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-generate-command-$line[1]:"
        case $line[1] in
            (systemd)
_arguments "${_arguments_options[@]}" : \
'--unit=[Unit name without suffix (default\: liftoff-<the first app'\''s name>)]:NAME:_default' \
'--socket=[Also make a socket unit\: ListenStream= for \[IP\:\]PORT or an absolute unix socket path]:LISTEN:_default' \
'--output-dir=[Write the unit files into DIR instead of printing them]:DIR:_files' \
'--restart-policy=[The service'\''s Restart= policy, in systemd'\''s words (\`--restart\` is the app'\''s own, as in \`liftoff run\`)]:POLICY:_default' \
'--name=[App name in the pod (default\: the image'\''s last path component)]:NAME:_default' \
'*-e+[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'*--env=[Set an environment variable (repeatable)]:KEY=VALUE:_default' \
'-u+[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'--user=[User (and group) to run as\: NAME|UID\[\:GROUP|GID\], resolved in the image'\''s /etc/passwd]:USER:_default' \
'-w+[Working directory inside the app]:WORKDIR:_default' \
'--workdir=[Working directory inside the app]:WORKDIR:_default' \
'--entrypoint=[Override the image'\''s entrypoint (a single program; its arguments go after \`--\`)]:ENTRYPOINT:_default' \
'-m+[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--memory=[Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)]:MEMORY:_default' \
'--cpus=[CPU limit in CPUs (e.g. 0.5)]:CPUS:_default' \
'--pids-limit=[Maximum number of processes]:PIDS_LIMIT:_default' \
'*--cap-add=[Add a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'*--cap-drop=[Drop a capability (repeatable; \`all\` for every one)]:CAP:_default' \
'--seccomp=[Seccomp profile\: default, unconfined, or a Docker/OCI JSON profile file]:default|unconfined|FILE:_default' \
'*--ulimit=[Resource limit NAME=SOFT\[\:HARD\] (repeatable), e.g. nofile=4096\:8192]:NAME=SOFT[:HARD]:_default' \
'*--group-add=[Additional supplementary group (repeatable)]:GROUP:_default' \
'*-v+[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--volume=[Mount a host path or a named volume\: /HOST/PATH\:/PATH\[\:ro\] or NAME\:/PATH\[\:ro,uid=,gid=,mode=\] (repeatable)]:SOURCE:TARGET[:OPTIONS]:_default' \
'*--tmpfs=[Mount a fresh tmpfs (noexec,nosuid,nodev)\: /PATH\[\:size=64m,mode=1777,exec,ro\] (repeatable)]:PATH[:OPTIONS]:_default' \
'*--after=[Start this app once app NAME is ready (or started, without a probe); \:started, \:ready or \:completed (exited with status 0) say which (repeatable; podman'\''s --requires)]:NAME[:COND]:_default' \
'(--health-cmd)--ready-tcp=[Ready probe\: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST\:PORT) in the pod is accepted]:[HOST:]PORT:_default' \
'--health-cmd=[Ready probe\: a shell command run in the app, as the app, that exits 0 once it is ready]:COMMAND:_default' \
'--health-interval=[Time between probes (default 100ms)]:DURATION:_default' \
'--health-timeout=[Time after which one probe counts as failed (default 1s)]:DURATION:_default' \
'--health-retries=[Failed probes in a row before the app, and the pod, fail (default 300)]:N:_default' \
'--health-start-period=[Probe failures in this time after the start do not count]:DURATION:_default' \
'--restart=[Start the app again when it ends on its own\: no (the default), on-failure (after a status other than 0, or a signal) or always; \:N caps the restarts. The pause between starts grows from 100 ms to 10 s]:no|on-failure[:N]|always[:N]:_default' \
'()--pod=[Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml]:FILE:_files' \
'--hostname=[The pod'\''s host name (default\: the first app'\''s name)]:HOSTNAME:_default' \
'--userns=[The pod'\''s user ids\: auto (the default\: pod uid 0 is an unprivileged host uid from liftoff'\''s pool, a range of 65536 of its own), auto\:size=N, or host (the pod'\''s root is the host'\''s root)]:auto[:size=N]|host:_default' \
'--net=[Network\: default (liftoff'\''s bridge, outbound NAT), none (loopback only), host, or NAME\[,NAME…\] (CNI lists NAME.conflist in /etc/liftoff/net.d)]:default|none|host|NAME:_default' \
'*-p+[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--publish=[Publish a pod port on the host\: \[HOSTIP\:\]HOSTPORT\:PODPORT\[/tcp|udp\] (repeatable)]:[IP:]HOSTPORT:PODPORT[/PROTO]:_default' \
'*--add-host=[Add a line to the pod'\''s /etc/hosts (repeatable)]:NAME:IP:_default' \
'--notify=[Tell systemd (\$NOTIFY_SOCKET) READY=1 once every app has started; with app\:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1]::pod|app:NAME:_default' \
'--socket-app=[Which app gets the sockets of socket activation (LISTEN_FDS); default the first]:NAME:_default' \
'--stop-timeout=[Seconds between SIGTERM and SIGKILL when stopping]:SECONDS:_default' \
'*--dns=[DNS server for the pod'\''s /etc/resolv.conf (repeatable)]:IP:_default' \
'*--dns-search=[DNS search domain (repeatable)]:DOMAIN:_default' \
'*--insecure-options=[\`image\`\: run images that do not verify; \`net-host-apps\`\: allow several apps in a --net=host --userns=host pod, where they share the host'\''s user namespace and can read each other'\''s files and environment through /proc (both loud; never the default)]:image|net-host-apps:_default' \
'--pull=[When to fetch the images\: never (store only), missing (default) or always]:PULL:((never\:"Use only what is in the store; fail if the image is not there"
missing\:"Fetch only when the image is not in the store (the default)"
always\:"Fetch every time (a tag may have moved); layers already stored are not downloaded again"))' \
'--uuid-file-save=[Write the pod'\''s uuid to FILE (for \`--uuid-file\` of the other commands)]:FILE:_files' \
'--log-max-size=[Rotate each app'\''s log file at this size (one older file is kept; k, M, G are powers of 1024)]:SIZE:_default' \
'--disk-limit=[Limit what the pod writes to disk (its apps'\'' changes, named volumes and logs together), e.g. 1G\: the apps get "no space left" at the limit (\[pods\] disk_limit sets a default)]:SIZE:_default' \
'--exit-code-from=[End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME'\''s exit code (as docker compose --exit-code-from)]:NAME:_default' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--read-only[Mount the app'\''s root filesystem read-only]' \
'(--pod)--sandbox[Start a sandbox\: a pod without apps of its own that stays up until it is stopped; its apps come and go with \`liftoff app add/start/stop/rm\` (--name names the pod)]' \
'--etc-writable[Bind the pod'\''s /etc/hosts, hostname and resolv.conf writable (read-only by default)]' \
'-i[Keep stdin open and pass it to the app (single-app pods)]' \
'--interactive[Keep stdin open and pass it to the app (single-app pods)]' \
'-t[Give the app a terminal (single-app pods)]' \
'--tty[Give the app a terminal (single-app pods)]' \
'--no-prefix[Do not prefix output lines with the app name (several apps)]' \
'-d[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--detach[Start the pod in the background\: print its uuid once every app has started, and return]' \
'--rm[Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends]' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'::image -- Image to run (name or digest prefix of an image in the store):_default' \
'*::command -- Command and arguments (after `--`), replacing the image'\''s Cmd:_default' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--output-dir=[Where to write the pages]:DIR:_files' \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__generate__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-generate-help-command-$line[1]:"
        case $line[1] in
            (systemd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(completion)
_arguments "${_arguments_options[@]}" : \
'--dir=[State root (image store, layers, pods)]:DIR:_files' \
'--config=[Site configuration file]:FILE:_files' \
'--keys=[Admin trust store\: keys trusted per name prefix, and policy.toml]:DIR:_files' \
'--vendor-keys=[Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key]:DIR:_files' \
'--stage1=[The stage1 that runs new pods (default\: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root]:PATH:_files' \
'--debug[Print detailed progress to stderr]' \
'-h[Print help]' \
'--help[Print help]' \
':shell -- The shell to complete for:(bash zsh fish)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-command-$line[1]:"
        case $line[1] in
            (fetch)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(run)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(prepare)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(run-prepared)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(logs)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(stop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(stats)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(top)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(enter)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(app)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help__subcmd__app_commands" \
"*::: :->app" \
&& ret=0

    case $state in
    (app)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-app-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(start)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(stop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(restart)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(diff)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(gc)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(image)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help__subcmd__image_commands" \
"*::: :->image" \
&& ret=0

    case $state in
    (image)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-image-command-$line[1]:"
        case $line[1] in
            (import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(gc)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(extract)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(sign)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(push)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(trust)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help__subcmd__trust_commands" \
"*::: :->trust" \
&& ret=0

    case $state in
    (trust)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-trust-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(key)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help__subcmd__key_commands" \
"*::: :->key" \
&& ret=0

    case $state in
    (key)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-key-command-$line[1]:"
        case $line[1] in
            (gen)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(generate)
_arguments "${_arguments_options[@]}" : \
":: :_liftoff__subcmd__help__subcmd__generate_commands" \
"*::: :->generate" \
&& ret=0

    case $state in
    (generate)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:liftoff-help-generate-command-$line[1]:"
        case $line[1] in
            (systemd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(completion)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_liftoff_commands] )) ||
_liftoff_commands() {
    local commands; commands=(
'fetch:Bring a signed image into the store\: docker\://HOST/REPO\:TAG, oci\:DIR\[\:REF\], oci-archive\:FILE, docker-archive\:FILE' \
'run:Run a pod from signed images, in the foreground (or with -d in the background)' \
'prepare:Prepare a pod (fetch, verify, resolve) without starting it; prints its uuid' \
'run-prepared:Start a prepared pod' \
'list:List pods and their states' \
'ps:List pods and their states' \
'status:Show one pod'\''s state and its apps'\'' exit codes; wait for it to exit or be ready' \
'logs:Show the apps'\'' output (while running and after exit)' \
'stop:Stop running pods\: SIGTERM, then SIGKILL after a timeout' \
'stats:Show running pods'\'' cpu, memory, pids, network and block I/O per app, refreshing on a terminal' \
'top:Show a running pod'\''s processes\: app, host pid, pid in the pod, user, command' \
'enter:Run a command inside a running app, under that app'\''s isolation profile' \
'app:Change a running pod'\''s apps\: add, start, stop, restart, rm; list them' \
'diff:Show the files an app added, changed or deleted' \
'rm:Remove exited pods now' \
'gc:Remove exited pods (after a grace period) and everything they left behind' \
'image:Manage images in the store' \
'trust:Manage which keys are trusted for which image names' \
'key:Generate signing keys' \
'generate:Generate configuration for other tools\: systemd units, man pages' \
'completion:Print a shell completion script (bash, zsh, fish)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app_commands] )) ||
_liftoff__subcmd__app_commands() {
    local commands; commands=(
'add:Add an app to a running pod (created, not started)\: the image is fetched and verified as for \`run\`' \
'start:Start a created or exited app of a running pod; prints its pid' \
'stop:Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running' \
'restart:Stop an app if it runs, then start it again; prints its new pid' \
'rm:Remove an app that is not running from its pod\: its root, changes, logs and cgroup go' \
'list:List a pod'\''s apps\: state, image, exit code, restarts' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff app commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__add_commands] )) ||
_liftoff__subcmd__app__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help_commands] )) ||
_liftoff__subcmd__app__subcmd__help_commands() {
    local commands; commands=(
'add:Add an app to a running pod (created, not started)\: the image is fetched and verified as for \`run\`' \
'start:Start a created or exited app of a running pod; prints its pid' \
'stop:Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running' \
'restart:Stop an app if it runs, then start it again; prints its new pid' \
'rm:Remove an app that is not running from its pod\: its root, changes, logs and cgroup go' \
'list:List a pod'\''s apps\: state, image, exit code, restarts' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff app help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__add_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__list_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__restart_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__restart_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help restart commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__rm_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__start_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__start_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help start commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__help__subcmd__stop_commands] )) ||
_liftoff__subcmd__app__subcmd__help__subcmd__stop_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app help stop commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__list_commands] )) ||
_liftoff__subcmd__app__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__restart_commands] )) ||
_liftoff__subcmd__app__subcmd__restart_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app restart commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__rm_commands] )) ||
_liftoff__subcmd__app__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__start_commands] )) ||
_liftoff__subcmd__app__subcmd__start_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app start commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__app__subcmd__stop_commands] )) ||
_liftoff__subcmd__app__subcmd__stop_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff app stop commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__completion_commands] )) ||
_liftoff__subcmd__completion_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff completion commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__diff_commands] )) ||
_liftoff__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff diff commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__enter_commands] )) ||
_liftoff__subcmd__enter_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff enter commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__fetch_commands] )) ||
_liftoff__subcmd__fetch_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff fetch commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__gc_commands] )) ||
_liftoff__subcmd__gc_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff gc commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate_commands] )) ||
_liftoff__subcmd__generate_commands() {
    local commands; commands=(
'systemd:Print a systemd service unit (and a socket unit with --socket) for \`liftoff run …\`' \
'man:Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff generate commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__help_commands] )) ||
_liftoff__subcmd__generate__subcmd__help_commands() {
    local commands; commands=(
'systemd:Print a systemd service unit (and a socket unit with --socket) for \`liftoff run …\`' \
'man:Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff generate help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__generate__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff generate help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__help__subcmd__man_commands] )) ||
_liftoff__subcmd__generate__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff generate help man commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__help__subcmd__systemd_commands] )) ||
_liftoff__subcmd__generate__subcmd__help__subcmd__systemd_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff generate help systemd commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__man_commands] )) ||
_liftoff__subcmd__generate__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff generate man commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__generate__subcmd__systemd_commands] )) ||
_liftoff__subcmd__generate__subcmd__systemd_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff generate systemd commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help_commands] )) ||
_liftoff__subcmd__help_commands() {
    local commands; commands=(
'fetch:Bring a signed image into the store\: docker\://HOST/REPO\:TAG, oci\:DIR\[\:REF\], oci-archive\:FILE, docker-archive\:FILE' \
'run:Run a pod from signed images, in the foreground (or with -d in the background)' \
'prepare:Prepare a pod (fetch, verify, resolve) without starting it; prints its uuid' \
'run-prepared:Start a prepared pod' \
'list:List pods and their states' \
'status:Show one pod'\''s state and its apps'\'' exit codes; wait for it to exit or be ready' \
'logs:Show the apps'\'' output (while running and after exit)' \
'stop:Stop running pods\: SIGTERM, then SIGKILL after a timeout' \
'stats:Show running pods'\'' cpu, memory, pids, network and block I/O per app, refreshing on a terminal' \
'top:Show a running pod'\''s processes\: app, host pid, pid in the pod, user, command' \
'enter:Run a command inside a running app, under that app'\''s isolation profile' \
'app:Change a running pod'\''s apps\: add, start, stop, restart, rm; list them' \
'diff:Show the files an app added, changed or deleted' \
'rm:Remove exited pods now' \
'gc:Remove exited pods (after a grace period) and everything they left behind' \
'image:Manage images in the store' \
'trust:Manage which keys are trusted for which image names' \
'key:Generate signing keys' \
'generate:Generate configuration for other tools\: systemd units, man pages' \
'completion:Print a shell completion script (bash, zsh, fish)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app_commands] )) ||
_liftoff__subcmd__help__subcmd__app_commands() {
    local commands; commands=(
'add:Add an app to a running pod (created, not started)\: the image is fetched and verified as for \`run\`' \
'start:Start a created or exited app of a running pod; prints its pid' \
'stop:Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running' \
'restart:Stop an app if it runs, then start it again; prints its new pid' \
'rm:Remove an app that is not running from its pod\: its root, changes, logs and cgroup go' \
'list:List a pod'\''s apps\: state, image, exit code, restarts' \
    )
    _describe -t commands 'liftoff help app commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__add_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__list_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__restart_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__restart_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app restart commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__rm_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__start_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__start_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app start commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__app__subcmd__stop_commands] )) ||
_liftoff__subcmd__help__subcmd__app__subcmd__stop_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help app stop commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__completion_commands] )) ||
_liftoff__subcmd__help__subcmd__completion_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help completion commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__diff_commands] )) ||
_liftoff__subcmd__help__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help diff commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__enter_commands] )) ||
_liftoff__subcmd__help__subcmd__enter_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help enter commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__fetch_commands] )) ||
_liftoff__subcmd__help__subcmd__fetch_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help fetch commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__gc_commands] )) ||
_liftoff__subcmd__help__subcmd__gc_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help gc commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__generate_commands] )) ||
_liftoff__subcmd__help__subcmd__generate_commands() {
    local commands; commands=(
'systemd:Print a systemd service unit (and a socket unit with --socket) for \`liftoff run …\`' \
'man:Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory' \
    )
    _describe -t commands 'liftoff help generate commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__generate__subcmd__man_commands] )) ||
_liftoff__subcmd__help__subcmd__generate__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help generate man commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__generate__subcmd__systemd_commands] )) ||
_liftoff__subcmd__help__subcmd__generate__subcmd__systemd_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help generate systemd commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image_commands] )) ||
_liftoff__subcmd__help__subcmd__image_commands() {
    local commands; commands=(
'import:Make a single-layer image from a root filesystem directory or a tarball' \
'list:List images in the store' \
'inspect:Show an image'\''s digests, config, layers, sizes and provenance' \
'rm:Remove image names from the store (blobs go with \`image gc\`)' \
'gc:Remove blobs, unpacked layers and leftovers that no image refers to' \
'extract:Copy an image'\''s root filesystem into a directory' \
'sign:Sign an image in the store or an OCI layout with an Ed25519 key' \
'push:Copy a stored image and its signatures to a registry\: docker\://HOST/REPO\:TAG' \
'export:Write a stored image and its signatures as an OCI layout or archive\: oci\:DIR\[\:REF\], oci-archive\:FILE\[\:REF\]' \
'verify:Re-check a stored image\: every blob'\''s digest and its signatures against today'\''s trust' \
    )
    _describe -t commands 'liftoff help image commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__export_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__extract_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__extract_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image extract commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__gc_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__gc_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image gc commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__import_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__inspect_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image inspect commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__list_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__push_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__push_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image push commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__rm_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__sign_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__sign_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image sign commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__image__subcmd__verify_commands] )) ||
_liftoff__subcmd__help__subcmd__image__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help image verify commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__key_commands] )) ||
_liftoff__subcmd__help__subcmd__key_commands() {
    local commands; commands=(
'gen:Generate a key pair\: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)' \
'export:Write a private key in cosign'\''s encrypted format, for cosign, skopeo and podman' \
'import:Write a private key (cosign'\''s encrypted format, or any liftoff reads) as unencrypted PKCS#8' \
    )
    _describe -t commands 'liftoff help key commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__key__subcmd__export_commands] )) ||
_liftoff__subcmd__help__subcmd__key__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help key export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__key__subcmd__gen_commands] )) ||
_liftoff__subcmd__help__subcmd__key__subcmd__gen_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help key gen commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__key__subcmd__import_commands] )) ||
_liftoff__subcmd__help__subcmd__key__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help key import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__list_commands] )) ||
_liftoff__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__logs_commands] )) ||
_liftoff__subcmd__help__subcmd__logs_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help logs commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__prepare_commands] )) ||
_liftoff__subcmd__help__subcmd__prepare_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help prepare commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__rm_commands] )) ||
_liftoff__subcmd__help__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__run_commands] )) ||
_liftoff__subcmd__help__subcmd__run_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help run commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__run-prepared_commands] )) ||
_liftoff__subcmd__help__subcmd__run-prepared_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help run-prepared commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__stats_commands] )) ||
_liftoff__subcmd__help__subcmd__stats_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help stats commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__status_commands] )) ||
_liftoff__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help status commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__stop_commands] )) ||
_liftoff__subcmd__help__subcmd__stop_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help stop commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__top_commands] )) ||
_liftoff__subcmd__help__subcmd__top_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help top commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__trust_commands] )) ||
_liftoff__subcmd__help__subcmd__trust_commands() {
    local commands; commands=(
'add:Trust a public key for image names under a prefix' \
'list:List trusted keys' \
'rm:Stop trusting a key for a prefix (masks a vendor key)' \
    )
    _describe -t commands 'liftoff help trust commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__trust__subcmd__add_commands] )) ||
_liftoff__subcmd__help__subcmd__trust__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help trust add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__trust__subcmd__list_commands] )) ||
_liftoff__subcmd__help__subcmd__trust__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help trust list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__help__subcmd__trust__subcmd__rm_commands] )) ||
_liftoff__subcmd__help__subcmd__trust__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff help trust rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image_commands] )) ||
_liftoff__subcmd__image_commands() {
    local commands; commands=(
'import:Make a single-layer image from a root filesystem directory or a tarball' \
'list:List images in the store' \
'inspect:Show an image'\''s digests, config, layers, sizes and provenance' \
'rm:Remove image names from the store (blobs go with \`image gc\`)' \
'gc:Remove blobs, unpacked layers and leftovers that no image refers to' \
'extract:Copy an image'\''s root filesystem into a directory' \
'sign:Sign an image in the store or an OCI layout with an Ed25519 key' \
'push:Copy a stored image and its signatures to a registry\: docker\://HOST/REPO\:TAG' \
'export:Write a stored image and its signatures as an OCI layout or archive\: oci\:DIR\[\:REF\], oci-archive\:FILE\[\:REF\]' \
'verify:Re-check a stored image\: every blob'\''s digest and its signatures against today'\''s trust' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff image commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__export_commands] )) ||
_liftoff__subcmd__image__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__extract_commands] )) ||
_liftoff__subcmd__image__subcmd__extract_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image extract commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__gc_commands] )) ||
_liftoff__subcmd__image__subcmd__gc_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image gc commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help_commands] )) ||
_liftoff__subcmd__image__subcmd__help_commands() {
    local commands; commands=(
'import:Make a single-layer image from a root filesystem directory or a tarball' \
'list:List images in the store' \
'inspect:Show an image'\''s digests, config, layers, sizes and provenance' \
'rm:Remove image names from the store (blobs go with \`image gc\`)' \
'gc:Remove blobs, unpacked layers and leftovers that no image refers to' \
'extract:Copy an image'\''s root filesystem into a directory' \
'sign:Sign an image in the store or an OCI layout with an Ed25519 key' \
'push:Copy a stored image and its signatures to a registry\: docker\://HOST/REPO\:TAG' \
'export:Write a stored image and its signatures as an OCI layout or archive\: oci\:DIR\[\:REF\], oci-archive\:FILE\[\:REF\]' \
'verify:Re-check a stored image\: every blob'\''s digest and its signatures against today'\''s trust' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff image help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__export_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__extract_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__extract_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help extract commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__gc_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__gc_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help gc commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__import_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__inspect_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help inspect commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__list_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__push_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__push_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help push commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__rm_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__sign_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__sign_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help sign commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__help__subcmd__verify_commands] )) ||
_liftoff__subcmd__image__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image help verify commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__import_commands] )) ||
_liftoff__subcmd__image__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__inspect_commands] )) ||
_liftoff__subcmd__image__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image inspect commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__list_commands] )) ||
_liftoff__subcmd__image__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__push_commands] )) ||
_liftoff__subcmd__image__subcmd__push_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image push commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__rm_commands] )) ||
_liftoff__subcmd__image__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__sign_commands] )) ||
_liftoff__subcmd__image__subcmd__sign_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image sign commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__image__subcmd__verify_commands] )) ||
_liftoff__subcmd__image__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff image verify commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key_commands] )) ||
_liftoff__subcmd__key_commands() {
    local commands; commands=(
'gen:Generate a key pair\: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)' \
'export:Write a private key in cosign'\''s encrypted format, for cosign, skopeo and podman' \
'import:Write a private key (cosign'\''s encrypted format, or any liftoff reads) as unencrypted PKCS#8' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff key commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__export_commands] )) ||
_liftoff__subcmd__key__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__gen_commands] )) ||
_liftoff__subcmd__key__subcmd__gen_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key gen commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__help_commands] )) ||
_liftoff__subcmd__key__subcmd__help_commands() {
    local commands; commands=(
'gen:Generate a key pair\: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)' \
'export:Write a private key in cosign'\''s encrypted format, for cosign, skopeo and podman' \
'import:Write a private key (cosign'\''s encrypted format, or any liftoff reads) as unencrypted PKCS#8' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff key help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__help__subcmd__export_commands] )) ||
_liftoff__subcmd__key__subcmd__help__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key help export commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__help__subcmd__gen_commands] )) ||
_liftoff__subcmd__key__subcmd__help__subcmd__gen_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key help gen commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__key__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__help__subcmd__import_commands] )) ||
_liftoff__subcmd__key__subcmd__help__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key help import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__key__subcmd__import_commands] )) ||
_liftoff__subcmd__key__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff key import commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__list_commands] )) ||
_liftoff__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__logs_commands] )) ||
_liftoff__subcmd__logs_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff logs commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__prepare_commands] )) ||
_liftoff__subcmd__prepare_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff prepare commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__rm_commands] )) ||
_liftoff__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__run_commands] )) ||
_liftoff__subcmd__run_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff run commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__run-prepared_commands] )) ||
_liftoff__subcmd__run-prepared_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff run-prepared commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__stats_commands] )) ||
_liftoff__subcmd__stats_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff stats commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__status_commands] )) ||
_liftoff__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff status commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__stop_commands] )) ||
_liftoff__subcmd__stop_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff stop commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__top_commands] )) ||
_liftoff__subcmd__top_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff top commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust_commands] )) ||
_liftoff__subcmd__trust_commands() {
    local commands; commands=(
'add:Trust a public key for image names under a prefix' \
'list:List trusted keys' \
'rm:Stop trusting a key for a prefix (masks a vendor key)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff trust commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__add_commands] )) ||
_liftoff__subcmd__trust__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__help_commands] )) ||
_liftoff__subcmd__trust__subcmd__help_commands() {
    local commands; commands=(
'add:Trust a public key for image names under a prefix' \
'list:List trusted keys' \
'rm:Stop trusting a key for a prefix (masks a vendor key)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'liftoff trust help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__help__subcmd__add_commands] )) ||
_liftoff__subcmd__trust__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust help add commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__help__subcmd__help_commands] )) ||
_liftoff__subcmd__trust__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust help help commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__help__subcmd__list_commands] )) ||
_liftoff__subcmd__trust__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust help list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__help__subcmd__rm_commands] )) ||
_liftoff__subcmd__trust__subcmd__help__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust help rm commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__list_commands] )) ||
_liftoff__subcmd__trust__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust list commands' commands "$@"
}
(( $+functions[_liftoff__subcmd__trust__subcmd__rm_commands] )) ||
_liftoff__subcmd__trust__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'liftoff trust rm commands' commands "$@"
}

if [ "$funcstack[1]" = "_liftoff" ]; then
    _liftoff "$@"
else
    compdef _liftoff liftoff
fi
