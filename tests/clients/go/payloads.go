package main

import (
	"bytes"
	"fmt"
	"strconv"
)

// Deterministic record contents shared by every client family; mirrors
// tests/integration/itest/payloads.py and tests/java/.../Payloads.java:
//
//	key   = "k<partition>:<seq>"
//	value = "p<partition>:s<seq>:" repeated and cut to exactly valueSize bytes
//
// where seq is the record's position within its partition. A produce run sends record i to
// partition i % P with seq i / P.

const defaultValueSize = 100

func payloadKey(partition int32, seq int64) []byte {
	return []byte("k" + strconv.Itoa(int(partition)) + ":" + strconv.FormatInt(seq, 10))
}

func payloadValue(partition int32, seq int64, size int) []byte {
	unit := []byte("p" + strconv.Itoa(int(partition)) + ":s" + strconv.FormatInt(seq, 10) + ":")
	out := make([]byte, size)
	for i := range out {
		out[i] = unit[i%len(unit)]
	}
	return out
}

func placement(i int64, partitions int) (int32, int64) {
	return int32(i % int64(partitions)), i / int64(partitions)
}

// verifier checks consumed records like payloads.Verifier: per partition seq 0, 1, 2, ... in
// increasing offset order, with exact key and value bytes. It counts bad records instead of
// stopping at the first one and remembers the first problem.
type verifier struct {
	valueSize  int
	nextSeq    map[int32]int64
	lastOffset map[int32]int64
	total      int64
	bad        int64
	firstBad   string
}

func newVerifier(valueSize int) *verifier {
	return &verifier{valueSize: valueSize, nextSeq: map[int32]int64{}, lastOffset: map[int32]int64{}}
}

// startAt makes the verifier expect seq `seq` as the next record of partition p (a consumer
// that starts in the middle of a partition, e.g. after a seek).
func (v *verifier) startAt(p int32, seq int64) {
	v.nextSeq[p] = seq
	delete(v.lastOffset, p)
}

func (v *verifier) check(p int32, offset int64, key, value []byte) bool {
	problem := ""
	if last, ok := v.lastOffset[p]; ok && offset <= last {
		problem = fmt.Sprintf("p%d:offset_%d_after_%d", p, offset, last)
	}
	seq := v.nextSeq[p]
	if problem == "" && !bytes.Equal(key, payloadKey(p, seq)) {
		problem = fmt.Sprintf("p%d@%d:key_%q_not_seq_%d", p, offset, key, seq)
	}
	if problem == "" && !bytes.Equal(value, payloadValue(p, seq, v.valueSize)) {
		problem = fmt.Sprintf("p%d@%d:value_mismatch_seq_%d", p, offset, seq)
	}
	v.lastOffset[p] = offset
	v.nextSeq[p] = seq + 1
	v.total++
	if problem != "" {
		v.bad++
		if v.firstBad == "" {
			v.firstBad = problem
		}
		return false
	}
	return true
}

// checkExact verifies one record without any ordering state: offset must equal seq (a topic
// written by one produce run), key and value must match.
func checkExact(p int32, offset int64, key, value []byte, valueSize int) string {
	if !bytes.Equal(key, payloadKey(p, offset)) {
		return fmt.Sprintf("p%d@%d:key_%q", p, offset, key)
	}
	if !bytes.Equal(value, payloadValue(p, offset, valueSize)) {
		return fmt.Sprintf("p%d@%d:value_mismatch", p, offset)
	}
	return ""
}
