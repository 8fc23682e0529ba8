package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// produce: records start .. start+count-1 of the payload scheme, idempotent (franz-go's
// default, asserted through the producer id) with acks=all, optionally paced to --rate records
// per second; with --watch-stdin=true it stops early when told to. Prints "status acked=N" about
// once a second and finally "sent=N acked=N failed=N producer_id=I producer_epoch=E ok".
func cmdProduce(args []string) int {
	c := newCommon("produce")
	topic := c.fs.String("topic", "", "topic name")
	count := c.fs.Int64("count", 1000, "records to send")
	start := c.fs.Int64("start", 0, "index of the first record (record i: partition i % P, seq i / P)")
	partitions := c.fs.Int("partitions", 1, "partitions of the topic")
	valueSize := c.fs.Int("value-size", defaultValueSize, "value bytes per record")
	rate := c.fs.Float64("rate", 0, "records per second; 0 = as fast as possible")
	timeoutMs := c.fs.Int64("timeout-ms", 120000, "overall deadline")
	watchStdin := c.fs.Bool("watch-stdin", false,
		"stop sending when stdin says \"close\" or ends (then sent=N < --count is fine)")
	c.parse(args)
	c.require("topic", *topic)

	var r result
	opts := append(c.clientOpts(),
		kgo.DefaultProduceTopic(*topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence stays on (franz-go's default)
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordDeliveryTimeout(60*time.Second),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return r.finish(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*timeoutMs)*time.Millisecond)
	defer cancel()

	var acked, failed atomic.Int64
	var firstErr error
	var errMu sync.Mutex
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				say(fmt.Sprintf("status acked=%d failed=%d", acked.Load(), failed.Load()))
			}
		}
	}()

	var stopping atomic.Bool
	if *watchStdin {
		go func() {
			in := bufio.NewScanner(os.Stdin)
			for in.Scan() {
				if strings.TrimSpace(in.Text()) == "close" {
					break
				}
			}
			stopping.Store(true)
		}()
	}

	began := time.Now()
	var sent int64
	for ; sent < *count && ctx.Err() == nil && !stopping.Load(); sent++ {
		n := sent
		if *rate > 0 && n%10 == 0 {
			due := began.Add(time.Duration(float64(n) / *rate * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
		}
		i := *start + n
		p, seq := placement(i, *partitions)
		rec := &kgo.Record{
			Partition: p,
			Key:       payloadKey(p, seq),
			Value:     payloadValue(p, seq, *valueSize),
			Headers:   []kgo.RecordHeader{{Key: "seq", Value: []byte(strconv.FormatInt(seq, 10))}},
		}
		cl.Produce(ctx, rec, func(_ *kgo.Record, err error) {
			if err == nil {
				acked.Add(1)
				return
			}
			failed.Add(1)
			errMu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			errMu.Unlock()
		})
	}
	ferr := cl.Flush(ctx)
	close(stop)
	r.add("sent", sent)
	r.add("acked", acked.Load())
	r.add("failed", failed.Load())
	pid, epoch, perr := cl.ProducerID(ctx)
	if perr == nil {
		r.add("producer_id", pid)
		r.add("producer_epoch", epoch)
	}
	r.add("elapsed_ms", time.Since(began).Milliseconds())
	c.stats.fields(&r)
	switch {
	case firstErr != nil:
		return r.finish(firstErr)
	case ferr != nil:
		return r.finish(ferr)
	case acked.Load() != sent || (!stopping.Load() && sent != *count):
		return r.finish(fmt.Errorf("acked_%d_of_%d", acked.Load(), *count))
	case perr != nil:
		return r.finish(perr)
	case pid < 0:
		return r.finish(fmt.Errorf("not_idempotent"))
	}
	return r.finish(nil)
}
