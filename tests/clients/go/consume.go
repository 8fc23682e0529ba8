package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// poller runs a direct (group-less) consumer's poll loop for the scenario commands: it hands
// every record to a callback, counts fetch errors, and gives up at a deadline or when the
// fetch session error count passes --max-session-errors.
type poller struct {
	c           *common
	cl          *kgo.Client
	fetchErrors map[string]int64 // error name -> count
	onError     func(topic string, partition int32, err error)
}

func newPoller(c *common, cl *kgo.Client) *poller {
	return &poller{c: c, cl: cl, fetchErrors: map[string]int64{}}
}

// until polls until done() holds; it returns an error naming the phase on timeout.
func (p *poller) until(phase string, timeout time.Duration, done func() bool,
	onRecord func(*kgo.Record)) error {
	deadline := time.Now().Add(timeout)
	for !done() {
		if err := p.c.sessionLoop(); err != nil {
			return fmt.Errorf("%s_%v", phase, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%s_timeout", phase)
		}
		if left > 500*time.Millisecond {
			left = 500 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(context.Background(), left)
		fetches := p.cl.PollRecords(ctx, 10000)
		cancel()
		if fetches.IsClientClosed() {
			return fmt.Errorf("%s_client_closed", phase)
		}
		fetches.EachError(func(t string, part int32, err error) {
			if isPollInterrupt(err) {
				return
			}
			p.fetchErrors[errName(err)]++
			if p.onError != nil {
				p.onError(t, part, err)
			}
		})
		fetches.EachRecord(onRecord)
	}
	return nil
}

func (p *poller) fields(r *result) {
	var names []string
	for n, k := range p.fetchErrors {
		names = append(names, n+":"+strconv.FormatInt(k, 10))
	}
	sort.Strings(names)
	if len(names) == 0 {
		names = []string{"-"}
	}
	r.add("fetch_errors", strings.Join(names, ","))
	p.c.stats.fields(r)
}

// consume: reads a topic from the start without a group (franz-go direct consuming) until
// --count records arrived and verifies each one byte for byte and in order. Prints
// "consumed=N bad=0 producer_ids=I ... ok".
func cmdConsume(args []string) int {
	c := newCommon("consume")
	topic := c.fs.String("topic", "", "topic name")
	count := c.fs.Int64("count", 0, "records expected")
	valueSize := c.fs.Int("value-size", defaultValueSize, "value bytes per record")
	timeoutMs := c.fs.Int64("timeout-ms", 60000, "deadline for all records")
	c.parse(args)
	c.require("topic", *topic)

	var r result
	cl, err := kgo.NewClient(append(c.clientOpts(),
		kgo.ConsumeTopics(*topic),
		kgo.ConsumeStartOffset(kgo.NewOffset().AtStart()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500*time.Millisecond),
	)...)
	if err != nil {
		return r.finish(err)
	}
	defer closeWithin(cl, 10*time.Second, false)

	v := newVerifier(*valueSize)
	pids := map[int64]bool{}
	pl := newPoller(c, cl)
	began := time.Now()
	err = pl.until("consume", time.Duration(*timeoutMs)*time.Millisecond,
		func() bool { return v.total >= *count },
		func(rec *kgo.Record) {
			v.check(rec.Partition, rec.Offset, rec.Key, rec.Value)
			pids[rec.ProducerID] = true
		})
	r.add("consumed", v.total)
	r.add("bad", v.bad)
	if v.firstBad != "" {
		r.add("first_bad", v.firstBad)
	}
	var ids []string
	for id := range pids {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	sort.Strings(ids)
	r.add("producer_ids", strings.Join(ids, ","))
	r.add("elapsed_ms", time.Since(began).Milliseconds())
	pl.fields(&r)
	if err == nil && v.bad > 0 {
		err = errors.New("bad_records")
	}
	if err == nil && v.total != *count {
		err = fmt.Errorf("consumed_%d_of_%d", v.total, *count)
	}
	return r.finish(err)
}
