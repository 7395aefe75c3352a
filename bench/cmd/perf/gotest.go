package main

import (
	"bufio"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// goBench is one benchmark over its runs (go test -count).
type goBench struct {
	nsPerOp     []float64
	allocsPerOp []float64
	bytesPerOp  []float64
	metrics     map[string][]float64 // custom units (frame-bytes, …)
}

func (b *goBench) median() time.Duration {
	return time.Duration(medianFloat(b.nsPerOp))
}

func (b *goBench) allocs() float64 { return medianFloat(b.allocsPerOp) }
func (b *goBench) bytes() float64  { return medianFloat(b.bytesPerOp) }
func (b *goBench) metric(unit string) float64 {
	return medianFloat(b.metrics[unit])
}

func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// readGoBench reads `go test -bench` output files: name (without the
// -GOMAXPROCS suffix and package) → runs.
func readGoBench(paths ...string) (map[string]*goBench, error) {
	out := map[string]*goBench{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		parseGoBench(f, out)
		f.Close()
	}
	return out, nil
}

func parseGoBench(r io.Reader, out map[string]*goBench) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		b := out[name]
		if b == nil {
			b = &goBench{metrics: map[string][]float64{}}
			out[name] = b
		}
		// fields[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			switch unit := fields[i+1]; unit {
			case "ns/op":
				b.nsPerOp = append(b.nsPerOp, v)
			case "allocs/op":
				b.allocsPerOp = append(b.allocsPerOp, v)
			case "B/op":
				b.bytesPerOp = append(b.bytesPerOp, v)
			default:
				b.metrics[unit] = append(b.metrics[unit], v)
			}
		}
	}
}
