# Helpers scripts/load.sh and scripts/compare.sh share (sourced).

# A port free now, from below the kernel's ephemeral range, so nothing that
# listens on port 0 before our server binds it can be handed the same one.
free_port() {
  python3 - <<'PY'
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    p = random.randrange(max(1024, lo - 10000), lo)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}
# wait_ready BASE: until AuthBridge at BASE answers /readyz.
wait_ready() { for _ in $(seq 1 200); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "server at $1 never became ready" >&2; return 1; }
# wait_http URL: until anything answers HTTP at URL (a reference server).
wait_http() {
  local _
  for _ in $(seq 1 400); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != 000 ] && return 0
    sleep 0.05
  done
  echo "nothing answered at $1" >&2
  return 1
}
