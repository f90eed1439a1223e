package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// targets are the numbers a run is held to (-targets), printed as a
// verdict beside each workload. They report; they fail nothing.
//
//	me=8000            at least 8,000 req/s for the workload "me"
//	me-ratio=0.6       at least 0.6× the ceiling
//	popup-p50=15ms     p50 at most 15 ms
//	rss=40             server RSS at most 40 MiB, every workload
//
// A workload held to any of them is also held to zero errors and, when
// the server's /metrics could be read, to zero families revoked as
// replays.
type targets struct {
	rate   map[string]float64
	ratio  map[string]float64
	p50    map[string]time.Duration
	rssMiB float64
}

func parseTargets(spec string) (targets, error) {
	t := targets{rate: map[string]float64{}, ratio: map[string]float64{}, p50: map[string]time.Duration{}}
	if strings.TrimSpace(spec) == "" {
		return t, nil
	}
	for _, entry := range strings.Split(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok || name == "" || value == "" {
			return t, fmt.Errorf("-targets: %q is not name=value", entry)
		}
		workload, kind, _ := strings.Cut(name, "-")
		if name != "rss" && !slices.Contains(workloads, workload) {
			return t, fmt.Errorf("-targets: %q names no workload (%s) nor rss", name, strings.Join(workloads, ", "))
		}
		switch kind {
		case "p50":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return t, fmt.Errorf("-targets: %s=%q: want a duration such as 15ms", name, value)
			}
			t.p50[workload] = d
			continue
		case "", "ratio":
		default:
			return t, fmt.Errorf("-targets: %q: want <workload>, <workload>-ratio, <workload>-p50 or rss", name)
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || f <= 0 {
			return t, fmt.Errorf("-targets: %s=%q: want a positive number", name, value)
		}
		switch {
		case name == "rss":
			t.rssMiB = f
		case kind == "ratio":
			t.ratio[workload] = f
		default:
			t.rate[workload] = f
		}
	}
	return t, nil
}

// verdict holds one workload's result to the targets: "" when none apply,
// else "targets met" or "targets short: " and what fell short. ceil is
// the ceiling's rate, 0 when it was not measured.
func (t targets) verdict(name string, r result, ceil float64) (string, bool) {
	var short []string
	checked := false
	if want, ok := t.rate[name]; ok {
		checked = true
		if got := r.rate(); got < want {
			short = append(short, fmt.Sprintf("%.0f < %.0f req/s", got, want))
		}
	}
	if want, ok := t.ratio[name]; ok && ceil > 0 {
		checked = true
		if got := r.rate() / ceil; got < want {
			short = append(short, fmt.Sprintf("%.2f× < %.2f× ceiling", got, want))
		}
	}
	if want, ok := t.p50[name]; ok {
		checked = true
		lat := slices.Clone(r.lat)
		slices.Sort(lat)
		if got := pct(lat, 50); got > want || len(lat) == 0 {
			short = append(short, fmt.Sprintf("p50 %s > %s", got.Round(10*time.Microsecond), want))
		}
	}
	if t.rssMiB > 0 && r.rssMax > 0 {
		checked = true
		if got := float64(r.rssMax) / 1024; got > t.rssMiB {
			short = append(short, fmt.Sprintf("RSS %.1f > %.0f MiB", got, t.rssMiB))
		}
	}
	if !checked {
		return "", true
	}
	if r.errs > 0 {
		short = append(short, fmt.Sprintf("%d errors", r.errs))
	}
	// No virtual user ever presents a token twice: any family the server
	// ended as a replay was ended wrongly.
	if r.revokedKnown && r.revoked > 0 {
		short = append(short, fmt.Sprintf("%d families wrongly revoked", r.revoked))
	}
	if len(short) > 0 {
		return "targets short: " + strings.Join(short, ", "), false
	}
	return "targets met", true
}
