"""The leak checks of both suites: growth of the interpreter's allocated blocks over repeated
windows of the same work. Free lists and caches fill up for a while, more so on a busy machine,
while a leak grows every window: so the smallest growth of several windows after a warm-up is the
measure."""
import gc
import sys


def blocks_grown(work, warmup, window, windows):
    """Runs work(warmup) once, then work(window) `windows` times; the growth of each of those"""
    work(warmup)
    grown = []
    for _ in range(windows):
        gc.collect()
        before = sys.getallocatedblocks()
        work(window)
        gc.collect()
        grown.append(sys.getallocatedblocks() - before)
    return grown
