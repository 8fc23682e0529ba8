#!/usr/bin/env node
'use strict'
/*
 * Command-line driver over the kafkajs client, used by Runnel's integration tests
 * (tests/integration/itest/node_client.py, tests/integration/test_clients_node.py). Modelled on the
 * Java client CLI in tests/java.
 *
 *   create-topic  --bootstrap B --topic T [--partitions P] [--replication R]
 *   produce       --bootstrap B --topic T --count N [--first I] [--partitions P] [--value-size S]
 *                 [--batch K] [--rate R] [--idempotence true|false] [--acks -1|1|0|all]
 *                 [--compression none|gzip] [--progress true]
 *   consume-group --bootstrap B --group G --topic T [--expected N] [--max N] [--idle-ms MS]
 *                 [--timeout-ms MS] [--assigners roundrobin,range] [--commit true|false]
 *                 [--partitions P] [--value-size S]
 *   group-member  --bootstrap B --group G --topic T [--assigners ...] [--commit true|false]
 *                 runs until stdin says "close" or ends (or SIGTERM), printing one line per event
 *   committed     --bootstrap B --group G --topic T
 *
 * Every command prints a final machine-readable "key=value ..." line on stdout and exits 0 on
 * success, 1 when the check failed, 2 on bad usage.
 *
 * Records follow tests/integration/itest/payloads.py (and Payloads.java): record i of a produce run
 * goes to partition i % P with seq i / P, key "k<p>:<seq>", value "p<p>:s<seq>:" repeated and cut
 * to the value size. Consumers verify every key and value byte, and that seq == offset (the tests
 * write each partition from offset 0 with one producer at a time, --first continuing the numbering).
 *
 * kafkajs speaks only the classic (eager) group protocol: JoinGroup/SyncGroup with client-side
 * assignment, every partition revoked at every rebalance. It ships one assigner,
 * RoundRobinAssigner ("roundrobin"). "range" here is a small custom assigner written against
 * kafkajs's documented assigner API (protocol name NodeRangeAssigner), used to make members offer
 * several protocols in a JoinGroup. There is no cooperative rebalancing and no KIP-848
 * (ConsumerGroupHeartbeat) support in kafkajs.
 */

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, logLevel, PartitionAssigners, AssignerProtocol, CompressionTypes } = require('kafkajs')

// ---------------------------------------------------------------------------------------------
// Arguments and output

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${a}`)
    const name = a.slice(2)
    if (i + 1 >= argv.length) throw new UsageError(`missing value for ${a}`)
    opts[name] = argv[++i]
  }
  return {
    str(name, def) {
      if (opts[name] !== undefined) return opts[name]
      if (def === undefined) throw new UsageError(`--${name} is required`)
      return def
    },
    int(name, def) {
      const v = opts[name] !== undefined ? Number(opts[name]) : def
      if (v === undefined || !Number.isInteger(v)) throw new UsageError(`--${name} must be an integer`)
      return v
    },
    bool(name, def) {
      if (opts[name] === undefined) return def
      if (opts[name] !== 'true' && opts[name] !== 'false') throw new UsageError(`--${name} must be true or false`)
      return opts[name] === 'true'
    },
  }
}

function say(line) {
  process.stdout.write(line + '\n')
}

function errName(e) {
  if (!e) return 'unknown'
  const type = e.type ? `:${e.type}` : ''
  return `${e.name || 'Error'}${type}`
}

// kafkajs logs go to stderr; WARN and ERROR only, except the one DEBUG entry that carries the
// generation id of an assignment (kafkajs' GROUP_JOIN event does not), which group-member uses.
let onAssignmentLog = null
const logCreator = () => ({ namespace, level, log }) => {
  if (level === logLevel.DEBUG || level === logLevel.INFO) {
    if (onAssignmentLog && log.message === 'Received assignment') onAssignmentLog(log)
    return
  }
  const { message, timestamp, logger, ...extra } = log
  process.stderr.write(`[kafkajs ${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

function kafka(a, level = logLevel.WARN) {
  return new Kafka({
    clientId: a.str('client-id', 'runnel-itest-node'),
    brokers: a.str('bootstrap').split(','),
    logLevel: level,
    logCreator,
    connectionTimeout: 10000,
    requestTimeout: 60000,
    retry: { initialRetryTime: 200, retries: 12, maxRetryTime: 5000 },
  })
}

// ---------------------------------------------------------------------------------------------
// Payloads (mirror of tests/integration/itest/payloads.py)

function payloadKey(p, seq) {
  return Buffer.from(`k${p}:${seq}`, 'latin1')
}

function payloadValue(p, seq, size) {
  const unit = `p${p}:s${seq}:`
  return Buffer.from(unit.repeat(Math.floor(size / unit.length) + 1).slice(0, size), 'latin1')
}

// Checks one consumed record; returns null or a description of what is wrong.
function checkRecord(p, offset, key, value, valueSize, seqIsOffset) {
  const m = key ? /^k(\d+):(\d+)$/.exec(key.toString('latin1')) : null
  if (!m) return `p${p}@${offset}: bad key ${key && key.toString('latin1')}`
  const kp = Number(m[1])
  const seq = Number(m[2])
  if (kp !== p) return `p${p}@${offset}: key of partition ${kp}`
  if (seqIsOffset && seq !== offset) return `p${p}@${offset}: seq ${seq} != offset`
  if (!value || !value.equals(payloadValue(p, seq, valueSize))) {
    return `p${p}@${offset}: value mismatch for seq ${seq}`
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Assigners

// Range assignment per topic (like Kafka's RangeAssignor), members sorted by member id.
const NodeRangeAssigner = ({ cluster }) => ({
  name: 'NodeRangeAssigner',
  version: 0,
  async assign({ members }) {
    const byTopic = new Map()
    for (const { memberId, memberMetadata } of members) {
      for (const topic of AssignerProtocol.MemberMetadata.decode(memberMetadata).topics) {
        if (!byTopic.has(topic)) byTopic.set(topic, [])
        byTopic.get(topic).push(memberId)
      }
    }
    const assignment = Object.fromEntries(members.map(({ memberId }) => [memberId, {}]))
    for (const [topic, ids] of byTopic) {
      ids.sort()
      const parts = cluster.findTopicPartitionMetadata(topic).map(m => m.partitionId).sort((x, y) => x - y)
      const per = Math.floor(parts.length / ids.length)
      const extra = parts.length % ids.length
      let next = 0
      ids.forEach((id, i) => {
        const n = per + (i < extra ? 1 : 0)
        if (n > 0) assignment[id][topic] = parts.slice(next, next + n)
        next += n
      })
    }
    return Object.entries(assignment).map(([memberId, a]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: this.version, assignment: a }),
    }))
  },
  protocol({ topics }) {
    return { name: this.name, metadata: AssignerProtocol.MemberMetadata.encode({ version: this.version, topics }) }
  },
})

const ASSIGNERS = { roundrobin: PartitionAssigners.roundRobin, range: NodeRangeAssigner }

function assigners(a) {
  return a.str('assigners', 'roundrobin').split(',').map(n => {
    if (!ASSIGNERS[n]) throw new UsageError(`unknown assigner ${n} (roundrobin, range)`)
    return ASSIGNERS[n]
  })
}

// ---------------------------------------------------------------------------------------------
// create-topic

async function createTopic(a) {
  const topic = a.str('topic')
  const partitions = a.int('partitions', 1)
  const admin = kafka(a).admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: a.int('replication', 1) }],
      waitForLeaders: true,
      timeout: 30000,
    })
    const md = await admin.fetchTopicMetadata({ topics: [topic] })
    const parts = md.topics[0].partitions
    const led = parts.filter(p => p.leader >= 0).length
    say(`created=${created} partitions=${parts.length} led=${led} ok`)
    return 0
  } finally {
    await admin.disconnect()
  }
}

// ---------------------------------------------------------------------------------------------
// produce

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function produce(a) {
  const topic = a.str('topic')
  const count = a.int('count', 1000)
  const first = a.int('first', 0)
  const partitions = a.int('partitions', 1)
  const valueSize = a.int('value-size', 100)
  const batch = a.int('batch', 500)
  const rate = a.int('rate', 0) // records per second, 0 = as fast as acknowledged
  const idempotent = a.bool('idempotence', true)
  const acksArg = a.str('acks', 'all')
  const acks = acksArg === 'all' ? -1 : Number(acksArg)
  const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[a.str('compression', 'none')]
  if (compression === undefined) throw new UsageError('--compression must be none or gzip')
  const progress = a.bool('progress', false)

  // kafkajs requires acks=-1 and at most one request in flight for an idempotent producer.
  const producer = kafka(a).producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  let acked = 0
  let sends = 0
  let firstError = null
  const nextOffset = new Map() // partition -> next offset after the last acknowledged batch
  const started = Date.now()
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(batch, count - done)
      const messages = []
      for (let j = 0; j < n; j++) {
        const i = first + done + j
        const p = i % partitions
        const seq = Math.floor(i / partitions)
        messages.push({
          partition: p,
          key: payloadKey(p, seq),
          value: payloadValue(p, seq, valueSize),
          headers: { seq: String(seq) },
        })
      }
      try {
        const res = await producer.send({ topic, acks, timeout: 30000, compression, messages })
        sends++
        acked += n
        for (const r of res) {
          if (r.errorCode !== 0) throw new Error(`partition ${r.partition} error ${r.errorCode}`)
          // baseOffset of the last request to this partition; the records of this send to it follow.
          const mine = messages.filter(m => m.partition === r.partition).length
          nextOffset.set(r.partition, Number(r.baseOffset) + mine)
        }
      } catch (e) {
        firstError = firstError || `${errName(e)}:${e.message}`.replace(/\s+/g, '_')
        break
      }
      done += n
      if (progress) say(`progress acked=${acked} t=${Date.now()}`)
      if (rate > 0) {
        const due = started + (done * 1000) / rate
        const wait = due - Date.now()
        if (wait > 0) await sleep(wait)
      }
    }
  } finally {
    await producer.disconnect()
  }
  const ends = [...nextOffset.entries()].sort((x, y) => x[0] - y[0]).map(([p, o]) => `${p}:${o}`).join(',')
  say(`acked=${acked} failed=${count - acked} sends=${sends} next_offsets=${ends}` +
      (firstError ? ` first_error=${firstError}` : ' ok'))
  return firstError === null && acked === count ? 0 : 1
}

// ---------------------------------------------------------------------------------------------
// Consumers

// Per-partition bookkeeping of what one process consumed.
class Tally {
  constructor() {
    this.seen = new Map() // partition -> Set of offsets
    this.unique = 0
    this.dups = 0
    this.producerIds = new Set()
    this.sequenceMismatches = 0
  }

  add(p, offset) {
    if (!this.seen.has(p)) this.seen.set(p, new Set())
    const s = this.seen.get(p)
    if (s.has(offset)) {
      this.dups++
    } else {
      s.add(offset)
      this.unique++
    }
  }

  // "p:a-b[/c-d];p:..." of the unique offsets.
  ranges() {
    const out = []
    for (const p of [...this.seen.keys()].sort((x, y) => x - y)) {
      const offs = [...this.seen.get(p)].sort((x, y) => x - y)
      const spans = []
      let lo = offs[0]
      let hi = offs[0]
      for (const o of offs.slice(1)) {
        if (o === hi + 1) {
          hi = o
        } else {
          spans.push(`${lo}-${hi}`)
          lo = hi = o
        }
      }
      spans.push(`${lo}-${hi}`)
      out.push(`${p}:${spans.join('/')}`)
    }
    return out.join(';') || '-'
  }
}

// Checks the records of one kafkajs batch (up to limit of them); returns [checked messages, error].
function checkBatch(batch, limit, valueSize, seqIsOffset, checkSequences, tally) {
  const p = batch.partition
  const msgs = batch.messages.slice(0, limit)
  let prev = null
  for (const m of msgs) {
    const off = Number(m.offset)
    if (prev !== null && off !== prev + 1) return [msgs, `p${p}: offset ${off} after ${prev} within a batch`]
    prev = off
    const bad = checkRecord(p, off, m.key, m.value, valueSize, seqIsOffset)
    if (bad) return [msgs, bad]
    const ctx = m.batchContext || {}
    if (ctx.producerId !== undefined) {
      tally.producerIds.add(String(ctx.producerId))
      if (checkSequences && String(ctx.producerId) !== '-1' &&
          ctx.firstSequence + (off - Number(ctx.firstOffset)) !== off) {
        tally.sequenceMismatches++
      }
    }
  }
  return [msgs, null]
}

function consumerConfig(a) {
  return {
    groupId: a.str('group'),
    partitionAssigners: assigners(a),
    sessionTimeout: a.int('session-timeout-ms', 30000),
    rebalanceTimeout: a.int('rebalance-timeout-ms', 30000),
    heartbeatInterval: a.int('heartbeat-interval-ms', 1000),
    maxWaitTimeInMs: a.int('max-wait-ms', 500),
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 200, retries: 12, maxRetryTime: 5000 },
  }
}

async function commit(commitFn, topic, p, next) {
  await commitFn({ topics: [{ topic, partitions: [{ partition: p, offset: String(next) }] }] })
}

async function consumeGroup(a) {
  const topic = a.str('topic')
  const expected = a.int('expected', 0) // stop once this many distinct records were consumed
  const max = a.int('max', 0) // stop after exactly this many records (0 = no limit)
  const idleMs = a.int('idle-ms', 0) // stop after this long without records (0 = never)
  const timeoutMs = a.int('timeout-ms', 90000)
  const doCommit = a.bool('commit', true)
  const valueSize = a.int('value-size', 100)
  const seqIsOffset = a.bool('seq-is-offset', true)
  // One idempotent producer wrote each partition from offset 0: its sequence numbers are the offsets.
  const checkSequences = a.bool('check-sequences', false)
  if (!expected && !max && !idleMs) throw new UsageError('give --expected, --max or --idle-ms')

  const tally = new Tally()
  const committed = new Map()
  const consumer = kafka(a).consumer(consumerConfig(a))
  let failure = null
  let protocol = '-'
  let joins = 0
  let consumedTotal = 0
  let lastRecordAt = null
  let stopReason = null
  let finish
  const finished = new Promise(resolve => { finish = resolve })
  const stop = why => {
    if (!stopReason) {
      stopReason = why
      finish()
    }
  }

  consumer.on(consumer.events.GROUP_JOIN, e => {
    joins++
    protocol = e.payload.groupProtocol
    if (lastRecordAt === null) lastRecordAt = Date.now()
  })
  consumer.on(consumer.events.CRASH, e => {
    process.stderr.write(`crash ${errName(e.payload.error)} ${e.payload.error.message} restart=${e.payload.restart}\n`)
    if (!e.payload.restart) {
      failure = failure || `crash:${errName(e.payload.error)}`
      stop('crash')
    }
  })

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      if (stopReason) return
      const room = max ? max - consumedTotal : batch.messages.length
      const [msgs, bad] = checkBatch(batch, room, valueSize, seqIsOffset, checkSequences, tally)
      if (bad) {
        failure = failure || bad.replace(/\s+/g, '_')
        stop('bad-record')
        return
      }
      if (msgs.length === 0) return
      for (const m of msgs) {
        tally.add(batch.partition, Number(m.offset))
        resolveOffset(m.offset)
      }
      consumedTotal += msgs.length
      lastRecordAt = Date.now()
      if (doCommit) {
        const next = Number(msgs[msgs.length - 1].offset) + 1
        await commit(commitOffsetsIfNecessary, topic, batch.partition, next)
        committed.set(batch.partition, next)
      }
      await heartbeat()
      if (max && consumedTotal >= max) stop('max')
      else if (expected && tally.unique >= expected) stop('expected')
    },
  })

  const started = Date.now()
  const timer = setInterval(() => {
    const now = Date.now()
    if (idleMs && lastRecordAt !== null && now - lastRecordAt >= idleMs) stop('idle')
    if (now - started >= timeoutMs) stop('timeout')
  }, 100)
  await finished
  clearInterval(timer)
  await consumer.disconnect()

  if (!failure && stopReason === 'timeout') failure = `timeout_after_${tally.unique}_records`
  if (!failure && expected && tally.unique < expected) failure = `consumed_${tally.unique}_of_${expected}`
  const comm = [...committed.entries()].sort((x, y) => x[0] - y[0]).map(([p, o]) => `${p}:${o}`).join(',') || '-'
  say(`consumed=${consumedTotal} unique=${tally.unique} dups=${tally.dups} ranges=${tally.ranges()}` +
      ` committed=${comm} protocol=${protocol} joins=${joins}` +
      ` producer_ids=${[...tally.producerIds].join(',') || '-'} seq_mismatches=${tally.sequenceMismatches}` +
      ` stop=${stopReason}` + (failure ? ` error=${failure}` : ' ok'))
  return failure ? 1 : 0
}

// A long-running member: one line per event, for tests that change the group under load.
//   joined gen=G member=M leader=L protocol=P assignment=0,1 t=MS
//   batch p=P first=O last=O n=N t=MS
//   commit p=P offset=O t=MS                 (after a successful OffsetCommit)
//   commit_error p=P offset=O error=E t=MS   (the batch is then redelivered after the rejoin)
//   rebalancing t=MS | crash error=E restart=R t=MS | bad record=... | closed consumed=N t=MS
async function groupMember(a) {
  const topic = a.str('topic')
  const doCommit = a.bool('commit', true)
  const valueSize = a.int('value-size', 100)
  const seqIsOffset = a.bool('seq-is-offset', true)
  // One idempotent producer wrote each partition from offset 0: its sequence numbers are the offsets.
  const checkSequences = a.bool('check-sequences', false)

  let generation = -1
  onAssignmentLog = log => { generation = log.generationId }
  const consumer = kafka(a, logLevel.DEBUG).consumer(consumerConfig(a))
  const tally = new Tally()
  let consumedTotal = 0
  let failed = false

  consumer.on(consumer.events.GROUP_JOIN, e => {
    const parts = (e.payload.memberAssignment[topic] || []).slice().sort((x, y) => x - y)
    say(`joined gen=${generation} member=${e.payload.memberId} leader=${e.payload.isLeader}` +
        ` protocol=${e.payload.groupProtocol} assignment=${parts.join(',') || '-'} t=${Date.now()}`)
  })
  consumer.on(consumer.events.REBALANCING, () => say(`rebalancing t=${Date.now()}`))
  consumer.on(consumer.events.CRASH, e => {
    say(`crash error=${errName(e.payload.error)} restart=${e.payload.restart} t=${Date.now()}`)
    process.stderr.write(`crash ${e.payload.error.stack}\n`)
    if (!e.payload.restart) failed = true
  })

  let closing = false
  let closeNow
  const closed = new Promise(resolve => { closeNow = resolve })
  const close = () => { closing = true; closeNow() }
  process.stdin.setEncoding('utf8')
  let buf = ''
  process.stdin.on('data', d => {
    buf += d
    if (buf.split('\n').some(l => l.trim() === 'close')) close()
  })
  process.stdin.on('end', close)
  process.on('SIGTERM', close)

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning }) => {
      if (!isRunning() || closing) return
      const [msgs, bad] = checkBatch(batch, batch.messages.length, valueSize, seqIsOffset, checkSequences, tally)
      if (bad) {
        say(`bad record=${bad.replace(/\s+/g, '_')}`)
        failed = true
        close()
        return
      }
      if (msgs.length === 0) return
      for (const m of msgs) {
        tally.add(batch.partition, Number(m.offset))
        resolveOffset(m.offset)
      }
      consumedTotal += msgs.length
      const first = Number(msgs[0].offset)
      const last = Number(msgs[msgs.length - 1].offset)
      say(`batch p=${batch.partition} first=${first} last=${last} n=${msgs.length} t=${Date.now()}`)
      if (doCommit) {
        try {
          await commit(commitOffsetsIfNecessary, topic, batch.partition, last + 1)
          say(`commit p=${batch.partition} offset=${last + 1} t=${Date.now()}`)
        } catch (e) {
          say(`commit_error p=${batch.partition} offset=${last + 1} error=${errName(e)} t=${Date.now()}`)
          throw e // kafkajs rejoins on rebalance errors
        }
      }
      await heartbeat()
    },
  })
  say(`running t=${Date.now()}`)
  await closed
  await consumer.disconnect() // LeaveGroup
  say(`closed consumed=${consumedTotal} unique=${tally.unique} dups=${tally.dups}` +
      ` seq_mismatches=${tally.sequenceMismatches} t=${Date.now()}` + (failed ? ' error=failed' : ' ok'))
  return failed ? 1 : 0
}

// ---------------------------------------------------------------------------------------------
// committed

async function committedOffsets(a) {
  const topic = a.str('topic')
  const admin = kafka(a).admin()
  await admin.connect()
  try {
    const res = await admin.fetchOffsets({ groupId: a.str('group'), topics: [topic] })
    const parts = (res.find(t => t.topic === topic) || { partitions: [] }).partitions
    const offs = parts.slice().sort((x, y) => x.partition - y.partition).map(p => `${p.partition}:${p.offset}`)
    say(`offsets=${offs.join(',') || '-'} ok`)
    return 0
  } finally {
    await admin.disconnect()
  }
}

// ---------------------------------------------------------------------------------------------

const COMMANDS = {
  'create-topic': createTopic,
  produce,
  'consume-group': consumeGroup,
  'group-member': groupMember,
  committed: committedOffsets,
}

async function main() {
  const [sub, ...rest] = process.argv.slice(2)
  const cmd = COMMANDS[sub]
  if (!cmd) {
    process.stderr.write(`usage: runnel-node-client.js ${Object.keys(COMMANDS).join('|')} --bootstrap HOST:PORT ...\n`)
    return 2
  }
  let args
  try {
    args = parseArgs(rest)
    return await cmd(args)
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`runnel-node-client.js: ${e.message}\n`)
      return 2
    }
    process.stderr.write(`${e.stack}\n`)
    say(`error=${errName(e)}:${String(e.message).replace(/\s+/g, '_')}`)
    return 1
  }
}

main().then(rc => {
  // Let stdout drain before exiting.
  process.stdout.write('', () => process.exit(rc))
})
