"""``OutboxNotifier``: a rush of "deliver now" calls becomes a few enqueues, and none is lost."""

import threading
import time

from foros.worker import OutboxNotifier


class Recorder:
    def __init__(self, fail_first: int = 0, gate: threading.Event | None = None):
        self.times: list[float] = []
        self.fail_first, self.gate = fail_first, gate

    def __call__(self):
        if self.gate is not None:
            self.gate.wait(5)
        self.times.append(time.monotonic())
        if len(self.times) <= self.fail_first:
            raise ConnectionError("queue down")


def _wait_for(predicate, seconds=3.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    return predicate()


def test_a_rush_becomes_a_few_enqueues_and_the_last_call_is_covered():
    enqueue = Recorder()
    notifier = OutboxNotifier(enqueue, interval=0.1)
    start = time.monotonic()
    while time.monotonic() - start < 0.45:
        notifier.notify()
        last_notify = time.monotonic()
        time.sleep(0.002)
    assert _wait_for(lambda: enqueue.times and enqueue.times[-1] >= last_notify)
    time.sleep(0.25)
    # ~200 calls in 0.45 s with one enqueue per 0.1 s at most: 2 to 6 enqueues, not 200.
    assert 2 <= len(enqueue.times) <= 6
    assert all(b - a >= 0.09 for a, b in zip(enqueue.times, enqueue.times[1:], strict=False))


def test_the_first_call_after_a_quiet_moment_is_enqueued_at_once():
    enqueue = Recorder()
    notifier = OutboxNotifier(enqueue, interval=0.3)
    notifier.notify()
    assert _wait_for(lambda: len(enqueue.times) == 1)
    time.sleep(0.5)  # quiet for longer than the interval
    asked = time.monotonic()
    notifier.notify()
    assert _wait_for(lambda: len(enqueue.times) == 2)
    assert enqueue.times[1] - asked < 0.2  # not held back for an interval


def test_a_failing_queue_is_logged_and_the_next_call_still_enqueues(caplog):
    enqueue = Recorder(fail_first=1)
    notifier = OutboxNotifier(enqueue, interval=0.01)
    notifier.notify()
    assert _wait_for(lambda: len(enqueue.times) == 1)
    assert _wait_for(lambda: "periodic sweep" in caplog.text)
    notifier.notify()
    assert _wait_for(lambda: len(enqueue.times) == 2)


def test_flush_enqueues_what_is_still_waiting_at_exit():
    gate = threading.Event()
    enqueue = Recorder(gate=gate)
    notifier = OutboxNotifier(enqueue, interval=10)
    notifier.notify()  # the thread takes it and blocks in the queue
    time.sleep(0.05)
    notifier.notify()  # waiting: the thread would only look again after 10 s
    gate.set()
    assert _wait_for(lambda: len(enqueue.times) == 1)
    notifier.flush()  # what atexit runs
    assert len(enqueue.times) == 2
    notifier.flush()  # nothing waiting any more
    assert len(enqueue.times) == 2
