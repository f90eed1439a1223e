package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Workloads by name.
var workloads = []string{"me", "refresh", "credential", "popup", "mix"}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "ceiling" {
		return ceiling(ctx, args[1:], stdout)
	}
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "base URL of the running server")
	idp := fs.String("idp", "", "base URL of the development identity provider (default: <url>/devidp, the one dev mode mounts)")
	workload := fs.String("workload", "me", "me, refresh, credential, popup, mix, several separated by commas, or all")
	api := fs.String("api", "authbridge", "the system at -url: authbridge, or a reference make compare measures: simplejwt, pocketbase (users load-N signed in with the password in LOADGEN_PASSWORD)")
	vus := fs.Int("vus", 16, "virtual users")
	duration := fs.Duration("duration", 5*time.Second, "how long each workload runs")
	pidList := fs.String("pid", "", "server process id, to sample its RSS and CPU; several separated by commas are added up (a server of several processes)")
	ceilingURL := fs.String("ceiling", "", "URL of a `loadgen ceiling` handler to measure first")
	label := fs.String("label", "", "label printed with the results (e.g. the database)")
	cpuProfile := fs.String("cpuprofile", "", "write this load tool's own CPU profile to the file (to see what the client costs)")
	targetSpec := fs.String("targets", "", "numbers to hold each workload to, printed as a verdict: me=8000,me-ratio=0.6,popup-p50=15ms,rss=40 (req/s, × ceiling, p50, MiB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	goals, err := parseTargets(*targetSpec)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *target == "" {
		return errors.New("-url is required")
	}
	if *vus < 1 || *vus > 1024 || *duration <= 0 || *duration > 10*time.Minute {
		return errors.New("-vus must be 1..1024 and -duration at most 10m")
	}
	pids, err := parsePIDs(*pidList)
	if err != nil {
		return err
	}
	if !slices.Contains(apis, *api) {
		return fmt.Errorf("-api %q: want one of %s", *api, strings.Join(apis, ", "))
	}
	password := getenv("LOADGEN_PASSWORD")
	if *api != "authbridge" && password == "" {
		return fmt.Errorf("-api %s: LOADGEN_PASSWORD must hold the load users' password", *api)
	}
	names := strings.Split(*workload, ",")
	if *workload == "all" {
		names = workloads
		if *api != "authbridge" {
			names = referenceWorkloads
		}
	}
	client := newClient(*vus)
	var ceil float64
	if *ceilingURL != "" {
		r := drive(ctx, *vus, *duration, nil, func(ctx context.Context, _ *user) error { return getOK(ctx, client, *ceilingURL+"/") }, nil)
		ceil = r.rate()
		fmt.Fprintf(stdout, "%-12s %-10s %s\n", "ceiling", *label, r)
	}
	met, short := 0, 0
	for _, name := range names {
		idpBase := *idp
		if idpBase == "" {
			idpBase = strings.TrimRight(*target, "/") + "/devidp"
		}
		var (
			users []*user
			step  func(context.Context, *user) error
		)
		if *api == "authbridge" {
			users, err = signInAll(ctx, client, *target, *vus)
			if err == nil {
				step, err = stepFor(name, client, *target, strings.TrimRight(idpBase, "/"))
			}
		} else {
			step, err = referenceStep(name, *api, client, strings.TrimRight(*target, "/"))
			for i := 0; err == nil && i < *vus; i++ {
				var u *user
				u, err = referenceSignIn(ctx, client, *api, strings.TrimRight(*target, "/"), i, password)
				users = append(users, u)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		before, beforeOK := reuseRevocations(ctx, client, *api, *target)
		r := drive(ctx, *vus, *duration, pids, step, users)
		if after, ok := reuseRevocations(ctx, client, *api, *target); ok && beforeOK {
			r.revoked, r.revokedKnown = after-before, true
		}
		line := fmt.Sprintf("%-12s %-10s %s", name, *label, r)
		if ceil > 0 {
			line += fmt.Sprintf("  ratio %.2f× ceiling", r.rate()/ceil)
		}
		if v, ok := goals.verdict(name, r, ceil); v != "" {
			line += "  " + v
			if ok {
				met++
			} else {
				short++
			}
		}
		fmt.Fprintln(stdout, line)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if met+short > 0 {
		fmt.Fprintf(stdout, "%-12s %-10s %d workloads met their targets, %d short\n", "targets", *label, met, short)
	}
	return nil
}

// result is one workload's run.
type result struct {
	n, errs int
	took    time.Duration
	lat     []time.Duration
	rssMax  int64 // KiB
	// CPU spent during the run, by the server (-pid) and by this process:
	// steadier than req/s on a busy or noisy machine. Zero when unknown.
	serverCPU, clientCPU time.Duration
	// The whole machine during the run (/proc/stat): how busy its CPUs
	// were, and how much time the hypervisor gave to other guests (steal).
	// A run whose machine was not busy waited on something; one with steal
	// ran on a machine that was partly someone else's.
	machine cpuTimes
	// Families the server ended as replays during the run (its /metrics,
	// refreshes with outcome token_reused); known only when it could be
	// read before and after.
	revoked      int64
	revokedKnown bool
	firstErr     error
}

func (r result) rate() float64 { return float64(r.n) / r.took.Seconds() }

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

func (r result) String() string {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	s := fmt.Sprintf("%9.0f req/s  p50 %-9s p90 %-9s p99 %-9s errors %d", r.rate(),
		pct(r.lat, 50).Round(10*time.Microsecond), pct(r.lat, 90).Round(10*time.Microsecond), pct(r.lat, 99).Round(10*time.Microsecond), r.errs)
	if r.rssMax > 0 {
		s += fmt.Sprintf("  server RSS max %.1f MiB", float64(r.rssMax)/1024)
	}
	if r.n > 0 && r.serverCPU > 0 {
		s += fmt.Sprintf("  server CPU %s/req", (r.serverCPU / time.Duration(r.n)).Round(time.Microsecond))
	}
	if r.n > 0 && r.clientCPU > 0 {
		s += fmt.Sprintf("  loadgen CPU %s/req", (r.clientCPU / time.Duration(r.n)).Round(time.Microsecond))
	}
	if r.revokedKnown {
		s += fmt.Sprintf("  families revoked as replays %d", r.revoked)
	}
	if r.machine.total > 0 {
		s += fmt.Sprintf("  machine busy %.0f%% steal %.0f%%", 100*float64(r.machine.busy)/float64(r.machine.total),
			100*float64(r.machine.steal)/float64(r.machine.total))
	}
	if r.firstErr != nil {
		s += fmt.Sprintf("  (first error: %v)", r.firstErr)
	}
	return s
}

// drive runs step in vus goroutines for d and gathers the results.
func drive(ctx context.Context, vus int, d time.Duration, pids []int, step func(context.Context, *user) error, users []*user) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	stopRSS := make(chan struct{})
	rssDone := make(chan int64)
	go func() { rssDone <- sampleRSS(pids, stopRSS) }()
	server0, client0 := processCPU(pids...), processCPU(os.Getpid())
	machine0, machineOK := machineCPU()
	start := time.Now()
	for i := 0; i < vus; i++ {
		var u *user
		if i < len(users) {
			u = users[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			n, errs := 0, 0
			var first error
			for ctx.Err() == nil {
				t := time.Now()
				err := step(ctx, u)
				if ctx.Err() != nil {
					break // cut off by the deadline: not counted
				}
				lat = append(lat, time.Since(t))
				n++
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
			}
			mu.Lock()
			all.n += n
			all.errs += errs
			all.lat = append(all.lat, lat...)
			if all.firstErr == nil {
				all.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.took = time.Since(start)
	if server0 > 0 {
		all.serverCPU = processCPU(pids...) - server0
	}
	all.clientCPU = processCPU(os.Getpid()) - client0
	if machine1, ok := machineCPU(); ok && machineOK {
		all.machine = machine1.sub(machine0)
	}
	close(stopRSS)
	all.rssMax = <-rssDone
	return all
}

// parsePIDs reads the -pid list: empty, or process ids separated by commas.
func parsePIDs(list string) ([]int, error) {
	if list == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-pid %q: want process ids separated by commas", list)
		}
		out = append(out, n)
	}
	return out, nil
}

// processCPU answers the user and system CPU time the processes have used
// together, from /proc/<pid>/stat (Linux, 100 clock ticks per second), or
// 0 when one of them cannot be read.
func processCPU(pids ...int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		d := processCPU1(pid)
		if d == 0 {
			return 0
		}
		sum += d
	}
	return sum
}

func processCPU1(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// cpuTimes are the machine's CPU times, all CPUs together, in clock
// ticks: busy (user, nice, system, irq, softirq), steal, and the total
// including idle and iowait.
type cpuTimes struct{ busy, steal, total int64 }

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{busy: a.busy - b.busy, steal: a.steal - b.steal, total: a.total - b.total}
}

// machineCPU reads the machine's CPU times from /proc/stat (Linux).
func machineCPU() (cpuTimes, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, false
	}
	return parseProcStat(string(b))
}

// parseProcStat reads the "cpu" line of /proc/stat: user nice system idle
// iowait irq softirq steal (guest time is inside user already).
func parseProcStat(stat string) (cpuTimes, bool) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, false
	}
	var v [8]int64
	for i := range v {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil || n < 0 {
			return cpuTimes{}, false
		}
		v[i] = n
	}
	user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	busy := user + nice + system + irq + softirq
	return cpuTimes{busy: busy, steal: steal, total: busy + idle + iowait + steal}, true
}

// sampleRSS reads VmRSS of the processes every 50 ms until stop; it
// answers the largest sum seen.
func sampleRSS(pids []int, stop <-chan struct{}) int64 {
	if len(pids) == 0 {
		<-stop
		return 0
	}
	var peak int64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		var sum int64
		for _, pid := range pids {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					sum += kb
				}
			}
		}
		peak = max(peak, sum)
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

// ceiling serves the bare handler the workloads are compared with: the
// same machine, net/http and a small JSON answer, nothing else.
func ceiling(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"0123456789abcdef0123456789abcdef","name":"Alice Example","email":"alice@example.com"}`)
	})}
	fmt.Fprintf(stdout, "ceiling listening on http://%s\n", ln.Addr())
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
