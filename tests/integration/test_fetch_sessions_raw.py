"""Fetch sessions (KIP-227) on the raw wire: every (session id, epoch) row of the table in
broker/server/fetch_session.h, the reactions a client takes to each session error, and sessions
used from any connection. ctest runs this file against Apache Kafka (RUNNEL_ITEST_TARGET=kafka,
integration.test_fetch_sessions_raw.kafka) and against Runnel, so the table is Kafka's behaviour.

Fetch v11 (topic names) and v13 (topic ids) are the two session flavours; a session opened with
one may not be continued with the other (FETCH_SESSION_TOPIC_ID_ERROR)."""

import time

import pytest

from itest import rdkafka
from itest.broker import target
from itest.fetch_wire import (FETCH_SESSION_ID_NOT_FOUND, FETCH_SESSION_TOPIC_ID_ERROR,
                              INVALID_FETCH_SESSION_EPOCH, NONE, OFFSET_OUT_OF_RANGE, fetch_v11,
                              fetch_v13, topic_id)
from itest.metrics import request_errors
from itest.record_batch import encode_batch
from itest.requests import produce_v7
from itest.wire import Connection


@pytest.fixture(scope="module")
def broker(module_brokers):
    # Two ring threads, so that connections land on different cores (sessions must be found
    # whichever core a request arrives on). Kafka has no such setting.
    return module_brokers({"runnel.cores": "2"} if target() == "runnel" else None)


@pytest.fixture
def topic(broker, topic_name):
    """A topic with 2 partitions holding 3 records each (offsets 0-2)."""
    rdkafka.create_topic(broker.bootstrap, topic_name, 2)
    rdkafka.wait_topic_ready(broker.bootstrap, topic_name, 2)
    with Connection(broker.host, broker.port) as c:
        for p in (0, 1):
            for i in range(3):
                batch = encode_batch([(b"k", b"v%d-%d" % (p, i))], int(time.time() * 1000))
                assert produce_v7(c, topic_name, p, batch)[0] == NONE
    return topic_name


def conn(broker) -> Connection:
    return Connection(broker.host, broker.port)


def both(topic, offset=0):
    return [(topic, 0, offset), (topic, 1, offset)]


# --- The table, row by row ---

def test_zero_zero_opens_a_session(broker, topic):
    with conn(broker) as c:
        a = fetch_v11(c, both(topic), session_id=0, session_epoch=0)
        assert a.error == NONE and a.session_id > 0
        assert set(a.parts) == {(topic, 0), (topic, 1)}
        assert all(p.error == NONE and b"v" in p.records for p in a.parts.values())
        # The session continues at epoch 1: at the end of the log nothing is new, nothing sent.
        b = fetch_v11(c, both(topic, 3), session_id=a.session_id, session_epoch=1)
        assert b.error == NONE and b.session_id == a.session_id
        assert b.parts == {}


def test_existing_id_with_epoch_zero_closes_it_and_opens_a_new_session(broker, topic):
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        assert x > 0
        assert fetch_v11(c, [], session_id=x, session_epoch=1).error == NONE
        # The reset franz-go sends: the existing id with epoch 0, a full fetch.
        a = fetch_v11(c, both(topic), session_id=x, session_epoch=0)
        assert a.error == NONE
        assert a.session_id > 0 and a.session_id != x
        assert set(a.parts) == {(topic, 0), (topic, 1)}
        # X is gone; the new session goes on at epoch 1.
        assert fetch_v11(c, [], session_id=x, session_epoch=2).error == FETCH_SESSION_ID_NOT_FOUND
        assert fetch_v11(c, [], session_id=a.session_id, session_epoch=1).error == NONE


def test_unknown_id_with_epoch_zero_opens_a_new_session(broker, topic):
    with conn(broker) as c:
        a = fetch_v11(c, both(topic), session_id=123456789, session_epoch=0)
        assert a.error == NONE and a.session_id > 0
        assert set(a.parts) == {(topic, 0), (topic, 1)}


def test_zero_minus_one_is_sessionless(broker, topic):
    with conn(broker) as c:
        a = fetch_v11(c, both(topic), session_id=0, session_epoch=-1)
        assert a.error == NONE and a.session_id == 0
        assert set(a.parts) == {(topic, 0), (topic, 1)}
        assert a.parts[(topic, 0)].high_watermark == 3


def test_existing_id_with_minus_one_closes_it_and_is_sessionless(broker, topic):
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        a = fetch_v11(c, both(topic), session_id=x, session_epoch=-1)
        assert a.error == NONE and a.session_id == 0
        assert set(a.parts) == {(topic, 0), (topic, 1)}
        assert fetch_v11(c, [], session_id=x, session_epoch=1).error == FETCH_SESSION_ID_NOT_FOUND


def test_incremental_on_an_unknown_session(broker, topic):
    with conn(broker) as c:
        a = fetch_v11(c, both(topic), session_id=987654321, session_epoch=1)
        assert a.error == FETCH_SESSION_ID_NOT_FOUND and a.parts == {}
        assert fetch_v11(c, both(topic), session_id=-5, session_epoch=3).error == FETCH_SESSION_ID_NOT_FOUND


def test_incremental_with_the_wrong_epoch(broker, topic):
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        for wrong in (2, 7, -2):
            a = fetch_v11(c, [], session_id=x, session_epoch=wrong)
            assert a.error == INVALID_FETCH_SESSION_EPOCH, wrong
        # An error leaves the session as it was.
        assert fetch_v11(c, [], session_id=x, session_epoch=1).error == NONE


def test_incremental_without_a_session_id(broker, topic):
    with conn(broker) as c:
        for epoch in (1, 5):
            a = fetch_v11(c, both(topic), session_id=0, session_epoch=epoch)
            assert a.error == FETCH_SESSION_ID_NOT_FOUND, epoch


def test_session_by_name_cannot_continue_by_topic_id(broker, topic):
    with conn(broker) as c:
        tid = topic_id(c, topic)
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        a = fetch_v13(c, [(tid, 0, 3)], session_id=x, session_epoch=1)
        assert a.error == FETCH_SESSION_TOPIC_ID_ERROR
        y = fetch_v13(c, [(tid, 0, 3), (tid, 1, 3)], session_id=0, session_epoch=0).session_id
        assert y > 0
        assert fetch_v11(c, [], session_id=y, session_epoch=1).error == FETCH_SESSION_TOPIC_ID_ERROR
        assert fetch_v13(c, [], session_id=y, session_epoch=1).error == NONE


def test_forgetting_every_partition_closes_the_session(broker, topic):
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        a = fetch_v11(c, [], session_id=x, session_epoch=1, forgotten=[(topic, 0), (topic, 1)])
        assert a.error == NONE and a.session_id == 0 and a.parts == {}
        assert fetch_v11(c, [], session_id=x, session_epoch=2).error == FETCH_SESSION_ID_NOT_FOUND


# --- What sessions remember ---

def test_incremental_sends_only_news(broker, topic):
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        assert fetch_v11(c, [], session_id=x, session_epoch=1).parts == {}
        batch = encode_batch([(b"k", b"new")], int(time.time() * 1000))
        assert produce_v7(c, topic, 1, batch)[0] == NONE
        a = fetch_v11(c, [], session_id=x, session_epoch=2)
        assert set(a.parts) == {(topic, 1)} and b"new" in a.parts[(topic, 1)].records


def test_forget_a_topic_and_add_it_back(broker, topic):
    """franz-go's purge-and-re-add of a consumed topic, on the wire."""
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        a = fetch_v11(c, [(topic, 1, 3)], session_id=x, session_epoch=1, forgotten=[(topic, 0)])
        assert a.error == NONE and a.session_id == x
        a = fetch_v11(c, [(topic, 0, 0)], session_id=x, session_epoch=2)
        assert a.error == NONE and a.session_id == x
        assert (topic, 0) in a.parts and b"v0-0" in a.parts[(topic, 0)].records
        assert (topic, 1) not in a.parts


def test_seek_after_offset_out_of_range(broker, topic):
    """A partition error inside a session; the client seeks and goes on in the same session."""
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
        a = fetch_v11(c, [(topic, 0, 50)], session_id=x, session_epoch=1)
        assert a.error == NONE and a.parts[(topic, 0)].error == OFFSET_OUT_OF_RANGE
        a = fetch_v11(c, [(topic, 0, 1)], session_id=x, session_epoch=2)
        assert a.error == NONE and a.parts[(topic, 0)].error == NONE
        assert b"v0-1" in a.parts[(topic, 0)].records
        # The error is over and nothing changed since: the next fetch has no news.
        assert fetch_v11(c, [(topic, 0, 3)], session_id=x, session_epoch=3).parts == {}


def test_session_is_found_from_any_connection(broker, topic):
    """Consecutive fetches of one session, each on a new connection: with 2 ring threads, some
    of the 12 connections land on the other core (a miss has odds of 2^-12)."""
    with conn(broker) as c:
        x = fetch_v11(c, both(topic, 3), session_id=0, session_epoch=0).session_id
    for epoch in range(1, 13):
        with conn(broker) as c:
            a = fetch_v11(c, [], session_id=x, session_epoch=epoch)
            assert a.error == NONE and a.session_id == x, epoch
    # And a reset from any connection closes it wherever it lives.
    with conn(broker) as c:
        assert fetch_v11(c, both(topic), session_id=x, session_epoch=-1).error == NONE
    for _ in range(4):
        with conn(broker) as c:
            assert fetch_v11(c, [], session_id=x, session_epoch=13).error == FETCH_SESSION_ID_NOT_FOUND


# --- No error a client reacts to as Kafka documents can repeat ---

class SessionClient:
    """A fetch-session client following KIP-227's documented reaction: after any top-level
    session error, the next fetch is a full one (epoch 0), naming the old session (franz-go,
    the Java client) or not (librdkafka)."""

    def __init__(self, conn, topic, reset_with_id):
        self.c, self.topic, self.reset_with_id = conn, topic, reset_with_id
        self.session_id, self.epoch = 0, 0
        self.errors = []

    def fetch(self):
        parts = both(self.topic, 3) if self.epoch == 0 else []
        a = fetch_v11(self.c, parts, session_id=self.session_id, session_epoch=self.epoch)
        if a.error != NONE:
            self.errors.append(a.error)
            self.epoch = 0
            if not self.reset_with_id:
                self.session_id = 0
            return a
        self.session_id = a.session_id
        self.epoch = 1 if self.epoch == 0 else self.epoch + 1
        return a


@pytest.mark.parametrize("reset_with_id", [True, False], ids=["reset-naming-session", "reset-session-0"])
@pytest.mark.parametrize("fault", ["wrong-epoch", "unknown-session", "topic-id-mismatch"])
def test_session_errors_never_repeat_after_the_documented_reaction(broker, topic, fault, reset_with_id):
    before = request_errors(broker.admin_url, "Fetch") if target() == "runnel" else None
    with conn(broker) as c:
        client = SessionClient(c, topic, reset_with_id)
        client.fetch()
        assert client.session_id > 0
        for _ in range(3):
            client.fetch()
        # Provoke the error once.
        if fault == "wrong-epoch":
            client.epoch += 5
        elif fault == "unknown-session":
            fetch_v11(c, [], session_id=client.session_id, session_epoch=-1)  # closed behind its back
        else:
            tid = topic_id(c, topic)
            a = fetch_v13(c, [(tid, 0, 3)], session_id=client.session_id, session_epoch=client.epoch)
            assert a.error == FETCH_SESSION_TOPIC_ID_ERROR
            client.errors.append(a.error)
            client.epoch = 0
            if not reset_with_id:
                client.session_id = 0
        for _ in range(20):
            client.fetch()
        expected = {"wrong-epoch": INVALID_FETCH_SESSION_EPOCH, "unknown-session": FETCH_SESSION_ID_NOT_FOUND,
                    "topic-id-mismatch": FETCH_SESSION_TOPIC_ID_ERROR}[fault]
        assert client.errors == [expected], client.errors
        assert client.session_id > 0 and client.epoch > 10
    if before is not None:
        after = request_errors(broker.admin_url, "Fetch")
        grew = {k: after.get(k, 0) - before.get(k, 0) for k in after if k != "NONE"}
        assert {k: v for k, v in grew.items() if v} in ({"INVALID_FETCH_SESSION_EPOCH": 1},
                                                       {"FETCH_SESSION_ID_NOT_FOUND": 1},
                                                       {"FETCH_SESSION_TOPIC_ID_ERROR": 1}), grew
