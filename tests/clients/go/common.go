package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// common holds the flags every subcommand takes.
type common struct {
	fs               *flag.FlagSet
	bootstrap        *string
	clientID         *string
	verbose          *bool
	maxSessionErrors *int64
	stats            *stats
}

func newCommon(name string) *common {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := &common{fs: fs, stats: &stats{}}
	c.bootstrap = fs.String("bootstrap", "", "host:port of a broker")
	c.clientID = fs.String("client-id", "runnel-go-client", "client.id sent to the broker")
	c.verbose = fs.Bool("verbose", false, "print franz-go's info and debug log on stderr")
	c.maxSessionErrors = fs.Int64("max-session-errors", 0,
		"give up (error=fetch_session_loop) once this many fetch session errors were seen; 0 = never")
	return c
}

func (c *common) parse(args []string) {
	if err := c.fs.Parse(args); err != nil {
		os.Exit(2)
	}
	if *c.bootstrap == "" {
		usage(c.fs.Name() + ": --bootstrap is required")
	}
	if c.fs.NArg() > 0 {
		usage(c.fs.Name() + ": unexpected argument " + c.fs.Arg(0))
	}
}

func (c *common) require(name, value string) {
	if value == "" {
		usage(c.fs.Name() + ": --" + name + " is required")
	}
}

// clientOpts are the options every client of this tool uses.
func (c *common) clientOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.SeedBrokers(strings.Split(*c.bootstrap, ",")...),
		kgo.ClientID(*c.clientID),
		kgo.WithHooks(c.stats),
		kgo.WithLogger(&logger{stats: c.stats, verbose: *c.verbose}),
		kgo.RetryTimeout(60 * time.Second),
	}
}

// sessionLoop is non-nil once more fetch session errors were seen than --max-session-errors.
func (c *common) sessionLoop() error {
	if *c.maxSessionErrors > 0 && c.stats.sessionErrors() > *c.maxSessionErrors {
		return fmt.Errorf("fetch_session_loop")
	}
	return nil
}

// stats counts requests by API (a kgo.HookBrokerWrite) and fetch session errors (from the log).
type stats struct {
	fetches            atomic.Int64 // Fetch requests written
	joins              atomic.Int64 // JoinGroup requests written (classic protocol)
	heartbeats848      atomic.Int64 // ConsumerGroupHeartbeat requests written (KIP-848)
	sessionEpochErrors atomic.Int64 // Fetch answered INVALID_FETCH_SESSION_EPOCH
	sessionNotFound    atomic.Int64 // Fetch answered FETCH_SESSION_ID_NOT_FOUND
}

func (s *stats) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		return
	}
	switch key {
	case 1:
		s.fetches.Add(1)
	case 11:
		s.joins.Add(1)
	case 68:
		s.heartbeats848.Add(1)
	}
}

func (s *stats) sessionErrors() int64 {
	return s.sessionEpochErrors.Load() + s.sessionNotFound.Load()
}

// protocol is the group protocol the client really spoke: franz-go falls back to the classic
// protocol silently when KIP-848 is not available.
func (s *stats) protocol() string {
	switch {
	case s.heartbeats848.Load() > 0:
		return "consumer"
	case s.joins.Load() > 0:
		return "classic"
	}
	return "none"
}

func (s *stats) fields(r *result) {
	r.add("fetches", s.fetches.Load())
	r.add("session_errors", s.sessionErrors())
	r.add("session_epoch_errors", s.sessionEpochErrors.Load())
	r.add("session_not_found", s.sessionNotFound.Load())
}

// logger counts franz-go's fetch session messages and prints warnings (everything with
// --verbose) on stderr. The messages are those of pkg/kgo/source.go in the pinned version:
// "resetting fetch session" follows INVALID_FETCH_SESSION_EPOCH, the two SessionIDNotFound
// messages follow FETCH_SESSION_ID_NOT_FOUND.
type logger struct {
	stats   *stats
	verbose bool
	mu      sync.Mutex
	printed int
}

func (l *logger) Level() kgo.LogLevel {
	if l.verbose {
		return kgo.LogLevelDebug
	}
	return kgo.LogLevelInfo
}

func (l *logger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	switch {
	case msg == "resetting fetch session":
		l.stats.sessionEpochErrors.Add(1)
	case strings.Contains(msg, "SessionIDNotFound"):
		l.stats.sessionNotFound.Add(1)
	}
	if level > kgo.LogLevelWarn && !l.verbose {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.printed++
	if l.printed > 2000 && !l.verbose {
		return // a hot loop must not flood the test's captured stderr
	}
	fmt.Fprintf(os.Stderr, "%s [%s] %s %v\n", time.Now().Format("15:04:05.000"), level, msg, keyvals)
}

// result is the final "key=value ..." line.
type result struct {
	parts []string
}

func (r *result) add(key string, value any) {
	s := fmt.Sprint(value)
	s = strings.Join(strings.Fields(s), "_")
	if s == "" {
		s = "-"
	}
	r.parts = append(r.parts, key+"="+s)
}

// finish prints the line with "ok" or "error=..." and returns the exit code.
func (r *result) finish(err error) int {
	if err == nil {
		r.parts = append(r.parts, "ok")
	} else {
		r.add("error", errName(err))
	}
	say(strings.Join(r.parts, " "))
	if err != nil {
		return 1
	}
	return 0
}

// errName is a short name for an error: the Kafka error name for broker errors.
func errName(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}

var stdoutMu sync.Mutex

// say prints one line on stdout at once (lines of concurrent goroutines never interleave).
func say(line string) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Fprintln(os.Stdout, line)
}

// partitionList formats partitions as "0,1,2" ("-" when empty).
func partitionList(ps map[int32]bool) string {
	var out []int
	for p, in := range ps {
		if in {
			out = append(out, int(p))
		}
	}
	if len(out) == 0 {
		return "-"
	}
	sort.Ints(out)
	s := make([]string, len(out))
	for i, p := range out {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

// offsetList formats a partition -> offset map as "0:12,1:13".
func offsetList(m map[int32]int64) string {
	var ps []int
	for p := range m {
		ps = append(ps, int(p))
	}
	if len(ps) == 0 {
		return "-"
	}
	sort.Ints(ps)
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%d:%d", p, m[int32(p)])
	}
	return strings.Join(s, ",")
}

// isPollInterrupt says whether a fetch error only reports the poll's own context ending.
func isPollInterrupt(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// closeWithin closes a client, giving up after d (a broker stuck in a loop must not hang the
// tool). It reports whether the close completed.
func closeWithin(cl *kgo.Client, d time.Duration, allowRebalance bool) bool {
	done := make(chan struct{})
	go func() {
		if allowRebalance {
			cl.CloseAllowingRebalance()
		} else {
			cl.Close()
		}
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
