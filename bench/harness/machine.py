"""The machine's description and limits, measured in the same run: loopback TCP and sequential writes."""
import json
import os
import platform
import shutil
import subprocess
import time

from procs import BROKER_CORES, CLIENT_CORES


def describe():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    rd = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "librdkafka-dev"], capture_output=True, text=True).stdout
    fs = subprocess.run(["df", "--output=source,fstype,size", os.getcwd()], capture_output=True, text=True).stdout
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "os": _os_release(), "java": java[0] if java else "?",
            "librdkafka": rd, "filesystem": " ".join(fs.splitlines()[-1].split()) if fs else "?", "load_average": list(os.getloadavg())}


def _os_release():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def loopback_mb_per_s(seconds):
    """iperf3 over 127.0.0.1, server on the broker core and client on the client core."""
    if not shutil.which("iperf3"):
        return None, "iperf3 missing (bench/install-deps.sh)"
    port = "15201"
    srv = subprocess.Popen(["taskset", "-c", BROKER_CORES, "iperf3", "-s", "-1", "-p", port], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        p = subprocess.run(["taskset", "-c", CLIENT_CORES, "iperf3", "-c", "127.0.0.1", "-p", port, "-t", str(seconds), "-J"],
                           capture_output=True, text=True, timeout=seconds + 30)
        bps = json.loads(p.stdout)["end"]["sum_received"]["bits_per_second"]
        return bps / 8 / 1e6, f"iperf3 -t {seconds}, one TCP stream, server core {BROKER_CORES}, client core {CLIENT_CORES}"
    finally:
        srv.wait(10)


def disk_write_mb_per_s(directory, mb):
    """dd of `mb` MiB of zeros into `directory` (the brokers' filesystem) in three modes."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "dd.tmp")
    out = {}
    for name, flags in (("buffered", []), ("fdatasync", ["conv=fdatasync"]), ("o_direct", ["oflag=direct"])):
        t0 = time.time()
        subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={mb}", *flags], check=True,
                       capture_output=True)
        out[name] = mb * 1048576 / 1e6 / (time.time() - t0)
        os.unlink(path)
    return out, f"dd bs=1M count={mb}: buffered (page cache, no sync), conv=fdatasync (one sync at the end), oflag=direct"


_TOUCH = """
import mmap, sys, time
n = int(sys.argv[1]) << 20
m = mmap.mmap(-1, n)
t0 = time.perf_counter()
for i in range(0, n, 4096):
    m[i] = 1
print(n / 1e6 / (time.perf_counter() - t0))
"""


def memory_touch_mb_per_s(mb):
    """First touch of `mb` MiB of fresh anonymous memory (one byte per 4 KiB page), on the broker core.

    Why: growing the page cache costs the same per page. On a VM whose guest memory the host backs
    lazily this is far slower than on bare metal, and it is what a broker pays when its buffered
    writes grow the page cache (Kafka's appends; Runnel's appends use O_DIRECT and do not)."""
    p = subprocess.run(["taskset", "-c", BROKER_CORES, "python3", "-c", _TOUCH, str(mb)], capture_output=True, text=True,
                       timeout=600)
    try:
        return float(p.stdout.strip()), f"python mmap of {mb} MiB, one write per 4 KiB page, core {BROKER_CORES}"
    except ValueError:
        return None, "memory touch failed: " + p.stderr[-200:]
