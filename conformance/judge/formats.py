"""JUnit XML and Allure results for a judged client: one test case per CAP-CLI requirement.

A failure's message starts with `ClientConformanceFailure:`, so the certification's Allure
categories file it under conformance failures (product defects of the integration).
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import Attachment, Label, Status, StatusDetails, TestResult

from conformance.certify.allure_metadata import write_allure_metadata

SUITE = "capillary-client-judge"
_ALLURE_STATUS = {"pass": Status.PASSED, "fail": Status.FAILED, "warning": Status.SKIPPED, "not-run": Status.BROKEN,
                  "skipped": Status.SKIPPED, "observed": Status.PASSED}
_SEVERITY = {"MUST": "critical", "SHOULD": "normal", "observation": "minor"}


def failure_message(rid: str, row: Mapping[str, Any]) -> str:
    test = row["tests"][0]
    if row["verdict"] == "fail":
        return f"ClientConformanceFailure: {rid} ({row['level']}): {test['message']}"
    if row["verdict"] == "warning":
        return f"SHOULD-level warning: {rid}: {test['message']}"
    return str(test["message"])


def write_junit(path: Path, rows: Mapping[str, Mapping[str, Any]], seconds: float) -> None:
    failures = sum(1 for r in rows.values() if r["verdict"] == "fail")
    errors = sum(1 for r in rows.values() if r["verdict"] == "not-run" and r["level"] == "MUST")
    skipped = sum(1 for r in rows.values() if r["verdict"] in ("warning", "skipped", "not-run")) - errors
    suite = ET.Element("testsuite", name=SUITE, tests=str(len(rows)), failures=str(failures), errors=str(errors),
                       skipped=str(skipped), time=f"{seconds:.3f}")
    for rid, row in rows.items():
        test = row["tests"][0]
        case = ET.SubElement(suite, "testcase", classname=f"judge.{rid}", name=test["nodeid"].split("::")[-1],
                             time="0")
        message = failure_message(rid, row)
        exchanges = ", ".join(f"#{i}" for i in test["exchanges"])
        if row["verdict"] == "fail":
            ET.SubElement(case, "failure", message=message).text = f"{message}\nexchanges: {exchanges}"
        elif row["verdict"] == "not-run" and row["level"] == "MUST":
            ET.SubElement(case, "error", message=message).text = message
        elif row["verdict"] in ("warning", "skipped", "not-run"):
            ET.SubElement(case, "skipped", message=message)
        ET.SubElement(case, "properties").extend(
            [ET.Element("property", name="requirement", value=rid), ET.Element("property", name="level",
                                                                               value=row["level"])])
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ET.Element("testsuites", name=SUITE)
    root.append(suite)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def write_allure(results: Path, rows: Mapping[str, Mapping[str, Any]], exchanges: Mapping[int, Mapping[str, Any]],
                 summary: Mapping[str, Any], started_ms: int, stopped_ms: int) -> None:
    """One Allure result per requirement; the redacted exchanges it cites are attached."""
    results.mkdir(parents=True, exist_ok=True)
    logger = AllureFileLogger(str(results))  # type: ignore[no-untyped-call]  # allure-commons is unannotated
    for rid, row in rows.items():
        test = row["tests"][0]
        result = TestResult(uuid=str(uuid.uuid4()), name=f"{rid}: {row['title']}",
                            fullName=f"judge.{rid}.{test['nodeid'].split('::')[-1]}",
                            historyId=f"judge.{rid}", start=started_ms, stop=stopped_ms,
                            status=_ALLURE_STATUS.get(row["verdict"], Status.UNKNOWN),
                            statusDetails=StatusDetails(message=failure_message(rid, row)))
        result.labels += [Label("epic", "Client judge"), Label("feature", row["area"]), Label("story", rid),
                          Label("severity", _SEVERITY.get(row["level"], "normal")), Label("tag", row["level"]),
                          Label("suite", SUITE)]
        cited = {i: exchanges[i] for i in test["exchanges"] if i in exchanges}
        if cited:
            source = f"{uuid.uuid4()}-attachment.json"
            logger.report_attached_data(json.dumps(cited, indent=1, ensure_ascii=False).encode(), source)  # type: ignore[no-untyped-call]
            result.attachments.append(Attachment(name="redacted exchanges", source=source, type="application/json"))
        logger.report_result(result)  # type: ignore[no-untyped-call]
    write_allure_metadata(results, summary)
