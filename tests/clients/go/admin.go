package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// create-topic: CreateTopics through kadm, then waits until metadata shows every partition with
// a leader (Kafka may answer CreateTopics before that). Prints "created ... ok" or
// "error=<KAFKA_ERROR_NAME>" (e.g. TOPIC_ALREADY_EXISTS).
func cmdCreateTopic(args []string) int {
	c := newCommon("create-topic")
	topic := c.fs.String("topic", "", "topic name")
	partitions := c.fs.Int("partitions", 1, "partition count")
	replication := c.fs.Int("replication", 1, "replication factor")
	timeoutMs := c.fs.Int("timeout-ms", 30000, "overall deadline")
	c.parse(args)
	c.require("topic", *topic)

	var r result
	cl, err := kgo.NewClient(c.clientOpts()...)
	if err != nil {
		return r.finish(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*timeoutMs)*time.Millisecond)
	defer cancel()

	resp, err := adm.CreateTopic(ctx, int32(*partitions), int16(*replication), nil, *topic)
	if err != nil {
		return r.finish(err)
	}
	r.add("created", resp.Topic)
	r.add("topic_id", fmt.Sprintf("%x", [16]byte(resp.ID)))
	for {
		md, err := adm.Metadata(ctx, *topic)
		if err == nil {
			if td, ok := md.Topics[*topic]; ok && td.Err == nil && len(td.Partitions) == *partitions {
				ready := true
				for _, pd := range td.Partitions {
					ready = ready && pd.Err == nil && pd.Leader >= 0
				}
				if ready {
					return r.finish(nil)
				}
			}
		}
		select {
		case <-ctx.Done():
			return r.finish(fmt.Errorf("topic_not_ready"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// group-offsets: the group's committed offsets for one topic (OffsetFetch through kadm), as
// "committed=0:12,1:13" (partitions without a commit are left out).
func cmdGroupOffsets(args []string) int {
	c := newCommon("group-offsets")
	group := c.fs.String("group", "", "consumer group id")
	topic := c.fs.String("topic", "", "topic name")
	c.parse(args)
	c.require("group", *group)
	c.require("topic", *topic)

	var r result
	cl, err := kgo.NewClient(c.clientOpts()...)
	if err != nil {
		return r.finish(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resps, err := kadm.NewClient(cl).FetchOffsetsForTopics(ctx, *group, *topic)
	if err != nil {
		return r.finish(err)
	}
	if err := resps.Error(); err != nil {
		return r.finish(err)
	}
	committed := map[int32]int64{}
	for p, o := range resps[*topic] {
		if o.At >= 0 {
			committed[p] = o.At
		}
	}
	r.add("committed", offsetList(committed))
	return r.finish(nil)
}
