"""Runs the Python tests (unittest, no pytest needed) and ends with one line for scripts/test-all.mjs:

    python tests: N passed, N failed, N skipped (T s)

usage: python3 python/tests/run_tests.py [-v] [pattern ...]   (patterns filter test ids, e.g. test_ddp)
Exit status 0 only when every test passed.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class TimedResult(unittest.TextTestResult):
    def startTest(self, test):
        self._t0 = time.time()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.stream.write("  %-90s %6.1f s\n" % (test.id(), time.time() - self._t0))
        self.stream.flush()


def main(argv):
    verbose = "-v" in argv
    patterns = [a for a in argv if not a.startswith("-")]
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    def flat(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                yield from flat(t)
            else:
                yield t
    tests = [t for t in flat(suite) if not patterns or any(p in t.id() for p in patterns)]
    failed_imports = [t for t in tests if t.__class__.__name__ in ("_FailedTest", "ModuleImportFailure")]
    t0 = time.time()
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if verbose else 1, resultclass=TimedResult)
    result = runner.run(unittest.TestSuite(tests))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    if not tests:
        failed += 1
        sys.stderr.write("no Python test matches %s\n" % patterns)
    sys.stdout.write("python tests: %d passed, %d failed, %d skipped (%.0f s)%s\n" % (
        passed, failed, skipped, time.time() - t0, " (%d modules failed to import)" % len(failed_imports) if failed_imports else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
