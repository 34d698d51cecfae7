# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_liftoff_global_optspecs
    string join \n dir= config= keys= vendor-keys= stage1= debug h/help V/version
end

function __fish_liftoff_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_liftoff_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_liftoff_using_subcommand
    set -l cmd (__fish_liftoff_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c liftoff -n "__fish_liftoff_needs_command" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_needs_command" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_needs_command" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_needs_command" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_needs_command" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_needs_command" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_needs_command" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_needs_command" -s V -l version -d 'Print version'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "fetch" -d 'Bring a signed image into the store: docker://HOST/REPO:TAG, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "run" -d 'Run a pod from signed images, in the foreground (or with -d in the background)'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "prepare" -d 'Prepare a pod (fetch, verify, resolve) without starting it; prints its uuid'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "run-prepared" -d 'Start a prepared pod'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "list" -d 'List pods and their states'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "ps" -d 'List pods and their states'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "status" -d 'Show one pod\'s state and its apps\' exit codes; wait for it to exit or be ready'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "logs" -d 'Show the apps\' output (while running and after exit)'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "stop" -d 'Stop running pods: SIGTERM, then SIGKILL after a timeout'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "stats" -d 'Show running pods\' cpu, memory, pids, network and block I/O per app, refreshing on a terminal'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "top" -d 'Show a running pod\'s processes: app, host pid, pid in the pod, user, command'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "enter" -d 'Run a command inside a running app, under that app\'s isolation profile'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "app" -d 'Change a running pod\'s apps: add, start, stop, restart, rm; list them'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "diff" -d 'Show the files an app added, changed or deleted'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "rm" -d 'Remove exited pods now'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "gc" -d 'Remove exited pods (after a grace period) and everything they left behind'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "image" -d 'Manage images in the store'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "trust" -d 'Manage which keys are trusted for which image names'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "key" -d 'Generate signing keys'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "generate" -d 'Generate configuration for other tools: systemd units, man pages'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish)'
complete -c liftoff -n "__fish_liftoff_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l as -d 'Name in the store (default: the source\'s own ref name)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l platform -d 'Platform to pick from a multi-platform image (default: this host\'s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l max-layer-entries -d 'Refuse layers with more entries than this' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l max-layer-bytes -d 'Refuse layers that expand to more bytes than this' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l jobs -d 'Layers to download at once (as many are unpacked at once, each only once verified)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l insecure-options -d 'Skip checks: `image` stores the image WITHOUT verifying its signature (recorded as insecure in its provenance and shown by `image list`); `http` allows plain HTTP to the registry' -r -f -a "image\t'Do not verify the image\'s signature'
http\t'Allow plain HTTP (and an HTTP token server) for the registry'"
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l creds -d 'Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l authfile -d 'Registry credentials file (containers auth.json format), instead of the default search' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l tls-ca -d 'Extra CA certificate(s) (PEM) to trust for the registry\'s TLS; repeatable' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l cert-dir -d 'Per-registry certificate dirs (DIR/<host[:port]>/*.crt, client.cert, client.key)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l allow-devices -d 'Keep device nodes (with their numbers) and fifos found in layers; by default they are left out with a warning naming them (pods get their own /dev). Same as [unpack] allow_devices'
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -s q -l quiet -d 'No progress display (it is drawn only when stderr is a terminal anyway)'
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand fetch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l name -d 'App name in the pod (default: the image\'s last path component)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s u -l user -d 'User (and group) to run as: NAME|UID[:GROUP|GID], resolved in the image\'s /etc/passwd' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s w -l workdir -d 'Working directory inside the app' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l entrypoint -d 'Override the image\'s entrypoint (a single program; its arguments go after `--`)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s m -l memory -d 'Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l cpus -d 'CPU limit in CPUs (e.g. 0.5)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l pids-limit -d 'Maximum number of processes' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l cap-add -d 'Add a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l cap-drop -d 'Drop a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l seccomp -d 'Seccomp profile: default, unconfined, or a Docker/OCI JSON profile file' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l ulimit -d 'Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=4096:8192' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l group-add -d 'Additional supplementary group (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s v -l volume -d 'Mount a host path or a named volume: /HOST/PATH:/PATH[:ro] or NAME:/PATH[:ro,uid=,gid=,mode=] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l tmpfs -d 'Mount a fresh tmpfs (noexec,nosuid,nodev): /PATH[:size=64m,mode=1777,exec,ro] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l after -d 'Start this app once app NAME is ready (or started, without a probe); :started, :ready or :completed (exited with status 0) say which (repeatable; podman\'s --requires)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l ready-tcp -d 'Ready probe: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST:PORT) in the pod is accepted' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l health-cmd -d 'Ready probe: a shell command run in the app, as the app, that exits 0 once it is ready' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l health-interval -d 'Time between probes (default 100ms)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l health-timeout -d 'Time after which one probe counts as failed (default 1s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l health-retries -d 'Failed probes in a row before the app, and the pod, fail (default 300)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l health-start-period -d 'Probe failures in this time after the start do not count' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l restart -d 'Start the app again when it ends on its own: no (the default), on-failure (after a status other than 0, or a signal) or always; :N caps the restarts. The pause between starts grows from 100 ms to 10 s' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l pod -d 'Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l hostname -d 'The pod\'s host name (default: the first app\'s name)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l userns -d 'The pod\'s user ids: auto (the default: pod uid 0 is an unprivileged host uid from liftoff\'s pool, a range of 65536 of its own), auto:size=N, or host (the pod\'s root is the host\'s root)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l net -d 'Network: default (liftoff\'s bridge, outbound NAT), none (loopback only), host, or NAME[,NAME…] (CNI lists NAME.conflist in /etc/liftoff/net.d)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s p -l publish -d 'Publish a pod port on the host: [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l add-host -d 'Add a line to the pod\'s /etc/hosts (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l notify -d 'Tell systemd ($NOTIFY_SOCKET) READY=1 once every app has started; with app:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l socket-app -d 'Which app gets the sockets of socket activation (LISTEN_FDS); default the first' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l stop-timeout -d 'Seconds between SIGTERM and SIGKILL when stopping' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l dns -d 'DNS server for the pod\'s /etc/resolv.conf (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l dns-search -d 'DNS search domain (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l insecure-options -d '`image`: run images that do not verify; `net-host-apps`: allow several apps in a --net=host --userns=host pod, where they share the host\'s user namespace and can read each other\'s files and environment through /proc (both loud; never the default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l pull -d 'When to fetch the images: never (store only), missing (default) or always' -r -f -a "never\t'Use only what is in the store; fail if the image is not there'
missing\t'Fetch only when the image is not in the store (the default)'
always\t'Fetch every time (a tag may have moved); layers already stored are not downloaded again'"
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l uuid-file-save -d 'Write the pod\'s uuid to FILE (for `--uuid-file` of the other commands)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l log-max-size -d 'Rotate each app\'s log file at this size (one older file is kept; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l disk-limit -d 'Limit what the pod writes to disk (its apps\' changes, named volumes and logs together), e.g. 1G: the apps get "no space left" at the limit ([pods] disk_limit sets a default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l exit-code-from -d 'End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME\'s exit code (as docker compose --exit-code-from)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l read-only -d 'Mount the app\'s root filesystem read-only'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l sandbox -d 'Start a sandbox: a pod without apps of its own that stays up until it is stopped; its apps come and go with `liftoff app add/start/stop/rm` (--name names the pod)'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l etc-writable -d 'Bind the pod\'s /etc/hosts, hostname and resolv.conf writable (read-only by default)'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s i -l interactive -d 'Keep stdin open and pass it to the app (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s t -l tty -d 'Give the app a terminal (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l no-prefix -d 'Do not prefix output lines with the app name (several apps)'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s d -l detach -d 'Start the pod in the background: print its uuid once every app has started, and return'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l rm -d 'Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l name -d 'App name in the pod (default: the image\'s last path component)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s u -l user -d 'User (and group) to run as: NAME|UID[:GROUP|GID], resolved in the image\'s /etc/passwd' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s w -l workdir -d 'Working directory inside the app' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l entrypoint -d 'Override the image\'s entrypoint (a single program; its arguments go after `--`)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s m -l memory -d 'Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l cpus -d 'CPU limit in CPUs (e.g. 0.5)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l pids-limit -d 'Maximum number of processes' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l cap-add -d 'Add a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l cap-drop -d 'Drop a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l seccomp -d 'Seccomp profile: default, unconfined, or a Docker/OCI JSON profile file' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l ulimit -d 'Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=4096:8192' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l group-add -d 'Additional supplementary group (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s v -l volume -d 'Mount a host path or a named volume: /HOST/PATH:/PATH[:ro] or NAME:/PATH[:ro,uid=,gid=,mode=] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l tmpfs -d 'Mount a fresh tmpfs (noexec,nosuid,nodev): /PATH[:size=64m,mode=1777,exec,ro] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l after -d 'Start this app once app NAME is ready (or started, without a probe); :started, :ready or :completed (exited with status 0) say which (repeatable; podman\'s --requires)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l ready-tcp -d 'Ready probe: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST:PORT) in the pod is accepted' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l health-cmd -d 'Ready probe: a shell command run in the app, as the app, that exits 0 once it is ready' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l health-interval -d 'Time between probes (default 100ms)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l health-timeout -d 'Time after which one probe counts as failed (default 1s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l health-retries -d 'Failed probes in a row before the app, and the pod, fail (default 300)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l health-start-period -d 'Probe failures in this time after the start do not count' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l restart -d 'Start the app again when it ends on its own: no (the default), on-failure (after a status other than 0, or a signal) or always; :N caps the restarts. The pause between starts grows from 100 ms to 10 s' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l pod -d 'Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l hostname -d 'The pod\'s host name (default: the first app\'s name)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l userns -d 'The pod\'s user ids: auto (the default: pod uid 0 is an unprivileged host uid from liftoff\'s pool, a range of 65536 of its own), auto:size=N, or host (the pod\'s root is the host\'s root)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l net -d 'Network: default (liftoff\'s bridge, outbound NAT), none (loopback only), host, or NAME[,NAME…] (CNI lists NAME.conflist in /etc/liftoff/net.d)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s p -l publish -d 'Publish a pod port on the host: [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l add-host -d 'Add a line to the pod\'s /etc/hosts (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l notify -d 'Tell systemd ($NOTIFY_SOCKET) READY=1 once every app has started; with app:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l socket-app -d 'Which app gets the sockets of socket activation (LISTEN_FDS); default the first' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l stop-timeout -d 'Seconds between SIGTERM and SIGKILL when stopping' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l dns -d 'DNS server for the pod\'s /etc/resolv.conf (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l dns-search -d 'DNS search domain (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l insecure-options -d '`image`: run images that do not verify; `net-host-apps`: allow several apps in a --net=host --userns=host pod, where they share the host\'s user namespace and can read each other\'s files and environment through /proc (both loud; never the default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l pull -d 'When to fetch the images: never (store only), missing (default) or always' -r -f -a "never\t'Use only what is in the store; fail if the image is not there'
missing\t'Fetch only when the image is not in the store (the default)'
always\t'Fetch every time (a tag may have moved); layers already stored are not downloaded again'"
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l uuid-file-save -d 'Write the pod\'s uuid to FILE (for `--uuid-file` of the other commands)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l log-max-size -d 'Rotate each app\'s log file at this size (one older file is kept; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l disk-limit -d 'Limit what the pod writes to disk (its apps\' changes, named volumes and logs together), e.g. 1G: the apps get "no space left" at the limit ([pods] disk_limit sets a default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l exit-code-from -d 'End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME\'s exit code (as docker compose --exit-code-from)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l read-only -d 'Mount the app\'s root filesystem read-only'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l sandbox -d 'Start a sandbox: a pod without apps of its own that stays up until it is stopped; its apps come and go with `liftoff app add/start/stop/rm` (--name names the pod)'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l etc-writable -d 'Bind the pod\'s /etc/hosts, hostname and resolv.conf writable (read-only by default)'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s i -l interactive -d 'Keep stdin open and pass it to the app (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s t -l tty -d 'Give the app a terminal (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l no-prefix -d 'Do not prefix output lines with the app name (several apps)'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s d -l detach -d 'Start the pod in the background: print its uuid once every app has started, and return'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l rm -d 'Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand prepare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l insecure-options -d '`image`: start even if the images no longer verify (loud; never the default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -s d -l detach -d 'Start in the background: print the uuid once every app has started, and return'
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand run-prepared" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l all -d 'Also show pods marked for garbage collection'
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand list" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l all -d 'Also show pods marked for garbage collection'
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand ps" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l wait -d 'Wait until the pod has exited' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l wait-ready -d 'Wait until every app of the pod has started' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l check-network -d 'Ask each CNI network\'s plugins whether the pod\'s attachment is intact (CNI CHECK)'
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand status" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l app -d 'Only this app\'s output' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l tail -d 'Only the last N lines' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -s f -l follow -d 'Keep printing new output until the pod exits'
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -s t -l timestamps -d 'Show each line\'s time (RFC 3339, UTC)'
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand logs" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l uuid-file -d 'Read a pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l timeout -d 'Seconds to wait after SIGTERM before SIGKILL (default: the pod\'s --stop-timeout)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l force -d 'Kill the pod\'s processes at once (SIGKILL) instead of SIGTERM'
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand stop" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l no-stream -d 'Print one sample and exit, also on a terminal'
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand stats" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l app -d 'Only this app\'s processes' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand top" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l app -d 'The app to enter (required when the pod has several)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand enter" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "add" -d 'Add an app to a running pod (created, not started): the image is fetched and verified as for `run`'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "start" -d 'Start a created or exited app of a running pod; prints its pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "stop" -d 'Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "restart" -d 'Stop an app if it runs, then start it again; prints its new pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "rm" -d 'Remove an app that is not running from its pod: its root, changes, logs and cgroup go'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "list" -d 'List a pod\'s apps: state, image, exit code, restarts'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and not __fish_seen_subcommand_from add start stop restart rm list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l name -d 'App name in the pod (default: the image\'s last path component)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s u -l user -d 'User (and group) to run as: NAME|UID[:GROUP|GID], resolved in the image\'s /etc/passwd' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s w -l workdir -d 'Working directory inside the app' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l entrypoint -d 'Override the image\'s entrypoint (a single program; its arguments go after `--`)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s m -l memory -d 'Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l cpus -d 'CPU limit in CPUs (e.g. 0.5)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l pids-limit -d 'Maximum number of processes' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l cap-add -d 'Add a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l cap-drop -d 'Drop a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l seccomp -d 'Seccomp profile: default, unconfined, or a Docker/OCI JSON profile file' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l ulimit -d 'Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=4096:8192' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l group-add -d 'Additional supplementary group (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s v -l volume -d 'Mount a host path or a named volume: /HOST/PATH:/PATH[:ro] or NAME:/PATH[:ro,uid=,gid=,mode=] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l tmpfs -d 'Mount a fresh tmpfs (noexec,nosuid,nodev): /PATH[:size=64m,mode=1777,exec,ro] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l after -d 'Start this app once app NAME is ready (or started, without a probe); :started, :ready or :completed (exited with status 0) say which (repeatable; podman\'s --requires)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l ready-tcp -d 'Ready probe: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST:PORT) in the pod is accepted' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l health-cmd -d 'Ready probe: a shell command run in the app, as the app, that exits 0 once it is ready' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l health-interval -d 'Time between probes (default 100ms)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l health-timeout -d 'Time after which one probe counts as failed (default 1s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l health-retries -d 'Failed probes in a row before the app, and the pod, fail (default 300)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l health-start-period -d 'Probe failures in this time after the start do not count' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l restart -d 'Start the app again when it ends on its own: no (the default), on-failure (after a status other than 0, or a signal) or always; :N caps the restarts. The pause between starts grows from 100 ms to 10 s' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l insecure-options -d '`image`: add an image that does not verify; `net-host-apps`: allow a second app in a --net=host --userns=host pod (both loud; never the default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l pull -d 'When to fetch the image: never (store only), missing (default) or always' -r -f -a "never\t'Use only what is in the store; fail if the image is not there'
missing\t'Fetch only when the image is not in the store (the default)'
always\t'Fetch every time (a tag may have moved); layers already stored are not downloaded again'"
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l read-only -d 'Mount the app\'s root filesystem read-only'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l attach -d 'Print the app\'s output from its start until it exits, and exit with its exit status (stdin and the terminal are not passed to it)'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l timeout -d 'Seconds between SIGTERM and SIGKILL (default: the pod\'s --stop-timeout; at most 3600)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l timeout -d 'Seconds between SIGTERM and SIGKILL (default: the pod\'s --stop-timeout; at most 3600)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an app to a running pod (created, not started): the image is fetched and verified as for `run`'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start a created or exited app of a running pod; prints its pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Stop an app if it runs, then start it again; prints its new pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove an app that is not running from its pod: its root, changes, logs and cgroup go'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "list" -d 'List a pod\'s apps: state, image, exit code, restarts'
complete -c liftoff -n "__fish_liftoff_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l uuid-file -d 'Read the pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l app -d 'The app (required when the pod has several)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand diff" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l uuid-file -d 'Read a pod\'s uuid from FILE (as written by `run --uuid-file-save`)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand rm" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l grace-period -d 'How long a pod stays marked before it is removed (e.g. 30m, 1h30m, 0s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l expire-prepared -d 'Also remove prepared pods that were never started, this long after `prepare`' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l mark-only -d 'Only mark; remove nothing'
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand gc" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "import" -d 'Make a single-layer image from a root filesystem directory or a tarball'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "list" -d 'List images in the store'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "inspect" -d 'Show an image\'s digests, config, layers, sizes and provenance'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "rm" -d 'Remove image names from the store (blobs go with `image gc`)'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "gc" -d 'Remove blobs, unpacked layers and leftovers that no image refers to'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "extract" -d 'Copy an image\'s root filesystem into a directory'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "sign" -d 'Sign an image in the store or an OCI layout with an Ed25519 key'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "push" -d 'Copy a stored image and its signatures to a registry: docker://HOST/REPO:TAG'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "export" -d 'Write a stored image and its signatures as an OCI layout or archive: oci:DIR[:REF], oci-archive:FILE[:REF]'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "verify" -d 'Re-check a stored image: every blob\'s digest and its signatures against today\'s trust'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and not __fish_seen_subcommand_from import list inspect rm gc extract sign push export verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l entrypoint -d 'Entrypoint: comma-separated or a JSON array' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l cmd -d 'Default command (arguments to the entrypoint): comma-separated or a JSON array' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -s e -l env -d 'Environment variable KEY=VALUE (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -s w -l workdir -d 'Working directory' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -s u -l user -d 'User (name or uid[:gid])' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l expose -d 'Exposed port PORT[/tcp|udp|sctp] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -s l -l label -d 'Label KEY=VALUE (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l compression -d 'Layer compression' -r -f -a "zstd\t''
gzip\t''
none\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l allow-devices -d 'Keep the source\'s device nodes (with their numbers) and fifos; by default they are left out with a warning (pods get their own /dev). Sockets are always left out'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print names only'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l format -d 'Output format (json is the full record)' -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l wait -d 'How long to wait for running fetches and imports to release the store (e.g. 5s, 2m, or `forever`); past that gc fails, naming the processes that hold it' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l insecure-options -d '`image`: extract an image that does not verify (loud)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l preserve-setid -d 'Keep setuid/setgid bits, file capabilities and device nodes (left out by default)'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from extract" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l key -d 'Private key, mode 0600: Ed25519 or ECDSA P-256, PKCS#8 PEM or cosign\'s encrypted format' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l passphrase-file -d 'File whose first line is the passphrase of a cosign key (else $COSIGN_PASSWORD, else asked on the terminal)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l identity -d 'The name the signature vouches for (default: the image\'s store name)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l creds -d 'Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l authfile -d 'Registry credentials file (containers auth.json format), instead of the default search' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l tls-ca -d 'Extra CA certificate(s) (PEM) to trust for the registry\'s TLS; repeatable' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l cert-dir -d 'Per-registry certificate dirs (DIR/<host[:port]>/*.crt, client.cert, client.key)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l insecure-options -d '`http`: allow plain HTTP to the registry' -r -f -a "http\t'Allow plain HTTP for the registry'"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l creds -d 'Registry credentials (never printed; prefer --authfile, since arguments are visible to other users in ps)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l authfile -d 'Registry credentials file (containers auth.json format), instead of the default search' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-ca -d 'Extra CA certificate(s) (PEM) to trust for the registry\'s TLS; repeatable' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l cert-dir -d 'Per-registry certificate dirs (DIR/<host[:port]>/*.crt, client.cert, client.key)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l insecure-options -d '`http`: allow plain HTTP to the registry' -r -f -a "http\t'Allow plain HTTP for the registry'"
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l force -d 'Replace an existing oci-archive FILE (a layout directory is added to, never replaced)'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "import" -d 'Make a single-layer image from a root filesystem directory or a tarball'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "list" -d 'List images in the store'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show an image\'s digests, config, layers, sizes and provenance'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove image names from the store (blobs go with `image gc`)'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "gc" -d 'Remove blobs, unpacked layers and leftovers that no image refers to'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "extract" -d 'Copy an image\'s root filesystem into a directory'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "sign" -d 'Sign an image in the store or an OCI layout with an Ed25519 key'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "push" -d 'Copy a stored image and its signatures to a registry: docker://HOST/REPO:TAG'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a stored image and its signatures as an OCI layout or archive: oci:DIR[:REF], oci-archive:FILE[:REF]'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Re-check a stored image: every blob\'s digest and its signatures against today\'s trust'
complete -c liftoff -n "__fish_liftoff_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -f -a "add" -d 'Trust a public key for image names under a prefix'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -f -a "list" -d 'List trusted keys'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -f -a "rm" -d 'Stop trusting a key for a prefix (masks a vendor key)'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and not __fish_seen_subcommand_from add list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l prefix -d 'Name prefix the key is trusted for, e.g. example.com/team' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l root -d 'Trust the key for EVERY image name (discouraged)'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -s y -l yes -d 'Do not ask for confirmation'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l format -r -f -a "table\t''
json\t''"
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l prefix -d 'The prefix it is trusted for' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l root -d 'The key is a root key'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "add" -d 'Trust a public key for image names under a prefix'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "list" -d 'List trusted keys'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Stop trusting a key for a prefix (masks a vendor key)'
complete -c liftoff -n "__fish_liftoff_using_subcommand trust; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -f -a "gen" -d 'Generate a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -f -a "export" -d 'Write a private key in cosign\'s encrypted format, for cosign, skopeo and podman'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -f -a "import" -d 'Write a private key (cosign\'s encrypted format, or any liftoff reads) as unencrypted PKCS#8'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and not __fish_seen_subcommand_from gen export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l out -d 'Path prefix of the two files to write (refuses to overwrite)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l algorithm -d 'Key algorithm' -r -f -a "ed25519\t'Ed25519 (liftoff\'s default; cosign, skopeo and podman sign and verify with it too)'
p256\t'ECDSA P-256 over SHA-256 (cosign\'s default type)'"
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l format -d 'Format of the private key file' -r -f -a "pkcs8\t'Unencrypted PKCS#8 PEM, protected by its file mode (what openssl reads and writes)'
cosign\t'cosign\'s `ENCRYPTED COSIGN PRIVATE KEY` (scrypt + NaCl secretbox), encrypted with a passphrase'"
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l passphrase-file -d 'File whose first line is the passphrase of a cosign key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from gen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l out -d 'The file to write' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l passphrase-file -d 'File whose first line is the passphrase' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l out -d 'The file to write' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l passphrase-file -d 'File whose first line is the passphrase' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "gen" -d 'Generate a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a private key in cosign\'s encrypted format, for cosign, skopeo and podman'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "import" -d 'Write a private key (cosign\'s encrypted format, or any liftoff reads) as unencrypted PKCS#8'
complete -c liftoff -n "__fish_liftoff_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -f -a "systemd" -d 'Print a systemd service unit (and a socket unit with --socket) for `liftoff run …`'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -f -a "man" -d 'Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and not __fish_seen_subcommand_from systemd man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l unit -d 'Unit name without suffix (default: liftoff-<the first app\'s name>)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l socket -d 'Also make a socket unit: ListenStream= for [IP:]PORT or an absolute unix socket path' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l output-dir -d 'Write the unit files into DIR instead of printing them' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l restart-policy -d 'The service\'s Restart= policy, in systemd\'s words (`--restart` is the app\'s own, as in `liftoff run`)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l name -d 'App name in the pod (default: the image\'s last path component)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s u -l user -d 'User (and group) to run as: NAME|UID[:GROUP|GID], resolved in the image\'s /etc/passwd' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s w -l workdir -d 'Working directory inside the app' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l entrypoint -d 'Override the image\'s entrypoint (a single program; its arguments go after `--`)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s m -l memory -d 'Memory limit (e.g. 256M, 1g; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l cpus -d 'CPU limit in CPUs (e.g. 0.5)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l pids-limit -d 'Maximum number of processes' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l cap-add -d 'Add a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l cap-drop -d 'Drop a capability (repeatable; `all` for every one)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l seccomp -d 'Seccomp profile: default, unconfined, or a Docker/OCI JSON profile file' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l ulimit -d 'Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=4096:8192' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l group-add -d 'Additional supplementary group (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s v -l volume -d 'Mount a host path or a named volume: /HOST/PATH:/PATH[:ro] or NAME:/PATH[:ro,uid=,gid=,mode=] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l tmpfs -d 'Mount a fresh tmpfs (noexec,nosuid,nodev): /PATH[:size=64m,mode=1777,exec,ro] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l after -d 'Start this app once app NAME is ready (or started, without a probe); :started, :ready or :completed (exited with status 0) say which (repeatable; podman\'s --requires)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l ready-tcp -d 'Ready probe: the app is ready once a TCP connection to this port on 127.0.0.1 (or HOST:PORT) in the pod is accepted' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l health-cmd -d 'Ready probe: a shell command run in the app, as the app, that exits 0 once it is ready' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l health-interval -d 'Time between probes (default 100ms)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l health-timeout -d 'Time after which one probe counts as failed (default 1s)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l health-retries -d 'Failed probes in a row before the app, and the pod, fail (default 300)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l health-start-period -d 'Probe failures in this time after the start do not count' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l restart -d 'Start the app again when it ends on its own: no (the default), on-failure (after a status other than 0, or a signal) or always; :N caps the restarts. The pause between starts grows from 100 ms to 10 s' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l pod -d 'Read the pod (apps, start order, probes, hostname, limits) from a TOML pod file, or from a compose file when the name ends in .yaml or .yml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l hostname -d 'The pod\'s host name (default: the first app\'s name)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l userns -d 'The pod\'s user ids: auto (the default: pod uid 0 is an unprivileged host uid from liftoff\'s pool, a range of 65536 of its own), auto:size=N, or host (the pod\'s root is the host\'s root)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l net -d 'Network: default (liftoff\'s bridge, outbound NAT), none (loopback only), host, or NAME[,NAME…] (CNI lists NAME.conflist in /etc/liftoff/net.d)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s p -l publish -d 'Publish a pod port on the host: [HOSTIP:]HOSTPORT:PODPORT[/tcp|udp] (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l add-host -d 'Add a line to the pod\'s /etc/hosts (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l notify -d 'Tell systemd ($NOTIFY_SOCKET) READY=1 once every app has started; with app:NAME, give that app its own NOTIFY_SOCKET and forward its READY=1/STATUS=/STOPPING=1' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l socket-app -d 'Which app gets the sockets of socket activation (LISTEN_FDS); default the first' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l stop-timeout -d 'Seconds between SIGTERM and SIGKILL when stopping' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l dns -d 'DNS server for the pod\'s /etc/resolv.conf (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l dns-search -d 'DNS search domain (repeatable)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l insecure-options -d '`image`: run images that do not verify; `net-host-apps`: allow several apps in a --net=host --userns=host pod, where they share the host\'s user namespace and can read each other\'s files and environment through /proc (both loud; never the default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l pull -d 'When to fetch the images: never (store only), missing (default) or always' -r -f -a "never\t'Use only what is in the store; fail if the image is not there'
missing\t'Fetch only when the image is not in the store (the default)'
always\t'Fetch every time (a tag may have moved); layers already stored are not downloaded again'"
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l uuid-file-save -d 'Write the pod\'s uuid to FILE (for `--uuid-file` of the other commands)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l log-max-size -d 'Rotate each app\'s log file at this size (one older file is kept; k, M, G are powers of 1024)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l disk-limit -d 'Limit what the pod writes to disk (its apps\' changes, named volumes and logs together), e.g. 1G: the apps get "no space left" at the limit ([pods] disk_limit sets a default)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l exit-code-from -d 'End the pod when app NAME ends, whatever its status (the others get the stop signal), and exit with NAME\'s exit code (as docker compose --exit-code-from)' -r
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l read-only -d 'Mount the app\'s root filesystem read-only'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l sandbox -d 'Start a sandbox: a pod without apps of its own that stays up until it is stopped; its apps come and go with `liftoff app add/start/stop/rm` (--name names the pod)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l etc-writable -d 'Bind the pod\'s /etc/hosts, hostname and resolv.conf writable (read-only by default)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s i -l interactive -d 'Keep stdin open and pass it to the app (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s t -l tty -d 'Give the app a terminal (single-app pods)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l no-prefix -d 'Do not prefix output lines with the app name (several apps)'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s d -l detach -d 'Start the pod in the background: print its uuid once every app has started, and return'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l rm -d 'Remove the pod (its dir, logs, volumes, cgroups, network) as soon as it ends'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l output-dir -d 'Where to write the pages' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "systemd" -d 'Print a systemd service unit (and a socket unit with --socket) for `liftoff run …`'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory'
complete -c liftoff -n "__fish_liftoff_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l dir -d 'State root (image store, layers, pods)' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l config -d 'Site configuration file' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l keys -d 'Admin trust store: keys trusted per name prefix, and policy.toml' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l vendor-keys -d 'Vendor trust store, consulted after --keys; an empty file of the same path under --keys masks a vendor key' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l stage1 -d 'The stage1 that runs new pods (default: the liftoff-stage1 installed with liftoff); it must implement the stage1 contract (stage1/docs/pod-manifest.md) and belong to root' -r -F
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -l debug -d 'Print detailed progress to stderr'
complete -c liftoff -n "__fish_liftoff_using_subcommand completion" -s h -l help -d 'Print help'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "fetch" -d 'Bring a signed image into the store: docker://HOST/REPO:TAG, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "run" -d 'Run a pod from signed images, in the foreground (or with -d in the background)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "prepare" -d 'Prepare a pod (fetch, verify, resolve) without starting it; prints its uuid'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "run-prepared" -d 'Start a prepared pod'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "list" -d 'List pods and their states'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "status" -d 'Show one pod\'s state and its apps\' exit codes; wait for it to exit or be ready'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "logs" -d 'Show the apps\' output (while running and after exit)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "stop" -d 'Stop running pods: SIGTERM, then SIGKILL after a timeout'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "stats" -d 'Show running pods\' cpu, memory, pids, network and block I/O per app, refreshing on a terminal'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "top" -d 'Show a running pod\'s processes: app, host pid, pid in the pod, user, command'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "enter" -d 'Run a command inside a running app, under that app\'s isolation profile'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "app" -d 'Change a running pod\'s apps: add, start, stop, restart, rm; list them'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "diff" -d 'Show the files an app added, changed or deleted'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "rm" -d 'Remove exited pods now'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "gc" -d 'Remove exited pods (after a grace period) and everything they left behind'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "image" -d 'Manage images in the store'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "trust" -d 'Manage which keys are trusted for which image names'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "key" -d 'Generate signing keys'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "generate" -d 'Generate configuration for other tools: systemd units, man pages'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and not __fish_seen_subcommand_from fetch run prepare run-prepared list status logs stop stats top enter app diff rm gc image trust key generate completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "add" -d 'Add an app to a running pod (created, not started): the image is fetched and verified as for `run`'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "start" -d 'Start a created or exited app of a running pod; prints its pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "stop" -d 'Stop a running app (SIGTERM, SIGKILL after the timeout); the pod keeps running'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "restart" -d 'Stop an app if it runs, then start it again; prints its new pid'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "rm" -d 'Remove an app that is not running from its pod: its root, changes, logs and cgroup go'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "list" -d 'List a pod\'s apps: state, image, exit code, restarts'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "import" -d 'Make a single-layer image from a root filesystem directory or a tarball'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "list" -d 'List images in the store'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Show an image\'s digests, config, layers, sizes and provenance'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove image names from the store (blobs go with `image gc`)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "gc" -d 'Remove blobs, unpacked layers and leftovers that no image refers to'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "extract" -d 'Copy an image\'s root filesystem into a directory'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "sign" -d 'Sign an image in the store or an OCI layout with an Ed25519 key'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "push" -d 'Copy a stored image and its signatures to a registry: docker://HOST/REPO:TAG'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "export" -d 'Write a stored image and its signatures as an OCI layout or archive: oci:DIR[:REF], oci-archive:FILE[:REF]'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "verify" -d 'Re-check a stored image: every blob\'s digest and its signatures against today\'s trust'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from trust" -f -a "add" -d 'Trust a public key for image names under a prefix'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from trust" -f -a "list" -d 'List trusted keys'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from trust" -f -a "rm" -d 'Stop trusting a key for a prefix (masks a vendor key)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "gen" -d 'Generate a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (PEM SPKI)'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "export" -d 'Write a private key in cosign\'s encrypted format, for cosign, skopeo and podman'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "import" -d 'Write a private key (cosign\'s encrypted format, or any liftoff reads) as unencrypted PKCS#8'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "systemd" -d 'Print a systemd service unit (and a socket unit with --socket) for `liftoff run …`'
complete -c liftoff -n "__fish_liftoff_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write one man page per command (liftoff.1, liftoff-run.1, …) into a directory'
