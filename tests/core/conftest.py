"""Prints the reply corpus's handled share per locale and per kind when it was tested."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = any(report.nodeid.split("::")[0].endswith("core/test_corpus.py")
              for reports in terminalreporter.stats.values() for report in reports
              if hasattr(report, "nodeid"))
    if not ran:
        return
    from tests.rigs.corpus import summary

    terminalreporter.section("reply corpus")
    for line in summary():
        terminalreporter.write_line(line)
