#!/usr/bin/env python3
"""test_revision.py - iqn-searchd sees new index revisions without a restart: a record added,
changed and deleted by iqn-index while the daemon runs shows up in searches, documents/{id} and
/healthz within 5 seconds."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

POLL_SECONDS = 5.0


class NewRevision(unittest.TestCase):
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        harness.index_and_serve(cls, [Config.fixture("good.xml")], threads=4)

    @classmethod
    def tearDownClass(cls):
        harness.stop_and_clean(cls)

    def poll(self, fn, what):
        """Call fn until it returns true or POLL_SECONDS pass; fails with what."""
        deadline = time.monotonic() + POLL_SECONDS
        last = None
        while True:
            last = fn()
            if last:
                return last
            if time.monotonic() > deadline:
                self.fail("%s: not seen within %ss" % (what, POLL_SECONDS))
            time.sleep(0.1)

    def total(self, q):
        return self.daemon.search([("q", q)])["total"]

    def test_add_change_delete(self):
        # Warm every daemon thread on the current revision first.
        for _ in range(8):
            self.assertEqual(self.total("platypusrevision"), 0)
        status, obj = self.daemon.get_json("/healthz")
        self.assertEqual(obj["documents"], 2)

        run = harness.run_index(self.db, [Config.fixture("revision.jsonl")])
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["added"], 1)
        self.poll(lambda: self.total("platypusrevision") == 1, "the added record in search")
        # Every thread sees it, not just one.
        for _ in range(16):
            self.assertEqual(self.total("platypusrevision"), 1)
        self.poll(lambda: self.daemon.get_json("/healthz")[1]["documents"] == 3, "healthz document count")
        status, obj = self.daemon.get_json("/api/v1/documents/fixture-revision-1")
        self.assertEqual(status, 200)
        self.assertEqual(obj["record"]["title"], "Platypusrevision webinar")
        obj = self.daemon.search([("province", "PE")])
        self.assertEqual([h["id"] for h in obj["hits"]], ["fixture-revision-1"])

        # Change it.
        changed = self.tmp.join("changed.jsonl")
        with open(Config.fixture("revision.jsonl"), encoding="utf-8") as f:
            rec = json.loads(f.readline())
        rec["title"] = "Platypusrevision webinar moved to Kangaroofresh hall"
        rec["province"] = ["NS"]
        harness.write_jsonl(changed, [rec])
        run = harness.run_index(self.db, [changed])
        self.assertEqual(run.summary["updated"], 1, run)
        self.poll(lambda: self.total("kangaroofresh") == 1, "the changed title")
        self.poll(lambda: self.daemon.search([("province", "PE")])["total"] == 0, "the old province gone")
        self.assertEqual(self.daemon.search([("province", "NS")])["total"], 1)
        self.assertEqual(self.total("platypusrevision"), 1)

        # Delete it.
        run = harness.run_index(self.db, [], "--delete", "fixture-revision-1")
        self.assertEqual(run.deletes, {"deleted": 1, "not_found": 0}, run)
        self.poll(lambda: self.total("platypusrevision") == 0, "the deleted record gone from search")
        self.poll(lambda: self.daemon.get_json("/api/v1/documents/fixture-revision-1")[0] == 404,
                  "the deleted record gone from documents")
        self.poll(lambda: self.daemon.get_json("/healthz")[1]["documents"] == 2, "healthz count after delete")


if __name__ == "__main__":
    harness.main()
