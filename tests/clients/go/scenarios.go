package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func notifyTerm(ch chan os.Signal) {
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
}

// readd-topic: a direct consumer of two topics (each holding --count records of one produce
// run) removes one from consuming and adds it back:
//
//  1. consume both topics completely;
//  2. PurgeTopicsFromConsuming(topic); produce --more records to --other; they must arrive, and
//     nothing more of the purged topic;
//  3. AddConsumeTopics(topic); the topic is consumed again from its start.
//
// Purging stops franz-go's consumer session, which resets the fetch session of every broker:
// the next Fetch carries the old session id with epoch 0 (a full fetch that replaces the
// session). Prints "phase=done consumed_topic=N consumed_other=N readded=N stray=0 ... ok".
func cmdReaddTopic(args []string) int {
	c := newCommon("readd-topic")
	topic := c.fs.String("topic", "", "the topic that is removed and added back")
	other := c.fs.String("other", "", "a topic consumed throughout")
	partitions := c.fs.Int("partitions", 2, "partitions of each topic")
	count := c.fs.Int64("count", 0, "records already in each topic")
	more := c.fs.Int64("more", 100, "records produced to --other while --topic is removed")
	valueSize := c.fs.Int("value-size", defaultValueSize, "value bytes per record")
	phaseMs := c.fs.Int64("phase-timeout-ms", 30000, "deadline of each phase")
	c.parse(args)
	c.require("topic", *topic)
	c.require("other", *other)

	var r result
	cl, err := kgo.NewClient(append(c.clientOpts(),
		kgo.ConsumeTopics(*topic, *other),
		kgo.ConsumeStartOffset(kgo.NewOffset().AtStart()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500*time.Millisecond),
	)...)
	if err != nil {
		return r.finish(err)
	}
	defer closeWithin(cl, 10*time.Second, false)
	prod, err := kgo.NewClient(append(c.clientOpts(),
		kgo.DefaultProduceTopic(*other),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	)...)
	if err != nil {
		return r.finish(err)
	}
	defer closeWithin(prod, 10*time.Second, false)

	phaseTimeout := time.Duration(*phaseMs) * time.Millisecond
	vt, vo, vr := newVerifier(*valueSize), newVerifier(*valueSize), newVerifier(*valueSize)
	var stray int64
	readding := false
	onRecord := func(rec *kgo.Record) {
		switch {
		case rec.Topic == *other:
			vo.check(rec.Partition, rec.Offset, rec.Key, rec.Value)
		case readding:
			vr.check(rec.Partition, rec.Offset, rec.Key, rec.Value)
		case vt.total < *count:
			vt.check(rec.Partition, rec.Offset, rec.Key, rec.Value)
		default:
			stray++ // the purged topic while it is not consumed
		}
	}
	pl := newPoller(c, cl)
	phase := "consume"
	began := time.Now()
	err = pl.until(phase, phaseTimeout, func() bool { return vt.total >= *count && vo.total >= *count }, onRecord)
	if err == nil {
		phase = "purged"
		cl.PurgeTopicsFromConsuming(*topic)
		err = produceMore(prod, *other, *count, *more, *partitions, *valueSize, phaseTimeout)
	}
	if err == nil {
		err = pl.until(phase, phaseTimeout, func() bool { return vo.total >= *count+*more }, onRecord)
	}
	if err == nil {
		// Anything of the purged topic still buffered would have arrived by now.
		_ = pl.until(phase, 300*time.Millisecond, func() bool { return false }, onRecord)
		phase = "readded"
		readding = true
		cl.AddConsumeTopics(*topic)
		err = pl.until(phase, phaseTimeout, func() bool { return vr.total >= *count }, onRecord)
	}
	if err == nil {
		phase = "done"
	}
	r.add("phase", phase)
	r.add("consumed_topic", vt.total)
	r.add("consumed_other", vo.total)
	r.add("readded", vr.total)
	r.add("stray", stray)
	bad := vt.bad + vo.bad + vr.bad
	r.add("bad", bad)
	for _, v := range []*verifier{vt, vo, vr} {
		if v.firstBad != "" {
			r.add("first_bad", v.firstBad)
			break
		}
	}
	r.add("elapsed_ms", time.Since(began).Milliseconds())
	pl.fields(&r)
	switch {
	case err != nil:
	case bad > 0:
		err = errors.New("bad_records")
	case stray > 0:
		err = errors.New("purged_topic_still_consumed")
	}
	return r.finish(err)
}

// produceMore sends records start .. start+n-1 of the payload scheme and waits for their acks.
func produceMore(cl *kgo.Client, topic string, start, n int64, partitions, valueSize int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var recs []*kgo.Record
	for i := start; i < start+n; i++ {
		p, seq := placement(i, partitions)
		recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Key: payloadKey(p, seq),
			Value: payloadValue(p, seq, valueSize)})
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

// seek-after-error: a direct consumer of the two partitions of a topic (--count records of one
// produce run) with ConsumeResetOffset(NoResetOffset()):
//
//  1. partition 0 from its start, partition 1 at an offset past its end: partition 0 is
//     consumed completely and partition 1 fails with OFFSET_OUT_OF_RANGE;
//  2. SetOffsets moves partition 1 to offset 0 (the seek after the error); it is consumed
//     completely;
//  3. SetOffsets moves partition 0 back to the middle; it is consumed again from there.
//
// Each SetOffsets stops franz-go's consumer session and resets the broker's fetch session
// (old session id, epoch 0). Prints "phase=done p0=N p1=N reread=N oor_errors=N ... ok".
func cmdSeekAfterError(args []string) int {
	c := newCommon("seek-after-error")
	topic := c.fs.String("topic", "", "topic with 2 partitions")
	count := c.fs.Int64("count", 0, "records in the topic (record i: partition i % 2, seq i / 2)")
	valueSize := c.fs.Int("value-size", defaultValueSize, "value bytes per record")
	phaseMs := c.fs.Int64("phase-timeout-ms", 30000, "deadline of each phase")
	c.parse(args)
	c.require("topic", *topic)
	if *count < 4 || *count%2 != 0 {
		usage("seek-after-error: --count must be even and >= 4")
	}
	perPart := *count / 2
	past := perPart * 1000

	var r result
	cl, err := kgo.NewClient(append(c.clientOpts(),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{*topic: {
			0: kgo.NewOffset().At(0),
			1: kgo.NewOffset().At(past),
		}}),
		kgo.ConsumeResetOffset(kgo.NoResetOffset()),
		kgo.FetchMaxWait(500*time.Millisecond),
	)...)
	if err != nil {
		return r.finish(err)
	}
	defer closeWithin(cl, 10*time.Second, false)

	phaseTimeout := time.Duration(*phaseMs) * time.Millisecond
	v := newVerifier(*valueSize)
	var oor, otherErrors int64
	var reread int64
	rereadFrom := perPart / 2
	phase := "error"
	pl := newPoller(c, cl)
	pl.onError = func(_ string, p int32, err error) {
		if p == 1 && errors.Is(err, kerr.OffsetOutOfRange) {
			oor++
		} else {
			otherErrors++
		}
	}
	onRecord := func(rec *kgo.Record) {
		if phase == "reread" && rec.Partition == 0 {
			if problem := checkExact(0, rec.Offset, rec.Key, rec.Value, *valueSize); problem != "" ||
				rec.Offset != rereadFrom+reread {
				v.bad++
				if v.firstBad == "" {
					v.firstBad = fmt.Sprintf("reread_p0@%d_expected_%d", rec.Offset, rereadFrom+reread)
				}
			}
			reread++
			return
		}
		v.check(rec.Partition, rec.Offset, rec.Key, rec.Value)
	}
	began := time.Now()
	err = pl.until(phase, phaseTimeout, func() bool { return v.nextSeq[0] >= perPart && oor > 0 }, onRecord)
	if err == nil {
		phase = "seek"
		cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{*topic: {1: {Epoch: -1, Offset: 0}}})
		err = pl.until(phase, phaseTimeout, func() bool { return v.nextSeq[1] >= perPart }, onRecord)
	}
	if err == nil {
		phase = "reread"
		cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{*topic: {0: {Epoch: -1, Offset: rereadFrom}}})
		err = pl.until(phase, phaseTimeout, func() bool { return rereadFrom+reread >= perPart }, onRecord)
	}
	if err == nil {
		phase = "done"
	}
	r.add("phase", phase)
	r.add("p0", v.nextSeq[0])
	r.add("p1", v.nextSeq[1])
	r.add("reread", reread)
	r.add("oor_errors", oor)
	r.add("other_errors", otherErrors)
	r.add("bad", v.bad)
	if v.firstBad != "" {
		r.add("first_bad", v.firstBad)
	}
	r.add("elapsed_ms", time.Since(began).Milliseconds())
	pl.fields(&r)
	switch {
	case err != nil:
	case v.bad > 0:
		err = errors.New("bad_records")
	case v.nextSeq[0] != perPart || v.nextSeq[1] != perPart || rereadFrom+reread != perPart:
		err = errors.New("record_counts")
	}
	return r.finish(err)
}
