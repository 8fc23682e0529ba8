// Command runnel-go-client drives a broker with franz-go (github.com/twmb/franz-go), the Go Kafka
// client, for the integration tests (tests/integration/test_clients_go.py, wrapper
// tests/integration/itest/go_client.py). It mirrors the Java client CLI of tests/java:
//
//	create-topic     --bootstrap B --topic T [--partitions P] [--replication R]
//	produce          --bootstrap B --topic T --count N [--partitions P] [--start I] [--value-size S]
//	                 [--rate R]   idempotent, acks=all
//	consume          --bootstrap B --topic T --count N [--partitions P] [--value-size S]
//	                 [--timeout-ms MS]   direct (no group) from the start, every record verified
//	group-member     --bootstrap B --group G --topic T [--balancer range|roundrobin|sticky|
//	                 cooperative-sticky] [--group-protocol classic|consumer] [--max-records N]
//	                 [--idle-ms MS] [--timeout-ms MS] [--record-log FILE] [--watch-stdin true]
//	group-offsets    --bootstrap B --group G --topic T
//	readd-topic      --bootstrap B --topic A --other B2 --count N --more M [--partitions P]
//	seek-after-error --bootstrap B --topic T --count N   (2 partitions)
//
// Every flag is --name=value (or --name value for non-boolean flags). Each command prints one
// machine-readable result line ("key=value ...", plus "ok" or "error=...") as the last line on
// stdout and exits 0 on success, 1 when the check failed, 2 on bad usage. Long-running commands
// print "status key=value ..." lines before it. Records follow the shared payload scheme
// (payloads.go): record i of a produce run goes to partition i % P with seq i / P.
//
// Every client counts, from franz-go's own log messages, how often a broker answered a Fetch
// with INVALID_FETCH_SESSION_EPOCH or FETCH_SESSION_ID_NOT_FOUND (session_errors=N): a broker
// that rejects franz-go's session reset (epoch 0 with the old session id) makes that number
// explode while the consumer makes no progress.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage("missing subcommand")
	}
	cmds := map[string]func([]string) int{
		"create-topic":     cmdCreateTopic,
		"produce":          cmdProduce,
		"consume":          cmdConsume,
		"group-member":     cmdGroupMember,
		"group-offsets":    cmdGroupOffsets,
		"readd-topic":      cmdReaddTopic,
		"seek-after-error": cmdSeekAfterError,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		usage("unknown subcommand " + os.Args[1])
	}
	os.Exit(cmd(os.Args[2:]))
}

func usage(why string) {
	fmt.Fprintln(os.Stderr, "runnel-go-client: "+why)
	fmt.Fprintln(os.Stderr, "usage: runnel-go-client create-topic|produce|consume|group-member|"+
		"group-offsets|readd-topic|seek-after-error --bootstrap HOST:PORT ...")
	os.Exit(2)
}
