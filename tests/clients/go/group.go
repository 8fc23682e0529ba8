package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// group-member: one consumer group member. It subscribes to a topic, polls with
// BlockRebalanceOnPoll, verifies every record (offset = seq: the topic must hold one produce
// run), writes it to --record-log, and commits what it processed (CommitRecords) before it lets
// a rebalance happen, so a partition that moves continues exactly where this member stopped.
//
// It stops after --max-records records (committing exactly those), after --idle-ms without a
// record (once it has consumed something), at --timeout-ms, when stdin says "close" or ends
// (--watch-stdin=true), or on SIGTERM; then it closes the client, which leaves the group.
// SIGKILL leaves without a LeaveGroup: the coordinator must expire the member.
//
// stdout: "assigned=0,1,2" after every assignment change, "status consumed=N assigned=0,1,2
// changes=N since_change=N ..." every --status-ms (changes counts the assignment changes,
// since_change the records processed since the last one), and the final result line:
//
//	consumed=N bad=0 committed=0:12,1:40 protocol=classic|consumer rebalances=N joins=N
//	heartbeats848=N commit_errors=N fetches=N session_errors=N ... ok
//
// --record-log lines, written (and flushed) before each commit:
//
//	a <partitions|->        the assignment after a change
//	r <partition> <offset>  a processed record
func cmdGroupMember(args []string) int {
	c := newCommon("group-member")
	topic := c.fs.String("topic", "", "topic to subscribe to")
	group := c.fs.String("group", "", "consumer group id")
	balancer := c.fs.String("balancer", "cooperative-sticky",
		"range|roundrobin|sticky (eager), cooperative-sticky; with --group-protocol=consumer: range|sticky "+
			"(server-side range|uniform)")
	protocol := c.fs.String("group-protocol", "classic",
		"classic (JoinGroup/SyncGroup) or consumer (KIP-848)")
	maxRecords := c.fs.Int64("max-records", 0, "stop after this many records; 0 = no limit")
	idleMs := c.fs.Int64("idle-ms", 0,
		"stop after this long without a record, once one arrived; 0 = never")
	timeoutMs := c.fs.Int64("timeout-ms", 0,
		"stop after this long; 0 = never (error=timeout if --max-records was not reached)")
	recordLog := c.fs.String("record-log", "",
		"file to append assignment changes and processed records to")
	valueSize := c.fs.Int("value-size", defaultValueSize, "value bytes per record")
	sessionMs := c.fs.Int("session-timeout-ms", 6000, "session.timeout.ms")
	heartbeatMs := c.fs.Int("heartbeat-ms", 500, "heartbeat.interval.ms")
	rebalanceMs := c.fs.Int("rebalance-timeout-ms", 30000, "rebalance.timeout.ms")
	statusMs := c.fs.Int("status-ms", 1000, "interval of the status lines")
	watchStdin := c.fs.Bool("watch-stdin", false, "close when stdin says \"close\" or ends")
	c.parse(args)
	c.require("topic", *topic)
	c.require("group", *group)

	var bal kgo.GroupBalancer
	switch *balancer {
	case "range":
		bal = kgo.RangeBalancer()
	case "roundrobin":
		bal = kgo.RoundRobinBalancer()
	case "sticky":
		bal = kgo.StickyBalancer()
	case "cooperative-sticky":
		bal = kgo.CooperativeStickyBalancer()
	default:
		usage("group-member: unknown --balancer " + *balancer)
	}
	switch *protocol {
	case "classic":
	case "consumer":
		if *balancer != "range" && *balancer != "sticky" {
			usage("group-member: --group-protocol=consumer needs --balancer range or sticky")
		}
	default:
		usage("group-member: unknown --group-protocol " + *protocol)
	}

	var r result
	m := &member{valueSize: *valueSize, assigned: map[int32]bool{}, committed: map[int32]int64{},
		last: map[int32]int64{}}
	if *recordLog != "" {
		f, err := os.OpenFile(*recordLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return r.finish(err)
		}
		defer f.Close()
		m.log = bufio.NewWriterSize(f, 1<<16)
	}

	opts := append(c.clientOpts(),
		kgo.ConsumerGroup(*group),
		kgo.ConsumeTopics(*topic),
		kgo.Balancers(bal),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(time.Duration(*sessionMs)*time.Millisecond),
		kgo.HeartbeatInterval(time.Duration(*heartbeatMs)*time.Millisecond),
		kgo.RebalanceTimeout(time.Duration(*rebalanceMs)*time.Millisecond),
		kgo.ConsumeStartOffset(kgo.NewOffset().AtStart()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			m.change(ps[*topic], true)
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			m.change(ps[*topic], false)
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			m.change(ps[*topic], false)
		}),
	)
	if *protocol == "consumer" {
		opts = append(opts, kgo.ServerSideBalancer())
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return r.finish(err)
	}

	var closing atomic.Bool
	if *watchStdin {
		go func() {
			in := bufio.NewScanner(os.Stdin)
			for in.Scan() {
				if strings.TrimSpace(in.Text()) == "close" {
					break
				}
			}
			closing.Store(true)
		}()
	}
	sigterm := make(chan os.Signal, 1)
	notifyTerm(sigterm)
	go func() {
		<-sigterm
		closing.Store(true)
	}()

	began := time.Now()
	lastRecord := began
	nextStatus := began.Add(time.Duration(*statusMs) * time.Millisecond)
	var runErr error
	for !closing.Load() {
		now := time.Now()
		if now.After(nextStatus) {
			m.status(c.stats)
			nextStatus = now.Add(time.Duration(*statusMs) * time.Millisecond)
		}
		if err := c.sessionLoop(); err != nil {
			runErr = err
			break
		}
		if *timeoutMs > 0 && now.Sub(began) > time.Duration(*timeoutMs)*time.Millisecond {
			if *maxRecords > 0 {
				runErr = errors.New("timeout")
			}
			break
		}
		idle := time.Duration(*idleMs) * time.Millisecond
		if *idleMs > 0 && m.consumed.Load() > 0 && now.Sub(lastRecord) > idle {
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fetches := cl.PollRecords(ctx, 5000)
		cancel()
		if fetches.IsClientClosed() {
			runErr = errors.New("client_closed")
			break
		}
		fetches.EachError(func(t string, p int32, err error) {
			if isPollInterrupt(err) {
				return
			}
			m.fetchErrors.Add(1)
			fmt.Fprintf(os.Stderr, "fetch error %s[%d]: %v\n", t, p, err)
		})
		recs := fetches.Records()
		if *maxRecords > 0 {
			if left := *maxRecords - m.consumed.Load(); int64(len(recs)) > left {
				recs = recs[:left]
			}
		}
		if len(recs) > 0 {
			lastRecord = time.Now()
			m.process(recs)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := cl.CommitRecords(ctx, recs...); err != nil {
				m.commitErrors.Add(1)
				fmt.Fprintf(os.Stderr, "commit error: %v\n", err)
			} else {
				m.committedTo(recs)
			}
			cancel()
		}
		cl.AllowRebalance()
		if *maxRecords > 0 && m.consumed.Load() >= *maxRecords {
			break
		}
	}
	closed := closeWithin(cl, 30*time.Second, true)
	m.flush()

	r.add("consumed", m.consumed.Load())
	r.add("bad", m.bad.Load())
	m.mu.Lock()
	if m.firstBad != "" {
		r.add("first_bad", m.firstBad)
	}
	r.add("committed", offsetList(m.committed))
	r.add("rebalances", m.changes)
	m.mu.Unlock()
	r.add("protocol", c.stats.protocol())
	r.add("joins", c.stats.joins.Load())
	r.add("heartbeats848", c.stats.heartbeats848.Load())
	r.add("commit_errors", m.commitErrors.Load())
	r.add("fetch_errors", m.fetchErrors.Load())
	r.add("closed", closed)
	r.add("elapsed_ms", time.Since(began).Milliseconds())
	c.stats.fields(&r)
	if runErr == nil && m.bad.Load() > 0 {
		runErr = errors.New("bad_records")
	}
	return r.finish(runErr)
}

// member is the state of one group member shared by the poll loop and the rebalance callbacks.
type member struct {
	valueSize    int
	consumed     atomic.Int64
	bad          atomic.Int64
	commitErrors atomic.Int64
	fetchErrors  atomic.Int64

	mu        sync.Mutex
	log       *bufio.Writer
	assigned  map[int32]bool
	changes   int             // assignment changes so far
	since     int64           // records processed since the last assignment change
	committed map[int32]int64 // next offset to consume, per partition, as committed
	last      map[int32]int64 // last processed offset per partition within the current assignment
	firstBad  string
}

func (m *member) change(ps []int32, assigned bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range ps {
		m.assigned[p] = assigned
		if !assigned {
			delete(m.last, p)
		}
	}
	m.changes++
	m.since = 0
	list := partitionList(m.assigned)
	if m.log != nil {
		fmt.Fprintf(m.log, "a %s\n", list)
		m.log.Flush()
	}
	say("assigned=" + list)
}

func (m *member) process(recs []*kgo.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rec := range recs {
		problem := checkExact(rec.Partition, rec.Offset, rec.Key, rec.Value, m.valueSize)
		if last, ok := m.last[rec.Partition]; problem == "" && ok && rec.Offset != last+1 {
			problem = fmt.Sprintf("p%d:offset_%d_after_%d_in_one_assignment",
				rec.Partition, rec.Offset, last)
		}
		m.last[rec.Partition] = rec.Offset
		if problem != "" {
			m.bad.Add(1)
			if m.firstBad == "" {
				m.firstBad = problem
			}
		}
		if m.log != nil {
			fmt.Fprintf(m.log, "r %d %d\n", rec.Partition, rec.Offset)
		}
		m.consumed.Add(1)
		m.since++
	}
	if m.log != nil {
		m.log.Flush() // before the commit: a SIGKILL must not lose what was committed
	}
}

func (m *member) committedTo(recs []*kgo.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rec := range recs {
		if rec.Offset+1 > m.committed[rec.Partition] {
			m.committed[rec.Partition] = rec.Offset + 1
		}
	}
}

func (m *member) flush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.log != nil {
		m.log.Flush()
	}
}

func (m *member) status(s *stats) {
	m.mu.Lock()
	list, changes, since := partitionList(m.assigned), m.changes, m.since
	m.mu.Unlock()
	var r result
	r.add("consumed", m.consumed.Load())
	r.add("assigned", list)
	r.add("changes", changes)
	r.add("since_change", since)
	r.add("commit_errors", m.commitErrors.Load())
	r.add("protocol", s.protocol())
	s.fields(&r)
	say("status " + strings.Join(r.parts, " "))
}
